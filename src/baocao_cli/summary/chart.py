"""The bar chart of `tong-hop.docx` (units per rating), drawn with Pillow.

matplotlib drew it before, at a fixed cost of about a second a run (its import and its
font list) and a cache folder to keep out of the user's home; a few rectangles and labels
need none of that. Pillow's built-in font has no Vietnamese letters, so a TrueType font
that has them is looked for in the usual font folders (`BAOCAO_FONT_DIRS` replaces them);
without one, `ChartError` says so and the report goes without its chart.
"""

from __future__ import annotations

import functools
import io
import os
import sys
import unicodedata
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BaocaoError
from ..vn import format_number

if TYPE_CHECKING:
    from .workbook import RatingCount

FONT_DIRS_ENV = "BAOCAO_FONT_DIRS"

# Families in order of preference: (name, regular files, bold files). File names are matched
# without regard to case; Windows, macOS and the Linux packages spell them differently.
FAMILIES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Times New Roman",
     ("times.ttf", "Times New Roman.ttf", "Times_New_Roman.ttf", "TimesNewRoman.ttf"),
     ("timesbd.ttf", "Times New Roman Bold.ttf", "Times_New_Roman_Bold.ttf",
      "TimesNewRomanBold.ttf")),
    ("Liberation Serif", ("LiberationSerif-Regular.ttf",), ("LiberationSerif-Bold.ttf",)),
    ("DejaVu Serif", ("DejaVuSerif.ttf",), ("DejaVuSerif-Bold.ttf",)),
    ("Noto Serif", ("NotoSerif-Regular.ttf", "NotoSerif-Regular.otf"),
     ("NotoSerif-Bold.ttf", "NotoSerif-Bold.otf")),
    ("DejaVu Sans", ("DejaVuSans.ttf",), ("DejaVuSans-Bold.ttf",)),
    ("Liberation Sans", ("LiberationSans-Regular.ttf",), ("LiberationSans-Bold.ttf",)),
    ("Arial", ("arial.ttf",), ("arialbd.ttf", "Arial Bold.ttf", "Arial_Bold.ttf")),
    ("Noto Sans", ("NotoSans-Regular.ttf", "NotoSans-Regular.otf"),
     ("NotoSans-Bold.ttf", "NotoSans-Bold.otf")),
)
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
PROBE = "ạốữđẾ"  # letters a Latin-only font lacks (Liberation 1.x has none of them)
MISSING = "\uffff"  # a non-character: every font draws its missing-glyph box for it
MAX_DEPTH = 4  # folder levels below each font folder (Debian: truetype/<package>/)
MAX_ENTRIES = 20_000  # a bound on the walk, whatever is in the folders

NO_FONT = ("không tìm thấy phông chữ có đủ dấu tiếng Việt (Times New Roman, Liberation Serif, "
           "DejaVu Serif, Noto Serif, Arial…) trong các thư mục phông chữ của máy; cài một "
           f"phông như vậy, hoặc đặt biến môi trường {FONT_DIRS_ENV} là thư mục chứa phông.")

WIDTH, HEIGHT, DPI = 1260, 680, 200  # 6.3 × 3.4 inches, as printed
BAR = (0x44, 0x72, 0xC4)
BLACK = (0, 0, 0)
GRID = (0xD9, 0xD9, 0xD9)


class ChartError(BaocaoError):
    """The chart cannot be drawn; the message is for the user, in Vietnamese."""


# ---------------------------------------------------------------- fonts


def font_dirs() -> tuple[Path, ...]:
    """The folders searched: `BAOCAO_FONT_DIRS` (separated by os.pathsep) when set, else the
    system's and the user's font folders."""
    custom = os.environ.get(FONT_DIRS_ENV)
    if custom:
        return tuple(Path(p).expanduser() for p in custom.split(os.pathsep) if p)
    home = Path(os.path.expanduser("~"))
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR") or os.environ.get("SYSTEMROOT") or r"C:\Windows"
        dirs = [Path(windir) / "Fonts"]
        if local := os.environ.get("LOCALAPPDATA"):
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
        return tuple(dirs)
    if sys.platform == "darwin":
        return (Path("/System/Library/Fonts/Supplemental"), Path("/Library/Fonts"),
                home / "Library" / "Fonts")
    return (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
            home / ".local" / "share" / "fonts", home / ".fonts")


