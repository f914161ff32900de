"""The case view fold, referral status, serve-time masking and need-to-know, and the party profile."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from hub.domain.case_view import (
    FILED,
    JUDGED,
    NOT_REFERRED,
    REFERRED,
    REVERSE_REFERRED,
    apply,
    build_party_profile,
    build_view,
    empty_view,
    serve_view,
)
from hub.domain.masking import AccessRole, Viewer, id_hash, mask_id_no, mask_person_name
from hub.domain.model import Agency, CaseEvent, EventType, Party, PartyKind, Ref, Relation, Role
from hub.domain.queries import case_no_key, index_keys, name_key, right_key
from hub.domain.snapshot import MatterEvaluation
from tests.builders.store_changes import SAMPLE_ID_NO, sample_changes

pytestmark = pytest.mark.unit

CST = timezone(timedelta(hours=8))


def _event(eid: str, etype: EventType, agency: Agency, day: int, **kw: object) -> CaseEvent:
    return CaseEvent(
        event_id=eid,
        event_type=etype,
        agency=agency,
        occurred_at=datetime(2024, 1, day, tzinfo=CST),
        case_no=f"{agency.value}-1",
        **kw,
    )  # type: ignore[arg-type]


def test_fold_is_order_independent_and_idempotent() -> None:
    """Applying events in any order, with repeats, gives the same view."""
    events = [
        _event("a", EventType.PENALTY_DECIDED, Agency.MARKET_REGULATION, 1),
        _event(
            "b",
            EventType.REFERRAL_SENT,
            Agency.MARKET_REGULATION,
            2,
            refs=(Ref(agency=Agency.POLICE, case_no="P-1", relation=Relation.REFERRED_TO),),
        ),
        _event("c", EventType.FILING_DECIDED, Agency.POLICE, 3),
    ]
    forward = empty_view("M-a")
    for e in events:
        forward = apply(forward, e)
    backward = empty_view("M-a")
    for e in [*reversed(events), events[0]]:
        backward = apply(backward, e)
    assert forward == backward
    assert [t.event_id for t in forward.timeline] == ["a", "b", "c"]
    assert forward.agencies == ("MARKET_REGULATION", "POLICE")
    assert forward.referral_status == FILED


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        ([EventType.PENALTY_DECIDED], NOT_REFERRED),
        ([EventType.PENALTY_DECIDED, EventType.REFERRAL_SENT], REFERRED),
        (
            [
                EventType.REFERRAL_SENT,
                EventType.FILING_DECIDED,
                EventType.PROSECUTION_DECIDED,
                EventType.JUDGMENT_ISSUED,
            ],
            JUDGED,
        ),
        (
            [
                EventType.REFERRAL_SENT,
                EventType.FILING_DECIDED,
                EventType.NON_PROSECUTION_DECIDED,
                EventType.OPINION_ISSUED,
            ],
            REVERSE_REFERRED,
        ),
    ],
)
def test_referral_status_follows_the_latest_stage(types: list[EventType], expected: str) -> None:
    """The status is the furthest stage the matter reached, a pending reverse referral included."""
    agency = {
        EventType.PENALTY_DECIDED: Agency.MARKET_REGULATION,
        EventType.REFERRAL_SENT: Agency.MARKET_REGULATION,
        EventType.FILING_DECIDED: Agency.POLICE,
        EventType.PROSECUTION_DECIDED: Agency.PROCURATORATE,
        EventType.NON_PROSECUTION_DECIDED: Agency.PROCURATORATE,
        EventType.JUDGMENT_ISSUED: Agency.COURT,
        EventType.OPINION_ISSUED: Agency.PROCURATORATE,
    }
    view = empty_view("M")
    for day, t in enumerate(types, start=1):
        view = apply(view, _event(f"e{day}", t, agency[t], day))
    assert view.referral_status == expected


def test_masking_helpers() -> None:
    """Names become surname + 某; IDs keep region code and birth year only; hashes are not the ID."""
    assert mask_person_name("王小明") == "王某"
    assert mask_person_name("欧阳娜娜") == "欧阳某"
    assert mask_person_name("张某") == "张某"
    assert mask_id_no(SAMPLE_ID_NO) == SAMPLE_ID_NO[:10] + "********"
    assert mask_id_no("3701**********1234") == "3701**********1234"
    key = b"test-id-hash-key"
    assert SAMPLE_ID_NO not in id_hash(SAMPLE_ID_NO, key)
    assert id_hash(SAMPLE_ID_NO, key) == id_hash(SAMPLE_ID_NO.lower(), key)
    assert id_hash(SAMPLE_ID_NO, key) != id_hash(SAMPLE_ID_NO, b"another-key")  # the key is used


def _sample_view(matter_id: str = "M-e-0001"):  # type: ignore[no-untyped-def]
    changes = sample_changes()
    snap = next(m for m in changes.matters if m.matter_id == matter_id)
    ev = next(e for e in changes.evaluations if e.matter_id == matter_id)
    return build_view(snap, ev)


def test_served_view_masks_persons_unless_an_allowed_reader_unmasks() -> None:
    """Prosecutors see masked persons by default and clear ones only with unmask, which is reported."""
    view = _sample_view()
    masked, unmasked = serve_view(view, Viewer(AccessRole.PROSECUTOR))
    text = str(masked)
    assert "王小明" not in text and SAMPLE_ID_NO not in text and "王某" in text and unmasked == []
    clear, unmasked = serve_view(view, Viewer(AccessRole.PROSECUTOR, unmask=True))
    assert "王小明" in str(clear) and SAMPLE_ID_NO in str(clear)
    assert any(f.endswith(".id_no") for f in unmasked) and any(f.endswith(".name") for f in unmasked)
    jm, unmasked = serve_view(view, Viewer(AccessRole.JOINT_MEETING, unmask=True))
    assert "王小明" not in str(jm) and unmasked == []
    assert all(e["amounts"] == {} for e in jm["timeline"])  # coordination: amounts only in aggregate


def test_officer_sees_own_agency_in_full_and_others_as_summary() -> None:
    """A police officer gets market regulation's events without amounts; a party known only from
    them is summarised, one the police file names too is shown as the police file shows it."""
    view = _sample_view()
    data, _ = serve_view(view, Viewer(AccessRole.AGENCY_OFFICER, agency="POLICE", unmask=True))
    mr = [e for e in data["timeline"] if e["agency"] == "MARKET_REGULATION"]
    police = [e for e in data["timeline"] if e["agency"] == "POLICE"]
    police_parties = {p["party_id"]: p for e in police for p in e["parties"]}
    assert all(e["amounts"] == {} for e in mr)
    only_mr = [p for e in mr for p in e["parties"] if p["party_id"] not in police_parties]
    assert only_mr and all(p["uscc"] is None and "某某" in p["name"] for p in only_mr)
    shared = [p for e in mr for p in e["parties"] if p["party_id"] in police_parties]
    same = [{**police_parties[p["party_id"]], "index": p["index"], "role": p["role"]} for p in shared]
    assert shared and shared == same
    assert any(p["uscc"] == "91370100MA3C7Q2K9W" for e in police for p in e["parties"])
    assert any(p["name"] == "王小明" for e in police for p in e["parties"])


def test_build_view_equals_the_fold() -> None:
    """build_view's one-pass assembly gives exactly what folding apply over the events gives."""
    changes = sample_changes()
    for snap in changes.matters:
        bare = replace(snap, party_ids={}, links=())
        folded = empty_view(snap.matter_id)
        for event in reversed(snap.events):
            folded = apply(folded, event)
        assert build_view(bare, MatterEvaluation(snap.matter_id, (), ())) == folded


