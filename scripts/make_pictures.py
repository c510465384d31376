"""Render the pictures of `docs/huong-dan-van-thu.md` from real output.

The starter workbook (`baocao init`) and the example report (`baocao build` of the shipped
example) are printed with LibreOffice to PDF, and pages are turned into PNG with
`pdftoppm` (poppler-utils). Re-run from the repository root after a change to the starter
or the report:

    python scripts/make_pictures.py

Needs LibreOffice with Calc (`soffice`; Debian: libreoffice-calc-nogui) and poppler-utils
(`pdftoppm`, `pdfinfo`) on PATH.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl

from baocao_cli.api import build
from baocao_cli.score.rules import load_rules
from baocao_cli.starter import starter_bytes

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
EXAMPLE = ROOT / "examples" / "so-ldtbxh-ha-tinh-2021.xlsx"
DPI = "80"
STARTER_DPI = "110"  # a sheet's top is small on its page: finer, then cropped

# Sheet of the starter -> (picture, print area): the top of each sheet, where a clerk starts.
STARTER_SHEETS = {
    "Hướng dẫn": ("khoi-dau-huong-dan.png", "A1:B10"),
    "Thông tin": ("khoi-dau-thong-tin.png", "A1:C17"),
    "Chấm điểm": ("khoi-dau-cham-diem.png", "A1:E8"),
    "Văn bản": ("khoi-dau-van-ban.png", "A1:D12"),
}


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found or not shutil.which("pdftoppm"):
        sys.exit("Cần LibreOffice (soffice, cả Calc: libreoffice-calc-nogui) và poppler-utils "
                 "(pdftoppm).")
    return found


def to_pdf(soffice: str, source: Path, work: Path) -> Path:
    """`source` printed to PDF by LibreOffice, with a private profile."""
    profile = work / "profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(work), str(source)],
                   check=True, capture_output=True, timeout=300)
    return work / f"{source.stem}.pdf"


def page_png(pdf: Path, page: int, target: Path, *, dpi: str = DPI, crop: bool = False
             ) -> None:
    """One page of `pdf` as `target` (PNG): the whole page as printed, or (`crop`) only
    what is printed on it, with a small margin."""
    stem = target.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", dpi, "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(stem)], check=True, timeout=120)
    if crop:
        from PIL import Image, ImageOps

        with Image.open(target) as image:
            box = ImageOps.invert(image.convert("L")).getbbox()
            if box:
                margin = 12
                box = (max(0, box[0] - margin), max(0, box[1] - margin),
                       min(image.width, box[2] + margin), min(image.height, box[3] + margin))
                image.crop(box).save(target, optimize=True)


def pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True,
                         text=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines()
                    if line.startswith("Pages:")))


def starter_pictures(soffice: str, work: Path) -> None:
    """Each sheet of the starter alone (the others hidden), its top as a landscape page."""
    blob = starter_bytes(load_rules())
    for sheet, (name, area) in STARTER_SHEETS.items():
        path = work / f"starter-{len(list(work.iterdir()))}.xlsx"
        path.write_bytes(blob)
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            ws.sheet_state = "visible" if ws.title == sheet else "hidden"
        ws = wb[sheet]
        wb.active = wb.index(ws)
        ws.print_area = area
        ws.print_options.gridLines = True
        ws.print_options.headings = True  # the A, B, C… and 1, 2, 3… the clerk sees
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        wb.save(path)
        page_png(to_pdf(soffice, path, work), 1, IMAGES / name, dpi=STARTER_DPI, crop=True)
        print(f"Đã ghi {IMAGES / name}")


def report_pictures(soffice: str, work: Path) -> None:
    """The example report: its first page and its appendix (Phụ lục I), as printed."""
    docx = work / "bao-cao.docx"
    built = build(EXAMPLE, docx, load_rules())
    if built.output is None:
        sys.exit("Sổ mẫu không lập được báo cáo.")
    pdf = to_pdf(soffice, docx, work)
    page_png(pdf, 1, IMAGES / "bao-cao-trang-1.png")
    page_png(pdf, pages(pdf), IMAGES / "bao-cao-phu-luc.png")
    print(f"Đã ghi {IMAGES / 'bao-cao-trang-1.png'}, {IMAGES / 'bao-cao-phu-luc.png'}")


def main() -> None:
    soffice = _soffice()
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        starter_pictures(soffice, work)
        report_pictures(soffice, work)


if __name__ == "__main__":
    main()
