"""The three files `hub batch` writes (docs/DESIGN.md section 6), byte for byte the same
whether the rows come from an in-process fold (hub.services.batch) or from the read model
(hub.store, for `hub batch --via-broker`): one writer serves both."""

from __future__ import annotations

import json
import json.encoder as json_encoder
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from hub.domain.snapshot import Alert

MATTERS_FILE = "matters.jsonl"
PARTIES_FILE = "parties.jsonl"
ALERTS_FILE = "alerts.jsonl"


def _dump(obj: dict[str, Any]) -> str:
    # json (not orjson) so spacing matches every other writer of these files byte for byte.
    return json.dumps(obj, ensure_ascii=False) + "\n"


# The string encoder json.dumps(ensure_ascii=False) itself uses: rows assembled around it are
# byte-identical to ``_dump`` of the same dict at a fraction of the cost (no dict, no encoder
# object per row), which matters at a million rows.
_json_str = json_encoder.encode_basestring


def alert_row(alert: Alert) -> dict[str, Any]:
    """An alert as one alerts.jsonl object, keys in the agreed order."""
    return {
        "alert_id": alert.alert_id,
        "alert_type": alert.alert_type.value,
        "trigger_event_id": alert.trigger_event_id,
        "matter_id": alert.matter_id,
        "due_at": None if alert.due_at is None else alert.due_at.isoformat(),
        "basis": alert.basis,
        "explanation": alert.explanation,
    }


def _matter_lines(rows: list[tuple[str, str]]) -> Iterator[str]:
    enc = _json_str
    for event_id, matter_id in rows:
        yield f'{{"event_id": {enc(event_id)}, "matter_id": {enc(matter_id)}}}\n'


def encode_risk(risk: Mapping[str, Any]) -> str:
    """A party's ``{"class", "score", "factors"}`` as the JSON text parties.jsonl rows end with."""
    return json.dumps(dict(risk), ensure_ascii=False)


def _party_lines(rows: list[tuple[str, int, str]], risks: Mapping[str, str] | None) -> Iterator[str]:
    enc = _json_str
    unscored = ", " + encode_risk(UNSCORED)[1:] + "\n"
    for event_id, idx, party_id in rows:
        head = f'{{"event_id": {enc(event_id)}, "party_index": {int(idx)}, "party_id": {enc(party_id)}'
        if risks is None:
            yield head + "}\n"
            continue
        risk = risks.get(party_id)
        # The party's class, score and factors (issue 19) continue the row's object.
        yield head + (unscored if risk is None else ", " + risk[1:] + "\n")


def _write_lines(path: Path, lines: Iterable[str]) -> None:
    # One buffered writer per file, flushed in large blocks.
    with path.open("w", encoding="utf-8", buffering=1 << 20) as fh:
        fh.writelines(lines)


# A party row with no risk entry: class A with nothing behind it (what the scorer says of a
# party with no factor, so writers may leave such parties out of ``risks``).
UNSCORED: Mapping[str, Any] = {"class": "A", "score": "0.0", "factors": []}


def write_batch_files(
    out_dir: Path,
    matters: Iterable[tuple[str, str]],
    parties: Iterable[tuple[str, int, str]],
    alerts: Iterable[Alert],
    risks: Mapping[str, str] | None = None,
) -> None:
    """Write the three batch files: (event_id, matter_id), (event_id, idx, party_id), open alerts.

    Rows are sorted here (code-point order), so callers may pass them in any order. ``risks``
    (party id -> ``encode_risk`` of its class, score and factors; a party left out is class A
    with no factor) extends each party row; without it the rows are as before issue 19.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    matter_rows = sorted(matters)
    _write_lines(out_dir / MATTERS_FILE, _matter_lines(matter_rows))
    del matter_rows
    party_rows = sorted(parties)
    _write_lines(out_dir / PARTIES_FILE, _party_lines(party_rows, risks))
    del party_rows
    _write_lines(
        out_dir / ALERTS_FILE, (_dump(alert_row(a)) for a in sorted(alerts, key=lambda a: a.alert_id))
    )
