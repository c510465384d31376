"""The Sở Nội vụ's year with `baocao batch`: the roster (--don-vi), last year's summary
(--nam-truoc) and the review (--tham-dinh), on real workbooks written and read back."""

from __future__ import annotations

import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document
from factory import set_info, unit_sheets, write_book
from typer.testing import CliRunner

from baocao_cli.cli import app
from baocao_cli.score.rules import load_rules
from baocao_cli.summary.results import UnitResult
from baocao_cli.summary.sources import Entry, Sources, read_roster
from baocao_cli.summary.tables import build_tables

runner = CliRunner()
HOSTILE = "=HYPERLINK(\"http://x\",\"bấm\")"


def _unit(folder: Path, file: str, name: str, ky: str, ii: float, iii: float,
          year: int = 2021) -> Path:
    """A valid unit: I = 17,5, IV = 1, V = 2, so the total is ii + iii + 16,5."""
    s = unit_sheets()
    for key, value in (("co_quan", name), ("ten_co_quan", name), ("ky_hieu", ky),
                       ("nam", year), ("tu_xep_loai", None)):
        set_info(s, key, value)
    for row in s["Chấm điểm"]:
        if row[0] == "II":
            row[3] = ii
        if row[0] == "III":
            row[3] = iii
    folder.mkdir(parents=True, exist_ok=True)
    return write_book(folder / file, s)


def _roster(path: Path, rows: list[tuple[Any, ...]], header: tuple[str, ...] = (
        "Cơ quan", "Ký hiệu", "Cấp", "Ghi chú")) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Đơn vị"
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, even `=…` (openpyxl would make a formula)
    wb.save(path)
    return path


def _sheet(path: Path, name: str) -> list[list[Any]]:
    wb = openpyxl.load_workbook(path)
    return [list(r) for r in wb[name].iter_rows(values_only=True)]


def _records(path: Path, name: str) -> list[dict[str, Any]]:
    header, *rows = _sheet(path, name)
    return [dict(zip(header, r, strict=True)) for r in rows]


def _docx_text(path: Path) -> tuple[str, list[list[list[str]]]]:
    doc = Document(str(path))
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in doc.tables]
    return "\n".join(p.text for p in doc.paragraphs), tables


def _batch(*args: str) -> Any:
    return runner.invoke(app, ["batch", *args, "--jobs", "1"])


# ---------------------------------------------------------------- the year's files


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """This year's units, last year's summary as baocao wrote it, and the roster."""
    root = tmp_path_factory.mktemp("nam")
    now = root / "nop-ve"
    _unit(now, "snv.xlsx", "Sở Nội vụ", "SNV", 39, 38)  # 93,5 Xuất sắc
    _unit(now, "stc.xlsx", "SỞ TÀI CHÍNH", "STC", 30, 28.25)  # 74,75 Khá
    _unit(now, "ky-tan.xlsx", "Ủy ban nhân dân xã Kỳ Tân", "UBND", 35, 30)  # 81,5 Tốt
    _unit(now, "ky-lac.xlsx", "Uỷ ban nhân dân xã Kỳ Lạc", "UBND", 20, 20)  # 56,5 TB
    _unit(now, "syt.xlsx", "Sở Y tế", "SYT", 30, 30)  # 76,5 Khá, not on the roster
    _unit(now / "ban-sao", "stp.xlsx", "Sở Tư pháp", "STP", 30, 30)  # 76,5 Khá
    _unit(now / "ban-sao", "stp-moi.xlsx", "Sở Tư pháp tỉnh", "STP", 31, 30)  # 2nd copy
    before = root / "nop-ve-2020"
    _unit(before, "snv.xlsx", "Sở Nội vụ", "SNV", 30, 30, 2020)  # 76,5 Khá → rose
    _unit(before, "stc.xlsx", "Sở Tài chính", "STC", 30, 28.25, 2020)  # 74,75 Khá → held
    _unit(before, "ky-lac.xlsx", "UBND xã Kỳ Lạc", "UBND", 35, 30, 2020)  # 81,5 Tốt → fell
    _unit(before, "sxd.xlsx", "Sở Xây dựng", "SXD", 30, 30, 2020)  # gone since
    last = root / "ket-qua-2020"
    result = _batch(str(before), "-o", str(last))
    assert result.exit_code == 0, result.output
    roster = _roster(root / "danh-sach.xlsx", [
        ("Sở Nội vụ", "SNV", "Sở, ban, ngành", ""),
        ("Sở Tài chính", "STC", "Sở, ban, ngành", ""),
        ("Sở Tư pháp", "STP", "Sở, ban, ngành", ""),
        ("Sở Xây dựng", "SXD", "Sở, ban, ngành", "sáp nhập 2025"),
        ("UBND xã Kỳ Tân", "UBND", "UBND cấp xã", ""),
        ("Ủy ban nhân dân xã Kỳ Lạc", "UBND", "UBND cấp xã", ""),
        ("Ủy ban nhân dân xã Kỳ Hoa", "UBND", "UBND cấp xã", ""),
        (HOSTILE, "", "", ""),
    ])
    return {"root": root, "now": now, "last": last / "tong-hop.xlsx", "roster": roster}


