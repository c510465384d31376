"""Document registers (sổ đăng ký văn bản đi / đến): types, counts and the Điều 15 checks,
on real generated workbooks, read back through `validate`, JSON and the built report."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from docx_text import reading_order
from factory import unit_sheets, write_book
from typer.testing import CliRunner

from baocao_cli import api
from baocao_cli.cli import app
from baocao_cli.validate.registers import classify, parse_code, ranges

runner = CliRunner()
D = dt.datetime
SECTION_I_DI = ("- Văn bản đi: tổng số 7 văn bản, gồm: 3 Công văn; 2 Báo cáo; 1 Kế hoạch; "
                "1 Quyết định.")
# Tuples: each table below starts with a fresh list of them, which a test may extend.
OUT_HEAD = ("Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung văn bản",
            "Người ký", "Nơi nhận văn bản", "Độ mật")
IN_HEAD = ("Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu văn bản", "Ngày tháng văn bản",
           "Tên loại và trích yếu nội dung văn bản", "Độ mật")


def slipped_outgoing() -> list[list]:
    """Unit ký hiệu `UBND`, year 2021; the slips are noted row by row (row 1 is the header)."""
    return [list(OUT_HEAD),
            ["01/BC-UBND", D(2021, 1, 4), "Báo cáo tháng 1", "An", "Huyện", None],      # 2
            ["02/UBND-VP", D(2021, 1, 5), "V/v lịch họp", "An", "Các thôn", None],       # 3
            ["03/QĐ-UBND", D(2021, 1, 6), "Quyết định khen thưởng", "An", "", None],     # 4
            ["03/QĐ-UBND", D(2021, 1, 6), "Quyết định khen thưởng", "An", "", None],     # 5 dup
            ["08/KL-UBND", D(2021, 1, 3), "Kết luận kiểm tra", "An", "", None],          # 6
            ["09/UBND-VP", D(2022, 1, 2), "V/v tết", "An", "", None],                    # 7 year
            ["10/TTr-UBND", D(2021, 1, 10), "Tờ trình kinh phí", "An", "", None],        # 8
            ["01/BC-UBND", D(2021, 1, 11), "Báo cáo an ninh", "An", "", "Mật"],          # 9
            ["02/UBND-VP", D(2021, 1, 12), "V/v bảo vệ", "An", "", "Tối mật"],           # 10
            ["13/BC-UBND", D(2021, 1, 13), "Báo cáo quý", "An", "", "Thường"]]           # 11


def slipped_incoming() -> list[list]:
    return [list(IN_HEAD),
            [D(2021, 1, 8), 1, "Bộ Nội vụ", "01/2021/TT-BNV", D(2021, 1, 5),
             "Thông tư hướng dẫn", None],                                                # 2
            [D(2021, 1, 9), 2, "UBND huyện", "12/UBND-VX", D(2020, 12, 30),
             "V/v báo cáo", None],                                                       # 3
            [D(2021, 1, 9), 2, "UBND tỉnh", "45/QĐ-UBND", D(2021, 1, 7),
             "Quyết định phê duyệt", None],                                              # 4
            [D(2021, 1, 7), 5, "Sở Nội vụ", "20/KH-SNV", D(2021, 1, 6),
             "Kế hoạch kiểm tra", None],                                                 # 5
            [D(2021, 1, 8), 6, "UBND huyện", "12/UBND-VX", D(2020, 12, 30),
             "V/v báo cáo", None],                                                       # 6
            [D(2021, 1, 3), 1, "Công an tỉnh", "07/CAT-PV01", D(2021, 1, 2),
             "V/v bảo vệ bí mật", "Mật"],                                                # 7
            [D(2021, 1, 10), 7, "Sở Tài chính", "05/STC-NS", D(2021, 1, 11),
             "V/v cấp kinh phí", None]]                                                  # 8


def clean_outgoing() -> list[list]:
    rows = [list(OUT_HEAD)]
    codes = ["01/BC-UBND", "02/UBND-VP", "03/QĐ-UBND", "04/UBND-VP", "05/BC-UBND",
             "06/KH-UBND", "07/UBND-VP"]
    for i, code in enumerate(codes):
        rows.append([code, D(2021, 2, i + 1), "Nội dung", "An", "Huyện", None])
    rows.append(["01/UBND-VP", D(2021, 3, 1), "V/v mật", "An", "", "Mật"])
    return rows


def registers_only(**registers: list[list]) -> dict:
    sheets = unit_sheets()
    del sheets["Văn bản"]
    sheets.update(registers)
    return sheets


def codes_at(checked: api.Checked, code: str) -> list[str]:
    return sorted(i.cell or "" for i in checked.issues if i.code == code)


@pytest.mark.parametrize(("ky_hieu", "summary", "own", "kind", "unknown"), [
    ("218/BC-SLĐTBXH", "", "sldtbxh", "Báo cáo", None),
    ("05/SLĐTBXH-VP", "Báo cáo nhanh", "sldtbxh", "Công văn", None),
    ("12/KL-SLĐTBXH", "Kết luận", "sldtbxh", "Văn bản khác", "KL"),
    ("12/KL-SLĐTBXH", "Thông báo kết luận", "sldtbxh", "Thông báo", "KL"),
    ("30/2020/NĐ-CP", "", "", "Nghị định", None),
    ("01/QyĐ-UBND", "", "ubnd", "Quy định", None),
    ("01/Qđ-UBND", "", "ubnd", "Quyết định", None),
    ("123/UBND-VX", "Quyết định gì đó", "", "Quyết định", None),
    ("123/UBND-VX", "V/v họp", "", "Công văn", None),
])
def test_type_from_ky_hieu_then_summary(ky_hieu: str, summary: str, own: str, kind: str,
                                        unknown: str | None) -> None:
    assert classify(parse_code(ky_hieu), summary, own) == (kind, unknown)


def test_type_without_ky_hieu_comes_from_the_summary() -> None:
    assert classify(None, "Kế hoạch công tác năm 2021", "ubnd") == ("Kế hoạch", None)
    assert classify(None, "Nội dung lạ", "ubnd") == ("Văn bản khác", None)


def test_missing_numbers_as_ranges() -> None:
    assert ranges([12, 13, 14, 15, 40]) == "12-15, 40"
    assert ranges([1, 3, 4]) == "01, 03-04"
    assert ranges([]) == ""


def test_outgoing_register_checks_and_counts(tmp_path: Path) -> None:
    book = write_book(tmp_path / "u.xlsx", registers_only(**{"Sổ văn bản đi": slipped_outgoing()}))
    checked = api.check(book)
    assert not any(i.code == "E101" for i in checked.issues)  # Văn bản not needed now
    assert codes_at(checked, "E601") == ["A5"]
    assert codes_at(checked, "E602") == ["B7"]
    assert codes_at(checked, "W602") == ["B6"]  # 08 dated before 03
    assert codes_at(checked, "W606") == ["A6"]
    gap = next(i for i in checked.issues if i.code == "W601")
    assert "04-07, 11-12" in gap.message and gap.sheet == "Sổ văn bản đi"
    dup = next(i for i in checked.issues if i.code == "E601")
    assert dup.message.startswith("Sổ văn bản đi!A5: ") and "A4" in dup.message
    docs = [(d.group, d.kind, d.count) for d in checked.report.documents]
    assert docs == [("di", "Báo cáo", 2), ("di", "Công văn", 2), ("di", "Quyết định", 1),
                    ("di", "Tờ trình", 1), ("di", "Văn bản khác", 1),
                    ("mat_di", "Báo cáo", 1), ("mat_di", "Công văn", 1)]
    summary = checked.registers[0]
    assert (summary.documents, summary.secret, summary.missing) == (9, 2, "04-07, 11-12")


def test_incoming_register_checks_and_counts(tmp_path: Path) -> None:
    book = write_book(tmp_path / "u.xlsx", registers_only(**{"Sổ văn bản đến": slipped_incoming()}))
    checked = api.check(book)
    assert codes_at(checked, "E603") == ["B4"]
    assert codes_at(checked, "E604") == ["A8"]
    assert codes_at(checked, "W602") == ["A5", "A6"]
    assert codes_at(checked, "W605") == ["D6"]
    assert codes_at(checked, "E602") == []  # a document of 2020 may arrive in 2021
    assert "03-04" in next(i.message for i in checked.issues if i.code == "W601")
    docs = {(d.group, d.kind): d.count for d in checked.report.documents}
    assert docs == {("den", "Công văn"): 3, ("den", "Thông tư"): 1, ("den", "Quyết định"): 1,
                    ("den", "Kế hoạch"): 1, ("mat_den", "Công văn"): 1}


def test_wrong_year_fails_validate_with_located_json(tmp_path: Path) -> None:
    book = write_book(tmp_path / "u.xlsx", registers_only(**{"Sổ văn bản đi": slipped_outgoing()}))
    result = runner.invoke(app, ["validate", "--format", "json", str(book)])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)["files"][0]
    year = next(e for e in data["errors"] if e["code"] == "E602")
    assert (year["sheet"], year["cell"]) == ("Sổ văn bản đi", "B7")
    assert "năm báo cáo 2021" in year["message"]
    assert data["so_van_ban"][0]["missing"] == "04-07, 11-12"


def test_report_section_one_counts_from_registers(tmp_path: Path) -> None:
    book = write_book(tmp_path / "u.xlsx", registers_only(**{"Sổ văn bản đi": clean_outgoing()}))
    built = api.build(book, tmp_path / "u.docx")
    assert built.output is not None, [i.message for i in built.checked.issues]
    text = reading_order(built.output)
    assert SECTION_I_DI in text
    assert "- Văn bản mật đi: tổng số 1 văn bản, gồm: 1 Công văn." in text


def test_typed_counts_win_and_differences_warn(tmp_path: Path) -> None:
    sheets = unit_sheets()  # Văn bản đi: Quyết định 120, Báo cáo 45
    sheets["Sổ văn bản đi"] = clean_outgoing()
    checked = api.check(write_book(tmp_path / "u.xlsx", sheets))
    assert checked.ok, [i.message for i in checked.errors]
    group = next(i for i in checked.issues if i.code == "W608")
    assert group.sheet == "Văn bản" and "165" in group.message and "7" in group.message
    kinds = sorted(i.message for i in checked.issues if i.code == "W609")
    assert len(kinds) == 2 and "ghi 45" in kinds[0] and "đếm được 2" in kinds[0]
    docs = [(d.group, d.kind, d.count) for d in checked.report.documents]
    assert ("di", "Quyết định", 120) in docs and ("mat_di", "Công văn", 1) in docs
    assert not any(d.kind == "Công văn" and d.group == "di" for d in checked.report.documents)


def test_unknown_extra_column_in_the_workbook_warns(tmp_path: Path) -> None:
    rows = clean_outgoing()
    for i, row in enumerate(rows):
        row.append("Độ khẩn" if i == 0 else None)
    checked = api.check(write_book(tmp_path / "u.xlsx", registers_only(**{"Sổ văn bản đi": rows})))
    extra = [(i.sheet, i.cell) for i in checked.issues if i.code == "W102"]
    assert extra == [("Sổ văn bản đi", "G1")]


def write_export(path: Path) -> Path:
    """An e-office export: its own sheet name, title rows, STT and other extra columns."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    ws.append(["ỦY BAN NHÂN DÂN XÃ KỲ TÂN"])
    ws.append(["SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM 2021"])
    ws.append([])
    ws.append(["STT", *OUT_HEAD, "Độ khẩn", "Người nhập"])
    ws.append(["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)"])
    for i, row in enumerate(clean_outgoing()[1:], start=1):
        ws.append([i, *row, "Thường", "văn thư"])
    ws.append([None, "05/BC-UBND", D(2021, 6, 1), "Báo cáo trùng", "An", "", None, "", ""])
    wb.save(path)
    return path


