"""A corpus of broken workbooks: each names its code and the cell a clerk has to fix.

Every case starts from the factory's valid unit, changes one thing, writes a real .xlsx
and checks that `check` reports exactly that problem at exactly that place, and that
`build` writes nothing for it (warnings only: the report is still written). Files that
are not workbooks at all follow: one Vietnamese message naming the file, exit 1, no
traceback, whatever the bytes.
"""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from factory import Sheets, info_cell, set_info, unit_sheets, write_book
from typer.testing import CliRunner

from baocao_cli.api import build, check
from baocao_cli.cli import app
from baocao_cli.issues import Issue, where
from baocao_cli.read.guards import MAX_UNCOMPRESSED

# ---------------------------------------------------------------- editing helpers
# Rows are Excel rows: the factory writes the header in row 1 and nothing above it.


def put(sheet: str, ref: str, value: Any) -> Callable[[Sheets], None]:
    """An edit that writes `value` at `ref` (e.g. "C2") of `sheet`."""
    col = ord(ref[0]) - ord("A")
    row = int(ref[1:]) - 1

    def edit(sheets: Sheets) -> None:
        rows = sheets[sheet]
        while len(rows) <= row:
            rows.append([])
        cells = rows[row]
        while len(cells) <= col:
            cells.append(None)
        cells[col] = value

    return edit


def info(key: str, value: Any) -> Callable[[Sheets], None]:
    return lambda sheets: set_info(sheets, key, value)


def append(sheet: str, row: list[Any]) -> Callable[[Sheets], None]:
    return lambda sheets: sheets[sheet].append(row)


def insert(sheet: str, excel_row: int, row: list[Any]) -> Callable[[Sheets], None]:
    return lambda sheets: sheets[sheet].insert(excel_row - 1, row)


def drop_sheet(sheet: str) -> Callable[[Sheets], None]:
    return lambda sheets: sheets.pop(sheet)


def drop_row(sheet: str, excel_row: int) -> Callable[[Sheets], None]:
    return lambda sheets: sheets[sheet].pop(excel_row - 1)


def both(*edits: Callable[[Sheets], Any]) -> Callable[[Sheets], None]:
    def edit(sheets: Sheets) -> None:
        for e in edits:
            e(sheets)
    return edit


def copy_sheet_as(source: str, name: str) -> Callable[[Sheets], None]:
    return lambda sheets: sheets.__setitem__(name, [list(r) for r in sheets[source]])


def rename_sheet(old: str, new: str) -> Callable[[Sheets], None]:
    def edit(sheets: Sheets) -> None:
        items = [(new if k == old else k, v) for k, v in sheets.items()]
        sheets.clear()
        sheets.update(items)
    return edit


def no_luu(sheets: Sheets) -> None:
    sheets["Nơi nhận"] = [r for r in sheets["Nơi nhận"] if not str(r[0]).startswith("Lưu")]


# Workbook-level edits that the sheets dict cannot express (openpyxl after writing).
WorkbookEdit = Callable[[openpyxl.Workbook], None]


def hide_row(sheet: str, row: int) -> WorkbookEdit:
    def edit(wb: openpyxl.Workbook) -> None:
        wb[sheet].row_dimensions[row].hidden = True
    return edit


def hide_sheet(sheet: str) -> WorkbookEdit:
    def edit(wb: openpyxl.Workbook) -> None:
        wb[sheet].sheet_state = "hidden"
    return edit


def merge(sheet: str, cells: str) -> WorkbookEdit:
    def edit(wb: openpyxl.Workbook) -> None:
        wb[sheet].merge_cells(cells)
    return edit


@dataclass(frozen=True)
class Case:
    id: str
    edit: Callable[[Sheets], Any]
    code: str
    where: str  # "Sheet!A1", "Sheet, mã key" or "Sheet" (issues.where)
    after: WorkbookEdit | None = None
    also: tuple[str, ...] = ()  # further error codes the same slip rightly causes


def nothing(sheets: Sheets) -> None:
    return None


