"""The starter workbook of `baocao init`: the contract's layout, ready to fill in Excel.

Sheets, headers and keys come from `contract`, the parts and criteria from the rules, so
the starter can never drift from what `validate` reads. No formulas: the reader would need
cached values that only Excel computes.
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path
from typing import Any

from . import contract
from .errors import BaocaoError
from .files import write_atomic
from .score.rules import DEFAULT_RULES, KIND_LABELS, Rules, shipped_rules
from .vn import format_score

EXAMPLE_RESOURCE = "data/example.xlsx"
HEADER_FILL = "DDEBF7"  # light blue: the header rows
TO_FILL = "FFF2CC"  # light yellow: a value the clerk must enter
PART_FILL = "F2F2F2"  # light grey: a part row of `Chấm điểm`
REQUIRED_MARK = "(bắt buộc)"
DATA_ROWS = 200  # rows below the header that get formats and drop-downs
INPUT_ROWS = 30  # rows tinted yellow on the list sheets: where to type (more may be added)

# The one-line note each list sheet shows when a cell is selected (Excel's input message).
NOTES: dict[str, str] = {
    "can_cu": "Mỗi dòng một văn bản làm căn cứ báo cáo; có thể để trống cả trang.",
    "van_ban": "Mỗi dòng một loại văn bản: Nhóm, Loại văn bản, Số lượng (số nguyên).",
    "chinh_ly": "Mỗi năm một dòng: mét tài liệu và kinh phí (triệu đồng), ví dụ 143,63.",
    "noi_dung": "Mỗi dòng một đoạn văn: chọn Mục, ghi đoạn văn vào cột Nội dung.",
    "noi_nhan": "Mỗi dòng một nơi nhận, ví dụ Sở Nội vụ; dòng cuối là Lưu: VT.",
}
# What each `Thông tin` value is, shown when its cell is selected (the drop-downs of
# `quyen_han_ky` and `tu_xep_loai` carry their own).
KEY_NOTES: dict[str, str] = {
    "co_quan_chu_quan": "Tên cơ quan cấp trên trực tiếp, viết hoa, ví dụ UBND TỈNH HÀ TĨNH; "
                        "có thể để trống.",
    "co_quan": "Tên cơ quan ban hành báo cáo, viết hoa, ví dụ SỞ NỘI VỤ.",
    "ten_co_quan": "Tên cơ quan như viết trong câu văn, ví dụ Sở Nội vụ.",
    "ky_hieu": "Chữ viết tắt tên cơ quan: chữ in hoa, không dấu cách, ví dụ SNV hoặc UBND-VP.",
    "so": "Số của báo cáo (số nguyên); để trống để văn thư điền khi đăng ký.",
    "dia_danh": "Địa danh ghi trước ngày tháng, ví dụ Hà Tĩnh.",
    "ngay": "Ngày ban hành, dạng dd/mm/yyyy, ví dụ 24/11/2021, không trước năm báo cáo; để "
            "trống để điền tay.",
    "nam": "Năm báo cáo, bốn chữ số, ví dụ 2021.",
    "trich_yeu": "Trích yếu dưới chữ BÁO CÁO; để trống thì chương trình tự viết theo năm.",
    "kinh_gui": "Nơi kính gửi, khi báo cáo gửi cấp trên; có thể để trống.",
    "chuc_vu_ky": "Chức vụ người ký, ví dụ PHÓ GIÁM ĐỐC.",
    "nguoi_ky": "Họ và tên người ký, không ghi học hàm, học vị.",
    "ke_hoach_chinh_ly": "Văn bản ban hành kế hoạch chỉnh lý tài liệu; cần khi trang Chỉnh lý "
                         "có số liệu.",
    "giai_doan": "Giai đoạn của kế hoạch chỉnh lý, dạng 2019-2021.",
}

# Column widths (characters) by sheet key and column key; the rest get DEFAULT_WIDTH.
WIDTHS: dict[str, dict[str, float]] = {
    "thong_tin": {"ma": 22, "gia_tri": 60, "noi_dung": 48},
    "can_cu": {"noi_dung": 110},
    "van_ban": {"nhom": 20, "loai": 60, "so_luong": 12, "ghi_chu": 30},
    "cham_diem": {"stt": 8, "tieu_chi": 70, "toi_da": 12, "tu_cham": 14, "ghi_chu": 36},
    "chinh_ly": {"nam": 8, "ghi_chu": 30},
    "noi_dung": {"muc": 16, "noi_dung": 110},
    "noi_nhan": {"noi_nhan": 50},
    "don_vi": {"co_quan": 50, "ky_hieu": 14, "cap": 22, "ghi_chu": 40},
}
DEFAULT_WIDTH = 16.0

INT_FORMAT = "#,##0"  # 8.800 in a Vietnamese-locale Excel
DECIMAL_FORMAT = "#,##0.###"  # 143,63 (the same format as the shipped example)
YEAR_FORMAT = "0"  # 2021, never 2.021
SCORE_FORMAT = "General"  # 5,5 and 20 without a trailing separator
DATE_FORMAT = "DD/MM/YYYY"
TEXT_FORMAT = "@"  # keeps `2.1` and `2019-2021` as typed (not turned into dates)

GUIDE_SHEET = contract.IGNORED_SHEETS[0]


class StarterExists(BaocaoError):
    """The target exists and `force` was not given: a clerk's data is never overwritten."""