@pytest.fixture(scope="module")
def with_roster(year: dict[str, Path]) -> tuple[Any, Path]:
    out = year["root"] / "ket-qua"
    result = _batch(str(year["now"]), "-o", str(out), "--don-vi", str(year["roster"]),
                    "--nam-truoc", str(year["last"]))
    return result, out


def test_roster_missing_units_and_strays(with_roster, year) -> None:
    result, out = with_roster
    assert result.exit_code == 1, result.output  # two workbooks for Sở Tư pháp
    missing = _records(out / "tong-hop.xlsx", "Chưa nộp")
    assert [m["Cơ quan"] for m in missing] == ["Sở Xây dựng", "Ủy ban nhân dân xã Kỳ Hoa",
                                               HOSTILE]
    assert missing[0]["Dòng trong danh sách"] == "Đơn vị!A5"
    assert missing[0]["Ghi chú"] == "sáp nhập 2025"
    stray = _records(out / "tong-hop.xlsx", "Ngoài danh sách")
    assert [s["Tệp"] for s in stray] == ["syt.xlsx"]
    assert "syt.xlsx: sổ của \"Sở Y tế\" không khớp đơn vị nào trong danh sách đơn vị " \
           "danh-sach.xlsx" in result.output
    assert "Danh sách đơn vị: 5/8 đơn vị đã nộp, 3 chưa nộp (trang \"Chưa nộp\")." \
        in result.output
    assert "So với năm trước: 1 đơn vị tăng xếp loại, 1 giảm, 1 giữ nguyên." in result.output
    rows = {r["Tệp"]: r for r in _records(out / "tong-hop.xlsx", "Tổng hợp")}
    # matched by ký hiệu (case of the name aside), by name where UBND is shared, with
    # "UBND" and "Ủy ban nhân dân" taken as one, and "Uỷ"/"Ủy" folded alike
    assert rows["stc.xlsx"]["Cấp"] == "Sở, ban, ngành"
    assert rows["ky-tan.xlsx"]["Cấp"] == "UBND cấp xã"
    assert rows["ky-lac.xlsx"]["Cấp"] == "UBND cấp xã"
    assert rows["syt.xlsx"]["Cấp"] is None


def test_two_workbooks_for_one_unit_are_both_named(with_roster) -> None:
    result, out = with_roster
    rows = {r["Tệp"]: r for r in _records(out / "tong-hop.xlsx", "Tổng hợp")}
    # the file column names each workbook below the folder that holds them all
    for name in ("ban-sao/stp.xlsx", "ban-sao/stp-moi.xlsx"):
        assert rows[name]["Hạng"] is None
        assert rows[name]["Trạng thái"] == "Trùng đơn vị, chưa xếp hạng"
    errors = [e for e in _records(out / "tong-hop.xlsx", "Đơn vị lỗi") if e["Mã lỗi"] == "E702"]
    assert {e["Tệp"] for e in errors} == {"ban-sao/stp.xlsx", "ban-sao/stp-moi.xlsx"}
    message = errors[0]["Nội dung lỗi"]
    assert "\"Sở Tư pháp\" (Đơn vị!A4 trong danh-sach.xlsx) có 2 sổ" in message
    assert "stp.xlsx" in message and "stp-moi.xlsx" in message
    assert "Lỗi: Đơn vị \"Sở Tư pháp\"" in result.output
    ranked = [r["Tệp"] for r in _records(out / "tong-hop.xlsx", "Tổng hợp") if r["Hạng"]]
    assert ranked == ["snv.xlsx", "ky-tan.xlsx", "syt.xlsx", "stc.xlsx", "ky-lac.xlsx"]