def test_so_van_ban_export_ignores_extra_columns_and_titles(tmp_path: Path) -> None:
    sheets = registers_only()
    book = write_book(tmp_path / "u.xlsx", sheets)
    export = write_export(tmp_path / "export.xlsx")
    result = runner.invoke(app, ["validate", "--format", "json", "--so-van-ban", str(export),
                                 str(book)])
    data = json.loads(result.output)["files"][0]
    assert result.exit_code == 1, result.output
    assert [e["code"] for e in data["errors"]] == ["E601"]
    assert data["errors"][0]["sheet"] == "[export.xlsx]Danh sách"
    assert data["errors"][0]["cell"] == "B14"
    assert not any(w["code"] == "W102" for w in data["warnings"])
    assert data["so_van_ban"][0]["documents"] == 8
    text = runner.invoke(app, ["validate", "--so-van-ban", str(export), str(book)]).output
    assert "[export.xlsx]Danh sách: 8 văn bản đi (trong đó 1 văn bản mật)" in text


def test_so_van_ban_builds_the_report(tmp_path: Path) -> None:
    book = write_book(tmp_path / "u.xlsx", registers_only())
    wb = openpyxl.load_workbook(write_export(tmp_path / "export.xlsx"))
    ws = wb.active
    ws.delete_rows(ws.max_row)  # without the duplicate
    wb.save(tmp_path / "export.xlsx")
    out = tmp_path / "u.docx"
    result = runner.invoke(app, ["build", str(book), "-o", str(out), "--so-van-ban",
                                 str(tmp_path / "export.xlsx")])
    assert result.exit_code == 0, result.output
    assert SECTION_I_DI in reading_order(out)


