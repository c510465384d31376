"""Rules files: every problem a province's file can have is refused, named by file and key."""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from baocao_cli.cli import app
from baocao_cli.score.rules import RulesError, load_rules, parse_rules, rules_table, shipped_rules

runner = CliRunner()


def good() -> dict[str, Any]:
    """A small valid rules document; each test breaks one thing in a copy."""
    return copy.deepcopy({
        "id": "thu",
        "title": "Quy tắc thử",
        "parts": [
            {"code": "A", "name": "Chung", "kind": "scored", "max": 60},
            {"code": "B", "name": "Nghiệp vụ", "kind": "scored", "max": 40},
            {"code": "C", "name": "Cộng", "kind": "bonus", "max": 5},
            {"code": "D", "name": "Trừ", "kind": "deduction"},
        ],
        "bands": [{"name": "Giỏi", "from": 80}, {"name": "Đạt", "from": 50},
                  {"name": "Chưa đạt", "from": 0}],
        "criteria": [
            {"part": "A", "stt": "1", "text": "Một", "max": 20},
            {"part": "A", "stt": "2", "text": "Hai", "max": 40},
            {"part": "A", "stt": "2.1", "text": "Hai một", "max": 15},
            {"part": "A", "stt": "2.2", "text": "Hai hai", "max": 25},
        ],
    })


def test_the_good_document_loads() -> None:
    rules = parse_rules(good(), "thu.toml")
    assert [p.code for p in rules.parts] == ["A", "B", "C", "D"]
    assert rules.rating(Decimal("79.99")) == "Đạt"
    assert len(rules.criteria) == 4


def _set(doc: dict, path: str, value: Any) -> None:
    """`path` like `parts.1.max` (0-based list index); value None deletes the key."""
    *head, last = path.split(".")
    target: Any = doc
    for piece in head:
        target = target[int(piece)] if piece.isdigit() else target[piece]
    if value is None:
        del target[int(last) if last.isdigit() else last]
    elif last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value


BAD: list[tuple[str, str, Any, str, str]] = [
    # (test id, path to change, new value, key named in the message, words of the message)
    ("id missing", "id", None, "khóa id", "mã quy tắc"),
    ("id not text", "id", 5, "khóa id", "mã quy tắc"),
    ("unknown top key", "band", [], "khóa band", "không dùng được"),
    ("decimals too many", "decimals", 7, "khóa decimals", "từ 0 đến 4"),
    ("confirmed not bool", "confirmed", "false", "khóa confirmed", "true hoặc false"),
    ("title empty", "title", " ", "khóa title", "chuỗi chữ"),
    ("no parts", "parts", [], "khóa parts", "ít nhất một phần"),
    ("part not a table", "parts.0", "A", "khóa parts[1]", "cần một bảng"),
    ("part code missing", "parts.0.code", None, "khóa parts[1].code", "chuỗi chữ"),
    ("part code twice", "parts.1.code", "A", "khóa parts[2].code", "bị trùng"),
    ("part code like an item", "parts.1.code", "2", "khóa parts[2].code", "dạng STT"),
    ("part kind unknown", "parts.2.kind", "thuong", "khóa parts[3].kind", "scored, bonus"),
    ("part max missing", "parts.0.max", None, "khóa parts[1].max", "điểm tối đa"),
    ("part max zero", "parts.1.max", 0, "khóa parts[2].max", "phải dương"),
    ("part max negative", "parts.2.max", -5, "khóa parts[3].max", "phải dương"),
    ("part max text", "parts.1.max", "40", "khóa parts[2].max", "cần một số"),
    ("part name missing", "parts.1.name", None, "khóa parts[2].name", "chuỗi chữ"),
    ("part key misspelt", "parts.1.maximum", 40, "khóa parts[2].maximum", "không dùng được"),
    ("no scored part", "parts", [{"code": "C", "name": "Cộng", "kind": "bonus", "max": 5}],
     "khóa parts", "scored"),
    ("no bands", "bands", [], "khóa bands", "ít nhất một mức"),
    ("band without from", "bands.1.from", None, "khóa bands[2].from", "điểm thấp nhất"),
    ("band from text", "bands.1.from", "50", "khóa bands[2].from", "cần một số"),
    ("band key misspelt", "bands.1.form", 50, "khóa bands[2].form", "không dùng được"),
    ("band name twice", "bands.1.name", "Giỏi", "khóa bands[2].name", "bị trùng"),
    ("bands out of order", "bands.1.from", 90, "khóa bands[2].from", "từ cao xuống thấp"),
    ("bands overlap", "bands.1.from", 80, "khóa bands[2].from", "không chồng nhau"),
    ("lowest band above 0", "bands.2.from", 10, "khóa bands[3].from", "bắt đầu từ 0"),
    ("band from negative", "bands.2.from", -1, "khóa bands[3].from", "không được âm"),
    ("criteria not a list", "criteria", {"part": "A"}, "khóa criteria", "danh sách"),
    ("criterion of unknown part", "criteria.0.part", "Z", "khóa criteria[1].part",
     "không có phần \"Z\""),
    ("criterion stt twice", "criteria.1.stt", "1", "khóa criteria[2].stt", "bị trùng"),
    ("criterion stt malformed", "criteria.0.stt", "1-a", "khóa criteria[1].stt",
     "không đúng dạng"),
    ("criterion max zero", "criteria.0.max", 0, "khóa criteria[1].max", "phải dương"),
    ("criterion max missing", "criteria.0.max", None, "khóa criteria[1].max", "cần một số"),
    ("criterion text missing", "criteria.0.text", None, "khóa criteria[1].text", "chuỗi chữ"),
    ("criterion key misspelt", "criteria.0.diem", 3, "khóa criteria[1].diem",
     "không dùng được"),
    ("group max differs from children", "criteria.2.max", 10, "khóa criteria[2].max",
     "tiêu chí con cộng lại 35"),
    ("part criteria do not add up", "criteria.0.max", 10, "khóa criteria",
     "cộng lại 50 điểm, khác điểm tối đa 60"),
]


