"""Party risk classes over a folded state: for `hub batch`, the matter owner and the exports.

Plain Python over ``HubState`` (its party index) and the open alerts of the matters; the class of
one party reads only that party's record and the alerts of its matters (ADR 0026), so a party's
class can be recomputed alone whenever its record or one of its matters changes.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hub.domain.engine import HubState
from hub.domain.model import PartyKind
from hub.domain.risk import PartyRisk, local_day, score_party
from hub.domain.risk_rules import RiskPolicy
from hub.domain.snapshot import Alert
from hub.domain.targeting import BrandEntry, TargetingEntry, brand_listing, listing

if TYPE_CHECKING:
    from hub.domain.rules import RuleBook


def alerts_by_matter(alerts: Iterable[Alert]) -> dict[str, list[Alert]]:
    found: dict[str, list[Alert]] = defaultdict(list)
    for alert in alerts:
        found[alert.matter_id].append(alert)
    return found


def party_risk(
    state: HubState,
    party_id: str,
    open_alerts: Mapping[str, Sequence[Alert]],
    as_of: datetime,
    policy: RiskPolicy,
) -> PartyRisk:
    """One party's class at ``as_of`` (``open_alerts``: matter id -> its open alerts)."""
    alerts = [a for m in sorted(state.party_matters(party_id)) for a in open_alerts.get(m, ())]
    return score_party(
        party_id, state.risk_record(party_id), alerts, as_of, policy.scoring_on(local_day(as_of))
    )


def party_risks(
    state: HubState,
    party_ids: Iterable[str],
    open_alerts: Mapping[str, Sequence[Alert]],
    as_of: datetime,
    policy: RiskPolicy,
) -> dict[str, PartyRisk]:
    return {pid: party_risk(state, pid, open_alerts, as_of, policy) for pid in sorted(set(party_ids))}


def brand_feed(state: HubState, as_of: datetime, policy: RiskPolicy) -> list[BrandEntry]:
    """Every brand (mark on one kind of goods) seized by customs within the recent window."""
    found = []
    for key in state.party_index.mark_keys():
        entry = brand_listing(key, state.mark_record(key), as_of, policy)
        if entry is not None:
            found.append(entry)
    return found


def targeting_feed(
    state: HubState, as_of: datetime, policy: RiskPolicy, open_alerts: Mapping[str, Sequence[Alert]]
) -> list[TargetingEntry]:
    """Every listed party at ``as_of`` (class C/D or a recent customs seizure), by party id, with
    the class the party page shows (``open_alerts``: matter id -> its open alerts)."""
    found = []
    for pid in state.party_index.party_ids():
        risk = party_risk(state, pid, open_alerts, as_of, policy)
        entry = listing(pid, state.risk_record(pid), as_of, policy, risk)
        if entry is not None:
            found.append(entry)
    return found


def parties_of_matters(state: HubState, matter_ids: Iterable[str]) -> set[str]:
    """The parties named in the live ones of ``matter_ids`` (a merged-away id names none)."""
    index = state.party_index
    parties: set[str] = set()
    for matter_id in matter_ids:
        if state.has_matter(matter_id):
            for event_id in state.matter_events(matter_id):
                parties.update(index.parties_of(event_id))
    return parties