def test_so_van_ban_without_a_register(tmp_path: Path) -> None:
    book = write_book(tmp_path / "u.xlsx", unit_sheets())
    other = write_book(tmp_path / "other.xlsx", {"Dữ liệu": [["A", "B"], [1, 2]]})
    checked = api.check(book, so_van_ban=other)
    assert [i.code for i in checked.errors] == ["E610"]
    second = write_book(tmp_path / "u2.xlsx", unit_sheets())
    result = runner.invoke(app, ["validate", "--so-van-ban", str(other), str(book), str(second)])
    assert result.exit_code == 2


def test_register_header_missing_a_column(tmp_path: Path) -> None:
    rows = [[c for c in r[:1] + r[2:]] for r in clean_outgoing()]  # no date column
    checked = api.check(write_book(tmp_path / "u.xlsx", registers_only(**{"Sổ văn bản đi": rows})))
    err = next(i for i in checked.errors if i.code == "E611")
    assert "\"Ngày tháng văn bản\"" in err.message and err.sheet == "Sổ văn bản đi"


def test_issues_past_200_are_counted_in_one_line(tmp_path: Path) -> None:
    rows = [list(OUT_HEAD)] + [[f"{n:02d}/UBND-VP", D(2020, 5, 1), "V/v họp", "An", "", None]
                         for n in range(1, 251)]
    checked = api.check(write_book(tmp_path / "u.xlsx",
                                   registers_only(**{"Sổ văn bản đi": rows})))
    assert len(codes_at(checked, "E602")) == 200
    rest = next(i for i in checked.issues if i.code == "E690")
    assert rest.sheet == "Sổ văn bản đi"
    assert "còn 50 lỗi khác cùng mã E602 (tổng cộng 250)" in rest.message


