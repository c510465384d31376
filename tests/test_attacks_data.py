"""The attack corpus of the data: every workbook, rules file and situation an attacker (or
an unlucky clerk) can hand over, generated here, each with its asserted outcome.

Numbers of any size (a 26-digit reference, a count of 9e24, a rules maximum of nan),
workbooks whose reading cost could grow faster than the file (one sheet name thousands of
times, merged ranges over one another, a million rows, a cell longer than Excel allows)
and the attacks that already held (bombs, XXE, encrypted, truncated, CSV renamed, hostile
unit names, formula injection, concurrent builds, a full disk). Large cases are scaled
down by lowering the contract's limits for the test, so that each still goes past its
guard in a fraction of the time; one case per limit runs at the real size where that is
cheap. Outcomes: a located Vietnamese error (code, sheet, cell), `validate` and `build`
agreeing, exit codes 1 or 2, never a traceback, never a file written for invalid data.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tracemalloc
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import hostile
import openpyxl
import pytest
from docx_text import reading_order
from factory import Sheets, set_info, unit_sheets, write_book
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bad_workbooks import UNUSABLE
from typer.testing import CliRunner

from baocao_cli import contract
from baocao_cli.api import build, check
from baocao_cli.batch import run_batch
from baocao_cli.cli import app
from baocao_cli.issues import CATALOGUE
from baocao_cli.read import xlsx
from baocao_cli.score.rules import RulesError, load_rules
from baocao_cli.vn import format_number, format_score, round_half_up

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
HA_TINH = (ROOT / "src" / "baocao_cli" / "score" / "data" / "ha-tinh-2021.toml").read_text(
    encoding="utf-8")


def _errors(path: Path) -> list[tuple[str, str | None, str | None]]:
    return [(i.code, i.sheet, i.cell) for i in check(path).errors]


def _agree(path: Path, tmp: Path) -> bool:
    """`validate` and `build` agree: valid exactly when a report is written (no crash)."""
    out = tmp / f"{path.stem}-agree.docx"
    checked = check(path)
    built = build(path, out)
    assert (built.output is not None) == checked.ok == out.exists()
    return checked.ok


def _with_peak(run: Callable[[], Any]) -> tuple[Any, int]:
    """What `run` returns, and the most memory Python held for it (tracemalloc)."""
    tracemalloc.start()
    try:
        result = run()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _no_traceback(result: Any) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- numbers of any size
# (sheet, data row, column index, value, expected code, expected cell); rows count from the
# header (row 1), as `write_book` lays them out.

BIG = 10**25
NUMBER_ATTACKS: list[tuple[str, str, int, int, Any, str, str]] = [
    ("count-9e24", "Văn bản", 1, 2, 9e24, "E217", "C2"),
    ("count-1e25-float", "Văn bản", 1, 2, 1e25, "E217", "C2"),
    ("count-1e308", "Văn bản", 2, 2, 1e308, "E217", "C3"),
    ("count-10^30-int", "Văn bản", 1, 2, 10**30, "E217", "C2"),
    ("count-26-digit-text", "Văn bản", 1, 2, "9" * 26, "E217", "C2"),
    ("count-grouped-text", "Văn bản", 3, 2, "1" + ".000" * 9, "E217", "C4"),
    ("count-one-past-max", "Văn bản", 1, 2, contract.MAX_COUNT.value + 1, "E217", "C2"),
    ("count-huge-negative", "Văn bản", 1, 2, -1e30, "E203", "C2"),
    ("count-huge-fraction", "Văn bản", 1, 2, "1" * 20 + ",5", "E217", "C2"),
    ("count-32k-digits", "Văn bản", 1, 2, "7" * 32_000, "E217", "C2"),
    ("metres-planned-1e25", "Chỉnh lý", 1, 1, 1e25, "E217", "B2"),
    ("metres-done-40-digits", "Chỉnh lý", 1, 2, "1" + "0" * 40, "E217", "C2"),
    ("metres-handed-over", "Chỉnh lý", 1, 5, 1e20, "E217", "F2"),
    ("metres-backlog", "Chỉnh lý", 2, 6, 10**20, "E217", "G3"),
    ("metres-one-past-max", "Chỉnh lý", 1, 1, contract.MAX_METRES.value + 0.5, "E217", "B2"),
    ("money-province-1e300", "Chỉnh lý", 1, 3, 1e300, "E217", "D2"),
    ("money-unit-text", "Chỉnh lý", 2, 4, "123.456.789.012.345.678,9", "E217", "E3"),
    ("score-item-1e25", "Chấm điểm", 2, 3, 1e25, "E217", "D3"),
    ("score-part-1e25", "Chấm điểm", 6, 3, 1e25, "E217", "D7"),
    ("score-bonus-1e308", "Chấm điểm", 8, 3, 1e308, "E217", "D9"),
    ("score-deduction-10^29", "Chấm điểm", 9, 3, 10**29, "E217", "D10"),
    ("score-maximum-1e25", "Chấm điểm", 2, 2, 1e25, "E217", "C3"),
    ("score-part-maximum-1e25", "Chấm điểm", 1, 2, 1e25, "E217", "C2"),
    ("score-1001", "Chấm điểm", 6, 3, 1001, "E217", "D7"),
    ("year-1e25", "Chỉnh lý", 1, 0, 1e25, "E217", "A2"),
    ("year-5000-digits", "Chỉnh lý", 1, 0, "1" * 5000, "E217", "A2"),
    ("info-nam-1e25", "Thông tin", 8, 1, 1e25, "E217", "B9"),
    ("info-nam-5000-digits", "Thông tin", 8, 1, "2" * 5000, "E217", "B9"),
    ("info-so-1e25", "Thông tin", 5, 1, 1e25, "E217", "B6"),
    ("info-so-negative-1e25", "Thông tin", 5, 1, -1e25, "E217", "B6"),
]


@pytest.mark.parametrize(("sheet", "row", "col", "value", "code", "cell"),
                         [a[1:] for a in NUMBER_ATTACKS], ids=[a[0] for a in NUMBER_ATTACKS])
def test_a_number_past_its_maximum_is_a_located_error(
        tmp_path: Path, sheet: str, row: int, col: int, value: Any, code: str, cell: str
) -> None:
    sheets = unit_sheets()
    sheets[sheet][row][col] = value
    path = write_book(tmp_path / "so-lon.xlsx", sheets)
    assert (code, sheet, cell) in _errors(path)
    message = next(i.message for i in check(path).errors if i.code == code)
    # the place leads; a `Thông tin` value names its field beside the cell
    assert re.match(rf"{sheet}!{cell}( \([^)]+\))?: ", message) and len(message) < 400
    assert not _agree(path, tmp_path)


# Large values that are not beyond any maximum: text cells, tiny numbers, the maxima
# themselves. Each is valid, and the report is written.
NUMBERS_THAT_HOLD: list[tuple[str, str, int, int, Any, str]] = [
    ("26-digit-reference-in-ghi-chu", "Văn bản", 1, 3, BIG, ""),
    ("1e308-in-ghi-chu", "Văn bản", 2, 3, 1e308, ""),
    ("1e25-as-a-criterion-text", "Chấm điểm", 2, 1, 1e25, ""),
    ("26-digit-text-in-noi-dung", "Nội dung", 1, 1, "Mã hồ sơ " + "9" * 26, "9" * 26),
    ("count-at-its-maximum", "Văn bản", 1, 2, contract.MAX_COUNT.value, "10.000.000"),
    ("metres-at-their-maximum", "Chỉnh lý", 1, 1, contract.MAX_METRES.value, "100.000"),
    ("money-at-its-maximum", "Chỉnh lý", 1, 3, contract.MAX_MONEY.value, "10.000.000"),
    ("metres-of-1e-30", "Chỉnh lý", 1, 2, 1e-30, ""),
    ("money-with-30-decimals", "Chỉnh lý", 2, 4, "1," + "3" * 30, ""),
]


@pytest.mark.parametrize(("sheet", "row", "col", "value", "shown"),
                         [a[1:] for a in NUMBERS_THAT_HOLD],
                         ids=[a[0] for a in NUMBERS_THAT_HOLD])
def test_large_values_within_the_maxima_are_reported(
        tmp_path: Path, sheet: str, row: int, col: int, value: Any, shown: str) -> None:
    sheets = unit_sheets()
    sheets[sheet][row][col] = value
    path = write_book(tmp_path / "lon-hop-le.xlsx", sheets)
    assert _agree(path, tmp_path), _errors(path)
    if shown:
        text = "\n".join(reading_order(tmp_path / "lon-hop-le-agree.docx"))
        assert shown in text


NUMERIC_CELLS = [("Văn bản", 1, 2), ("Chỉnh lý", 1, 1), ("Chỉnh lý", 2, 4), ("Chấm điểm", 2, 3),
                 ("Chấm điểm", 6, 3), ("Chấm điểm", 2, 2), ("Thông tin", 5, 1),
                 ("Thông tin", 8, 1), ("Chỉnh lý", 1, 0), ("Văn bản", 1, 3)]
numbers = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.from_regex(r"\A[0-9]{1,60}(,[0-9]{1,40})?\Z"),
    st.from_regex(r"\A[0-9]{1,3}(\.[0-9]{3}){1,15}\Z"))


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(place=st.sampled_from(NUMERIC_CELLS), value=numbers)
def test_validate_and_build_agree_on_any_number(tmp_path: Path, place: tuple[str, int, int],
                                                value: Any) -> None:
    sheet, row, col = place
    sheets = unit_sheets()
    sheets[sheet][row][col] = value
    path = write_book(tmp_path / "bat-ky.xlsx", sheets)
    _agree(path, tmp_path)  # asserts the agreement; never raises otherwise
    (tmp_path / "bat-ky-agree.docx").unlink(missing_ok=True)


@pytest.mark.parametrize("value", [Decimal("1e25"), Decimal("1e308"), Decimal(10**400),
                                   Decimal("-9.99999999999999999999999999999e40"),
                                   Decimal("0." + "0" * 60 + "1"), Decimal("NaN"),
                                   Decimal("Infinity")])
def test_formatting_never_raises_at_any_magnitude(value: Decimal) -> None:
    text = format_number(value)
    assert format_score(value) and text
    if value.is_finite() and abs(value) >= 1:
        digits = text.replace(".", "").replace("-", "").split(",")[0]
        assert len(digits) == value.adjusted() + 1


def test_round_half_up_is_exact_past_the_context_precision() -> None:
    value = Decimal("12345678901234567890123456789.125")
    assert round_half_up(value, 2) == Decimal("12345678901234567890123456789.13")
    assert format_number(Decimal("1" + "0" * 30 + ".5"), 0).endswith(".001")


def test_an_issue_code_for_every_limit_is_in_the_catalogue() -> None:
    for code in ("E108", "E109", "E217"):
        assert code in CATALOGUE and "{" in CATALOGUE[code].template


def test_validate_text_and_json_name_the_cell_of_a_huge_count(tmp_path: Path) -> None:
    sheets = unit_sheets()
    sheets["Văn bản"][1][2] = 9e24
    path = write_book(tmp_path / "so-lon.xlsx", sheets)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1 and "Văn bản!C2" in result.output and "E217" in result.output
    _no_traceback(result)
    result = runner.invoke(app, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 1 and '"cell": "C2"' in result.output
    result = runner.invoke(app, ["build", str(path), "-o", str(tmp_path / "x.docx")])
    assert result.exit_code == 1 and not (tmp_path / "x.docx").exists()
    _no_traceback(result)


def _max_counts_unit(rows: int) -> Sheets:
    sheets = unit_sheets()
    sheets["Văn bản"] = sheets["Văn bản"][:1] + [
        ["Văn bản đi" if i % 2 else "Văn bản đến", f"Loại {i}", contract.MAX_COUNT.value, ""]
        for i in range(rows)]
    sheets["Chỉnh lý"][1][1:4] = [contract.MAX_METRES.value, contract.MAX_METRES.value,
                                  contract.MAX_MONEY.value]
    sheets["Chỉnh lý"][2][1:3] = [contract.MAX_METRES.value, contract.MAX_METRES.value]
    return sheets


def test_batch_totals_of_units_at_every_maximum_are_exact(tmp_path: Path) -> None:
    """Ten units of 200 rows, every count at its maximum: the consolidated totals are
    exact (2 × 10^10 documents a group), nothing overflows or crashes."""
    folder = tmp_path / "nop-ve"
    folder.mkdir()
    for n in range(10):
        write_book(folder / f"don-vi-{n}.xlsx", _max_counts_unit(200))
    result = run_batch([folder], tmp_path / "ket-qua", jobs=1)
    assert len(result.built) == 10 and result.summary_docx is not None
    text = "\n".join(reading_order(result.summary_docx))
    assert "10.000.000.000 văn bản" in text  # 100 rows × 10^7 × 10 units, each group
    assert "2.000.000 mét" in text  # 2 × 10^5 done × 10 units
    assert all(dict(u.documents) == {"di": 10**9, "den": 10**9} for u in result.built)


REGISTER_HEADER = {
    "Sổ văn bản đi": ["Số, ký hiệu văn bản", "Ngày tháng văn bản",
                      "Tên loại và trích yếu nội dung văn bản"],
    "Sổ văn bản đến": ["Ngày đến", "Số đến", "Số, ký hiệu văn bản", "Ngày tháng văn bản",
                       "Tên loại và trích yếu nội dung văn bản"],
}
REGISTER_ATTACKS: list[tuple[str, str, list[Any], str, str]] = [
    ("out-number-5000-digits", "Sổ văn bản đi", ["9" * 5000 + "/BC-UBND", "05/01/2021", "x"],
     "E217", "A3"),
    ("out-number-30-digits", "Sổ văn bản đi", ["9" * 30 + "/BC-UBND", "05/01/2021", "x"],
     "E217", "A3"),
    ("out-number-past-max", "Sổ văn bản đi", ["10000001/BC-UBND", "05/01/2021", "x"],
     "E217", "A3"),
    ("out-number-a-float", "Sổ văn bản đi", [1e300, "05/01/2021", "x"], "E606", "A3"),
    ("out-date-1e300", "Sổ văn bản đi", ["02/BC-UBND", 1e300, "x"], "E204", "B3"),
    ("in-number-5000-digits", "Sổ văn bản đến", ["05/01/2021", "9" * 5000, "02/BC-X",
                                                  "04/01/2021", "x"], "E217", "B3"),
    ("in-number-1e300", "Sổ văn bản đến", ["05/01/2021", 1e300, "02/BC-X", "04/01/2021", "x"],
     "E217", "B3"),
    ("in-number-10^9", "Sổ văn bản đến", ["05/01/2021", 10**9, "02/BC-X", "04/01/2021", "x"],
     "E217", "B3"),
]


def _register(tmp: Path, sheet: str, row: list[Any]) -> Path:
    sheets = unit_sheets()
    first = ["01/BC-UBND", "05/01/2021", "x"] if sheet == "Sổ văn bản đi" \
        else ["05/01/2021", 1, "01/BC-X", "04/01/2021", "x"]
    sheets[sheet] = [REGISTER_HEADER[sheet], first, row]
    return write_book(tmp / "so.xlsx", sheets)


@pytest.mark.parametrize(("sheet", "row", "code", "cell"), [a[1:] for a in REGISTER_ATTACKS],
                         ids=[a[0] for a in REGISTER_ATTACKS])
def test_a_register_number_of_any_size_is_a_located_error(
        tmp_path: Path, sheet: str, row: list[Any], code: str, cell: str) -> None:
    path = _register(tmp_path, sheet, row)
    assert (code, sheet, cell) in _errors(path)
    assert not _agree(path, tmp_path)


def test_a_register_numbered_up_to_the_maximum_lists_its_gap_as_one_range(tmp_path: Path
                                                                          ) -> None:
    """Numbers 1 and 9.999.999: ten million missing numbers, counted, never listed one by
    one (which took gigabytes)."""
    path = _register(tmp_path, "Sổ văn bản đi", ["9999999/BC-UBND", "06/01/2021", "x"])
    checked, peak = _with_peak(lambda: check(path))
    gap = next(i for i in checked.issues if i.code == "W601")
    assert "9.999.997 số: 02-9999998" in gap.message and peak < 50 * 2**20


# ---------------------------------------------------------------- rules files

def _rules(tmp: Path, text: str, name: str = "quy-tac.toml") -> Path:
    (p := tmp / name).write_text(text, encoding="utf-8")
    return p


RULES_ATTACKS: list[tuple[str, Callable[[str], str], str]] = [
    ("max-nan", lambda t: t.replace("max = 20", "max = nan", 1), "parts[1].max"),
    ("max-inf", lambda t: t.replace("max = 20", "max = inf", 1), "parts[1].max"),
    ("max-minus-inf", lambda t: t.replace("max = 20", "max = -inf", 1), "parts[1].max"),
    ("max-1e308", lambda t: t.replace("max = 20", "max = 1e308", 1), "parts[1].max"),
    ("max-10^29", lambda t: t.replace("max = 20", "max = " + "1" + "0" * 29, 1),
     "parts[1].max"),
    ("max-huge-int", lambda t: t.replace("max = 20", "max = " + "9" * 5000, 1),
     "khóa max"),
    ("max-1001", lambda t: t.replace("max = 20", "max = 1001", 1), "parts[1].max"),
    ("bonus-max-nan", lambda t: t.replace("max = 5", "max = nan", 1), "parts[4].max"),
    ("band-from-nan", lambda t: t.replace("from = 90", "from = nan", 1), "bands[1].from"),
    ("band-from-inf", lambda t: t.replace("from = 90", "from = +inf", 1), "bands[1].from"),
    ("band-from-1e300", lambda t: t.replace("from = 90", "from = 1e300", 1), "bands[1].from"),
    ("decimals-1e400", lambda t: t.replace("decimals = 2", "decimals = 1e400"), "decimals"),
    ("decimals-nan", lambda t: t.replace("decimals = 2", "decimals = nan"), "decimals"),
    ("nested-arrays-100000", lambda t: t + "\nx = " + "[" * 100_000 + "]" * 100_000 + "\n",
     "khóa x"),
    ("nested-inline-tables", lambda t: t + "\ny = " + "{a=" * 20_000 + "1" + "}" * 20_000,
     "khóa y"),
    ("nested-arrays-unclosed", lambda t: "z = " + "[" * 100_000 + "\n" + t, "khóa z"),
    ("nested-inside-a-part", lambda t: t.replace("max = 20", "max = " + "[" * 50 + "]" * 50, 1),
     "khóa max"),
    ("criteria-max-nan", lambda t: t + '\n[[criteria]]\npart = "I"\nstt = "1"\ntext = "x"\n'
     "max = nan\n", "criteria[1].max"),
]


@pytest.mark.parametrize(("edit", "key"), [a[1:] for a in RULES_ATTACKS],
                         ids=[a[0] for a in RULES_ATTACKS])
def test_a_hostile_rules_file_is_exit_2_naming_file_and_key(
        tmp_path: Path, edit: Callable[[str], str], key: str) -> None:
    path = _rules(tmp_path, edit(HA_TINH))
    with pytest.raises(RulesError) as info:
        load_rules(path)
    assert str(path) in str(info.value) and key in str(info.value), str(info.value)
    result = runner.invoke(app, ["rules", "show", "--rules", str(path)])
    assert result.exit_code == 2, result.output
    _no_traceback(result)
    assert key in result.output


def test_brackets_inside_strings_and_comments_are_not_nesting(tmp_path: Path) -> None:
    deep = "[" * 200
    text = HA_TINH.replace('decision = "', f'decision = "{deep} \\" {deep}', 1) \
        + f"\n# {deep}{{{{{{\n"
    text = text.replace("title = ", f"title = '''{deep}\n'''\ntitle2 = ", 1)
    path = _rules(tmp_path, text.replace("\ntitle2 = ", "\n# ", 1))
    rules = load_rules(path)
    assert deep in rules.decision and deep in rules.title


def test_a_rules_file_of_many_megabytes_is_refused_before_reading(tmp_path: Path) -> None:
    path = _rules(tmp_path, HA_TINH + "\n# " + "x" * (2 << 20) + "\n")
    result = runner.invoke(app, ["validate", str(ROOT / "examples" /
                                                 "so-ldtbxh-ha-tinh-2021.xlsx"),
                                 "--rules", str(path)])
    assert result.exit_code == 2 and "quá lớn" in result.output and str(path) in result.output
    _no_traceback(result)


def test_rules_at_the_maxima_still_load(tmp_path: Path) -> None:
    text = HA_TINH.replace("max = 20", "max = 1000", 1).replace("from = 90", "from = 999.99")
    rules = load_rules(_rules(tmp_path, text))
    assert rules.parts[0].max == 1000 and rules.bands[0].low == Decimal("999.99")


# ---------------------------------------------------------------- reading costs
# Each attack at a size past its guard; where the real limit would take seconds to reach,
# the limit is lowered for the test (the guard's code is the same).

@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contract, "MAX_SHEET_ROWS", 500)
    monkeypatch.setattr(contract, "MAX_SHEET_CELLS", 100_000)
    monkeypatch.setattr(contract, "MAX_SHARED_STRINGS", 1_000)
    monkeypatch.setattr(contract, "MAX_MERGED_WORK", 5_000)


@pytest.mark.parametrize("sheet", ["Văn bản", "Chấm điểm", "Thông tin", "Nơi nhận"])
def test_rows_past_the_limit_in_any_contract_sheet(tmp_path: Path, small_limits: None,
                                                   sheet: str) -> None:
    path = hostile.many_rows(tmp_path / "dong.xlsx", 600, sheet=sheet)
    assert _errors(path) == [("E108", sheet, "A501")]
    assert not _agree(path, tmp_path)


def test_rows_at_the_limit_are_read(tmp_path: Path, small_limits: None) -> None:
    path = hostile.many_rows(tmp_path / "dong.xlsx", 498)  # with the header and row 1
    assert "E108" not in [c for c, _, _ in _errors(path)]


def test_a_long_sheet_is_refused_before_it_is_read_whole(tmp_path: Path, small_limits: None
                                                         ) -> None:
    """100 times the row limit (10 MB inflated): refused at the first row past it, having
    held a few of its rows only (the real limit: bench_hostile, and the command below)."""
    path = hostile.many_rows(tmp_path / "dai.xlsx", 50_000)
    errors, peak = _with_peak(lambda: _errors(path))
    assert errors == [("E108", "Văn bản", "A501")]
    assert peak < 8 * 2**20, peak


def test_cells_with_values_past_the_limit(tmp_path: Path, small_limits: None,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contract, "MAX_SHEET_CELLS", 2_000)
    path = hostile.many_rows(tmp_path / "o.xlsx", 200, cells_per_row=12)
    code, sheet, cell = _errors(path)[0]
    assert (code, sheet) == ("E108", "Văn bản") and cell is not None
    assert "ô có dữ liệu" in check(path).errors[0].message


def test_empty_cells_past_the_limit_are_counted_not_kept(
        tmp_path: Path, small_limits: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Twice the cells with a value may be present in all: 4,000 here. The unit's 17 cells
    and rows of 100 from row 100 pass it in row 139."""
    monkeypatch.setattr(contract, "MAX_SHEET_CELLS", 2_000)
    path = hostile.empty_cells(tmp_path / "trong.xlsx", 50, 100)
    assert _errors(path) == [("E108", "Văn bản", "A139")]


