"""The shape of every sheet of an .ods (OpenDocument, what LibreOffice saves), from one
streaming pass over its content.xml: extents with repeated rows and columns counted, not
expanded; merged ranges; hidden rows; error cells; formulas never calculated.

LibreOffice writes a sheet's unused rows and columns as one element repeated a million
times (`table:number-rows-repeated="1048553"`): only repeats of filled cells extend a
sheet, as they do in calamine, so the count here is calamine's rectangle.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import ParseError, XMLPullParser

from .guards import declares_dtd
from .shapes import MAX_CELLS, Shape, TooLarge

MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
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
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384  # calamine caps repeats at Excel's limits


def _count(value: str | None) -> int:
    if value is None:
        return 1
    number = int(value)  # ValueError: a damaged file
    if number < 1:
        raise ValueError(f"repeat count {value}")
    return number


def shapes(path: Path) -> list[Shape]:
    """Every sheet's shape; TooLarge as soon as the sheets pass MAX_CELLS, ParseError or
    ValueError for damaged XML, KeyError without content.xml."""
    with zipfile.ZipFile(path) as zf, zf.open("content.xml") as fh:
        return _scan(fh)


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
                n = min(_count(el.get(A_COLS)), MAX_COLUMNS - col)
                kind = el.get(A_TYPE)
                formula = el.get(A_FORMULA)
                if kind is not None or len(el) or formula is not None:
                    row_filled = True
                    sheet.max_column = max(sheet.max_column, col + n)
                    r1, c1 = row + 1, col + 1
                    if el.get(A_CALC_TYPE) == "error":
                        text = "".join(el.itertext()).strip() or "#VALUE!"
                        for c in range(c1, c1 + min(n, 64)):
                            sheet.errors[(r1, c)] = text
                    elif formula is not None and kind is None:
                        sheet.formulas[(r1, c1)] = "=" + formula.partition("=")[2]
                if tag == T_CELL:
                    span_c, span_r = _count(el.get(A_SPAN_C)), _count(el.get(A_SPAN_R))
                    if span_c > 1 or span_r > 1:
                        sheet.merged.append((row + 1, col + 1, row + span_r,
                                             col + span_c))
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