def test_uncalculated_formulas_in_a_register_are_located(tmp_path: Path) -> None:
    """openpyxl (and other programs) write a formula with an empty cached value `<v></v>`."""
    rows = clean_outgoing()
    rows[2][0] = '="0"&"2/UBND-VP"'
    rows[3][1] = "=DATE(2021,2,3)"
    book = write_book(tmp_path / "u.xlsx", registers_only(**{"Sổ văn bản đi": rows}))
    checked = api.check(book)
    assert codes_at(checked, "E205") == ["A3", "B4"]
    result = runner.invoke(app, ["validate", str(book)])
    assert result.exit_code == 1 and "Sổ văn bản đi!B4" in result.output


def _edited(book: Path, out: Path, edit) -> Path:
    import zipfile

    with zipfile.ZipFile(book) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, edit(data) if info.filename.startswith("xl/worksheets/")
                         else data)
    return out


@pytest.mark.parametrize("edit", [
    # text where the first date of the register should be a number
    lambda data: data.replace(b"<v>44228</v>", b"<v>hai</v>", 1),
    # damaged XML in a sheet whose cells lack references (read the general way)
    lambda data: data.replace(b'<c r="A3"', b"<c", 1).replace(b"<v>44229</v>", b"<v><</v>", 1)
    if b"<v>44229</v>" in data else data,
], ids=["text-for-a-date", "damaged-xml"])
def test_a_damaged_register_is_an_error_not_a_crash(tmp_path: Path, edit) -> None:
    book = write_book(tmp_path / "u.xlsx",
                      registers_only(**{"Sổ văn bản đi": clean_outgoing()}))
    broken = _edited(book, tmp_path / "hong.xlsx", edit)
    assert broken.read_bytes() != book.read_bytes()
    checked = api.check(broken)
    errors = [i for i in checked.issues if i.code == "E006"]
    assert errors and "Sổ văn bản đi" in errors[0].message
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_an_infinite_incoming_number_is_refused_at_its_cell(tmp_path: Path) -> None:
    rows = slipped_incoming()
    rows[1][1] = 424242
    book = write_book(tmp_path / "u.xlsx", registers_only(**{"Sổ văn bản đến": rows}))
    broken = _edited(book, tmp_path / "vo-cuc.xlsx",
                     lambda data: data.replace(b"<v>424242</v>", b"<v>1e999</v>"))
    assert codes_at(api.check(broken), "E612") == ["B2"]