def test_empty_cells_under_the_limit_change_nothing(tmp_path: Path) -> None:
    path = hostile.empty_cells(tmp_path / "trong.xlsx", 30, 200)
    assert _agree(path, tmp_path)


def test_a_shared_string_table_past_the_limit(tmp_path: Path, small_limits: None) -> None:
    path = hostile.shared_strings(tmp_path / "chuoi.xlsx", 1_001)
    assert _errors(path) == [("E108", None, None)]
    assert "sharedStrings" in check(path).errors[0].message


def test_a_cell_longer_than_excel_allows(tmp_path: Path) -> None:
    path = hostile.long_text(tmp_path / "dai.xlsx", 400_000)
    assert _errors(path) == [("E108", "Căn cứ", None)]
    assert "32.767 ký tự" in check(path).errors[0].message


def test_a_cell_as_long_as_excel_allows_is_read(tmp_path: Path) -> None:
    path = hostile.long_text(tmp_path / "dai.xlsx", 32_767)
    assert _agree(path, tmp_path)


@pytest.mark.parametrize("n", [40, 3_000])
def test_many_sheets_of_one_name(tmp_path: Path, n: int) -> None:
    """openpyxl's renaming (`Thông tin1`…) is kept for the first sheets; later ones are
    neither renamed nor parsed. The unit is still read from its one real sheet."""
    path = hostile.same_named_sheets(tmp_path / "ten.xlsx", n)
    assert _agree(path, tmp_path)


