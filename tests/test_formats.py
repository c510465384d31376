""".ods and .xls beside .xlsx: the test workbooks saved by LibreOffice in each format must
validate and build exactly as their .xlsx twin (same total, rating, issues at the same
cells), and the guards of the calamine path must hold.

The twins are made with LibreOffice itself (`soffice --convert-to`), as a clerk would save
them; the .xlsx compared is LibreOffice's too, so that formulas carry the values
LibreOffice calculated in all three.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx_text import reading_order
from factory import UNIT_RATING, UNIT_TOTAL, set_info, two_line_header, unit_sheets, write_book
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from test_registers import registers_only, slipped_incoming, slipped_outgoing, write_export
from typer.testing import CliRunner

from baocao_cli.cli import app
from baocao_cli.read import calamine_book, ods
from baocao_cli.read.book import read_book
from baocao_cli.read.inputs import collect
from baocao_cli.read.registers import read_registers
from baocao_cli.read.shapes import MAX_CELLS

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed")
runner = CliRunner()
FORMATS = ("ods", "xls")
TARGETS = {"xlsx": "xlsx", "ods": "ods", "xls": "xls:MS Excel 97"}


def convert(sources: list[Path], target: str, outdir: Path, profile: Path) -> None:
    """Save `sources` with LibreOffice in the format `target` (a --convert-to filter)."""
    outdir.mkdir(exist_ok=True)
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", target, "--outdir", str(outdir), *map(str, sources)],
                   check=True, capture_output=True, timeout=600)


# ---------------------------------------------------------------- the test workbooks

def _two_lines_hidden(path: Path) -> None:
    """A two-line header (merged cells), a hidden data row, a hidden contract sheet."""
    write_book(path, unit_sheets())
    wb = openpyxl.load_workbook(path)
    two_line_header(wb)
    wb["Chấm điểm"].row_dimensions[4].hidden = True
    wb["Nơi nhận"].sheet_state = "hidden"
    wb.save(path)


def _invalid(path: Path) -> None:
    """Errors at known cells: a score above its maximum, a year typed as words."""
    sheets = unit_sheets()
    sheets["Chấm điểm"][2][3] = 12  # D3: 12 of 10
    set_info(sheets, "nam", "hai nghìn")
    write_book(path, sheets)


def _formulas(path: Path) -> None:
    """Scores computed by formulas, and one that cannot be (#DIV/0!)."""
    write_book(path, unit_sheets())
    wb = openpyxl.load_workbook(path)
    ws = wb["Chấm điểm"]
    ws["D3"] = "=4+4"
    ws["D7"] = "=20+10"
    ws["D9"] = "=1/0"
    wb.save(path)


def _mac_dates(path: Path) -> None:
    """The 1904 date system, with the report's date and a date-time typed in Ghi chú."""
    sheets = unit_sheets()
    sheets["Chỉnh lý"][1][7] = dt.datetime(2021, 5, 6, 7, 8, 9)
    write_book(path, sheets)
    wb = openpyxl.load_workbook(path)
    wb.epoch = CALENDAR_MAC_1904
    wb.save(path)


def _registers(path: Path) -> None:
    """Both registers with their slips (gaps, duplicates, dates), one row hidden."""
    write_book(path, registers_only(**{"Sổ văn bản đi": slipped_outgoing(),
                                       "Sổ văn bản đến": slipped_incoming()}))
    wb = openpyxl.load_workbook(path)
    wb["Sổ văn bản đi"].row_dimensions[3].hidden = True
    wb.save(path)


SOURCES = {
    "vi-du": lambda p: shutil.copy(Path(__file__).parent.parent / "examples"
                                   / "so-ldtbxh-ha-tinh-2021.xlsx", p),
    "don-vi": lambda p: write_book(p, unit_sheets()),
    "hai-dong": _two_lines_hidden,
    "sai": _invalid,
    "cong-thuc": _formulas,
    "ngay-1904": _mac_dates,
    "so-dang-ky": _registers,
    "xuat-so": write_export,
}


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """name -> format -> file: the source (`src`) and LibreOffice's xlsx, ods and xls."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) not installed")
    root = tmp_path_factory.mktemp("twins")
    src = root / "src"
    src.mkdir()
    sources = []
    for name, make in SOURCES.items():
        make(src / f"{name}.xlsx")
        sources.append(src / f"{name}.xlsx")
    for fmt, target in TARGETS.items():
        convert(sources, target, root / fmt, root / "profile")
    return {name: {"src": src / f"{name}.xlsx",
                   **{fmt: root / fmt / f"{name}.{fmt}" for fmt in TARGETS}}
            for name in SOURCES}


def validate(path: Path, *options: str) -> tuple[int, dict]:
    """`validate --format json` of one file, its file names replaced (they differ by twin)."""
    result = runner.invoke(app, ["validate", "--format", "json", *options, str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    found = json.loads(result.output)["files"][0]
    del found["file"]
    text = json.dumps(found, ensure_ascii=False)
    for name in {path.name, *(Path(o).name for o in options if o.endswith(tuple(TARGETS)))}:
        text = text.replace(name, Path(name).stem + ".*")
    return result.exit_code, json.loads(text)


def located(found: dict) -> list[tuple[str, str | None, str | None]]:
    return [(i["code"], i["sheet"], i["cell"]) for i in found["errors"] + found["warnings"]]


# ---------------------------------------------------------------- twins read the same

@needs_soffice
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", [n for n in SOURCES if n != "xuat-so"])
def test_twin_validates_as_its_xlsx(twins: dict, name: str, fmt: str) -> None:
    expected = validate(twins[name]["xlsx"])
    assert validate(twins[name][fmt]) == expected


@needs_soffice
@pytest.mark.parametrize("name", [n for n in SOURCES if n not in ("cong-thuc", "xuat-so")])
def test_libreoffice_xlsx_reads_as_the_original(twins: dict, name: str) -> None:
    assert validate(twins[name]["xlsx"]) == validate(twins[name]["src"])


@needs_soffice
def test_twins_are_not_trivially_equal(twins: dict) -> None:
    """What the comparisons above compare: totals, errors and warnings at their cells."""
    code, ok = validate(twins["don-vi"]["ods"])
    assert code == 0 and (ok["total"], ok["rating"]) == (UNIT_TOTAL, UNIT_RATING)
    code, bad = validate(twins["sai"]["xls"])
    assert code == 1 and {("E306", "Chấm điểm", "D3")} <= set(located(bad))
    assert any(e["cell"] == "B9" and e["sheet"] == "Thông tin" for e in bad["errors"])
    hidden = set(located(validate(twins["hai-dong"]["ods"])[1]))
    assert {("W103", "Chấm điểm", "A4"), ("W104", "Nơi nhận", None)} <= hidden
    code, formulas = validate(twins["cong-thuc"]["xls"])
    assert code == 1 and [e["cell"] for e in formulas["errors"]] == ["D9"]
    registers = validate(twins["so-dang-ky"]["xls"])[1]
    assert registers["so_van_ban"] and {"E601", "W103"} <= {c for c, _, _ in located(registers)}
    assert ("W103", "Sổ văn bản đi", "A3") in located(registers)


@needs_soffice
@pytest.mark.parametrize("fmt", FORMATS)
def test_export_twin_gives_the_same_register_checks(twins: dict, tmp_path: Path, fmt: str
                                                    ) -> None:
    book = write_book(tmp_path / "don-vi.xlsx", registers_only())
    expected = validate(book, "--so-van-ban", str(twins["xuat-so"]["xlsx"]))
    got = validate(book, "--so-van-ban", str(twins["xuat-so"][fmt]))
    assert got == expected
    assert got[1]["so_van_ban"][0]["documents"] == 8
    assert [e["cell"] for e in got[1]["errors"]] == ["B14"]


@needs_soffice
@pytest.mark.parametrize("fmt", FORMATS)
def test_twin_builds_the_same_report(twins: dict, tmp_path: Path, fmt: str) -> None:
    reports = {}
    for kind in ("xlsx", fmt):
        out = tmp_path / f"{kind}.docx"
        result = runner.invoke(app, ["build", str(twins["vi-du"][kind]), "-o", str(out)])
        assert result.exit_code == 0, result.output
        reports[kind] = reading_order(out)
    assert reports[fmt] == reports["xlsx"]
    assert "8.800" in "\n".join(reports[fmt])


@needs_soffice
def test_batch_takes_every_format_and_loses_no_worker(twins: dict, tmp_path: Path) -> None:
    folder = tmp_path / "nop-ve"
    folder.mkdir()
    for fmt in TARGETS:
        shutil.copy(twins["don-vi"][fmt], folder / f"don-vi-{fmt}.{fmt}")
    forged_dimensions(twins["don-vi"]["xls"], folder / "gia-mao.xls")
    out = tmp_path / "ra"
    result = runner.invoke(app, ["batch", str(folder), "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in out.glob("*.docx")) == [
        "don-vi-ods.docx", "don-vi-xls.docx", "don-vi-xlsx.docx", "tong-hop.docx"]
    assert "LỖI     " in result.output and "gia-mao.xls: tệp quá lớn" in result.output
    assert "1 đơn vị lỗi" in result.output


def test_folders_are_scanned_for_every_format(tmp_path: Path) -> None:
    for name in ("a.xlsx", "b.ods", "c.XLS", "d.csv", "~$e.ods"):
        (tmp_path / name).write_bytes(b"x")
    files, _ = collect([tmp_path])
    assert [p.name for p in files] == ["a.xlsx", "b.ods", "c.XLS"]


# ---------------------------------------------------------------- guards of the new formats

def forged_dimensions(xls: Path, out: Path) -> Path:
    """`xls` with its first sheet's DIMENSIONS record declaring four billion rows."""
    data = bytearray(xls.read_bytes())
    at = data.find(b"\x00\x02\x0e\x00")  # record 0x0200, 14 bytes
    assert at > 0
    struct.pack_into("<IIHH", data, at + 4, 0, 0xFFFFFFF0, 0, 0xFF)
    out.write_bytes(bytes(data))
    return out


@needs_soffice
def test_forged_xls_dimensions_are_refused_not_an_abort(twins: dict, tmp_path: Path) -> None:
    """calamine would reserve 43 TB for this 13 KB file and abort the process (exit 134)."""
    path = forged_dimensions(twins["don-vi"]["xls"], tmp_path / "gia-mao.xls")
    book, issues = read_book(path)
    assert book is None and [i.code for i in issues] == ["E007"]
    assert f"{MAX_CELLS:,}".replace(",", ".") in issues[0].message
    done = subprocess.run([sys.executable, "-m", "baocao_cli.cli", "validate", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "[E007] gia-mao.xls" in done.stdout


@needs_soffice
def test_xls_cells_far_apart_are_refused(twins: dict, tmp_path: Path) -> None:
    """A cell moved to IV65536: the rectangle from A1 is beyond the limit."""
    data = bytearray(twins["don-vi"]["xls"].read_bytes())
    at = data.find(b"\xfd\x00\x0a\x00")  # the first LABELSST record, 10 bytes
    struct.pack_into("<HH", data, at + 4, 0xFFFF, 0xFF)
    (path := tmp_path / "xa.xls").write_bytes(bytes(data))
    assert [i.code for i in read_book(path)[1]] == ["E007"]


@needs_soffice
def test_password_protected_xls_is_named(twins: dict, tmp_path: Path) -> None:
    """A FILEPASS record in the workbook globals (here in place of CODEPAGE, same size)."""
    data = bytearray(twins["don-vi"]["xls"].read_bytes())
    at = data.find(b"\x42\x00\x02\x00\xb0\x04")  # CODEPAGE 1200, as LibreOffice writes
    assert at > 0
    data[at:at + 6] = b"\x2f\x00\x02\x00\x01\x00"
    (path := tmp_path / "khoa.xls").write_bytes(bytes(data))
    assert [i.code for i in read_book(path)[1]] == ["E005"]


NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>')


def write_ods(path: Path, tables: str, prolog: str = "", extra: dict | None = None) -> Path:
    """A minimal .ods as other writers than LibreOffice make it: its tables' XML given."""
    content = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content {NS}>'
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
               "</office:document-content>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                    compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", MANIFEST)
        zf.writestr("content.xml", content)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def cell(value: str | float) -> str:
    if isinstance(value, str):
        return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p>' \
               "</table:table-cell>"
    return f'<table:table-cell office:value-type="float" office:value="{value}"/>'


def test_ods_repeated_filled_rows_are_counted_not_expanded(tmp_path: Path) -> None:
    filled = ('<table:table table:name="Thông tin"><table:table-row table:number-rows-repeated='
              '"1000000"><table:table-cell table:number-columns-repeated="10" '
              'office:value-type="float" office:value="1"/></table:table-row></table:table>')
    book, issues = read_book(write_ods(tmp_path / "lap.ods", filled))
    assert book is None and [i.code for i in issues] == ["E007"]
    # LibreOffice's way of writing the unused rest of a sheet is no cell at all
    empty = ('<table:table table:name="Nơi nhận"><table:table-row>' + cell("Nơi nhận")
             + '</table:table-row><table:table-row table:number-rows-repeated="1048575">'
             '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
             "</table:table>")
    book, issues = read_book(write_ods(tmp_path / "trong.ods", empty))
    assert book is not None and "E007" not in [i.code for i in issues]


def test_ods_zip_bomb_and_dtd_are_refused_before_parsing(tmp_path: Path) -> None:
    table = f'<table:table table:name="Thông tin"><table:table-row>{cell("Mã")}' \
            "</table:table-row></table:table>"
    bomb = write_ods(tmp_path / "bom.ods", table, extra={"Thumbnails/a.bin": bytes(30 << 20)})
    assert [i.code for i in read_book(bomb)[1]] == ["E007"]
    laughs = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    assert [i.code for i in read_book(write_ods(tmp_path / "dtd.ods", table, laughs))[1]] \
        == ["E009"]


def test_ods_formula_never_calculated_is_located(tmp_path: Path) -> None:
    """Another writer's .ods may carry a formula without its value: E205 at its cell."""
    sheets = unit_sheets()
    rows = []
    for r, row in enumerate(sheets["Văn bản"], start=1):
        cells = [cell(v) if v not in (None, "") else "<table:table-cell/>" for v in row]
        if r == 3:
            cells[2] = '<table:table-cell table:formula="of:=40+5"/>'
        rows.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
    table = '<table:table table:name="Văn bản">' + "".join(rows) + "</table:table>"
    book, _ = read_book(write_ods(tmp_path / "cong-thuc.ods", table))
    assert book is not None
    cells = book.tables["van_ban"].rows[1].cells
    assert cells["so_luong"].ref == "C3" and cells["so_luong"].formula == "=40+5"
    assert cells["so_luong"].value is None


@pytest.mark.parametrize(("content", "phrase"), [
    (b"<html><body><table><tr><td>STT</td></tr></table></body></html>",
     "tệp HTML mang đuôi .xls"),
    (b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns='
     b'"urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
     "bảng tính XML của Excel 2003 mang đuôi .xls"),
    (b'<?xml version="1.0"?><office:document xmlns:office="urn:oasis:names:tc:opendocument:'
     b'xmlns:office:1.0" office:mimetype="application/vnd.oasis.opendocument.spreadsheet"/>',
     "dạng XML phẳng (.fods)"),
    (b"STT,So ky hieu\n1,01/BC-UBND\n", "CSV"),
])
def test_text_files_named_xls_are_named(tmp_path: Path, content: bytes, phrase: str) -> None:
    (path := tmp_path / "so-van-ban.xls").write_bytes(content)
    _, issues = read_book(path)
    assert [i.code for i in issues] == ["E003"] and phrase in issues[0].message
    assert "Excel Workbook (.xlsx)" in issues[0].message


@needs_soffice
def test_other_office_documents_are_named(tmp_path: Path) -> None:
    (text := tmp_path / "ghi-chu.txt").write_text("Báo cáo", encoding="utf-8")
    convert([text], "doc:MS Word 97", tmp_path, tmp_path / "profile")
    shutil.copy(tmp_path / "ghi-chu.doc", tmp_path / "so.xls")
    _, issues = read_book(tmp_path / "so.xls")
    assert [i.code for i in issues] == ["E004"] and "tệp Word 97-2003 (.doc)" in issues[0].message


def test_opendocument_text_is_named(tmp_path: Path) -> None:
    with zipfile.ZipFile(path := tmp_path / "bao-cao.ods", "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", "<office:document-content/>")
    _, issues = read_book(path)
    assert [i.code for i in issues] == ["E004"] and "(.odt)" in issues[0].message


def test_xlsb_is_named(tmp_path: Path) -> None:
    with zipfile.ZipFile(path := tmp_path / "so.xlsb", "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.bin", b"\x83\x01\x00")
    _, issues = read_book(path)
    assert [i.code for i in issues] == ["E004"] and "(.xlsb)" in issues[0].message


@needs_soffice
def test_an_abort_in_calamine_costs_one_file_not_the_process(twins: dict, tmp_path: Path
                                                              ) -> None:
    """Past the guards (called directly here), calamine aborts on the forged file: only its
    child process dies, and the reader says so."""
    path = forged_dimensions(twins["don-vi"]["xls"], tmp_path / "gia-mao.xls")
    with pytest.raises(calamine_book.ReaderFailed, match="exit"):
        calamine_book._run(path)
    assert calamine_book._run(twins["don-vi"]["xls"])["sheets"]  # the next file reads


def test_what_calamine_refuses_is_e006(tmp_path: Path) -> None:
    """An .ods without its manifest passes the shape reader; calamine refuses it."""
    path = write_ods(tmp_path / "thieu.ods", f'<table:table table:name="A"><table:table-row>'
                     f'{cell("x")}</table:table-row></table:table>')
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist() if n != "META-INF/manifest.xml"}
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    _, issues = read_book(path)
    assert [i.code for i in issues] == ["E006"] and "(.ods)" in issues[0].message


@needs_soffice
@pytest.mark.parametrize("fmt", FORMATS)
def test_info_twin_gives_the_same_consolidated_report(twins: dict, tmp_path: Path, fmt: str
                                                      ) -> None:
    texts = {}
    for kind in ("xlsx", fmt):
        out = tmp_path / kind
        result = runner.invoke(app, ["batch", str(twins["don-vi"]["xlsx"]), "-o", str(out),
                                     "--info", str(twins["vi-du"][kind]), "--jobs", "1"])
        assert result.exit_code == 0, result.output
        texts[kind] = reading_order(out / "tong-hop.docx")
    assert texts[fmt] == texts["xlsx"]
    assert any("SỞ LAO ĐỘNG" in line for line in texts[fmt])


@needs_soffice
def test_both_ods_shape_readers_agree(twins: dict, tmp_path: Path) -> None:
    """`_scan_plain` (tags read as text) against `_scan` (XML events) on LibreOffice's
    files and on hand-written ones; a file with other prefixes goes the XML way."""
    files = [twins[name]["ods"] for name in SOURCES]
    files.append(write_ods(tmp_path / "tay.ods", (
        '<table:table table:name="A &amp; B"><table:table-row table:visibility="collapse">'
        '<table:table-cell table:number-columns-spanned="2" table:number-rows-spanned="2" '
        'office:value-type="float" office:value="1"/><table:covered-table-cell/>'
        '</table:table-row><table:table-row table:number-rows-repeated="3">'
        '<table:table-cell table:number-columns-repeated="2"/><table:table-cell '
        'table:formula="of:=1/0"/></table:table-row><table:table-row/></table:table>')))
    for path in files:
        with zipfile.ZipFile(path) as zf:
            data = zf.read("content.xml")
            with zf.open("content.xml") as fh:
                by_events = ods._scan(fh)
        assert ods._scan_plain(data) == by_events, path.name
    hand = ods.shapes(files[-1])[0]
    assert (hand.name, hand.max_row, hand.max_column) == ("A & B", 4, 3)
    assert hand.merged == [(1, 1, 2, 2)] and hand.hidden == {1}
    assert hand.formulas == {(2, 3): "=1/0"}
    other = data  # the same tables under another prefix: the XML way, the same shapes
    for old, new in ((b"xmlns:table=", b"xmlns:tb="), (b"<table:", b"<tb:"),
                     (b"</table:", b"</tb:"), (b" table:", b" tb:")):
        other = other.replace(old, new)
    assert ods._scan_plain(other) is None
    assert ods._scan(io.BytesIO(other)) == ods._scan(io.BytesIO(data)) == [hand]


def test_ods_span_of_a_billion_columns_is_kept_within_the_sheet(tmp_path: Path) -> None:
    """Found by mutating files: such a span made the header search loop until memory ran
    out."""
    table = ('<table:table table:name="Nơi nhận"><table:table-row><table:table-cell '
             'table:number-columns-spanned="1000000000" table:number-rows-spanned="1" '
             'office:value-type="string"><text:p>Nơi nhận</text:p></table:table-cell>'
             f'</table:table-row><table:table-row>{cell("Lưu: VT")}</table:table-row>'
             "</table:table>")
    book, _ = read_book(write_ods(tmp_path / "gop.ods", table))
    assert book is not None and [r.cells["noi_nhan"].value for r in
                                 book.tables["noi_nhan"].rows] == ["Lưu: VT"]
    assert ods.shapes(tmp_path / "gop.ods")[0].merged == [(1, 1, 1, 16_384)]


@needs_soffice
def test_xls_cell_past_column_xfd_is_damage(twins: dict, tmp_path: Path) -> None:
    """Found by mutating files: a cell record in column 50,947 (BIFF8 stops at 256)."""
    data = bytearray(twins["don-vi"]["xls"].read_bytes())
    at = data.find(b"\xfd\x00\x0a\x00")
    struct.pack_into("<H", data, at + 6, 50946)
    (path := tmp_path / "cot.xls").write_bytes(bytes(data))
    book, issues = read_book(path)
    assert book is None and [i.code for i in issues] == ["E006"]


def _mutated(rng: random.Random, data: bytes, kind: str) -> bytes:
    """`data` with a few bytes changed (an .xls) or content.xml's numbers and bytes changed
    (an .ods, zipped again so that the zip guards pass)."""
    if kind == "xls":
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    content = bytearray(members["content.xml"])
    for _ in range(rng.randint(1, 5)):
        at = rng.randrange(len(content))
        if (quote := content.find(b'="', at)) > 0 and rng.random() < 0.6:
            content[quote + 2:quote + 2] = str(rng.choice([0, -1, 10**9, 2**40])).encode()
        else:
            del content[at:at + rng.randint(1, 50)]
    members["content.xml"] = bytes(content)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, member in members.items():
            zf.writestr(name, member)
    return buffer.getvalue()


@needs_soffice
@pytest.mark.parametrize("kind", FORMATS)
def test_mutated_files_give_issues_never_an_exception(twins: dict, tmp_path: Path, kind: str
                                                      ) -> None:
    """900 such files were read while writing the readers (two crashes found and fixed);
    a fixed sample stays here."""
    rng = random.Random(13)
    source = twins["hai-dong"][kind].read_bytes()
    for i in range(15):
        (path := tmp_path / f"{i}.{kind}").write_bytes(_mutated(rng, source, kind))
        book, issues = read_book(path)
        assert book is not None or issues
        if book is not None:
            read_registers(path)