TT, VB, CD, CL, ND, NN, CC = ("Thông tin", "Văn bản", "Chấm điểm", "Chỉnh lý", "Nội dung",
                              "Nơi nhận", "Căn cứ")
S = unit_sheets()  # for locating keys (info_cell); never edited

# Layout of unit_sheets(): Chấm điểm rows 2 I, 3 "1", 4 "2" (group), 5 "2.1", 6 "2.2",
# 7 II, 8 III, 9 IV, 10 V; columns A STT, C Điểm tối đa, D Điểm tự chấm.
# Chỉnh lý rows 2 (2020), 3 (2021); columns A Năm, B Kế hoạch, C Đã chỉnh lý, D Kinh phí
# tỉnh, E Kinh phí đơn vị, F Nộp lưu, G Tồn đọng. Văn bản rows 2–4, C Số lượng.

ERRORS: list[Case] = [
    # structure: sheets, headers, keys
    Case("missing-sheet-van-ban", drop_sheet(VB), "E101", VB),
    Case("missing-sheet-cham-diem", drop_sheet(CD), "E101", CD),
    Case("missing-sheet-thong-tin", drop_sheet(TT), "E101", TT,
         also=("E104", "E403")),
    Case("duplicate-sheet-folded", copy_sheet_as(TT, "THONG TIN"), "E102", "THONG TIN"),
    Case("duplicate-sheet-underscore", copy_sheet_as(VB, "van_ban"), "E102", "van_ban"),
    Case("missing-header-so-luong", put(VB, "C1", "SL"), "E103", VB),
    Case("missing-header-stt", put(CD, "A1", "Số TT"), "E103", CD),
    Case("missing-key-co-quan", info("co_quan", None), "E104", f"{TT}, mã co_quan"),
    Case("missing-key-nam", info("nam", None), "E104", f"{TT}, mã nam"),
    Case("blank-required-value", info("nguoi_ky", ""), "E106",
         f"{TT}!{info_cell(S, 'nguoi_ky')}"),
    Case("duplicate-key", append(TT, ["nam", 2021, ""]), "E105", f"{TT}!A{len(S[TT]) + 1}"),
    Case("duplicate-key-folded", append(TT, ["NGUOI_KY", "Lê Văn B", ""]), "E105",
         f"{TT}!A{len(S[TT]) + 1}"),
    Case("van-ban-no-rows", lambda s: s.__setitem__(VB, s[VB][:1]), "E107", VB),
    # numbers, integers, dates
    Case("number-abc", put(VB, "C2", "abc"), "E201", f"{VB}!C2"),
    Case("number-with-unit", put(CL, "B2", "12 mét"), "E201", f"{CL}!B2"),
    Case("number-two-dots", put(CL, "D2", "1.2.3"), "E201", f"{CL}!D2"),
    Case("score-not-number", put(CD, "D3", "tám"), "E201", f"{CD}!D3"),
    Case("integer-fraction-count", put(VB, "C3", 12.5), "E202", f"{VB}!C3"),
    Case("integer-fraction-text", put(VB, "C3", "12,5"), "E202", f"{VB}!C3"),
    Case("integer-fraction-nam", info("nam", 2021.5), "E202", f"{TT}!{info_cell(S, 'nam')}"),
    Case("negative-count", put(VB, "C2", -5), "E203", f"{VB}!C2"),
    Case("negative-count-text", put(VB, "C2", "-5"), "E203", f"{VB}!C2"),
    Case("negative-length", put(CL, "B2", -10), "E203", f"{CL}!B2"),
    Case("negative-money", put(CL, "D2", -50), "E203", f"{CL}!D2"),
    Case("negative-score", put(CD, "D3", -1), "E203", f"{CD}!D3"),
    Case("date-words", info("ngay", "hôm qua"), "E204", f"{TT}!{info_cell(S, 'ngay')}"),
    Case("date-impossible", info("ngay", "31/02/2021"), "E204",
         f"{TT}!{info_cell(S, 'ngay')}"),
    Case("date-month-13", info("ngay", "2021-13-01"), "E204", f"{TT}!{info_cell(S, 'ngay')}"),
    Case("formula-no-cached-value", put(VB, "C2", "=100+20"), "E205", f"{VB}!C2"),
    Case("formula-in-info", info("nam", "=2020+1"), "E205", f"{TT}!{info_cell(S, 'nam')}"),
    Case("excel-error-value", put(VB, "C2", "#DIV/0!"), "E206", f"{VB}!C2"),
    # Thông tin value rules
    Case("nam-below-range", info("nam", 1999), "E207", f"{TT}!{info_cell(S, 'nam')}"),
    Case("nam-above-range", info("nam", 2101), "E207", f"{TT}!{info_cell(S, 'nam')}"),
    Case("ky-hieu-lower-space", info("ky_hieu", "ubnd xa"), "E208",
         f"{TT}!{info_cell(S, 'ky_hieu')}"),
    Case("ky-hieu-trailing-dash", info("ky_hieu", "UBND-"), "E208",
         f"{TT}!{info_cell(S, 'ky_hieu')}"),
    Case("quyen-han-ky-prefix", info("quyen_han_ky", "Chủ tịch"), "E209",
         f"{TT}!{info_cell(S, 'quyen_han_ky')}"),
    Case("giai-doan-form", info("giai_doan", "2020/2021"), "E210",
         f"{TT}!{info_cell(S, 'giai_doan')}"),
    Case("giai-doan-reversed", info("giai_doan", "2021-2020"), "E210",
         f"{TT}!{info_cell(S, 'giai_doan')}"),
    Case("nhom-unknown", put(VB, "A2", "Văn bản nội bộ"), "E211", f"{VB}!A2"),
    Case("muc-unknown", put(ND, "A2", "Mở đầu"), "E212", f"{ND}!A2"),
    Case("so-zero", info("so", 0), "E213", f"{TT}!{info_cell(S, 'so')}"),
    Case("van-ban-row-without-nhom", put(VB, "A3", None), "E215", f"{VB}!A3"),
    Case("chinh-ly-row-without-year", put(CL, "A3", None), "E215", f"{CL}!A3"),
    # Chấm điểm
    Case("item-before-part", insert(CD, 2, ["1", "Tiêu chí lạc", 1, 1, ""]), "E301", f"{CD}!A2"),
    Case("stt-bad-form", put(CD, "A3", "x1"), "E302", f"{CD}!A3"),
    Case("duplicate-stt", insert(CD, 7, ["2.2", "Lặp", 6, 5.5, ""]), "E303", f"{CD}!A7"),
    Case("duplicate-stt-number-vs-text", insert(CD, 7, [2.2, "Lặp", 6, 5.5, ""]), "E303",
         f"{CD}!A7"),
    Case("duplicate-part", append(CD, ["II", "Nghiệp vụ văn thư", 40, 30, ""]), "E304",
         f"{CD}!A11"),
    Case("blank-leaf-score", put(CD, "D3", None), "E305", f"{CD}!D3"),
    Case("item-above-max", put(CD, "D3", 11), "E306", f"{CD}!D3"),
    Case("sub-item-above-max", put(CD, "D5", 4.5), "E306", f"{CD}!D5"),
    Case("group-max-not-sum", put(CD, "C4", 12), "E307", f"{CD}!C4"),
    Case("group-score-above-children", put(CD, "D4", 11), "E308", f"{CD}!D4"),
    Case("part-max-differs-from-rules", put(CD, "C7", 45), "E309", f"{CD}!C7"),
    Case("part-score-above-max", put(CD, "D7", 41), "E310", f"{CD}!D7"),
    Case("bonus-above-max", put(CD, "D9", 6), "E310", f"{CD}!D9"),
    Case("part-items-above-max",
         both(put(CD, "C7", None), insert(CD, 8, ["1", "Văn thư", 45, 45, ""])), "E310",
         f"{CD}!D7", also=("E311",)),
    Case("part-score-not-items-sum", put(CD, "D2", 18), "E311", f"{CD}!D2"),
    Case("missing-scored-part", drop_row(CD, 8), "E312", CD),
    Case("declared-rating-differs", info("tu_xep_loai", "Tốt"), "E313",
         f"{TT}!{info_cell(S, 'tu_xep_loai')}"),
    Case("leaf-max-blank", put(CD, "C3", None), "E314", f"{CD}!C3"),
    Case("part-without-score-or-items", put(CD, "D7", None), "E315", f"{CD}!D7"),
    Case("rating-not-a-band", info("tu_xep_loai", "Giỏi"), "E316",
         f"{TT}!{info_cell(S, 'tu_xep_loai')}"),
    # Chỉnh lý
    Case("duplicate-year", append(CL, [2021, 1, 1, None, None, None, None, ""]), "E401",
         f"{CL}!A4"),
    Case("year-outside-period", info("giai_doan", "2021-2022"), "E402", f"{CL}!A2"),
    Case("year-out-of-range", put(CL, "A2", 1800), "E207", f"{CL}!A2"),
    Case("plan-rows-without-plan", info("ke_hoach_chinh_ly", None), "E403",
         f"{TT}, mã ke_hoach_chinh_ly"),
]