def test_repeated_sheets_are_not_parsed_again(tmp_path: Path) -> None:
    path = hostile.same_named_sheets(tmp_path / "ten.xlsx", 200)
    problem, names, parts = xlsx_inspect(path)
    assert problem is None
    package = xlsx.Package(path, names, parts)
    sheets = xlsx.read_sheets(package, lambda title: title == "Thông tin")
    package.close()
    assert len(sheets) == 1 + xlsx.MAX_RENAMED
    assert [s.title for s in sheets[:3]] == ["Thông tin", "Thông tin1", "Thông tin2"]
    assert sheets[0].rows and not any(s.rows for s in sheets[1:])


def xlsx_inspect(path: Path) -> tuple[Any, list[str], dict[str, bytes]]:
    from baocao_cli.read.guards import inspect

    return inspect(path, keep=True)


def test_sheets_differing_only_in_marks_are_one_e102_each(tmp_path: Path) -> None:
    sheets = unit_sheets()
    for i, name in enumerate(["Thong tin", "THÔNG TIN ", "thong_tin", "Thông-tin"]):
        sheets[name] = [["x"], [i]]
    path = write_book(tmp_path / "dau.xlsx", sheets)
    assert [c for c, _, _ in _errors(path)].count("E102") == 4


@pytest.mark.parametrize("wide", [True, False], ids=["over-the-header", "tall"])
def test_many_merged_ranges_are_read(tmp_path: Path, wide: bool) -> None:
    path = hostile.merged_ranges(tmp_path / "gop.xlsx", 2_000, wide=wide)
    assert _agree(path, tmp_path)


