"""read/sheet_fast.py against the element reader it stands in for: the same sheets, cells,
types, hidden rows, merged ranges, sizes and errors, whichever path reads a part.

Every workbook is read twice: as the reader reads it (the one-pass path where the part
allows it) and with that path closed (`sheet_fast.MAX_BYTES` below any part), and both
readings are compared, issues included. The usual writers' parts — openpyxl's, baocao's own
tong-hop.xlsx, LibreOffice's — must take the one-pass path, or the speed it exists for is
gone without a test noticing.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from factory import unit_sheets, write_book
from test_bad_workbooks import ERRORS, WARNINGS, Case, write_case
from test_xlsx import DATE_STYLES, EXAMPLE, HANDMADE, VB_HEADER, _book, header, package, sheet_xml

from baocao_cli.read import sheet_fast, xlsx
from baocao_cli.read.book import read_book
from baocao_cli.read.guards import inspect

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _sheets(path: Path) -> Any:
    """Every sheet as the reader gives it, or the exception it raised."""
    _, names, parts = inspect(path, keep=True)
    package = xlsx.Package(path, names, parts)
    try:
        sheets = xlsx.read_sheets(package, lambda _name: True)
    except Exception as exc:  # the comparison covers the errors too
        return (type(exc), str(exc), str(exc.__cause__))
    finally:
        package.close()
    return [(s.title, s.state, {r: {c: (type(v[0]), *v) for c, v in cells.items()}
                                for r, cells in s.rows.items()},
             sorted(s.merged), s.hidden, s.max_row, s.max_column) for s in sheets]


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """(one-pass reading, element reading) of `path`: sheets, then book and issues."""
    def reading() -> Any:
        book, issues = read_book(path)
        return _sheets(path), _book(book), [(i.code, i.message) for i in issues]

    fast = reading()
    with monkeypatch.context() as m:
        m.setattr(sheet_fast, "MAX_BYTES", -1)
        slow = reading()
    return fast, slow


def _taken(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records, for each part given to the one-pass path, whether it read it."""
    seen: list[bool] = []
    real = xlsx._Reader._fast_sheet

    def fast_sheet(self: Any, data: bytes, sheet: Any) -> bool:
        got = real(self, data, sheet)
        seen.append(got)
        return got

    monkeypatch.setattr(xlsx._Reader, "_fast_sheet", fast_sheet)
    return seen


def _vb(rows: str, *, after: str = "", styles: str | None = DATE_STYLES,
        workbook_pr: str = "") -> Callable[[Path], Path]:
    """A workbook whose `Văn bản` sheet holds the header and then `rows`."""
    def make(tmp: Path) -> Path:
        return package(tmp / "v.xlsx", [("Văn bản", sheet_xml(header(VB_HEADER) + rows,
                                                              after=after))],
                       styles=styles, workbook_pr=workbook_pr)
    return make


def _raw(xml: str | bytes) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        data = xml if isinstance(xml, bytes) else xml.encode()
        path = package(tmp / "raw.xlsx", [("Văn bản", sheet_xml(header(VB_HEADER)))])
        rewritten = tmp / "raw2.xlsx"
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(rewritten, "w") as dst:
            for item in src.infolist():
                dst.writestr(item, data if item.filename.endswith("sheet1.xml")
                             else src.read(item))
        return rewritten
    return make


A2 = '<c r="A2" t="inlineStr"><is><t>Văn bản đi</t></is></c>'


def _strings(strings: list[str]) -> Callable[[Path], Path]:
    """A workbook whose `Văn bản` cells come from a shared string table of `strings`."""
    rows = ('<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c>'
            '<c r="C2"><v>3</v></c><c r="D2" t="s"><v>2</v></c></row>')

    def make(tmp: Path) -> Path:
        return package(tmp / "s.xlsx", [("Văn bản", sheet_xml(header(VB_HEADER) + rows))],
                       strings=strings)
    return make


