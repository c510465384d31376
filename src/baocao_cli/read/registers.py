"""Reading the register sheets straight from the sheet XML.

A year's register runs to tens of thousands of rows, which openpyxl reads too slowly (its
normal and read-only modes both build a Python object per cell): only the columns the
checks need are read, keeping each cell's row and column for locations, and for the usual
plain XML column by column (`_plain_rows`) into a list per checked column. Sheets are
matched like every other sheet of the contract (normalised names and headers, header row
below titles); a separate e-office export given with `--so-van-ban` may name its sheet
anything and carry any extra columns.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import contract
from ..issues import Issue, make
from ..vn import fold
from .book import read_other
from .guards import check_file, sniff_kind
from .headers import find_header, header_key, header_keys
from .sheet_xml import (
    _ANY_CELL,
    _CELL,
    _CELL_WITHOUT_REF,
    _HIDDEN_ROW,
    ErrorValue,
    Missing,
    Workbook,
    _text,
    _v_reader,
)
from .xlsx import Sheet, SheetTooLarge

HEADER_SEARCH_ROWS = 20  # exports put the agency, the title and the period above the table
ISSUES_PER_CHECK = 200  # per register and code: every slip of a real register, bounded output


_NUMBERING = re.compile(r"^\(?\d{1,2}\)?$")

# ---------------------------------------------------------------- register tables

# The columns the counts and the Điều 15 checks use (registers.py). The others (người ký,
# nơi nhận, số lượng bản, …) are recognised in the header but their cells are not decoded:
# on a 50,000-row register that was half of the reading time.
CHECKED = frozenset({"so_ky_hieu", "ngay_van_ban", "trich_yeu", "do_mat", "so", "so_den",
                     "ngay_den", "tac_gia"})


def _raw(inner: str | None) -> str | None:
    """An unread cell's content, enough to tell a filled cell (or a `(1)` column number)
    from an empty one."""
    if not inner:
        return None
    if inner.startswith("<v>") and inner.endswith("</v>"):
        return inner[3:-4]
    if inner.startswith("<is><t>") and inner.endswith("</t></is>"):
        return inner[7:-9]
    return inner


@dataclass
class RegisterTable:
    """One register sheet, column by column: the checks walk tens of thousands of documents,
    and a list per checked column is far cheaper to build and to walk than a dict per row."""

    sheet: str  # as shown in messages: `Sổ văn bản đi` or `[export.xlsx]Sheet1`
    spec: contract.SheetSpec
    header_row: int
    columns: dict[str, str]  # column key -> letter
    row_numbers: list[int] = field(default_factory=list)  # the sheet row of each document
    # checked column key (CHECKED) -> its value in each document's row; None when empty
    values: dict[str, list[Any]] = field(default_factory=dict)

    def ref(self, key: str, row: int) -> str:
        return f"{self.columns.get(key, 'A')}{row}"

    def column(self, key: str) -> list[Any]:
        """The values of a checked column, document by document (all None when absent)."""
        values = self.values.get(key)
        return values if values is not None else [None] * len(self.row_numbers)


def _find_header(head: dict[int, list[tuple[str, Any]]], spec: contract.SheetSpec
                 ) -> tuple[int, dict[str, str], list[tuple[str, str]]] | None:
    """(header row, column key -> letter, unknown header cells) of the first matching row."""
    header = find_header(((r, head[r]) for r in sorted(head)), spec)
    if header is None or not header.complete:
        return None
    return header.row, header.columns, [(f"{letter}{header.row}", text)
                                        for letter, text in header.extra]


def _read_sheet(wb: Workbook | _Sheets, title: str, spec: contract.SheetSpec, shown: str,
                external: bool, issues: list[Issue]) -> RegisterTable | None:
    if isinstance(wb, _Sheets):
        return wb.table(title, spec, shown, external, issues)
    data = wb.sheet_xml(title)
    plain = _plain(data)
    if not plain and _CELL_WITHOUT_REF.search(data):
        return _read_sheet_openpyxl(wb.path, title, spec, shown, external, issues)
    head, header_end = _head(wb, data)
    return _table(wb, data, header_end, head, spec, shown, external, issues, plain=plain)


def _head(wb: Workbook, data: str) -> tuple[dict[int, list[tuple[str, Any]]], int]:
    """The cells of the rows where a header is looked for, by row, and where they end in
    the sheet XML."""
    head: dict[int, list[tuple[str, Any]]] = {}
    for m in _ANY_CELL.finditer(data):
        r = int(m.group(2))
        if r > HEADER_SEARCH_ROWS:
            return head, m.start()
        head.setdefault(r, []).append((m.group(1), wb.value(m.group(3), m.group(4))))
    return head, len(data)


def _no_header(head: dict[int, list[tuple[str, Any]]], spec: contract.SheetSpec,
               shown: str) -> Issue:
    """E611, naming the required columns the fullest row of the search lacks."""
    expected = ", ".join(f"\"{c.label}\"" for c in spec.columns if c.required)
    best = max(head.values(), key=len, default=[])
    keys = header_keys(spec)
    have = {keys.get(header_key(v)) for _, v in best if isinstance(v, str)}
    missing = ", ".join(f"\"{c.label}\"" for c in spec.columns
                        if c.required and c.key not in have)
    return make("E611", sheet=shown, missing=missing, expected=expected,
                rows=HEADER_SEARCH_ROWS)


def _table(wb: Workbook | None, data: str, header_end: int,
           head: dict[int, list[tuple[str, Any]]], spec: contract.SheetSpec,
           shown: str, external: bool, issues: list[Issue],
           rows: list[tuple[int, dict[str, Any]]] | None = None,
           plain: bool = False, hidden_rows: Iterable[int] = ()) -> RegisterTable | None:
    """The register below the header row found in `head`: from the sheet XML `data` (cells
    after `header_end`), or from `rows` already read (the openpyxl and calamine paths,
    which give their `hidden_rows`)."""
    found = _find_header(head, spec)
    if found is None:
        issues.append(_no_header(head, spec, shown))
        return None
    header_row, columns, extra = found
    if not external:
        issues += [make("W102", sheet=shown, cell=ref, value=v) for ref, v in extra]
    table = RegisterTable(shown, spec, header_row, columns)
    by_letter = {letter: key for key, letter in columns.items()}
    below: _Below | None = None  # the rows after the header search, column by column
    if rows is None:
        assert wb is not None
        rows = [(r, {by_letter[ltr]: v for ltr, v in cells if ltr in by_letter})
                for r, cells in sorted(head.items()) if r > header_row]
        if plain:
            below = _plain_rows(wb, data, header_end, by_letter)
        if below is None:
            rows += _cell_rows(wb, data, header_end, by_letter)
    documents, seen = _documents(rows, header_row)
    checked = [key for key in columns if key in CHECKED]
    table.row_numbers = [r for r, _ in documents]
    table.values = {key: [cells.get(key) for _, cells in documents] for key in checked}
    if below is not None:
        _add_plain_rows(table, below, data, header_end, seen)
    hidden = sorted(r for r in hidden_rows if r > header_row)
    if data and 'hidden="' in data:  # the search below costs a pass over the whole sheet
        hidden = [int(r) for r in _HIDDEN_ROW.findall(data) if int(r) > header_row]
    if hidden:
        for r in hidden[:ISSUES_PER_CHECK]:
            issues.append(make("W103", sheet=shown, cell=f"A{r}", row=r))
    return table


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _is_numbering(values: Iterable[Any]) -> bool:
    """The form's column numbers `(1) (2) …`, which some registers print under the header."""
    return all(isinstance(v, int | str) and _NUMBERING.match(str(v).strip()) for v in values)


