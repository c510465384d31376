"""Excel 97-2003 workbooks (.xls): what the OLE2 container holds, and the shape of every
sheet from the records of its BIFF stream, read before calamine opens the file.

calamine reserves what a sheet's DIMENSIONS record declares and then the rectangle of its
cells: a forged record aborts the process (measured: a 13 KB file, 43 TB asked, exit 134).
Both are checked here first, with the container's header fields calamine trusts (FAT and
DIFAT lengths) and the DIFAT chain it follows without a loop check. Reading the records is
cheap: four bytes of header each, the row and column of a cell, the flags of a row.
"""

from __future__ import annotations

import struct
from pathlib import Path

from .shapes import MAX_CELLS, MAX_COLUMNS, Shape, TooLarge, merged_range

STREAMS = ("Workbook", "Book")  # BIFF8 (Excel 97-2003), then BIFF5 (Excel 5/95)
ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
          0x24: "#NUM!", 0x2A: "#N/A"}
_STATES = {0: "visible", 1: "hidden", 2: "veryHidden"}
# Records whose first four bytes are the row and column of a value calamine keeps.
_CELLS = frozenset({0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006})


class Encrypted(Exception):
    """A FILEPASS record: the workbook is protected by a password."""


def other_document(names: list[str]) -> str | None:
    """What an OLE2 file that is not a workbook is, in Vietnamese, for the message."""
    if "WordDocument" in names:
        return "tệp Word 97-2003 (.doc)"
    if "PowerPoint Document" in names:
        return "tệp PowerPoint 97-2003 (.ppt)"
    if not any(s in names for s in STREAMS):
        return "tệp Office 97-2003 không chứa sổ tính"
    return None


def stream(path: Path) -> tuple[list[str], bytes]:
    """The container's stream names and the workbook stream (b"" when there is none).

    olefile refuses a damaged container with an exception (it follows every chain with
    a bound); the header fields calamine uses without one are checked here too.
    """
    import olefile

    data = path.read_bytes()
    _check_header(data)
    with olefile.OleFileIO(data) as ole:
        names = ["/".join(parts) for parts in ole.listdir()]
        for name in STREAMS:
            if ole.exists(name):
                return names, ole.openstream(name).read()
    return names, b""


def _check_header(data: bytes) -> None:
    """The FAT and DIFAT sizes calamine reserves, and its DIFAT chain, kept in the file."""
    if len(data) < 512:
        raise ValueError("OLE2 header cut short")
    shift = struct.unpack_from("<H", data, 30)[0]
    if shift not in (9, 12):
        raise ValueError(f"sector shift {shift}")
    size = 1 << shift
    sectors = len(data) // size + 1
    fat_len = struct.unpack_from("<I", data, 44)[0]
    # calamine reads the DIFAT's length from bytes 62-65 (half of two other fields): real
    # files give up to a few hundred thousand entries; it reserves four bytes for each.
    difat_len = struct.unpack_from("<I", data, 62)[0]
    if fat_len > sectors:
        raise TooLarge(fat_len * size)
    if difat_len > 1 << 26:
        raise TooLarge(difat_len)
    sector = struct.unpack_from("<I", data, 68)[0]
    seen: set[int] = set()
    while sector < 0xFFFFFFFA:  # calamine follows this chain to its end, loops included
        if sector in seen or sector >= sectors:
            raise ValueError("DIFAT chain loops or leaves the file")
        seen.add(sector)
        at = (sector + 1) * size + size - 4
        if at + 4 > len(data):
            raise ValueError("DIFAT sector past the end of the file")
        sector = struct.unpack_from("<I", data, at)[0]


def _records(data: bytes, pos: int):
    """(type, body) of each record from `pos`, to the end of the stream."""
    end = len(data)
    unpack = struct.unpack_from
    while pos + 4 <= end:
        typ, length = unpack("<HH", data, pos)
        body = data[pos + 4:pos + 4 + length]
        pos += 4 + length
        yield typ, body


