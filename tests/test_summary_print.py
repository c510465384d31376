"""tong-hop.xlsx prints: fitted to the width, landscape, header repeated; files told apart."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from baocao_cli.score.rules import load_rules
from baocao_cli.summary.results import UnitResult, shown_sources
from baocao_cli.summary.workbook import write_summary_xlsx

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# Printing a workbook needs LibreOffice Calc (libreoffice-calc-nogui), not only Writer.
HAVE_CALC = bool(SOFFICE and shutil.which("pdfinfo")
                 and (Path(SOFFICE).resolve().parent / "libsclo.so").exists())


def _units(root: Path, n: int = 21) -> list[UnitResult]:
    units = []
    for i in range(n):
        folder = root / "nop-ve" / f"huyen-{i % 3}"
        source = folder / ("Sở Nội vụ.xlsx" if i < 2 else f"{i:02d} - Báo cáo đơn vị.xlsx")
        total = Decimal(60 + i)
        units.append(UnitResult(
            index=i, source=str(source), output=f"{i:02d}.docx",
            co_quan=f"ỦY BAN NHÂN DÂN XÃ SỐ {i} HUYỆN KỲ ANH", ky_hieu="UBND", nam=2021,
            parts=(("I", Decimal(15)), ("II", Decimal(30)), ("III", total - 45),
                   ("IV", Decimal(0)), ("V", Decimal(0))), total=total, rating="Khá"))
    units.append(UnitResult(index=n, source=str(root / "nop-ve" / "loi.xlsx"), output=None,
                            n_errors=1, errors=("Văn bản!C2: số âm -3.",),
                            error_codes=("E203",)))
    return units


def test_every_sheet_is_set_up_to_print(tmp_path: Path) -> None:
    out = tmp_path / "tong-hop.xlsx"
    write_summary_xlsx(out, _units(tmp_path), load_rules())
    wb = openpyxl.load_workbook(out)
    for ws in wb.worksheets:
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$1"
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert wb["Tổng hợp"].page_setup.orientation == "landscape"
    assert wb["Xếp loại"].page_setup.orientation == "portrait"
    main = wb["Tổng hợp"]
    headers = [c.value for c in main[1]]
    rank, file = headers.index("Hạng") + 1, headers.index("Tệp") + 1
    for row in range(2, main.max_row + 1):
        assert main.cell(row=row, column=rank).alignment.horizontal == "center"
        assert main.cell(row=row, column=file).alignment.horizontal == "left"


def test_the_file_column_shows_the_path_below_the_batch_folder(tmp_path: Path) -> None:
    out = tmp_path / "tong-hop.xlsx"
    write_summary_xlsx(out, _units(tmp_path), load_rules())
    ws = openpyxl.load_workbook(out)["Tổng hợp"]
    files = [ws.cell(row=r, column=2).value for r in range(2, ws.max_row + 1)]
    assert "huyen-0/Sở Nội vụ.xlsx" in files and "huyen-1/Sở Nội vụ.xlsx" in files
    assert "loi.xlsx" in files
    assert len(files) == len(set(files))


def test_shown_sources() -> None:
    assert shown_sources(["/a/b/x.xlsx"]) == {"/a/b/x.xlsx": "x.xlsx"}
    assert shown_sources(["/a/b/x.xlsx", "/a/c/x.xlsx"]) == {
        "/a/b/x.xlsx": "b/x.xlsx", "/a/c/x.xlsx": "c/x.xlsx"}
    assert shown_sources([]) == {}


@pytest.mark.skipif(not HAVE_CALC, reason="LibreOffice Calc or poppler-utils not installed")
def test_twenty_one_units_print_on_one_landscape_page(tmp_path: Path) -> None:
    out = tmp_path / "tong-hop.xlsx"
    write_summary_xlsx(out, _units(tmp_path), load_rules())
    wb = openpyxl.load_workbook(out)
    for name in wb.sheetnames[1:]:  # print the first sheet alone
        del wb[name]
    only = tmp_path / "tong-hop-1.xlsx"
    wb.save(only)
    profile = tmp_path / "profile"
    assert SOFFICE is not None
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(only)],
                   check=True, capture_output=True, timeout=180)
    info = subprocess.run(["pdfinfo", str(tmp_path / "tong-hop-1.pdf")], check=True,
                          capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    width, height = (float(x) for x in re.search(r"Page size:\s+([\d.]+) x ([\d.]+)",
                                                  info).groups())
    assert pages == 1, info
    assert width > height, info


def test_texts_and_numbers_read_back_as_written(tmp_path: Path) -> None:
    """Texts stay texts whatever they hold (`=…`, markup, `_x0041_`, outer spaces), numbers
    read back with openpyxl's types, the print setup and properties are there."""
    import zipfile

    names = ["=SUM(A1)", "a & b <c> \"d\"", "_x0041_ nguyên văn", "  hai khoảng  ",
             "dòng 1\ndòng 2", "Ủy ban nhân dân xã Kỳ Tân"]
    units = [UnitResult(index=i, source=str(tmp_path / f"{i}.xlsx"), output=f"{i}.docx",
                        co_quan=name, ky_hieu="UBND", nam=2025,
                        parts=(("I", Decimal("15.50")), ("II", Decimal(30))),
                        total=Decimal("45.50"), rating="Yếu")
             for i, name in enumerate(names)]
    out = tmp_path / "tong-hop.xlsx"
    write_summary_xlsx(out, units, load_rules())
    wb = openpyxl.load_workbook(out)
    assert wb.properties.creator == "baocao"
    assert wb.properties.title.startswith("Tổng hợp kết quả đánh giá")
    ws = wb["Tổng hợp"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert sorted(r[2] for r in rows) == sorted(names)
    assert {(r[5], r[6], r[10]) for r in rows} == {(15.5, 30, 45.5)}
    assert all(type(r[6]) is int and type(r[4]) is int for r in rows)
    assert ws.cell(row=2, column=6).number_format == "0.00"
    assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1"
    assert ws.oddFooter.center.text == "Trang &P/&N" and ws.oddHeader.center.text == "Tổng hợp"
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
        assert not any(b"<f>" in zf.read(n) for n in zf.namelist() if n.endswith(".xml"))