def _documents(rows: list[tuple[int, dict[str, Any]]], header_row: int
               ) -> tuple[list[tuple[int, dict[str, Any]]], bool]:
    """The rows below the header with a filled cell, each with its filled cells only, less a
    first row of column numbers; and whether a filled row was met (the numbers, if any, are
    behind)."""
    out: list[tuple[int, dict[str, Any]]] = []
    first = True
    for r, values in rows:
        if r <= header_row:
            continue
        present = {k: v for k, v in values.items() if _filled(v)}
        if not present:
            continue
        if first and _is_numbering(present.values()):
            first = False
            continue
        first = False
        out.append((r, present))
    return out, not first


def _cell_rows(wb: Workbook, data: str, header_end: int, by_letter: dict[str, str]
               ) -> list[tuple[int, dict[str, Any]]]:
    """The rows after `header_end` cell by cell, in the order of the XML: the general
    reading, for sheets `_plain_rows` does not take."""
    rows: list[tuple[int, dict[str, Any]]] = []
    pattern = re.compile(_CELL.format(cols="|".join(sorted(by_letter, key=len, reverse=True))),
                         re.S)
    current, values = 0, {}
    value = wb.value
    checked = {letter for letter, key in by_letter.items() if key in CHECKED}
    for letter, row, attrs, inner in pattern.findall(data, header_end):
        r = int(row)
        if r != current:
            current, values = r, {}
            rows.append((r, values))
        values[by_letter[letter]] = value(attrs, inner) if letter in checked else _raw(inner)
    return rows


