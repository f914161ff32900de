"""What the benchmarks feed the engines: generated case events, their Avro bytes, a broker.

The generator is deterministic (seeded) and produces canonical JSON dicts directly, because
building a million pydantic models just to generate input would dominate the setup time.
Events reuse a pool of organisations and case numbers, so matching and linking find real
work (shared parties, follow-up events on one case) instead of a million singletons.

Avro: the hub's own codec (hub.codec.avro, single-object encoding), so the baselines decode
exactly the bytes the hub would receive. Baselines decode with plain fastavro against the
writer schema.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hub.codec.avro import default_codec
from hub.domain.model import CaseEvent
from hub.kafka.broker import EmbeddedBroker

SINGLE_OBJECT_HEADER_BYTES = 10  # magic (2) + CRC-64-AVRO fingerprint (8)

AGENCY_EVENTS = {
    "MARKET_REGULATION": ("COMPLAINT_RECEIVED", "CASE_OPENED", "PENALTY_DECIDED", "REFERRAL_SENT"),
    "CUSTOMS": ("SEIZURE_RECORDED", "CASE_OPENED", "PENALTY_DECIDED", "REFERRAL_SENT"),
    "POLICE": ("REFERRAL_RECEIVED", "FILING_DECIDED", "FILING_REFUSED", "CASE_CLOSED"),
    "PROCURATORATE": ("PROSECUTION_DECIDED", "NON_PROSECUTION_DECIDED", "OPINION_ISSUED"),
    "COURT": ("JUDGMENT_ISSUED",),
}
AGENCY_UNITS = {
    "MARKET_REGULATION": ("济南市市场监督管理局历下区分局", "青岛市市场监督管理局市南区分局"),
    "CUSTOMS": ("青岛海关", "济南海关"),
    "POLICE": ("济南市公安局历下区分局", "青岛市公安局市南分局"),
    "PROCURATORATE": ("济南市历下区人民检察院", "青岛市市南区人民检察院"),
    "COURT": ("济南市历下区人民法院", "青岛市市南区人民法院"),
}
CASE_NO_PREFIX = {
    "MARKET_REGULATION": "济历市监处罚",
    "CUSTOMS": "青关知字",
    "POLICE": "济公历立字",
    "PROCURATORATE": "济历检刑诉",
    "COURT": "鲁0102刑初",
}
OFFENSES = (
    "TRADEMARK_COUNTERFEIT",
    "SELLING_COUNTERFEIT_MARKED_GOODS",
    "ILLEGAL_MARK_LABELS",
    "COPYRIGHT_INFRINGEMENT",
    "SELLING_INFRINGING_COPIES",
)
CAUSES = ("侵犯注册商标专用权", "销售假冒注册商标的商品", "侵犯著作权", "非法制造注册商标标识")
ORG_WORDS = ("华鑫", "鲁商", "泉城", "海韵", "金泰", "瑞丰", "恒达", "鼎盛", "宏图", "诚信")
ORG_TRADES = ("商贸", "服饰", "电子", "日化", "酒业", "科技")
BRANDS = ("某某", "佳品", "名牌", "雅致", "极光")
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015 character set


def uscc_with_check_digit(body17: str) -> str:
    """Append the GB 32100-2015 check character, so generated codes validate like real ones."""
    weights = [pow(3, i, 31) for i in range(17)]
    total = sum(USCC_ALPHABET.index(char) * weight for char, weight in zip(body17, weights, strict=True))
    return body17 + USCC_ALPHABET[(31 - total % 31) % 31]


@dataclass(frozen=True)
class Organisation:
    name: str
    uscc: str
    address: str
    represented_by: str


def organisation(index: int, rng: random.Random) -> Organisation:
    word = ORG_WORDS[index % len(ORG_WORDS)] + ORG_WORDS[(index // len(ORG_WORDS)) % len(ORG_WORDS)]
    trade = ORG_TRADES[index % len(ORG_TRADES)]
    body = "913701" + "".join(rng.choice(USCC_ALPHABET[:10]) for _ in range(2)) + f"MA{index:07d}"[:9]
    return Organisation(
        name=f"济南{word}{trade}有限公司{index}",
        uscc=uscc_with_check_digit(body[:17]),
        address=f"山东省济南市历下区经十路{index % 9000 + 1}号{index % 17 + 1}号楼{index % 400 + 101}室",
        represented_by=f"{'王李张刘陈'[index % 5]}某",
    )


def generate_event_dicts(count: int, seed: int = 20240506) -> Iterator[dict[str, Any]]:
    """``count`` canonical case events (docs/DESIGN.md section 5), deterministic for a given seed."""
    rng = random.Random(seed)
    org_pool = max(10, count // 6)
    case_pool = max(10, count // 3)
    organisations: dict[int, Organisation] = {}
    anchor = datetime(2024, 1, 1, tzinfo=UTC)
    agencies = tuple(AGENCY_EVENTS)
    for _ in range(count):
        agency = agencies[rng.randrange(len(agencies))]
        case_index = rng.randrange(case_pool)
        org_index = rng.randrange(org_pool)
        if org_index not in organisations:
            organisations[org_index] = organisation(org_index, rng)
        org = organisations[org_index]
        occurred = anchor + timedelta(minutes=rng.randrange(60 * 24 * 700))
        event_type = rng.choice(AGENCY_EVENTS[agency])
        refs: list[dict[str, Any]] = []
        if event_type in {"REFERRAL_SENT", "REFERRAL_RECEIVED"}:
            target = "POLICE" if event_type == "REFERRAL_SENT" else "MARKET_REGULATION"
            refs.append(
                {
                    "agency": target,
                    "case_no": f"{CASE_NO_PREFIX[target]}〔{occurred.year}〕{case_index}号",
                    "relation": "REFERRED_TO" if event_type == "REFERRAL_SENT" else "REFERRED_FROM",
                }
            )
        accused_role = "RESPONDENT" if agency in {"MARKET_REGULATION", "CUSTOMS"} else "SUSPECT"
        parties: list[dict[str, Any]] = [
            {
                "role": accused_role,
                "kind": "ORG",
                "name": org.name,
                "uscc": org.uscc,
                "id_no": None,
                "address": org.address,
                "represented_by": org.represented_by,
            }
        ]
        if rng.random() < 0.5:
            # The legal representative as a second, masked person (how published decisions read).
            parties.append(
                {
                    "role": accused_role,
                    "kind": "PERSON",
                    "name": org.represented_by,
                    "uscc": None,
                    "id_no": f"3701**********{org_index % 10_000:04d}",
                    "address": None,
                    "represented_by": None,
                }
            )
        label = rng.choice(BRANDS)
        rights: list[dict[str, Any]] = [
            {
                "kind": "TRADEMARK",
                "reg_no": str(1_000_000 + case_index % 50_000),
                "holder": f"{label}品牌管理有限公司",
                "label": label,
            }
        ]
        if rng.random() < 0.5:
            rights.append(
                {
                    "kind": "TRADEMARK",
                    "reg_no": str(2_000_000 + org_index % 50_000),
                    "holder": None,
                    "label": None,
                }
            )
        gain = rng.randrange(1_000, 400_000)
        yield {
            "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "event_type": event_type,
            "agency": agency,
            "unit": AGENCY_UNITS[agency][case_index % 2],
            "region_code": "370102",
            "occurred_at": occurred.isoformat(),
            "case_no": f"{CASE_NO_PREFIX[agency]}〔{occurred.year}〕{case_index}号",
            "cause": rng.choice(CAUSES),
            "offense": rng.choice(OFFENSES),
            "refs": refs,
            "parties": parties,
            "rights": rights,
            "amounts": {
                "illegal_gain": f"{gain}.00",
                "illegal_turnover": f"{gain * 4}.00",
                "goods_value": None,
                "fine": f"{gain * 3}.00",
                "confiscated": None,
            },
            "facts": {"repeat_offender": False, "marks_count": 1, "copies": None, "persons": None},
            "text": f"经查，当事人销售侵犯{label}注册商标专用权的商品，违法经营额{gain * 4}元。"
            if rng.random() < 0.3
            else None,
        }


GIANT_CASE_NO = "济历市监处罚〔2024〕1号"


def giant_workload(count: int) -> list[dict[str, Any]]:
    """Every event reuses one case number of one agency: one matter growing to ``count`` events.

    A reused number is a data error real feeds carry (issue 16); the fold, routing and giant-matter
    benches all grow their giant matter this way (ADR 0017, ADR 0023).
    """
    events = []
    for event in generate_event_dicts(count, seed=7):
        event["agency"] = "MARKET_REGULATION"
        event["event_type"] = "CASE_OPENED"
        event["case_no"] = GIANT_CASE_NO
        event["refs"] = []
        for party in event["parties"]:
            party["role"] = "RESPONDENT"
        events.append(event)
    return events


def write_events_jsonl(path: Path, count: int, seed: int = 20240506) -> Path:
    """The input file of `hub batch`: one canonical event per line, UTF-8."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for event in generate_event_dicts(count, seed):
            handle.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")))
            handle.write("\n")
    return path


