"""Scoring by the rules file: band edges, bonus and deduction, group items."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from factory import UNIT_RATING, set_info, unit_sheets, write_book

from baocao_cli import api
from baocao_cli.score.compute import total_of
from baocao_cli.score.rules import load_rules

RULES = load_rules()


@pytest.mark.parametrize(("total", "rating"), [
    ("100", "Xuất sắc"), ("90", "Xuất sắc"), ("89.99", "Tốt"), ("80", "Tốt"),
    ("79.99", "Khá"), ("79.75", "Khá"), ("70", "Khá"), ("69.99", "Trung bình"),
    ("50", "Trung bình"), ("49.99", "Yếu"), ("0", "Yếu"),
])
def test_band_edges_are_exact(total: str, rating: str) -> None:
    assert RULES.rating(Decimal(total)) == rating


def test_default_rules_are_data() -> None:
    assert RULES.id == "ha-tinh-2021"
    assert [(p.code, p.kind, p.max) for p in RULES.parts] == [
        ("I", "scored", 20), ("II", "scored", 40), ("III", "scored", 40), ("IV", "bonus", 5),
        ("V", "deduction", None)]


def test_total_adds_bonus_subtracts_deduction_and_never_goes_below_zero() -> None:
    assert total_of([("scored", Decimal("85")), ("bonus", Decimal("5")),
                     ("deduction", Decimal("2.5"))], 2) == Decimal("87.50")
    assert total_of([("scored", Decimal("1")), ("deduction", Decimal("3"))], 2) == 0
    assert total_of([("scored", Decimal("0.125"))], 2) == Decimal("0.13")


def _scores_of(tmp_path: Path, rows: list[list], declared: str | None = None):
    sheets = unit_sheets()
    sheets["Chấm điểm"] = [sheets["Chấm điểm"][0], *rows]
    set_info(sheets, "tu_xep_loai", declared)
    path = write_book(tmp_path / "u.xlsx", sheets)
    return api.check(path)


@pytest.mark.parametrize(("scores", "total", "rating"), [
    ((20, 40, 30, 0, 0), "90", "Xuất sắc"),
    ((20, 40, 29.99, 0, 0), "89,99", "Tốt"),
    ((20, 30, 30, 0, 0), "80", "Tốt"),
    ((20, 30, 29.75, 0, 0), "79,75", "Khá"),
    ((20, 30, 20, 0, 0), "70", "Khá"),
    ((10, 20, 20, 0, 0), "50", "Trung bình"),
    ((10, 20, 19.99, 0, 0), "49,99", "Yếu"),
    ((20, 38, 30, 5, 3), "90", "Xuất sắc"),
    ((20, 40, 40, 5, 0), "105", "Xuất sắc"),
])
def test_band_edges_end_to_end(tmp_path: Path, scores: tuple, total: str, rating: str) -> None:
    from baocao_cli.vn import format_score

    rows = [[code, f"Phần {code}", None, s, ""] for code, s in
            zip(("I", "II", "III", "IV", "V"), scores, strict=True)]
    checked = _scores_of(tmp_path, rows)
    assert checked.ok, [i.message for i in checked.issues]
    assert format_score(checked.scores.total) == total
    assert checked.scores.rating == rating


def test_group_items_are_summed(tmp_path: Path) -> None:
    checked = api.check(write_book(tmp_path / "u.xlsx", unit_sheets()))
    assert checked.ok, [i.message for i in checked.issues]
    part_i = checked.scores.parts[0]
    assert part_i.score == Decimal("17.5")  # 8 + (4 + 5.5)
    assert checked.scores.total == Decimal("74.75")
    assert checked.scores.rating == UNIT_RATING


def test_sub_items_a_b_belong_to_the_item_above(tmp_path: Path) -> None:
    rows = [["I", "Chung", 20, None, ""], ["1", "Nhóm", 6, None, ""],
            ["a)", "Ý a", 3, 3, ""], ["b)", "Ý b", 3, 2, ""], ["2", "Khác", 14, 10, ""],
            ["II", "VT", 40, 30, ""], ["III", "LT", 40, 30, ""]]
    checked = _scores_of(tmp_path, rows)
    assert checked.ok, [i.message for i in checked.issues]
    assert checked.scores.parts[0].score == Decimal("15")
    assert checked.scores.total == Decimal("75")


def test_stt_as_number_or_text_is_the_same_item(tmp_path: Path) -> None:
    rows = [["I", "Chung", 20, None, ""], [2, "Nhóm", 10, None, ""], [2.1, "a", 5, 5, ""],
            ["2.1", "b", 5, 5, ""], ["II", "VT", 40, 30, ""], ["III", "LT", 40, 30, ""]]
    checked = _scores_of(tmp_path, rows)
    duplicate = [i for i in checked.errors if i.code == "E303"]
    assert [i.cell for i in duplicate] == ["A5"]
    assert "đã có ở A4" in duplicate[0].message
