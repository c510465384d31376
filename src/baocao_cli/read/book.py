"""Read a workbook into tables of located cells; nothing here knows what a report is.

Every value keeps its sheet and A1 cell so that any later message can point at it.
Problems with the file or the sheets' shape are collected as issues, never raised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import contract
from ..issues import Issue, make
from ..vn import fold
from .guards import inspect, workbook_kind
from .headers import find_header, match_row

if TYPE_CHECKING:
    from .xlsx import Sheet

HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Cell:
    value: Any  # str | int | float | datetime | None, as Excel stored it
    ref: str  # A1 reference
    formula: str | None = None  # set when the cell is a formula with no cached value
    error: bool = False  # an Excel error value such as #DIV/0!


@dataclass
class Row:
    number: int
    cells: dict[str, Cell]
    hidden: bool = False

    def get(self, key: str) -> Cell | None:
        return self.cells.get(key)


@dataclass
class Table:
    sheet: str  # the name as written in the workbook
    spec: contract.SheetSpec
    header_row: int
    columns: dict[str, str]  # column key -> column letter
    rows: list[Row] = field(default_factory=list)
    hidden: bool = False


@dataclass
class Book:
    path: Path
    tables: dict[str, Table] = field(default_factory=dict)  # spec key -> table
    sheet_names: tuple[str, ...] = ()  # every sheet of the workbook, read or not


def read_book(path: Path, specs: tuple[contract.SheetSpec, ...] = contract.SHEETS
              ) -> tuple[Book | None, list[Issue]]:
    """Open `path` and read every sheet of the contract; None when the file is unusable."""
    from . import xlsx

    problem, names, parts = inspect(path, keep=True)
    if problem is not None:
        return None, [problem]

    keep = {fold(spec.name) for spec in specs}
    seen: list[str] = []

    def wanted(title: str) -> bool:
        seen.append(title)
        return fold(title) in keep

    kind = workbook_kind(names)
    if kind != "xlsx":  # .ods, .xls: python-calamine, the same sheets as from an .xlsx
        sheets, problem = read_other(path, kind)
        if problem is not None:
            return None, [problem]
        sheets = [ws for ws in sheets if wanted(ws.title)]
    else:
        package = xlsx.Package(path, names, parts)
        try:
            if path.suffix.lower() not in _SUFFIXES:
                raise OSError(f"{path.suffix} is not a workbook's file name extension")
            sheets = xlsx.read_sheets(package, wanted)
        except xlsx.SheetTooLarge as big:
            return None, [make(big.code, sheet=big.sheet or None, cell=big.cell,
                               detail=big.detail, limit=big.limit)]
        except Exception as exc:  # a damaged part; the exception says which kind
            return None, [make("E006", sheet=path.name, detail=_load_detail(exc))]
        finally:
            package.close()
    issues: list[Issue] = []
    by_fold: dict[str, xlsx.Sheet] = {}
    for ws in sheets:
        key = fold(ws.title)
        if key in by_fold:
            issues.append(make("E102", sheet=ws.title, first=by_fold[key].title,
                               second=ws.title))
            continue
        by_fold[key] = ws

    book = Book(path, sheet_names=tuple(seen))
    found: dict[str, xlsx.Sheet] = {}
    for spec in specs:  # missing sheets first, then each table's own issues
        ws = by_fold.get(fold(spec.name))
        if ws is None:
            if spec.required:
                issues.append(make("E101", sheet=spec.name))
            continue
        found[spec.key] = ws
    for spec in specs:
        if (ws := found.get(spec.key)) is not None \
                and (table := _read_table(ws, spec, issues)) is not None:
            book.tables[spec.key] = table
    return book, issues


# The file names openpyxl accepted: the same file under another name was refused as damaged.
_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")


_KIND_NAMES = {"ods": "bảng tính OpenDocument (.ods)", "xls": "sổ Excel 97-2003 (.xls)"}


def read_other(path: Path, kind: str) -> tuple[list[Sheet], Issue | None]:
    """The sheets of an .ods or .xls (calamine_book.read), or the issue that refuses it."""
    from . import calamine_book
    from .shapes import MAX_CELLS, TooLarge
    from .xls import Encrypted

    name = path.name
    try:
        return calamine_book.read(path, kind), None
    except TooLarge as exc:
        return [], make("E007", sheet=name, detail=f"{exc.cells:,} ô trong các trang tính"
                        .replace(",", "."),
                        limit=f"{MAX_CELLS:,} ô".replace(",", "."))
    except Encrypted:
        return [], make("E005", sheet=name)
    except calamine_book.ReaderFailed:
        return [], make("E006", sheet=name, detail=f"{_KIND_NAMES[kind]}: cấu trúc bên trong "
                        "không đúng định dạng")
    except Exception as exc:  # damaged XML or records in the shape readers
        return [], make("E006", sheet=name, detail=f"{_KIND_NAMES[kind]}: "
                        + _load_detail(exc).replace("Excel", "sổ tính"))


def _load_detail(exc: Exception) -> str:
    """A Vietnamese reason for the reader's refusal (its exceptions speak English)."""
    text = str(exc).lower()
    if "entity" in text or "dtd" in text:
        return "nội dung XML bên trong có khai báo thực thể (entity) bị từ chối vì lý do an toàn"
    if isinstance(exc, KeyError) or "no item named" in text or "there is no item" in text:
        return "thiếu một phần bên trong tệp"
    if "xml" in text or type(exc).__name__ in ("ParseError", "XMLSyntaxError"):
        return "nội dung XML bên trong không hợp lệ"
    return "cấu trúc bên trong không đúng định dạng Excel"