def test_merged_ranges_over_one_another_past_the_budget(tmp_path: Path, small_limits: None
                                                        ) -> None:
    sheets = unit_sheets()
    sheets["Văn bản"] += [["Văn bản đi", f"Loại {i}", i, ""] for i in range(300)]
    path = write_book(tmp_path / "chong.xlsx", sheets)
    path = _overlapping(path, "Văn bản", [f"A2:{hostile._col(c)}300" for c in range(1, 60)])
    code, sheet, cell = _errors(path)[0]
    assert (code, sheet) == ("E109", "Văn bản") and cell == "A2"
    assert not _agree(path, tmp_path)


def _overlapping(path: Path, sheet: str, refs: list[str]) -> Path:
    part = hostile.sheet_part(path, sheet)
    with zipfile.ZipFile(path) as z:
        xml = z.read(part).decode()
    import re

    merges = "<mergeCells>" + "".join(f'<mergeCell ref="{r}"/>' for r in refs) + "</mergeCells>"
    xml = re.sub(r"<mergeCells.*?</mergeCells>", "", xml, flags=re.S)
    xml = xml.replace("</sheetData>", "</sheetData>" + merges, 1)
    return hostile.rewrite(path, {part: xml.encode()})


def test_a_register_past_the_row_limit(tmp_path: Path, small_limits: None) -> None:
    path = hostile.register_rows(tmp_path / "so.xlsx", 800)
    codes = _errors(path)
    assert ("E108", "Sổ văn bản đi", None) in codes


