"""The shape of every sheet of an .ods (OpenDocument, what LibreOffice saves), from one
pass over its content.xml: extents with repeated rows and columns counted, not expanded;
merged ranges; hidden rows; error cells; formulas never calculated. The usual content.xml
is read from the text of its tags (`_scan_plain`), anything else as XML events (`_scan`);
tests compare both.

LibreOffice writes a sheet's unused rows and columns as one element repeated a million
times (`table:number-rows-repeated="1048553"`): only repeats of filled cells extend a
sheet, as they do in calamine, so the count here is calamine's rectangle.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import ParseError, XMLPullParser

from .guards import declares_dtd
from .shapes import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, Shape, TooLarge, merged_range

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
T_TABLE, T_ROW, T_CELL, T_COVERED = (f"{{{_TABLE}}}{t}" for t in (
    "table", "table-row", "table-cell", "covered-table-cell"))
A_NAME, A_ROWS, A_COLS, A_SPAN_C, A_SPAN_R, A_VIS, A_FORMULA = (f"{{{_TABLE}}}{a}" for a in (
    "name", "number-rows-repeated", "number-columns-repeated", "number-columns-spanned",
    "number-rows-spanned", "visibility", "formula"))
A_TYPE = f"{{{_OFFICE}}}value-type"
A_CALC_TYPE = f"{{{_CALCEXT}}}value-type"


def _count(value: str | None) -> int:
    if value is None:
        return 1
    number = int(value)  # ValueError: a damaged file
    if number < 1:
        raise ValueError(f"repeat count {value}")
    return number


def shapes(path: Path) -> list[Shape]:
    """Every sheet's shape; TooLarge as soon as the sheets pass MAX_CELLS, ParseError or
    ValueError for damaged XML, KeyError without content.xml.

    The content as LibreOffice, Excel and most writers write it (the usual prefixes, no
    comment, no table inside a cell) is read with regular expressions, five to ten times
    faster than XML events on a register of tens of thousands of rows; anything else is
    parsed as XML.
    """
    with zipfile.ZipFile(path) as zf:
        if zf.getinfo("content.xml").file_size <= FAST_LIMIT:
            data = zf.read("content.xml")  # its prolog passed guards.inspect (no DTD)
            found = _scan_plain(data)
            if found is not None:
                return found
        with zf.open("content.xml") as fh:
            return _scan(fh)


FAST_LIMIT = 256 << 20  # content.xml read whole up to this size (the zip guard caps it)
_PREFIXES = (b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"',
             b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"')
_CALCEXT_NS = (b'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:'
               b'calcext:1.0"')
_TABLE_START = re.compile(rb"<table:table(?=[\s/>])([^>]*?)(/?)>")
_ROW_START = re.compile(rb"<table:table-row(?![\w.-])([^>]*)>")
_CELL_TAG = re.compile(rb"<table:(covered-)?table-cell(?![\w.-])([^>]*)>")
_REPEATS = re.compile(rb'number-columns-repeated="(\d+)"')
_ERROR_CELL = re.compile(rb'<table:table-cell\b[^>]*?calcext:value-type="error"[^>]*?'
                         rb"(?:/>|>(.*?)</table:table-cell>)", re.S)
_ATTR = {name: re.compile(rb"\b" + name.encode() + rb'="([^"]*)"') for name in (
    "table:name", "table:number-rows-repeated", "table:number-columns-repeated",
    "table:number-columns-spanned", "table:number-rows-spanned", "table:visibility",
    "table:formula")}
_TAGS = re.compile(rb"<[^>]*>")


def _attr(attrs: bytes, name: str) -> str | None:
    m = _ATTR[name].search(attrs)
    return None if m is None else html.unescape(m.group(1).decode("utf-8"))


def _scan_plain(data: bytes) -> list[Shape] | None:
    """`_scan` for the usual content.xml, from its tags' text; None when it is not plain."""
    head = data[:data.find(b">", data.find(b"<office:document-content")) + 1]
    if not all(p in head for p in _PREFIXES) or b"<!--" in data or b"<![CDATA[" in data \
            or (b"calcext:" in data and _CALCEXT_NS not in head) or b"'" in head:
        return None
    sheets: list[Shape] = []
    total = 0
    pos = 0
    while (m := _TABLE_START.search(data, pos)) is not None:
        end = data.find(b"</table:table>", m.end()) if not m.group(2) else m.end()
        if end < 0:
            raise ParseError("content.xml ends inside a table")
        body = data[m.end():end]
        if _TABLE_START.search(body) is not None or b"='" in body:
            return None  # a table inside a cell, single-quoted attributes: the XML way
        sheet = Shape(_attr(m.group(1), "table:name") or "")
        sheets.append(sheet)
        _rows(body, sheet, total)
        total += sheet.cells
        pos = end
    return sheets


