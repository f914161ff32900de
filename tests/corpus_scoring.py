"""Score ``hub-connect parse`` on real published documents against hand-written labels.

A corpus is a folder of documents with one label file per document:

* agency-folder layout (``tests/golden/real``): ``<agency folder>/<stem>.<ext>`` with
  ``<agency folder>/expected/<stem>.json``; the folder names the agency (``market_regulation``,
  ``customs``, ``police``, ``procuratorate``, ``court``);
* flat layout (the shared development set): ``<stem>.<ext>`` with ``expected/<stem>.json`` or
  ``expected/<stem>.jsonl``; the agency comes from the stem's prefix (``admin_penalty``/
  ``shuang_gongshi`` -> MARKET_REGULATION, ``customs`` -> CUSTOMS, ``judgment`` -> COURT,
  ``procuratorate``/``npd``/``indictment`` -> PROCURATORATE, ``police`` -> POLICE).

A ``.json`` label holding one object labels a document with one event; a ``.json`` label holding
a list (or a ``.jsonl`` label, one object a line) labels a table (CSV/XLSX) with one event per
row, in row order.

Every document is copied alone into a fresh temporary folder and parsed as
``hub-connect parse --agency AGENCY FILE`` with the ``hub-connect`` next to ``sys.executable``
(so the virtual environment running the tests is the one scored). A document is **ok** when the
command exits 0 and prints at least one JSON object; otherwise every field of every record of
that document scores 0. For a single-event label the first printed event with the labelled
``event_type`` is compared (else the first event); table rows are paired with printed events by
``case_no``, then by position.

Nineteen fields are scored per record, each 0..1, or not scored (``None``):

* ``agency``, ``event_type``, ``offense``: equal strings (null equals null);
* ``case_no``: equal after removing all whitespace (brackets and the rest kept as printed);
* ``unit``: equal after NFKC, removing whitespace and dropping a leading ``中华人民共和国``;
* ``region_code``: equal after NFKC, removing whitespace, upper case;
* ``occurred_at``: the same calendar day in China time (+08:00);
* ``parties.name``: F1 of the multiset of names of the label's core parties against the printed
  parties, names compared after NFKC without whitespace, a label party matching its ``name`` or
  any ``_alt_names``. Core parties are those without ``_optional``; printed parties whose role is
  RIGHT_HOLDER, COMPLAINANT or OTHER, or whose name is an optional party's name, are left out.
  No core party and nothing printed scores 1;
* ``parties.role``, ``parties.kind``, ``parties.uscc``, ``parties.id_no``: the share of core
  parties that were matched by name and whose value is equal (codes after NFKC, no whitespace,
  upper case; masks are kept, so ``92350427********7A`` must be printed as such); not scored when
  the label has no core party;
* ``rights.kind``: the set of kinds is equal; ``rights.reg_no``: the set of registration numbers
  is equal after NFKC, upper case, dropping a leading ``第`` and a trailing ``号``;
* ``amounts.fine``, ``amounts.illegal_gain``, ``amounts.illegal_turnover``,
  ``amounts.goods_value``, ``amounts.confiscated``: equal decimals (``"8700"`` = ``"8700.00"``),
  null equals null.

A label may accept other values: ``_alternatives`` maps a field to a list of accepted values
(for ``rights.kind`` / ``rights.reg_no`` a list of accepted sets; ``null`` in the list accepts
null); a party's ``_alt`` does the same for its sub-fields; ``_unscored`` lists fields not scored
for that record. Keys starting with ``_`` are never expected from the parser.

Accuracy is the mean of all scored field values (a record's unscored fields count for nothing):
per field, per agency, and over the whole corpus (``overall``). ``docs_ok`` counts the ok
documents. ``python -m tests.corpus_scoring --corpus tests/golden/real`` prints the table.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any

AGENCIES = ("MARKET_REGULATION", "CUSTOMS", "POLICE", "PROCURATORATE", "COURT")
FOLDER_AGENCY = {
    "market_regulation": "MARKET_REGULATION",
    "customs": "CUSTOMS",
    "police": "POLICE",
    "procuratorate": "PROCURATORATE",
    "court": "COURT",
}
PREFIX_AGENCY = (
    ("admin_penalty", "MARKET_REGULATION"),
    ("shuang_gongshi", "MARKET_REGULATION"),
    ("customs", "CUSTOMS"),
    ("judgment", "COURT"),
    ("procuratorate", "PROCURATORATE"),
    ("npd", "PROCURATORATE"),
    ("indictment", "PROCURATORATE"),
    ("police", "POLICE"),
)
DOCUMENT_SUFFIXES = (".txt", ".csv", ".xlsx", ".docx", ".json", ".html", ".htm")

SIMPLE_FIELDS = ("agency", "event_type", "case_no", "unit", "region_code", "occurred_at", "offense")
PARTY_SUBFIELDS = ("role", "kind", "uscc", "id_no")
PARTY_FIELDS = ("parties.name", *(f"parties.{name}" for name in PARTY_SUBFIELDS))
RIGHT_FIELDS = ("rights.kind", "rights.reg_no")
AMOUNT_KEYS = ("fine", "illegal_gain", "illegal_turnover", "goods_value", "confiscated")
AMOUNT_FIELDS = tuple(f"amounts.{key}" for key in AMOUNT_KEYS)
FIELDS = SIMPLE_FIELDS + PARTY_FIELDS + RIGHT_FIELDS + AMOUNT_FIELDS

# Context parties (right holders, complainants, witnesses) are neither required nor penalised.
CONTEXT_ROLES = frozenset({"RIGHT_HOLDER", "COMPLAINANT", "OTHER"})
CHINA = timezone(timedelta(hours=8))

Scores = dict[str, float | None]


# ----------------------------------------------------------------------------- normalising
def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _squash(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())


def norm_plain(value: object) -> str | None:
    return None if _blank(value) else str(value).strip()


def norm_case_no(value: object) -> str | None:
    # Brackets differ between offices (〔〕 ﹝﹞ [] ()) and are part of the number: only
    # whitespace, which scraping adds and removes at random, is ignored.
    return None if _blank(value) else "".join(ch for ch in str(value) if not ch.isspace())


def norm_text(value: object) -> str | None:
    return None if _blank(value) else _squash(str(value))


def norm_unit(value: object) -> str | None:
    text = norm_text(value)
    prefix = "中华人民共和国"
    if text is not None and text.startswith(prefix) and len(text) > len(prefix):
        return text[len(prefix) :]
    return text


def norm_code(value: object) -> str | None:
    text = norm_text(value)
    return None if text is None else text.upper()


def norm_date(value: object) -> str | None:
    if _blank(value):
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return "unreadable:" + text
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA)
    return moment.date().isoformat()


def norm_amount(value: object) -> Decimal | str | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        return f"invalid:{value}"
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return f"invalid:{value}"
    # Compare as numbers: "8700" and "8700.00" are the same amount.
    return amount.normalize() if amount.is_finite() else f"invalid:{value}"


def norm_reg_no(value: object) -> str | None:
    text = norm_code(value)
    if text is None:
        return None
    text = text.removeprefix("第").removesuffix("号")
    return text or None


SIMPLE_NORMALISERS: dict[str, Callable[[object], object]] = {
    "agency": norm_plain,
    "event_type": norm_plain,
    "offense": norm_plain,
    "case_no": norm_case_no,
    "unit": norm_unit,
    "region_code": norm_code,
    "occurred_at": norm_date,
}
PARTY_NORMALISERS: dict[str, Callable[[object], object]] = {
    "role": norm_plain,
    "kind": norm_plain,
    "uscc": norm_code,
    "id_no": norm_code,
}


def _as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _accepts(
    expected: object, alternatives: Iterable[object], actual: object, norm: Callable[[object], object]
) -> bool:
    got = norm(actual)
    return any(norm(candidate) == got for candidate in [expected, *alternatives])


# ----------------------------------------------------------------------------- scoring
def _party_names(party: Mapping[str, Any]) -> set[str]:
    names = [party.get("name"), *_as_list(party.get("_alt_names"))]
    return {name for name in (norm_text(item) for item in names) if name}


def score_parties(label: Mapping[str, Any], event: Mapping[str, Any]) -> Scores:
    labelled = [p for p in _as_list(label.get("parties")) if isinstance(p, dict)]
    core = [p for p in labelled if not p.get("_optional")]
    optional: set[str] = set()
    for party in labelled:
        if party.get("_optional"):
            optional |= _party_names(party)
    printed = []
    for party in _as_list(event.get("parties")):
        if not isinstance(party, dict):
            continue
        name = norm_text(party.get("name"))
        if name and norm_plain(party.get("role")) not in CONTEXT_ROLES and name not in optional:
            printed.append(party)

    used = [False] * len(printed)
    pairs: list[tuple[Mapping[str, Any], Mapping[str, Any] | None]] = []
    for party in core:
        names = _party_names(party)
        match = next(
            (i for i, cand in enumerate(printed) if not used[i] and norm_text(cand.get("name")) in names),
            None,
        )
        if match is not None:
            used[match] = True
        pairs.append((party, None if match is None else printed[match]))

    matched = sum(1 for _, cand in pairs if cand is not None)
    if not core and not printed:
        name_score = 1.0
    elif matched == 0:
        name_score = 0.0
    else:
        precision, recall = matched / len(printed), matched / len(core)
        name_score = 2 * precision * recall / (precision + recall)
    scores: Scores = {"parties.name": name_score}
    for sub in PARTY_SUBFIELDS:
        if not core:
            scores[f"parties.{sub}"] = None
            continue
        hits = 0
        for wanted, cand in pairs:
            alternatives = _as_list(_as_dict(wanted.get("_alt")).get(sub))
            if cand is not None and _accepts(
                wanted.get(sub), alternatives, cand.get(sub), PARTY_NORMALISERS[sub]
            ):
                hits += 1
        scores[f"parties.{sub}"] = hits / len(core)
    return scores


def _right_sets(rights: object) -> tuple[frozenset[str], frozenset[str]]:
    kinds: set[str] = set()
    numbers: set[str] = set()
    for right in _as_list(rights):
        if not isinstance(right, dict):
            continue
        kind = norm_plain(right.get("kind"))
        number = norm_reg_no(right.get("reg_no"))
        if kind:
            kinds.add(kind)
        if number:
            numbers.add(number)
    return frozenset(kinds), frozenset(numbers)


def score_record(label: Mapping[str, Any], event: Mapping[str, Any] | None) -> Scores:
    """Field -> score for one labelled record against one printed event (None: parse failed)."""
    alternatives = _as_dict(label.get("_alternatives"))
    actual: Mapping[str, Any] = event or {}
    scores: Scores = {}
    for name in SIMPLE_FIELDS:
        ok = _accepts(
            label.get(name), _as_list(alternatives.get(name)), actual.get(name), SIMPLE_NORMALISERS[name]
        )
        scores[name] = 1.0 if ok else 0.0
    scores.update(score_parties(label, actual))

    want_kinds, want_numbers = _right_sets(label.get("rights"))
    got_kinds, got_numbers = _right_sets(actual.get("rights"))
    kind_sets = [want_kinds] + [
        frozenset(map(str, _as_list(s))) for s in _as_list(alternatives.get("rights.kind"))
    ]
    number_sets = [want_numbers] + [
        frozenset(n for n in map(norm_reg_no, _as_list(s)) if n)
        for s in _as_list(alternatives.get("rights.reg_no"))
    ]
    scores["rights.kind"] = 1.0 if got_kinds in kind_sets else 0.0
    scores["rights.reg_no"] = 1.0 if got_numbers in number_sets else 0.0

    want_amounts, got_amounts = _as_dict(label.get("amounts")), _as_dict(actual.get("amounts"))
    for key in AMOUNT_KEYS:
        name = f"amounts.{key}"
        ok = _accepts(
            want_amounts.get(key), _as_list(alternatives.get(name)), got_amounts.get(key), norm_amount
        )
        scores[name] = 1.0 if ok else 0.0

    for name in _as_list(label.get("_unscored")):
        scores[str(name)] = None
    if event is None:
        scores = {name: (None if value is None else 0.0) for name, value in scores.items()}
    return scores


def pick_event(label: Mapping[str, Any], events: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    if not events:
        return None
    wanted = label.get("event_type")
    return next((e for e in events if e.get("event_type") == wanted), events[0])


def pair_rows(
    labels: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any] | None]:
    """Table rows: pair each labelled row with a printed event by case number, then by position."""
    used = [False] * len(events)
    paired: list[Mapping[str, Any] | None] = [None] * len(labels)
    for i, label in enumerate(labels):
        key = norm_case_no(label.get("case_no"))
        if key is None:
            continue
        for j, event in enumerate(events):
            if not used[j] and norm_case_no(event.get("case_no")) == key:
                used[j], paired[i] = True, event
                break
    for i in range(len(labels)):
        if paired[i] is None and i < len(events) and not used[i]:
            used[i], paired[i] = True, events[i]
    return paired


# ----------------------------------------------------------------------------- corpus
@dataclass(frozen=True)
class Document:
    stem: str
    agency: str
    path: Path | None
    labels: tuple[Mapping[str, Any], ...]
    table: bool


@dataclass
class DocumentResult:
    document: Document
    ok: bool
    error: str | None
    records: list[Scores]


@dataclass
class CorpusScore:
    name: str
    results: list[DocumentResult] = field(default_factory=list)

    def _values(self, agency: str | None = None) -> dict[str, list[float]]:
        values: dict[str, list[float]] = {name: [] for name in FIELDS}
        for result in self.results:
            if agency is not None and result.document.agency != agency:
                continue
            for record in result.records:
                for name, value in record.items():
                    if value is not None:
                        values.setdefault(name, []).append(value)
        return values

    def field_accuracy(self, agency: str | None = None) -> dict[str, float | None]:
        return {name: (sum(v) / len(v) if v else None) for name, v in self._values(agency).items()}

    def accuracy(self, agency: str | None = None) -> float | None:
        flat = [value for values in self._values(agency).values() for value in values]
        return sum(flat) / len(flat) if flat else None

    def agencies(self) -> list[str]:
        present = {result.document.agency for result in self.results}
        return [agency for agency in AGENCIES if agency in present]

    def docs_ok(self, agency: str | None = None) -> tuple[int, int]:
        chosen = [r for r in self.results if agency is None or r.document.agency == agency]
        return sum(1 for r in chosen if r.ok), len(chosen)

    def as_dict(self) -> dict[str, Any]:
        return {
            "corpus": self.name,
            "overall": self.accuracy(),
            "docs_ok": list(self.docs_ok()),
            "fields": self.field_accuracy(),
            "agencies": {
                agency: {
                    "overall": self.accuracy(agency),
                    "docs_ok": list(self.docs_ok(agency)),
                    "fields": self.field_accuracy(agency),
                }
                for agency in self.agencies()
            },
            "documents": [
                {
                    "document": r.document.stem,
                    "agency": r.document.agency,
                    "ok": r.ok,
                    "error": r.error,
                    "accuracy": _mean(v for record in r.records for v in record.values() if v is not None),
                }
                for r in self.results
            ],
        }


def _mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def agency_for_stem(stem: str) -> str | None:
    lowered = stem.lower()
    return next((agency for prefix, agency in PREFIX_AGENCY if lowered.startswith(prefix)), None)


def _read_labels(path: Path) -> tuple[tuple[Mapping[str, Any], ...], bool]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return tuple(json.loads(line) for line in text.splitlines() if line.strip()), True
    data = json.loads(text)
    if isinstance(data, list):
        return tuple(data), True
    return (data,), False


def _documents_in(folder: Path, agency_of: Callable[[str], str | None]) -> list[Document]:
    expected = folder / "expected"
    if not expected.is_dir():
        return []
    documents = []
    for label_path in sorted(expected.iterdir()):
        if label_path.suffix not in (".json", ".jsonl") or label_path.name.startswith("."):
            continue
        stem = label_path.stem
        agency = agency_of(stem)
        if agency is None:
            raise ValueError(f"{label_path}: no agency for document {stem!r}")
        candidates = [folder / f"{stem}{suffix}" for suffix in DOCUMENT_SUFFIXES]
        path = next((c for c in candidates if c.is_file()), None)
        labels, table = _read_labels(label_path)
        documents.append(Document(stem, agency, path, labels, table))
    return documents


def _fixed_agency(agency: str, _stem: str) -> str:
    return agency


def discover(corpus: Path) -> list[Document]:
    """The labelled documents of a corpus, in either layout (see the module docstring)."""
    folders = [corpus / name for name in FOLDER_AGENCY if (corpus / name).is_dir()]
    if folders:
        documents = []
        for folder in folders:
            # The folder names the agency of every document in it.
            documents += _documents_in(folder, partial(_fixed_agency, FOLDER_AGENCY[folder.name]))
        return documents
    return _documents_in(corpus, agency_for_stem)


def hub_connect_command() -> list[str]:
    """``hub-connect parse`` of the running interpreter's environment."""
    script = Path(sys.executable).parent / "hub-connect"
    if script.is_file():
        return [str(script), "parse"]
    # An environment without the console script (e.g. a source checkout) still has the module.
    return [sys.executable, "-m", "connectors.cli", "parse"]