def test_ratings_per_cap(with_roster) -> None:
    _, out = with_roster
    by_cap = _records(out / "tong-hop.xlsx", "Theo cấp")
    assert by_cap[0] == {"Cấp": "Sở, ban, ngành", "Số đơn vị": 4, "Đã nộp": 3, "Chưa nộp": 1,
                         "Đã xếp loại": 2, "Xuất sắc": 1, "Tốt": 0, "Khá": 1,
                         "Trung bình": 0, "Yếu": 0}
    assert by_cap[1]["Cấp"] == "UBND cấp xã"
    assert (by_cap[1]["Số đơn vị"], by_cap[1]["Đã nộp"], by_cap[1]["Tốt"],
            by_cap[1]["Trung bình"]) == (3, 2, 1, 1)
    assert by_cap[2]["Cấp"] == "Chưa ghi cấp" and by_cap[2]["Số đơn vị"] == 1


def test_last_year_beside_this_one(with_roster) -> None:
    _, out = with_roster
    rows = {r["Cơ quan"]: r for r in _records(out / "tong-hop.xlsx", "So với năm trước")}
    snv = rows["Sở Nội vụ"]
    assert (snv["Điểm năm trước"], snv["Xếp loại năm trước"], snv["Điểm năm nay"],
            snv["Thay đổi điểm"], snv["So với năm trước"]) == (76.5, "Khá", 93.5, 17, "Tăng")
    assert rows["SỞ TÀI CHÍNH"]["So với năm trước"] == "Giữ nguyên"
    assert rows["SỞ TÀI CHÍNH"]["Thay đổi điểm"] == 0
    lac = rows["Uỷ ban nhân dân xã Kỳ Lạc"]
    assert (lac["Thay đổi điểm"], lac["So với năm trước"]) == (-25, "Giảm")
    assert rows["Ủy ban nhân dân xã Kỳ Tân"]["So với năm trước"] == "Mới"
    assert rows["Sở Xây dựng"]["So với năm trước"] == "Năm nay không có sổ"
    header = _sheet(out / "tong-hop.xlsx", "Tổng hợp")[0]
    assert header[-4:] == ["Tổng điểm năm trước", "Xếp loại năm trước", "Thay đổi điểm",
                           "So với năm trước"]


def test_consolidated_report_has_the_year(with_roster) -> None:
    _, out = with_roster
    text, tables = _docx_text(out / "tong-hop.docx")
    assert "V. TÌNH HÌNH NỘP BÁO CÁO THEO DANH SÁCH ĐƠN VỊ" in text
    assert "trong danh sách: 8; đã nộp báo cáo: 5; chưa nộp: 3." in text
    assert f"chưa nộp báo cáo: Sở Xây dựng; Ủy ban nhân dân xã Kỳ Hoa; {HOSTILE}." in text
    assert "không có trong danh sách: Sở Y tế." in text
    assert "So với năm trước: 1 đơn vị tăng xếp loại, 1 đơn vị giảm, 1 đơn vị giữ nguyên." \
        in text
    assert "năm trước chưa có: Ủy ban nhân dân xã Kỳ Tân; Sở Y tế." in text
    assert "năm nay không có báo cáo: Sở Xây dựng." in text
    assert "- stp-moi.xlsx: Đơn vị \"Sở Tư pháp\" (Đơn vị!A4 trong danh-sach.xlsx) có 2 sổ" \
        in text  # section IV: both copies of one unit, unranked
    cap = next(t for t in tables if t[0][0] == "Cấp")
    assert cap[1] == ["Sở, ban, ngành", "4", "3",
                      "Xuất sắc: 1; Tốt: 0; Khá: 1; Trung bình: 0; Yếu: 0"]
    changes = next(t for t in tables if t[0][-1] == "So với năm trước")
    assert ["1", "Sở Nội vụ", "76,5", "Khá", "93,5", "Xuất sắc", "+17", "Tăng"] in changes
    assert "Phụ lục II" in text


def test_no_formula_in_any_new_sheet(with_roster) -> None:
    _, out = with_roster
    wb = openpyxl.load_workbook(out / "tong-hop.xlsx", data_only=False)
    assert {"Chưa nộp", "Theo cấp", "Ngoài danh sách", "So với năm trước"} <= set(
        wb.sheetnames)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert HOSTILE in {c.value for c in cells}
    ws = wb["Chưa nộp"]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"


