"""Hostile workbooks made from a valid one by rewriting its parts: the attack corpus
(tests/test_attacks_data.py) and the benchmark (benchmarks/bench_hostile.py) share them.

Each starts from the factory's valid unit written by openpyxl, then replaces or adds XML
members directly, so that a file of a million rows or thousands of sheets is written in
a second and stays small where the attack is small (the issue's 186 KB of 5,000 sheets).
"""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path

from factory import unit_sheets, write_book

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_REL = REL_NS + "/worksheet"


def base_unit(path: Path) -> Path:
    """The factory's valid unit, as openpyxl writes it."""
    return write_book(path, unit_sheets())


def rewrite(path: Path, members: dict[str, bytes], out: Path | None = None) -> Path:
    """`path` with the given members replaced or added (others copied as they are)."""
    out = out or path
    src = zipfile.ZipFile(path).infolist()
    with zipfile.ZipFile(path) as zin:
        data = {i.filename: zin.read(i) for i in src}
    data.update(members)
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, blob in data.items():
            zout.writestr(name, blob)
    tmp.replace(out)
    return out


def sheet_part(path: Path, title: str) -> str:
    """The member name of the sheet called `title` in an openpyxl-written workbook."""
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    m = re.search(rf'<sheet[^>]*name="{re.escape(title)}"[^>]*r:id="(rId\d+)"', wb) \
        or re.search(rf'<sheet[^>]*r:id="(rId\d+)"[^>]*name="{re.escape(title)}"', wb)
    assert m, title
    target = re.search(rf'<Relationship[^>]*Id="{m.group(1)}"[^>]*Target="([^"]+)"', rels) \
        or re.search(rf'<Relationship[^>]*Target="([^"]+)"[^>]*Id="{m.group(1)}"', rels)
    assert target
    t = target.group(1)
    return t[1:] if t.startswith("/") else "xl/" + t


def same_named_sheets(path: Path, n: int, name: str = "Thông tin") -> Path:
    """`n` more sheets called `name`, every one pointing at the unit's own `name` part.

    Excel never writes two sheets of one name (ignoring case); a crafted file can, and
    each one used to be renamed by a search over all names before it (quadratic).
    """
    base_unit(path)
    part = sheet_part(path, name)
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    entries = "".join(f'<sheet xmlns:r="{REL_NS}" name="{name}" sheetId="{1000 + i}" '
                      f'r:id="rX{i}"/>' for i in range(n))
    wb = wb.replace("</sheets>", entries + "</sheets>")
    target = "/" + part
    links = "".join(f'<Relationship Id="rX{i}" Type="{SHEET_REL}" Target="{target}"/>'
                    for i in range(n))
    rels = rels.replace("</Relationships>", links + "</Relationships>")
    return rewrite(path, {"xl/workbook.xml": wb.encode(), "xl/_rels/workbook.xml.rels":
                          rels.encode()})


def merged_ranges(path: Path, n: int, sheet: str = "Văn bản", wide: bool = True) -> Path:
    """`sheet` with `n` merged ranges right of its columns: each as wide as a sheet can be
    (E:XFD) within the header search rows, one over another, or (wide=False) each one
    column over every row a sheet can have."""
    base_unit(path)
    part = sheet_part(path, sheet)
    with zipfile.ZipFile(path) as z:
        xml = z.read(part).decode()
    if wide:
        refs = [f"{_col(5 + i // 10 % 100)}{1 + i % 10}:XFD{1 + i % 10}" for i in range(n)]
    else:
        refs = [f"{_col(5 + i)}1:{_col(5 + i)}1048576" for i in range(n)]
    merges = f'<mergeCells count="{n}">' + "".join(f'<mergeCell ref="{r}"/>' for r in refs) \
        + "</mergeCells>"
    xml = re.sub(r"<mergeCells.*?</mergeCells>", "", xml, flags=re.S)
    xml = xml.replace("</sheetData>", "</sheetData>" + merges, 1)
    return rewrite(path, {part: xml.encode()})