def _header_map(values: list[Any], spec: contract.SheetSpec) -> dict[str, int]:
    """Column key -> index for the contract's columns found in one row."""
    return match_row(enumerate(values), spec).columns


def _row_values(ws: Sheet, r: int, merged_value: dict[tuple[int, int], Any] | None = None
                ) -> list[Any]:
    """Row `r`'s values from column A, merged header cells carrying their range's value.

    The list stops at the row's last value: the columns after it hold nothing to match.
    """
    cells = ws.rows.get(r, {})
    extra = [c for (row, c) in merged_value if row == r] if merged_value else []
    width = max([0, *cells, *extra])
    values: list[Any] = [None] * width
    for c, cell in cells.items():
        if c >= 1:
            values[c - 1] = cell[0]
    for c in extra:
        values[c - 1] = merged_value[(r, c)]  # type: ignore[index]
    return values


def _read_table(ws: Sheet, spec: contract.SheetSpec, issues: list[Issue]) -> Table | None:
    from .excel import get_column_letter

    hidden_sheet = ws.state != "visible"
    if hidden_sheet:
        issues.append(make("W104", sheet=ws.title))
    merged_value = _merged_header_values(ws)
    max_row = ws.max_row or 0
    header = find_header(((r, enumerate(_row_values(ws, r, merged_value)))
                          for r in range(1, min(HEADER_SEARCH_ROWS, max_row) + 1)), spec)
    if header is None or not header.complete:
        have = header.columns if header is not None else {}
        missing = [c.label for c in spec.columns if c.required and c.key not in have]
        expected = [c.label for c in spec.columns if c.required]
        issues.append(make("E103", sheet=ws.title, missing=_quote(missing),
                           expected=_quote(expected)))
        return None

    header_row, columns = header.row, header.columns
    first_data = header_row + 1
    spans_down = any(r1 <= header_row < r2 for r1, _, r2, _ in ws.merged)
    if spans_down and first_data <= max_row:
        # A two-line header: group titles merged above their sub-columns (`Kinh phí`).
        for key, i in _header_map(_row_values(ws, first_data, merged_value), spec).items():
            columns.setdefault(key, i)
        first_data += 1
    merged_cells = set(merged_value) | {(r1, c1) for r1, c1, _, _ in ws.merged}
    known = set(columns.values())
    for r in range(header_row, first_data):
        for i, v in enumerate(_row_values(ws, r)):
            if i not in known and isinstance(v, str) and v.strip() \
                    and (r, i + 1) not in merged_cells:
                issues.append(make("W102", sheet=ws.title, cell=f"{get_column_letter(i + 1)}{r}",
                                   value=v.strip()))
    letters = {k: get_column_letter(i + 1) for k, i in columns.items()}
    table = Table(ws.title, spec, header_row, letters, hidden=hidden_sheet)
    wanted = [(key, i + 1, letters[key]) for key, i in columns.items()]
    for r_idx in sorted(r for r in ws.rows if first_data <= r <= max_row):
        row = ws.rows[r_idx]
        cells: dict[str, Cell] = {}
        for key, col, letter in wanted:
            cell = row.get(col)
            if cell is None:
                continue
            value, kind, formula = cell
            if value is None and formula is None:
                continue
            if isinstance(value, str) and not value.strip():
                continue
            cells[key] = Cell(value, f"{letter}{r_idx}", formula, kind == "e")
        if not cells:
            continue
        hidden = ws.hidden.get(r_idx, False)
        if hidden:
            issues.append(make("W103", sheet=ws.title, cell=f"A{r_idx}", row=r_idx))
        table.rows.append(Row(r_idx, cells, hidden))
    return table


def _merged_header_values(ws: Sheet) -> dict[tuple[int, int], Any]:
    """Within the header search area, the rows of a merged range carry its value.

    Only the range's first column is carried: the header search takes the first column
    of a title, and every other column of the range would carry the same title. (Carrying
    all of them cost rows × 16,384 columns per range of a row as wide as a sheet.)
    """
    out: dict[tuple[int, int], Any] = {}
    for r1, c1, r2, _c2 in ws.merged:
        if r1 > HEADER_SEARCH_ROWS:
            continue
        value = ws.value(r1, c1)
        for r in range(r1 + 1, min(r2, HEADER_SEARCH_ROWS + 1) + 1):
            out[(r, c1)] = value
    return out


def _quote(labels: list[str]) -> str:
    return ", ".join(f"\"{x}\"" for x in labels)


def as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None