# ---------------------------------------------------------------- plain sheets, by column

# Nearly every writer (Excel, openpyxl, e-office exports) writes each cell as `<c r="B5" …>`
# without a namespace prefix. For such a sheet, one pass over the XML gives the checked
# columns' cells, decoded with the work shared between equal values, and another the rows
# where some other recognised column is filled. Anything else goes `_cell_rows`' way.
_NOT_PLAIN = (re.compile(r'<c(?=[\s/>])(?! r=")'), re.compile(r":c[\s/>]"))
# The attributes up to `/>` or `>`, as `_CELL`'s `[^>]*?` takes them but without trying
# the rest of the pattern at every character.
_ATTRS = "[^>/]*(?:/(?!>)[^>/]*)*"
_PLAIN_CELL = ('<c r="({cols})(\\d+)"(' + _ATTRS + ')(?:/>|>(?:<is><t>([^<]+)</t></is>'
               '|<v>([^<]+)</v>|(.*?))</c>)')
# A cell that is not empty in `_raw`'s reading: not `<c …/>`, `<c …> </c>`, `<v> </v>`…
_FILLED_CELL = ('<c r="(?:{cols})(\\d+)"' + _ATTRS + '>'
                '(?!\\s*</c>|<v>\\s*</v></c>|<is><t>\\s*</t></is></c>)')
_ONE_CELL = '<c r="{col}{row}"([^>]*?)(?:/>|>(.*?)</c>)'


def _plain(data: str) -> bool:
    """Every cell written `<c r="…"`: no namespace prefix, no other spacing, a reference."""
    return not any(p.search(data) for p in _NOT_PLAIN)


