"""Where text falls on the page: widths of bold title text, so the decree's short lines
(under the agency name, the motto, the trích yếu) get their length from the text above.

Kept apart from rendering so the template generator and the renderer share one measure.
"""

from __future__ import annotations

import functools
import unicodedata

# Advance widths of Times New Roman Bold (= Liberation Serif Bold, metric-compatible),
# printable ASCII 32..126, in 1/1000 em. Vietnamese letters are measured by their base
# letter (the marks sit above or below it and add no width).
_BOLD_WIDTHS = (
    250, 333, 555, 500, 500, 1000, 833, 278, 333, 333, 500, 570, 250, 333, 250, 278, 500,
    500, 500, 500, 500, 500, 500, 500, 500, 500, 333, 333, 570, 570, 570, 500, 930, 722,
    667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778, 611, 778, 722,
    556, 667, 722, 722, 1000, 722, 722, 667, 333, 278, 333, 581, 500, 333, 500, 556, 444,
    556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500, 556, 556, 444, 389, 333,
    556, 500, 722, 500, 500, 444, 394, 220, 394, 520,
)
_PT_CM = 2.54 / 72
# Text width (cm) inside the cells and on the page, as laid out by scripts/make_template.py.
AGENCY_COLUMN_CM = 6.75 - 2 * 0.1
PAGE_TEXT_CM = 16.5
RULE_SHARE = 0.4  # of the longest line: inside the decree's 1/3 to 1/2, with margin
# The short lines whose length follows the text above them are paragraphs of these named
# styles: an editor keeps a paragraph's style (it resets a tag inside an attribute), and
# the fill step sizes each such paragraph from the text (fill.PreparedTemplate.fill).
RULE_STYLE_AGENCY = "Đường kẻ dưới tên cơ quan"
RULE_STYLE_SUMMARY = "Đường kẻ dưới trích yếu"


def _units(text: str) -> int:
    """Width of `text` in Times New Roman Bold, in 1/1000 em (additive over characters).

    A word of a title is measured once per process (every unit of a batch has the same
    `ỦY BAN NHÂN DÂN`…); long texts are measured each time, never kept."""
    if len(text) <= _CACHED_WORD:
        return _word_units(text)
    return _measure(text)


_CACHED_WORD = 40


@functools.lru_cache(maxsize=4096)
def _word_units(text: str) -> int:
    return _measure(text)


def _measure(text: str) -> int:
    units = 0
    for ch in unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D")):
        if unicodedata.combining(ch):
            continue
        code = ord(ch)
        units += _BOLD_WIDTHS[code - 32] if 32 <= code < 127 else 722
    return units


def _cm(units: int, size_pt: float) -> float:
    return units / 1000 * size_pt * _PT_CM


def text_width_cm(text: str, size_pt: float) -> float:
    """Width of `text` set in Times New Roman Bold at `size_pt`, in centimetres."""
    return _cm(_units(text), size_pt)


def wrapped_lines(text: str, width_cm: float, size_pt: float) -> list[str]:
    """The lines a word processor makes of `text` in a column `width_cm` wide (greedy).

    Widths add up character by character, so each word is measured once (a report
    measures its titles for every unit of a batch)."""
    space = _BOLD_WIDTHS[0]
    lines: list[str] = []
    for para in text.splitlines() or [text]:
        current, width = "", 0
        for word in para.split():
            units = _units(word)
            if current and _cm(width + space + units, size_pt) > width_cm:
                lines.append(current)
                current, width = word, units
            elif current:
                current, width = f"{current} {word}", width + space + units
            else:
                current, width = word, units
        lines.append(current)
    return lines


def rule_length_cm(text: str, width_cm: float, size_pt: float) -> float:
    """The short line under a bold title: 2/5 of its longest line (Phụ lục I: 1/3 to 1/2)."""
    longest = max((text_width_cm(line, size_pt)
                   for line in wrapped_lines(text, width_cm, size_pt)), default=0.0)
    return min(longest, width_cm) * RULE_SHARE


def rule_indent_twips(text: str, width_cm: float = AGENCY_COLUMN_CM,
                       size_pt: float = 13) -> int:
    """Equal side indents (twips) that centre that line in a column `width_cm` wide."""
    line = rule_length_cm(text, width_cm, size_pt)
    return max(int((width_cm - line) / 2 / 2.54 * 1440), 0)
