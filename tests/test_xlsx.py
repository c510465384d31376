"""The lean reader against openpyxl: the same workbooks must give the same Book and issues.

`openpyxl_reader.read_book` is the reader the package used before (openpyxl's data-only
load plus a read-only pass for formulas); `baocao_cli.read.book.read_book` now reads the sheet
XML itself. Both read: the example, the factory's unit and every workbook of the
bad-workbook corpus, workbooks edited with openpyxl (merged cells, hidden rows, formulas),
and hand-written parts in other writers' styles (`x:` prefixes, shared strings, cells
without references, inline rich text, shared formulas, ISO dates, the 1904 date system,
damaged parts). Every table, row and cell is compared, value types included.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import openpyxl_reader
import pytest
from factory import two_line_header, unit_sheets, write_book
from hypothesis import given, settings
from hypothesis import strategies as st
from test_bad_workbooks import ERRORS, UNUSABLE, WARNINGS, Case, write_case

from baocao_cli import api
from baocao_cli.read import excel, xlsx
from baocao_cli.read.book import Book, read_book

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "so-ldtbxh-ha-tinh-2021.xlsx"
# openpyxl warns about what hand-written parts leave out (default style, sheet views)
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _book(book: Book | None) -> Any:
    """Everything a Book holds, with each value's type (1, 1.0 and True compare equal)."""
    if book is None:
        return None
    return {key: (t.sheet, t.spec.key, t.header_row, t.columns, t.hidden,
                  [(r.number, r.hidden, {k: (type(c.value), c.value, c.ref, c.formula, c.error)
                                         for k, c in r.cells.items()}) for r in t.rows])
            for key, t in book.tables.items()}


def assert_same(path: Path) -> tuple[Book | None, list[Any]]:
    new_book, new_issues = read_book(path)
    old_book, old_issues = openpyxl_reader.read_book(path)
    assert _book(new_book) == _book(old_book)
    assert [(i.code, i.message) for i in new_issues] == [(i.code, i.message) for i in old_issues]
    return new_book, new_issues


# ---------------------------------------------------------------- workbooks written by openpyxl

def test_example_reads_the_same() -> None:
    book, issues = assert_same(EXAMPLE)
    assert book is not None and len(book.tables) == 7 and issues == []


def test_factory_unit_reads_the_same(tmp_path: Path) -> None:
    titles = {"Văn bản": [["SỐ LIỆU VĂN BẢN"], [], ["(đơn vị: văn bản)"]]}
    assert_same(write_book(tmp_path / "u.xlsx", unit_sheets()))
    assert_same(write_book(tmp_path / "t.xlsx", unit_sheets(), title_rows=titles))


@pytest.mark.parametrize("case", ERRORS + WARNINGS, ids=lambda c: c.id)
def test_bad_workbook_corpus_reads_the_same(tmp_path: Path, case: Case) -> None:
    assert_same(write_case(tmp_path / "don-vi.xlsx", case))


@pytest.mark.parametrize("make_file", [u[1] for u in UNUSABLE], ids=[u[0] for u in UNUSABLE])
def test_unusable_files_read_the_same(tmp_path: Path, make_file: Callable[[Path], Path]
                                      ) -> None:
    book, issues = assert_same(make_file(tmp_path))
    assert book is None and len(issues) == 1


def _edited(path: Path, edit: Callable[[Any], None]) -> Path:
    write_book(path, unit_sheets())
    wb = openpyxl.load_workbook(path)
    edit(wb)
    wb.save(path)
    return path


def _many(wb: Any) -> None:
    """Formulas, merges, hidden rows, dates, times, a hidden sheet."""
    vb, cd, tt = wb["Văn bản"], wb["Chấm điểm"], wb["Thông tin"]
    vb["C3"] = "=C2*2"
    vb["C4"] = "=SUM(C2:C3)"
    vb.merge_cells("A2:A3")
    vb.row_dimensions[4].hidden = True
    vb["E1"] = "Cột lạ"
    vb["F9"] = None  # an empty cell stretching max_row
    cd.merge_cells("B1:B2")
    cd.merge_cells("F3:G3")
    tt["B8"] = dt.date(2022, 1, 5)
    tt["C8"] = dt.time(7, 30)
    tt["C9"] = dt.timedelta(hours=30)
    tt["C10"] = True
    tt["C11"] = 1.5e-7
    tt["C12"] = 10 ** 15
    wb["Căn cứ"].sheet_state = "veryHidden"
    wb["Nơi nhận"].merge_cells("A1:C1")
    wb["Nơi nhận"].row_dimensions[2].hidden = True