def _font_files(dirs: Sequence[Path]) -> dict[str, list[Path]]:
    """Font files by lower-case name, in the order found (shallowest first, then by name).

    Every copy is kept: Debian installs Liberation 1.x (no Vietnamese) beside 2.x under the
    same file names. The walk is bounded in depth and in entries, so a symlink loop or a
    huge folder costs little.
    """
    found: dict[str, list[Path]] = {}
    seen = 0
    for root in dirs:
        queue = deque([(root, 0)])
        while queue:
            folder, depth = queue.popleft()
            try:
                with os.scandir(folder) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                seen += 1
                if seen > MAX_ENTRIES:
                    return found
                try:
                    if entry.is_dir():
                        if depth < MAX_DEPTH:
                            queue.append((Path(entry.path), depth + 1))
                    elif entry.name.lower().endswith(FONT_SUFFIXES):
                        found.setdefault(entry.name.lower(), []).append(Path(entry.path))
                except OSError:
                    continue
    return found


def _render(font: Any, text: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("L", (96, 96))
    ImageDraw.Draw(image).text((24, 24), text, font=font, fill=255)
    return image.tobytes()


def has_vietnamese(path: Path) -> bool:
    """Whether the font at `path` opens and draws each probe letter as a real glyph: not
    blank, and not the box it draws for a character it does not have."""
    from PIL import ImageFont

    try:
        font = ImageFont.truetype(str(path), 48, layout_engine=ImageFont.Layout.BASIC)
        missing = _render(font, MISSING)
        blank = bytes(96 * 96)
        return all(_render(font, ch) not in (missing, blank) for ch in PROBE)
    except (OSError, ValueError, ImportError):  # not a font, or Pillow without FreeType
        return False


@functools.cache
def _find(dirs: tuple[Path, ...]) -> tuple[Path, Path] | None:
    files = _font_files(dirs)

    def first(names: tuple[str, ...]) -> Path | None:
        return next((p for name in names for p in files.get(name.lower(), ())
                     if has_vietnamese(p)), None)

    for _family, regular, bold in FAMILIES:
        path = first(regular)
        if path is not None:
            return path, first(bold) or path
    return None


def find_fonts() -> tuple[Path, Path] | None:
    """The regular and bold faces of the first family with Vietnamese letters (the regular
    face again when the family has no bold one), or None. Searched once per process for a
    given list of folders."""
    return _find(font_dirs())


@functools.cache
def _font(path: Path, size: int) -> Any:
    from PIL import ImageFont

    # The basic layout: Vietnamese needs no shaping (NFC letters are precomposed), and the
    # same glyphs come out whether or not Pillow was built with libraqm.
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


# ---------------------------------------------------------------- layout helpers


def _px(points: float) -> int:
    return round(points * DPI / 72)


def _line_height(font: Any) -> int:
    ascent, descent = font.getmetrics()
    return int(ascent + descent)


def _wrap(text: str, font: Any, width: float) -> list[str]:
    """Greedy word wrap; a single word wider than `width` stays on its own line."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if not current or font.getlength(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    return [*lines, current]


def _clip(text: str, font: Any, width: float) -> str:
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _fit(texts: Sequence[str], path: Path, size: int, smallest: int, width: float,
         max_lines: int) -> tuple[Any, list[list[str]]]:
    """One font size for all `texts`, the largest from `size` down to `smallest` at which
    each wraps into `max_lines` lines of at most `width`; at `smallest`, what still does
    not fit is cut with an ellipsis. Long rating names thus never overlap."""
    for s in range(size, smallest - 1, -1):
        font = _font(path, s)
        wrapped = [_wrap(t, font, width) for t in texts]
        if all(len(lines) <= max_lines and all(font.getlength(ln) <= width for ln in lines)
               for lines in wrapped):
            return font, wrapped
    font = _font(path, smallest)
    out = []
    for t in texts:
        lines = _wrap(t, font, width)
        if len(lines) > max_lines:
            lines = [*lines[:max_lines - 1], " ".join(lines[max_lines - 1:]) + "…"]
        out.append([_clip(ln, font, width) for ln in lines])
    return font, out


def _step(scale: float) -> int:
    """An integer tick step (1, 2, 5, 10, 20, 50, …) giving at most 6 intervals."""
    magnitude = 1
    while True:
        for m in (1, 2, 5):
            if scale / (m * magnitude) <= 6:
                return m * magnitude
        magnitude *= 10


# ---------------------------------------------------------------- the chart


def chart_png(counts: Sequence[RatingCount], year: int) -> bytes:
    """A bar chart of units per rating (PNG, 200 dpi), each bar labelled with its count and
    share; the same input gives the same bytes. ChartError when no font has Vietnamese."""
    fonts = find_fonts()
    if fonts is None:
        raise ChartError(NO_FONT)
    from PIL import Image, ImageDraw

    regular, bold = fonts
    nfc = functools.partial(unicodedata.normalize, "NFC")
    names = [nfc(c.name) for c in counts]
    values = [c.count for c in counts]
    shares = [f"{format_number(c.count)} ({format_number(c.share, 2)}%)" for c in counts]
    title = f"Kết quả xếp loại công tác văn thư, lưu trữ năm {year or '…'}"

    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    pad, gap, tick = 24, _px(3), _px(3.5)

    # Title, bold, shrunk if a long year or font makes it wider than the image.
    title_font, title_lines = _fit([title], bold, _px(11), _px(7), WIDTH - 2 * pad, 1)
    title_text = title_lines[0][0]
    plot_top = pad + _line_height(title_font) + 2 * gap

    # Y axis: the label turned a quarter, the tick labels, the ticks.
    top = max(values, default=0)
    tick_font = _font(regular, _px(9))
    ylabel_font = _font(regular, _px(10))
    ylabel = "Số đơn vị"
    widest = tick_font.getlength(format_number(2 * max(top, 1)))  # no tick label is longer
    plot_left = pad + _line_height(ylabel_font) + 2 * gap + int(widest) + tick + gap
    plot_right = WIDTH - pad

    # X axis: one slot per rating; names wrapped or shrunk to the slot.
    n = max(len(counts), 1)
    slot = (plot_right - plot_left) / n
    name_font, name_lines = _fit(names, regular, _px(9), _px(6), slot - 2 * gap, 2)
    rows = max((len(lines) for lines in name_lines), default=1)
    plot_bottom = HEIGHT - pad - rows * _line_height(name_font) - tick - gap
    plot_h = plot_bottom - plot_top

    # The vertical scale leaves room above the tallest bar for its label.
    value_font, value_lines = _fit(shares, regular, _px(9), _px(6), slot - gap, 1)
    room = _line_height(value_font) + 2 * gap
    scale = max(top, 1) * plot_h / (plot_h - room)
    step = _step(scale)
    ticks = range(0, int(scale) + 1, step)

    def y(value: float) -> int:
        return round(plot_bottom - value * plot_h / scale)

    for v in ticks:
        if v:
            draw.line([(plot_left, y(v)), (plot_right, y(v))], fill=GRID, width=2)
    bar_w = min(0.8 * slot, _px(72))
    for i, value in enumerate(values):
        centre = plot_left + (i + 0.5) * slot
        if value:
            draw.rectangle([round(centre - bar_w / 2), y(value), round(centre + bar_w / 2),
                            plot_bottom], fill=BAR, outline=BLACK, width=2)
        draw.text((centre, y(value) - gap), value_lines[i][0], font=value_font, fill=BLACK,
                  anchor="md")
        draw.line([(round(centre), plot_bottom), (round(centre), plot_bottom + tick)],
                  fill=BLACK, width=2)
        for row, line in enumerate(name_lines[i]):
            draw.text((centre, plot_bottom + tick + gap + row * _line_height(name_font)),
                      line, font=name_font, fill=BLACK, anchor="ma")
    draw.line([(plot_left, plot_top), (plot_left, plot_bottom)], fill=BLACK, width=2)
    draw.line([(plot_left, plot_bottom), (plot_right, plot_bottom)], fill=BLACK, width=2)
    for v in ticks:
        draw.line([(plot_left - tick, y(v)), (plot_left, y(v))], fill=BLACK, width=2)
        draw.text((plot_left - tick - gap, y(v)), format_number(v), font=tick_font,
                  fill=BLACK, anchor="rm")

    # The y label: drawn on its own strip, turned, and pasted through as a mask.
    left, _, right, _ = ylabel_font.getbbox(ylabel)
    strip = Image.new("L", (int(right - left) + 2, _line_height(ylabel_font)))
    ImageDraw.Draw(strip).text((-left + 1, 0), ylabel, font=ylabel_font, fill=255)
    strip = strip.rotate(90, expand=True)
    x0 = pad
    y0 = round((plot_top + plot_bottom - strip.height) / 2)
    image.paste(BLACK, (x0, y0, x0 + strip.width, y0 + strip.height), strip)

    centre = (plot_left + plot_right) / 2
    half = title_font.getlength(title_text) / 2
    centre = min(max(centre, pad + half), WIDTH - pad - half)
    draw.text((centre, pad), title_text, font=title_font, fill=BLACK, anchor="ma")

    buf = io.BytesIO()
    image.save(buf, format="PNG", dpi=(DPI, DPI))  # no text chunks, no time: same bytes
    return buf.getvalue()