def many_rows(path: Path, n: int, sheet: str = "Văn bản", cells_per_row: int = 4) -> Path:
    """`sheet` grown to `n` data rows of document counts (inline strings, numbers)."""
    base_unit(path)
    part, out, tail = _header_only(path, sheet)
    extra = "".join(f'<c r="{_col(5 + k)}{{r}}"><v>{k}</v></c>'
                    for k in range(max(cells_per_row - 4, 0)))
    for r in range(2, n + 2):
        out.append(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>Văn bản đi</t></is></c>'
                   f'<c r="B{r}" t="inlineStr"><is><t>Loại {r}</t></is></c>'
                   f'<c r="C{r}"><v>{r % 1000}</v></c>'
                   f'<c r="D{r}" t="inlineStr"><is><t>x</t></is></c>'
                   + extra.replace("{r}", str(r)) + "</row>")
    out.append(tail)
    return rewrite(path, {part: "".join(out).encode()})


def empty_cells(path: Path, rows: int, columns: int, sheet: str = "Văn bản") -> Path:
    """`sheet` with `rows` × `columns` more empty cells (`<c r="A100"/>`, as styled cells
    are written): many cells for few inflated bytes."""
    base_unit(path)
    part = sheet_part(path, sheet)
    with zipfile.ZipFile(path) as z:
        xml = z.read(part).decode()
    head = xml[: xml.index("</sheetData>")]
    tail = xml[xml.index("</sheetData>"):]
    out = [head]
    letters = [_col(c) for c in range(1, columns + 1)]
    for r in range(100, 100 + rows):  # references keep it under the zip guard's ratio
        out.append(f'<row r="{r}">' + "".join(f'<c r="{x}{r}"/>' for x in letters) + "</row>")
    out.append(tail)
    return rewrite(path, {part: "".join(out).encode()})


def register_rows(path: Path, n: int) -> Path:
    """The unit with a `Sổ văn bản đi` sheet of `n` registered documents, numbered 1…n."""
    sheets = unit_sheets()
    sheets["Sổ văn bản đi"] = [["Số, ký hiệu văn bản", "Ngày tháng văn bản",
                                "Tên loại và trích yếu nội dung văn bản"],
                               ["01/BC-UBND", "05/01/2021", "Báo cáo"]]
    write_book(path, sheets)
    part, out, tail = _header_only(path, "Sổ văn bản đi")
    for r in range(2, n + 2):
        out.append(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{r - 1:02d}/BC-UBND</t>'
                   f'</is></c><c r="B{r}" t="inlineStr"><is><t>05/01/2021</t></is></c>'
                   f'<c r="C{r}" t="inlineStr"><is><t>Báo cáo số {r}</t></is></c></row>')
    out.append(tail)
    return rewrite(path, {part: "".join(out).encode()})


def shared_strings(path: Path, n: int) -> Path:
    """The unit with a shared string table of `n` distinct strings (none of them used)."""
    base_unit(path)
    body = "".join(f"<si><t>{i:x}ạ</t></si>" for i in range(n))
    sst = f'<sst xmlns="{MAIN_NS}" count="{n}" uniqueCount="{n}">{body}</sst>'
    with zipfile.ZipFile(path) as z:
        types = z.read("[Content_Types].xml").decode()
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    if "sharedStrings" not in types:
        types = types.replace("</Types>", f'<Override PartName="/xl/sharedStrings.xml" '
                              f'ContentType="{kind}"/></Types>')
    return rewrite(path, {"xl/sharedStrings.xml": sst.encode(),
                          "[Content_Types].xml": types.encode()})


def long_text(path: Path, chars: int, sheet: str = "Căn cứ") -> Path:
    """One more basis (`Căn cứ!A50`) of `chars` characters (Excel stops at 32,767),
    random enough that it does not compress past the zip guard's ratio."""
    base_unit(path)
    part = sheet_part(path, sheet)
    with zipfile.ZipFile(path) as z:
        xml = z.read(part).decode()
    text = "".join(random.Random(chars).choices("ạảãàáâậầấẩẫăắằặẳẵêếềệểễ0123456789", k=chars))
    row = f'<row r="50"><c r="A50" t="inlineStr"><is><t>{text}</t></is></c></row>'
    return rewrite(path, {part: xml.replace("</sheetData>", row + "</sheetData>").encode()})


def _header_only(path: Path, sheet: str) -> tuple[str, list[str], str]:
    """The sheet's part, its XML up to and with its first (header) row, and what follows
    its rows: new rows go between the two."""
    part = sheet_part(path, sheet)
    with zipfile.ZipFile(path) as z:
        xml = z.read(part).decode()
    head = xml[: xml.index("<sheetData>") + len("<sheetData>")]
    first = re.search(r"<row .*?</row>", xml, re.S)
    assert first
    return part, [head, first.group(0)], xml[xml.index("</sheetData>"):]


def _col(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
