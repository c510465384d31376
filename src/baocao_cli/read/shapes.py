"""What a sheet of an .ods or .xls holds besides its values, read before calamine opens it.

python-calamine gives values only: no hidden rows, no error cells (an `#REF!` reads as
`''`), no merged ranges for .ods, and it allocates a sheet's whole rectangle (and, for an
.xls, whatever its DIMENSIONS record declares) before a value is read: a 13 KB .xls that
declares four billion rows aborts the process. `ods.py` and `xls.py` read each sheet's
shape themselves, cheaply, so the rectangle is known (and refused when too large) before
calamine runs, and the report's checks get what calamine does not give.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Cells of all sheets together, counted as calamine lays each sheet out (from A1 to its
# last filled row and column). A year's register of 50,000 documents in 15 columns is
# 750,000. Measured: 4.5 million cells took 0.95 GB in calamine's process and as much
# again in this one (a dict and a tuple per cell), 10 s; two million stay near 400 MB.
MAX_CELLS = 2_000_000
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384  # Excel's sheet: nothing beyond XFD1048576


@dataclass
class Shape:
    """One sheet: its extent from A1 (1-based last row and column holding anything),
    merged ranges (r1, c1, r2, c2), hidden rows, error cells and formulas with no value."""

    name: str
    state: str = "visible"  # visible, hidden or veryHidden
    max_row: int = 0
    max_column: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden: set[int] = field(default_factory=set)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> #REF!…
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # never calculated

    @property
    def cells(self) -> int:
        return self.max_row * self.max_column


class TooLarge(Exception):
    """A sheet's extent (or what the file declares) is beyond MAX_CELLS."""

    def __init__(self, cells: int) -> None:
        super().__init__(f"{cells} cells")
        self.cells = cells


def check_extent(shapes: list[Shape]) -> None:
    """Refuse a workbook whose sheets would make calamine lay out too many cells."""
    total = sum(s.cells for s in shapes)
    if total > MAX_CELLS:
        raise TooLarge(total)


def merged_range(r1: int, c1: int, r2: int, c2: int) -> tuple[int, int, int, int] | None:
    """A merged range kept within the sheet (a forged span of a billion columns would make
    every reader of merges loop a billion times); None when it starts outside."""
    if not (1 <= r1 <= MAX_ROWS and 1 <= c1 <= MAX_COLUMNS):
        return None
    return r1, c1, min(max(r2, r1), MAX_ROWS), min(max(c2, c1), MAX_COLUMNS)
