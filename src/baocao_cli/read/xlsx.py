"""A lean reader of .xlsx sheets: the cells of chosen sheets, typed as openpyxl types them.

openpyxl builds a whole workbook of Python objects (styles, sheet settings, an object per
cell) before a value can be read: for a unit's few short sheets that set-up was ~90% of
`check`. Here the parts are parsed with the C ElementTree and only what the report reads
is kept: every cell's value as openpyxl's data-only load gives it, the formula of a cell
whose cached value is missing (which that load hides), merged ranges, hidden rows and the
sheet's state. Where openpyxl refused a damaged part this reads, the same exception type
is raised, so the caller's message stays the same (parts it does not read, such as
drawings, comments or fonts, are not checked); tests/test_xlsx.py compares both readers.

Excel's conventions (references, number formats, date serials) are restated from openpyxl
in excel.py, so that checking a workbook imports no openpyxl module.
"""

from __future__ import annotations

import datetime as dt
import itertools
import posixpath
import re
import zipfile
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, XMLPullParser, fromstring

from .. import contract
from ..vn import fold, format_number
from . import sheet_fast
from .collector import paused
from .excel import (
    BUILTIN_FORMATS,
    MAC_EPOCH,
    WINDOWS_EPOCH,
    cell_range,
    coordinate,
    from_excel,
    get_column_letter,
    is_date_format,
    is_timedelta_format,
    typed_text,
)
from .guards import declares_dtd

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_ROW, _V, _F, _IS, _T, _MERGE = (MAIN + t for t in ("row", "v", "f", "is", "t", "mergeCells"))

_SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.{}.main+xml"
_MACRO = "application/vnd.ms-excel.{}.macroEnabled.main+xml"
# openpyxl's order of preference when a manifest names several workbook parts
WORKBOOK_TYPES = (_MACRO.format("template"), _SPREADSHEET.format("template"),
                  _MACRO.format("sheet"), _SPREADSHEET.format("sheet"))
SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_DEFAULT_TYPES = (("rels", "application/vnd.openxmlformats-package.relationships+xml"),
                  ("xml", "application/xml"))
STYLES = "xl/styles.xml"  # openpyxl reads the stylesheet at this name, whatever the manifest
_INVALID_TITLE = re.compile(r"[\\*?:/\[\]]")

Value = Any  # str | int | float | bool | datetime | date | time | timedelta | None


class Package:
    """The members of one .xlsx; small XML parts arrive already inflated (guards.inspect)."""

    def __init__(self, path: Path, names: list[str], parts: dict[str, bytes]) -> None:
        self.path = path
        self.names = set(names)
        self.parts = parts
        self._zip: zipfile.ZipFile | None = None

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str) -> bytes:
        """A member's bytes; KeyError when it is missing, as zipfile (and openpyxl) say."""
        data = self.parts.get(name)
        if data is not None:
            return data
        if name not in self.names:
            raise KeyError(f"There is no item named {name!r} in the archive")
        if self._zip is None:
            self._zip = zipfile.ZipFile(self.path)
        return self._zip.read(name)

    def chunks(self, name: str) -> Iterator[bytes]:
        """A member's bytes in pieces of 1 MB: a sheet is parsed as it inflates, never held
        whole (a 200 MB sheet part would be 200 MB before its first row)."""
        data = self.parts.get(name)
        if data is not None:
            yield data
            return
        if name not in self.names:
            raise KeyError(f"There is no item named {name!r} in the archive")
        if self._zip is None:
            self._zip = zipfile.ZipFile(self.path)
        with self._zip.open(name) as fh:
            while chunk := fh.read(1 << 20):
                yield chunk

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None


@dataclass
class Sheet:
    """One worksheet's cells as the report reads them.

    `rows` maps row -> column -> (value, data type, formula): the formula (`=A1+1`) only
    when the cell has no cached value. `max_row` counts every cell present, empty styled
    ones and merged ranges included, as openpyxl's does; `max_column` the cells holding a
    value or a formula, and merged ranges (empty cells are counted, never kept).
    """

    title: str
    state: str
    rows: dict[int, dict[int, tuple[Value, str, str | None]]] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    hidden: dict[int, bool] = field(default_factory=dict)  # of rows with attributes
    max_row: int = 1
    max_column: int = 1

    def value(self, row: int, column: int) -> Value:
        cell = self.rows.get(row, {}).get(column)
        return None if cell is None else cell[0]