def test_a_register_under_the_limit_is_counted(tmp_path: Path, small_limits: None) -> None:
    path = hostile.register_rows(tmp_path / "so.xlsx", 300)
    checked = check(path)
    assert "E108" not in [i.code for i in checked.issues]
    assert checked.registers and "300" in str(checked.registers[0])


def test_an_export_past_the_row_limit_given_with_so_van_ban(tmp_path: Path,
                                                            small_limits: None) -> None:
    export = hostile.register_rows(tmp_path / "xuat.xlsx", 800)
    unit = write_book(tmp_path / "don-vi.xlsx", unit_sheets())
    result = runner.invoke(app, ["validate", str(unit), "--so-van-ban", str(export)])
    assert result.exit_code == 1 and "E108" in result.output, result.output
    _no_traceback(result)


def test_a_dtd_split_across_the_readers_pieces_is_refused(tmp_path: Path) -> None:
    """The sheet is parsed in pieces: a DOCTYPE starting one byte before a piece's end."""
    path = hostile.many_rows(tmp_path / "dtd.xlsx", 30_000)
    part = hostile.sheet_part(path, "Văn bản")
    with zipfile.ZipFile(path) as z:
        xml = z.read(part)
    cut = (1 << 20) - 3
    xml = xml[:cut] + b"<!DOCTYPE x>" + xml[cut:]
    hostile.rewrite(path, {part: xml})
    assert [c for c, _, _ in _errors(path)] in (["E006"], ["E009"])