@functools.lru_cache(maxsize=64)
def _pattern(template: str, letters: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(template.format(cols="|".join(letters)), re.S)


@dataclass
class _Below:
    """The rows after the header search (`_plain_rows`): per checked column, its filled
    cells by row; the rows where some other recognised column is filled."""

    values: dict[str, dict[int, Any]]
    others: set[int]
    other_letters: list[str]


def _plain_rows(wb: Workbook, data: str, header_end: int, by_letter: dict[str, str]
                ) -> _Below | None:
    """The cells after `header_end` of a plain sheet, column by column; None when the rows
    are not in ascending order (a sheet Excel would repair), left to `_cell_rows`."""
    checked = {ltr: key for ltr, key in by_letter.items() if key in CHECKED}
    values: dict[str, dict[int, Any]] = {key: {} for key in checked.values()}
    last = dict.fromkeys(checked, HEADER_SEARCH_ROWS)
    readers: dict[str, Callable[[str], Any] | None] = {}
    texts: dict[str, str] = {}
    value = wb.value
    letters = tuple(sorted(checked, key=len, reverse=True))
    for letter, row, attrs, text, v, inner in (
            _pattern(_PLAIN_CELL, letters).findall(data, header_end) if letters else ()):
        r = int(row)
        if r <= last[letter]:
            return None
        last[letter] = r
        if text:
            got = _text(text, texts) if ' t="inlineStr"' in attrs \
                else value(attrs, f"<is><t>{text}</t></is>")
        elif v:
            read = readers[attrs] if attrs in readers else readers.setdefault(
                attrs, _v_reader(wb, attrs))
            got = read(v) if read is not None else value(attrs, f"<v>{v}</v>")
        elif inner:
            got = value(attrs, inner)
        else:
            continue  # `<c r="B5" s="3"/>`: empty (None)
        if got is not None and not (isinstance(got, str) and not got.strip()):
            values[checked[letter]][r] = got
    other_letters = sorted((ltr for ltr in by_letter if ltr not in checked), key=len,
                           reverse=True)
    others: set[int] = set()
    if other_letters:
        others = set(map(int, _pattern(_FILLED_CELL, tuple(other_letters)).findall(
            data, header_end)))
        if others and min(others) <= HEADER_SEARCH_ROWS:
            return None
    return _Below(values, others, other_letters)


def _add_plain_rows(table: RegisterTable, below: _Below, data: str, header_end: int,
                    seen: bool) -> None:
    """Append `_plain_rows`' documents to `table` (after the rows of the header search);
    `seen`: a row was filled above, so the column numbers are no longer looked for."""
    rows = set(below.others)
    for cells in below.values.values():
        rows.update(cells)
    ordered = sorted(rows)
    if ordered and not seen:
        r = ordered[0]
        first = [cells[r] for cells in below.values.values() if r in cells]
        if r in below.others:  # unchecked cells as `_raw` reads them
            for letter in below.other_letters:
                m = re.compile(_ONE_CELL.format(col=letter, row=r), re.S).search(
                    data, header_end)
                raw = _raw(m.group(2)) if m else None
                if raw is not None and raw.strip():
                    first.append(raw)
        if _is_numbering(first):
            ordered = ordered[1:]
    table.row_numbers += ordered
    for key, values in table.values.items():
        values += map(below.values[key].get, ordered)


def _read_sheet_openpyxl(path: Path, title: str, spec: contract.SheetSpec, shown: str,
                         external: bool, issues: list[Issue]) -> RegisterTable | None:
    """Slow path for the rare writer that omits cell references (`<c>` without `r=`)."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's English notes on odd cells
            read = list(wb[title].iter_rows(values_only=True))
    finally:
        wb.close()
    head: dict[int, list[tuple[str, Any]]] = {}
    rows: list[tuple[int, dict[str, Any]]] = []
    all_rows = []
    for r, row in enumerate(read, start=1):
        cells = [(get_column_letter(i + 1), v) for i, v in enumerate(row) if v is not None]
        if r <= HEADER_SEARCH_ROWS:
            head[r] = cells
        all_rows.append((r, cells))
    found = _find_header(head, spec)
    if found is not None:
        by_letter = {letter: key for key, letter in found[1].items()}
        rows = [(r, {by_letter[ltr]: v for ltr, v in cells if ltr in by_letter})
                for r, cells in all_rows]
    return _table(None, "", 0, head, spec, shown, external, issues, rows)


class _Sheets:
    """The sheets of an .ods or .xls (calamine_book) where the loop of `read_registers`
    expects a `Workbook`: titles with their hidden state, and each register read from the
    sheet's cells (an error cell an ErrorValue, a formula never calculated a Missing)."""

    def __init__(self, path: Path, sheets: list[Sheet]) -> None:
        self.path = path
        self.by_title = {s.title: s for s in sheets}
        self.sheets = {t: ("", s.state != "visible") for t, s in self.by_title.items()}

    def close(self) -> None:
        pass

    def head(self, title: str) -> dict[int, list[tuple[str, Any]]]:
        from .excel import get_column_letter

        rows = self.by_title[title].rows
        head: dict[int, list[tuple[str, Any]]] = {}
        for r in sorted(r for r in rows if r <= HEADER_SEARCH_ROWS):
            head[r] = [(get_column_letter(c), v) for c, cell in sorted(rows[r].items())
                       if (v := _cell_value(cell)) is not None]
        return head

    def table(self, title: str, spec: contract.SheetSpec, shown: str, external: bool,
              issues: list[Issue]) -> RegisterTable | None:
        from .excel import column_index

        sheet = self.by_title[title]
        head = self.head(title)
        found = _find_header(head, spec)
        rows: list[tuple[int, dict[str, Any]]] = []
        if found is not None:  # only the recognised columns of each row are read
            wanted = [(column_index(letter), key) for key, letter in found[1].items()]
            for r, cells in sorted(sheet.rows.items()):
                values = {}
                for col, key in wanted:
                    if (cell := cells.get(col)) is not None \
                            and (v := _cell_value(cell)) is not None:
                        values[key] = v
                rows.append((r, values))
        return _table(None, "", 0, head, spec, shown, external, issues, rows,
                      hidden_rows=sheet.hidden)


def _cell_value(cell: tuple[Any, str, str | None]) -> Any:
    value, kind, formula = cell
    if formula is not None:
        return Missing(formula)
    return ErrorValue(value) if kind == "e" else value


def read_registers(path: Path, *, external: bool = False
                   ) -> tuple[list[RegisterTable], list[Issue]]:
    """The register sheets of `path`: by name, or (an export) by their header row."""
    issues: list[Issue] = []
    if external:
        problem = check_file(path)
        if problem is not None:
            return [], [problem]
    wb: Workbook | _Sheets
    try:
        kind = sniff_kind(path)
        if kind == "xlsx":
            wb = Workbook(path)
    except Exception:  # a workbook read.py accepted but whose parts are unusual
        return [], [make("E006", sheet=path.name,
                         detail="không đọc được danh sách trang tính")]
    if kind != "xlsx":  # .ods, .xls: the workbook reader's sheets
        sheets, problem = read_other(path, kind)
        if problem is not None:
            return [], [problem]
        wb = _Sheets(path, sheets)
    tables: list[RegisterTable] = []
    try:
        by_fold = {fold(t): t for t in wb.sheets}
        taken: set[str] = set()
        for spec in contract.REGISTERS:
            title = by_fold.get(fold(spec.name))
            if title is None and external:
                try:
                    title = _by_headers(wb, spec, taken)
                except SheetTooLarge as big:
                    issues.append(make(big.code, sheet=f"[{path.name}]{big.sheet}",
                                       detail=big.detail, limit=big.limit))
                    continue
            if title is None:
                continue
            taken.add(title)
            shown = f"[{path.name}]{title}" if external else title
            if wb.sheets[title][1]:
                issues.append(make("W104", sheet=shown))
            try:
                table = _read_sheet(wb, title, spec, shown, external, issues)
            except SheetTooLarge as big:
                issues.append(make(big.code, sheet=shown, detail=big.detail, limit=big.limit))
                continue
            except Exception:  # damaged XML, a value no writer would write
                issues.append(make("E006", sheet=path.name,
                                   detail=f"trang \"{title}\" có dữ liệu hỏng"))
                continue
            if table is not None:
                tables.append(table)
    finally:
        wb.close()
    if external and not tables and not issues:
        issues.append(make("E610", sheet=path.name,
                           names=" hoặc ".join(f"\"{s.name}\"" for s in contract.REGISTERS)))
    return tables, issues


def _by_headers(wb: Workbook | _Sheets, spec: contract.SheetSpec, taken: set[str]
                ) -> str | None:
    """An export's sheet (`Sheet1`, `Danh sách`) recognised by the register's header row."""
    for title in wb.sheets:
        if title in taken or any(fold(title) == fold(s.name) for s in contract.REGISTERS):
            continue
        head = wb.head(title) if isinstance(wb, _Sheets) else _head(wb, wb.sheet_xml(title))[0]
        if _find_header(head, spec) is not None:
            return title
    return None
