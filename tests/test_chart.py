"""The batch chart drawn with Pillow: its picture, its fonts, and the report without one."""

from __future__ import annotations

import io
import os
import shutil
import struct
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from factory import set_info, unit_sheets, write_book
from PIL import Image, ImageChops, ImageFont

from baocao_cli.cli import main
from baocao_cli.summary import chart
from baocao_cli.summary.chart import ChartError, chart_png, find_fonts, font_dirs, has_vietnamese
from baocao_cli.summary.document import NO_CHART
from baocao_cli.summary.workbook import RatingCount

SYSTEM_FONTS = find_fonts()
needs_font = pytest.mark.skipif(SYSTEM_FONTS is None,
                                reason="no TrueType font with Vietnamese letters installed")
COUNTS = [RatingCount("Xuất sắc", 2, Decimal("18.18")), RatingCount("Tốt", 5, Decimal("45.45")),
          RatingCount("Khá", 0, Decimal(0)), RatingCount("Trung bình", 1, Decimal("9.09")),
          RatingCount("Yếu", 3, Decimal("27.27"))]


def _chunks(png: bytes) -> list[bytes]:
    """The PNG's chunk types, checking each chunk's CRC on the way."""
    types, pos = [], 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind, data = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + data) == crc
        types.append(kind)
        pos += 12 + length
    return types


