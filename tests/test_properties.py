"""Properties over generated input (hypothesis), on real .xlsx and .docx files.

1. Any text in any text field either gives a located error (and no document) or a
   document that opens with python-docx and shows the text literally: NFC, control
   characters removed, never evaluated as a template, never breaking the XML.
2. Vietnamese numbers: formatting then parsing gives the number back; parsing accepts
   what a clerk types and reads it the Vietnamese way.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import docx
from factory import Sheets, set_info, unit_sheets, write_book
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from baocao_cli.api import build
from baocao_cli.vn import format_number, parse_number

# ---------------------------------------------------------------- text fields

# Where a text goes in the workbook, and whether the report shows it whole (as one run of
# text) or one paragraph per line (`Nội dung`).
FIELDS: dict[str, Callable[[Sheets, str], None]] = {
    "co_quan": lambda s, t: set_info(s, "co_quan", t),
    "ten_co_quan": lambda s, t: set_info(s, "ten_co_quan", t),
    "nguoi_ky": lambda s, t: set_info(s, "nguoi_ky", t),
    "dia_danh": lambda s, t: set_info(s, "dia_danh", t),
    "trich_yeu": lambda s, t: set_info(s, "trich_yeu", t),
    "kinh_gui": lambda s, t: set_info(s, "kinh_gui", t),
    "loai_van_ban": lambda s, t: s["Văn bản"][1].__setitem__(1, t),
    "tieu_chi": lambda s, t: s["Chấm điểm"][2].__setitem__(1, t),
    "ghi_chu_cham_diem": lambda s, t: s["Chấm điểm"][2].__setitem__(4, t),
    "ghi_chu_chinh_ly": lambda s, t: s["Chỉnh lý"][1].__setitem__(7, t),
    "noi_dung": lambda s, t: s["Nội dung"][1].__setitem__(1, t),
}
PER_LINE = {"noi_dung"}
UPPER = {"co_quan"}  # the issuing agency is printed in capitals (ND 30/2020)

# What XML 1.0 cannot carry; Excel stores these as `_xHHHH_` escapes.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def as_excel_saves(text: str) -> str:
    """The cell text as Excel writes it: `_xHHHH_` escapes for what XML cannot hold."""
    text = re.sub(r"_(?=x[0-9A-Fa-f]{4}_)", "_x005F_", text)  # a literal `_x0041_` stays
    return re.sub("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]",
                  lambda m: f"_x{ord(m.group()):04X}_", text)


def shown(text: str) -> str:
    """What the contract says the report shows: NFC, no control characters, trimmed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", CONTROL.sub("", text)).strip()


def document_text(path: Path) -> list[str]:
    doc = docx.Document(str(path))
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                out.extend(p.text for p in cell.paragraphs)
    for section in doc.sections:
        out.extend(p.text for p in section.header.paragraphs)
        out.extend(p.text for p in section.footer.paragraphs)
    return out


SPECIALS = [
    "R&D <x> \"quoted\" 'single' &amp; ]]>",
    "{{ 7*7 }} {% if x %}có{% endif %} {# chú thích #} {{ report.info }}",
    "Nguye\u0302\u0303n Va\u0306n A\u0300n",  # NFD: combining marks
    "Báo cáo 📄✅ 🇻🇳",
    "chuông\x07 tab\tlùi\x08 dòng\rmới\x0b\x0c\x1f",
    "  lề trước và sau  ",
    "_x0041_ là chữ thường, không phải mã",
    "Trường \u200b không \ufeff hiển thị",
    "x" * 10_000,
    "Đoạn dài " * 1_200,
]