def run_parser(
    command: Sequence[str], agency: str, document: Path, timeout: float
) -> tuple[list[dict[str, Any]], str | None]:
    """Printed events of one document, parsed alone in a private folder; (events, error)."""
    workdir = Path(tempfile.mkdtemp(prefix="corpus-"))
    try:
        copy = workdir / document.name
        shutil.copyfile(document, copy)
        try:
            proc = subprocess.Popen(
                [*command, "--agency", agency, str(copy)],
                cwd=workdir,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            return [], f"command not runnable: {exc.__class__.__name__}"
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            # The parser may have started children of its own: end the whole session.
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return [], f"timeout after {timeout:.0f}s"
        events = []
        for line in out.decode("utf-8", errors="replace").splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict):
                events.append(item)
        if proc.returncode != 0:
            tail = err.decode("utf-8", errors="replace").strip().splitlines()
            # The temporary path means nothing to a reader: name the document instead.
            reason = tail[0].replace(str(copy), document.name)[:200] if tail else ""
            return [], f"exit status {proc.returncode}: {reason}"
        if not events:
            return [], "no JSON event on stdout"
        return events, None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def score_document(document: Document, command: Sequence[str], timeout: float) -> DocumentResult:
    if document.path is None:
        events: list[dict[str, Any]] = []
        error: str | None = "document file missing"
    else:
        events, error = run_parser(command, document.agency, document.path, timeout)
    ok = error is None
    if document.table:
        paired = pair_rows(document.labels, events) if ok else [None] * len(document.labels)
    else:
        paired = [pick_event(document.labels[0], events) if ok else None]
    records = [
        score_record(label, event if ok else None)
        for label, event in zip(document.labels, paired, strict=True)
    ]
    return DocumentResult(document, ok, error, records)