# ---------------------------------------------------------------- attacks that already held

@pytest.mark.parametrize(("make_file", "code"), [(u[1], u[2]) for u in UNUSABLE],
                         ids=[u[0] for u in UNUSABLE])
def test_unusable_files_fail_alike_in_build(tmp_path: Path, make_file: Callable[[Path], Path],
                                            code: str) -> None:
    path = make_file(tmp_path)
    out = tmp_path / "ra" / "bao-cao.docx"
    out.parent.mkdir()
    result = runner.invoke(app, ["build", str(path), "-o", str(out)])
    assert result.exit_code == 1 and code in result.output, result.output
    _no_traceback(result)
    assert list(out.parent.iterdir()) == []


def test_unusable_files_in_one_batch_each_fail_and_the_rest_build(tmp_path: Path) -> None:
    folder = tmp_path / "nop-ve"
    folder.mkdir()
    made: dict[str, str] = {}
    for name, make_file, code, _ in UNUSABLE:
        if name == "missing":
            continue
        sub = folder / name
        sub.mkdir()
        made[make_file(sub).name] = code
    write_book(folder / "tot.xlsx", unit_sheets())
    result = run_batch([folder], tmp_path / "ket-qua", jobs=2)
    by_name = {Path(u.source).name: u for u in result.units}
    assert by_name["tot.xlsx"].ok
    for name, code in made.items():
        unit = by_name[name]
        assert not unit.ok and code in unit.error_codes, (name, unit.errors)
    assert result.summary_xlsx is not None and result.summary_xlsx.exists()


