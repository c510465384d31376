"""`baocao init`: the starter a clerk fills in, filled here by following only the contract."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document
from typer.testing import CliRunner

from baocao_cli import contract
from baocao_cli.api import check
from baocao_cli.cli import app
from baocao_cli.score.rules import load_rules
from baocao_cli.starter import example_bytes

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


def init(tmp_path: Path, *args: str, name: str = "don-vi.xlsx") -> Path:
    path = tmp_path / name
    result = runner.invoke(app, ["init", str(path), *args])
    assert result.exit_code == 0, result.output
    return path


def header(ws: Any, wanted: str) -> tuple[int, dict[str, int]]:
    """The header row (first of the first 10 holding `wanted`) and column by header text."""
    for r in range(1, 11):
        values = [c.value for c in ws[r]]
        if wanted in values:
            return r, {str(v).split(" (")[0]: i + 1 for i, v in enumerate(values) if v}
    raise AssertionError(f"no header {wanted!r} in {ws.title}")


def append(ws: Any, cols: dict[str, int], **values: Any) -> None:
    """Write one row below the last row that has a value in any header column."""
    last = max((r for r in range(1, ws.max_row + 1)
                if any(ws.cell(r, c).value is not None for c in cols.values())), default=1)
    for name, value in values.items():
        ws.cell(last + 1, cols[name], value)


def fill_info(wb: Any, values: dict[str, Any]) -> None:
    ws = wb["Thông tin"]
    hr, cols = header(ws, "Mã")
    rows = {ws.cell(r, cols["Mã"]).value: r for r in range(hr + 1, ws.max_row + 1)}
    for key, value in values.items():
        ws.cell(rows[key], cols["Giá trị"], value)


INFO = {
    "co_quan_chu_quan": "UBND HUYỆN CAN LỘC",
    "co_quan": "PHÒNG NỘI VỤ",
    "ten_co_quan": "Phòng Nội vụ huyện Can Lộc",
    "ky_hieu": "PNV",
    "dia_danh": "Can Lộc",
    "ngay": dt.datetime(2022, 1, 10),
    "nam": 2021,
    "quyen_han_ky": "KT. TRƯỞNG PHÒNG",
    "chuc_vu_ky": "PHÓ TRƯỞNG PHÒNG",
    "nguoi_ky": "Trần Thị Bình",
}


def fill_common(wb: Any) -> None:
    """Everything but the scores: Thông tin, Văn bản, Nội dung, Nơi nhận."""
    fill_info(wb, INFO)
    ws = wb["Văn bản"]
    _, cols = header(ws, "Nhóm")
    append(ws, cols, **{"Nhóm": "Văn bản đi", "Loại văn bản": "Báo cáo", "Số lượng": 37})
    append(ws, cols, **{"Nhóm": "Văn bản đến", "Loại văn bản": "Công văn", "Số lượng": 1204})
    ws = wb["Nội dung"]
    _, cols = header(ws, "Mục")
    append(ws, cols, **{"Mục": "Triển khai", "Nội dung": "- Đã ban hành kế hoạch năm 2021."})
    append(ws, cols, **{"Mục": "Kiến nghị", "Nội dung": "Đề nghị bố trí kho lưu trữ."})
    ws = wb["Nơi nhận"]
    _, cols = header(ws, "Nơi nhận")
    append(ws, cols, **{"Nơi nhận": "UBND huyện (báo cáo)"})
    append(ws, cols, **{"Nơi nhận": "Lưu: VT"})


def score_rows(wb: Any) -> tuple[Any, dict[str, int], list[int]]:
    ws = wb["Chấm điểm"]
    hr, cols = header(ws, "STT")
    rows = [r for r in range(hr + 1, ws.max_row + 1) if ws.cell(r, cols["STT"]).value]
    return ws, cols, rows


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_empty_starter_is_refused_naming_each_value_to_fill(tmp_path: Path) -> None:
    path = init(tmp_path)
    checked = check(path)
    codes = [(i.code, i.sheet, i.cell) for i in checked.errors]
    required = [k for k in contract.INFO_KEYS if k.required]
    info_errors = [c for c in codes if c[0] == "E106"]
    assert len(info_errors) == len(required)
    messages = " ".join(i.message for i in checked.errors)
    for key in required:
        assert f"({key.key} — {contract.field_name(key.key)}): chưa điền giá trị. Cần điền: " \
               f"{key.label}." in messages
    assert ("E107", "Văn bản", None) in codes
    assert sorted(c for c, _, _ in codes if c == "E315") == ["E315"] * 3  # parts I, II, III
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert "Thông tin!B3 (co_quan — tên cơ quan ban hành): chưa điền giá trị." in result.output


def test_starter_layout_follows_the_contract(tmp_path: Path) -> None:
    path = init(tmp_path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "Hướng dẫn"
    assert wb.sheetnames[1:] == [s.name for s in contract.SHEETS]
    fill = {}
    for spec in contract.SHEETS:
        ws = wb[spec.name]
        assert ws.freeze_panes == "A2"
        labels = [c.value for c in ws[1]]
        assert labels == [f"{c.label} ({c.unit})" if c.unit else c.label for c in spec.columns]
        assert all(c.font.bold for c in ws[1])
        fill[spec.name] = ws["A1"].fill.fgColor.rgb
        assert all(ws.column_dimensions[c.column_letter].width >= 8 for c in ws[1])
    assert len(set(fill.values())) == 1 and next(iter(fill.values())) != "00000000"
    ws = wb["Thông tin"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [k.key for k in contract.INFO_KEYS]
    assert all(r[1] is None for r in rows)  # values empty
    for key, row in zip(contract.INFO_KEYS, rows, strict=True):
        assert row[2].startswith(key.label)
        assert row[2].endswith("(bắt buộc)") == key.required
    assert "Chỉnh lý" in " ".join(str(c.value) for c in wb["Hướng dẫn"]["A"])
    for ws in wb.worksheets:  # no formula anywhere
        assert not any(isinstance(c.value, str) and c.value.startswith("=")
                       for row in ws.iter_rows() for c in row)


def _validations(ws: Any) -> dict[str, Any]:
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


def test_drop_down_lists(tmp_path: Path) -> None:
    path = init(tmp_path, "--rules", "chung-100")
    wb = openpyxl.load_workbook(path)
    groups = _validations(wb["Văn bản"])["A2:A201"]
    assert groups.type == "list"
    assert groups.formula1 == '"' + ",".join(g for _, g in contract.GROUPS) + '"'
    sections = _validations(wb["Nội dung"])["A2:A201"]
    assert sections.formula1 == '"' + ",".join(s for _, s in contract.SECTIONS) + '"'
    info = wb["Thông tin"]
    row = {info.cell(r, 1).value: r for r in range(2, info.max_row + 1)}
    dv = _validations(info)
    rating = dv[f"B{row['tu_xep_loai']}"]
    assert rating.formula1 == '"' + ",".join(load_rules("chung-100").band_names) + '"'
    assert rating.showErrorMessage and rating.errorStyle == "stop"
    signing = dv[f"B{row['quyen_han_ky']}"]
    assert signing.formula1 == '"TM.,Q.,KT.,TL.,TUQ."'
    assert not signing.showErrorMessage  # "KT. GIÁM ĐỐC" is typed freely
    assert signing.prompt and "KT. GIÁM ĐỐC" in signing.prompt
    # Formats: STT kept as text (2.1 is not a date), counts grouped, years not grouped.
    assert wb["Chấm điểm"]["A40"].number_format == "@"
    assert wb["Văn bản"]["C2"].number_format == "#,##0"
    assert wb["Chỉnh lý"]["A2"].number_format == "0"
    assert info[f"B{row['ngay']}"].number_format == "DD/MM/YYYY"


def test_init_fill_validate_build_default_rules(tmp_path: Path) -> None:
    path = init(tmp_path)
    wb = openpyxl.load_workbook(path)
    fill_common(wb)
    ws, cols, rows = score_rows(wb)
    scores = {"I": 18, "II": 35.5, "III": 30, "IV": 2}
    for r in rows:
        code = ws.cell(r, cols["STT"]).value
        if code in scores:
            ws.cell(r, cols["Điểm tự chấm"], scores[code])
    fill_info(wb, {"tu_xep_loai": "Tốt"})
    wb.save(path)

    checked = check(path)
    assert checked.ok, [i.message for i in checked.errors]
    assert checked.scores.total == Decimal("85.5") and checked.scores.rating == "Tốt"
    out = tmp_path / "bao-cao.docx"
    result = runner.invoke(app, ["build", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Tổng điểm: 85,5 — Xếp loại: Tốt" in result.output
    text = docx_text(out)
    assert "PHÒNG NỘI VỤ" in text
    assert "Trần Thị Bình" in text
    assert "Đề nghị bố trí kho lưu trữ." in text


def test_init_with_criteria_prefills_every_criterion(tmp_path: Path) -> None:
    rules = load_rules("chung-100")
    path = init(tmp_path, "--rules", "chung-100")
    wb = openpyxl.load_workbook(path)
    ws, cols, rows = score_rows(wb)
    listed = [(ws.cell(r, cols["STT"]).value, ws.cell(r, cols["Tiêu chí"]).value,
               ws.cell(r, cols["Điểm tối đa"]).value, ws.cell(r, cols["Điểm tự chấm"]).value)
              for r in rows]
    expected: list[tuple] = []
    for part in rules.parts:
        expected.append((part.code, part.name, None if part.max is None else int(part.max),
                         None))
        expected += [(c.stt, c.text, int(c.max), None) for c in rules.criteria
                     if c.part == part.code]
    assert listed == expected

    # Groups (3 before 3.1, 2 before a)) are sums; every other criterion needs a score,
    # and validate names each empty one at its score cell.
    codes = {p.code for p in rules.parts}
    groups = {r for r, nxt in itertools.pairwise(rows)
              if str(ws.cell(nxt, 1).value).startswith(str(ws.cell(r, 1).value) + ".")
              or ws.cell(nxt, 1).value == "a)"}
    assert len(groups) == 3  # I.3, II.3, III.2
    leaves = {f"D{r}" for r in rows if ws.cell(r, 1).value not in codes and r not in groups}
    missing = {i.cell for i in check(path, rules).errors if i.code == "E305"}
    assert missing == leaves and len(leaves) == len(rules.criteria) - 3

    # Fill every leaf: full marks but one point short in I.3.2, a bonus, a deduction.
    fill_common(wb)
    part = ""
    for r in rows:
        stt = ws.cell(r, cols["STT"]).value
        if stt in ("I", "II", "III", "IV", "V"):
            part = stt
            continue
        if r in groups:
            continue
        maximum = ws.cell(r, cols["Điểm tối đa"]).value
        score = {"IV": 0, "V": 0}.get(part, maximum)
        if (part, stt) == ("I", "3.2"):
            score = maximum - 1
        if (part, stt) == ("IV", "1"):
            score = 2.5
        if (part, stt) == ("V", "2"):
            score = 20.05  # over its maximum 5: refused below, then corrected
        ws.cell(r, cols["Điểm tự chấm"], score)
    fill_info(wb, {"tu_xep_loai": "Hoàn thành xuất sắc"})
    wb.save(path)
    result = runner.invoke(app, ["validate", str(path), "--rules", "chung-100"])
    assert result.exit_code == 1
    assert re.search(r"Chấm điểm!D\d+: tiêu chí 2: điểm tự chấm 20,05 lớn hơn điểm tối đa 5",
                     result.output), result.output

    for r in rows:
        if ws.cell(r, cols["Điểm tự chấm"]).value == 20.05:
            ws.cell(r, cols["Điểm tự chấm"], 4.05)
    wb.save(path)
    # 99 + 2.5 − 4.05 = 97.45 → 97.5 (one decimal, half up) → Hoàn thành xuất sắc.
    out = tmp_path / "bc.docx"
    result = runner.invoke(app, ["build", str(path), "-o", str(out), "--rules", "chung-100"])
    assert result.exit_code == 0, result.output
    assert "Tổng điểm: 97,5 — Xếp loại: Hoàn thành xuất sắc" in result.output
    assert "Hoàn thành xuất sắc" in docx_text(out)


@pytest.mark.parametrize(("scores", "total", "rating"), [
    ((30, 35, 20, 0, 0), "85", "Hoàn thành xuất sắc"),
    ((30, 35, 19.95, 0, 0), "85", "Hoàn thành xuất sắc"),  # 84,95 → 85,0 at one decimal
    ((30, 35, 19.94, 0, 0), "84,9", "Hoàn thành tốt"),
    ((20, 30, 20, 0, 0.05), "70", "Hoàn thành tốt"),  # 69,95 → 70,0
    ((25, 30, 10, 5, 3), "67", "Hoàn thành"),  # bonus added, deduction subtracted
    ((10, 20, 20, 0, 0), "50", "Hoàn thành"),
    ((10, 20, 19, 0, 0), "49", "Không hoàn thành"),
])
def test_rating_under_the_second_rules_file(tmp_path: Path, scores: tuple, total: str,
                                            rating: str) -> None:
    """Part totals only (no items): the bands and rounding of chung-100, not Hà Tĩnh's."""
    rules = load_rules("chung-100")
    path = init(tmp_path, "--rules", "chung-100")
    wb = openpyxl.load_workbook(path)
    fill_common(wb)
    ws, cols, rows = score_rows(wb)
    by_code = dict(zip(("I", "II", "III", "IV", "V"), scores, strict=True))
    for r in rows:  # keep only the part rows: the contract allows parts without items
        code = ws.cell(r, cols["STT"]).value
        if code in by_code:
            ws.cell(r, cols["Điểm tự chấm"], by_code[code])
        else:
            for c in range(1, 6):
                ws.cell(r, c).value = None
    wb.save(path)
    result = runner.invoke(app, ["validate", str(path), "--rules", "chung-100"])
    assert result.exit_code == 0, result.output
    assert f"(tổng {total} điểm, xếp loại {rating})" in result.output
    assert check(path, rules).scores.rating == rating
    # Under the default rules the same sheet is refused: its parts have other maxima.
    assert "E309" in {i.code for i in check(path, load_rules()).errors}