def score_corpus(
    corpus: Path,
    command: Sequence[str] | None = None,
    *,
    name: str | None = None,
    timeout: float = 60.0,
    workers: int = 2,
) -> CorpusScore:
    command = list(command) if command else hub_connect_command()
    documents = discover(corpus)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(lambda doc: score_document(doc, command, timeout), documents))
    return CorpusScore(name or corpus.name, results)


# ----------------------------------------------------------------------------- reporting
def _cell(value: float | None) -> str:
    return "   -  " if value is None else f"{value:6.3f}"


def format_table(score: CorpusScore) -> str:
    """Per-field accuracy, overall and per agency, then docs ok and the summary line."""
    agencies = score.agencies()
    short = {"MARKET_REGULATION": "MARKET", "PROCURATORATE": "PROCUR"}
    header = f"{'field':<24}{'all':>8}" + "".join(f"{short.get(a, a):>10}" for a in agencies)
    lines = [f"corpus {score.name}", header, "-" * len(header)]
    overall = score.field_accuracy()
    per_agency = {agency: score.field_accuracy(agency) for agency in agencies}
    for name in FIELDS:
        row = f"{name:<24}  {_cell(overall.get(name))}"
        row += "".join(f"    {_cell(per_agency[a].get(name))}" for a in agencies)
        lines.append(row)
    lines.append("-" * len(header))
    row = f"{'accuracy':<24}  {_cell(score.accuracy())}"
    row += "".join(f"    {_cell(score.accuracy(a))}" for a in agencies)
    lines.append(row)
    ok_all = "{}/{}".format(*score.docs_ok())
    row = f"{'docs_ok':<24}{ok_all:>8}" + "".join(
        f"{'{}/{}'.format(*score.docs_ok(a)):>10}" for a in agencies
    )
    lines.append(row)
    failed = [r for r in score.results if not r.ok]
    for result in failed:
        lines.append(f"  not ok: {result.document.stem}: {result.error}")
    accuracy = 0.0 if score.accuracy() is None else score.accuracy()
    lines.append(f"extract_field_accuracy={accuracy:.4f} docs_ok={ok_all} corpus={score.name}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score hub-connect parse on labelled real documents.")
    parser.add_argument(
        "--corpus", action="append", type=Path, required=True, help="corpus folder (repeatable)"
    )
    parser.add_argument("--cmd", help='parser command (default: the venv\'s "hub-connect parse")')
    parser.add_argument("--json", type=Path, help="also write the scores as JSON to this file")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per document")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    command = args.cmd.split() if args.cmd else None
    scores = []
    for corpus in args.corpus:
        if not corpus.is_dir():
            parser.error(f"not a folder: {corpus}")
        score = score_corpus(corpus, command, timeout=args.timeout, workers=args.workers)
        scores.append(score)
        print(format_table(score))
        print()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {s.name: s.as_dict() for s in scores}
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