def _rows(body: bytes, sheet: Shape, total: int) -> None:
    """One table's rows (see `_scan` for the rules): the body split at each row's end, a
    row's width from counting its cell tags and repeats, its trailing empty cells left out;
    cell by cell only for the rows that hold a merge, an error or a formula."""
    errors = iter(_ERROR_CELL.findall(body)) if b'"error"' in body else iter(())
    any_slow = b"spanned" in body or b'"error"' in body or b"table:formula" in body
    row = 0
    chunks = body.split(b"</table:table-row>")
    for i, chunk in enumerate(chunks):
        at = chunk.rfind(b"<table:table-row")
        if at < 0:
            continue
        if chunk.find(b"<table:table-row") != at or i == len(chunks) - 1:
            # rows without content (`<table:table-row …/>`) or groups before this row
            for m in _ROW_START.finditer(chunk):
                if m.group(1).endswith(b"/"):
                    row += _repeat(m.group(1), row)
            if i == len(chunks) - 1:
                break
        end = chunk.find(b">", at)
        attrs, cells = chunk[at + 16:end], chunk[end + 1:]
        repeat = _repeat(attrs, row) if b"rows-repeated" in attrs else 1
        if any_slow and (b"spanned" in cells or b'"error"' in cells
                         or b"table:formula" in cells):
            width = _cells(cells, sheet, row, errors)
        else:
            width = _width(cells)
        if width:
            sheet.max_column = max(sheet.max_column, width)
            sheet.max_row = row + repeat
            if total + sheet.cells > MAX_CELLS:
                raise TooLarge(total + sheet.cells)
            if b"table:visibility" in attrs and _attr(attrs, "table:visibility") in (
                    "collapse", "filter"):
                sheet.hidden.update(range(row + 1, row + repeat + 1))
        row += repeat


def _repeat(attrs: bytes, row: int) -> int:
    return min(_count(_attr(attrs, "table:number-rows-repeated")), MAX_ROWS - row)


def _width(cells: bytes) -> int:
    """The columns up to a row's last filled cell: the cells' count plus their repeats,
    the empty cells after the last filled one (LibreOffice repeats one to column XFD)
    left out."""
    while cells.endswith(b"/>"):  # the last cell has no content: empty unless it has a value
        at = cells.rfind(b"<")
        if b"office:value-type" in cells[at:]:
            break
        cells = cells[:at]
    # Inside a row, every `table:` element is a cell or a covered cell (nested tables and
    # the rare others only make the count larger, never smaller).
    count = cells.count(b"<table:")
    for n in _REPEATS.findall(cells):
        count += min(_count(n.decode()), MAX_COLUMNS) - 1
    return min(count, MAX_COLUMNS)


