"""Golden payloads: fixed sample records encoded with today's writer schemas, kept in the
repository so every later reader is tested against bytes old writers really produced.

Layout: ``<DIR>/<subject>/v<N>/<sample>.bin`` with ``<sample>.json`` beside it (the canonical
JSON form of the record: ``CaseEvent.canonical_json()`` for case events, the message model's
JSON otherwise, bytes as base64). Payloads of a released version are never rewritten: writing
again must reproduce identical bytes (Avro binary encoding is deterministic), otherwise this
refuses.

    python -m tests.builders.golden --write tests/golden/avro
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from hub.codec.avro import (
    ALERT_EVENT,
    CASE_EVENT,
    DEAD_LETTER,
    LINK,
    PARTY_RISK,
    RECEIPT,
    TARGETING,
    AvroCodec,
    default_codec,
)
from hub.domain.messages import (
    AlertAction,
    AlertLifecycleEvent,
    DeadLetter,
    LinkRecord,
    Receipt,
    ReceiptStatus,
)
from hub.domain.model import Agency, CaseEvent
from hub.domain.risk_messages import PartyRiskChange, RiskFactorScore, TargetingRecord
from hub.domain.snapshot import AlertType, LinkKind
from hub.registry import RiskClass

MODELS: dict[str, type[BaseModel]] = {
    CASE_EVENT: CaseEvent,
    RECEIPT: Receipt,
    DEAD_LETTER: DeadLetter,
    ALERT_EVENT: AlertLifecycleEvent,
    LINK: LinkRecord,
    PARTY_RISK: PartyRiskChange,
    TARGETING: TargetingRecord,
}


def _case_events() -> dict[str, dict[str, Any]]:
    # A forward-referral story in Jinan: complaint, penalty with referral, police filing, and a
    # court judgment; masked and clear identifiers, several parties, refs both ways.
    samples: dict[str, dict[str, Any]] = {
        "complaint_right_holder": {
            "event_id": "0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1001",
            "event_type": "COMPLAINT_RECEIVED",
            "agency": "MARKET_REGULATION",
            "unit": "济南市市场监督管理局历下区分局",
            "region_code": "370102",
            "occurred_at": "2024-03-18T10:05:00+08:00",
            "case_no": "济历市监举〔2024〕37号",
            "cause": "商标权利人投诉销售假冒注册商标的商品",
            "offense": None,
            "refs": [],
            "parties": [
                {
                    "role": "COMPLAINANT",
                    "kind": "ORG",
                    "name": "山东泉城食品股份有限公司",
                    "uscc": "91370100163123456A",
                    "address": "济南市槐荫区经十路",
                    "represented_by": "刘某",
                },
                {
                    "role": "RESPONDENT",
                    "kind": "ORG",
                    "name": "济南鑫源商贸有限公司",
                    "uscc": "91370102MA3C4N7Q20",
                    "address": "济南市历下区解放路12号",
                },
            ],
            "rights": [
                {
                    "kind": "TRADEMARK",
                    "reg_no": "5128733",
                    "holder": "山东泉城食品股份有限公司",
                    "label": "泉城",
                }
            ],
            "amounts": {},
            "facts": {},
            "text": None,
        },
        "penalty_with_referral": {
            "event_id": "0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1002",
            "event_type": "PENALTY_DECIDED",
            "agency": "MARKET_REGULATION",
            "unit": "济南市市场监督管理局历下区分局",
            "region_code": "370102",
            "occurred_at": "2024-05-06T09:30:00+08:00",
            "case_no": "济历市监处罚〔2024〕15号",
            "cause": "侵犯注册商标专用权",
            "offense": "SELLING_COUNTERFEIT_MARKED_GOODS",
            "refs": [
                {"agency": "POLICE", "case_no": "济公历（经）立字〔2024〕88号", "relation": "REFERRED_TO"},
            ],
            "parties": [
                {
                    "role": "RESPONDENT",
                    "kind": "ORG",
                    "name": "济南鑫源商贸有限公司",
                    "uscc": "91370102MA3C4N7Q20",
                    "address": "济南市历下区解放路12号",
                    "represented_by": "王某",
                },
                {"role": "RESPONDENT", "kind": "PERSON", "name": "王某", "id_no": "3701**********1233"},
                {
                    "role": "RIGHT_HOLDER",
                    "kind": "ORG",
                    "name": "山东泉城食品股份有限公司",
                    "uscc": "91370100163123456A",
                },
            ],
            "rights": [
                {
                    "kind": "TRADEMARK",
                    "reg_no": "5128733",
                    "holder": "山东泉城食品股份有限公司",
                    "label": "泉城",
                }
            ],
            "amounts": {
                "illegal_gain": "38000.00",
                "illegal_turnover": "152000.00",
                "goods_value": None,
                "fine": "456000.00",
                "confiscated": "38000.00",
            },
            "facts": {"repeat_offender": False, "marks_count": 1, "copies": None, "persons": 2},
            "text": (
                "当事人销售假冒“泉城”注册商标的商品，违法经营额152000元。"
                "依据《商标法》第六十条第二款，决定罚款456000元。"
            ),
        },
        "police_filing": {
            "event_id": "0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1003",
            "event_type": "FILING_DECIDED",
            "agency": "POLICE",
            "unit": "济南市公安局历下区分局",
            "region_code": "370102",
            "occurred_at": "2024-05-20T16:45:12.250000+08:00",
            "case_no": "济公历（经）立字〔2024〕88号",
            "cause": "涉嫌销售假冒注册商标的商品罪",
            "offense": "SELLING_COUNTERFEIT_MARKED_GOODS",
            "refs": [
                {
                    "agency": "MARKET_REGULATION",
                    "case_no": "济历市监处罚〔2024〕15号",
                    "relation": "REFERRED_FROM",
                },
            ],
            "parties": [
                {
                    "role": "SUSPECT",
                    "kind": "PERSON",
                    "name": "王建国",
                    "id_no": "370102198503121233",
                    "address": "济南市历下区",
                },
                {"role": "SUSPECT", "kind": "PERSON", "name": "李某", "id_no": "3701**********4515"},
                {
                    "role": "SUSPECT",
                    "kind": "ORG",
                    "name": "济南鑫源商贸有限公司",
                    "uscc": "91370102MA3C4N7Q20",
                },
            ],
            "rights": [],
            "amounts": {"illegal_turnover": "152000.00"},
            "facts": {"persons": 2},
            "text": None,
        },
        "customs_seizure_utc": {
            "event_id": "0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1004",
            "event_type": "SEIZURE_RECORDED",
            "agency": "CUSTOMS",
            "unit": "青岛海关",
            "region_code": "370200",
            "occurred_at": "2024-06-01T02:00:00Z",
            "case_no": "青关知字〔2024〕0031号",
            "cause": "出口侵犯知识产权货物",
            "offense": "TRADEMARK_COUNTERFEIT",
            "refs": [{"agency": "POLICE", "case_no": "青公（经）受字〔2024〕7号", "relation": "RELATED"}],
            "parties": [
                {
                    "role": "RESPONDENT",
                    "kind": "ORG",
                    "name": "深圳市某某进出口有限公司",
                    "uscc": "91440300MA5F3R8W1G",
                },
            ],
            "rights": [
                {"kind": "TRADEMARK", "reg_no": "G1234567", "holder": "某国际品牌公司", "label": "某某"},
                {"kind": "COPYRIGHT", "reg_no": None, "holder": None, "label": "卡通形象"},
            ],
            "amounts": {"goods_value": "1250000.50"},
            "facts": {"marks_count": 2, "copies": 12000},
            "text": None,
        },
        "court_judgment_negative_offset": {
            "event_id": "0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1005",
            "event_type": "JUDGMENT_ISSUED",
            "agency": "COURT",
            "unit": "济南市历下区人民法院",
            "region_code": "370102",
            "occurred_at": "2024-11-29T15:00:00-05:30",
            "case_no": "(2024)鲁0102刑初456号",
            "cause": "销售假冒注册商标的商品罪",
            "offense": "OTHER_IP",
            "refs": [
                {"agency": "PROCURATORATE", "case_no": "济历检刑诉〔2024〕201号", "relation": "RELATED"}
            ],
            "parties": [
                {"role": "DEFENDANT", "kind": "PERSON", "name": "王建国", "id_no": "370102198503121233"},
                {"role": "DEFENDANT", "kind": "PERSON", "name": "李**", "id_no": None},
            ],
            "rights": [],
            "amounts": {"fine": "200000", "confiscated": "0.01"},
            "facts": {"repeat_offender": True},
            "text": "被告人王建国犯销售假冒注册商标的商品罪，判处有期徒刑三年，并处罚金人民币二十万元。",
        },
    }
    # Schema v2 (ADR 0019): the market regulator amends its penalty decision (更正).
    penalty = samples["penalty_with_referral"]
    samples["penalty_amended"] = {
        **penalty,
        "event_id": "0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1006",
        "occurred_at": "2024-05-20T14:00:00+08:00",
        "amounts": {**penalty["amounts"], "fine": "304000.00"},
        "text": "关于济历市监处罚〔2024〕15号行政处罚决定书的更正决定：罚款金额更正为304000元。",
        "corrects": {"event_id": "0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1002", "kind": "AMENDS"},
    }
    # Schema v3 (issue 20): a trademark suit against a small shop, withdrawn after settlement
    # talks, with claim and filing date; and (issue 19) an import declaration of goods.
    samples["civil_suit_withdrawn"] = {
        "event_id": "0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1007",
        "event_type": "CIVIL_SUIT_CLOSED",
        "agency": "COURT",
        "unit": "济南市历下区人民法院",
        "region_code": "370102",
        "occurred_at": "2024-08-12T10:00:00+08:00",
        "case_no": "(2024)鲁0102民初5123号",
        "cause": "侵害商标权纠纷",
        "offense": None,
        "refs": [],
        "parties": [
            {"role": "PLAINTIFF", "kind": "ORG", "name": "某某商贸有限公司", "uscc": "91370100MA3D8K2X1P"},
            {"role": "CIVIL_DEFENDANT", "kind": "PERSON", "name": "赵某", "id_no": None},
        ],
        "rights": [
            {"kind": "TRADEMARK", "reg_no": "31234567", "holder": "某某商贸有限公司", "label": "小熊"}
        ],
        "amounts": {},
        "facts": {},
        "text": "原告某某商贸有限公司于2024年7月1日向本院提出撤诉申请。准许原告撤回起诉。",
        "civil": {
            "outcome": "WITHDRAWN",
            "claim_amount": "50000.00",
            "award_amount": None,
            "filed_on": "2024-05-20",
        },
    }
    samples["customs_declaration"] = {
        "event_id": "0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1008",
        "event_type": "CUSTOMS_DECLARATION",
        "agency": "CUSTOMS",
        "unit": "济南海关",
        "region_code": "370100",
        "occurred_at": "2024-09-03T08:15:00+08:00",
        "case_no": "430120240000123456",
        "cause": None,
        "offense": None,
        "refs": [],
        "parties": [
            {
                "role": "CONSIGNOR",
                "kind": "ORG",
                "name": "济南某某进出口有限公司",
                "uscc": "91370100MA3C4N7Q20",
            },
            {"role": "CONSIGNEE", "kind": "ORG", "name": "ACME Trading GmbH"},
        ],
        "rights": [],
        "amounts": {"goods_value": "86000.00"},
        "facts": {},
        "text": None,
        "goods": {"category": "AUTO_PARTS", "description": "汽车刹车片", "hs_code": "8708301000"},
    }
    return samples


def sample_records() -> dict[str, dict[str, BaseModel]]:
    """Every golden sample: subject -> sample name -> model instance."""
    at = datetime(2024, 5, 6, 1, 30, 0, 123456, tzinfo=UTC)
    return {
        CASE_EVENT: {name: CaseEvent.model_validate(data) for name, data in _case_events().items()},
        RECEIPT: {
            "accepted": Receipt(
                event_id="0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1002",
                agency=Agency.MARKET_REGULATION,
                status=ReceiptStatus.ACCEPTED,
                reason=None,
                received_at=at,
                hub_key_id="HUB-20240101-0a1b2c3d",
            ),
            "rejected": Receipt(
                event_id="0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1099",
                agency=Agency.POLICE,
                status=ReceiptStatus.REJECTED,
                reason="bad signature: does not verify with key POLICE-20240101-9f8e7d6c",
                received_at=at,
                hub_key_id="HUB-20240101-0a1b2c3d",
            ),
            "duplicate": Receipt(
                event_id="0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1003",
                agency=Agency.POLICE,
                status=ReceiptStatus.DUPLICATE,
                reason=None,
                received_at=at,
                hub_key_id="HUB-20240101-0a1b2c3d",
            ),
        },
        DEAD_LETTER: {
            "garbage": DeadLetter(
                event_id=None,
                topic="intake.customs",
                reason="wrong magic 7b22: expected c301 (Avro single-object encoding)",
                original=b'{"event_id": "x"}\x00\xff',
                received_at=at,
            ),
            "invalid_event": DeadLetter(
                event_id="0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1098",
                topic="intake.court",
                reason="invalid CaseEvent: occurred_at: Value error, occurred_at must carry a UTC offset",
                original=bytes(range(256)),
                received_at=at,
            ),
        },
        ALERT_EVENT: {
            "raised": AlertLifecycleEvent(
                alert_id="A-FORWARD_REFERRAL_SUSPECTED-0b7e2c1a",
                action=AlertAction.RAISED,
                alert_type=AlertType.FORWARD_REFERRAL_SUSPECTED,
                matter_id="M-0b7e2c1a",
                trigger_event_id="0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1002",
                at=at,
            ),
            "acknowledged": AlertLifecycleEvent(
                alert_id="A-FORWARD_REFERRAL_SUSPECTED-0b7e2c1a",
                action=AlertAction.ACKNOWLEDGED,
                alert_type=AlertType.FORWARD_REFERRAL_SUSPECTED,
                matter_id="M-0b7e2c1a",
                trigger_event_id="0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1002",
                at=at,
                actor="检察官张某",
                reason="已调阅行政处罚卷宗",
            ),
            "raised_malicious_litigation": AlertLifecycleEvent(
                alert_id="A-MALICIOUS_LITIGATION_SUSPECTED-0b7e2c1a",
                action=AlertAction.RAISED,
                alert_type=AlertType.MALICIOUS_LITIGATION_SUSPECTED,
                matter_id="M-0b7e2c1a",
                trigger_event_id="0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1007",
                at=at,
            ),
            "resolved": AlertLifecycleEvent(
                alert_id="A-REFERRAL_OVERDUE-0b7e2c1a",
                action=AlertAction.RESOLVED,
                alert_type=AlertType.REFERRAL_OVERDUE,
                matter_id="M-0b7e2c1a",
                trigger_event_id="0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1002",
                at=at,
                resolution="0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1003",
            ),
            "responded": AlertLifecycleEvent(
                alert_id="A-FORWARD_REFERRAL_SUSPECTED-0b7e2c1a",
                action=AlertAction.RESPONDED,
                alert_type=AlertType.FORWARD_REFERRAL_SUSPECTED,
                matter_id="M-0b7e2c1a",
                trigger_event_id="0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1002",
                at=at,
                actor="执法人员王某",
                reason="经审查认为不构成犯罪，不予移送",
                actor_role="AGENCY_OFFICER",
                actor_agency="MARKET_REGULATION",
                document="济市监不移字〔2024〕3号",
            ),
            "accepted": AlertLifecycleEvent(
                alert_id="A-FORWARD_REFERRAL_SUSPECTED-0b7e2c1a",
                action=AlertAction.ACCEPTED,
                alert_type=AlertType.FORWARD_REFERRAL_SUSPECTED,
                matter_id="M-0b7e2c1a",
                trigger_event_id="0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1002",
                at=at,
                actor="检察官张某",
                reason="不移送理由成立",
                resolution="MANUAL",
                actor_role="PROSECUTOR",
                actor_agency="PROCURATORATE",
            ),
        },
        LINK: {
            "ref": LinkRecord(
                matter_id="M-0b7e2c1a",
                kind=LinkKind.REF,
                a_event_id="0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1002",
                b_event_id="0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1003",
                score=1.0,
                evidence="refs: 济公历（经）立字〔2024〕88号 REFERRED_TO",
            ),
            "implicit": LinkRecord(
                matter_id="M-0b7e2c1a",
                kind=LinkKind.IMPLICIT,
                a_event_id="0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1001",
                b_event_id="0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1002",
                score=0.93,
                evidence="same accused org (USCC agrees), same trademark reg_no",
            ),
        },
        # Issue 19: a party moving from B to D (police filing and prosecution on top of a penalty),
        # and the targeting feed listing it and later taking another party off.
        PARTY_RISK: {
            "b_to_d": PartyRiskChange(
                party_id="ORG:91370102MA3C8KQ12X",
                risk_class=RiskClass.D,
                previous_class=RiskClass.B,
                score="67.0",
                version="risk-2024.1",
                as_of="2026-06-30",
                factors=[
                    RiskFactorScore(
                        factor="PROSECUTION",
                        weight="30",
                        points="30.0",
                        event_ids=["0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1005"],
                    ),
                    RiskFactorScore(
                        factor="CRIMINAL_FILING",
                        weight="25",
                        points="25.0",
                        event_ids=["0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1003"],
                    ),
                    RiskFactorScore(
                        factor="ADMIN_PENALTY",
                        weight="12",
                        points="12.0",
                        event_ids=["0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1002"],
                    ),
                ],
                changed_at=at,
            ),
            "first_classed": PartyRiskChange(
                party_id="ORGN:5d1f0c",
                risk_class=RiskClass.B,
                score="10.0",
                version="risk-2024.1",
                as_of="2026-06-30",
                factors=[
                    RiskFactorScore(
                        factor="CUSTOMS_SEIZURE",
                        weight="10",
                        points="10.0",
                        event_ids=["0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1010"],
                    )
                ],
                changed_at=at,
            ),
        },
        TARGETING: {
            "listed": TargetingRecord(
                party_id="ORG:91370102MA3C8KQ12X",
                listed=True,
                name="济南恒达商贸有限公司",
                risk_class="D",
                score="67.0",
                reasons=["风险分类D（信用风险高，得分67.0）"],
                rights=["TRADEMARK:11896302"],
                event_ids=["0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1002", "0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1003"],
                as_of="2026-06-30",
                changed_at=at,
            ),
            "brand": TargetingRecord(
                party_id="MARK:7710452|APPAREL",
                listed=True,
                name="商标7710452（服装鞋帽）",
                reasons=["近期海关扣留2次（青岛海关、济南海关）"],
                rights=["TRADEMARK:7710452"],
                event_ids=["0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1020", "0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1021"],
                as_of="2026-06-30",
                changed_at=at,
            ),
            "delisted": TargetingRecord(
                party_id="ORGN:5d1f0c",
                listed=False,
                risk_class="B",
                score="10.0",
                reasons=[],
                rights=[],
                event_ids=[],
                as_of="2027-07-01",
                changed_at=at,
            ),
        },
    }


def canonical_json_of(model: BaseModel) -> dict[str, Any]:
    """The JSON form stored beside a golden payload."""
    if isinstance(model, CaseEvent):
        return model.canonical_json()
    return model.model_dump(mode="json")


def encode_model(codec: AvroCodec, subject: str, model: BaseModel) -> bytes:
    if isinstance(model, CaseEvent):
        return codec.encode_case_event(model)
    return codec.encode_model(subject, model)


def write_golden(out_dir: Path, codec: AvroCodec | None = None, force: bool = False) -> list[Path]:
    """Encode every sample with the latest schema version into ``out_dir``; returns files written.

    An existing payload whose bytes would change is an error unless ``force``: golden payloads
    are history, not output.
    """
    codec = codec if codec is not None else default_codec()
    written: list[Path] = []
    for subject, samples in sample_records().items():
        version = codec.registry.latest(subject).version
        folder = out_dir / subject / f"v{version}"
        folder.mkdir(parents=True, exist_ok=True)
        for name, model in samples.items():
            payload = encode_model(codec, subject, model)
            text = json.dumps(canonical_json_of(model), ensure_ascii=False, indent=2) + "\n"
            bin_path, json_path = folder / f"{name}.bin", folder / f"{name}.json"
            if bin_path.exists() and bin_path.read_bytes() != payload and not force:
                raise FileExistsError(
                    f"{bin_path} exists with different bytes; golden payloads are never rewritten"
                )
            for path, content in ((bin_path, payload), (json_path, text.encode("utf-8"))):
                if not path.exists() or path.read_bytes() != content:
                    path.write_bytes(content)
                    written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.builders.golden", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--write", type=Path, required=True, metavar="DIR", help="golden directory to fill")
    parser.add_argument("--force", action="store_true", help="rewrite payloads whose bytes changed")
    args = parser.parse_args(argv)
    try:
        written = write_golden(args.write, force=args.force)
    except FileExistsError as exc:
        print(exc, file=sys.stderr)
        return 1
    for path in written:
        print(path)
    print(f"{len(written)} files written", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