WARNINGS: list[Case] = [
    Case("unknown-key", append(TT, ["ma_la", "giá trị", ""]), "W101", f"{TT}!A{len(S[TT]) + 1}"),
    Case("unknown-column", put(VB, "E1", "Cột thêm"), "W102", f"{VB}!E1"),
    Case("hidden-row", nothing, "W103", f"{VB}!A3", after=hide_row(VB, 3)),
    Case("hidden-sheet", nothing, "W104", CC, after=hide_sheet(CC)),
    Case("number-intl-decimal", put(CL, "D2", "722.7"), "W201", f"{CL}!D2"),
    Case("number-ambiguous-comma", put(CL, "F2", "4,714"), "W202", f"{CL}!F2"),
    Case("number-trailing-dot", put(CL, "D2", "705."), "W203", f"{CL}!D2"),
    # Excel saves a control character as `_x0007_` (XML cannot carry it); openpyxl reads
    # that back escaped, so the escape is what a real file brings.
    Case("control-character", put(CC, "A2", "Quyết định_x0007_ số 2991"), "W204", f"{CC}!A2"),
    Case("legacy-tcvn3", put(CC, "A3", "Tr\u00adêng THCS"), "W205", f"{CC}!A3"),
    Case("legacy-vni", put(ND, "B6", "Tröôøng hoïc"), "W205", f"{ND}!B6"),
    Case("duplicate-loai-in-group", append(VB, ["Văn bản đi", "Báo cáo", 5, ""]), "W301",
         f"{VB}!B5"),
    Case("arranged-above-plan", put(CL, "C2", 11), "W401", f"{CL}!C2"),
    Case("no-luu-recipient", no_luu, "W501", NN),
]


