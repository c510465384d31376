"""Vietnamese text, number and date conventions shared by reading and rendering.

Numbers are `Decimal` end to end so that metres and money print exactly as entered and
scores round half-up (the rounding a clerk does by hand), never binary-float artefacts.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Characters XML 1.0 forbids (everything below 0x20 except tab/newline/CR), plus the
# non-characters Word refuses. CR is folded into LF before this runs.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")

# Letters only Unicode Vietnamese has (ă, đ, ơ, ư and every precomposed tone mark).
_VIET_LETTERS = re.compile("[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")
# Bytes of TCVN3 (ABC) and VNI fonts read as Windows-1252: `Tr­êng`, `Tröôøng`. Only
# characters that never occur in Unicode Vietnamese text are listed.
_LEGACY_MARKS = re.compile("[\u00ad¸µ¶·¹¨»¾¼½Æ©ÇË®ÎÏÐÑªÖ×ØÜÞß¬¤¦§øöñïûæåçë]")


@dataclass(frozen=True)
class CleanText:
    text: str
    removed_control: bool


def xml_safe(value: object) -> str:
    """NFC text without the characters XML refuses; spacing kept as it is."""
    return unicodedata.normalize("NFC", _XML_ILLEGAL.sub("", str(value)))


def bare_item(text: str) -> str:
    """A list item without the marks a clerk types around it: `- X;`, `+ X,`, `• X.`."""
    return text.strip().lstrip("-+•").strip().rstrip(";,.").strip()


def recipient_lines(items: list[str]) -> list[str]:
    """Nơi nhận the ND 30/2020 way: `- X;` each, the `Lưu:` line last and ending in `.`,
    whatever dashes and semicolons the user typed."""
    bare = [bare_item(r) for r in items]
    bare = [r for r in bare if r]
    keep = [r for r in bare if not fold(r).startswith("luu")]
    luu = [r for r in bare if fold(r).startswith("luu")]
    ordered = keep + luu
    return [f"- {r}{'.' if i == len(ordered) - 1 else ';'}" for i, r in enumerate(ordered)]


def clean_text(value: str) -> CleanText:
    """NFC, trimmed, without characters that would corrupt the document XML."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    stripped = _XML_ILLEGAL.sub("", text)
    return CleanText(unicodedata.normalize("NFC", stripped).strip(), stripped != text)


def looks_legacy_encoded(text: str) -> bool:
    """True for text typed with a TCVN3/VNI font: it has no Unicode Vietnamese letter."""
    return bool(_LEGACY_MARKS.search(text)) and not _VIET_LETTERS.search(text)


@functools.lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """Matching key for sheet names, headers and choices: no case, marks, spaces or dashes.

    Cached: a workbook or a register repeats the same labels, groups and ký hiệu tails.
    """
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\s_\-]+", "", text.casefold())


def fold_header(text: str) -> str:
    """Like `fold`, ignoring a trailing unit in parentheses: `Kế hoạch (mét)`."""
    return fold(re.sub(r"\([^()]*\)\s*$", "", text.strip()))


# ---------------------------------------------------------------- numbers

@dataclass(frozen=True)
class ParsedNumber:
    """A number read from text; `note` names the warning when the form was not canonical."""

    value: Decimal | None
    note: str | None = None  # "intl" | "ambiguous" | "trailing" | None


_VN = re.compile(r"^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?$")
_AMBIGUOUS = re.compile(r"^\d{1,3},\d{3}$")
_INTL_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_INTL_DECIMAL = re.compile(r"^\d+\.\d+$")
_TRAILING = re.compile(r"^(\d+)[.,]$")


def parse_number(text: str) -> ParsedNumber:
    """Read a number typed as text, the Vietnamese way first (`8.800`, `143,63`)."""
    s = text.strip().replace("\u00a0", "")
    sign = 1
    if s[:1] in "-−" and len(s) > 1:
        sign, s = -1, s[1:].strip()
    value: Decimal | None = None
    note: str | None = None
    if m := _VN.match(s):
        whole = m.group(1).replace(".", "")
        value = Decimal(f"{whole}.{m.group(2)}" if m.group(2) else whole)
        if _AMBIGUOUS.match(s):
            note = "ambiguous"
    elif _INTL_GROUPED.match(s) or _INTL_DECIMAL.match(s):
        value, note = Decimal(s.replace(",", "")), "intl"
    elif m := _TRAILING.match(s):
        value, note = Decimal(m.group(1)), "trailing"
    if value is None:
        return ParsedNumber(None)
    return ParsedNumber(sign * value, note)