EDITS: dict[str, Callable[[Any], None]] = {
    "two-line-header": two_line_header,
    "many": _many,
    "merged-over-data": lambda wb: wb["Nội dung"].merge_cells("A2:B3"),
    "merged-title": lambda wb: (wb["Chỉnh lý"].insert_rows(1),
                                wb["Chỉnh lý"].merge_cells("A1:H1")),
    "header-moved-down": lambda wb: wb["Văn bản"].insert_rows(1, 9),
    "header-too-low": lambda wb: wb["Văn bản"].insert_rows(1, 10),
    "formula-in-header": lambda wb: wb["Văn bản"].__setitem__("B1", "=A1"),
    "empty-sheet": lambda wb: wb["Nơi nhận"].delete_rows(1, 10),
    "sheet-renamed": lambda wb: setattr(wb["Văn bản"], "title", "VĂN_BẢN"),
}


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_workbooks_edited_with_openpyxl_read_the_same(tmp_path: Path, edit: str) -> None:
    assert_same(_edited(tmp_path / "u.xlsx", EDITS[edit]))


# ---------------------------------------------------------------- hand-written parts

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKSHEET = f"{REL}/worksheet"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _ns(p: str) -> str:
    return f'xmlns:{p[:-1]}="{MAIN}"' if p else f'xmlns="{MAIN}"'


def sheet_xml(rows: str, *, p: str = "", after: str = "") -> str:
    return (f"{DECL}<{p}worksheet {_ns(p)} xmlns:r=\"{REL}\"><{p}sheetData>{rows}"
            f"</{p}sheetData>{after}</{p}worksheet>")


def header(names: list[str], r: int = 1, p: str = "") -> str:
    cells = "".join(f'<{p}c r="{chr(65 + i)}{r}" t="inlineStr"><{p}is><{p}t>{n}</{p}t></{p}is>'
                    f"</{p}c>" for i, n in enumerate(names))
    return f'<{p}row r="{r}">{cells}</{p}row>'


VB_HEADER = ["Nhóm", "Loại văn bản", "Số lượng", "Ghi chú"]