def write_case(path: Path, case: Case) -> Path:
    sheets = unit_sheets()
    case.edit(sheets)
    write_book(path, sheets)
    if case.after is not None:
        wb = openpyxl.load_workbook(path)
        case.after(wb)
        wb.save(path)
    return path


def place(i: Issue) -> str:
    """An issue's place as `sheet!cell`, or `sheet, mã key` (a message adds a key's field)."""
    return where(i.sheet, i.cell, None if i.cell else i.key)


def located(issues: list[Issue], code: str) -> list[str]:
    return [place(i) for i in issues if i.code == code]


def test_the_corpus_is_large_and_covers_distinct_slips() -> None:
    assert len(ERRORS) + len(WARNINGS) >= 40
    ids = [c.id for c in ERRORS + WARNINGS]
    assert len(ids) == len(set(ids))


def test_the_unedited_unit_is_valid(tmp_path: Path) -> None:
    """The baseline: every case below differs from a workbook with no issue at all."""
    checked = check(write_book(tmp_path / "ok.xlsx", unit_sheets()))
    assert checked.issues == []


@pytest.mark.parametrize("case", ERRORS, ids=lambda c: c.id)
def test_error_is_located_and_nothing_is_written(tmp_path: Path, case: Case) -> None:
    path = write_case(tmp_path / "don-vi.xlsx", case)
    checked = check(path)
    assert case.where in located(checked.issues, case.code), [i.message for i in checked.issues]
    assert {i.code for i in checked.errors} <= {case.code, *case.also}, \
        [i.message for i in checked.errors]
    hit = next(i for i in checked.issues
               if i.code == case.code and place(i) == case.where)
    assert hit.severity == "error"
    assert hit.message.startswith(f"{where(hit.sheet, hit.cell, hit.key)}: "), hit.message
    assert hit.message.startswith(case.where), hit.message
    out = tmp_path / "bao-cao.docx"
    built = build(path, out)
    assert built.output is None
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["don-vi.xlsx"]