HOSTILE_NAMES = ["-rf.xlsx", "a b\tc.xlsx", "ten\u202edao.xlsx", "‮cmd.xlsx",
                 "=cmd|' -C calc'!A0.xlsx", "đơn vị " + "ạ" * 60 + ".xlsx", "tong-hop.xlsx",
                 "CON.xlsx", "x;rm -rf ~.xlsx", "hai..cham.xlsx"]


def test_hostile_unit_names_stay_inside_the_output_folder(tmp_path: Path) -> None:
    folder = tmp_path / "nop-ve"
    folder.mkdir()
    for name in HOSTILE_NAMES:
        write_book(folder / name, unit_sheets())
    out = tmp_path / "ket-qua"
    result = run_batch([folder], out, jobs=2)
    assert len(result.built) == len(HOSTILE_NAMES), [u.errors for u in result.units
                                                      if not u.ok]
    written = list(out.iterdir())
    assert all(p.parent == out for p in written)
    assert {p.name for p in tmp_path.iterdir()} == {"nop-ve", "ket-qua"}
    docx = [p for p in written if p.suffix == ".docx"]
    assert len(docx) == len(HOSTILE_NAMES) + 1  # and tong-hop.docx, the unit's renamed


FORMULAS = ['=HYPERLINK("http://127.0.0.1/x","bấm")', "=1+1", "+cmd|' /C calc'!A0",
            "-2+3", "@SUM(A1)", "=DDE(\"cmd\")"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_injection_in_a_unit_name_stays_text(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "nop-ve"
    folder.mkdir()
    path = write_book(folder / "x.xlsx", set_info(unit_sheets(), "co_quan", "TÊN"))
    wb = openpyxl.load_workbook(path)
    ws = wb["Thông tin"]
    for row in ws.iter_rows():
        if row[0].value in ("co_quan", "ten_co_quan"):
            row[1].value = text
            row[1].data_type = "s"
    wb.save(path)
    result = run_batch([folder], tmp_path / "ket-qua", jobs=1)
    assert result.summary_xlsx is not None
    with zipfile.ZipFile(result.summary_xlsx) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in s or "<f " in s for s in sheets)
    wb = openpyxl.load_workbook(result.summary_xlsx)
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert any(isinstance(v, str) and text.lstrip("=+-@") in v for v in values)


def test_concurrent_builds_of_one_report_leave_one_whole_file(tmp_path: Path) -> None:
    path = write_book(tmp_path / "don-vi.xlsx", unit_sheets())
    out = tmp_path / "bao-cao.docx"
    cmd = [sys.executable, "-m", "baocao_cli.cli", "build", str(path), "-o", str(out)]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(lambda _: subprocess.run(cmd, capture_output=True, text=True,
                                                       check=False), range(4)))
    assert all(c.returncode == 0 for c in codes), [c.stderr for c in codes]
    assert zipfile.ZipFile(out).testzip() is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bao-cao.docx", "don-vi.xlsx"]


