"""The starter read back: true to the rules it was made with, every input yellow and noted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from baocao_cli import contract
from baocao_cli.api import check
from baocao_cli.score.rules import load_rules
from baocao_cli.starter import NOTES, PART_FILL, TO_FILL, write_starter


def _fill(cell) -> str:
    color = cell.fill.start_color.rgb if cell.fill and cell.fill.fill_type == "solid" else ""
    return str(color)[-6:] if color else ""


def _starter(tmp_path: Path, rules_id: str) -> tuple[Path, openpyxl.Workbook]:
    path = tmp_path / f"{rules_id}.xlsx"
    write_starter(path, load_rules(rules_id))
    return path, openpyxl.load_workbook(path)


def _guide(wb: openpyxl.Workbook) -> dict[str, str]:
    ws = wb["Hướng dẫn"]
    return {row[0].value: row[1].value for row in ws.iter_rows(min_row=2) if row[0].value}


def _prompts(ws) -> list[str]:
    return [dv.prompt or "" for dv in ws.data_validations.dataValidation]


@pytest.mark.parametrize("rules_id", ["ha-tinh-2021", "chung-100"])
def test_the_score_sheet_and_its_note_follow_the_rules(tmp_path: Path, rules_id: str) -> None:
    rules = load_rules(rules_id)
    _, wb = _starter(tmp_path, rules_id)
    ws = wb["Chấm điểm"]
    filled = [r for r in ws.iter_rows(min_row=2) if r[0].value]
    codes = {p.code for p in rules.parts}
    rows = {r[0].value: r for r in filled if r[0].value in codes}
    assert [(r[0].value, r[1].value) for r in filled if r[0].value not in codes] == \
        [(c.stt, c.text) for c in rules.criteria]  # pre-filled exactly where the rules have
    scored_by_criteria = {c.part for c in rules.criteria}
    for part in rules.parts:
        row = rows[part.code]
        stt, _, _, tu_cham, _ = row
        if part.code in scored_by_criteria:
            assert _fill(stt) == PART_FILL and _fill(tu_cham) == PART_FILL, part.code
        else:  # read as the part's score: it looks like an input
            assert _fill(stt) != PART_FILL and _fill(tu_cham) == TO_FILL, part.code
    note = _guide(wb)["Chấm điểm"]
    assert ("đã điền sẵn các phần và tiêu chí" in note) == bool(rules.criteria)
    if not rules.criteria:
        assert "không có tiêu chí nên chấm theo phần" in note
        assert all(f"{p.code}" in note for p in rules.parts)
    assert "Điểm cộng và điểm trừ là ô nhập" in note
    if not rules.criteria:
        assert any("Phần V: ghi số điểm bị trừ" in p for p in _prompts(ws))
        assert any("Phần IV: ghi điểm tự chấm của cả phần, từ 0 đến 5" in p
                   for p in _prompts(ws))


def test_every_list_sheet_has_yellow_rows_a_note_and_its_guide_says_so(tmp_path: Path) -> None:
    _, wb = _starter(tmp_path, "ha-tinh-2021")
    guide = _guide(wb)
    for spec in contract.SHEETS:
        if spec.key not in NOTES:
            continue
        ws = wb[spec.name]
        for col in range(1, len(spec.columns) + 1):
            assert _fill(ws.cell(row=2, column=col)) == TO_FILL, (spec.name, col)
        assert any(NOTES[spec.key] == p for p in _prompts(ws)), spec.name
        assert "dòng tô vàng" in guide[spec.name], spec.name
    assert {s.name for s in contract.SHEETS} <= set(guide)


def test_the_signing_drop_down_asks_for_a_title_and_no_message_ends_twice(tmp_path: Path
                                                                          ) -> None:
    _, wb = _starter(tmp_path, "ha-tinh-2021")
    ws = wb["Thông tin"]
    prompts = _prompts(ws)
    assert any("một mình KT. là chưa đủ" in p for p in prompts)
    assert "một mình KT. là chưa đủ" in _guide(wb)["Thông tin"]
    for sheet in wb.worksheets:
        for dv in sheet.data_validations.dataValidation:
            for text in (dv.prompt, dv.error):
                assert not (text or "").endswith(".."), text


def test_bonus_and_deduction_typed_in_the_starter_count(tmp_path: Path) -> None:
    path, wb = _starter(tmp_path, "ha-tinh-2021")
    info = wb["Thông tin"]
    values = {"co_quan": "SỞ NỘI VỤ", "ten_co_quan": "Sở Nội vụ", "ky_hieu": "SNV",
              "dia_danh": "Hà Tĩnh", "nam": 2021, "ngay": dt.datetime(2021, 12, 1),
              "quyen_han_ky": "KT. GIÁM ĐỐC", "chuc_vu_ky": "Phó Giám đốc",
              "nguoi_ky": "Nguyễn Văn An"}
    for row in info.iter_rows(min_row=2):
        if row[0].value in values:
            row[1].value = values[row[0].value]
    docs = wb["Văn bản"]
    docs.append(["Văn bản đi", "Công văn", 120])
    scores = wb["Chấm điểm"]
    typed = {"I": 18, "II": 35, "III": 32, "IV": 2, "V": 1}
    for row in scores.iter_rows(min_row=2):
        if row[0].value in typed:
            row[3].value = typed[row[0].value]
    wb["Nơi nhận"].append(["Lưu: VT"])
    wb.save(path)
    checked = check(path)
    assert not checked.errors, [i.message for i in checked.errors]
    assert checked.scores is not None
    assert checked.scores.total == 18 + 35 + 32 + 2 - 1


def _validations_of(ws, ref: str) -> list:
    return [dv for dv in ws.data_validations.dataValidation if any(ref in r for r in dv.sqref)]


@pytest.mark.parametrize("rules_id", ["ha-tinh-2021", "chung-100"])
def test_every_input_cell_has_one_note(tmp_path: Path, rules_id: str) -> None:
    _, wb = _starter(tmp_path, rules_id)
    info = wb["Thông tin"]
    for row in range(2, len(contract.INFO_KEYS) + 2):
        found = _validations_of(info, f"B{row}")
        assert len(found) == 1 and found[0].prompt, (row, info[f"A{row}"].value)
    scores = wb["Chấm điểm"]
    for row in range(2, scores.max_row + 1):
        if _fill(scores[f"D{row}"]) == TO_FILL:
            found = _validations_of(scores, f"D{row}")
            assert len(found) == 1, row
            assert "từ 0" in found[0].prompt or "bị trừ" in found[0].prompt, row
