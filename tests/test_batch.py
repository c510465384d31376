"""`baocao batch`: a folder of real generated workbooks → reports, summary, consolidated report."""

from __future__ import annotations

import io
import os
import struct
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx_text import effective_run, text_runs
from factory import Sheets, set_info, unit_sheets, write_book
from PIL import Image
from typer.testing import CliRunner

from baocao_cli.batch import default_workers, output_names, read_info, run_batch, safe_stem
from baocao_cli.cli import app
from baocao_cli.read.inputs import collect
from baocao_cli.score.rules import load_rules
from baocao_cli.summary.chart import find_fonts
from baocao_cli.summary.tables import build_tables

runner = CliRunner()
HOSTILE_NAME = '=HYPERLINK("http://x","bấm")'


def _total(sheets: Sheets, *, ii: float, iii: float) -> Sheets:
    """Change parts II and III; drop the declared rating so any total is consistent."""
    rows = sheets["Chấm điểm"]
    for row in rows:
        if row[0] == "II":
            row[3] = ii
        if row[0] == "III":
            row[3] = iii
    return set_info(sheets, "tu_xep_loai", None)


def _write_text_cell(path: Path, sheet: str, ref: str, text: str) -> None:
    """Store `text` as a string even when it starts with `=` (openpyxl would make a formula)."""
    wb = openpyxl.load_workbook(path)
    cell = wb[sheet][ref]
    cell.value = text
    cell.data_type = "s"
    wb.save(path)


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture(scope="module")
def units(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """8 units (5 valid: totals 96,5 / 83,75 / 83,75 / 74,75 / 74,75; 3 failing) and noise."""
    root = tmp_path_factory.mktemp("nop-ve")
    (root / "a").mkdir()
    (root / "b").mkdir()
    (root / ".an").mkdir()
    write_book(root / "a" / "alpha.xlsx", unit_sheets())  # 74,75 Khá
    write_book(root / "b" / "alpha.xlsx", _total(unit_sheets(), ii=39, iii=28.25))  # 83,75
    hostile = write_book(root / "=SUM(A1).xlsx", _total(unit_sheets(), ii=39, iii=28.25))
    _write_text_cell(hostile, "Thông tin", "B3", HOSTILE_NAME)  # co_quan
    best = _total(unit_sheets(), ii=40, iii=40)  # 17,5 + 40 + 40 + 1 − 2 = 96,5
    best["Chỉnh lý"][1][2] = "8.5"  # international decimal point: one warning
    set_info(best, "co_quan", "Ủy ban nhân dân phường Bắc Hà")
    write_book(root / "Đơn vị số 3 ủy ban.xlsx", best)
    write_book(root / "tong-hop.xlsx", unit_sheets())  # 74,75, name reserved
    bad = unit_sheets()
    bad["Chấm điểm"][2][3] = 11  # 11 > 10: E306
    write_book(root / "@at.xlsx", bad)
    (root / "-dash.xlsx").write_bytes(b"Nhom;So luong\nVan ban di;1\n")  # a CSV renamed
    (root / "+plus.xlsx").write_bytes(b"")  # empty file
    # Noise that must be skipped.
    (root / "~$alpha.xlsx").write_bytes(b"lock")
    (root / ".an" / "secret.xlsx").write_bytes(b"hidden folder")
    write_book(root / ".hidden.xlsx", unit_sheets())
    (root / "ghi-chu.txt").write_text("không phải sổ Excel", encoding="utf-8")
    return root


EXPECTED_OUT = {"alpha.docx", "alpha-2.docx", "=SUM(A1).docx", "Đơn vị số 3 ủy ban.docx",
                "tong-hop-2.docx", "tong-hop.xlsx", "tong-hop.docx"}


@pytest.fixture(scope="module")
def cli_run(units: Path, tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("ket-qua")
    out = base / "bao-cao" / "2021"  # missing: batch creates it
    before = _tree(units)
    result = runner.invoke(app, ["batch", str(units), "-o", str(out), "--jobs", "2"])
    return result, out, before


def test_exit_code_and_output_files(cli_run, units: Path) -> None:
    result, out, before = cli_run
    assert result.exit_code == 1, result.output
    assert set(os.listdir(out)) == EXPECTED_OUT
    assert _tree(units) == before  # nothing written beside the inputs
    assert set(os.listdir(out.parent.parent)) == {"bao-cao"}


def test_unit_reports_are_real_documents(cli_run) -> None:
    _, out, _ = cli_run
    text = "\n".join(p.text for p in Document(str(out / "Đơn vị số 3 ủy ban.docx")).paragraphs)
    assert "96,5" in text
    assert "Xuất sắc" in text
    hostile = Document(str(out / "=SUM(A1).docx"))
    cells = " ".join(c.text for t in hostile.tables for r in t.rows for c in r.cells)
    assert HOSTILE_NAME.upper() in cells  # agency name, upper case, printed as data


def test_duplicate_stems_named_in_sorted_order(cli_run) -> None:
    _, out, _ = cli_run
    wb = openpyxl.load_workbook(out / "tong-hop.xlsx")
    rows = list(wb["Tổng hợp"].iter_rows(min_row=2, values_only=True))
    by_report = {r[15]: r for r in rows if r[15]}
    assert by_report["alpha.docx"][10] == 74.75  # a/alpha.xlsx, first in sorted order
    assert by_report["alpha-2.docx"][10] == 83.75  # b/alpha.xlsx
    assert by_report["tong-hop-2.docx"][1] == "tong-hop.xlsx"


def test_plain_progress_and_final_lines(cli_run) -> None:
    result, _, _ = cli_run
    lines = result.output.splitlines()
    assert sum(1 for ln in lines if ln.startswith("[")) == 8  # one line per unit, not a TTY
    assert any("ĐÃ LẬP" in ln and "alpha-2.docx" in ln and "83,75 điểm, Tốt" in ln
               for ln in lines)
    assert "Đơn vị chưa lập được báo cáo (3):" in result.output
    assert "@at.xlsx: 1 lỗi" in result.output
    assert "E306" not in result.output  # messages, not codes, for people
    assert "điểm tự chấm 11 lớn hơn điểm tối đa 10" in result.output
    assert "+plus.xlsx" in result.output and "rỗng (0 byte)" in result.output
    final = lines[-1]
    assert final.startswith("Xong: 5 báo cáo đã lập, 3 đơn vị lỗi, 1 cảnh báo; ")
    assert final.endswith("giây (2 tiến trình).")  # as --jobs 2 asked


def test_summary_rows_ranks_with_ties(cli_run) -> None:
    _, out, _ = cli_run
    wb = openpyxl.load_workbook(out / "tong-hop.xlsx")
    ws = wb["Tổng hợp"]
    header = [c.value for c in ws[1]]
    assert header == ["Hạng", "Tệp", "Cơ quan", "Ký hiệu", "Năm", "Phần I", "Phần II",
                      "Phần III", "Điểm cộng (IV)", "Điểm trừ (V)", "Tổng điểm", "Xếp loại",
                      "Trạng thái", "Số lỗi", "Số cảnh báo", "Báo cáo", "Điểm thẩm định",
                      "Ghi chú thẩm định"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:R9"
    assert ws.column_dimensions["C"].width == 40
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert [(r[0], r[10]) for r in rows[:5]] == [
        (1, 96.5), (2, 83.75), (2, 83.75), (4, 74.75), (4, 74.75)]
    assert rows[0][2] == "Ủy ban nhân dân phường Bắc Hà"
    assert rows[0][5:11] == [17.5, 40, 40, 1, 2, 96.5]
    assert rows[0][11:15] == ["Xuất sắc", "Đã lập báo cáo", 0, 1]
    failed = rows[5:]
    assert {r[1] for r in failed} == {"@at.xlsx", "-dash.xlsx", "+plus.xlsx"}
    assert all(r[0] is None and r[10] is None and r[12] == "Lỗi, chưa lập báo cáo"
               and r[13] >= 1 for r in failed)
    hostile = next(r for r in rows if r[1] == "=SUM(A1).xlsx")
    assert hostile[2] == HOSTILE_NAME


def test_rating_and_failure_sheets(cli_run) -> None:
    _, out, _ = cli_run
    wb = openpyxl.load_workbook(out / "tong-hop.xlsx")
    ratings = {r[0]: (r[1], r[2]) for r in wb["Xếp loại"].iter_rows(min_row=2,
                                                                       values_only=True)}
    assert ratings["Xuất sắc"] == (1, 0.2)
    assert ratings["Tốt"] == (2, 0.4)
    assert ratings["Khá"] == (2, 0.4)
    assert ratings["Trung bình"] == (0, 0) and ratings["Yếu"] == (0, 0)
    assert ratings["Đơn vị chưa lập được báo cáo"][0] == 3
    errors = list(wb["Đơn vị lỗi"].iter_rows(min_row=2, values_only=True))
    codes = {(r[0], r[4]) for r in errors}
    assert codes == {("@at.xlsx", "E306"), ("-dash.xlsx", "E003"), ("+plus.xlsx", "E002")}
    assert all(r[5] for r in errors)


def test_no_formula_anywhere_in_the_summary(cli_run) -> None:
    _, out, _ = cli_run
    wb = openpyxl.load_workbook(out / "tong-hop.xlsx", data_only=False)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row]
    assert cells
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert {HOSTILE_NAME, "=SUM(A1).xlsx", "=SUM(A1).docx", "@at.xlsx", "-dash.xlsx",
            "+plus.xlsx"} <= texts


def test_consolidated_report_read_back(cli_run) -> None:
    _, out, _ = cli_run
    doc = Document(str(out / "tong-hop.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "BÁO CÁO" in text
    assert "Tổng hợp kết quả đánh giá, xếp loại công tác văn thư, lưu trữ năm 2021" in text
    assert "gửi báo cáo: 8." in text
    assert "Số báo cáo hợp lệ, đã tổng hợp: 5." in text
    assert "Xếp loại Xuất sắc: 1 đơn vị, chiếm 20%." in text
    assert "Xếp loại Tốt: 2 đơn vị, chiếm 40%." in text
    assert "Văn bản đi: 825 văn bản." in text  # 5 × (120 + 45)
    assert "Văn bản đến: 7.500 văn bản." in text  # 5 × 1.500
    assert "đã chỉnh lý: 102,5 mét / kế hoạch 110 mét, đạt 93,18%." in text
    assert "- @at.xlsx: Chấm điểm!D3: tiêu chí 1: điểm tự chấm 11" in text
    assert "- +plus.xlsx: tệp rỗng" in text
    assert "Điểm cao nhất: 96,5 điểm (Ủy ban nhân dân phường Bắc Hà)." in text
    assert text.rstrip().count("./.") == 1
    if find_fonts() is not None:
        assert len(doc.inline_shapes) == 1  # the chart
        blob = doc.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
        image = Image.open(io.BytesIO(doc.part.related_parts[blob].blob))
        assert image.format == "PNG" and image.size == (1260, 680)
        assert "Biểu đồ: Kết quả xếp loại công tác văn thư, lưu trữ năm 2021" in text
    else:  # no font with Vietnamese letters on this machine: a note instead (test_chart.py)
        assert len(doc.inline_shapes) == 0 and "(Không vẽ được biểu đồ" in text
    ranking = doc.tables[-1]
    rows = [[c.text for c in r.cells] for r in ranking.rows]
    assert rows[0] == ["Hạng", "Cơ quan, đơn vị", "Tổng điểm", "Xếp loại", "Tệp"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "2", "4", "4"]
    assert rows[1][1:4] == ["Ủy ban nhân dân phường Bắc Hà", "96,5", "Xuất sắc"]
    s = doc.sections[0]
    assert (round(s.top_margin.mm), round(s.bottom_margin.mm), round(s.left_margin.mm),
            round(s.right_margin.mm)) == (20, 20, 30, 15)
    fonts = {f for p, r in text_runs(doc) for f in effective_run(doc, p, r)["fonts"].values()}
    assert fonts == {"Times New Roman"}
    # Without --info the header and signature are left to fill by hand.
    header = [c.text for c in doc.tables[0].rows[1].cells]
    assert header[0].startswith("Số:") and "/BC-" in header[0]
    assert "ngày" in header[1] and "tháng" in header[1]
    assert doc.core_properties.title.startswith("Tổng hợp kết quả đánh giá")


def test_library_in_process_matches_parallel(cli_run, units: Path, tmp_path: Path) -> None:
    _, out, _ = cli_run
    seen = []
    result = run_batch([units], tmp_path / "ra", jobs=1, on_result=seen.append)
    assert result.jobs == 1
    assert [u.index for u in seen] == list(range(8))  # in-process: in input order
    assert len(result.built) == 5 and len(result.failed) == 3
    assert result.n_warnings == 1
    a = openpyxl.load_workbook(out / "tong-hop.xlsx")["Tổng hợp"]
    b = openpyxl.load_workbook(tmp_path / "ra" / "tong-hop.xlsx")["Tổng hợp"]
    assert list(a.values) == list(b.values)
    ranking = build_tables(result.units, load_rules()).units
    assert list(zip(ranking["hang"], ranking["output"], strict=True))[:5] == [
        (1, "Đơn vị số 3 ủy ban.docx"), (2, "=SUM(A1).docx"), (2, "alpha-2.docx"),
        (4, "tong-hop-2.docx"), (4, "alpha.docx")]  # ties in input order: top folder first


def test_info_file_fills_header_and_signature(units: Path, tmp_path: Path) -> None:
    info = write_book(tmp_path / "so-noi-vu.xlsx", {
        "Thông tin": [
            ["Mã", "Giá trị"],
            ["co_quan_chu_quan", "UBND tỉnh Hà Tĩnh"],
            ["co_quan", "Sở Nội vụ"],
            ["ten_co_quan", "Sở Nội vụ"],
            ["ky_hieu", "SNV"],
            ["so", 7],
            ["dia_danh", "Hà Tĩnh"],
            ["ngay", "15/01/2022"],
            ["nam", 2021],
            ["kinh_gui", "Ủy ban nhân dân tỉnh"],
            ["quyen_han_ky", "KT. GIÁM ĐỐC"],
            ["chuc_vu_ky", "Phó Giám đốc"],
            ["nguoi_ky", "Trần Thị Bình"],
        ],
        "Nơi nhận": [["Nơi nhận"], ["UBND tỉnh (báo cáo)"], ["Lưu: VT, CCVTLT"]],
    })
    out = tmp_path / "ra"
    result = runner.invoke(app, ["batch", str(units / "a"), "-o", str(out), "--info", str(info),
                                 "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert set(os.listdir(out)) == {"alpha.docx", "tong-hop.xlsx", "tong-hop.docx"}
    from ooxml import findings

    assert findings(out / "tong-hop.docx") == []  # the header filled: still clean
    doc = Document(str(out / "tong-hop.docx"))
    head = doc.tables[0]
    cells = [[c.text for c in r.cells] for r in head.rows]
    assert "UBND TỈNH HÀ TĨNH" in cells[0][0] and "SỞ NỘI VỤ" in cells[0][0]
    assert cells[1][0] == "Số: 07/BC-SNV"
    assert cells[1][1] == "Hà Tĩnh, ngày 15 tháng 01 năm 2022"
    sign = [c.text for c in doc.tables[1].rows[0].cells]
    assert "- UBND tỉnh (báo cáo);" in sign[0] and sign[0].rstrip().endswith("- Lưu: VT, CCVTLT.")
    assert "KT. GIÁM ĐỐC" in sign[1] and "PHÓ GIÁM ĐỐC" in sign[1]
    assert sign[1].rstrip().endswith("Trần Thị Bình")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Kính gửi: Ủy ban nhân dân tỉnh" in text
    assert "(Kèm theo Báo cáo số 07/BC-SNV của Sở Nội vụ)" in text
    assert doc.core_properties.author == "Sở Nội vụ"  # the agency as the --info file names it
    assert result.output.splitlines()[-1].startswith("Xong: 1 báo cáo đã lập, 0 đơn vị lỗi")


def test_partial_info_leaves_blanks_and_bad_info_is_refused(units: Path, tmp_path: Path) -> None:
    rules = load_rules()
    partial = write_book(tmp_path / "it.xlsx", {"Thông tin": [["Mã", "Giá trị"],
                                                              ["co_quan", "Sở Nội vụ"]]})
    head, recipients = read_info(partial, rules)
    assert head.co_quan == "Sở Nội vụ" and head.nguoi_ky == "" and recipients == []
    bad = write_book(tmp_path / "sai.xlsx", {"Thông tin": [["Mã", "Giá trị"],
                                                           ["ngay", "31/02/2022"]]})
    out = tmp_path / "ra"
    result = runner.invoke(app, ["batch", str(units / "a"), "-o", str(out), "--info", str(bad)])
    assert result.exit_code == 2
    assert "31/02/2022" in result.output and "không phải ngày hợp lệ" in result.output
    assert not out.exists()


def test_all_units_fail_still_summarised(tmp_path: Path) -> None:
    src = tmp_path / "vao"
    src.mkdir()
    (src / "x.xlsx").write_bytes(b"")
    out = tmp_path / "ra"
    result = runner.invoke(app, ["batch", str(src / "x.xlsx"), "-o", str(out)])
    assert result.exit_code == 1
    assert set(os.listdir(out)) == {"tong-hop.xlsx", "tong-hop.docx"}
    text = "\n".join(p.text for p in Document(str(out / "tong-hop.docx")).paragraphs)
    assert "Số báo cáo hợp lệ, đã tổng hợp: 0." in text


def test_nothing_to_do_is_a_usage_error(tmp_path: Path) -> None:
    empty = tmp_path / "trong"
    empty.mkdir()
    (empty / "~$khoa.xlsx").write_bytes(b"lock")
    out = tmp_path / "ra"
    result = runner.invoke(app, ["batch", str(empty), "-o", str(out)])
    assert result.exit_code == 2
    assert "không có sổ tính (.xlsx, .xls, .ods) nào" in result.output
    assert not out.exists()


def test_outdir_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    src = write_book(tmp_path / "a.xlsx", unit_sheets())
    out = tmp_path / "ra"
    out.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(src), "-o", str(out)])
    assert result.exit_code == 2
    assert out.read_text(encoding="utf-8") == "x"


def test_a_write_failure_does_not_stop_the_others(tmp_path: Path) -> None:
    src = tmp_path / "vao"
    src.mkdir()
    write_book(src / "a.xlsx", unit_sheets())
    write_book(src / "b.xlsx", unit_sheets())
    out = tmp_path / "ra"
    (out / "a.docx").mkdir(parents=True)  # the report's name is taken by a folder
    result = runner.invoke(app, ["batch", str(src), "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 1
    assert "không ghi được a.docx" in result.output
    assert (out / "b.docx").is_file()
    assert sorted(os.listdir(out)) == ["a.docx", "b.docx", "tong-hop.docx", "tong-hop.xlsx"]
    assert not any(name.endswith(".tmp") for name in os.listdir(out))


def test_outdir_inside_the_input_folder_is_not_rescanned(tmp_path: Path) -> None:
    src = tmp_path / "vao"
    src.mkdir()
    write_book(src / "a.xlsx", unit_sheets())
    out = src / "ket-qua"
    for _ in range(2):
        result = runner.invoke(app, ["batch", str(src), "-o", str(out)])
        assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out / "tong-hop.xlsx")
    assert wb["Tổng hợp"].max_row == 2  # tong-hop.xlsx of the first run is not a unit
    assert sorted(os.listdir(out)) == ["a.docx", "tong-hop.docx", "tong-hop.xlsx"]


def test_collect_skips_lock_hidden_and_repeats(units: Path) -> None:
    files, empty = collect([units, units / "a" / "alpha.xlsx", units / "a"])
    names = [str(p.relative_to(units)) for p in files]
    assert len(names) == len(set(names)) == 8
    assert not any(n.startswith((".", "~$")) or "/." in n for n in names)
    assert names.index("a/alpha.xlsx") < names.index("b/alpha.xlsx")
    assert empty == []


@pytest.mark.parametrize(("stem", "expected"), [
    ("=SUM(A1)", "=SUM(A1)"),
    ("Báo cáo xã Kỳ Tân", "Báo cáo xã Kỳ Tân"),
    ("../../etc/passwd", "_.._etc_passwd"),
    ("a\\b:c*d?e", "a_b_c_d_e"),
    ("..", "bao-cao"),
    ("", "bao-cao"),
    ("CON", "_CON"),
    ("x\x00y\x1f", "x_y_"),
])
def test_safe_stem(stem: str, expected: str) -> None:
    assert safe_stem(stem) == expected


def test_safe_stem_is_short_enough_for_any_file_system() -> None:
    name = safe_stem("Ủy ban nhân dân " * 30)
    assert len(name.encode("utf-8")) <= 180
    assert name == name.strip()


def test_output_names_unique_without_case_and_never_the_summary(tmp_path: Path) -> None:
    files = [Path("a/Don-vi.xlsx"), Path("b/don-vi.xlsx"), Path("c/don-vi-2.xlsx"),
             Path("d/TONG-HOP.xlsx"), Path("e/x.y.xlsx")]
    assert output_names(files) == ["Don-vi.docx", "don-vi-2.docx", "don-vi-2-2.docx",
                                   "TONG-HOP-2.docx", "x.y.docx"]
    for name in output_names([Path("../x/..hidden.xlsx"), Path("/tmp/a b.xlsx")]):
        assert (tmp_path / name).resolve().parent == tmp_path.resolve()


@pytest.mark.skipif(find_fonts() is None, reason="no TrueType font with Vietnamese letters")
def test_chart_is_a_png_image() -> None:
    from baocao_cli.summary.chart import chart_png
    from baocao_cli.summary.workbook import RatingCount

    png = chart_png([RatingCount("Xuất sắc", 3, Decimal(60)), RatingCount("Tốt", 2, Decimal(40))],
                    2021)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])  # IHDR
    assert (width, height) == (1260, 680)
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.mode == "RGB" and [round(d) for d in image.info["dpi"]] == [200, 200]


def test_a_plan_is_used_only_for_the_same_arguments(units: Path, tmp_path: Path) -> None:
    """The command checks the outputs first (check_outputs) and hands that plan to the run;
    the run looks again whenever the plan is not for its own arguments, or when one of
    the summary's own files sits among the plan's units."""
    from baocao_cli.batch import check_outputs
    from baocao_cli.summary.sources import Sources

    out = tmp_path / "ra"
    plan = check_outputs([units], out)
    assert len(plan.tasks) == 8
    done = run_batch([units], out, jobs=1, write_summary=False, plan=plan)
    assert [u.source for u in done.units] == [str(t.source) for t in plan.tasks]
    one = units / "a"
    elsewhere = check_outputs([one], out)  # another folder: its plan is not taken
    assert len(run_batch([units], out, jobs=1, write_summary=False, plan=elsewhere).units) == 8
    roster = units / "a" / "alpha.xlsx"  # a summary's own file among the units
    sources = Sources(paths=[roster])
    protect = [(roster, "danh sách đơn vị (--don-vi)")]
    plan = check_outputs([units], out, protect=protect)
    got = run_batch([units], out, jobs=1, write_summary=False, protect=protect, plan=plan,
                    sources=sources)
    assert len(got.units) == 7 and all("alpha" not in u.source or "b/" in u.source
                                       for u in got.units)


def test_default_workers_are_one_more_than_the_cores(tmp_path: Path) -> None:
    """A worker waits on the disk for part of each unit: one more than the cores keeps them
    busy (one core: in-process); never more than the units."""
    from factory import unit_folder

    from baocao_cli.batch import default_jobs

    cores = default_jobs()
    assert default_workers() == (cores + 1 if cores > 1 else 1)
    units = unit_folder(tmp_path / "vao", 4)
    result = CliRunner().invoke(app, ["batch", str(units), "-o", str(tmp_path / "ra")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith(
        f"giây ({min(default_workers(), 4)} tiến trình).")
