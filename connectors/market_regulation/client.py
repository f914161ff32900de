"""Reads this agency's files (I/O): a file or a folder of .txt/.docx decisions and .csv/.xlsx/.json tables."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from connectors._core.files import Item, list_source_files, read_path


def read(path: Path) -> Iterator[Item]:
    """Every record in ``path`` (a file, or every supported file under a folder, in name order)."""
    if path.is_dir():
        for file in list_source_files(path):
            yield from read_path(file)
    else:
        yield from read_path(path)