def package(path: Path, sheets: list[tuple[str, str | None]], *, p: str = "",
            strings: list[str] | None = None, styles: str | None = None,
            workbook_pr: str = "", states: dict[str, str] | None = None,
            targets: dict[int, str] | None = None, strings_part: str = "xl/sharedStrings.xml",
            replace: dict[str, bytes | None] | None = None) -> Path:
    """A workbook from hand-written parts (sheet XML None: the part is left out)."""
    parts: dict[str, bytes | None] = {}
    overrides = [("/xl/workbook.xml", xlsx.WORKBOOK_TYPES[3])]
    entries, rels = [], []
    for i, (name, xml) in enumerate(sheets, start=1):
        state = f' state="{states[name]}"' if states and name in states else ""
        entries.append(f'<{p}sheet name="{name}" sheetId="{i}"{state} r:id="rId{i}"/>')
        target = (targets or {}).get(i, f"worksheets/sheet{i}.xml")
        rels.append(f'<Relationship Id="rId{i}" Type="{WORKSHEET}" Target="{target}"/>')
        if xml is not None:
            parts[f"xl/worksheets/sheet{i}.xml"] = xml.encode()
    if strings is not None:
        parts[strings_part] = (f'{DECL}<{p}sst {_ns(p)} count="{len(strings)}">'
                               + "".join(f"<{p}si>{s}</{p}si>" for s in strings)
                               + f"</{p}sst>").encode()
        overrides.append((f"/{strings_part}", xlsx.SHARED_STRINGS))
    if styles is not None:
        parts["xl/styles.xml"] = f"{DECL}<{p}styleSheet {_ns(p)}>{styles}</{p}styleSheet>".encode()
    parts["xl/workbook.xml"] = (f'{DECL}<{p}workbook {_ns(p)} xmlns:r="{REL}">{workbook_pr}'
                                f"<{p}sheets>{''.join(entries)}</{p}sheets></{p}workbook>"
                                ).encode()
    parts["xl/_rels/workbook.xml.rels"] = (f'{DECL}<Relationships xmlns="{PKG}">'
                                           f"{''.join(rels)}</Relationships>").encode()
    parts["[Content_Types].xml"] = (
        f'{DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{n}" ContentType="{t}"/>' for n, t in overrides)
        + "</Types>").encode()
    parts.update(replace or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            if data is not None:
                zf.writestr(name, data)
    return path


DATE_STYLES = ('<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
               '<numFmt numFmtId="165" formatCode="[h]:mm:ss"/></numFmts>'
               '<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>'
               '<xf numFmtId="165"/><xf numFmtId="20"/><xf numFmtId="4"/></cellXfs>')


def _prefixed(tmp: Path) -> Path:
    """An `x:`-prefixed workbook with shared strings, as some .NET writers produce."""
    x = "x:"
    strings = ["<x:t>Nhóm</x:t>", "<x:t>Loại văn bản</x:t>",
               '<x:r><x:t>Số </x:t></x:r><x:r><x:rPr><x:b/></x:rPr><x:t>lượng</x:t></x:r>',
               "<x:t>Văn bản đi</x:t><x:rPh sb=\"0\" eb=\"1\"><x:t>ぶん</x:t></x:rPh>",
               "<x:t xml:space=\"preserve\">  Quyết định &amp; x005F_x0007_ </x:t>",
               "<x:t>Ghi chú</x:t>", "<x:t/>"]
    rows = ('<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v>'
            '</x:c><x:c r="C1" t="s"><x:v>2</x:v></x:c><x:c r="D1" t="s"><x:v>5</x:v></x:c>'
            '</x:row>'
            '<x:row r="2"><x:c r="A2" t="s"><x:v>3</x:v></x:c><x:c r="B2" t="s"><x:v>4</x:v>'
            '</x:c><x:c r="C2"><x:v>120</x:v></x:c><x:c r="D2" t="s"><x:v>6</x:v></x:c></x:row>'
            '<x:row r="3"><x:c r="A3" t="s"><x:v>3</x:v></x:c><x:c t="inlineStr"><x:is><x:r>'
            '<x:t>Báo </x:t></x:r><x:r><x:t>cáo</x:t></x:r></x:is></x:c><x:c s="5"><x:v>4.5E1'
            '</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c></x:row>'
            '<x:row spans="1:4"><x:c t="str"><x:f>A2</x:f><x:v>Văn bản đi</x:v></x:c>'
            '<x:c t="inlineStr"><x:is><x:t>Công văn</x:t><x:rPh sb="0" eb="1"><x:t>x</x:t>'
            '</x:rPh></x:is></x:c><x:c><x:f>C2*2</x:f></x:c><x:c t="e"><x:v>#N/A</x:v></x:c>'
            '</x:row>'
            '<x:row r="7" hidden="true"><x:c r="A7" t="s"><x:v>3</x:v></x:c><x:c r="B7" '
            't="inlineStr"><x:is><x:t>Tờ trình</x:t></x:is></x:c><x:c r="C7" s="1"><x:v>'
            '44562</x:v></x:c><x:c r="D7" s="3"><x:v>1.25</x:v></x:c></x:row>'
            '<x:row r="8" hidden="0" ht="20" customHeight="1"><x:c r="A8" t="s"><x:v>3</x:v>'
            '</x:c><x:c r="B8" t="d"><x:v>2021-12-31T08:30:00</x:v></x:c><x:c r="C8" t="d">'
            '<x:v>2021-12-31</x:v></x:c><x:c r="D8" t="d"><x:v>08:30</x:v></x:c></x:row>'
            '<x:row r="9"><x:c r="A9" t="s"><x:v>3</x:v></x:c><x:c r="B9" s="4"><x:v>0.5</x:v>'
            '</x:c><x:c r="C9" s="2"><x:v>59</x:v></x:c><x:c r="D9" s="2"><x:v>61.75</x:v>'
            '</x:c></x:row>'
            '<x:row r="10"><x:c r="A10"><x:v>-0</x:v></x:c><x:c r="B10"><x:v>1e3</x:v></x:c>'
            '<x:c r="C10"><x:v></x:v></x:c><x:c r="D10" s="2"><x:v>1E+10</x:v></x:c></x:row>')
    return package(tmp / "x.xlsx", [("V&#x103;n b&#x1EA3;n", sheet_xml(rows, p=x)),
                                    ("Ghi chú &amp; khác", sheet_xml("", p=x))],
                   p=x, strings=strings, styles=DATE_STYLES)


def _shared_formulas(tmp: Path) -> Path:
    rows = (header(VB_HEADER)
            + '<row r="2"><c r="A2" t="inlineStr"><is><t>Văn bản đi</t></is></c>'
            '<c r="C2"><f t="shared" ref="C2:C4" si="0">D2+1</f><v>3</v></c></row>'
            '<row r="3"><c r="A3" t="inlineStr"><is><t>Văn bản đi</t></is></c>'
            '<c r="C3"><f t="shared" si="0"/></c></row>'
            '<row r="4"><c r="A4" t="inlineStr"><is><t>Văn bản đến</t></is></c>'
            '<c r="C4"><f t="shared" si="0"/><v>5</v></c><c r="D4"><f t="array" ref="D4">'
            'SUM(A1:A2)</f></c></row>'
            '<row r="5"><c r="A5"><f t="shared" si="7"/></c><c r="C5"><f/></c></row>')
    return package(tmp / "f.xlsx", [("Văn bản", sheet_xml(rows))])


def _epoch_1904(tmp: Path) -> Path:
    rows = (header(["Mã", "Giá trị"]) + '<row r="2"><c r="A2" t="inlineStr"><is><t>ngay</t>'
            '</is></c><c r="B2" s="1"><v>43830</v></c></row><row r="3"><c r="A3" '
            't="inlineStr"><is><t>nam</t></is></c><c r="B3" s="2"><v>0.75</v></c></row>')
    return package(tmp / "m.xlsx", [("Thông tin", sheet_xml(rows))], styles=DATE_STYLES,
                   workbook_pr='<workbookPr date1904="1"/>')


def _cells_without_refs(tmp: Path) -> Path:
    """Rows and cells without `r`: positions follow the previous ones, as Excel reads them."""
    rows = ("<row><c t=\"inlineStr\"><is><t>Mã</t></is></c><c t=\"inlineStr\"><is><t>Giá trị"
            "</t></is></c></row><row/><row><c t=\"inlineStr\"><is><t>nam</t></is></c><c><v>2021"
            '</v></c></row><row r="6"><c r="B6"><v>1</v></c><c><v>2</v></c></row>'
            '<row><c r="a7" t="inlineStr"><is><t>so</t></is></c><c><v>3</v></c></row>')
    return package(tmp / "r.xlsx", [("Thông tin", sheet_xml(rows))])


def _targets(tmp: Path) -> Path:
    """Absolute and `..` relationship targets; a hidden and a very hidden sheet; a sheet
    whose part is missing (no sheet at all, as Excel would not open it either)."""
    vb = sheet_xml(header(VB_HEADER) + '<row r="2"><c r="A2" t="inlineStr"><is><t>Văn bản đi'
                   '</t></is></c><c r="C2"><v>1</v></c></row>')
    tt = sheet_xml(header(["Mã", "Giá trị"]))
    return package(tmp / "t.xlsx", [("Văn bản", vb), ("Thông tin", tt), ("Chấm điểm", None),
                                    ("Nơi nhận", sheet_xml(header(["Nơi nhận"]))),
                                    ("Căn cứ", sheet_xml(header(["Nội dung"])))],
                   targets={1: "/xl/worksheets/sheet1.xml", 2: "../xl/worksheets/sheet2.xml"},
                   states={"Thông tin": "hidden", "Nơi nhận": "veryHidden", "Căn cứ": "none"})


def _strings_elsewhere(tmp: Path) -> Path:
    rows = header(VB_HEADER) + '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="C2"><v>7</v></c></row>'
    return package(tmp / "s.xlsx", [("Văn bản", sheet_xml(rows))],
                   strings=["<t>Văn bản đến</t>"], strings_part="xl/SharedStrings.xml")


def _duplicates(tmp: Path) -> Path:
    vb = sheet_xml(header(VB_HEADER))
    return package(tmp / "d.xlsx", [("Văn bản", vb), ("VAN BAN", vb), ("văn bản", vb),
                                    ("Sheet2", vb)])


def _merged_overlap(tmp: Path) -> Path:
    rows = (header(["Tiêu đề", "", "", ""]) + header(VB_HEADER, 2)
            + '<row r="3"><c r="A3" t="inlineStr"><is><t>Văn bản đi</t></is></c>'
            '<c r="B3" t="inlineStr"><is><t>x</t></is></c><c r="C3"><v>2</v></c>'
            '<c r="D3"><f>1+1</f><v>2</v></c></row>')
    merges = ('<mergeCells count="4"><mergeCell ref="A1:D1"/><mergeCell ref="B1:C2"/>'
              '<mergeCell ref="D2:D3"/><mergeCell ref="A3:B3"/></mergeCells>')
    return package(tmp / "o.xlsx", [("Văn bản", sheet_xml(rows, after=merges))])


HANDMADE: dict[str, Callable[[Path], Path]] = {
    "prefixed-shared-strings": _prefixed,
    "shared-formulas": _shared_formulas,
    "epoch-1904": _epoch_1904,
    "cells-without-refs": _cells_without_refs,
    "targets-and-states": _targets,
    "shared-strings-elsewhere": _strings_elsewhere,
    "duplicate-names": _duplicates,
    "merged-overlap": _merged_overlap,
}


@pytest.mark.parametrize("make_file", list(HANDMADE.values()), ids=list(HANDMADE))
def test_other_writers_parts_read_the_same(tmp_path: Path, make_file: Callable[[Path], Path]
                                           ) -> None:
    book, _ = assert_same(make_file(tmp_path))
    assert book is not None


def test_prefixed_workbook_values(tmp_path: Path) -> None:
    """A few of the values above, spelled out: what the comparison protects."""
    book, _ = read_book(_prefixed(tmp_path))
    assert book is not None
    rows = {r.number: r.cells for r in book.tables["van_ban"].rows}
    assert rows[2]["loai"].value == "  Quyết định & x0007_ "
    assert rows[3]["loai"].value == "Báo cáo" and rows[3]["so_luong"].value == 45.0
    assert rows[4]["nhom"].value == "Văn bản đi" and rows[4]["loai"].value == "Công văn"
    assert rows[4]["so_luong"] == openpyxl_reader.Cell(None, "C4", "=C2*2")
    assert rows[4]["ghi_chu"].error and rows[4]["ghi_chu"].value == "#N/A"
    assert rows[7]["so_luong"].value == dt.datetime(2022, 1, 1)
    assert [r.number for r in book.tables["van_ban"].rows if r.hidden] == [7]
    assert rows[7]["ghi_chu"].value == dt.timedelta(hours=30)
    assert rows[8]["so_luong"].value == dt.date(2021, 12, 31)
    assert rows[9]["loai"].value == dt.time(12, 0)
    assert rows[10]["nhom"].value == 0 and type(rows[10]["loai"].value) is float
    assert rows[10]["ghi_chu"].error and rows[10]["ghi_chu"].value == "#VALUE!"


def test_shared_formula_copies_are_translated(tmp_path: Path) -> None:
    book, _ = read_book(_shared_formulas(tmp_path))
    assert book is not None
    cells = {r.number: r.cells for r in book.tables["van_ban"].rows}
    assert cells[2]["so_luong"].value == 3 and cells[2]["so_luong"].formula is None
    assert cells[3]["so_luong"].formula == "=D3+1"


# ---------------------------------------------------------------- damaged parts

def _damaged(replace: dict[str, bytes | None], *, cells: str = "",
             after: str = "") -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        rows = header(VB_HEADER) + cells
        return package(tmp / "h.xlsx", [("Văn bản", sheet_xml(rows, after=after))],
                       styles=DATE_STYLES, strings=["<t>a</t>"], replace=replace)
    return make


DAMAGED: dict[str, Callable[[Path], Path]] = {
    "sheet-not-xml": _damaged({"xl/worksheets/sheet1.xml": b"<worksheet><sheetData>"}),
    "no-content-types": _damaged({"[Content_Types].xml": None}),
    "no-workbook-rels": _damaged({"xl/_rels/workbook.xml.rels": None}),
    "no-shared-strings": _damaged({"xl/sharedStrings.xml": None}),
    "shared-strings-cut": _damaged({"xl/sharedStrings.xml": f'<sst xmlns="{MAIN}"><si><t>a'
                                                            .encode()}),
    "styles-not-xml": _damaged({"xl/styles.xml": b"<styleSheet"}),
    "unknown-relationship": _damaged({"xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{PKG}"><Relationship Id="rId9" Type="{WORKSHEET}" '
        'Target="worksheets/sheet1.xml"/></Relationships>').encode()}),
    "string-index": _damaged({}, cells='<row r="2"><c r="A2" t="s"><v>5</v></c></row>'),
    "not-a-number": _damaged({}, cells='<row r="2"><c r="C2"><v>abc</v></c></row>'),
    "boolean-word": _damaged({}, cells='<row r="2"><c r="C2" t="b"><v>true</v></c></row>'),
    "bad-iso-date": _damaged({}, cells='<row r="2"><c r="C2" t="d"><v>31/12/2021</v></c></row>'),
    "style-index": _damaged({}, cells='<row r="2"><c r="C2" s="9"><v>1</v></c></row>'),
    "row-style-index": _damaged({}, cells='<row r="2" s="9" customFormat="1"/>'),
    "empty-style": _damaged({}, cells='<row r="2"><c r="C2" s=""><v>1</v></c></row>'),
    "absolute-ref": _damaged({}, cells='<row r="2"><c r="$C$2"><v>1</v></c></row>'),
    "merge-ref": _damaged({}, after='<mergeCells><mergeCell ref="B2:A1"/></mergeCells>'),
    "row-number": _damaged({}, cells='<row r="2.5"><c><v>1</v></c></row>'),
    "sheet-state": _damaged({"xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Văn bản" sheetId="1" '
        'state="gone" r:id="rId1"/></sheets></workbook>').encode()}),
    "sheet-title": _damaged({"xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Văn bản?" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>').encode()}),
    "sheet-id": _damaged({"xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Văn bản" sheetId="x" '
        'r:id="rId1"/></sheets></workbook>').encode()}),
}


