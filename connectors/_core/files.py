"""Reading agency files into ``SourceRecord``s (I/O): .txt, .docx, .csv, .xlsx and JSON exports.

Every failure becomes a ``SourceFailure`` naming the file and the reason, so one bad file never
stops the others. Tables may carry a title line above the header (双公示 exports often do): the
header is the first row with at least three filled cells.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from connectors._core.records import SourceFailure, SourceRecord

TEXT_SUFFIXES = frozenset({".txt", ".docx"})
TABLE_SUFFIXES = frozenset({".csv", ".xlsx", ".json"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | TABLE_SUFFIXES
# Published Chinese files come as UTF-8 (with or without BOM) or GB18030 (a superset of GBK).
_ENCODINGS = ("utf-8-sig", "gb18030")
MAX_FILE_BYTES = 50 * 1024 * 1024  # a decision or a register export is far smaller; refuse junk

Item = SourceRecord | SourceFailure


def list_source_files(directory: Path) -> list[Path]:
    """Supported files under ``directory`` (recursive), hidden ones skipped, in name order."""
    files = [
        p
        for p in directory.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    ]
    return sorted((p for p in files if p.suffix.lower() in SUPPORTED_SUFFIXES), key=lambda p: p.as_posix())


def read_path(path: Path) -> Iterator[Item]:
    """The records in one file, or one failure saying why the file cannot be read."""
    name = str(path)  # as the user gave it: the error must say which file
    suffix = path.suffix.lower()
    try:
        if not path.is_file():
            yield SourceFailure(name, "not a readable file")
            return
        if path.stat().st_size > MAX_FILE_BYTES:
            yield SourceFailure(name, f"file larger than {MAX_FILE_BYTES} bytes")
            return
        if suffix == ".txt":
            yield SourceRecord(name, text=_decode(path.read_bytes()))
        elif suffix == ".docx":
            yield SourceRecord(name, text=_docx_text(path))
        elif suffix == ".csv":
            yield from _table_records(name, csv.reader(io.StringIO(_decode(path.read_bytes()))), "row")
        elif suffix == ".xlsx":
            yield from _xlsx_records(path, name)
        elif suffix == ".json":
            yield from _json_records(name, path.read_bytes())
        else:
            yield SourceFailure(name, f"unsupported file type {suffix or '(none)'}")
    except _Unreadable as exc:
        yield SourceFailure(name, str(exc))
    except OSError as exc:
        yield SourceFailure(name, f"cannot read: {exc.strerror or exc}")
    except Exception as exc:  # a corrupt .docx/.xlsx raises library-specific errors
        yield SourceFailure(name, f"cannot read {suffix or 'file'}: {type(exc).__name__}: {exc}")


class _Unreadable(Exception):
    pass


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise _Unreadable("binary content, not text")
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _Unreadable("not UTF-8 or GB18030 text")


def _docx_text(path: Path) -> str:
    import docx  # imported here: python-docx is only needed for .docx sources

    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _xlsx_records(path: Path, name: str) -> Iterator[Item]:
    import openpyxl  # imported here: only needed for .xlsx sources

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            rows = ([cell for cell in row] for row in sheet.iter_rows(values_only=True))
            prefix = f"sheet {sheet.title} row" if len(workbook.worksheets) > 1 else "row"
            yield from _table_records(name, rows, prefix)
    finally:
        workbook.close()


def _table_records(name: str, rows: Iterable[Sequence[Any]], prefix: str) -> Iterator[Item]:
    header: list[str] | None = None
    header_row = 0
    found_any = False
    for number, row in enumerate(rows, start=1):
        cells = list(row)
        if header is None:
            if sum(1 for c in cells if c not in (None, "")) >= 3:
                header = [_header_text(c) for c in cells]
                header_row = number
            continue
        if number == header_row + 1 and _continues_header(header, cells):
            # A two-level header (当事人基本情况 over 单位/名称...): join parent and child.
            header = _nested_header(header, cells)
            continue
        if all(c in (None, "") or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        found_any = True
        values = {
            h: (c.strip() if isinstance(c, str) else c) for h, c in zip(header, cells, strict=False) if h
        }
        yield SourceRecord(name, locator=f"{prefix} {number}", row=values)
    if header is None:
        yield SourceFailure(name, "no header row found (need at least three column names)")
    elif not found_any:
        yield SourceFailure(name, "table has a header but no data rows")


def _continues_header(header: Sequence[str], cells: Sequence[Any]) -> bool:
    """Whether the row under a header is a second header row rather than data.

    Merged parent cells leave gaps in the first row; the second names the columns under them.
    A data row has numbers or dates somewhere; a header row is short labels only.
    """
    filled = [c for c in cells if c not in (None, "") and str(c).strip()]
    if len(filled) < 2 or "" not in header:
        return False
    return all(
        isinstance(c, str) and len(c.strip()) <= 30 and not any(ch.isdigit() for ch in c) for c in filled
    )


def _nested_header(parent: Sequence[str], cells: Sequence[Any]) -> list[str]:
    joined: list[str] = []
    current = ""
    for index, top in enumerate(parent):
        current = top or current  # a merged cell spans the empty ones after it
        child = _header_text(cells[index]) if index < len(cells) else ""
        if child and current and child != current:
            joined.append(f"{current}/{child}")
        else:
            joined.append(child or top)
    return joined


def _header_text(cell: Any) -> str:
    # Headers are matched by name; full-width brackets and stray spaces vary between exports.
    text = "" if cell is None else str(cell)
    return "".join(text.split()).replace("（", "(").replace("）", ")")


def _json_records(name: str, data: bytes) -> Iterator[Item]:
    try:
        payload = json.loads(_decode(data))
    except json.JSONDecodeError as exc:
        raise _Unreadable(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    if isinstance(payload, dict):
        for key in ("records", "data", "rows", "items"):
            if isinstance(payload.get(key), list):
                payload = payload[key]
                break
        else:
            payload = [payload]
    if not isinstance(payload, list):
        raise _Unreadable("JSON export must be an object or a list of objects")
    for number, item in enumerate(payload, start=1):
        if not isinstance(item, dict):
            yield SourceFailure(name, "record is not a JSON object", locator=f"record {number}")
            continue
        if isinstance(item.get("text"), str) and len(item) <= 2:
            # {"text": "..."} wraps a whole document (some systems export decisions this way).
            yield SourceRecord(name, locator=f"record {number}", text=item["text"])
            continue
        row = {_header_text(k): v for k, v in item.items()}
        yield SourceRecord(name, locator=f"record {number}", row=row)