@dataclass(frozen=True)
class WireCodec:
    """How events become Kafka values, and the writer schema a plain fastavro reader needs."""

    source: str  # where the bytes come from, recorded in the results ("hub.codec.avro")
    encode: Callable[[dict[str, Any]], bytes]
    writer_schema: dict[str, Any]


def wire_codec() -> WireCodec:
    """The hub's codec, and the writer schema its single-object header names in the registry."""
    codec = default_codec()

    def encode(event: dict[str, Any]) -> bytes:
        return codec.encode_case_event(CaseEvent.model_validate(event))

    sample = encode(next(generate_event_dicts(1)))
    # The header's fingerprint comes from the registry the codec encodes with, so the lookup
    # cannot miss; writer_of raises CodecError if it ever did.
    writer = codec.writer_of(sample)
    return WireCodec("hub.codec.avro", encode, dict(writer.raw))


class Broker:
    """The hub's embedded Tansu broker, with the broker process's pid for RSS sampling."""

    def __init__(self) -> None:
        self._embedded: EmbeddedBroker | None = None
        self.bootstrap = ""
        self.pid = 0

    def start(self) -> str:
        self._embedded = EmbeddedBroker()
        self.bootstrap = self._embedded.start()
        # EmbeddedBroker keeps its process private; the benchmarks sample the broker's peak RSS.
        process = self._embedded._process
        self.pid = process.pid if process is not None else 0
        return self.bootstrap

    def stop(self) -> None:
        if self._embedded is not None:
            self._embedded.stop()
            self._embedded = None


async def create_topics(bootstrap: str, topics: dict[str, int]) -> None:
    """Create topics explicitly (auto-created ones get 4 partitions and can hang Faust: docs/BROKER.md)."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(name=name, num_partitions=partitions, replication_factor=1)
            for name, partitions in topics.items()
            if name not in existing
        ]
        if wanted:
            await admin.create_topics(wanted)
    finally:
        await admin.close()


async def produce(
    bootstrap: str,
    topic: str,
    values: Iterator[tuple[bytes, bytes]],
    headers: list[tuple[str, bytes]] | None = None,
) -> int:
    """Send (key, value) pairs as fast as the broker takes them; returns the count sent."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, max_batch_size=256 * 1024)
    await producer.start()
    sent = 0
    try:
        pending = []
        for key, value in values:
            pending.append(await producer.send(topic, value=value, key=key, headers=headers))
            sent += 1
            if len(pending) >= 5000:
                for future in pending:
                    await future
                pending.clear()
        for future in pending:
            await future
    finally:
        await producer.stop()
    return sent