# ---------------------------------------------------------------- the review


def _fill_review(source: Path, target: Path, scores: dict[str, tuple[Any, str]]) -> Path:
    """A copy of tong-hop.xlsx with Điểm thẩm định / Ghi chú thẩm định filled by file."""
    shutil.copy(source, target)
    wb = openpyxl.load_workbook(target)
    ws = wb["Tổng hợp"]
    header = [c.value for c in ws[1]]
    score_col = header.index("Điểm thẩm định") + 1
    for row in ws.iter_rows(min_row=2):
        file = row[1].value
        if file in scores:
            ws.cell(row[0].row, score_col, scores[file][0])
            ws.cell(row[0].row, score_col + 1, scores[file][1])
    wb.save(target)
    return target


@pytest.fixture(scope="module")
def reviewed(year, with_roster) -> tuple[Any, Path]:
    _, first = with_roster
    review = _fill_review(first / "tong-hop.xlsx", year["root"] / "tham-dinh.xlsx", {
        "snv.xlsx": (80, "Thiếu kế hoạch kiểm tra"),  # 93,5 Xuất sắc → 80 Tốt
        "stc.xlsx": ("74,75", ""),  # reviewed, unchanged
        "ky-lac.xlsx": (81.5, "Tính lại phần III"),  # 56,5 → 81,5: ties Kỳ Tân
    })
    out = year["root"] / "ket-qua-tham-dinh"
    result = _batch(str(year["now"]), "-o", str(out), "--tham-dinh", str(review))
    return result, out


def test_review_decides_rank_and_rating(reviewed) -> None:
    result, out = reviewed
    assert result.exit_code == 0, result.output
    assert "Thẩm định: 3 báo cáo có điểm thẩm định, 2 đơn vị được điều chỉnh điểm." \
        in result.output
    rows = _records(out / "tong-hop.xlsx", "Tổng hợp")
    ranked = [(r["Hạng"], r["Tệp"], r["Tổng điểm"], r["Điểm thẩm định"], r["Xếp loại"])
              for r in rows if r["Hạng"]]
    assert ranked[:4] == [
        (1, "ky-lac.xlsx", 56.5, 81.5, "Tốt"),  # equal final scores share a rank (min)
        (1, "ky-tan.xlsx", 81.5, None, "Tốt"),
        (3, "snv.xlsx", 93.5, 80, "Tốt"),
        (4, "ban-sao/stp-moi.xlsx", 77.5, None, "Khá"),  # no roster: both copies are ranked
    ]
    snv = next(r for r in rows if r["Tệp"] == "snv.xlsx")
    assert snv["Ghi chú thẩm định"] == "Thiếu kế hoạch kiểm tra"
    ratings = {r["Xếp loại"]: r["Số đơn vị"] for r in _records(out / "tong-hop.xlsx",
                                                                "Xếp loại")}
    assert ratings["Xuất sắc"] == 0 and ratings["Tốt"] == 3
    adjusted = _records(out / "tong-hop.xlsx", "Thẩm định")
    assert [(a["Tệp"], a["Chênh lệch"], a["Xếp loại tự đánh giá"], a["Xếp loại cuối cùng"])
            for a in adjusted] == [("ky-lac.xlsx", 25, "Trung bình", "Tốt"),
                                   ("snv.xlsx", -13.5, "Xuất sắc", "Tốt")]


def test_review_in_the_consolidated_report(reviewed) -> None:
    _, out = reviewed
    text, tables = _docx_text(out / "tong-hop.docx")
    assert "KẾT QUẢ THẨM ĐỊNH" in text
    assert "Sau thẩm định 3 báo cáo, 2 đơn vị được điều chỉnh điểm" in text
    assert ("- Sở Nội vụ: tự chấm 93,5 điểm, thẩm định 80 điểm (-13,5), xếp loại từ Xuất "
            "sắc thành Tốt; Thiếu kế hoạch kiểm tra.") in text
    ranking = next(t for t in tables if t[0][:4] == ["Hạng", "Cơ quan, đơn vị",
                                                      "Điểm tự chấm", "Điểm thẩm định"])
    assert ranking[3] == ["3", "Sở Nội vụ", "93,5", "80", "Tốt", "snv.xlsx"]