def _cells(cells: bytes, sheet: Shape, row: int, errors: Iterator[bytes]) -> int:
    """A row read cell by cell: its merges, errors and formulas; its width."""
    col = width = 0
    for covered, attrs in _CELL_TAG.findall(cells):
        closed = attrs.endswith(b"/")
        n = 1
        if b"columns-repeated" in attrs:
            n = max(0, min(_count(_attr(attrs, "table:number-columns-repeated")),
                           MAX_COLUMNS - col))
        if not closed or b"office:value-type" in attrs or b"table:formula" in attrs:
            width = col + n
            if b'calcext:value-type="error"' in attrs and not covered:
                inner = next(errors, b"") or b""
                text = html.unescape(_TAGS.sub(b"", inner).decode("utf-8")).strip()
                for c in range(col + 1, col + 1 + min(n, 64)):
                    sheet.errors[(row + 1, c)] = text or "#VALUE!"
            elif b"table:formula" in attrs and b"office:value-type" not in attrs:
                formula = _attr(attrs, "table:formula") or ""
                sheet.formulas[(row + 1, col + 1)] = "=" + formula.partition("=")[2]
        if b"spanned" in attrs and not covered:
            span_c = _count(_attr(attrs, "table:number-columns-spanned"))
            span_r = _count(_attr(attrs, "table:number-rows-spanned"))
            if (span_c > 1 or span_r > 1) and (merged := merged_range(
                    row + 1, col + 1, row + span_r, col + span_c)) is not None:
                sheet.merged.append(merged)
        col += n
    return min(width, MAX_COLUMNS)


def _scan(fh: IO[bytes]) -> list[Shape]:
    parser = XMLPullParser(("start", "end"))
    sheets: list[Shape] = []
    sheet: Shape | None = None
    depth = 0  # tables inside a cell (charts' data) are not sheets
    row = 0  # rows before the current one
    repeat = 1
    col = 0
    row_filled = False
    total = 0  # cells of the sheets before the current one
    tail = b""
    while chunk := fh.read(1 << 20):
        if declares_dtd(tail + chunk):
            raise ParseError("content.xml declares a DTD or an entity: refused")
        tail = chunk[-16:]
        parser.feed(chunk)
        for event, el in parser.read_events():
            tag = el.tag
            if event == "start":
                if tag == T_TABLE:
                    depth += 1
                    if depth == 1:
                        sheet = Shape(el.get(A_NAME, ""))
                        sheets.append(sheet)
                        row = 0
                elif tag == T_ROW and depth == 1:
                    repeat = min(_count(el.get(A_ROWS)), MAX_ROWS - row)
                    col, row_filled = 0, False
                continue
            if depth != 1 or sheet is None:
                if tag == T_TABLE:
                    depth -= 1
                continue
            if tag in (T_CELL, T_COVERED):
                n = max(0, min(_count(el.get(A_COLS)), MAX_COLUMNS - col))
                kind = el.get(A_TYPE)
                formula = el.get(A_FORMULA)
                if kind is not None or len(el) or formula is not None:
                    row_filled = True
                    sheet.max_column = min(max(sheet.max_column, col + n), MAX_COLUMNS)
                    r1, c1 = row + 1, col + 1
                    if el.get(A_CALC_TYPE) == "error":
                        text = "".join(el.itertext()).strip() or "#VALUE!"
                        for c in range(c1, c1 + min(n, 64)):
                            sheet.errors[(r1, c)] = text
                    elif formula is not None and kind is None:
                        sheet.formulas[(r1, c1)] = "=" + formula.partition("=")[2]
                if tag == T_CELL:
                    span_c, span_r = _count(el.get(A_SPAN_C)), _count(el.get(A_SPAN_R))
                    if (span_c > 1 or span_r > 1) and (merged := merged_range(
                            row + 1, col + 1, row + span_r, col + span_c)) is not None:
                        sheet.merged.append(merged)
                col += n
                el.clear()
            elif tag == T_ROW:
                if row_filled:
                    sheet.max_row = row + repeat
                    if total + sheet.cells > MAX_CELLS:
                        raise TooLarge(total + sheet.cells)
                    if el.get(A_VIS) in ("collapse", "filter"):  # filled rows only
                        sheet.hidden.update(range(row + 1, row + repeat + 1))
                row += repeat
                el.clear()
            elif tag == T_TABLE:
                depth -= 1
                total += sheet.cells
                el.clear()
    parser.close()
    return sheets
