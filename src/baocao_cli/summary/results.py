"""One unit's outcome as the summary sees it: what a batch worker sends back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class UnitResult:
    """What the summary needs of one unit; small and picklable."""

    index: int  # position in the sorted list of inputs
    source: str  # the workbook as given / found
    output: str | None  # the report's file name inside OUTDIR, None when not written
    co_quan: str = ""
    ten_co_quan: str = ""
    ky_hieu: str = ""
    nam: int = 0
    parts: tuple[tuple[str, Decimal], ...] = ()  # (part code, score) in the rules' order
    total: Decimal | None = None
    rating: str | None = None
    n_errors: int = 0
    n_warnings: int = 0
    errors: tuple[str, ...] = ()  # the first MAX_ERRORS_KEPT error messages
    error_codes: tuple[str, ...] = ()  # their codes, in the same order
    documents: tuple[tuple[str, int], ...] = ()  # (group key, total count)
    metres_planned: Decimal = Decimal(0)
    metres_done: Decimal = Decimal(0)
    pdf_error: str = ""  # set when --pdf was asked for and this unit's PDF failed

    @property
    def ok(self) -> bool:
        return self.output is not None


def shown_sources(sources: Sequence[str]) -> dict[str, str]:
    """Each unit's workbook as the summary names it: its path below the folder that holds
    them all, so `huyen-a/Sở Nội vụ.xlsx` and `huyen-b/Sở Nội vụ.xlsx` stay apart."""
    import os

    if not sources:
        return {}
    absolute = [os.path.abspath(s) for s in sources]
    try:
        root = os.path.commonpath([os.path.dirname(a) for a in absolute])
    except ValueError:  # different drives (Windows): the full paths, as given
        return {s: s for s in sources}
    # Each path below the common folder by cutting it off: os.path.relpath per unit
    # (two abspath calls and a split each) cost half of the joins for 5,000 units.
    cut = len(root)
    seps = os.sep + (os.altsep or "")
    return {s: a[cut:].lstrip(seps).replace(os.sep, "/")
            for s, a in zip(sources, absolute, strict=True)}
