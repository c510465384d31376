"""Vietnamese numbers, dates and text rules of workbook.md and report.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baocao_cli.vn import (
    clean_text,
    date_phrase,
    fold,
    fold_header,
    format_number,
    format_score,
    looks_legacy_encoded,
    number_code,
    parse_date,
    parse_number,
    round_half_up,
)


@pytest.mark.parametrize(("text", "value", "note"), [
    ("8.800", "8800", None),
    ("143,63", "143.63", None),
    ("1.234,5", "1234.5", None),
    ("1.234.567", "1234567", None),
    ("8800", "8800", None),
    ("0", "0", None),
    ("-12", "-12", None),
    ("722.7", "722.7", "intl"),
    ("143.63", "143.63", "intl"),
    ("1,234,567", "1234567", "intl"),
    ("1,234.5", "1234.5", "intl"),
    ("4,714", "4.714", "ambiguous"),
    ("705.", "705", "trailing"),
    ("705,", "705", "trailing"),
    (" 8.800 ", "8800", None),
])
def test_parse_number_forms(text: str, value: str, note: str | None) -> None:
    parsed = parse_number(text)
    assert parsed.value == Decimal(value)
    assert parsed.note == note


@pytest.mark.parametrize("text", ["abc", "12 mét", "1.2.3", "", "1,2,3", "--1", "1.23.456"])
def test_parse_number_refuses(text: str) -> None:
    assert parse_number(text).value is None


@pytest.mark.parametrize(("value", "places", "text"), [
    (Decimal("8800"), 3, "8.800"),
    (Decimal("143.63"), 3, "143,63"),
    (Decimal("722.70"), 3, "722,7"),
    (Decimal("4.714"), 3, "4,714"),
    (Decimal("190"), 3, "190"),
    (Decimal("1234567.5"), 3, "1.234.567,5"),
    (Decimal("89.75"), 2, "89,75"),
    (Decimal("0.125"), 2, "0,13"),
    (Decimal("-1500"), 3, "-1.500"),
    (None, 3, ""),
])
def test_format_number(value: Decimal | None, places: int, text: str) -> None:
    assert format_number(value, places) == text


def test_scores_round_half_up_not_bankers() -> None:
    assert round_half_up(Decimal("2.675"), 2) == Decimal("2.68")
    assert round_half_up(Decimal("0.125"), 2) == Decimal("0.13")
    assert format_score(Decimal("89.995")) == "90"


@pytest.mark.parametrize(("text", "date"), [
    ("24/11/2021", dt.date(2021, 11, 24)),
    ("1/2/2021", dt.date(2021, 2, 1)),
    ("24-11-2021", dt.date(2021, 11, 24)),
    ("2021-11-24", dt.date(2021, 11, 24)),
])
def test_parse_date_forms(text: str, date: dt.date) -> None:
    assert parse_date(text) == date


@pytest.mark.parametrize("text", ["31/02/2021", "2021-13-01", "24.11", "hôm nay", "00/01/2021"])
def test_parse_date_refuses(text: str) -> None:
    assert parse_date(text) is None


def test_date_phrase_leading_zeros_nd30() -> None:
    assert date_phrase("Hà Tĩnh", dt.date(2021, 11, 24)) == "Hà Tĩnh, ngày 24 tháng 11 năm 2021"
    assert date_phrase("Kỳ Tân", dt.date(2022, 1, 5)) == "Kỳ Tân, ngày 05 tháng 01 năm 2022"
    assert date_phrase("Kỳ Tân", dt.date(2022, 2, 9)).endswith("ngày 09 tháng 02 năm 2022")
    assert date_phrase("Kỳ Tân", dt.date(2022, 3, 9)).endswith("ngày 09 tháng 3 năm 2022")
    blank = date_phrase("Hà Tĩnh", None)
    assert blank.startswith("Hà Tĩnh, ngày") and "None" not in blank


def test_number_code() -> None:
    assert number_code(218, "BC", "SLĐTBXH") == "218/BC-SLĐTBXH"
    assert number_code(5, "BC", "UBND") == "05/BC-UBND"
    blank = number_code(None, "BC", "UBND")
    assert blank.endswith("/BC-UBND") and blank.startswith(" ")


def test_fold_matches_sheet_and_header_names() -> None:
    assert fold("Thông tin") == fold("THONG TIN") == fold("thong_tin")
    assert fold("Văn bản mật đến") == fold("van-ban mat den")
    assert fold_header("Kế hoạch (mét)") == fold_header("KE HOACH") == fold_header("Kế hoạch")


def test_clean_text_nfc_and_control_characters() -> None:
    nfd = "Tiê\u0301ng Viê\u0323t"
    cleaned = clean_text(f"  {nfd}\x07\x00 ")
    assert cleaned.text == "Tiếng Việt"
    assert cleaned.removed_control
    assert not clean_text("a\tb\nc").removed_control


@pytest.mark.parametrize(("text", "legacy"), [
    ("Tr\u00adêng", True),  # TCVN3
    ("Tröôøng", True),  # VNI
    ("Trường", False),
    ("UBND", False),
    ("Báo cáo", False),
])
def test_legacy_encoding_detection(text: str, legacy: bool) -> None:
    assert looks_legacy_encoded(text) is legacy


@settings(max_examples=400, deadline=None)
@given(value=st.one_of(st.decimals(allow_nan=False, allow_infinity=False),
                       st.integers(-10 ** 30, 10 ** 30)),
       places=st.integers(0, 9))
def test_format_number_is_the_rounded_value_written_out(value: Decimal | int,
                                                         places: int) -> None:
    """The shortcut for values with few decimals (no rounding, no context) gives what
    rounding half-up first gives, at any magnitude."""
    rounded = round_half_up(Decimal(value), places)
    whole, _, frac = f"{rounded.copy_abs():f}".partition(".")
    frac = frac.rstrip("0")
    grouped = f"{int(whole):,}".replace(",", ".")
    expected = ("-" if rounded < 0 else "") + grouped + ("," + frac if frac else "")
    assert format_number(value, places) == expected
