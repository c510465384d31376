"""`baocao validate` as a clerk and a machine use it: text, JSON, --strict, exit codes.

Real workbooks from the factory; the command runs in-process through typer's runner, and
the installed `baocao` script is run once as a subprocess for the usage-error exit code.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from factory import set_info, unit_sheets, write_book
from typer.testing import CliRunner

from baocao_cli.cli import app, main
from baocao_cli.contract import field_name
from baocao_cli.issues import CATALOGUE

runner = CliRunner()
ISSUE_LINE = re.compile(r"^ +\[([EW]\d{3})\] (.*)$")


def bad_sheets() -> dict:
    """Two errors on two sheets, two warnings on two sheets, interleaved on purpose."""
    sheets = unit_sheets()
    sheets["Văn bản"][1][2] = "abc"  # E201 Văn bản!C2
    sheets["Chỉnh lý"][1][3] = "722.7"  # W201 Chỉnh lý!D2
    set_info(sheets, "ky_hieu", "ubnd")  # E208 Thông tin!B5
    sheets["Văn bản"][2][2] = -3  # E203 Văn bản!C3
    sheets["Nơi nhận"].pop()  # W501 Nơi nhận
    return sheets


def warn_sheets() -> dict:
    sheets = unit_sheets()
    sheets["Chỉnh lý"][1][5] = "4,714"  # W202 Chỉnh lý!F2
    return sheets


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    return write_book(tmp_path / "bad.xlsx", bad_sheets())


@pytest.fixture
def ok(tmp_path: Path) -> Path:
    return write_book(tmp_path / "ok.xlsx", unit_sheets())


@pytest.fixture
def warn(tmp_path: Path) -> Path:
    return write_book(tmp_path / "warn.xlsx", warn_sheets())


def issue_lines(output: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for line in output.splitlines()
            if (m := ISSUE_LINE.match(line))]


def contiguous(items: list[str]) -> bool:
    """Each value appears in one run: [a, a, b] yes, [a, b, a] no."""
    runs = [x for i, x in enumerate(items) if i == 0 or items[i - 1] != x]
    return len(runs) == len(set(runs))


def test_contiguous_helper_can_fail() -> None:
    assert contiguous(["a", "a", "b"]) and not contiguous(["a", "b", "a"])


def invoke(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.output


# ---------------------------------------------------------------- text output

def test_text_groups_errors_before_warnings_by_sheet_and_counts(bad: Path) -> None:
    code, out = invoke("validate", bad)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"{bad}: KHÔNG HỢP LỆ"
    assert lines[1] == "  Lỗi (3):"
    assert "  Cảnh báo (2):" in lines
    split = lines.index("  Cảnh báo (2):")
    error_part = [x for x in lines[2:split] if ISSUE_LINE.match(x)]
    errors = [ISSUE_LINE.match(x).group(1) for x in error_part]
    warnings = [m.group(1) for x in lines[split + 1:] if (m := ISSUE_LINE.match(x))]
    assert sorted(errors) == ["E201", "E203", "E208"]
    assert sorted(warnings) == ["W201", "W501"]
    # grouped by sheet under a heading: the two Văn bản errors are next to each other
    sheets = [ISSUE_LINE.match(x).group(2).split("!")[0].split(",")[0] for x in error_part]
    assert sheets.count("Văn bản") == 2 and contiguous(sheets)
    headings = [x.strip() for x in lines[2:split] if not ISSUE_LINE.match(x)]
    assert headings == [f'Trang tính "{s}":' for s in dict.fromkeys(sheets)]
    assert lines[-1] == "Tổng cộng: 1 tệp, 3 lỗi, 2 cảnh báo."
    assert ('E201', 'Văn bản!C2: "abc" không phải là số. Cần một số, ví dụ 8.800 hoặc '
            '143,63.') in issue_lines(out)


def test_valid_file_says_so_with_its_total_and_exits_0(ok: Path) -> None:
    code, out = invoke("validate", ok)
    assert code == 0
    assert out.splitlines() == [f"{ok}: hợp lệ (tổng 74,75 điểm, xếp loại Khá)",
                                "Tổng cộng: 1 tệp, 0 lỗi, 0 cảnh báo."]


def test_warnings_pass_unless_strict(warn: Path) -> None:
    code, out = invoke("validate", warn)
    assert code == 0
    assert out.splitlines()[0].startswith(f"{warn}: hợp lệ")
    assert [c for c, _ in issue_lines(out)] == ["W202"]
    code, out = invoke("validate", warn, "--strict")
    assert code == 1
    assert out.splitlines()[0] == f"{warn}: KHÔNG HỢP LỆ (tổng 74,75 điểm, xếp loại Khá)"
    assert out.splitlines()[-1] == "Tổng cộng: 1 tệp, 0 lỗi, 1 cảnh báo."


def test_strict_on_a_clean_file_still_exits_0(ok: Path) -> None:
    assert invoke("validate", ok, "--strict")[0] == 0


def test_several_files_and_folders_end_with_a_summary(tmp_path: Path, bad: Path, ok: Path
                                                      ) -> None:
    folder = tmp_path / "nop-ve" / "huyen"
    folder.mkdir(parents=True)
    nested = write_book(folder / "xa.xlsx", warn_sheets())
    (folder / "ghi-chu.txt").write_text("không phải sổ")
    (folder / "~$xa.xlsx").write_bytes(b"lock file of an open workbook")
    empty = tmp_path / "trong"
    empty.mkdir()
    missing = tmp_path / "khong-co.xlsx"
    code, out = invoke("validate", bad, ok, tmp_path / "nop-ve", empty, missing)
    assert code == 1
    lines = out.splitlines()
    summary = lines[lines.index("Tóm tắt:") + 1:-1]
    assert summary == [
        f"  LỖI  {bad} — 3 lỗi, 2 cảnh báo.",
        f"  ĐẠT  {ok} — 0 lỗi, 0 cảnh báo.",
        f"  ĐẠT  {nested} — 0 lỗi, 1 cảnh báo.",
        f"  LỖI  {missing} — 1 lỗi, 0 cảnh báo.",
        f"  LỖI  {empty} — 1 lỗi, 0 cảnh báo.",
    ]
    assert lines[-1] == "Tổng cộng: 5 tệp, 5 lỗi, 3 cảnh báo."
    codes = [c for c, _ in issue_lines(out)]
    assert "E001" in codes and "E008" in codes
    assert (f"{missing}: KHÔNG HỢP LỆ") in lines


def test_all_valid_files_exit_0(tmp_path: Path, ok: Path, warn: Path) -> None:
    code, out = invoke("validate", ok, warn, tmp_path)
    assert code == 0
    assert "Tóm tắt:" in out
    # the folder holds both files again: a file named twice is validated once
    assert out.splitlines()[-1] == "Tổng cộng: 2 tệp, 0 lỗi, 1 cảnh báo."


# ---------------------------------------------------------------- JSON

ISSUE_KEYS = {"code", "severity", "sheet", "cell", "key", "message", "title", "params"}


def check_shape(doc: dict) -> None:
    assert set(doc) == {"valid", "strict", "files", "summary"}
    assert isinstance(doc["valid"], bool) and isinstance(doc["strict"], bool)
    assert set(doc["summary"]) == {"files", "errors", "warnings"}
    assert doc["summary"]["files"] == len(doc["files"])
    assert doc["summary"]["errors"] == sum(len(f["errors"]) for f in doc["files"])
    assert doc["summary"]["warnings"] == sum(len(f["warnings"]) for f in doc["files"])
    for f in doc["files"]:
        assert {"file", "valid", "errors", "warnings"} <= set(f) <= {
            "file", "valid", "errors", "warnings", "total", "rating"}
        assert f["valid"] == (not f["errors"])
        assert ("total" in f) == ("rating" in f) == f["valid"]
        for severity, items in (("error", f["errors"]), ("warning", f["warnings"])):
            for item in items:
                assert set(item) == ISSUE_KEYS
                assert item["severity"] == severity
                assert item["code"][0] == severity[0].upper()
                place = item["sheet"] if item["cell"] is None else \
                    f"{item['sheet']}!{item['cell']}"
                if item["key"] and not item["cell"]:
                    place = f"{item['sheet']}, mã {item['key']}"
                elif item["key"] and field_name(item["key"]):  # `Thông tin!C9 (ngay — …)`
                    place += f" ({item['key']} — {field_name(item['key'])})"
                assert item["message"].startswith(f"{place}: ")
                assert item["title"] == CATALOGUE[item["code"]].title
                assert isinstance(item["params"], dict)
                for value in item["params"].values():  # the values the sentence was built from
                    assert isinstance(value, str) and value in item["message"]


def run_json(*args: str | Path) -> tuple[int, dict]:
    code, out = invoke("validate", *args, "--format", "json")
    return code, json.loads(out)


def test_json_document_for_a_bad_and_a_good_file(bad: Path, ok: Path) -> None:
    code, doc = run_json(bad, ok)
    assert code == 1
    check_shape(doc)
    assert doc["valid"] is False and doc["strict"] is False
    assert doc["summary"] == {"files": 2, "errors": 3, "warnings": 2}
    first, second = doc["files"]
    assert first["file"] == str(bad) and first["valid"] is False
    assert {(i["code"], i["sheet"], i["cell"]) for i in first["errors"]} == {
        ("E201", "Văn bản", "C2"), ("E203", "Văn bản", "C3"), ("E208", "Thông tin", "B5")}
    e208 = next(i for i in first["errors"] if i["code"] == "E208")
    assert e208["key"] == "ky_hieu"
    assert {(i["code"], i["sheet"], i["cell"]) for i in first["warnings"]} == {
        ("W201", "Chỉnh lý", "D2"), ("W501", "Nơi nhận", None)}
    assert second == {"file": str(ok), "valid": True, "errors": [], "warnings": [],
                      "total": "74,75", "rating": "Khá"}


def test_json_missing_key_is_given_by_key_not_cell(tmp_path: Path) -> None:
    path = write_book(tmp_path / "x.xlsx", set_info(unit_sheets(), "dia_danh", None))
    code, doc = run_json(path)
    assert code == 1
    check_shape(doc)
    (item,) = doc["files"][0]["errors"]
    assert (item["code"], item["sheet"], item["cell"], item["key"]) == (
        "E104", "Thông tin", None, "dia_danh")


def test_json_strict_and_unusable_files(tmp_path: Path, warn: Path) -> None:
    code, doc = run_json(warn, "--strict")
    assert code == 1
    check_shape(doc)
    assert doc["valid"] is False and doc["strict"] is True
    assert doc["files"][0]["valid"] is True  # the file has no errors; strict fails the run
    (tmp_path / "rong.xlsx").write_bytes(b"")
    code, doc = run_json(tmp_path / "rong.xlsx")
    assert code == 1
    check_shape(doc)
    (item,) = doc["files"][0]["errors"]
    assert item["code"] == "E002" and item["sheet"] == "rong.xlsx"


def test_json_is_the_only_output(ok: Path, bad: Path) -> None:
    code, out = invoke("validate", ok, bad, "--format", "json")
    assert code == 1
    json.loads(out)  # the whole output is one JSON document, no text around it
    assert not out.lstrip().startswith(str(ok))


# ---------------------------------------------------------------- exit codes and usage

def test_wrong_usage_exits_2(ok: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 2
    assert main(["validate", str(ok), "--format", "xml"]) == 2
    assert main(["validate", str(ok), "--khong-co"]) == 2
    err = capsys.readouterr().err
    assert "Lỗi: thiếu đối số" in err
    assert "không có tùy chọn --khong-co" in err
    assert main(["validate", str(ok)]) == 0
    assert main(["validate", str(ok), "--strict", "--format", "json"]) == 0


def test_bad_rules_file_exits_2(tmp_path: Path, ok: Path, capsys: pytest.CaptureFixture[str]
                                ) -> None:
    rules = tmp_path / "quy-tac.toml"
    rules.write_text("id = \n", encoding="utf-8")
    assert main(["validate", str(ok), "--rules", str(rules)]) == 2
    assert "Lỗi:" in capsys.readouterr().err


def _baocao() -> list[str]:
    exe = shutil.which("baocao")
    return [exe] if exe else [sys.executable, "-c",
                              "import sys; from baocao_cli.cli import main; sys.exit(main())"]


def test_installed_command_exit_codes(bad: Path, ok: Path) -> None:
    run = [*_baocao(), "validate"]
    usage = subprocess.run([*run, str(ok), "--format", "yaml"], capture_output=True,
                           text=True, timeout=60)
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr and "Lỗi:" in usage.stderr
    invalid = subprocess.run([*run, str(bad)], capture_output=True, text=True, timeout=60)
    assert invalid.returncode == 1
    assert "Traceback" not in invalid.stderr
    assert "[E201] Văn bản!C2" in invalid.stdout
    valid = subprocess.run([*run, str(ok)], capture_output=True, text=True, timeout=60)
    assert valid.returncode == 0, valid.stderr


# ---------------------------------------------------------------- build says the same

@pytest.mark.parametrize("kind", ["bad-values", "unusable", "not-a-zip"])
def test_build_prints_exactly_the_messages_of_validate(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "don-vi.xlsx"
    if kind == "bad-values":
        write_book(path, bad_sheets())
    elif kind == "unusable":
        path.write_bytes(b"")
    else:
        path.write_text("a;b;c\n1;2;3\n", encoding="utf-8")
    v_code, v_out = invoke("validate", path)
    out = tmp_path / "bao-cao.docx"
    b_code, b_out = invoke("build", path, "-o", out)
    assert v_code == b_code == 1
    assert issue_lines(b_out) == issue_lines(v_out) != []
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["don-vi.xlsx"]


def test_readme_json_example_has_the_shape_of_real_output(bad: Path, ok: Path) -> None:
    """The README documents the JSON shape: its example must have the keys real output has."""
    import json
    import re

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    example = json.loads(re.search(r"```json\n(.*?)```", readme, re.S).group(1))
    code, out = invoke("validate", bad, ok, "--format", "json")
    assert code == 1
    real = json.loads(out)
    assert set(example) == set(real)
    assert set(example["summary"]) == set(real["summary"])
    for doc_file, real_file in zip(example["files"], real["files"], strict=True):
        assert set(doc_file) == set(real_file)
    assert set(example["files"][0]["errors"][0]) == set(real["files"][0]["errors"][0])