def header_label(column: contract.Column) -> str:
    return f"{column.label} ({column.unit})" if column.unit else column.label


def info_label(key: contract.InfoKey) -> str:
    """The `Nội dung` text of a `Thông tin` row: the label, marked when it is required."""
    return f"{key.label} {REQUIRED_MARK}" if key.required else key.label


def write_starter(path: Path, rules: Rules, *, force: bool = False) -> None:
    """Write the empty starter workbook for `rules` to `path`, atomically."""
    _refuse_existing(path, force)
    blob = starter_bytes(rules)
    write_atomic(path, lambda fh: fh.write(blob))


def write_example(path: Path, *, force: bool = False) -> None:
    """Write the seed example (report 218/BC-SLĐTBXH), shipped as package data."""
    _refuse_existing(path, force)
    blob = example_bytes()
    write_atomic(path, lambda fh: fh.write(blob))


def example_bytes() -> bytes:
    return resources.files("baocao_cli").joinpath(EXAMPLE_RESOURCE).read_bytes()


def _refuse_existing(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise StarterExists(str(path))


def starter_bytes(rules: Rules) -> bytes:
    """The starter workbook as .xlsx bytes (built in memory, written by the caller)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for spec in contract.SHEETS:
        ws = wb.create_sheet(spec.name)
        _header(ws, spec)
        if spec.key == "thong_tin":
            _thong_tin(ws, rules)
        elif spec.key == "van_ban":
            _column_format(ws, spec, "so_luong", INT_FORMAT)
            _drop_down(ws, spec, "nhom", [label for _, label in contract.GROUPS],
                       prompt="Chọn nhóm văn bản trong danh sách.", strict=False)
        elif spec.key == "cham_diem":
            _cham_diem(ws, spec, rules)
        elif spec.key == "chinh_ly":
            _column_format(ws, spec, "nam", YEAR_FORMAT)
            for col in spec.columns[1:-1]:
                _column_format(ws, spec, col.key, DECIMAL_FORMAT)
        elif spec.key == "noi_dung":
            _drop_down(ws, spec, "muc", [label for _, label in contract.SECTIONS],
                       prompt="Chọn mục của báo cáo mà đoạn văn này thuộc về.", strict=False)
            _wrap(ws, spec, "noi_dung")
        elif spec.key == "can_cu":
            _wrap(ws, spec, "noi_dung")
        if spec.key in NOTES:
            _input_rows(ws, spec)
    _guide(wb, rules)
    wb.properties.creator = "baocao"
    wb.properties.title = "Báo cáo công tác văn thư, lưu trữ"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _letter(spec: contract.SheetSpec, key: str) -> str:
    from openpyxl.utils import get_column_letter

    index = next(i for i, c in enumerate(spec.columns) if c.key == key)
    return get_column_letter(index + 1)


def _header(ws: Any, spec: contract.SheetSpec) -> None:
    """Row 1: the contract's headers, bold on a fill, frozen so they stay in view."""
    from openpyxl.styles import Alignment, Font, PatternFill

    fill = PatternFill("solid", start_color=HEADER_FILL, end_color=HEADER_FILL)
    for i, column in enumerate(spec.columns, 1):
        cell = ws.cell(row=1, column=i, value=header_label(column))
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        letter = _letter(spec, column.key)
        ws.column_dimensions[letter].width = WIDTHS.get(spec.key, {}).get(column.key,
                                                                          DEFAULT_WIDTH)
    ws.freeze_panes = "A2"


def _column_format(ws: Any, spec: contract.SheetSpec, key: str, number_format: str) -> None:
    letter = _letter(spec, key)
    for row in range(2, DATA_ROWS + 2):
        ws[f"{letter}{row}"].number_format = number_format


def _wrap(ws: Any, spec: contract.SheetSpec, key: str) -> None:
    from openpyxl.styles import Alignment

    letter = _letter(spec, key)
    for row in range(2, DATA_ROWS + 2):
        ws[f"{letter}{row}"].alignment = Alignment(vertical="top", wrap_text=True)


def _input_rows(ws: Any, spec: contract.SheetSpec) -> None:
    """A list sheet's first rows tinted yellow, and its note shown in the cells without a
    drop-down (a cell holds one validation; the drop-downs carry their own prompt)."""
    from openpyxl.styles import PatternFill

    to_fill = PatternFill("solid", start_color=TO_FILL, end_color=TO_FILL)
    listed = {str(r) for dv in ws.data_validations.dataValidation for r in dv.sqref.ranges}
    free = []
    for column in spec.columns:
        letter = _letter(spec, column.key)
        for row in range(2, INPUT_ROWS + 2):
            ws[f"{letter}{row}"].fill = to_fill
        if f"{letter}2:{letter}{DATA_ROWS + 1}" not in listed:
            free.append(f"{letter}2:{letter}{DATA_ROWS + 1}")
    _note(ws, " ".join(free), "Cách điền", NOTES[spec.key])


def _sentence(text: str) -> str:
    """`Cần một trong: TM., TUQ.` keeps one final stop, never `TUQ..`."""
    return text if text.endswith(".") else f"{text}."


def _drop_down(ws: Any, spec: contract.SheetSpec | None, key: str, values: list[str], *,
               prompt: str, strict: bool, cells: str | None = None,
               allow_free_text: bool = False) -> None:
    """An Excel list validation on a column (or on `cells`).

    `strict` refuses other values (stop); otherwise Excel warns but keeps what was typed,
    since the reader also accepts short forms (`đi`, `trien_khai`). `allow_free_text`
    only offers the list (the quyen_han_ky prefixes are followed by a title).
    """
    from openpyxl.worksheet.datavalidation import DataValidation

    if cells is None:
        assert spec is not None
        letter = _letter(spec, key)
        cells = f"{letter}2:{letter}{DATA_ROWS + 1}"
    dv = DataValidation(type="list", formula1=_list_formula(ws, values), allow_blank=True)
    dv.showDropDown = False  # (sic) False shows the in-cell arrow
    dv.showInputMessage = True
    dv.promptTitle = "Gợi ý"
    dv.prompt = prompt
    dv.showErrorMessage = not allow_free_text
    dv.errorStyle = "stop" if strict else "warning"
    dv.errorTitle = "Giá trị không có trong danh sách"
    dv.error = _sentence(f"Cần một trong: {', '.join(values)}")[:255]
    dv.add(cells)
    ws.add_data_validation(dv)


def _list_formula(ws: Any, values: list[str]) -> str:
    """The list inline when Excel allows it (≤ 255 characters, no comma or quote in a value);
    otherwise a range of the guide sheet, where the lists are written for people too."""
    inline = ",".join(values)
    if len(inline) <= 255 and not any("," in v or '"' in v for v in values):
        return f'"{inline}"'
    from openpyxl.utils import get_column_letter

    guide = ws.parent[GUIDE_SHEET] if GUIDE_SHEET in ws.parent.sheetnames \
        else ws.parent.create_sheet(GUIDE_SHEET)
    column = max(4, guide.max_column + 2)  # right of the instructions (columns A and B)
    letter = get_column_letter(column)
    for i, value in enumerate(values, 1):
        guide.cell(row=i, column=column, value=value)
    return f"'{GUIDE_SHEET}'!${letter}$1:${letter}${len(values)}"


def _thong_tin(ws: Any, rules: Rules) -> None:
    """One row per key; values empty, required ones highlighted; formats by key type."""
    from openpyxl.styles import Alignment, Font, PatternFill

    to_fill = PatternFill("solid", start_color=TO_FILL, end_color=TO_FILL)
    for row, key in enumerate(contract.INFO_KEYS, 2):
        ws.cell(row=row, column=1, value=key.key)
        value = ws.cell(row=row, column=2)
        label = ws.cell(row=row, column=3, value=info_label(key))
        label.alignment = Alignment(vertical="top", wrap_text=True)
        value.alignment = Alignment(vertical="top", wrap_text=True)
        if key.required:
            value.fill = to_fill
            label.font = Font(bold=True)
        value.number_format = {"int": "0", "date": DATE_FORMAT}.get(key.kind, TEXT_FORMAT)
        ref = f"B{row}"
        if key.key == "tu_xep_loai":
            _drop_down(ws, None, key.key, list(rules.band_names), cells=ref, strict=True,
                       prompt="Chọn mức tự xếp loại; phải khớp với kết quả tính từ bảng "
                              "chấm điểm (có thể để trống).")
        elif key.key in KEY_NOTES:
            _note(ws, ref, key.key, KEY_NOTES[key.key])
        if key.key == "quyen_han_ky":
            _drop_down(ws, None, key.key, list(contract.SIGNING_PREFIXES), cells=ref,
                       strict=False, allow_free_text=True,
                       prompt="Chọn TM., Q., KT., TL. hoặc TUQ. rồi gõ tiếp chức vụ người "
                              "đứng đầu, ví dụ KT. GIÁM ĐỐC (một mình KT. là chưa đủ). Để "
                              "trống nếu người đứng đầu ký.")


def _cham_diem(ws: Any, spec: contract.SheetSpec, rules: Rules) -> None:
    """The rules' parts, each followed by its criteria; the scores to enter are highlighted."""
    from openpyxl.styles import Alignment, Font, PatternFill

    to_fill = PatternFill("solid", start_color=TO_FILL, end_color=TO_FILL)
    part_fill = PatternFill("solid", start_color=PART_FILL, end_color=PART_FILL)
    stt, text, toi_da, tu_cham = (_letter(spec, k) for k in
                                  ("stt", "tieu_chi", "toi_da", "tu_cham"))
    row = 2
    for part in rules.parts:
        ws[f"{stt}{row}"] = part.code
        ws[f"{text}{row}"] = part.name
        if part.max is not None:
            ws[f"{toi_da}{row}"] = _number(part.max)
        criteria = [c for c in rules.criteria if c.part == part.code]
        for col in (stt, text, toi_da, tu_cham, _letter(spec, "ghi_chu")):
            ws[f"{col}{row}"].font = Font(bold=True)
            if criteria:  # grey: the part's score is the sum of its criteria
                ws[f"{col}{row}"].fill = part_fill
        if not criteria:  # the part's own score is read: an input like any other
            ws[f"{tu_cham}{row}"].fill = to_fill
            _score_note(ws, f"{tu_cham}{row}", part)
        row += 1
        groups = _group_indexes(criteria)
        for i, c in enumerate(criteria):
            ws[f"{stt}{row}"] = c.stt
            ws[f"{text}{row}"] = c.text
            ws[f"{toi_da}{row}"] = _number(c.max)
            if i in groups:
                ws[f"{text}{row}"].font = Font(italic=True)
            else:
                ws[f"{tu_cham}{row}"].fill = to_fill
                _note(ws, f"{tu_cham}{row}", "Điểm tự chấm",
                      f"Tiêu chí {c.stt}: từ 0 đến {format_score(c.max)}; không đạt thì ghi 0.")
            row += 1
    _fit_rows(ws, text, 2, row - 1)
    for r in range(2, max(row, DATA_ROWS + 2)):
        ws[f"{stt}{r}"].number_format = TEXT_FORMAT
        ws[f"{text}{r}"].alignment = Alignment(vertical="top", wrap_text=True)
        ws[f"{toi_da}{r}"].number_format = SCORE_FORMAT
        ws[f"{tu_cham}{r}"].number_format = SCORE_FORMAT


def _note(ws: Any, refs: str, title: str, prompt: str) -> None:
    """A note shown when one of `refs` is selected (a validation that accepts anything)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(allow_blank=True, showInputMessage=True, promptTitle=title,
                        prompt=prompt)
    for ref in refs.split():
        dv.add(ref)
    ws.add_data_validation(dv)


def _score_note(ws: Any, ref: str, part: Any) -> None:
    """What to type in a part's own score cell, shown when it is selected."""
    if part.kind == "deduction":
        prompt = f"Phần {part.code}: ghi số điểm bị trừ, số dương (0 nếu không bị trừ)."
    else:
        upto = f" đến {format_score(part.max)}" if part.max is not None else ""
        prompt = f"Phần {part.code}: ghi điểm tự chấm của cả phần, từ 0{upto}."
    _note(ws, ref, "Điểm tự chấm", prompt)


LINE_HEIGHT = 15.0  # points per line of the default 11 pt font


def _fit_rows(ws: Any, letter: str, first: int, last: int) -> None:
    """Row heights for the wrapped text of a column: LibreOffice keeps a row one line high
    when the file does not say, and the lines then print over the next row."""
    import math

    width = ws.column_dimensions[letter].width or DEFAULT_WIDTH
    for row in range(first, last + 1):
        text = ws[f"{letter}{row}"].value
        if not isinstance(text, str):
            continue
        lines = sum(max(1, math.ceil(len(part) * 0.95 / width)) for part in text.split("\n"))
        if lines > 1:
            ws.row_dimensions[row].height = LINE_HEIGHT * lines


def _group_indexes(criteria: list) -> set[int]:
    """Criteria that have children (`2` before `2.1`, or before `a)`): their score is a sum."""
    groups: set[int] = set()
    last_numbered: int | None = None
    for i, c in enumerate(criteria):
        if c.stt.endswith(")"):
            if last_numbered is not None:
                groups.add(last_numbered)
            continue
        for j, other in enumerate(criteria[:i]):
            if c.stt.startswith(other.stt + "."):
                groups.add(j)
        last_numbered = i
    return groups


def _number(value: Any) -> int | float:
    """A Decimal as the number Excel stores (an int when whole, so `20` not `20.0`)."""
    return int(value) if value == value.to_integral_value() else float(value)


GUIDE: tuple[tuple[str, str], ...] = (
    ("Thông tin", "Thông tin chung của văn bản. Mỗi dòng một mã (cột Mã, không sửa); ghi "
     "giá trị vào cột Giá trị. Các dòng tô vàng và ghi \"(bắt buộc)\" phải điền. Để trống "
     "\"so\" để văn thư điền khi đăng ký, để trống \"ngay\" để điền tay. \"nam\" là năm báo "
     "cáo (ví dụ 2021); \"ky_hieu\" viết hoa, không dấu cách (ví dụ SLĐTBXH). "
     "\"quyen_han_ky\" là TM., Q., KT., TL. hoặc TUQ. rồi đến chức vụ người đứng đầu (ví "
     "dụ KT. GIÁM ĐỐC; một mình KT. là chưa đủ). "
     "\"giai_doan\" dạng 2019-2021, cần khi có trang Chỉnh lý."),
    ("Căn cứ", "Các văn bản làm căn cứ báo cáo, mỗi văn bản một dòng, ví dụ: Quyết định số "
     "2991/QĐ-UBND ngày 24/8/2021 của UBND tỉnh về ... Có thể để trống."),
    ("Văn bản", "Số lượng văn bản theo nhóm: chọn Nhóm trong danh sách (Văn bản đi, Văn bản "
     "đến, Văn bản mật đi, Văn bản mật đến), ghi Loại văn bản và Số lượng (số nguyên, ví dụ "
     "8.800). Cần ít nhất một dòng. Báo cáo tự cộng tổng từng nhóm."),
    ("Chấm điểm", ""),  # said by `_scoring_note`, from the rules the starter is made with
    ("Chỉnh lý", "Kết quả kế hoạch chỉnh lý tài liệu, mỗi năm một dòng: mét tài liệu theo kế "
     "hoạch, đã chỉnh lý, nộp lưu, tồn đọng; kinh phí tính bằng triệu đồng. Số thập phân "
     "dùng dấu phẩy (143,63). Ô để trống là không báo cáo. Có dòng nào thì phải điền "
     "ke_hoach_chinh_ly ở trang Thông tin. Không có kế hoạch thì để trống cả trang."),
    ("Nội dung", "Các đoạn văn của đơn vị, mỗi đoạn một dòng, theo thứ tự. Chọn Mục: Triển "
     "khai (I.1), Chỉnh lý (II.1), Tồn tại (III.1), Nguyên nhân (III.2), Giải pháp (III.3), "
     "Kiến nghị (IV), Phương hướng (V). Dấu - hoặc + ở đầu đoạn được giữ làm gạch đầu dòng."),
    ("Nơi nhận", "Mỗi nơi nhận một dòng, ví dụ: Sở Nội vụ (báo cáo); dòng cuối là Lưu: VT, "
     "... Không cần gõ dấu - và dấu ; (báo cáo tự thêm)."),
)


def _scoring_note(rules: Rules) -> str:
    """How to fill `Chấm điểm`, true to the rules: criteria pre-filled only if they have any."""
    by_criteria = {c.part for c in rules.criteria}
    own = [p.code for p in rules.parts if p.code not in by_criteria]
    if by_criteria:
        start = ("Bảng tự chấm điểm (Phụ lục I), đã điền sẵn các phần và tiêu chí theo bộ quy "
                 "tắc. Ghi điểm từng tiêu chí vào cột Điểm tự chấm ở các ô tô vàng: từ 0 đến "
                 "điểm tối đa, không đạt thì ghi 0 (không để trống). Tiêu chí có tiêu chí con "
                 "(chữ nghiêng) và các dòng phần tô xám được cộng tự động, để trống.")
    else:
        start = ("Bảng tự chấm điểm (Phụ lục I), đã điền sẵn các phần theo bộ quy tắc; bộ quy "
                 "tắc này không có tiêu chí nên chấm theo phần.")
    if own:
        start += (f" Phần {', '.join(own)}: ghi điểm của cả phần vào ô tô vàng của dòng phần "
                  "(từ 0 đến điểm tối đa). Có thể thêm các tiêu chí của đơn vị dưới dòng phần "
                  "(STT 1, 2, 2.1…, có Điểm tối đa và Điểm tự chấm); khi đó điểm phần được "
                  "cộng từ tiêu chí và ô của dòng phần để trống.")
    return start + (" Điểm cộng và điểm trừ là ô nhập như các phần khác; điểm trừ ghi số "
                    "dương. Không sửa STT và Điểm tối đa.")


def _guide(wb: Any, rules: Rules) -> None:
    """The `Hướng dẫn` sheet: for people only, the reader ignores it."""
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = wb[GUIDE_SHEET] if GUIDE_SHEET in wb.sheetnames else wb.create_sheet(GUIDE_SHEET)
    wb.move_sheet(ws, offset=-wb.index(ws))  # first: what a clerk sees on opening
    wb.active = 0
    fill = PatternFill("solid", start_color=HEADER_FILL, end_color=HEADER_FILL)
    top = Alignment(vertical="top", wrap_text=True)
    ws["A1"] = "Trang tính"
    ws["B1"] = "Cách điền"
    for cell in (ws["A1"], ws["B1"]):
        cell.font = Font(bold=True)
        cell.fill = fill
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 100
    shipped = rules.id in shipped_rules() and rules.source == f"{rules.id}.toml"
    if shipped:
        option = "" if rules.id == DEFAULT_RULES else f" --rules {rules.id}"
    else:
        option = f" --rules {rules.source}"
    listed = {spec.name for spec in contract.SHEETS if spec.key in NOTES}
    rows = [(sheet, (text or _scoring_note(rules))
             + (" Ghi vào các dòng tô vàng; cần thêm dòng thì ghi tiếp xuống dưới."
                if sheet in listed else "")) for sheet, text in GUIDE]
    rows += [
            ("Quy tắc", f"Bộ quy tắc chấm điểm: {rules.id} — {rules.title}. Xếp loại: "
             + "; ".join(f"{b.name} từ {format_score(b.low)} điểm" for b in rules.bands)
             + ". Phần: " + "; ".join(
                 f"{p.code} {KIND_LABELS[p.kind]}"
                 + (f" tối đa {format_score(p.max)}" if p.max is not None else "")
                 for p in rules.parts) + "."),
            ("Kiểm tra", "Điền xong, lưu tệp (.xlsx; LibreOffice lưu .ods, Excel 97-2003 lưu "
             ".xls: cũng đọc được) rồi chạy: baocao validate TÊN_TỆP.xlsx"
             f"{option} — chương trình chỉ ra từng ô còn thiếu hoặc sai. Hợp lệ thì chạy "
             f"baocao build TÊN_TỆP.xlsx{option} để lập báo cáo Word. Trang Hướng dẫn này "
             "không được đọc, có thể giữ hoặc xóa.")]
    for i, (sheet, text) in enumerate(rows, 2):
        ws.cell(row=i, column=1, value=sheet).alignment = top
        ws.cell(row=i, column=1).font = Font(bold=True)
        ws.cell(row=i, column=2, value=text).alignment = top
    _fit_rows(ws, "B", 2, len(rows) + 1)
    ws.freeze_panes = "A2"


# ---------------------------------------------------------------- the roster (batch --don-vi)

ROSTER_GROUPS = ("Sở, ban, ngành", "UBND cấp xã", "Cơ quan, tổ chức khác")
ROSTER_GUIDE = (
    ("Đơn vị", "Mỗi dòng một cơ quan, đơn vị, địa phương phải nộp báo cáo. \"Cơ quan\" (bắt "
     "buộc): tên như đơn vị ghi ở mã co_quan trong sổ Excel của mình; so khớp không phân biệt "
     "hoa/thường, dấu và khoảng trắng. \"Ký hiệu\" (nên có): chữ viết tắt như mã ky_hieu của "
     "đơn vị; khi ký hiệu chỉ thuộc một đơn vị thì khớp theo ký hiệu, nhiều đơn vị chung ký "
     "hiệu (như UBND) thì khớp theo tên. \"Cấp\": nhóm để thống kê (chọn trong danh sách hoặc "
     "gõ nhóm khác). \"Ghi chú\": tùy ý."),
    ("Dùng", "Lưu tệp (.xlsx) rồi chạy: baocao batch THƯ_MỤC_SỔ -o THƯ_MỤC_KẾT_QUẢ --don-vi "
     "TÊN_TỆP.xlsx — tong-hop.xlsx có thêm trang \"Chưa nộp\" và \"Theo cấp\"."),
)


def roster_bytes() -> bytes:
    """An empty roster for `batch --don-vi` (sheet `Đơn vị`), with its own guide."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    guide = wb.active
    guide.title = GUIDE_SHEET
    guide.append(["Trang tính", "Cách điền"])
    for row in ROSTER_GUIDE:
        guide.append(list(row))
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    guide.column_dimensions["A"].width = 14
    guide.column_dimensions["B"].width = 100
    spec = contract.DON_VI
    ws = wb.create_sheet(spec.name)
    _header(ws, spec)
    _column_format(ws, spec, "ky_hieu", TEXT_FORMAT)
    _drop_down(ws, spec, "cap", list(ROSTER_GROUPS), strict=False,
               prompt="Chọn nhóm trong danh sách hoặc gõ nhóm khác.")
    wb.active = 1
    wb.properties.creator = "baocao"
    wb.properties.title = "Danh sách cơ quan, đơn vị nộp báo cáo công tác văn thư, lưu trữ"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_roster(path: Path, *, force: bool = False) -> None:
    """Write the empty roster to `path`, atomically; never over a file without `force`."""
    _refuse_existing(path, force)
    blob = roster_bytes()
    write_atomic(path, lambda fh: fh.write(blob))
