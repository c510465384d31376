"""Every wrong usage, run as the installed command: Vietnamese only, the subcommand's help named."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from baocao_cli.cli.wording import type_message

# Words of click's and typer's English: messages, help scaffolding, metavars, ranges.
CLICK_WORDS = re.compile(
    r"\b(Usage|Error|Invalid|value|Missing|missing|option|argument|arguments|Options|"
    r"Arguments|Commands|COMMAND|ARGS|OPTIONS|Try|No such|is not|Possible|range|"
    r"directory|readable|writable|exist|Directory|File|Path|required|default|Show|"
    r"message|exit|Got|unexpected|extra|Aborted|requires|does not|take|valid|one of|"
    r"Choose|from|path|integer|DEPRECATED|deprecated|env var)\b|<path>|x>=|\.\.$|\.\.\n"
)


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "baocao_cli.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60,
                          env={"COLUMNS": "100", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})


def _english(text: str) -> list[str]:
    """Click's words left in `text`, once options, paths and the user's values are removed."""
    text = re.sub(r"(?<![\w-])--?[\w-]+", " ", text)   # -o, --output, --help
    text = re.sub(r"'[^'\n]*'", " ", text)             # the values the user typed, quoted
    text = re.sub(r"\S*/\S*", " ", text)                # paths
    return [m.group(0) for m in CLICK_WORDS.finditer(text)]


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wording")
    (root / "a-file.xlsx").write_bytes(b"")
    (root / "a-folder").mkdir()
    (root / "a-folder.docx").mkdir()
    return root


WRONG = {
    "unknown option": (["build", "x.xlsx", "--foo"], "baocao build --help"),
    "unknown option, no near name": (["validate", "x", "--zzz"], "baocao validate --help"),
    "unknown command": (["lam-gi"], "baocao --help"),
    "unknown subcommand": (["rules", "xem"], "baocao rules --help"),
    "missing argument": (["build"], "baocao build --help"),
    "missing argument of a subcommand": (["template", "check"], "baocao template check --help"),
    "missing option": (["batch", "a"], "baocao batch --help"),
    "option without its value": (["build", "x.xlsx", "-o"], "baocao build --help"),
    "flag given a value": (["build", "--pdf=3", "x.xlsx"], "baocao build --help"),
    "extra argument": (["build", "a.xlsx", "b.xlsx"], "baocao build --help"),
    "bad choice": (["validate", "x", "--format", "xml"], "baocao validate --help"),
    "out of range": (["batch", "a", "-o", "b", "-j", "0"], "baocao batch --help"),
    "not a number": (["batch", "a", "-o", "b", "-j", "hai"], "baocao batch --help"),
    "a folder for a file": (["build", "x.xlsx", "-o", "a-folder.docx"], "baocao build --help"),
    "a file for a folder": (["batch", "a", "-o", "a-file.xlsx"], "baocao batch --help"),
    "a folder for --info": (["batch", "a", "-o", "out", "--info", "a-folder"],
                            "baocao batch --help"),
    # found by the command itself, said the same way
    "a report that is not .docx": (["build", "a-file.xlsx", "-o", "x.pdf"],
                                   "baocao build --help"),
    "a starter over a file": (["init", "a-file.xlsx"], "baocao init --help"),
    "an unknown rules id": (["rules", "show", "--rules", "khong-co"],
                            "baocao rules show --help"),
}


@pytest.mark.parametrize("case", sorted(WRONG))
def test_a_wrong_usage_is_vietnamese_and_names_the_subcommands_help(case: str,
                                                                     place: Path) -> None:
    args, hint = WRONG[case]
    done = _run(*args, cwd=place)
    assert done.returncode == 2, done.stderr
    said = done.stdout + done.stderr
    assert said.strip(), case
    assert not _english(said), (case, _english(said), said)
    assert "Lỗi: " in done.stderr
    assert f"Xem hướng dẫn: {hint}" in done.stderr
    assert ".." not in done.stderr
    assert "Traceback" not in said


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["batch", "-h"],
                                  ["validate", "--help"], ["init", "--help"], ["rules"],
                                  ["template"], ["rules", "show", "--help"],
                                  ["template", "check", "--help"], []])
def test_help_screens_have_no_click_english(args: list[str], place: Path) -> None:
    done = _run(*args, cwd=place)
    said = done.stdout + done.stderr
    assert "Cách dùng: baocao" in said
    assert not _english(said), (_english(said), said)


def test_the_rules_option_says_a_shipped_id_works(place: Path) -> None:
    said = _run("build", "--help", cwd=place).stdout
    assert "chung-100" in said and "ha-tinh-2021" in said


@pytest.mark.parametrize(("english", "vietnamese"), [
    ("Path 'p.xlsx' is not readable.", "không có quyền đọc 'p.xlsx'."),
    ("File 'p.xlsx' is not writable.", "không có quyền ghi 'p.xlsx'."),
    ("Directory 'ex.xlsx' is a file.", "'ex.xlsx' là một tệp, cần một thư mục."),
    ("File 'p' is a directory.", "'p' là một thư mục, cần một tệp."),
    ("File 'p' does not exist.", "'p' không tồn tại."),
    ("0 is not in the range 1<=x<=64.", "0 không hợp lệ: cần từ 1 đến 64."),
    ("'xml' is not one of 'text', 'json'.", "'xml' không phải một trong: text, json."),
])
def test_type_messages_that_a_test_cannot_provoke_as_root(english: str, vietnamese: str) -> None:
    assert type_message(english) == vietnamese
