"""The one header search: which row of a sheet holds the contract's column titles.

Unit sheets and registers are matched alike: case, diacritics, spacing and the
punctuation `, . ; : /` do not count, and a column may be known by another title its
spec lists (e-office exports name their columns in several ways).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .. import contract
from ..vn import fold_header

P = TypeVar("P", bound=Hashable)  # where a cell is: a column index or a column letter
_PUNCT = re.compile(r"[,.;:/]")


def header_key(text: str) -> str:
    return _PUNCT.sub("", fold_header(text))


@functools.cache
def header_keys(spec: contract.SheetSpec) -> dict[str, str]:
    """Folded title (the label and its aliases) -> column key."""
    out: dict[str, str] = {}
    for c in spec.columns:
        for label in (c.label, *c.aliases):
            out.setdefault(header_key(label), c.key)
    return out


@dataclass
class Header(Generic[P]):
    row: int  # the header's row; with `complete` False, the row that came closest
    columns: dict[str, P]  # column key -> position
    extra: list[tuple[P, str]] = field(default_factory=list)  # titled cells the spec lacks
    complete: bool = False  # every required column was found


def match_row(cells: Iterable[tuple[P, Any]], spec: contract.SheetSpec) -> Header[P]:
    """The contract's columns found among one row's cells (the first of each wins)."""
    keys = header_keys(spec)
    found: dict[str, P] = {}
    extra: list[tuple[P, str]] = []
    for pos, v in cells:
        if not isinstance(v, str) or not v.strip():
            continue
        key = keys.get(header_key(v))
        if key and key not in found:
            found[key] = pos
        else:
            extra.append((pos, v.strip()))
    required = [c.key for c in spec.columns if c.required]
    return Header(0, found, extra, all(k in found for k in required))


def find_header(rows: Iterable[tuple[int, Iterable[tuple[P, Any]]]],
                spec: contract.SheetSpec) -> Header[P] | None:
    """The first row holding every required column; else the row with the most columns.

    Rows are consumed lazily, so a caller can stop reading a sheet at its header. None
    when no row was given.
    """
    best: Header[P] | None = None
    for r, cells in rows:
        match = match_row(cells, spec)
        match.row = r
        if match.complete:
            return match
        if best is None or len(match.columns) > len(best.columns):
            best = match
    return best