@pytest.mark.parametrize("make_file", list(DAMAGED.values()), ids=list(DAMAGED))
def test_damaged_parts_give_the_same_issue(tmp_path: Path, make_file: Callable[[Path], Path]
                                           ) -> None:
    book, issues = assert_same(make_file(tmp_path))
    if book is None:
        assert [i.code for i in issues] == ["E006"]


def test_a_workbook_under_another_extension_is_refused_as_before(tmp_path: Path) -> None:
    path = write_book(tmp_path / "u.xlsx", unit_sheets()).rename(tmp_path / "u.zip")
    book, issues = assert_same(path)
    assert book is None and [i.code for i in issues] == ["E006"]


# ---------------------------------------------------------------- where the readers differ

def test_formula_outside_the_declared_dimension_is_still_seen(tmp_path: Path) -> None:
    """openpyxl's formula pass trusted `<dimension>`; a writer that leaves it at A1 hid
    formulas without value from it. The sheet XML itself is what counts now."""
    rows = (header(VB_HEADER) + '<row r="2"><c r="A2" t="inlineStr"><is><t>Văn bản đi</t>'
            '</is></c><c r="B2" t="inlineStr"><is><t>Công văn</t></is></c><c r="C2"><f>1+1</f>'
            "</c></row>")
    xml = sheet_xml(rows).replace("<sheetData>", '<dimension ref="A1"/><sheetData>')
    path = package(tmp_path / "d.xlsx", [("Văn bản", xml)])
    book, _ = read_book(path)
    assert book is not None
    assert book.tables["van_ban"].rows[0].cells["so_luong"].formula == "=1+1"
    old, _ = openpyxl_reader.read_book(path)
    assert old is not None and "so_luong" not in old.tables["van_ban"].rows[0].cells
    assert any(i.code == "E205" for i in api.check(path).issues)


