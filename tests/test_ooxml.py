"""Every Word document baocao writes opens in Word without a repair: the shipped
templates, a unit's report and the consolidated report pass an OOXML check (schema and
Word's repair findings, tests/ooxml.py). The full year's consolidated report (roster,
last year, review) is checked in test_year.py."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLE
from factory import set_info, unit_sheets, write_book
from ooxml import word_findings

from baocao_cli.cli import main


@pytest.mark.parametrize("flags", [[], ["--tong-hop"]], ids=["bao-cao", "tong-hop"])
def test_shipped_templates_pass(tmp_path: Path, flags: list[str]) -> None:
    out = tmp_path / "mau.docx"
    assert main(["template", "export", str(out), *flags]) == 0
    assert word_findings(out) == []


def test_a_units_report_passes(tmp_path: Path) -> None:
    out = tmp_path / "bc.docx"
    assert main(["build", str(EXAMPLE), "-o", str(out)]) == 0
    assert word_findings(out) == []


def test_consolidated_report_without_info_passes(tmp_path: Path) -> None:
    """No `--info`: dotted blanks for the header and signature, the chart, the ranking."""
    units = tmp_path / "vao"
    units.mkdir()
    for i, total in enumerate((30, 20)):
        sheets = unit_sheets()
        set_info(sheets, "co_quan", f"Ủy ban nhân dân xã Số {i + 1}")
        set_info(sheets, "tu_xep_loai", None)
        for row in sheets["Chấm điểm"]:
            if row[0] == "II":
                row[3] = total
        write_book(units / f"xa-{i}.xlsx", sheets)
    write_book(units / "hong.xlsx", {"Thông tin": [["Trường", "Giá trị"]]})
    out = tmp_path / "ra"
    assert main(["batch", str(units), "-o", str(out), "--jobs", "1"]) == 1  # hong.xlsx
    assert word_findings(out / "tong-hop.docx") == []
    assert word_findings(out / "xa-0.docx") == []


def test_the_check_finds_what_word_repairs(tmp_path: Path) -> None:
    """The check can fail: a length left as a Jinja tag in an attribute (what an editor
    resets), and python-docx's default package (its stale stylesWithEffects part)."""
    from docx import Document

    report = tmp_path / "bc.docx"
    assert main(["build", str(EXAMPLE), "-o", str(report)]) == 0
    bad = tmp_path / "thuoc-tinh.docx"
    with zipfile.ZipFile(report) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:pPr>", b'<w:pPr><w:ind w:left="{{ gach }}"/>', 1)
            dst.writestr(item, data)
    assert any("'{{ gach }}'" in line for line in word_findings(bad))
    plain = tmp_path / "python-docx.docx"
    Document().save(str(plain))
    assert any("stylesWithEffects" in line for line in word_findings(plain))