def test_the_years_summary_files_open_clean_in_word_and_excel(reviewed, with_roster) -> None:
    """Every section and sheet filled (roster, per Cấp, last year, review): no schema
    violation, no finding Word or Excel repairs (tests/ooxml.py)."""
    from ooxml import findings

    for _, out in (with_roster, reviewed):
        assert findings(out / "tong-hop.docx") == []
        assert findings(out / "tong-hop.xlsx") == []  # every sheet of the year, in Excel


def test_reviewed_summary_is_next_years_last_year(reviewed, year, tmp_path) -> None:
    """Next year reads this reviewed tong-hop.xlsx: the reviewed score is the one kept."""
    _, out = reviewed
    last = tmp_path / "nam-truoc.xlsx"
    shutil.copy(out / "tong-hop.xlsx", last)
    nxt = tmp_path / "nop-ve"
    _unit(nxt, "snv.xlsx", "Sở Nội vụ", "SNV", 39, 38, 2022)  # 93,5 Xuất sắc
    result = _batch(str(nxt), "-o", str(tmp_path / "ra"), "--nam-truoc", str(last))
    assert result.exit_code == 0, result.output
    row = _records(tmp_path / "ra" / "tong-hop.xlsx", "So với năm trước")[0]
    assert (row["Điểm năm trước"], row["Xếp loại năm trước"], row["Thay đổi điểm"],
            row["So với năm trước"]) == (80, "Tốt", 13.5, "Tăng")


def test_review_row_that_matches_no_unit_is_located(year, with_roster, tmp_path) -> None:
    _, first = with_roster
    review = _fill_review(first / "tong-hop.xlsx", tmp_path / "td.xlsx",
                          {"snv.xlsx": (80, "")})
    wb = openpyxl.load_workbook(review)
    ws = wb["Tổng hợp"]
    header = [c.value for c in ws[1]]
    ws.append({header.index("Cơ quan") + 1: "Sở Du lịch",
               header.index("Điểm thẩm định") + 1: 70})
    row = ws.max_row
    wb.save(review)
    result = _batch(str(year["now"]), "-o", str(tmp_path / "ra"), "--tham-dinh", str(review))
    assert result.exit_code == 1
    assert f"Lỗi: Tổng hợp!C{row}: dòng \"Sở Du lịch\" không khớp đơn vị nào" in result.output
    snv = next(r for r in _records(tmp_path / "ra" / "tong-hop.xlsx", "Tổng hợp")
               if r["Tệp"] == "snv.xlsx")
    assert snv["Điểm thẩm định"] == 80  # the rest of the review still applies


@pytest.mark.parametrize(("value", "expected"), [
    (120, "Tổng hợp!Q2: điểm thẩm định 120 nằm ngoài khoảng cho phép. Cần từ 0 đến 105."),
    (-1, "Tổng hợp!Q2: điểm thẩm định -1 nằm ngoài khoảng cho phép."),
    ("tám mươi", "Tổng hợp!Q2: \"tám mươi\" không phải là số."),
])
def test_bad_review_score_is_refused_before_any_work(year, with_roster, tmp_path, value,
                                                     expected) -> None:
    _, first = with_roster
    review = _fill_review(first / "tong-hop.xlsx", tmp_path / "td.xlsx",
                          {"snv.xlsx": (value, "")})
    out = tmp_path / "ra"
    result = _batch(str(year["now"]), "-o", str(out), "--tham-dinh", str(review))
    assert result.exit_code == 2, result.output
    assert "bảng thẩm định" in result.output and expected in result.output
    assert not out.exists()


# ---------------------------------------------------------------- unusable inputs