def shapes(data: bytes) -> list[Shape]:
    """Every sheet's shape, in workbook order (calamine's); Encrypted for a password,
    TooLarge for a sheet (or what it declares) beyond MAX_CELLS, ValueError when the
    stream is not BIFF."""
    if len(data) < 8 or struct.unpack_from("<H", data, 0)[0] != 0x0809:
        raise ValueError("the workbook stream does not start with a BOF record")
    sheets: list[tuple[int, Shape]] = []
    for typ, body in _records(data, 0):
        if typ == 0x000A:  # EOF of the workbook globals
            break
        if typ == 0x002F and len(body) >= 2 and struct.unpack_from("<H", body)[0] != 0:
            raise Encrypted
        if typ == 0x0085 and len(body) >= 6:  # BOUNDSHEET: offset, state, type, name
            pos = struct.unpack_from("<I", body)[0]
            sheets.append((pos, Shape("", _STATES.get(body[4] & 3, "hidden"))))
    total = 0
    for pos, shape in sheets:
        _sheet(data, pos, shape)
        total += shape.cells
        if total > MAX_CELLS:
            raise TooLarge(total)
    return [shape for _, shape in sheets]


def _sheet(data: bytes, pos: int, shape: Shape) -> None:
    """Read one sheet's records as calamine walks them (nested substreams skipped)."""
    unpack = struct.unpack_from
    depth = 0
    seen_bof = False
    max_row = max_col = 0
    fmla: tuple[int, int] = (0, 0)
    for typ, body in _records(data, pos):
        if depth:
            depth += typ == 0x0809
            depth -= typ == 0x000A
            continue
        if typ == 0x0809:
            depth += seen_bof
            seen_bof = True
        elif typ == 0x000A:
            break
        elif typ == 0x0200:  # DIMENSIONS: calamine reserves this rectangle
            _dimensions(body)
        elif typ in _CELLS and len(body) >= 4:
            row, col = unpack("<HH", body)
            max_row, max_col = max(max_row, row + 1), max(max_col, col + 1)
            if typ == 0x0205 and len(body) >= 8 and body[7] == 1:
                shape.errors[(row + 1, col + 1)] = ERRORS.get(body[6], "#VALUE!")
            elif typ == 0x0006 and len(body) >= 14:
                fmla = (row, col)
                if body[6] == 2 and body[12:14] == b"\xff\xff":
                    shape.errors[(row + 1, col + 1)] = ERRORS.get(body[8], "#VALUE!")
        elif typ == 0x00BD and len(body) >= 6:  # MULRK: row, first column, …, last column
            row, first = unpack("<HH", body)
            last = max(unpack("<H", body, len(body) - 2)[0], first + (len(body) - 6) // 6)
            max_row, max_col = max(max_row, row + 1), max(max_col, last + 1)
        elif typ == 0x0207:  # STRING: the text result of the formula before it
            max_row, max_col = max(max_row, fmla[0] + 1), max(max_col, fmla[1] + 1)
        elif typ == 0x0208 and len(body) >= 14:  # ROW: fDyZero is a hidden row
            if unpack("<H", body, 12)[0] & 0x20:
                shape.hidden.add(unpack("<H", body)[0] + 1)
        elif typ == 0x00E5 and len(body) >= 2:  # MERGECELLS
            count = min(unpack("<H", body)[0], (len(body) - 2) // 8)
            for i in range(count):
                r1, r2, c1, c2 = unpack("<HHHH", body, 2 + 8 * i)
                if r1 <= r2 and c1 <= c2 and (merged := merged_range(
                        r1 + 1, c1 + 1, r2 + 1, c2 + 1)) is not None:
                    shape.merged.append(merged)
        if max_row * max_col > MAX_CELLS:
            raise TooLarge(max_row * max_col)
        if max_col > MAX_COLUMNS:  # past XFD: no A1 reference names it
            raise ValueError(f"a cell in column {max_col}")
    shape.max_row, shape.max_column = max_row, max_col


def _dimensions(body: bytes) -> None:
    """The rectangle calamine reserves for a DIMENSIONS record, refused when too large."""
    if len(body) == 10:
        rf, rl, cf, cl = struct.unpack_from("<HHHH", body)
    elif len(body) == 14:
        rf, rl, cf, cl = struct.unpack_from("<IIHH", body)
    else:
        return  # calamine refuses the record with an error of its own
    if cf > 0xFF or cl < cf:
        cf = 0
    if rl >= 1 and cl >= 1:
        rows, cols = rl - rf + 1, cl - cf + 1
        if rows < 0:  # calamine's subtraction wraps to four billion rows
            rows += 1 << 32
        if rows * cols > MAX_CELLS:
            raise TooLarge(rows * cols)
