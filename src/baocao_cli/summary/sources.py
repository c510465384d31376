"""The Sở Nội vụ's own inputs to `baocao batch`: the roster of units (`--don-vi`), last
year's `tong-hop.xlsx` (`--nam-truoc`) and a reviewed copy of this year's (`--tham-dinh`).

They are read by the workbook reader (read/book.py) with their own sheet specs, so every
format and guard of a unit's workbook applies to them too, and their values are typed by
the parser's `Reader` (the same messages for the same mistakes). A file that cannot be
used raises `SourceError` with every located problem; nothing here knows pandas: the
joins are in tables.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .. import contract
from ..issues import Issue, make
from ..read.book import Row, Table, read_book
from ..score.rules import Rules
from ..vn import fold, format_number

MAX_PROBLEMS_SHOWN = 20


class SourceError(Exception):
    """An input of the summary that cannot be used; the message is for the user."""


@dataclass(frozen=True)
class Entry:
    """One row of a roster, of last year's summary or of a review."""

    ref: str  # sheet!cell of its `Cơ quan`
    co_quan: str
    ky_hieu: str = ""
    cap: str = ""
    ghi_chu: str = ""
    total: Decimal | None = None  # last year's final score, or the reviewed score
    rating: str = ""  # last year's final rating
    bao_cao: str = ""  # the review row's report name (`Báo cáo`), to tell units apart


@dataclass
class Sources:
    """What `batch` was given besides the units; None where an option was not used."""

    roster: list[Entry] | None = None
    roster_path: Path | None = None
    last_year: list[Entry] | None = None
    review: list[Entry] | None = None
    paths: list[Path] = field(default_factory=list)  # every file read, kept out of the units


def _table(path: Path, spec: contract.SheetSpec, what: str) -> Table:
    """The sheet `spec` of `path`, or SourceError naming what was wrong and where."""
    book, issues = read_book(path, (spec,))
    table = book.tables.get(spec.key) if book is not None else None
    _raise_errors(path, what, issues, always=table is None)
    assert table is not None
    return table


def _raise_errors(path: Path, what: str, issues: list[Issue], always: bool = False) -> None:
    errors = [i for i in issues if i.is_error]
    if not errors and not always:
        return
    shown = errors or issues
    lines = [f"  {i.message}" for i in shown[:MAX_PROBLEMS_SHOWN]]
    if len(shown) > MAX_PROBLEMS_SHOWN:
        lines.append(f"  … và {len(shown) - MAX_PROBLEMS_SHOWN} lỗi khác.")
    raise SourceError(f"{what} {path} không dùng được:\n" + "\n".join(lines))


def _rows(table: Table, issues: list[Issue],
          build: Callable[[Row, str, str], Entry | None]) -> list[Entry]:
    """Each data row with a `Cơ quan` as an Entry; rows without one are skipped (a total
    line, a note), a sheet with none at all is E107."""
    from ..validate.parse import Reader

    reader = Reader(issues)
    out: list[Entry] = []
    for row in table.rows:
        name = reader.text(table.sheet, row.get("co_quan")).strip()
        if not name:
            continue
        cell = row.get("co_quan")
        assert cell is not None
        entry = build(row, f"{table.sheet}!{cell.ref}", name)
        if entry is not None:
            out.append(entry)
    if not out and not any(i.is_error for i in issues):
        issues.append(make("E107", sheet=table.sheet))
    return out


def _texts(table: Table, issues: list[Issue]) -> Callable[[Row, str], str]:
    """A row's text in a column, trimmed; its problems (formula, error, control
    characters, an old Vietnamese font) added to `issues`."""
    from ..validate.parse import Reader

    text, sheet = Reader(issues).text, table.sheet
    return lambda row, key: text(sheet, row.get(key)).strip()


# Long forms that units and rosters write either way, folded: `UBND xã Kỳ Tân` is
# `Ủy ban nhân dân xã Kỳ Tân`.
_SHORT_FORMS = (("uybannhandan", "ubnd"), ("hoidongnhandan", "hdnd"))


def name_key(name: str) -> str:
    """A unit's name for matching: folded (case, marks, spacing), long forms shortened."""
    key = fold(name)
    for long, short in _SHORT_FORMS:
        key = key.replace(long, short)
    return key