# Parts the one-pass path reads, and parts it must leave to the element reader.
EDGES: dict[str, Callable[[Path], Path]] = {
    "values-and-types": _vb(
        f'<row r="2">{A2}<c r="B2" t="str"><v>A &amp; B &lt;C&gt; &#7841;&#x1EA1;</v></c>'
        '<c r="C2"><v>12</v></c><c r="D2" t="b"><v>0</v></c></row>'
        '<row r="3"><c r="A3" t="e"><v>#DIV/0!</v></c><c r="B3" t="d"><v>2021-12-31</v></c>'
        '<c r="C3" s="2"><v>44561</v></c><c r="D3" s="3"><v>1.25</v></c></row>'
        '<row r="4"><c r="A4" s="1"><v>1E3</v></c><c r="B4"><v>-0.5</v></c>'
        '<c r="C4" t="s"><v></v></c><c r="D4"><v/></c></row>'),
    "empty-and-styled-cells": _vb(
        f'<row r="2">{A2}<c r="B2" s="1"/><c r="C2" s="2"></c><c r="F2"><v></v></c></row>'
        '<row r="9" spans="1:4"/><row r="12"><c r="H12" s="5"/></row>'),
    "formulas": _vb(
        f'<row r="2">{A2}<c r="C2"><f>SUM(C3:C4)</f><v>3</v></c>'
        '<c r="D2" t="str"><f>A2&amp;"x"</f></c></row>'
        '<row r="3"><c r="C3"><f>1+1</f></c></row>'),
    "inline-text": _vb(
        '<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve">  hai  </t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>dòng&#13;&#10;một\r\nhai\rba</t></is></c>'
        '<c r="C2" t="inlineStr"><v>5</v></c><c r="D2" t="str"><is><t>x</t></is></c></row>'),
    "hidden-and-styled-rows": _vb(
        f'<row r="2" spans="1:4" hidden="1" ht="20" customHeight="1">{A2}</row>'
        '<row r="3" customFormat="false" ht="12.8" hidden="false" customHeight="false" '
        'outlineLevel="0" collapsed="false"><c r="A3"><v>1</v></c></row>'
        '<row r="4" s="2" customFormat="1" x14ac:dyDescent="0.25" '
        'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
        '<c r="A4"><v>2</v></c></row><row r="5" visible="0"><c r="A5"><v>3</v></c></row>'),
    "merged": _vb(
        f'<row r="2">{A2}<c r="B2"><v>1</v></c><c r="C2"><v>2</v></c></row>'
        '<row r="3"><c r="A3"><v>3</v></c><c r="D3"><f>1</f></c></row>',
        after='<mergeCells count="2"><mergeCell ref="A2:B3"/><mergeCell ref="C2:D3"/>'
              '</mergeCells>'),
    "epoch-1904": _vb(f'<row r="2">{A2}<c r="C2" s="2"><v>100</v></c></row>',
                      workbook_pr='<workbookPr date1904="1"/>'),
    "whitespace-between": _vb(f'\n  <row r="2">\n    {A2}\n    <c r="C2"><v>1</v></c>\n'
                              '  </row>\n  <row r="3"/>\n'),
    "text-between-elements": _vb(f'<row r="2">x{A2} y <c r="C2"><v>1</v></c>z</row>w'),
    "empty-sheet-data": _raw(
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData/></worksheet>'),
    "shared-strings": _strings(["<t>Văn bản đi</t>", '<t xml:space="preserve"> a &amp; '
                                "&#7841;\r\nx005F_x0007_ </t>", "<t></t>"]),
    # left to the element reader (for a shared string table, the sheet is still one pass)
    "missing-style": _vb(f'<row r="2">{A2}<c r="C2" s="99"><v>1</v></c></row>'),
    "missing-style-of-empty-cell": _vb(f'<row r="2">{A2}<c r="C2" s="99"/></row>'),
    "missing-row-style": _vb(f'<row r="2" s="99" customFormat="1">{A2}</row>'),
    "bad-number": _vb(f'<row r="2">{A2}<c r="C2"><v>mười</v></c></row>'),
    "bad-shared-string": _vb(f'<row r="2">{A2}<c r="C2" t="s"><v>7</v></c></row>'),
    "comment-inside": _vb(f'<row r="2">{A2}<!-- x --><c r="C2"><v>1</v></c></row>'),
    "attributes-reordered": _vb(f'<row r="2">{A2}<c t="n" s="1" r="C2"><v>1</v></c></row>'),
    "cell-outside-row": _vb(f'<c r="C9"><v>1</v></c><row r="2">{A2}</row>'),
    "row-in-row": _vb(f'<row r="2">{A2}<row r="3"><c r="C3"><v>1</v></c></row></row>'),
    "row-after-sheet-data": _vb("", after=f'<row r="2">{A2}</row>'),
    "shared-formula": _vb(f'<row r="2">{A2}<c r="C2"><f t="shared" si="0" ref="C2:C3">1</f>'
                          '<v>1</v></c></row>'),
    "other-namespace": _raw(
        '<worksheet xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"><sheetData>'
        '<row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'),
    "namespace-only-in-a-value": _raw(
        '<worksheet a=\' xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"\' '
        'xmlns="urn:other"><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'
        '</worksheet>'),
    "utf-16": _raw(('<?xml version="1.0" encoding="UTF-16"?><worksheet xmlns="'
                    'http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    '<row r="1"><c r="A1" t="inlineStr"><is><t>Nhóm</t></is></c></row>'
                    '</sheetData></worksheet>').encode("utf-16")),
    "truncated": _raw(sheet_xml(header(VB_HEADER) + f'<row r="2">{A2}</row>')[:-30]),
    "undefined-entity": _vb(f'<row r="2">{A2}<c r="B2" t="str"><v>&nbsp;</v></c></row>'),
    "long-text": _vb(f'<row r="2">{A2}<c r="B2" t="inlineStr"><is><t>{"x" * 200_000}'
                     '</t></is></c></row>'),
}
SHARED_EDGES = {
    "shared-strings-rich": _strings(["<t>Văn bản đi</t>", "<r><t>a</t></r><r><t>b</t></r>",
                                     "<t>c</t>"]),
    "shared-strings-phonetic": _strings(["<t>Văn bản đi</t>", '<t>a</t><rPh sb="0" eb="1">'
                                         "<t>x</t></rPh>", "<t>c</t>"]),
    "shared-strings-empty-tag": _strings(["<t>Văn bản đi</t>", "<t/>", "<t>c</t>"]),
}
EDGES.update(SHARED_EDGES)
LEFT_TO_ELEMENTS = {"missing-style", "missing-style-of-empty-cell", "missing-row-style",
                    "bad-number", "bad-shared-string", "comment-inside",
                    "attributes-reordered", "cell-outside-row", "row-in-row",
                    "row-after-sheet-data", "shared-formula", "other-namespace", "utf-16",
                    "namespace-only-in-a-value",
                    "truncated", "undefined-entity", "long-text"}


@pytest.mark.parametrize("name", list(EDGES))
def test_edges_read_the_same_both_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       name: str) -> None:
    path = EDGES[name](tmp_path)
    seen = _taken(monkeypatch)
    fast, slow = _both(path, monkeypatch)
    assert fast == slow
    vb = seen[:1]  # the `Văn bản` part is the first one given to the one-pass path
    assert vb == ([False] if name in LEFT_TO_ELEMENTS else [True])