@pytest.mark.parametrize("case", WARNINGS, ids=lambda c: c.id)
def test_warning_is_located_and_does_not_block(tmp_path: Path, case: Case) -> None:
    path = write_case(tmp_path / "don-vi.xlsx", case)
    checked = check(path)
    assert case.where in located(checked.issues, case.code), [i.message for i in checked.issues]
    assert checked.errors == [], [i.message for i in checked.errors]
    hit = next(i for i in checked.issues if i.code == case.code)
    assert hit.severity == "warning"
    assert hit.message.startswith(f"{case.where}: "), hit.message
    out = tmp_path / "bao-cao.docx"
    assert build(path, out).output == out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bao-cao.docx", "don-vi.xlsx"]


# ---------------------------------------------------------------- messages say what and where

def _one(path: Path, code: str) -> Issue:
    return next(i for i in check(path).issues if i.code == code)


def test_declared_rating_message_gives_the_computed_total_and_rating(tmp_path: Path) -> None:
    sheets = set_info(unit_sheets(), "tu_xep_loai", "Xuất sắc")
    issue = _one(write_book(tmp_path / "x.xlsx", sheets), "E313")
    assert "Xuất sắc" in issue.message
    assert "74,75" in issue.message and "\"Khá\"" in issue.message


def test_number_warnings_say_how_the_text_was_read(tmp_path: Path) -> None:
    sheets = unit_sheets()
    put(CL, "D2", "722.7")(sheets)
    put(CL, "F2", "4,714")(sheets)
    put(CL, "E3", "705.")(sheets)
    checked = check(write_book(tmp_path / "x.xlsx", sheets))
    by_code = {i.code: i.message for i in checked.issues}
    assert "\"722.7\"" in by_code["W201"] and "722,7" in by_code["W201"]
    assert "\"4,714\"" in by_code["W202"] and "4,714" in by_code["W202"] \
        and "4.714" in by_code["W202"]
    assert "\"705.\"" in by_code["W203"] and "705" in by_code["W203"]
    row = checked.report.arrangement[0]
    assert str(row.fund_province) == "722.7"
    assert str(row.handed_over) == "4.714"
    assert str(checked.report.arrangement[1].fund_unit) == "705"


def test_every_problem_of_one_workbook_is_listed_in_one_run(tmp_path: Path) -> None:
    """Parsing goes on after a problem, so a clerk fixes everything in one pass."""
    sheets = unit_sheets()
    for edit in (put(VB, "C2", "abc"), put(CL, "B2", -1), info("ngay", "31/02/2021"),
                 info("ky_hieu", "ubnd"), put(CD, "D3", 11)):
        edit(sheets)
    found = {(i.code, place(i))
             for i in check(write_book(tmp_path / "x.xlsx", sheets)).errors}
    assert found >= {("E201", f"{VB}!C2"), ("E203", f"{CL}!B2"),
                     ("E204", f"{TT}!{info_cell(S, 'ngay')}"),
                     ("E208", f"{TT}!{info_cell(S, 'ky_hieu')}"), ("E306", f"{CD}!D3")}


# ---------------------------------------------------------------- loose matching that is valid