# Ký hiệu that every commune's People's Committee (and Council) writes: never one unit's.
GENERIC_KY_HIEU = frozenset({"ubnd", "hdnd"})


def _no_duplicates(entries: list[Entry], issues: list[Issue]) -> None:
    """Two rows with one name (E701): a join would pick one of them silently."""
    first: dict[str, Entry] = {}
    for e in entries:
        key = name_key(e.co_quan)
        if key in first:
            sheet, cell = e.ref.split("!", 1)
            issues.append(make("E701", sheet=sheet, cell=cell, value=e.co_quan,
                               first=first[key].ref))
        else:
            first[key] = e


def read_roster(path: Path) -> list[Entry]:
    """The province's units (sheet `Đơn vị`: Cơ quan, Ký hiệu, Cấp, Ghi chú)."""
    table = _table(path, contract.DON_VI, "danh sách đơn vị")
    issues: list[Issue] = []
    text = _texts(table, issues)

    def build(row: Row, ref: str, name: str) -> Entry:
        return Entry(ref, name, text(row, "ky_hieu"), text(row, "cap"), text(row, "ghi_chu"))

    entries = _rows(table, issues, build)
    _no_duplicates(entries, issues)
    _raise_errors(path, "danh sách đơn vị", issues)
    return entries


def read_last_year(path: Path, rules: Rules) -> list[Entry]:
    """Last year's `tong-hop.xlsx` as baocao wrote it: per unit its final score (the
    reviewed one where the Sở gave one) and its rating, which must be one of the rules'."""
    from ..validate.parse import Reader

    table = _table(path, contract.NAM_TRUOC, "bảng tổng hợp năm trước")
    issues: list[Issue] = []
    reader = Reader(issues)
    bands = {fold(b): b for b in rules.band_names}
    expected = ", ".join(rules.band_names)
    text = _texts(table, issues)

    def build(row: Row, ref: str, name: str) -> Entry | None:
        total = reader.number(table.sheet, row.get("diem_tham_dinh"))
        if total is None:
            total = reader.number(table.sheet, row.get("tong_diem"))
        rating_cell = row.get("xep_loai")
        rating = reader.text(table.sheet, rating_cell).strip()
        if total is None and not rating:
            return None  # a unit that had no report last year
        if rating and fold(rating) not in bands:
            assert rating_cell is not None
            issues.append(make("E703", sheet=table.sheet, cell=rating_cell.ref, value=rating,
                               expected=expected))
            return None
        return Entry(ref, name, text(row, "ky_hieu"), total=total,
                     rating=bands[fold(rating)] if rating else rules.rating(total))

    entries = _rows(table, issues, build)
    _no_duplicates(entries, issues)
    _raise_errors(path, "bảng tổng hợp năm trước", issues)
    return entries


def max_total(rules: Rules) -> Decimal:
    """The highest total the rules allow: every scored part and bonus at its maximum."""
    return sum((p.max or Decimal(0) for p in rules.parts if p.kind != "deduction"),
               Decimal(0))


def read_review(path: Path, rules: Rules) -> list[Entry]:
    """A copy of tong-hop.xlsx with `Điểm thẩm định` (and `Ghi chú thẩm định`) filled in;
    rows left blank are not reviewed. A score outside 0..the rules' maximum is E704."""
    from ..validate.parse import Reader

    table = _table(path, contract.THAM_DINH, "bảng thẩm định")
    issues: list[Issue] = []
    reader = Reader(issues)
    highest = max_total(rules)
    text = _texts(table, issues)

    def build(row: Row, ref: str, name: str) -> Entry | None:
        cell = row.get("diem_tham_dinh")
        note = text(row, "ghi_chu_tham_dinh")
        if cell is None:
            return None
        score = reader.number(table.sheet, cell, nonnegative=False)
        if score is None:
            return None
        if not Decimal(0) <= score <= highest:
            issues.append(make("E704", sheet=table.sheet, cell=cell.ref,
                               value=format_number(score), maximum=format_number(highest)))
            return None
        return Entry(ref, name, text(row, "ky_hieu"), total=score, ghi_chu=note,
                     bao_cao=text(row, "bao_cao"))

    entries = _rows(table, issues, build)
    if not entries and all(i.code == "E107" for i in issues):
        issues = []  # a review with no score yet: nothing to apply, nothing wrong
    _raise_errors(path, "bảng thẩm định", issues)
    return entries