def test_a_shared_formula_without_reference_no_longer_crashes(tmp_path: Path) -> None:
    """openpyxl's formula pass raised out of read_book on a shared formula's master cell
    written without `r` (its translator needs the origin); its place is known here."""
    rows = (header(VB_HEADER) + '<row r="2"><c t="inlineStr"><is><t>Văn bản đi</t></is></c>'
            '<c t="inlineStr"><is><t>Công văn</t></is></c><c><f t="shared" si="0" ref="C2:C3">'
            'A1+1</f></c></row><row r="3"><c r="C3"><f t="shared" si="0"/></c></row>')
    path = package(tmp_path / "s.xlsx", [("Văn bản", sheet_xml(rows))])
    book, _ = read_book(path)
    assert book is not None
    cells = [r.cells["so_luong"] for r in book.tables["van_ban"].rows]
    assert [(c.ref, c.formula) for c in cells] == [("C2", "=A1+1"), ("C3", "=A2+1")]
    with pytest.raises(TypeError):
        openpyxl_reader.read_book(path)


# ---------------------------------------------------------------- helpers restated from openpyxl

def test_number_formats_and_dates_match_openpyxl() -> None:
    from openpyxl.styles import numbers
    from openpyxl.utils import datetime as odt

    assert numbers.BUILTIN_FORMATS == excel.BUILTIN_FORMATS
    codes = [*numbers.BUILTIN_FORMATS.values(), "dd/mm/yyyy", '"Ngày" d', "[Red]0.00",
             "[$-42A]dd/mm/yyyy", "[h]:mm:ss", "[mm]:ss", "mm:ss.0", "0_d", r"0\d", "@", None]
    for code in codes:
        assert excel.is_date_format(code) == numbers.is_date_format(code), code
        assert excel.is_timedelta_format(code) == numbers.is_timedelta_format(code), code
    for serial in (0, 0.5, 0.999999, 1, 59, 60, 61, 44562, 44562.75, 2958465.9999, -1, 1e-9):
        for epoch in (excel.WINDOWS_EPOCH, excel.MAC_EPOCH):
            for delta in (False, True):
                try:
                    expected = odt.from_excel(serial, epoch, timedelta=delta)
                except (OverflowError, ValueError) as exc:
                    with pytest.raises(type(exc)):
                        excel.from_excel(serial, epoch, timedelta=delta)
                    continue
                assert excel.from_excel(serial, epoch, timedelta=delta) == expected
    for text in ("2021-12-31T08:30:00", "2021-12-31", "08:30", "08:30:15.25", "PT30H",
                 "PT1H2M3.5S", "2021-12-31T08:30:00Z", ""):
        assert excel.from_ISO8601(text) == odt.from_ISO8601(text), text