def test_header_below_title_rows_is_found(tmp_path: Path) -> None:
    titles = {VB: [["BẢNG SỐ LIỆU VĂN BẢN NĂM 2021"], ["(đơn vị: văn bản)"]],
              CD: [["PHỤ LỤC I"], [], ["Bảng tự chấm điểm"]]}
    path = write_book(tmp_path / "x.xlsx", unit_sheets(), title_rows=titles)
    checked = check(path)
    assert checked.issues == []
    assert checked.scores is not None and str(checked.scores.total) == "74.75"
    assert sum(d.count for d in checked.report.documents) == 1665
    # and the locations follow the shift: row 2 of the data is now Excel row 4
    sheets = unit_sheets()
    put(VB, "C2", "abc")(sheets)
    bad = check(write_book(tmp_path / "y.xlsx", sheets, title_rows=titles))
    assert located(bad.issues, "E201") == [f"{VB}!C4"]


def test_sheet_names_and_headers_match_loosely(tmp_path: Path) -> None:
    sheets = unit_sheets()
    for old, new in ((TT, "THONG TIN"), (VB, "van_ban"), (CD, "Cham-diem")):
        rename_sheet(old, new)(sheets)
    sheets["van_ban"][0] = ["LOẠI VĂN BẢN", "Số lượng (văn bản)", "nhom", "Ghi chú"]
    sheets["van_ban"][1:] = [[r[1], r[2], r[0], r[3]] for r in sheets["van_ban"][1:]]
    checked = check(write_book(tmp_path / "x.xlsx", sheets))
    assert checked.issues == []
    assert checked.report.sheet("van_ban") == "van_ban"


def test_merged_title_above_the_header_is_not_a_column(tmp_path: Path) -> None:
    titles = {CL: [["KẾT QUẢ CHỈNH LÝ TÀI LIỆU"]]}
    path = write_book(tmp_path / "x.xlsx", unit_sheets(), title_rows=titles)
    wb = openpyxl.load_workbook(path)
    wb[CL].merge_cells("A1:H1")
    wb.save(path)
    assert check(path).issues == []


def test_merged_cell_value_belongs_to_its_top_left_cell(tmp_path: Path) -> None:
    """`Nhóm` merged down over two rows: the second row has no Nhóm of its own."""
    sheets = unit_sheets()
    put(VB, "A3", None)(sheets)
    path = write_book(tmp_path / "x.xlsx", sheets)
    wb = openpyxl.load_workbook(path)
    wb[VB].merge_cells("A2:A3")
    wb.save(path)
    checked = check(path)
    assert [(i.code, i.cell) for i in checked.errors] == [("E215", "A3")]
    assert "Nhóm" in checked.errors[0].message


def test_blank_rows_are_skipped_and_reading_goes_past_them(tmp_path: Path) -> None:
    sheets = unit_sheets()
    sheets[VB][3:3] = [[], [None, "", None, "  "]]
    checked = check(write_book(tmp_path / "x.xlsx", sheets))
    assert checked.issues == []
    assert sum(d.count for d in checked.report.documents) == 1665


def test_score_stt_typed_as_number_or_text_is_the_same_item(tmp_path: Path) -> None:
    sheets = unit_sheets()
    put(CD, "A5", 2.1)(sheets)
    put(CD, "A6", "2.2.")(sheets)
    put(CD, "A3", 1)(sheets)
    checked = check(write_book(tmp_path / "x.xlsx", sheets))
    assert checked.issues == []
    assert str(checked.scores.total) == "74.75"


# ---------------------------------------------------------------- files that are not workbooks

def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


LAUGHS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
          + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
          + "]>\n")


def _body(xml: bytes) -> str:
    """The XML without its declaration (openpyxl writes sheets without one)."""
    text = xml.decode("utf-8")
    return text.split("?>", 1)[1].lstrip() if text.startswith("<?xml") else text


def _laughs(xml: bytes, inside: bytes, at: bytes) -> bytes:
    assert at in xml
    return LAUGHS.encode() + _body(xml).encode().replace(at, at + inside, 1)


def _valid(tmp: Path) -> Path:
    return write_book(tmp / "valid-source.xlsx", unit_sheets())


def make_empty(tmp: Path) -> Path:
    (p := tmp / "rong.xlsx").write_bytes(b"")
    return p


def make_not_zip(tmp: Path) -> Path:
    (p := tmp / "nhi-phan.xlsx").write_bytes(bytes(range(256)) * 4)
    return p


