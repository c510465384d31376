"""The messages a clerk meets on `Thông tin` and `Chấm điểm`: one per mistake, fitting hints."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from factory import info_cell, set_info, unit_sheets, write_book
from typer.testing import CliRunner

from baocao_cli.api import check
from baocao_cli.cli import app
from baocao_cli.contract import INFO_KEYS, field_name
from baocao_cli.vn import ascii_digits

runner = CliRunner()


def _issues(tmp_path: Path, sheets) -> list:
    return check(write_book(tmp_path / "u.xlsx", sheets)).issues


@pytest.mark.parametrize("value", ["KT.", "kt.", "TUQ. ", "TM."])
def test_a_bare_signing_prefix_is_refused_with_an_example(tmp_path: Path, value: str) -> None:
    sheets = set_info(unit_sheets(), "quyen_han_ky", value)
    found = [i for i in _issues(tmp_path, sheets) if i.code == "E209"]
    assert len(found) == 1
    assert found[0].key == "quyen_han_ky"
    assert "ví dụ KT. GIÁM ĐỐC" in found[0].message


def test_a_prefix_with_a_title_passes(tmp_path: Path) -> None:
    sheets = set_info(unit_sheets(), "quyen_han_ky", "KT.CHỦ TỊCH")
    assert not [i for i in _issues(tmp_path, sheets) if i.code == "E209"]


@pytest.mark.parametrize(("key", "value", "code"), [
    ("ngay", "31/02/2021", "E204"), ("nam", "năm 2024", "E214"), ("so", "năm", "E214"),
    ("ky_hieu", "slđ tbxh", "E208"), ("giai_doan", "2021-2019", "E210"),
    ("quyen_han_ky", "K.T GIÁM ĐỐC", "E209"), ("tu_xep_loai", "Rất tốt", "E316"),
    ("so", 0, "E213"), ("nam", 1999, "E207"), ("so", 2.5, "E202"), ("nam", "=1+1", None),
])
def test_every_issue_of_a_value_names_the_field_beside_the_cell(
        tmp_path: Path, key: str, value: object, code: str | None) -> None:
    sheets = set_info(unit_sheets(), key, value)
    found = [i for i in _issues(tmp_path, sheets) if i.sheet == "Thông tin"]
    assert found, key
    cell = info_cell(sheets, key)
    for issue in found:
        assert issue.key == key and issue.cell == cell
        assert issue.message.startswith(f"Thông tin!{cell} ({key} — {field_name(key)}): ")
    if code:
        assert code in [i.code for i in found]


def test_json_key_is_set_for_a_thong_tin_value(tmp_path: Path) -> None:
    path = write_book(tmp_path / "u.xlsx", set_info(unit_sheets(), "ngay", "31/02/2021"))
    result = runner.invoke(app, ["validate", str(path), "--format", "json"])
    items = json.loads(result.output)["files"][0]["errors"]
    assert [(i["code"], i["key"], i["cell"]) for i in items] == [("E204", "ngay", "B8")]


def test_a_year_gets_a_year_example_and_a_number_its_own(tmp_path: Path) -> None:
    sheets = set_info(unit_sheets(), "nam", "năm 2024")
    (issue,) = [i for i in _issues(tmp_path, sheets) if i.is_error]
    assert issue.code == "E214" and "ví dụ 2021" in issue.message
    assert "8.800" not in issue.message
    sheets = unit_sheets()
    sheets["Văn bản"][1][2] = "hai trăm"
    (issue,) = [i for i in _issues(tmp_path, sheets) if i.is_error]
    assert issue.code == "E201" and "8.800" in issue.message


@pytest.mark.parametrize("typed", ["hai mươi", -3, "=SUM(D2:D3)"])
def test_one_error_for_a_part_score_typed_but_invalid(tmp_path: Path, typed: object) -> None:
    sheets = unit_sheets()
    assert sheets["Chấm điểm"][6][0] == "II"
    sheets["Chấm điểm"][6][3] = typed
    errors = [i for i in _issues(tmp_path, sheets) if i.is_error]
    assert len(errors) == 1, [i.message for i in errors]
    assert errors[0].cell == "D7" and errors[0].code != "E315"


def test_an_empty_part_score_is_still_e315(tmp_path: Path) -> None:
    sheets = unit_sheets()
    sheets["Chấm điểm"][6][3] = None
    assert "E315" in [i.code for i in _issues(tmp_path, sheets)]


def test_e403_names_the_plan_cell_when_the_key_is_there(tmp_path: Path) -> None:
    sheets = set_info(unit_sheets(), "ke_hoach_chinh_ly", "")
    cell = info_cell(sheets, "ke_hoach_chinh_ly")
    found = [i for i in _issues(tmp_path, sheets) if i.code == "E403"]
    assert len(found) == 1
    assert found[0].cell == cell
    assert found[0].message.startswith(f"Thông tin!{cell} (ke_hoach_chinh_ly — ")
    sheets = set_info(unit_sheets(), "ke_hoach_chinh_ly", None)  # no row: the key is named
    (issue,) = [i for i in _issues(tmp_path, sheets) if i.code == "E403"]
    assert issue.cell is None and issue.message.startswith("Thông tin, mã ke_hoach_chinh_ly: ")


@pytest.mark.parametrize(("typed", "read", "script"), [
    ("١٢٣", "123", "chữ số Ả Rập"), ("１２３", "123", "chữ số toàn khổ"),
    ("४२", "42", "chữ số Devanagari")])
def test_digits_of_other_scripts_are_read_with_a_warning(tmp_path: Path, typed: str, read: str,
                                                        script: str) -> None:
    assert ascii_digits(typed) == (read, script)
    sheets = unit_sheets()
    sheets["Văn bản"][1][2] = typed
    checked = check(write_book(tmp_path / "u.xlsx", sheets))
    assert not checked.errors
    (warning,) = [i for i in checked.warnings if i.code == "W206"]
    assert warning.cell == "C2" and f"đã đọc là {read}" in warning.message and script in \
        warning.message
    assert checked.report is not None and checked.report.documents[0].count == int(read)


def test_ascii_text_has_no_script() -> None:
    assert ascii_digits("8.800") == ("8.800", "")
    assert ascii_digits("Hà Tĩnh 2021") == ("Hà Tĩnh 2021", "")


@pytest.mark.parametrize(("ngay", "code"), [
    (dt.datetime(1, 1, 1), "E216"), ("01/01/0001", "E216"), ("31/12/2020", "E216"),
    (dt.datetime(2023, 1, 5), "W207"), (dt.datetime(2022, 12, 31), None),
    (dt.datetime(2021, 1, 1), None)])
def test_the_date_of_issue_against_the_reported_year(tmp_path: Path, ngay: object,
                                                     code: str | None) -> None:
    sheets = set_info(unit_sheets(), "ngay", ngay)  # the report is for 2021
    found = [i for i in _issues(tmp_path, sheets) if i.key == "ngay"]
    assert [i.code for i in found] == ([code] if code else [])
    for issue in found:
        assert issue.cell == info_cell(sheets, "ngay") and "2021" in issue.message


def test_every_key_has_a_field_name() -> None:
    for spec in INFO_KEYS:
        name = field_name(spec.key)
        assert name and "(" not in name and name[0].islower(), spec.key


# Issues about a whole sheet (missing, no header, empty, a part or a line absent), or a key
# that is missing: they have no cell to name, and name the sheet or the key instead.
SHEET_LEVEL = {"E101", "E102", "E103", "E107", "E312", "W104", "W501"}
KEY_LEVEL = {"E104", "E403"}


def test_every_message_names_a_cell_or_else_its_sheet_or_key(tmp_path: Path) -> None:
    from test_bad_workbooks import ERRORS, WARNINGS, write_case

    for i, case in enumerate(ERRORS + WARNINGS):
        for issue in check(write_case(tmp_path / f"c{i}.xlsx", case)).issues:
            assert issue.sheet, issue.message
            if issue.cell:
                assert issue.message.startswith(f"{issue.sheet}!{issue.cell}"), issue.message
            elif issue.key:
                assert issue.code in KEY_LEVEL, issue.message
                assert issue.message.startswith(f"{issue.sheet}, mã {issue.key}: ")
            else:
                assert issue.code in SHEET_LEVEL, issue.message
                assert issue.message.startswith(f"{issue.sheet}: ")