texts = st.one_of(
    st.sampled_from(SPECIALS),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Co", "Cn")),
            min_size=1, max_size=300),
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(field=st.sampled_from(sorted(FIELDS)), text=texts)
@example(field="noi_dung", text="{{ 7*7 }}\n{% if %}")
@example(field="trich_yeu", text="Kết quả thực hiện công tác văn thư, lưu trữ " * 20)
@example(field="co_quan", text="Ủy ban nhân dân " * 40)
@example(field="ten_co_quan", text="R&D <x> {{ 7*7 }}")
@example(field="nguoi_ky", text="")
@example(field="loai_van_ban", text=" \x07 ")
@example(field="tieu_chi", text="Nguye\u0302\u0303n " * 2_000)
@example(field="kinh_gui", text="Sở Nội vụ 🏛️ \x1b[31m")
def test_any_text_is_a_located_error_or_shown_literally(field: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sheets = unit_sheets()
        FIELDS[field](sheets, as_excel_saves(text))
        path = write_book(folder / "don-vi.xlsx", sheets)
        out = folder / "bao-cao.docx"
        built = build(path, out)
        checked = built.checked
        if checked.errors:
            assert built.output is None and not out.exists()
            for issue in checked.errors:
                assert issue.sheet and (issue.cell or issue.key), issue
                assert issue.message.startswith(f"{issue.sheet}"), issue.message
            return
        assert built.output == out
        paragraphs = document_text(out)
        body = "\n".join(paragraphs)
        expected = shown(text)
        if field in UPPER:
            expected = unicodedata.normalize("NFC", expected.upper())
        if field in PER_LINE:
            for line in (x.strip() for x in expected.split("\n")):
                if line:
                    assert line in paragraphs
        else:
            assert expected in body
        assert not CONTROL.search(body)
        assert body == unicodedata.normalize("NFC", body)


# ---------------------------------------------------------------- numbers

decimals = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=3,
                       allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(value=decimals)
def test_format_then_parse_gives_the_number_back(value: Decimal) -> None:
    text = format_number(value)
    parsed = parse_number(text)
    assert parsed.value == value, text
    # the canonical form never draws a warning, except 1,234-like forms (a comma and
    # exactly three decimals), which are ambiguous by nature and read the Vietnamese way
    if re.fullmatch(r"-?\d{1,3},\d{3}", text):
        assert parsed.note == "ambiguous"
    else:
        assert parsed.note is None, text


@settings(max_examples=200, deadline=None)
@given(whole=st.integers(min_value=0, max_value=10**12),
       frac=st.one_of(st.none(), st.integers(min_value=0, max_value=999)))
def test_parse_reads_vietnamese_grouping_and_decimal_comma(whole: int, frac: int | None
                                                          ) -> None:
    grouped = f"{whole:,}".replace(",", ".")
    text = grouped if frac is None else f"{grouped},{frac}"
    expected = Decimal(whole) if frac is None else Decimal(f"{whole}.{frac}")
    assert parse_number(text).value == expected
    assert parse_number(f"-{text}").value == -expected
    assert parse_number(str(whole)).value == Decimal(whole)  # no grouping at all


@settings(max_examples=100, deadline=None)
@given(value=st.integers(min_value=0, max_value=10**9))
def test_formatted_integers_group_by_thousands_with_dots(value: int) -> None:
    text = format_number(value)
    assert text.replace(".", "") == str(value)
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*", text)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=12))
def test_parse_never_raises_and_returns_a_number_or_nothing(text: str) -> None:
    parsed = parse_number(text)
    assert parsed.value is None or isinstance(parsed.value, Decimal)


def test_the_contract_examples() -> None:
    cases = {"8.800": ("8800", None), "143,63": ("143.63", None),
             "1.234,5": ("1234.5", None), "722.7": ("722.7", "intl"),
             "4,714": ("4.714", "ambiguous"), "705.": ("705", "trailing"),
             "abc": (None, None), "12 mét": (None, None), "1.2.3": (None, None)}
    for text, (value, note) in cases.items():
        parsed = parse_number(text)
        assert (str(parsed.value) if parsed.value is not None else None, parsed.note) == \
            (value, note), text


def test_shown_text_helper_can_fail() -> None:
    """The expectation helpers of the text property are themselves correct."""
    assert shown(" a\x07b\r\nc ") == "ab\nc"
    assert shown("e\u0301") == "é"
    assert as_excel_saves("a\x07_x0041_") == "a_x0007__x005F_x0041_"