def make_csv(tmp: Path) -> Path:
    (p := tmp / "bang.xlsx").write_text("Nhóm;Loại văn bản;Số lượng\nVăn bản đi;Báo cáo;45\n",
                                        encoding="utf-8")
    return p


def make_zip_without_workbook(tmp: Path) -> Path:
    return _zip(tmp / "nen.xlsx", {"word/document.xml": b"<w:document/>", "a.txt": b"hi"})


def make_xls(tmp: Path) -> Path:
    # The OLE2 signature of every Excel 97-2003 workbook, then empty sectors: no container.
    (p := tmp / "cu.xlsx").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(4088))
    return p


def make_encrypted(tmp: Path) -> Path:
    # An encrypted .xlsx is an OLE2 container with an "EncryptionInfo" stream, whose
    # directory entry stores the name in UTF-16LE.
    entry = "EncryptionInfo".encode("utf-16-le").ljust(64, b"\0")
    blob = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504) + entry + bytes(3520)
    (p := tmp / "mat-khau.xlsx").write_bytes(blob)
    return p


def make_truncated(tmp: Path) -> Path:
    data = _valid(tmp).read_bytes()
    (p := tmp / "cat-cut.xlsx").write_bytes(data[: len(data) // 2])
    return p


def make_corrupt_member(tmp: Path) -> Path:
    src = _valid(tmp)
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(src.read_bytes())
    # the member's compressed bytes start after its 30-byte local header and name
    start = info.header_offset + 30 + len(info.filename)
    for i in range(start + 8, start + min(info.compress_size, 64)):
        data[i] ^= 0x5A
    (p := tmp / "hong.xlsx").write_bytes(bytes(data))
    return p


def make_garbage_workbook_xml(tmp: Path) -> Path:
    members = _members(_valid(tmp))
    members["xl/workbook.xml"] = b"this is not xml at all"
    return _zip(tmp / "xml-hong.xlsx", members)


def make_laughs_in_workbook(tmp: Path) -> Path:
    members = _members(_valid(tmp))
    members["xl/workbook.xml"] = _laughs(members["xl/workbook.xml"], b"&lol9;", b'name="')
    return _zip(tmp / "cuoi-1.xlsx", members)


def make_laughs_in_sheet(tmp: Path) -> Path:
    members = _members(_valid(tmp))
    cell = b'<row r="99"><c r="A99" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    members["xl/worksheets/sheet1.xml"] = _laughs(members["xl/worksheets/sheet1.xml"], cell,
                                                  b"<sheetData>")
    return _zip(tmp / "cuoi-2.xlsx", members)


def make_external_entity(tmp: Path) -> Path:
    members = _members(_valid(tmp))
    xml = _body(members["xl/worksheets/sheet3.xml"])
    members["xl/worksheets/sheet3.xml"] = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + xml.replace("<sheetData>", '<sheetData><row r="99"><c r="A99" t="inlineStr"><is>'
                      "<t>&xxe;</t></is></c></row>", 1)).encode()
    return _zip(tmp / "xxe.xlsx", members)