class RiskTracker:
    """The matter owner's side of party risk: which parties to class again after a fold step,
    what changed, and the targeting feed's entries that changed.

    A party is classed again when its record changed (the party index says so) or a matter
    holding its record was rewritten (its alerts may have changed), and every party once per
    China-time day (recency and overdue alerts move with the clock alone). The class itself is
    ``party_risk``, the same function ``hub batch`` uses, so both give the same classes.
    """

    def __init__(self) -> None:
        self._day: date | None = None
        # The day whose pass over every party the last ``affected`` call began (None if none).
        self.full_pass: date | None = None
        # party id -> what the feed last said of it (None: not listed)
        self._listed: dict[str, tuple[str, ...] | None] = {}
        self._retry: set[str] = set()
        self._brand_day: date | None = None
        self._brands: dict[str, tuple[str, ...]] = {}  # mark key -> what the feed last said
        self._brand_retry: set[str] = set()
        # A pass over every party is owed before the next daily one (a new sole owner).
        self._everyone_owed = False

    @property
    def owes_classes(self) -> bool:
        """Whether classes wait for a step: a failed write to retry, or a pass over everyone."""
        return bool(self._retry or self._brand_retry or self._everyone_owed)

    def owe_everyone(self) -> None:
        """Class every party at the next step of the runtime that leads (ADR 0030)."""
        self._everyone_owed = True

    def affected(
        self, state: HubState, rewritten: Iterable[str], as_of: datetime, *, everyone: bool = True
    ) -> set[str]:
        """The parties to class again. ``everyone`` False (an owner of some fold partitions but
        not partition 0, ADR 0030): only those of the matters it rewrote; changed records and
        the daily pass are partition 0's (every runtime links every event alike)."""
        dirty = state.party_index.take_dirty_parties()
        parties = (dirty if everyone else set()) | self._retry
        self._retry = set()
        parties |= parties_of_matters(state, rewritten)
        day = local_day(as_of)
        self.full_pass = None
        if everyone and (day != self._day or self._everyone_owed):
            self._day = day
            self._everyone_owed = False
            self.full_pass = day
            parties.update(state.party_index.party_ids())
        return parties

    def remember_day(self, day: date | None) -> None:
        """The day of the last pass over every party, as stored by whichever owner made it."""
        if day is not None and (self._day is None or day > self._day):
            self._day = day

    def listing_changes(
        self, state: HubState, risks: Mapping[str, PartyRisk], as_of: datetime, policy: RiskPolicy
    ) -> list[tuple[str, TargetingEntry | None, PartyRisk]]:
        """Parties whose place on the targeting feed changed: (party, entry or None when taken
        off, its class)."""
        changed: list[tuple[str, TargetingEntry | None, PartyRisk]] = []
        for pid in sorted(risks):
            entry = listing(pid, state.risk_record(pid), as_of, policy, risks[pid])
            said = None if entry is None else _feed_content(entry)
            if said != self._listed.get(pid):
                changed.append((pid, entry, risks[pid]))
            if said is None:
                self._listed.pop(pid, None)
            else:
                self._listed[pid] = said
        return changed

    def reclass(self, parties: Iterable[str]) -> None:
        """Parties to class again with the next step (their feed entries are said only if they
        changed)."""
        self._retry.update(parties)

    def retry(self, parties: Iterable[str]) -> None:
        """Parties whose class or feed entry could not be stored: class them again with the next
        step, and say their feed entry again then."""
        for pid in parties:
            self._retry.add(pid)
            self._listed.pop(pid, None)

    def remember_feed(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Start from the feed as stored (by an earlier owner): an entry this owner no longer
        lists is then taken off, not forgotten. Stored entries are said again when they differ
        in any way, so a placeholder stands for their content."""
        for record in records:
            key = str(record["party_id"])
            if key.startswith("MARK:"):
                self._brands[key.removeprefix("MARK:")] = ("<stored>",)
            else:
                self._listed[key] = ("<stored>",)

    def retry_brands(self, keys: Iterable[str]) -> None:
        """Brand entries that could not be stored: say them again with the next step."""
        for key in keys:
            self._brands.pop(key, None)
            self._brand_retry.add(key)

    def brand_changes(
        self, state: HubState, as_of: datetime, policy: RiskPolicy
    ) -> list[tuple[str, BrandEntry | None]]:
        """Brands whose place on the feed changed: marks whose customs cases changed, and every
        mark once per China-time day (a seizure leaves the recent window with the clock)."""
        keys = state.party_index.take_dirty_marks() | self._brand_retry
        self._brand_retry = set()
        day = local_day(as_of)
        if day != self._brand_day:
            self._brand_day = day
            keys.update(state.party_index.mark_keys())
        changed: list[tuple[str, BrandEntry | None]] = []
        for key in sorted(keys):
            entry = brand_listing(key, state.mark_record(key), as_of, policy)
            said = None if entry is None else (*entry.seizure_ids, *entry.ports)
            if said != self._brands.get(key):
                changed.append((key, entry))
            if said is None:
                self._brands.pop(key, None)
            else:
                self._brands[key] = said
        return changed

    def forget(self) -> None:
        self._brand_day = None
        self._brands.clear()
        self._brand_retry.clear()
        self._day = None
        self._everyone_owed = False
        self._listed.clear()
        self._retry.clear()


def _feed_content(entry: TargetingEntry) -> tuple[str, ...]:
    return (
        entry.risk.risk_class.value,
        str(entry.risk.score),
        *entry.reasons,
        *(f"{k}:{n}" for k, n in entry.rights),
    )


def party_name(state: HubState, party_id: str) -> str | None:
    """The organisation's name as its latest record event states it (persons are never named)."""
    for event in reversed(state.risk_record(party_id)):
        for idx, party in enumerate(event.parties):
            if party.kind is not PartyKind.ORG or not party.name or event.event_id not in state:
                continue
            if (
                idx < len(state.event(event.event_id).parties)
                and state.party_id(event.event_id, idx) == party_id
            ):
                return party.name
    return None


# --- the customs export (`hub risk export --for customs`) -------------------------------------------

FEED_COLUMNS = ("kind", "party_id", "name", "risk_class", "score", "reasons", "rights", "event_ids", "as_of")


def feed_kind(record: Mapping[str, Any]) -> str:
    """PARTY (a consignor, consignee or other party) or BRAND (a mark on one kind of goods)."""
    return "BRAND" if str(record["party_id"]).startswith("MARK:") else "PARTY"


def feed_from_events(events_path: Path, as_of: datetime | None, rules: RuleBook) -> list[dict[str, Any]]:
    """The feed computed from an events file (what `hub batch` would fold), at ``as_of``
    (default: the latest occurred_at), as ``TargetingRecord`` JSON."""
    from hub.domain.risk_messages import TargetingRecord
    from hub.services.batch import fold_events, latest_occurred_at, read_events_jsonl, state_rows

    if rules.risk is None:
        raise ValueError("rule book has no risk data (hub/rules/risk.toml)")
    state = HubState(rules=rules)
    fold_events(state, read_events_jsonl(events_path))
    when = as_of if as_of is not None else latest_occurred_at(state.events())
    if when is None:
        return []
    _, _, alerts = state_rows(state, when)
    parties = [
        TargetingRecord.of(entry, party_name(state, entry.party_id), when).model_dump(mode="json")
        for entry in targeting_feed(state, when, rules.risk, alerts_by_matter(alerts))
    ]
    brands = [
        TargetingRecord.of_brand(b, when).model_dump(mode="json") for b in brand_feed(state, when, rules.risk)
    ]
    return parties + brands


def render_feed(records: Sequence[Mapping[str, Any]], fmt: str) -> str:
    """The feed as customs takes it: ``json`` (a list of records) or ``csv`` (UTF-8, one row per
    party, lists joined by '；')."""
    rows = sorted(records, key=lambda r: str(r["party_id"]))
    if fmt == "json":
        keep = [{k: feed_kind(r) if k == "kind" else r.get(k) for k in FEED_COLUMNS} for r in rows]
        return json.dumps(keep, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(FEED_COLUMNS)
        for r in rows:
            writer.writerow(
                [
                    feed_kind(r),
                    r["party_id"],
                    r.get("name") or "",
                    r.get("risk_class") or "",
                    r.get("score") or "",
                    "；".join(r["reasons"]),
                    "；".join(r["rights"]),
                    " ".join(r["event_ids"]),
                    r["as_of"],
                ]
            )
        return buffer.getvalue()
    raise ValueError(f"unknown format {fmt!r}: csv or json")