@pytest.mark.parametrize(("path", "value", "key", "words"),
                         [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_each_problem_is_refused_naming_file_and_key(path: str, value: Any, key: str,
                                                     words: str) -> None:
    doc = good()
    _set(doc, path, value)
    with pytest.raises(RulesError) as caught:
        parse_rules(doc, "tinh-x.toml")
    message = str(caught.value)
    assert message.startswith(f"Tệp quy tắc tinh-x.toml, {key}:"), message
    assert words in message


def test_sub_item_needs_a_numbered_item_before_it() -> None:
    doc = good()
    doc["criteria"].insert(0, {"part": "B", "stt": "a)", "text": "x", "max": 1})
    with pytest.raises(RulesError, match=r"khóa criteria\[1\]\.stt: tiêu chí con \"a\)\""):
        parse_rules(doc, "t.toml")


def test_sub_items_a_b_under_different_items_are_not_duplicates() -> None:
    doc = good()
    doc["criteria"] += [
        {"part": "B", "stt": "1", "text": "x", "max": 20},
        {"part": "B", "stt": "a)", "text": "x", "max": 20},
        {"part": "B", "stt": "2", "text": "y", "max": 20},
        {"part": "B", "stt": "a)", "text": "y", "max": 20},
    ]
    rules = parse_rules(doc, "t.toml")
    assert [c.stt for c in rules.criteria if c.part == "B"] == ["1", "a)", "2", "a)"]


def test_bonus_criteria_may_offer_more_than_the_cap() -> None:
    doc = good()
    doc["criteria"] += [{"part": "C", "stt": "1", "text": "x", "max": 5},
                        {"part": "C", "stt": "2", "text": "y", "max": 5}]
    assert parse_rules(doc, "t.toml").part("C").max == 5


def _write(tmp_path: Path, text: str, name: str = "tinh.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, 'id = "x"\n[[parts]\n')
    with pytest.raises(RulesError, match=f"Tệp quy tắc {re.escape(str(path))} sai cú pháp TOML"):
        load_rules(path)


def test_missing_file_and_non_utf8_file(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=r"Không tìm thấy tệp quy tắc .*chung-100, ha-tinh-2021"):
        load_rules(tmp_path / "khong-co.toml")
    path = tmp_path / "latin.toml"
    path.write_bytes('id = "Hà"'.encode("cp1258", errors="replace") + b"\xff")
    with pytest.raises(RulesError, match="không phải văn bản UTF-8"):
        load_rules(path)


def test_cli_shows_a_bad_rules_file_without_traceback(tmp_path: Path) -> None:
    path = _write(tmp_path, (
        'id = "x"\n[[parts]]\ncode = "I"\nname = "Chung"\nmax = 100\n'
        '[[bands]]\nname = "Tốt"\nfrom = 50\n[[bands]]\nname = "Khá"\nfrom = 60\n'))
    for args in (["rules", "show", "--rules", str(path)],
                 ["validate", "x.xlsx", "--rules", str(path)],
                 ["init", str(tmp_path / "a.xlsx"), "--rules", str(path)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
        assert f"Lỗi: Tệp quy tắc {path}, khóa bands[2].from: các mức phải xếp từ cao xuống " \
               "thấp" in result.output
    assert not (tmp_path / "a.xlsx").exists()


def test_shipped_rules_load_and_differ() -> None:
    assert shipped_rules() == ["chung-100", "ha-tinh-2021"]
    default, generic = load_rules(), load_rules("chung-100")
    assert default.id == "ha-tinh-2021" and generic.id == "chung-100"
    assert [str(p.max) for p in generic.parts[:3]] == ["30", "35", "35"]
    assert [p.kind for p in generic.parts] == ["scored"] * 3 + ["bonus", "deduction"]
    assert generic.band_names != default.band_names
    assert {c.part for c in generic.criteria} == {"I", "II", "III", "IV", "V"}
    assert generic.decimals == 1


def test_a_file_named_like_a_shipped_id_wins(tmp_path: Path, monkeypatch) -> None:
    text = (Path(__file__).parent.parent / "src/baocao_cli/score/data/chung-100.toml").read_text(
        encoding="utf-8").replace('id = "chung-100"', 'id = "ban-sao"')
    _write(tmp_path, text, "chung-100")
    monkeypatch.chdir(tmp_path)
    assert load_rules("chung-100").id == "ban-sao"


def test_rules_show_prints_parts_bands_and_criteria() -> None:
    result = runner.invoke(app, ["rules", "show", "--rules", "chung-100"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "CÁC PHẦN" in out and "XẾP LOẠI" in out and "TIÊU CHÍ" in out
    assert re.search(r"^II\s+Công tác văn thư\s+chấm điểm\s+35$", out, re.M)
    assert re.search(r"^V\s+Điểm trừ\s+điểm trừ\s+không giới hạn$", out, re.M)
    assert re.search(r"^Hoàn thành tốt\s+từ 70 đến dưới 85$", out, re.M)
    assert re.search(r"^III\s+a\)\s+Hoàn thành kế hoạch chỉnh lý trong năm\s+6$", out, re.M)


def test_rules_show_default_says_unconfirmed_and_lists_no_criteria() -> None:
    result = runner.invoke(app, ["rules", "show"])
    assert result.exit_code == 0, result.output
    assert "Quy tắc: ha-tinh-2021" in result.output
    assert "chưa được đối chiếu" in result.output
    assert re.search(r"^Xuất sắc\s+từ 90 trở lên$", result.output, re.M)
    assert "không liệt kê tiêu chí" in result.output
    assert rules_table(load_rules()) in result.output


def test_the_docs_example_is_a_valid_rules_file() -> None:
    """docs/rules.md carries a complete rules file; it must load as written."""
    doc = (Path(__file__).parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", doc, re.S)
    assert blocks, "docs/rules.md has no ```toml block"
    import tomllib

    rules = parse_rules(tomllib.loads(blocks[0]), "docs/rules.md")
    assert rules.criteria and rules.bands
