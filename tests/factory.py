"""Real .xlsx workbooks for tests, written with openpyxl from plain Python data.

`unit_sheets()` is a valid unit that follows workbook.md (not the shipped example); a test
copies it, changes what it is about, and writes it with `write_book`. Readable in review,
no binary fixtures.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl

Sheets = dict[str, list[list[Any]]]


def unit_sheets() -> Sheets:
    """A complete, valid unit: items with a group in Chấm điểm, a plan, all sections."""
    return copy.deepcopy({
        "Thông tin": [
            ["Mã", "Giá trị", "Nội dung"],
            ["co_quan_chu_quan", "UBND huyện Kỳ Anh", ""],
            ["co_quan", "Ủy ban nhân dân xã Kỳ Tân", ""],
            ["ten_co_quan", "Ủy ban nhân dân xã Kỳ Tân", ""],
            ["ky_hieu", "UBND", ""],
            ["so", 5, ""],
            ["dia_danh", "Kỳ Tân", ""],
            ["ngay", dt.datetime(2022, 1, 5), ""],
            ["nam", 2021, ""],
            ["quyen_han_ky", "TM. ỦY BAN NHÂN DÂN", ""],
            ["chuc_vu_ky", "Chủ tịch", ""],
            ["nguoi_ky", "Nguyễn Văn An", ""],
            ["tu_xep_loai", "Khá", ""],
            ["ke_hoach_chinh_ly", "Kế hoạch số 12/KH-UBND ngày 10/3/2020 của UBND xã", ""],
            ["giai_doan", "2020-2021", ""],
        ],
        "Căn cứ": [
            ["Nội dung"],
            ["Quyết định số 2991/QĐ-UBND ngày 24/8/2021 của UBND tỉnh"],
            ["Công văn số 100/UBND ngày 01/11/2021 của UBND huyện"],
        ],
        "Văn bản": [
            ["Nhóm", "Loại văn bản", "Số lượng", "Ghi chú"],
            ["Văn bản đi", "Quyết định", 120, ""],
            ["Văn bản đi", "Báo cáo", 45, ""],
            ["Văn bản đến", "Công văn", 1500, ""],
        ],
        "Chấm điểm": [
            ["STT", "Tiêu chí", "Điểm tối đa", "Điểm tự chấm", "Ghi chú"],
            ["I", "Nội dung chung", 20, None, ""],
            ["1", "Ban hành văn bản chỉ đạo", 10, 8, "Kế hoạch số 3"],
            ["2", "Kiểm tra", 10, None, ""],
            ["2.1", "Có kế hoạch kiểm tra", 4, 4, ""],
            ["2.2", "Kiểm tra đủ đơn vị", 6, 5.5, ""],
            ["II", "Nghiệp vụ văn thư", 40, 30, ""],
            ["III", "Nghiệp vụ lưu trữ", 40, 28.25, ""],
            ["IV", "Điểm cộng", 5, 1, ""],
            ["V", "Điểm trừ", None, 2, ""],
        ],
        "Chỉnh lý": [
            ["Năm", "Kế hoạch (mét)", "Đã chỉnh lý (mét)", "Kinh phí tỉnh hỗ trợ",
             "Kinh phí đơn vị bố trí", "Nộp lưu", "Tồn đọng", "Ghi chú"],
            [2020, 10, 8.5, 50, None, 1, None, ""],
            [2021, 12, 12, None, 20.5, None, 3, "Hoàn thành"],
        ],
        "Nội dung": [
            ["Mục", "Nội dung"],
            ["Triển khai", "- UBND xã đã ban hành kế hoạch công tác văn thư, lưu trữ."],
            ["Chỉnh lý", "Đã hợp đồng chỉnh lý tài liệu tồn đọng."],
            ["Tồn tại", "- Kho lưu trữ chật hẹp."],
            ["Giải pháp", "- Bố trí thêm kho."],
            ["Kiến nghị", "Đề nghị cấp kinh phí."],
        ],
        "Nơi nhận": [
            ["Nơi nhận"],
            ["UBND huyện (báo cáo)"],
            ["Lưu: VT"],
        ],
    })


# Totals of unit_sheets(): I = 8 + 4 + 5.5 = 17.5; 17.5 + 30 + 28.25 + 1 − 2 = 74.75 → Khá.
UNIT_TOTAL = "74,75"
UNIT_RATING = "Khá"


def write_book(path: Path, sheets: Sheets, *, title_rows: dict[str, list[list[Any]]] | None = None
               ) -> Path:
    """Write `sheets` (name → rows, header first) as a real .xlsx at `path`."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in (title_rows or {}).get(name, []):
            ws.append(row)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def set_info(sheets: Sheets, key: str, value: Any) -> Sheets:
    """Set (or add) a `Thông tin` value; None removes the row."""
    rows = sheets["Thông tin"]
    for i, row in enumerate(rows):
        if row[0] == key:
            if value is None:
                del rows[i]
            else:
                row[1] = value
            return sheets
    if value is not None:
        rows.append([key, value, ""])
    return sheets


def info_cell(sheets: Sheets, key: str) -> str:
    """The A1 cell of a key's value in `Thông tin` (as `write_book` lays it out)."""
    for i, row in enumerate(sheets["Thông tin"]):
        if row[0] == key:
            return f"B{i + 1}"
    raise KeyError(key)


def two_line_header(wb: Any) -> None:
    """`Chỉnh lý` with its header on two rows: `Kinh phí` merged over its two sub-columns,
    the other titles merged down (as many units lay it out)."""
    ws = wb["Chỉnh lý"]
    ws.insert_rows(1)
    for col, title in ((1, "Năm"), (2, "Kế hoạch"), (3, "Đã chỉnh lý"), (6, "Nộp lưu"),
                       (7, "Tồn đọng"), (8, "Ghi chú")):
        ws.cell(1, col, title)
        ws.cell(2, col, None)
        ws.merge_cells(start_row=1, start_column=col, end_row=2, end_column=col)
    ws.cell(1, 4, "Kinh phí (triệu đồng)")
    ws.merge_cells(start_row=1, start_column=4, end_row=1, end_column=5)
    ws.cell(2, 4, "Kinh phí tỉnh hỗ trợ")
    ws.cell(2, 5, "Kinh phí đơn vị bố trí")


def unit_folder(folder: Path, n: int = 2) -> Path:
    """`folder` with `n` valid units, `xa-1.xlsx` … (Ủy ban nhân dân xã số 1 …)."""
    folder.mkdir()
    for i in range(n):
        sheets = unit_sheets()
        set_info(sheets, "co_quan", f"Ủy ban nhân dân xã số {i + 1}")
        write_book(folder / f"xa-{i + 1}.xlsx", sheets)
    return folder