def test_column_letters_match_openpyxl() -> None:
    from openpyxl.utils import cell

    for i in (*range(1, 800), 16384, 18278):
        letter = cell.get_column_letter(i)
        assert excel.get_column_letter(i) == letter
        assert excel.column_index(letter) == i == excel.column_index(letter.lower())
    for ref in ("A1", "XFD1048576", "b7", "AA10"):
        assert excel.coordinate(ref) == cell.coordinate_to_tuple(ref)
    for bad in ("A", "$A$1", "AAAA1", "1"):
        with pytest.raises(ValueError):
            cell.coordinate_to_tuple(bad)
        with pytest.raises(ValueError):
            excel.coordinate(bad)


def test_a_doctype_after_a_long_prolog_is_refused(tmp_path: Path) -> None:
    """The zip check looks for a DTD in a part's first 64 KB; the reader refuses one
    anywhere, so no entity is ever expanded."""
    laughs = ('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
              + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
                        for p, c in zip("abcdefgh", "bcdefghi", strict=True)) + "]>")
    xml = sheet_xml(header(VB_HEADER) + '<row r="2"><c r="A2" t="inlineStr"><is><t>&i;</t>'
                    "</is></c></row>")
    xml = xml.replace(DECL, DECL + "<!--" + "x" * (70 * 1024) + "-->" + laughs)
    path = package(tmp_path / "l.xlsx", [("Văn bản", xml)])
    book, issues = read_book(path)
    assert book is None and [i.code for i in issues] == ["E006"]
    assert "entity" in issues[0].message


# ---------------------------------------------------------------- any values openpyxl writes

_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10 ** 15, 10 ** 15),
    st.floats(allow_nan=False, allow_infinity=False), _TEXT,
    st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(9999, 12, 31)),
    st.dates(dt.date(1900, 1, 1)), st.times(),
    st.sampled_from(["=1+1", "=A2&\"x\"", "#N/A", " ", "0", "1E3", "Văn bản đi"]))


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(st.lists(VALUES, min_size=3, max_size=6), max_size=6),
       info=st.lists(VALUES, max_size=4), titles=st.integers(0, 3))
def test_any_values_read_the_same(rows: list[list[Any]], info: list[Any], titles: int) -> None:
    sheets = unit_sheets()
    sheets["Văn bản"][1:] = rows
    for i, value in enumerate(info):
        sheets["Thông tin"][1 + i][1] = value
    title_rows = {"Văn bản": [["TIÊU ĐỀ"]] * titles}
    with tempfile.TemporaryDirectory() as tmp:
        assert_same(write_book(Path(tmp) / "u.xlsx", sheets, title_rows=title_rows))
