"""The reader: loose matching of sheets and headers, locations, merged cells, formulas."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
from factory import two_line_header, unit_sheets, write_book

from baocao_cli import api


def test_sheet_and_header_names_are_matched_loosely(tmp_path: Path) -> None:
    sheets = unit_sheets()
    renamed = {"THONG TIN": sheets["Thông tin"], "van_ban": sheets["Văn bản"],
               "Cham-diem": sheets["Chấm điểm"], "Nơi nhận": sheets["Nơi nhận"]}
    renamed["van_ban"][0] = ["NHOM", "loai van ban", "Số lượng (văn bản)", "Ghi chú"]
    checked = api.check(write_book(tmp_path / "u.xlsx", renamed))
    assert checked.ok, [i.message for i in checked.issues]
    assert checked.report.sheet_names["thong_tin"] == "THONG TIN"
    assert sum(d.count for d in checked.report.documents) == 1665


def test_header_row_below_title_rows_and_any_column_order(tmp_path: Path) -> None:
    sheets = unit_sheets()
    rows = sheets["Văn bản"]
    sheets["Văn bản"] = [[r[2], r[0], r[1]] for r in rows]  # Số lượng, Nhóm, Loại
    titles = {"Văn bản": [["SỐ LIỆU VĂN BẢN NĂM 2021"], ["(ghi theo sổ đăng ký)"], []]}
    checked = api.check(write_book(tmp_path / "u.xlsx", sheets, title_rows=titles))
    assert checked.ok, [i.message for i in checked.issues]
    assert [d.count for d in checked.report.documents] == [120, 45, 1500]


def test_blank_rows_do_not_stop_reading(tmp_path: Path) -> None:
    sheets = unit_sheets()
    sheets["Văn bản"].insert(2, [None, None, None, None])
    sheets["Văn bản"].insert(3, [None, None, None, None])
    checked = api.check(write_book(tmp_path / "u.xlsx", sheets))
    assert [d.count for d in checked.report.documents] == [120, 45, 1500]


def test_text_numbers_are_read_the_vietnamese_way_and_located(tmp_path: Path) -> None:
    sheets = unit_sheets()
    sheets["Chỉnh lý"][1][1] = "1.190"  # B2: thousands
    sheets["Chỉnh lý"][1][2] = "8,5"  # C2: decimal comma
    sheets["Chỉnh lý"][2][1] = "12.5"  # B3: international, warned
    checked = api.check(write_book(tmp_path / "u.xlsx", sheets))
    rows = checked.report.arrangement
    assert rows[0].planned == Decimal("1190") and rows[0].done == Decimal("8.5")
    assert rows[1].planned == Decimal("12.5")
    warning = next(i for i in checked.issues if i.code == "W201")
    assert (warning.sheet, warning.cell) == ("Chỉnh lý", "B3")
    assert "12,5" in warning.message


def test_unknown_column_is_a_warning_at_its_cell(tmp_path: Path) -> None:
    sheets = unit_sheets()
    for row in sheets["Văn bản"]:
        row.append("Cột lạ" if row is sheets["Văn bản"][0] else "x")
    checked = api.check(write_book(tmp_path / "u.xlsx", sheets))
    assert checked.ok
    w = next(i for i in checked.issues if i.code == "W102")
    assert (w.sheet, w.cell) == ("Văn bản", "E1")


def test_merged_cells_value_belongs_to_top_left(tmp_path: Path) -> None:
    path = write_book(tmp_path / "u.xlsx", unit_sheets())
    wb = openpyxl.load_workbook(path)
    ws = wb["Nội dung"]
    ws.append(["Kiến nghị", "Đề nghị bổ sung biên chế."])
    ws.merge_cells(start_row=ws.max_row, start_column=2, end_row=ws.max_row, end_column=3)
    wb.save(path)
    checked = api.check(path)
    assert checked.ok, [i.message for i in checked.issues]
    assert checked.report.paragraphs["kien_nghi"][-1] == "Đề nghị bổ sung biên chế."


def test_two_line_header_with_merged_group_title(tmp_path: Path) -> None:
    sheets = unit_sheets()
    path = write_book(tmp_path / "u.xlsx", sheets)
    wb = openpyxl.load_workbook(path)
    two_line_header(wb)
    wb.save(path)
    checked = api.check(path)
    assert checked.ok, [i.message for i in checked.issues]
    rows = checked.report.arrangement
    assert [r.year for r in rows] == [2020, 2021]
    assert rows[0].fund_province == Decimal("50") and rows[1].fund_unit == Decimal("20.5")


def test_formula_without_cached_value_is_an_error_at_its_cell(tmp_path: Path) -> None:
    path = write_book(tmp_path / "u.xlsx", unit_sheets())
    wb = openpyxl.load_workbook(path)
    wb["Văn bản"]["C3"] = "=C2*2"  # openpyxl stores no cached value
    wb.save(path)
    checked = api.check(path)
    err = next(i for i in checked.errors if i.code == "E205")
    assert (err.sheet, err.cell) == ("Văn bản", "C3")
    assert "LibreOffice" in err.message
    assert not api.build(path, tmp_path / "u.docx").output
    assert not (tmp_path / "u.docx").exists()


def test_text_is_nfc_and_trimmed(tmp_path: Path) -> None:
    sheets = unit_sheets()
    sheets["Nội dung"].append(["Kiến nghị", "  Đe\u0302\u0300 nghi\u0323 thêm  "])
    checked = api.check(write_book(tmp_path / "u.xlsx", sheets))
    assert checked.report.paragraphs["kien_nghi"][-1] == "Đề nghị thêm"
    assert checked.ok