def _script_of(char: str) -> str:
    name = unicodedata.name(char, "")
    if name.startswith("FULLWIDTH"):
        return "chữ số toàn khổ"
    if "ARABIC" in name:
        return "chữ số Ả Rập"
    return f"chữ số {name.split(' DIGIT')[0].title()}" if " DIGIT" in name else "chữ số khác"


def ascii_digits(text: str) -> tuple[str, str]:
    """`١٢٣` → (`123`, the script's name); ASCII text comes back as is, with no script."""
    if text.isascii():
        return text, ""
    scripts: list[str] = []
    out = []
    for char in text:
        if not char.isascii() and unicodedata.decimal(char, None) is not None:
            scripts.append(_script_of(char))
            out.append(str(unicodedata.decimal(char)))
        else:
            out.append(char)
    return "".join(out), ", ".join(dict.fromkeys(scripts))


def to_decimal(value: int | float) -> Decimal:
    """A numeric cell as the decimal the user typed (shortest repr, no float noise)."""
    try:
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:  # inf / nan cannot come from a valid cell, but never crash
        return Decimal(0)


def round_half_up(value: Decimal, places: int) -> Decimal:
    """Half-up to `places` decimals, exact at any magnitude.

    `quantize` raises when the result has more digits than the context's precision (28
    by default): a precision sized to the number keeps a huge or very long value a value.
    Non-finite values (which no valid cell gives) are returned unchanged.
    """
    if not value.is_finite():
        return value
    digits = max(value.adjusted(), 0) + places + 2
    quantum = _QUANTA[places] if 0 <= places < len(_QUANTA) else Decimal(1).scaleb(-places)
    ctx = decimal.getcontext()
    if digits <= ctx.prec and digits <= ctx.Emax:  # nearly always: no context of its own
        return value.quantize(quantum, rounding=ROUND_HALF_UP)
    with decimal.localcontext() as ctx:
        ctx.prec = max(ctx.prec, digits)
        ctx.Emax = max(ctx.Emax, digits)
        return value.quantize(quantum, rounding=ROUND_HALF_UP)


_QUANTA = tuple(Decimal(1).scaleb(-places) for places in range(8))


def format_number(value: Decimal | int | None, places: int = 3) -> str:
    """`8800` → `8.800`, `143.63` → `143,63`; at most `places` decimals, no trailing zeros."""
    if value is None:
        return ""
    d = value if type(value) is Decimal else Decimal(value)
    exponent = d.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -places:  # else nothing to round
        d = round_half_up(d, places)
    if not d.is_finite():
        return str(d)
    sign = "-" if d < 0 else ""
    text = f"{d.copy_abs():f}"  # abs() would round to the context's 28 digits
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + frac if frac else "")


def format_score(value: Decimal | None) -> str:
    return format_number(value, 2)


# ---------------------------------------------------------------- dates

_DMY = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(text: str) -> dt.date | None:
    """`24/11/2021`, `1/2/2021`, `24-11-2021`, `2021-11-24`; None when not a real date."""
    s = text.strip()
    if m := _YMD.match(s):
        y, mo, d = (int(g) for g in m.groups())
    elif m := _DMY.match(s):
        d, mo, y = (int(g) for g in m.groups())
    else:
        return None
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def day_text(day: int) -> str:
    """Days below 10 take a leading zero (Phụ lục I, ND 30/2020)."""
    return f"{day:02d}"


def month_text(month: int) -> str:
    """Only January and February take a leading zero (Phụ lục I, ND 30/2020)."""
    return f"{month:02d}" if month <= 2 else str(month)


def date_phrase(place: str, date: dt.date | None) -> str:
    """`Hà Tĩnh, ngày 24 tháng 11 năm 2021`; blanks to fill by hand when no date is given."""
    if date is None:
        return f"{place}, ngày      tháng      năm"
    return f"{place}, ngày {day_text(date.day)} tháng {month_text(date.month)} năm {date.year}"


def date_words(date: dt.date | None) -> str:
    if date is None:
        return "ngày      tháng      năm"
    return f"ngày {day_text(date.day)} tháng {month_text(date.month)} năm {date.year}"


def number_code(so: int | None, kind: str, ky_hieu: str) -> str:
    """`218/BC-SLĐTBXH`; numbers below 10 with a leading 0; blank number left to fill."""
    if so is None:
        return f"      /{kind}-{ky_hieu}"
    return f"{so:02d}/{kind}-{ky_hieu}"


def upper_vn(text: str) -> str:
    return unicodedata.normalize("NFC", text.upper())