def test_example_round_trip(tmp_path: Path) -> None:
    path = init(tmp_path, "--example", name="mau.xlsx")
    assert path.read_bytes() == (ROOT / "examples" / "so-ldtbxh-ha-tinh-2021.xlsx").read_bytes()
    assert example_bytes() == path.read_bytes()
    checked = check(path)
    assert checked.ok, [i.message for i in checked.errors]
    result = runner.invoke(app, ["build", str(path)])
    assert result.exit_code == 0, result.output
    assert "Tổng điểm: 89 — Xếp loại: Tốt" in result.output
    assert "218/BC-SLĐTBXH" in docx_text(tmp_path / "mau.docx")


def test_example_refuses_other_rules(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "m.xlsx"), "--example",
                                 "--rules", "chung-100"])
    assert result.exit_code == 2
    assert "không dùng được với --rules chung-100" in result.output
    assert not (tmp_path / "m.xlsx").exists()
    init(tmp_path, "--example", "--rules", "ha-tinh-2021", name="m.xlsx")


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "don-vi.xlsx"
    path.write_bytes(b"du lieu cua van thu")
    for args in ([], ["--example"]):
        result = runner.invoke(app, ["init", str(path), *args])
        assert result.exit_code == 2, result.output
        assert f"tệp {path} đã có; không ghi đè" in result.output
        assert "--force" in result.output
        assert path.read_bytes() == b"du lieu cua van thu"
    result = runner.invoke(app, ["init", str(path), "--force"])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(path).sheetnames[1] == "Thông tin"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["don-vi.xlsx"]  # no temp file left