def test_build_view_attaches_party_ids_links_alerts_and_clocks() -> None:
    """Party ids from the snapshot, link evidence, alerts and clocks all appear in the view."""
    view = _sample_view()
    assert all(p.party_id for e in view.timeline for p in e.parties)
    assert (
        view.links and view.alerts[0].alert_type == "REFERRAL_OVERDUE" and view.clocks[0].state == "EXPIRED"
    )
    assert build_view(sample_changes().matters[0], MatterEvaluation("M-e-0001", (), ())).alerts == ()


def test_party_profile_lists_penalties_across_districts() -> None:
    """The same organisation's penalties in two matters both appear, oldest first."""
    changes = sample_changes()
    views = [build_view(m, e) for m, e in zip(changes.matters, changes.evaluations, strict=True)]
    profile = build_party_profile("P-91370100MA3C7Q2K9W", views)
    assert [p.region_code for p in profile.penalties] == ["370102", "370104"]
    assert len(profile.matters) == 2


def test_search_keys_unify_spellings() -> None:
    """Bracket styles, full-width characters, trailing 号, ZL prefixes and legal-form variants meet."""
    assert (
        case_no_key("济历市监处罚〔2024〕15号")
        == case_no_key("济历市监处罚[2024]15")
        == case_no_key("济历市监处罚（2024）15号")
        == case_no_key("济历市监处罚【2024】 15号")
    )
    assert right_key("ZL 201710601862.3") == right_key("201710601862.3") == "2017106018623"
    assert name_key("济南市某某商贸有限责任公司") == name_key("某某商贸有限公司 (Moumou Trading Co.)")
    assert name_key("某某商贸有限公司") != name_key("某某贸易有限公司")
    person = Party(role=Role.SUSPECT, kind=PartyKind.PERSON, name="李四", id_no=SAMPLE_ID_NO)
    view = apply(empty_view("M"), _event("x", EventType.CASE_OPENED, Agency.POLICE, 1, parties=(person,)))
    keys = index_keys(view, b"test-id-hash-key")
    assert ("IDH", id_hash(SAMPLE_ID_NO, b"test-id-hash-key")) in keys
    assert not any(SAMPLE_ID_NO in k for _, k in keys)