class SheetTooLarge(Exception):
    """A sheet past the contract's limits (`contract.MAX_SHEET_ROWS`…), found while it is
    read: the reading stops there, before the sheet is held whole."""

    def __init__(self, sheet: str, code: str, detail: str, limit: str, cell: str | None = None
                 ) -> None:
        super().__init__(detail)
        self.sheet, self.code, self.detail, self.limit, self.cell = sheet, code, detail, limit, cell


def too_large(title: str, limit: int, unit: str, cell: str | None = None) -> SheetTooLarge:
    """The sheet `title` has more than `limit` `unit` (E108), first past it at `cell` (None
    for a register, whose rows are counted before they are parsed)."""
    shown = f"{format_number(limit)} {unit}"
    return SheetTooLarge(title, "E108", f"trang tính có hơn {shown}", shown, cell)


class WorkbookError(ValueError):
    """A value openpyxl would refuse; its message names XML as openpyxl's wrapper does."""


def read_sheets(package: Package, wanted: Callable[[str], bool]) -> list[Sheet]:
    """The worksheets whose name `wanted` accepts, in workbook order.

    Other sheets are not parsed at all (a unit may carry big registers). Exceptions are
    those openpyxl raises for the same damage: KeyError for a missing part, ParseError for
    bad XML, ValueError (named XML, as openpyxl wraps them) or TypeError and IndexError
    for values it cannot use.
    """
    try:
        with paused():  # a summary of 5,000 rows is a million small objects
            return _Reader(package).sheets(wanted)
    except ValueError as exc:  # not its text: a cell's text could read like another cause
        raise WorkbookError("could not read the workbook: invalid XML or value") from exc


def _xml(data: bytes) -> Element:
    """A part's tree, never with a DTD (entity expansion, external entities).

    `guards.inspect` refuses a DTD in a part's first 64 KB; this second line, which the
    defused parsers of openpyxl were, refuses one anywhere (a `<!` can only start markup,
    and no part of a real workbook declares a doctype or an entity).
    """
    if declares_dtd(data):
        raise ParseError("the part declares a DTD or an entity: refused")
    return fromstring(data)


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _required(el: Element, name: str) -> str:
    value = el.get(name)
    if value is None:  # openpyxl's descriptors refuse a missing required attribute
        raise TypeError(f"<{_local(el.tag)}> without {name}")
    return value


def _bool(value: str) -> bool:
    """openpyxl's Bool: 'false', 'f' and '0' are false, any other text is true."""
    return False if value in ("false", "f", "0") else bool(value)


_FEED = 8 << 10  # expat's pull parser runs fastest on small pieces (a few rows' worth)
MAX_TEXT_RUN = 32_767 * 8  # bytes: Excel's longest cell text, each letter as `&#7873;`
MAX_RENAMED = 32  # sheets named like an earlier one that are still given openpyxl's title


@dataclass
class _SheetState:
    """What parsing one sheet carries from one row to the next."""

    rows: int = 0  # row elements seen
    cells: int = 0  # cell elements seen, empty ones included
    row_no: int = 0
    max_row: int = 1
    max_column: int = 1
    formulas: dict[tuple[int, int], str | tuple[str, str, str]] = field(default_factory=dict)
    masters: dict[str | None, tuple[str, str]] = field(default_factory=dict)
    row_styles: dict[int, str | None] = field(default_factory=dict)


