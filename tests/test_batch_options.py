"""`baocao batch --template` and `--pdf`: the same options as `build`, for every unit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from docx_text import reading_order
from factory import unit_folder

from baocao_cli.cli import main

HAVE_SOFFICE = bool(shutil.which("soffice") or shutil.which("libreoffice"))


def _template_with_title(tmp_path: Path, title: str) -> Path:
    """The exported default template with its `BÁO CÁO` line changed, as Word would save it."""
    template = tmp_path / "mau.docx"
    assert main(["template", "export", str(template)]) == 0
    doc = Document(str(template))
    para = next(p for p in doc.paragraphs if p.text == "BÁO CÁO")
    para.runs[0].text = title
    doc.save(str(template))
    return template


def test_batch_with_a_custom_template(tmp_path: Path) -> None:
    units = unit_folder(tmp_path / "in")
    template = _template_with_title(tmp_path, "BÁO CÁO NĂM")
    out = tmp_path / "out"
    assert main(["batch", str(units), "-o", str(out), "--template", str(template)]) == 0
    for name in ("xa-1.docx", "xa-2.docx"):
        assert "BÁO CÁO NĂM" in reading_order(out / name)


def test_batch_with_a_broken_template_is_refused_before_any_unit(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    units = unit_folder(tmp_path / "in")
    template = _template_with_title(tmp_path, "{{ bien_khong_co }}")
    out = tmp_path / "out"
    capsys.readouterr()
    assert main(["batch", str(units), "-o", str(out), "--template", str(template)]) == 1
    captured = capsys.readouterr()
    assert "biến 'bien_khong_co' không có trong báo cáo" in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert not out.exists()


def test_library_batch_with_a_broken_template_fails_every_unit(tmp_path: Path) -> None:
    from baocao_cli.batch import run_batch

    units = unit_folder(tmp_path / "in")
    template = _template_with_title(tmp_path, "{{ bien_khong_co }}")
    result = run_batch([units], tmp_path / "out", jobs=1, template=template.read_bytes())
    assert len(result.failed) == 2 and not result.built
    assert all("bien_khong_co" in u.errors[-1] for u in result.failed)
    assert not list((tmp_path / "out").glob("xa-*.docx"))


@pytest.mark.skipif(not HAVE_SOFFICE, reason="LibreOffice (soffice) not installed")
def test_batch_pdf_beside_each_report_in_parallel(tmp_path: Path) -> None:
    units = unit_folder(tmp_path / "in", 3)
    out = tmp_path / "out"
    assert main(["batch", str(units), "-o", str(out), "--pdf", "--jobs", "2"]) == 0
    for i in (1, 2, 3):
        pdf = out / f"xa-{i}.pdf"
        assert pdf.read_bytes()[:5] == b"%PDF-"
        assert (out / f"xa-{i}.docx").is_file()


def test_batch_pdf_without_libreoffice_still_writes_reports(tmp_path: Path) -> None:
    units = unit_folder(tmp_path / "in")
    out = tmp_path / "out"
    env = {**os.environ, "BAOCAO_SOFFICE": str(tmp_path / "khong-co" / "soffice")}
    proc = subprocess.run([sys.executable, "-m", "baocao_cli.cli", "batch", str(units), "-o",
                           str(out), "--pdf", "--jobs", "1"], capture_output=True, text=True,
                          env=env, timeout=300)
    assert proc.returncode == 1
    assert "apt-get install libreoffice-writer-nogui" in proc.stderr
    assert "Các báo cáo Word vẫn đã ghi" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert (out / "xa-1.docx").is_file() and (out / "xa-2.docx").is_file()
    assert not list(out.glob("*.pdf"))