def _bar_heights(png: bytes) -> list[int]:
    """Height in pixels of each run of columns holding the bar colour, left to right."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    solid = Image.new("RGB", image.size, chart.BAR)
    diff = ImageChops.difference(image, solid)
    channels = [band.point(lambda v: 255 if v == 0 else 0) for band in diff.split()]
    mask = ImageChops.multiply(ImageChops.multiply(channels[0], channels[1]), channels[2])
    height = image.height
    data = mask.transpose(Image.Transpose.TRANSPOSE).tobytes()  # one column after another
    columns = [data[x * height:(x + 1) * height].count(255) for x in range(image.width)]
    heights: list[int] = []
    inside = False
    for count in columns:
        if count and not inside:
            heights.append(count)
        elif count:
            heights[-1] = max(heights[-1], count)
        inside = bool(count)
    return heights


@needs_font
def test_chart_is_a_deterministic_200_dpi_png() -> None:
    png = chart_png(COUNTS, 2021)
    assert png == chart_png(COUNTS, 2021)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (1260, 680)  # 6.3 × 3.4 in at 200 dpi
    assert [round(d) for d in image.info["dpi"]] == [200, 200]
    assert image.getpixel((5, 5)) == (255, 255, 255)
    assert set(_chunks(png)) == {b"IHDR", b"pHYs", b"IDAT", b"IEND"}  # no time, no text


@needs_font
def test_bars_follow_the_counts_and_an_empty_rating_has_none() -> None:
    heights = _bar_heights(chart_png(COUNTS, 2021))
    assert len(heights) == 4  # Khá has 0 units: no bar, its place kept
    two, five, one, three = heights
    assert five > three > two > one > 0
    assert five / one == pytest.approx(5, rel=0.05)
    assert three / one == pytest.approx(3, rel=0.05)


@needs_font
def test_chart_changes_with_the_figures_and_the_year() -> None:
    base = chart_png(COUNTS, 2021)
    assert chart_png(COUNTS, 2022) != base
    assert chart_png(COUNTS[:2], 2021) != base
    assert _bar_heights(chart_png([], 2021)) == []  # rules without bands: axes only


@needs_font
def test_long_rating_names_are_wrapped_or_shrunk_to_their_slot() -> None:
    regular, _ = SYSTEM_FONTS  # type: ignore[misc]
    names = ["Hoàn thành xuất sắc nhiệm vụ", "Không hoàn thành nhiệm vụ", "Khá",
             "Chưakhoảngtrắngnàotrongtênxếploạinày"]
    font, lines = chart._fit(names, regular, 25, 17, 120, 2)
    assert len(lines) == len(names)
    for wrapped in lines:
        assert 1 <= len(wrapped) <= 2
        assert all(font.getlength(line) <= 120 for line in wrapped)
    assert lines[2] == ["Khá"]
    assert lines[3][-1].endswith("…")  # one word too long even at the smallest size
    long = [RatingCount(n, i, Decimal(25)) for i, n in enumerate(names, 1)] * 2
    png = chart_png(long, 2021)
    assert len(_bar_heights(png)) == 8


def test_font_dirs_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BAOCAO_FONT_DIRS", f"{tmp_path / 'a'}{os.pathsep}{tmp_path / 'b'}")
    assert font_dirs() == (tmp_path / "a", tmp_path / "b")
    monkeypatch.delenv("BAOCAO_FONT_DIRS")
    assert font_dirs() and all(d.is_absolute() for d in font_dirs())


def test_no_font_is_a_chart_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "phong-chu"
    empty.mkdir()
    (empty / "times.ttf").write_bytes(b"not a font")  # the right name is not enough
    monkeypatch.setenv("BAOCAO_FONT_DIRS", str(empty))
    assert find_fonts() is None
    with pytest.raises(ChartError, match="BAOCAO_FONT_DIRS"):
        chart_png(COUNTS, 2021)


@needs_font
def test_font_search_order_and_bold_face(monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    regular, bold = SYSTEM_FONTS  # type: ignore[misc]
    folder = tmp_path / "fonts" / "truetype" / "x"  # found below the folder given
    folder.mkdir(parents=True)
    (folder / "times.ttf").write_bytes(b"\x00\x01\x00\x00broken")  # first family: unusable
    shutil.copyfile(regular, folder / "DejaVuSerif.ttf")  # a Vietnamese font, by this name
    monkeypatch.setenv("BAOCAO_FONT_DIRS", str(tmp_path / "fonts"))
    assert find_fonts() == (folder / "DejaVuSerif.ttf", folder / "DejaVuSerif.ttf")
    shutil.copyfile(bold, folder / "dejavuserif-bold.ttf")  # names match in any case
    chart._find.cache_clear()
    assert find_fonts() == (folder / "DejaVuSerif.ttf", folder / "dejavuserif-bold.ttf")
    assert _bar_heights(chart_png(COUNTS, 2021))


def _opens(path: Path) -> bool:
    try:
        ImageFont.truetype(str(path), 12)
    except OSError:
        return False
    return True


def _latin_only_font() -> Path | None:
    """A font of this machine that opens but lacks Vietnamese letters (Liberation 1.x)."""
    files = chart._font_files(font_dirs())
    return next((p for paths in files.values() for p in paths
                 if p.suffix.lower() == ".ttf" and _opens(p) and not has_vietnamese(p)), None)


@needs_font
def test_a_font_without_vietnamese_letters_is_passed_over(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    latin = _latin_only_font()
    if latin is None:
        pytest.skip("no font without Vietnamese letters on this machine")
    regular, _ = SYSTEM_FONTS  # type: ignore[misc]
    first, second = tmp_path / "1", tmp_path / "2"
    first.mkdir()
    second.mkdir()
    shutil.copyfile(latin, first / "times.ttf")
    shutil.copyfile(regular, second / "times.ttf")
    monkeypatch.setenv("BAOCAO_FONT_DIRS", f"{first}{os.pathsep}{second}")
    assert find_fonts() == (second / "times.ttf", second / "times.ttf")


def test_batch_without_a_font_writes_the_report_with_a_note(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    units = tmp_path / "nop-ve"
    units.mkdir()
    for i in (1, 2):
        write_book(units / f"xa-{i}.xlsx",
                   set_info(unit_sheets(), "co_quan", f"Ủy ban nhân dân xã số {i}"))
    (tmp_path / "trong").mkdir()
    monkeypatch.setenv("BAOCAO_FONT_DIRS", str(tmp_path / "trong"))
    out = tmp_path / "ket-qua"
    capsys.readouterr()
    assert main(["batch", str(units), "-o", str(out), "--jobs", "1"]) == 0
    captured = capsys.readouterr()
    assert "Cảnh báo: báo cáo tổng hợp không có biểu đồ: không tìm thấy phông chữ" in captured.err
    assert "Báo cáo tổng hợp:" in captured.out
    doc = Document(str(out / "tong-hop.docx"))
    assert len(doc.inline_shapes) == 0
    note = next(p for p in doc.paragraphs if p.text == NO_CHART)
    assert all(r.italic for r in note.runs if r.text)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Biểu đồ: Kết quả xếp loại" not in text
    assert "Xếp loại Khá: 2 đơn vị, chiếm 100%." in text