class _Reader:
    """One reading of a package: the workbook-wide parts first, then the chosen sheets."""

    def __init__(self, package: Package) -> None:
        self.package = package
        self.styles_count = 1  # openpyxl's default stylesheet: one cell style, no dates
        self.dates: frozenset[int] = frozenset()
        self.timedeltas: frozenset[int] = frozenset()
        self.strings: list[str] = []
        self.epoch = WINDOWS_EPOCH
        self.kept = 0  # cells with a value, over every sheet read (contract.MAX_SHEET_CELLS)
        self.style_ids = {"0": 0}  # the usual `s="3"`, looked up without parsing the number

    def sheets(self, wanted: Callable[[str], bool]) -> list[Sheet]:
        package = self.package
        overrides: list[tuple[str, str]] = []
        defaults: list[tuple[str, str]] = []
        for el in _xml(package.read("[Content_Types].xml")):
            tag = _local(el.tag)
            if tag == "Override":
                overrides.append((_required(el, "PartName"), _required(el, "ContentType")))
            elif tag == "Default":
                defaults.append((_required(el, "Extension"), _required(el, "ContentType")))
        part = _workbook_part(overrides, defaults or list(_DEFAULT_TYPES))
        strings = next((p for p, t in overrides if t == SHARED_STRINGS), None)
        if strings is not None:
            self.strings = _shared_strings(package.chunks(strings[1:]), "")
        entries = self._workbook(part)
        if STYLES in package:
            self._styles(package.read(STYLES))
        self.style_ids = {str(i): i for i in range(self.styles_count)}

        sheets: list[Sheet] = []
        titles: list[str] = []
        taken: set[str] = set()  # the titles' lower case: a name repeated is renamed
        parsed: set[str] = set()  # the folded titles whose cells are read
        renamed = 0
        chosen: list[tuple[str, str, str, str]] = []
        skipped: set[str] = set()
        for name, state, target, kind in entries:
            if not wanted(name):
                skipped.add(target)  # openpyxl's selective load drops the part itself
            else:
                chosen.append((name, state, target, kind))
        for name, state, target, kind in chosen:
            if target not in package or target in skipped or "chartsheet" in kind:
                continue  # as openpyxl: a sheet without its part is no sheet
            if (name or "Sheet").lower() in taken:
                # openpyxl renames it `name1`, `name2`…: a title with a digit matches no
                # sheet of the contract, so its cells are never read. Past a few such
                # sheets it is not even named (each name searches every title before it).
                renamed += 1
                if renamed > MAX_RENAMED:
                    _title(name, [])  # the characters openpyxl refuses are still refused
                    continue
            title = _title(name, titles)
            sheet = Sheet(title, state)  # state "none" (no state) is not visible either
            if title == name and fold(title) not in parsed:
                # a later sheet of the same folded name is only reported (E102)
                parsed.add(fold(title))
                self._parse_sheet(package.chunks(target), sheet)
            sheets.append(sheet)
            titles.append(title)
            taken.add(title.lower())
        return sheets

    def _workbook(self, part: str) -> list[tuple[str, str, str, str]]:
        """(name, state, part, relationship type) of every sheet with a relationship."""
        root = _xml(self.package.read(part))
        sheets_el: Element | None = None
        for el in root:
            tag = _local(el.tag)
            if tag == "workbookPr":
                flag = el.get("date1904")  # the last workbookPr counts, as in openpyxl
                self.epoch = MAC_EPOCH if flag is not None and _bool(flag) else WINDOWS_EPOCH
            elif tag == "sheets":
                sheets_el = el
        entries: list[tuple[str, str, str, str]] = []
        rels: dict[str, tuple[str, str]] | None = None
        for s in sheets_el if sheets_el is not None else ():
            name = _required(s, "name")
            _integer(_required(s, "sheetId"))
            state = s.get("state", "visible")
            if state not in ("visible", "hidden", "veryHidden", "none"):
                raise ValueError(f"sheet state {state!r}")
            rid = s.get(REL_ID)
            if not rid:
                continue  # openpyxl drops such a sheet with a warning
            if rels is None:
                rels = _relationships(self.package, part)
            target, kind = rels[rid]  # KeyError: the workbook names a part it does not have
            entries.append((name, state, target, kind))
        return entries

    def _styles(self, data: bytes) -> None:
        root = _xml(data)
        formats: Element | None = None
        xfs: Element | None = None
        for el in root:
            tag = _local(el.tag)
            if tag == "numFmts":
                formats = el
            elif tag == "cellXfs":
                xfs = el
        custom: dict[int, str] = {}
        for el in formats if formats is not None else ():
            if _local(el.tag) == "numFmt":
                custom[_integer(_required(el, "numFmtId"))] = _required(el, "formatCode")
        ids = [_integer(el.get("numFmtId", 0)) for el in (xfs if xfs is not None else ())
               if _local(el.tag) == "xf"]
        if not ids:
            return  # openpyxl keeps its default style when the sheet has none
        codes = [custom[i] if i in custom else BUILTIN_FORMATS.get(i) for i in ids]
        self.styles_count = len(ids)
        self.dates = frozenset(i for i, code in enumerate(codes) if is_date_format(code))
        self.timedeltas = frozenset(i for i, code in enumerate(codes)
                                    if is_timedelta_format(code))

    def _style(self, s: str) -> tuple[int | str, Exception | None]:
        """A cell's style index, and the error openpyxl's style lookup would raise for it.

        openpyxl reads the number while parsing a row (ValueError) but looks the style up
        once the row is parsed: the lookup's error comes after the row's other errors.
        """
        if not s:
            return s, TypeError("list indices must be integers or slices, not str")
        index = int(s)
        if not -self.styles_count <= index < self.styles_count:
            return index, IndexError("list index out of range")
        return index, None

    def _parse_sheet(self, data: Iterator[bytes], sheet: Sheet) -> None:
        """The sheet's cells. A part within sheet_fast's bounds (bytes, cells, and rows
        within the contract's) is read by it in one pass when it has the usual shape.
        Otherwise it is read as it inflates: each row is typed and dropped from the tree
        once parsed, and the reading stops at the contract's limits (SheetTooLarge) before
        the sheet is held whole. Empty cells are only counted (max_row); max_column counts
        the cells with a value or a formula, and merged ranges."""
        counts = [0, 0]  # rows, cells

        def bounded(seen: bytes) -> bool:
            counts[0] += seen.count(b"<row")
            counts[1] += seen.count(b"<c ")
            return counts[0] <= contract.MAX_SHEET_ROWS and counts[1] <= sheet_fast.MAX_CELLS

        whole, data = _held(data, bounded)
        if whole is not None and self._fast_sheet(whole, sheet):
            return
        parser = XMLPullParser(("end",))
        rows = sheet.rows
        merges: list[Element] = []
        state = _SheetState()
        stream(data, parser, lambda: self._take_rows(parser, sheet, state, merges),
               sheet.title)
        if merges:
            self._merge(sheet, merges[-1])  # the last element wins, as openpyxl's
        style = self._style
        for s in state.row_styles.values():  # openpyxl looks the rows' styles up last
            if s is not None and (problem := style(str(int(s)))[1]) is not None:
                raise problem
        masters = state.masters
        for (rr, col), formula in state.formulas.items():
            value, t, _ = rows[rr][col]
            if value is None:
                rows[rr][col] = (value, t, _formula_text(formula, masters))
        sheet.max_row = max([state.max_row, *(m[2] for m in sheet.merged)])
        sheet.max_column = max([state.max_column, *(m[3] for m in sheet.merged)])

    def _fast_sheet(self, data: bytes, sheet: Sheet) -> bool:
        """The part read by sheet_fast in one pass; False when it must be read here."""
        got = sheet_fast.parse(data, strings=self.strings, style_ids=self.style_ids,
                               dates=self.dates, timedeltas=self.timedeltas,
                               epoch=self.epoch, kept=self.kept, row_hidden=_row_hidden,
                               date_cell=_date_cell)
        if got is None:
            return False
        for s in got.row_styles.values():  # the element reader raises what is wrong here
            if s is not None and (not s.isdigit() or self._style(str(int(s)))[1] is not None):
                return False
        self.kept += got.kept
        sheet.rows, sheet.hidden = got.rows, got.hidden
        if got.merges is not None:
            self._merge(sheet, got.merges)
        rows = sheet.rows
        for (rr, col), formula in got.formulas.items():
            value, t, _ = rows[rr][col]
            if value is None:
                rows[rr][col] = (value, t, formula)
        sheet.max_row = max([got.max_row, *(m[2] for m in sheet.merged)])
        sheet.max_column = max([got.max_column, *(m[3] for m in sheet.merged)])
        return True

    def _take_rows(self, parser: XMLPullParser, sheet: Sheet, state: _SheetState,
                   merges: list[Element]) -> None:
        rows = sheet.rows
        hidden = sheet.hidden
        strings, dates, epoch, style = self.strings, self.dates, self.epoch, self._style
        style_ids = self.style_ids
        formulas, masters, row_styles = state.formulas, state.masters, state.row_styles
        for _, row in parser.read_events():
            if row.tag != _ROW:
                if row.tag == _MERGE:
                    merges.append(row)
                continue
            state.rows += 1
            if state.rows > contract.MAX_SHEET_ROWS:
                raise too_large(sheet.title, contract.MAX_SHEET_ROWS, "dòng",
                                f"A{state.row_no + 1}")
            attrib = row.attrib
            r = attrib.get("r")
            row_no = state.row_no = state.row_no + 1 if r is None else _row_number(r)
            if (len(attrib) > 1 or (r is None and attrib)) \
                    and {k for k in attrib if not k.startswith("{")} - {"r", "spans"}:
                hidden[row_no] = _row_hidden(attrib)
                row_styles[row_no] = attrib.get("s")
            col = 0
            bad: Exception | None = None
            state.cells += len(row)
            if state.cells > 2 * contract.MAX_SHEET_CELLS:
                raise too_large(sheet.title, 2 * contract.MAX_SHEET_CELLS, "ô", f"A{row_no}")
            pending: str | None = None  # the reference of the last empty cell, unparsed
            extra = 0  # empty cells without a reference since `pending`
            if row_no > state.max_row and len(row):
                state.max_row = row_no
            for c in row:
                a = c.attrib
                ref = a.get("r")
                if not len(c):  # no value, no formula: an empty (styled) cell, only counted
                    s = a.get("s")
                    if s is not None and s not in style_ids:
                        bad = bad or style(s)[1]
                    if ref:
                        pending, extra = ref, 0
                    elif pending is not None:
                        extra += 1
                    else:
                        col += 1
                    continue
                if ref:
                    rr, col = coordinate(ref)
                else:
                    if pending is not None:
                        col = coordinate(pending)[1] + extra
                    col += 1
                    rr = row_no
                pending = None
                if rr > state.max_row:
                    state.max_row = rr
                if col > state.max_column:
                    state.max_column = col
                t = a.get("t", "n")
                s: Any = a.get("s")
                if s is None:
                    s = 0
                elif (index := style_ids.get(s)) is not None:
                    s = index
                else:
                    s, problem = style(s)
                    bad = bad or problem
                if t == "inlineStr":
                    value = None
                    inline = c.find(_IS)
                    if inline is not None:
                        t = "s"
                        value = _text(inline)
                else:
                    v = c.find(_V)
                    value = v.text if v is not None else None
                    if not value:
                        value = None
                    elif t == "n":
                        value = float(value) if "." in value or "E" in value \
                            or "e" in value else int(value)
                        if s in dates:
                            t, value = _date_cell(value, epoch, s in self.timedeltas)
                    elif t == "s":
                        value = strings[int(value)]
                    else:
                        t, value = typed_text(t, value)
                f = c.find(_F)
                if f is not None:
                    formula = _formula(f, masters, ref or f"{get_column_letter(col)}{rr}")
                    if formula is not None:
                        formulas[(rr, col)] = formula
                elif value is None:
                    continue  # `<c><v></v></c>`: empty too
                self.kept += 1
                if self.kept > contract.MAX_SHEET_CELLS:
                    raise too_large(sheet.title, contract.MAX_SHEET_CELLS, "ô có dữ liệu",
                                     f"{get_column_letter(col)}{rr}")
                cells = rows.get(rr)
                if cells is None:
                    cells = rows[rr] = {}
                cells[col] = (value, t, None)
            row.clear()
            if bad is not None:
                raise bad

    def _merge(self, sheet: Sheet, merges: Element) -> None:
        """Merged ranges: only the top-left cell keeps a value, as openpyxl's MergedCells.

        Each range visits only the rows and cells present inside it (sorted row numbers,
        bisected), so the cost follows the cells covered, not the ranges' area; ranges laid
        over one another past `contract.MAX_MERGED_WORK` visits are refused (E109). The
        ranges are listed in the order of openpyxl's set of them (its header search visits
        them in that order).
        """
        ranges = [cell_range(_required(el, "ref")) for el in merges
                  if _local(el.tag) == "mergeCell"]
        blank_merged(sheet.rows, ranges, sheet.title)
        # openpyxl keeps a set of a set of the ranges: the same hashes, the same order
        sheet.merged = list(set(iter(set(ranges))))


