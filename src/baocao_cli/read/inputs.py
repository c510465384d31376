"""Which workbooks a command was given: files as named, folders scanned for workbooks
(`*.xlsx`, `*.ods`, `*.xls`).

`validate` and `batch` find their inputs the same way, so a folder means the same units
to both.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..files import real_path

# What a folder's workbooks are named: Excel's, LibreOffice's (.ods) and Excel 97-2003's.
SUFFIXES = (".xlsx", ".ods", ".xls")


def _hidden(path: Path, root: Path) -> bool:
    """A hidden file or a file inside a hidden folder below `root`; Office lock files."""
    rel = path.relative_to(root).parts
    return any(part.startswith(".") for part in rel) or path.name.startswith("~$")


def collect(inputs: Iterable[Path], outdir: Path | None = None
            ) -> tuple[list[Path], list[Path]]:
    """The workbooks to process, in the order given and without repeats, and the folders
    without any (a folder's workbooks come in `sort_key` order).

    Folders are scanned recursively for SUFFIXES (any case), skipping Office
    lock files (`~$…`), hidden files and hidden folders, and anything inside `outdir` (so
    that a second run never takes last run's `tong-hop.xlsx` for a unit). Files named
    explicitly are taken as they are, whatever their suffix: a wrong one is reported as
    that unit's error.
    """
    folders: dict[str, str] = {}  # resolved once for all the files of a folder
    # inside `outdir`: below its resolved spelling (compared as text: a thousand paths)
    below = real_path(outdir).rstrip(os.sep) + os.sep if outdir is not None else None
    seen: set[str] = set()
    files: list[Path] = []
    empty: list[Path] = []

    def add(p: Path) -> None:
        key = real_path(p, folders)  # a symlink loop is a unit's error, not a crash
        if key not in seen:
            seen.add(key)
            files.append(p)

    for item in inputs:
        if item.is_dir():
            found = []
            for p in item.rglob("*"):
                # Not only regular files: a FIFO or a broken link named .xlsx is reported
                # as that unit's problem rather than silently left out.
                if p.suffix.lower() not in SUFFIXES or _hidden(p, item) or p.is_dir():
                    continue
                if below is not None and real_path(p, folders).startswith(below):
                    continue
                found.append(p)
            if not found:
                empty.append(item)
            for p in sorted(found, key=sort_key):
                add(p)
        else:
            add(item)
    return files, empty


def sort_key(p: Path) -> tuple[str, str, str]:
    """Folder, then name, ignoring case: the order `batch` names and ranks units in."""
    return (str(p.parent).casefold(), p.name.casefold(), str(p))