def test_unusable_roster_exits_2_naming_the_cell(year, tmp_path) -> None:
    dup = _roster(tmp_path / "ds.xlsx", [("Sở Nội vụ", "SNV", "", ""),
                                          ("SỞ NỘI  VỤ", "", "", "")])
    out = tmp_path / "ra"
    result = _batch(str(year["now"]), "-o", str(out), "--don-vi", str(dup))
    assert result.exit_code == 2
    assert "danh sách đơn vị" in result.output
    assert "Đơn vị!A3: đơn vị \"SỞ NỘI  VỤ\" đã có ở Đơn vị!A2" in result.output
    no_column = _roster(tmp_path / "ds2.xlsx", [("Sở Nội vụ", "SNV")], ("Tên", "Ký hiệu"))
    result = _batch(str(year["now"]), "-o", str(out), "--don-vi", str(no_column))
    assert result.exit_code == 2
    assert "Đơn vị: không tìm thấy dòng tiêu đề trong 10 dòng đầu: thiếu cột \"Cơ quan\"" \
        in result.output
    (tmp_path / "hong.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    result = _batch(str(year["now"]), "-o", str(out), "--don-vi", str(tmp_path / "hong.xlsx"))
    assert result.exit_code == 2 and "hong.xlsx" in result.output
    assert not out.exists()


def test_last_year_with_a_rating_the_rules_do_not_have(year, tmp_path) -> None:
    last = tmp_path / "nam-truoc.xlsx"
    shutil.copy(year["last"], last)
    wb = openpyxl.load_workbook(last)
    ws = wb["Tổng hợp"]
    ws["L3"] = "Hoàn thành tốt"
    wb.save(last)
    result = _batch(str(year["now"]), "-o", str(tmp_path / "ra"), "--nam-truoc", str(last))
    assert result.exit_code == 2
    assert "Tổng hợp!L3: \"Hoàn thành tốt\" không phải mức xếp loại của quy tắc." \
        in result.output


def test_an_empty_review_is_a_warning_not_a_silence(year, with_roster, tmp_path) -> None:
    _, first = with_roster
    review = _fill_review(first / "tong-hop.xlsx", tmp_path / "td.xlsx", {})
    result = _batch(str(year["now"]), "-o", str(tmp_path / "ra"), "--tham-dinh", str(review))
    assert result.exit_code == 0, result.output
    assert "Cảnh báo: bảng thẩm định chưa có điểm thẩm định nào" in result.output


def test_review_file_is_never_overwritten(year, with_roster, tmp_path) -> None:
    _, first = with_roster
    out = tmp_path / "ra"
    out.mkdir()
    inside = _fill_review(first / "tong-hop.xlsx", out / "tong-hop.xlsx",
                          {"snv.xlsx": (80, "")})
    before = inside.read_bytes()
    result = _batch(str(year["now"]), "-o", str(out), "--tham-dinh", str(inside))
    assert result.exit_code == 2
    # the one clash check of every command: both files named, nothing written
    assert "trùng với bảng thẩm định" in result.output and str(inside) in result.output
    assert "ghi đè lên tệp đầu vào" in result.output
    assert inside.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["tong-hop.xlsx"]


def test_inputs_of_the_summary_are_not_units(year, tmp_path) -> None:
    folder = tmp_path / "nop-ve"
    _unit(folder, "snv.xlsx", "Sở Nội vụ", "SNV", 39, 38)
    roster = _roster(folder / "danh-sach.xlsx", [("Sở Nội vụ", "SNV", "", "")])
    result = _batch(str(folder), "-o", str(tmp_path / "ra"), "--don-vi", str(roster))
    assert result.exit_code == 0, result.output
    assert [r["Tệp"] for r in _records(tmp_path / "ra" / "tong-hop.xlsx", "Tổng hợp")] == [
        "snv.xlsx"]


def test_subprocess_exit_2_for_a_roster_without_rows(year, tmp_path) -> None:
    empty = _roster(tmp_path / "ds.xlsx", [])
    out = tmp_path / "ra"
    proc = subprocess.run([sys.executable, "-m", "baocao_cli.cli", "batch", str(year["now"]),
                           "-o", str(out), "--don-vi", str(empty)],
                          capture_output=True, text=True, encoding="utf-8", check=False)
    assert proc.returncode == 2
    assert "Đơn vị: trang tính \"Đơn vị\" không có dòng dữ liệu nào" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


# ---------------------------------------------------------------- init --don-vi


def test_init_writes_an_empty_roster_to_fill(tmp_path) -> None:
    path = tmp_path / "danh-sach.xlsx"
    result = runner.invoke(app, ["init", "--don-vi", str(path)])
    assert result.exit_code == 0, result.output
    assert f"--don-vi {path}" in result.output
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Hướng dẫn", "Đơn vị"]
    assert [c.value for c in wb["Đơn vị"][1]] == ["Cơ quan", "Ký hiệu", "Cấp", "Ghi chú"]
    ws = wb["Đơn vị"]
    for ref, value in (("A2", "Sở Nội vụ"), ("B2", "SNV"), ("C2", "Sở, ban, ngành")):
        ws[ref] = value
    wb.save(path)
    assert read_roster(path) == [Entry("Đơn vị!A2", "Sở Nội vụ", "SNV", "Sở, ban, ngành")]
    before = path.read_bytes()
    again = runner.invoke(app, ["init", "--don-vi", str(path)])
    assert again.exit_code == 2 and "không ghi đè" in again.output
    assert path.read_bytes() == before
    both = runner.invoke(app, ["init", str(tmp_path / "so.xlsx"), "--don-vi", str(path)])
    assert both.exit_code == 2


# ---------------------------------------------------------------- the tables themselves


def test_ranks_with_ties_and_counts_from_the_frames() -> None:
    import pandas as pd

    rules = load_rules()

    def unit(i: int, total: str, name: str, ok: bool = True) -> UnitResult:
        t = Decimal(total)
        return UnitResult(i, f"{name}.xlsx", f"{name}.docx" if ok else None, co_quan=name,
                          total=t if ok else None, rating=rules.rating(t) if ok else None)

    units = [unit(0, "70", "a"), unit(1, "90", "b"), unit(2, "70", "c"),
             unit(3, "0", "d", ok=False), unit(4, "95.5", "e")]
    review = [Entry("Tổng hợp!C2", "a", total=Decimal("95.5"))]
    t = build_tables(units, rules, Sources(review=review))
    ranks = [(name, None if rank is pd.NA else int(rank))
             for name, rank in zip(t.units["co_quan"], t.units["hang"], strict=True)]
    assert ranks == [("a", 1), ("e", 1), ("b", 3), ("c", 4), ("d", None)]
    counts = dict(zip(t.ratings["name"], t.ratings["count"], strict=True))
    assert counts == {"Xuất sắc": 3, "Tốt": 0, "Khá": 1, "Trung bình": 0, "Yếu": 0}


# ---------------------------------------------------------------- pandas stays in the batch


def test_build_and_validate_never_import_pandas(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "bao-cao.docx"
    code = (
        "import sys\n"
        "import baocao_cli.api\n"
        "from baocao_cli.cli import main\n"
        f"code = main(['validate', {str(example)!r}])\n"
        "assert code == 0, code\n"
        f"code = main(['build', {str(example)!r}, '-o', {str(out)!r}])\n"
        "assert code == 0, code\n"
        "print('pandas' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          encoding="utf-8", check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "False"
    assert out.exists()  # the build really ran


EDGE_UNITS = {
    "all failed": [UnitResult(0, "a.xlsx", None, co_quan="A", n_errors=1, errors=("x",),
                              error_codes=("E003",)),
                   UnitResult(1, "b.xlsx", None, n_errors=1, errors=("y",),
                              error_codes=("E002",))],
    "one built": [UnitResult(0, "a.xlsx", "a.docx", co_quan="A", total=Decimal(50),
                             rating="Trung bình")],
}
EDGE_SOURCES = {
    "nothing": Sources(),
    "empty files": Sources(roster=[], last_year=[], review=[]),
    "no match anywhere": Sources(
        roster=[Entry("Đơn vị!A2", "B", cap="X")],
        last_year=[Entry("Tổng hợp!C2", "Z", total=Decimal(1), rating="Yếu")],
        review=[Entry("Tổng hợp!C2", "Q", total=Decimal(3))]),
}


@pytest.mark.parametrize("units", EDGE_UNITS, ids=str)
@pytest.mark.parametrize("sources", EDGE_SOURCES, ids=str)
def test_summary_files_from_edge_cases(units: str, sources: str, tmp_path: Path) -> None:
    from baocao_cli.summary.document import write_summary_docx
    from baocao_cli.summary.workbook import write_summary_xlsx

    rules = load_rules()
    tables = build_tables(EDGE_UNITS[units], rules, EDGE_SOURCES[sources])
    write_summary_xlsx(tmp_path / "t.xlsx", EDGE_UNITS[units], rules, tables)
    write_summary_docx(tmp_path / "t.docx", EDGE_UNITS[units], rules, None, None, tables)
    assert openpyxl.load_workbook(tmp_path / "t.xlsx")["Tổng hợp"].max_row == 3 - (
        units == "one built")
    text, _ = _docx_text(tmp_path / "t.docx")
    assert ("KẾT QUẢ THẨM ĐỊNH" in text) == (EDGE_SOURCES[sources].review is not None)
    expected_errors = 1 if sources == "no match anywhere" else 0
    assert len(tables.errors) == expected_errors


def test_ranks_hold_for_any_scores_and_reviews() -> None:
    """Ranks are `min` ranks of the final score (reviewed where given), for any scores."""
    import pandas as pd
    from hypothesis import given, settings
    from hypothesis import strategies as st

    rules = load_rules()
    score = st.decimals(min_value=0, max_value=105, places=2)

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.tuples(score, st.one_of(st.none(), score), st.booleans()), max_size=25))
    def check(rows: list[tuple[Decimal, Decimal | None, bool]]) -> None:
        units = [UnitResult(i, f"{i}.xlsx", f"{i}.docx" if ok else None, co_quan=f"Đơn vị {i}",
                            total=s if ok else None, rating=rules.rating(s) if ok else None)
                 for i, (s, _, ok) in enumerate(rows)]
        review = [Entry(f"Tổng hợp!C{i + 2}", f"Đơn vị {i}", total=r, bao_cao=f"{i}.docx")
                  for i, (_, r, ok) in enumerate(rows) if r is not None and ok]
        t = build_tables(units, rules, Sources(review=review))
        final = {i: (r if r is not None else s) for i, (s, r, ok) in enumerate(rows) if ok}
        for idx, rank, diem, rating in zip(t.units["idx"], t.units["hang"], t.units["diem"],
                                           t.units["xep_loai"], strict=True):
            if idx not in final:
                assert rank is pd.NA
                continue
            assert diem == final[idx] and rating == rules.rating(final[idx])
            assert rank == 1 + sum(1 for v in final.values() if v > final[idx])
        assert int(t.ratings["count"].sum()) == len(final)
        assert t.errors == []

    check()


@pytest.mark.parametrize("units", EDGE_UNITS, ids=str)
@pytest.mark.parametrize("sources", EDGE_SOURCES, ids=str)
def test_the_tables_reach_the_writers_processes_whole(units: str, sources: str) -> None:
    """Where a worker is a new interpreter (Windows), tong-hop.xlsx's writer gets the tables
    pickled; `changes`, rebuilt from `units`, is the same."""
    import pickle

    tables = build_tables(EDGE_UNITS[units], load_rules(), EDGE_SOURCES[sources])
    copy = pickle.loads(pickle.dumps(tables))
    assert copy.units.equals(tables.units)
    assert (copy.changes is None) == (tables.changes is None)
    if tables.changes is not None:
        assert copy.changes.equals(tables.changes)
        assert list(copy.changes.index) == list(tables.changes.index)


def test_sources_read_at_once_or_in_turn_are_the_same(year, with_roster, tmp_path) -> None:
    """The province's files are read by two forked workers when they are big; small ones
    here. Both ways give the same entries, and the same first error: the roster's, then
    last year's, then the review's, whichever worker meets its own first."""
    from baocao_cli.batch import read_sources
    from baocao_cli.summary.sources import SourceError

    _, first = with_roster
    review = _fill_review(first / "tong-hop.xlsx", tmp_path / "tham-dinh.xlsx",
                          {"snv.xlsx": (80, "x")})
    rules = load_rules()
    kw = {"roster": year["roster"], "last_year": year["last"], "review": review}
    at_once = read_sources(rules, parallel=True, **kw)
    in_turn = read_sources(rules, parallel=False, **kw)
    assert at_once == in_turn and at_once.review and at_once.last_year and at_once.roster
    bad_last = tmp_path / "nam-truoc.xlsx"
    shutil.copy(year["last"], bad_last)
    wb = openpyxl.load_workbook(bad_last)
    wb["Tổng hợp"]["L3"] = "Hoàn thành tốt"
    wb.save(bad_last)
    bad_review = tmp_path / "tham-dinh-sai.xlsx"
    _fill_review(first / "tong-hop.xlsx", bad_review, {"snv.xlsx": (1000, "")})
    for parallel in (True, False):
        with pytest.raises(SourceError, match="năm trước") as raised:
            read_sources(rules, parallel=parallel, roster=year["roster"], last_year=bad_last,
                         review=bad_review)
        assert "Hoàn thành tốt" in str(raised.value)
        with pytest.raises(SourceError, match="thẩm định"):
            read_sources(rules, parallel=parallel, roster=year["roster"], last_year=year["last"],
                         review=bad_review)