def make_bomb(tmp: Path) -> Path:
    """A real .xlsx plus one member that inflates far beyond the cap (a few hundred KB)."""
    p = tmp / "bom.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in _members(_valid(tmp)).items():
            zf.writestr(name, data)
        with zf.open("xl/media/anh.bin", "w", force_zip64=True) as fh:
            chunk = bytes(1 << 20)
            for _ in range(MAX_UNCOMPRESSED // len(chunk) + 8):
                fh.write(chunk)
    return p


def make_ratio_bomb(tmp: Path) -> Path:
    """Below the total cap but one member inflates 1000:1 to 20 MB: refused as well."""
    members = _members(_valid(tmp))
    members["xl/worksheets/sheet2.xml"] = b"<" + bytes(20 * 1024 * 1024)
    return _zip(tmp / "bom-nho.xlsx", members)


def make_missing(tmp: Path) -> Path:
    return tmp / "khong-co.xlsx"


UNUSABLE: list[tuple[str, Callable[[Path], Path], str, str]] = [
    ("empty", make_empty, "E002", "rỗng"),
    ("not-zip", make_not_zip, "E003", "không phải tệp nén ZIP"),
    ("csv-renamed", make_csv, "E003", "CSV"),
    ("zip-without-workbook", make_zip_without_workbook, "E003", "không chứa sổ Excel"),
    ("xls", make_xls, "E006", "cấu trúc tệp Office 97-2003 (OLE2) bị hỏng"),
    ("encrypted", make_encrypted, "E005", "mật khẩu"),
    ("truncated-zip", make_truncated, "E006", "cắt cụt"),
    ("corrupt-member", make_corrupt_member, "E006", "bị hỏng"),
    ("garbage-workbook-xml", make_garbage_workbook_xml, "E006", "bị hỏng"),
    ("bomb", make_bomb, "E007", "quá lớn"),
    ("ratio-bomb", make_ratio_bomb, "E007", "quá lớn"),
    ("billion-laughs-workbook", make_laughs_in_workbook, "E009", "xl/workbook.xml"),
    ("billion-laughs-sheet", make_laughs_in_sheet, "E009", "xl/worksheets/sheet1.xml"),
    ("external-entity", make_external_entity, "E009", "xl/worksheets/sheet3.xml"),
    ("missing", make_missing, "E001", "không tìm thấy"),
]

runner = CliRunner()


@pytest.mark.parametrize(("make_file", "code", "phrase"), [u[1:] for u in UNUSABLE],
                         ids=[u[0] for u in UNUSABLE])
def test_unusable_file_gets_one_message_naming_it(tmp_path: Path, make_file: Callable[
        [Path], Path], code: str, phrase: str) -> None:
    path = make_file(tmp_path)
    checked = check(path)
    assert [i.code for i in checked.issues] == [code]
    message = checked.issues[0].message
    assert message.startswith(f"{path.name}: ") and phrase in message, message
    assert checked.report is None

    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f"[{code}] {message}" in result.output

    before = sorted(p.name for p in tmp_path.iterdir())
    out = tmp_path / "bao-cao.docx"
    result = runner.invoke(app, ["build", str(path), "-o", str(out)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"[{code}] {message}" in result.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_folder_without_workbooks(tmp_path: Path) -> None:
    (tmp_path / "ghi-chu.txt").write_text("không phải sổ")
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert f"[E008] {tmp_path}: thư mục không có sổ tính nào (.xlsx, .xls, .ods)" in result.output


def test_folder_given_where_a_workbook_is_expected(tmp_path: Path) -> None:
    (tmp_path / "thu-muc.xlsx").mkdir()
    checked = check(tmp_path / "thu-muc.xlsx")
    assert [i.code for i in checked.issues] == ["E003"]
    assert "thư mục" in checked.issues[0].message


def test_bomb_is_refused_quickly_with_bounded_memory(tmp_path: Path) -> None:
    path = make_bomb(tmp_path)
    assert path.stat().st_size < MAX_UNCOMPRESSED // 100
    tracemalloc.start()
    started = time.perf_counter()
    try:
        checked = check(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 2
    assert [i.code for i in checked.issues] == ["E007"]
    assert peak < 16 * 1024 * 1024


def test_openpyxl_parses_with_defusedxml() -> None:
    """Second line of defence behind the DTD check: openpyxl's own parsers are defused."""
    import defusedxml.ElementTree
    import openpyxl.xml
    import openpyxl.xml.functions

    assert openpyxl.xml.DEFUSEDXML is True
    assert openpyxl.xml.functions.iterparse is defusedxml.ElementTree.iterparse


def test_openpyxl_alone_refuses_the_entity_attack(tmp_path: Path) -> None:
    """Even if the DTD check were bypassed, the parsers fail fast instead of expanding."""
    for make_file in (make_laughs_in_sheet, make_laughs_in_workbook):
        started = time.perf_counter()
        with pytest.raises(Exception):  # noqa: B017 - any refusal, as long as it is quick
            openpyxl.load_workbook(io.BytesIO(make_file(tmp_path).read_bytes()))
        assert time.perf_counter() - started < 2
