"""--pdf: LibreOffice headless, a private profile per call, and a clear message without it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import EXAMPLE

from baocao_cli.cli import main
from baocao_cli.render.pdf import PdfError, docx_to_pdf

HAVE_SOFFICE = bool(shutil.which("soffice") or shutil.which("libreoffice"))
needs_soffice = pytest.mark.skipif(not HAVE_SOFFICE, reason="LibreOffice (soffice) not installed")


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


@needs_soffice
def test_build_pdf_beside_the_docx(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out" / "bc.docx"
    out.parent.mkdir()
    assert main(["build", str(EXAMPLE), "-o", str(out), "--pdf"]) == 0
    pdf = tmp_path / "out" / "bc.pdf"
    assert out.is_file() and pdf.is_file()
    assert f"Đã ghi bản PDF: {pdf}" in capsys.readouterr().out
    assert sorted(p.name for p in pdf.parent.iterdir()) == ["bc.docx", "bc.pdf"]
    pages = _pages(pdf)
    assert len(pages) == 5  # four pages of report, the appendix on a page of its own
    first = pages[0]
    lines = [line.strip() for line in first.splitlines() if line.strip()]
    # Quốc hiệu on one line, beside the agency; no page number on page 1.
    assert any(line.endswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") for line in lines)
    assert "Độc lập - Tự do - Hạnh phúc" in first
    assert "Số: 218/BC-SLĐTBXH" in first
    assert "Hà Tĩnh, ngày 24 tháng 11 năm 2021" in first
    assert "BÁO CÁO" in lines
    assert not lines[0].isdigit()
    # Numbers from page 2, at the top; the appendix numbers its own pages (none on its first).
    for n, page in enumerate(pages[1:4], start=2):
        assert next(x.strip() for x in page.splitlines() if x.strip()) == str(n)
    appendix = [x.strip() for x in pages[4].splitlines() if x.strip()]
    assert appendix[0] == "Phụ lục I"
    assert "Tự xếp loại" in pages[4]


@needs_soffice
def test_parallel_conversions_do_not_collide(tmp_path: Path) -> None:
    docx = tmp_path / "bc.docx"
    assert main(["build", str(EXAMPLE), "-o", str(docx)]) == 0
    targets = [tmp_path / f"bc-{i}.pdf" for i in range(3)]
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda t: docx_to_pdf(docx, t), targets))
    for t in targets:
        assert t.read_bytes().startswith(b"%PDF")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@needs_soffice
def test_time_limit(tmp_path: Path) -> None:
    docx = tmp_path / "bc.docx"
    assert main(["build", str(EXAMPLE), "-o", str(docx)]) == 0
    with pytest.raises(PdfError, match="giây"):
        docx_to_pdf(docx, tmp_path / "bc.pdf", timeout=0.01)
    assert not (tmp_path / "bc.pdf").exists()


def test_missing_docx_is_a_pdf_error(tmp_path: Path) -> None:
    if not HAVE_SOFFICE:
        pytest.skip("LibreOffice (soffice) not installed")
    with pytest.raises(PdfError, match="không có tệp"):
        docx_to_pdf(tmp_path / "khong-co.docx", tmp_path / "x.pdf")


def test_without_libreoffice_docx_written_and_install_hint(tmp_path: Path) -> None:
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    env = {**os.environ, "PATH": str(empty_bin)}
    out = tmp_path / "bc.docx"
    proc = subprocess.run([sys.executable, "-m", "baocao_cli.cli", "build", str(EXAMPLE),
                           "-o", str(out), "--pdf"], capture_output=True, text=True, env=env)
    assert proc.returncode == 1
    assert out.is_file()
    assert not (tmp_path / "bc.pdf").exists()
    assert "không tìm thấy LibreOffice" in proc.stderr
    assert "apt-get install libreoffice-writer-nogui" in proc.stderr
    assert "Traceback" not in proc.stderr