def _small_tmpfs(tmp_path: Path) -> Path:
    mount = tmp_path / "day"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a tmpfs needs root and mount(8)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"this machine does not allow a tmpfs: {done.stderr.decode().strip()}")
    return mount


def test_a_full_disk_leaves_no_partial_report(tmp_path: Path) -> None:
    mount = _small_tmpfs(tmp_path)
    try:
        (mount / "chiem-cho").write_bytes(b"\0" * 60_000)
        path = write_book(tmp_path / "don-vi.xlsx", unit_sheets())
        out = mount / "bao-cao.docx"
        proc = subprocess.run([sys.executable, "-m", "baocao_cli.cli", "build", str(path),
                               "-o", str(out)], capture_output=True, text=True, check=False)
        assert proc.returncode != 0
        assert "Traceback" not in proc.stderr + proc.stdout
        assert sorted(p.name for p in mount.iterdir()) == ["chiem-cho"]
    finally:
        subprocess.run(["umount", str(mount)], check=False)


# ---------------------------------------------------------------- as a user runs it

@pytest.mark.parametrize("attack", ["count", "rules", "rows"])
def test_attacks_through_the_installed_command(tmp_path: Path, attack: str) -> None:
    """The same outcomes as a subprocess, the way a clerk runs it: exit code, no trace."""
    sheets = unit_sheets()
    args: list[str]
    if attack == "count":
        sheets["Văn bản"][1][2] = "9" * 26
        args = ["validate", str(write_book(tmp_path / "a.xlsx", sheets))]
        expected = 1
    elif attack == "rules":
        rules = _rules(tmp_path, HA_TINH + "\nx = " + "[" * 100_000)
        args = ["validate", str(write_book(tmp_path / "a.xlsx", sheets)), "--rules", str(rules)]
        expected = 2
    else:
        args = ["build", str(hostile.many_rows(tmp_path / "a.xlsx", 100_001)), "-o",
                str(tmp_path / "a.docx")]
        expected = 1
    proc = subprocess.run([sys.executable, "-m", "baocao_cli.cli", *args], capture_output=True,
                          text=True, check=False, timeout=120)
    assert proc.returncode == expected, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not (tmp_path / "a.docx").exists()
