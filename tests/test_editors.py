"""Templates that survive a real editor: export → LibreOffice opens and saves the template
(`soffice --headless --convert-to docx`) → `template check` passes → the report is built
→ the default template's layout holds: fonts, sizes, margins, and the decree's three
short lines measured on the printed page (the PDF LibreOffice makes of the report)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import EXAMPLE
from docx import Document
from docx.oxml.ns import qn
from docx_text import effective_run, text_runs
from factory import set_info, unit_sheets, write_book
from PIL import Image

from baocao_cli.cli import main
from baocao_cli.render import layout
from baocao_cli.render.report import default_summary
from baocao_cli.vn import upper_vn

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None or shutil.which("pdftoppm") is None,
                                reason="LibreOffice and poppler-utils not installed")
DPI = 200


def _soffice(src: Path, outdir: Path, fmt: str) -> Path:
    """`src` opened and saved by LibreOffice as `fmt` (a private profile, as a user's)."""
    outdir.mkdir(parents=True, exist_ok=True)
    profile = (outdir / "profile").as_uri()
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile}",
                    "--convert-to", fmt, "--outdir", str(outdir), str(src)],
                   check=True, capture_output=True, timeout=180, stdin=subprocess.DEVNULL)
    made = outdir / f"{src.stem}.{fmt.split(':')[0]}"
    assert made.is_file()
    return made


def printed_lines_cm(docx: Path, tmp: Path) -> list[float]:
    """Lengths (cm) of the horizontal rules at the head of page 1 (its top 10 cm: header
    and title), shortest first, from its picture: runs of dark pixels longer than 1 cm
    and at most 1 mm thick (text never makes one)."""
    pdf = _soffice(docx, tmp / "pdf", "pdf")
    subprocess.run(["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-gray", "-png",
                    str(pdf), str(tmp / "page")], check=True, timeout=120)
    image = Image.open(next(tmp.glob("page*.png"))).convert("L")
    width, height = image.size
    px = image.load()
    found: list[tuple[int, float]] = []
    min_run = DPI / 2.54  # 1 cm
    thin = DPI / 25.4  # 1 mm

    def thickness(x: int, y: int) -> int:
        top = bottom = y
        while top > 0 and px[x, top - 1] < 128:
            top -= 1
        while bottom < height - 1 and px[x, bottom + 1] < 128:
            bottom += 1
        return bottom - top + 1

    for y in range(min(height, int(10 / 2.54 * DPI))):
        x = 0
        while x < width:
            if px[x, y] < 128:
                start = x
                while x < width and px[x, y] < 128:
                    x += 1
                if x - start >= min_run and thickness((start + x) // 2, y) <= thin:
                    cm = (x - start) / DPI * 2.54
                    # a rule 0.75 pt thick is 2–3 rows: count it once, at its top row
                    if not any(abs(y - fy) <= 4 and abs(cm - fc) < 0.1 for fy, fc in found):
                        found.append((y, cm))
            x += 1
    return sorted(cm for _, cm in found)


def _layout_holds(docx: Path) -> None:
    doc = Document(str(docx))
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert (round(s.top_margin.mm), round(s.bottom_margin.mm), round(s.left_margin.mm),
            round(s.right_margin.mm)) == (20, 20, 30, 15)
    # as printed: the runs' own fonts and sizes, or their styles' (an editor may move
    # direct formatting into styles or back)
    fonts = {font for p, r in text_runs(doc) for font in effective_run(doc, p, r)["fonts"]
             .values()}
    assert fonts == {"Times New Roman"}
    assert doc.styles["Normal"].font.name == "Times New Roman"
    sizes = {}
    for p in doc.element.body.iter(qn("w:p")):
        text = "".join(t.text or "" for t in p.iter(qn("w:t")))
        if text in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                    "BÁO CÁO"):
            printed = [effective_run(doc, q, r) for q, r in text_runs(doc, p) if q is p]
            sizes[text] = {(run["size"], run["bold"]) for run in printed}
    assert sizes == {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM": {(13, True)},
                     "Độc lập - Tự do - Hạnh phúc": {(14, True)},
                     "BÁO CÁO": {(14, True)}}


def _expected(agency: str, summary: str) -> list[float]:
    """The agency's, the motto's (make_template.MOTTO_CM), the trích yếu's, shortest first."""
    return sorted([layout.rule_length_cm(upper_vn(agency), layout.AGENCY_COLUMN_CM, 13), 6.05,
                   layout.rule_length_cm(summary, layout.PAGE_TEXT_CM, 14)])


def test_unit_template_survives_libreoffice(tmp_path: Path) -> None:
    mau = tmp_path / "mau.docx"
    assert main(["template", "export", str(mau)]) == 0
    saved = _soffice(mau, tmp_path / "saved", "docx:MS Word 2007 XML")
    assert main(["template", "check", str(saved)]) == 0
    out = tmp_path / "bc.docx"
    assert main(["build", str(EXAMPLE), "-o", str(out), "--template", str(saved)]) == 0
    _layout_holds(out)
    from baocao_cli.api import check
    from baocao_cli.score.rules import load_rules

    report = check(EXAMPLE, load_rules()).report
    assert report is not None
    expected = _expected(report.info.co_quan, report.info.trich_yeu or default_summary(report))
    assert expected == pytest.approx([2.25, 6.05, 6.5], abs=0.05)  # as printed before
    lines = printed_lines_cm(out, tmp_path / "printed")
    assert lines == pytest.approx(expected, abs=0.1)
    default = tmp_path / "mac-dinh.docx"
    assert main(["build", str(EXAMPLE), "-o", str(default)]) == 0
    assert printed_lines_cm(default, tmp_path / "printed-default") == pytest.approx(lines,
                                                                                    abs=0.05)


def test_consolidated_template_survives_libreoffice(tmp_path: Path) -> None:
    mau = tmp_path / "mau-tong-hop.docx"
    assert main(["template", "export", str(mau), "--tong-hop"]) == 0
    saved = _soffice(mau, tmp_path / "saved", "docx:MS Word 2007 XML")
    assert main(["template", "check", str(saved), "--tong-hop"]) == 0
    units = tmp_path / "vao"
    units.mkdir()
    write_book(units / "xa.xlsx", set_info(unit_sheets(), "co_quan", "Ủy ban nhân dân xã A"))
    info = write_book(tmp_path / "so-noi-vu.xlsx", {"Thông tin": [
        ["Mã", "Giá trị"], ["co_quan", "Sở Nội vụ tỉnh Hà Tĩnh"],
        ["ten_co_quan", "Sở Nội vụ"], ["nam", 2021]]})
    out = tmp_path / "ra"
    assert main(["batch", str(units), "-o", str(out), "--jobs", "1", "--info", str(info),
                 "--template-tong-hop", str(saved)]) == 0
    docx = out / "tong-hop.docx"
    _layout_holds(docx)
    summary = "Tổng hợp kết quả đánh giá, xếp loại công tác văn thư, lưu trữ năm 2021"
    lines = printed_lines_cm(docx, tmp_path / "printed")
    assert lines == pytest.approx(_expected("Sở Nội vụ tỉnh Hà Tĩnh", summary), abs=0.1)