def blank_merged(rows: dict[int, dict[int, tuple[Value, str, str | None]]],
                 ranges: list[tuple[int, int, int, int]], title: str = "") -> None:
    """Empty every cell of a merged range but its top-left one, as openpyxl's MergedCells.

    Each range visits only the rows it spans that hold cells, and in each row the fewer of
    its columns and the row's cells: the work grows with the sheet, not with the product
    of its ranges and rows; past a budget, ranges piled on one another are E109.
    """
    numbers = sorted(rows)
    work = 0
    for r1, c1, r2, c2 in ranges:
        for r in numbers[bisect_left(numbers, r1):bisect_right(numbers, r2)]:
            cells = rows[r]
            work += 1 + min(len(cells), c2 - c1 + 1)
            if c2 - c1 < len(cells):
                covered = [c for c in range(c1, c2 + 1) if c in cells]
            else:
                covered = [c for c in cells if c1 <= c <= c2]
            for c in covered:
                if (r, c) != (r1, c1):
                    cells[c] = (None, "n", None)
        if work > contract.MAX_MERGED_WORK:
            raise SheetTooLarge(title, "E109", f"{format_number(len(ranges))} vùng", "",
                                f"{get_column_letter(c1)}{r1}")


def _workbook_part(overrides: list[tuple[str, str]], defaults: list[tuple[str, str]]) -> str:
    for kind in WORKBOOK_TYPES:
        for name, content in overrides:
            if content == kind:
                return name[1:]
    if {content for _, content in defaults} & set(WORKBOOK_TYPES):
        return "xl/workbook.xml"
    raise OSError("File contains no valid workbook part")