@pytest.mark.parametrize("name", ["shared-strings", *SHARED_EDGES])
def test_shared_strings_one_pass_only_when_plain(name: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    real = sheet_fast.shared_strings

    def shared_strings(data: bytes, limit: int) -> Any:
        got = real(data, limit)
        seen.append(got is not None)
        return got

    monkeypatch.setattr(sheet_fast, "shared_strings", shared_strings)
    fast, slow = _both(EDGES[name](tmp_path), monkeypatch)
    assert fast == slow
    assert seen[0] == (name == "shared-strings")


def test_edge_values_are_what_excel_shows(tmp_path: Path) -> None:
    """What the comparison protects, spelled out for a few cells."""
    sheets = _sheets(EDGES["values-and-types"](tmp_path))
    cells = sheets[0][2]
    assert cells[2][2][1] == "A & B <C> ạạ"
    assert cells[2][4][1:3] == (False, "b")
    assert cells[3][1][1:3] == ("#DIV/0!", "e")
    assert 4 not in cells[4]  # `<v/>`: no value kept
    inline = _sheets(EDGES["inline-text"](tmp_path))[0][2]
    assert inline[2][1][1] == "  hai  "
    assert inline[2][2][1] == "dòng\r\nmột\nhai\nba"  # line ends as the XML parser gives


@pytest.mark.parametrize("name", list(HANDMADE))
def test_other_writers_read_the_same_both_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               name: str) -> None:
    fast, slow = _both(HANDMADE[name](tmp_path), monkeypatch)
    assert fast == slow


@pytest.mark.parametrize("case", ERRORS + WARNINGS, ids=lambda c: c.id)
def test_bad_workbook_corpus_reads_the_same_both_ways(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Case) -> None:
    fast, slow = _both(write_case(tmp_path / "don-vi.xlsx", case), monkeypatch)
    assert fast == slow


def test_usual_writers_take_the_one_pass_path(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """openpyxl's parts (the example, a unit), baocao's tong-hop.xlsx, LibreOffice's."""
    from test_summary_print import _units

    from baocao_cli.score.rules import load_rules
    from baocao_cli.summary.workbook import write_summary_xlsx

    unit = write_book(tmp_path / "u.xlsx", unit_sheets())
    tong_hop = tmp_path / "tong-hop.xlsx"
    write_summary_xlsx(tong_hop, _units(tmp_path), load_rules())
    books = [EXAMPLE, unit, tong_hop]
    soffice = shutil.which("soffice")
    if soffice is not None:
        out = tmp_path / "lo"
        subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                        "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML",
                        "--outdir", str(out), str(EXAMPLE)], check=True, capture_output=True,
                       timeout=180)
        books.append(out / EXAMPLE.name)
    for path in books:
        seen = _taken(monkeypatch)
        fast, slow = _both(path, monkeypatch)
        assert fast == slow
        assert seen and all(seen), path.name


def test_resolved_texts_are_remembered_as_resolved(monkeypatch: pytest.MonkeyPatch) -> None:
    """A short text with references is resolved once and remembered (bounded); a long one
    is resolved each time; both read as the parser would read them."""
    monkeypatch.setattr(sheet_fast, "_RESOLVED", {})
    monkeypatch.setattr(sheet_fast, "MAX_RESOLVED", 3)
    texts = ["Gi&#225; tr&#7883;", "a\r\nb &amp; c\rd", "&#x1EA1;&lt;&gt;", "x&quot;y",
             "d&#224;i " * 100]
    expected = ["Giá trị", "a\nb & c\nd", "ạ<>", 'x"y', "dài " * 100]
    for _ in range(2):
        assert [sheet_fast._text(t) for t in texts] == expected
    assert len(sheet_fast._RESOLVED) == 3
    assert texts[-1] not in sheet_fast._RESOLVED