def test_wrong_paths_are_usage_errors(tmp_path: Path) -> None:
    cases = [
        (tmp_path / "bao-cao.docx", "phải có đuôi .xlsx"),
        (tmp_path / "khong-co" / "a.xlsx", "không tồn tại"),
    ]
    (tmp_path / "thu-muc.xlsx").mkdir()
    cases.append((tmp_path / "thu-muc.xlsx", "là một thư mục"))
    for path, words in cases:
        result = runner.invoke(app, ["init", str(path)])
        assert result.exit_code == 2, result.output
        assert words in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thu-muc.xlsx"]


def test_band_names_with_commas_use_a_list_on_the_guide_sheet(tmp_path: Path) -> None:
    """Excel's inline lists split on commas; such names are listed on `Hướng dẫn` instead."""
    text = (ROOT / "src/baocao_cli/score/data/ha-tinh-2021.toml").read_text(encoding="utf-8")
    text = text.replace('name = "Tốt"', 'name = "Tốt, đạt yêu cầu"')
    rules_file = tmp_path / "phay.toml"
    rules_file.write_text(text, encoding="utf-8")
    path = init(tmp_path, "--rules", str(rules_file))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Hướng dẫn", *(s.name for s in contract.SHEETS)]
    info = wb["Thông tin"]
    row = next(r for r in range(2, info.max_row + 1) if info.cell(r, 1).value == "tu_xep_loai")
    formula = _validations(info)[f"B{row}"].formula1
    m = re.fullmatch(r"'Hướng dẫn'!\$([A-Z]+)\$1:\$\1\$(\d+)", formula)
    assert m, formula
    guide = wb["Hướng dẫn"]
    listed = [guide[f"{m.group(1)}{r}"].value for r in range(1, int(m.group(2)) + 1)]
    assert listed == load_rules(rules_file).band_names
    assert "Tốt, đạt yêu cầu" in listed
    assert check(path, load_rules(rules_file)).errors  # still just an empty starter
    assert f"--rules {rules_file}" in " ".join(str(c.value) for c in guide["B"])