def _relationships(package: Package, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (target part, type), targets resolved as openpyxl resolves them."""
    folder, name = posixpath.split(part)
    path = posixpath.join(folder, "_rels", f"{name}.rels")
    root = _xml(package.read(path))
    parent = posixpath.split(posixpath.dirname(path))[0]
    found: dict[str, tuple[str, str]] = {}
    for el in root:
        kind, target = el.get("Type"), el.get("Target")
        if kind is None or target is None or {k for k in el.attrib if k[0] != "{"} - {
                "Id", "Type", "Target", "TargetMode"}:
            return {}  # openpyxl ignores a relationship list it cannot read
        if el.get("TargetMode") != "External":
            target = target[1:] if target.startswith("/") else posixpath.normpath(
                posixpath.join(parent, target))
        found[el.get("Id")] = (target, kind)  # type: ignore[index]
    return found


def _title(name: str, titles: list[str]) -> str:
    """The sheet's title as openpyxl sets it (refusing the characters it refuses)."""
    value = name or "Sheet"
    if m := _INVALID_TITLE.search(value):
        raise ValueError(f"Invalid character {m.group(0)} found in sheet title")
    return avoid_duplicate_name(titles, value)


def avoid_duplicate_name(names: list[str], value: str) -> str:
    """As openpyxl: a title already taken (ignoring case) gets the next free number."""
    if [n for n in names if n.lower() == value.lower()]:
        pattern = re.compile(f"(?P<title>{re.escape(value)})(?P<count>\\d*),?", re.I)
        if matches := pattern.findall(",".join(names)):
            counts = [int(idx) for (_, idx) in matches if idx.isdigit()]
            value = f"{value}{max(counts) + 1 if counts else 1}"
    return value


def _integer(value: Any) -> int:
    try:
        return int(value)
    except Exception:  # openpyxl's Integer descriptor turns every failure into TypeError
        raise TypeError(f"expected an integer, not {value!r}") from None


def _row_number(r: str) -> int:
    try:
        return int(r)
    except ValueError:
        number = float(r)
        if number.is_integer():
            return int(number)
        raise ValueError(f"{r} is not a valid row number") from None


def _row_hidden(attrib: dict[str, str]) -> bool:
    if "visible" in attrib:  # openpyxl's RowDimension: hidden = not visible
        return not attrib["visible"]
    return _bool(attrib.get("hidden", ""))


def _text(node: Element) -> str:
    """A string item's text: the plain `<t>` then every rich-text run's; no phonetic runs."""
    if len(node) == 1 and node[0].tag == _T:  # nearly every string: one plain <t>
        return node[0].text or ""
    plain: str | None = None
    runs: list[str] = []
    for el in node:
        tag = _local(el.tag)
        if tag == "t":
            plain = el.text
        elif tag == "r":
            run: str | None = None
            for t in el:
                if _local(t.tag) == "t":
                    run = t.text
            if run is not None:
                runs.append(run)
    if not runs:
        return plain or ""
    return "".join(([plain] if plain is not None else []) + runs)


def _shared_strings(data: Iterator[bytes], place: str) -> list[str]:
    """The shared string table, parsed as a stream: a unit's registers can make it big.

    Past `contract.MAX_SHARED_STRINGS` strings it is refused (E108) rather than held.
    openpyxl drops the `x005F_` of Excel's escaped underscores here (and only here).
    """
    whole, data = _held(data)
    if whole is not None:  # a plain table is read in one pass
        plain = sheet_fast.shared_strings(whole, contract.MAX_SHARED_STRINGS)
        if plain is not None:
            return plain
    si = MAIN + "si"
    parser = XMLPullParser(("end",))
    strings: list[str] = []

    def take() -> None:
        for _, el in parser.read_events():
            if el.tag == si:
                strings.append(_text(el).replace("x005F_", ""))
                el.clear()
        if len(strings) > contract.MAX_SHARED_STRINGS:
            raise SheetTooLarge(place, "E108", "bảng chữ dùng chung (sharedStrings) có hơn "
                                f"{format_number(contract.MAX_SHARED_STRINGS)} chuỗi",
                                f"{format_number(contract.MAX_SHARED_STRINGS)} chuỗi")

    stream(data, parser, take, place)
    return strings


def _held(data: Iterator[bytes], bounded: Callable[[bytes], bool] | None = None
          ) -> tuple[bytes | None, Iterator[bytes]]:
    """A part's bytes whole when it stays within sheet_fast.MAX_BYTES (and `bounded`,
    given each piece with the last 3 bytes of the one before), for the one-pass readers;
    else None. Either way the pieces to stream, none lost: past a bound the part is
    streamed as it inflates, never held whole."""
    pieces: list[bytes] = []
    size = 0
    tail = b""
    for piece in data:
        pieces.append(piece)
        size += len(piece)
        if size > sheet_fast.MAX_BYTES or (bounded is not None and not bounded(tail + piece)):
            return None, itertools.chain(pieces, data)
        tail = piece[-3:]
    whole = pieces[0] if len(pieces) == 1 else b"".join(pieces)
    return whole, iter((whole,))


def stream(data: Iterator[bytes], parser: XMLPullParser, take: Callable[[], None],
           place: str) -> None:
    """Feed a part to `parser` in small pieces, calling `take` after each.

    A DTD is refused anywhere in the part (across the pieces' edges too), and so is a run
    of more than `MAX_TEXT_RUN` bytes without markup: no cell's text can be that long
    (Excel's limit is 32,767 characters), and the parser would build it whole.
    """
    tail = b""
    run = 0
    for chunk in data:
        if declares_dtd(tail + chunk):
            raise ParseError("the part declares a DTD or an entity: refused")
        tail = chunk[-16:]
        for i in range(0, len(chunk), _FEED):
            piece = chunk[i:i + _FEED]
            last = piece.rfind(b"<")
            run = run + len(piece) if last < 0 else len(piece) - last
            if run > MAX_TEXT_RUN:
                raise SheetTooLarge(place, "E108", "một ô có hơn 32.767 ký tự",
                                    "32.767 ký tự một ô")
            parser.feed(piece)
            take()
    parser.close()  # a truncated part is refused here, as by any parser
    take()


def _date_cell(value: float, epoch: dt.datetime, timedelta: bool) -> tuple[str, Value]:
    try:
        return "d", from_excel(value, epoch, timedelta=timedelta)
    except (OverflowError, ValueError):
        return "e", "#VALUE!"  # openpyxl's reading of a date serial out of range


def _formula(f: Element, masters: dict[str | None, tuple[str, str]], ref: str
             ) -> str | tuple[str, str, str] | None:
    """A cell's formula as openpyxl's formula reading gives it (None: array or data table).

    A shared formula's dependants are translated from their master only when needed.
    """
    kind = f.get("t")
    text = "=" + (f.text or "")
    if kind == "shared":
        si = f.get("si")
        if si in masters:
            return ("shared", si or "", ref)
        if text != "=":
            masters[si] = (text, ref)
        return text
    if kind in ("array", "dataTable"):
        return None
    return text


def _formula_text(formula: str | tuple[str, str, str],
                  masters: dict[str | None, tuple[str, str]]) -> str:
    if isinstance(formula, str):
        return formula
    from openpyxl.formula.translate import Translator  # rare: a copy without its value

    _, si, ref = formula
    text, origin = masters[si]
    return str(Translator(text, origin).translate_formula(ref))
