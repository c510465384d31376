"""`baocao build` and friends through the CLI: CliRunner and the installed command."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

from factory import set_info, unit_sheets, write_book
from typer.testing import CliRunner

from baocao_cli import __version__
from baocao_cli.cli import app, main

runner = CliRunner()


def test_build_writes_beside_the_input_by_default(tmp_path: Path, example: Path) -> None:
    data = tmp_path / "so-ldtbxh.xlsx"
    shutil.copy(example, data)
    result = runner.invoke(app, ["build", str(data)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "so-ldtbxh.docx").is_file()
    assert "Tổng điểm: 89 — Xếp loại: Tốt" in result.output
    assert "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI" in result.output
    assert str(tmp_path / "so-ldtbxh.docx") in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["so-ldtbxh.docx", "so-ldtbxh.xlsx"]


def test_build_with_output_and_warnings(tmp_path: Path) -> None:
    sheets = unit_sheets()
    sheets["Chỉnh lý"][1][1] = "10.5"  # international decimal: a warning, still built
    data = write_book(tmp_path / "u.xlsx", sheets)
    out = tmp_path / "out" / "bc.docx"
    out.parent.mkdir()
    result = runner.invoke(app, ["build", str(data), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert "Chỉnh lý!B2" in result.output and "W201" in result.output


def test_build_refuses_invalid_workbook_and_writes_nothing(tmp_path: Path) -> None:
    sheets = unit_sheets()
    set_info(sheets, "tu_xep_loai", "Tốt")  # computed: 74,75 → Khá
    sheets["Văn bản"][1][2] = -3
    data = write_book(tmp_path / "u.xlsx", sheets)
    result = runner.invoke(app, ["build", str(data)])
    assert result.exit_code == 1
    assert "Văn bản!C2" in result.output and "E203" in result.output
    # The scores are still checked: the declared rating disagrees with the computed one.
    assert "[E313] Thông tin!" in result.output and "xếp loại \"Khá\"" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["u.xlsx"]


def test_build_rating_mismatch_names_the_computed_rating(tmp_path: Path) -> None:
    sheets = unit_sheets()
    set_info(sheets, "tu_xep_loai", "Tốt")
    data = write_book(tmp_path / "u.xlsx", sheets)
    result = runner.invoke(app, ["build", str(data)])
    assert result.exit_code == 1
    assert "E313" in result.output and "74,75" in result.output and "Khá" in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"baocao {__version__}"


def test_wrong_usage_exits_2_in_vietnamese(tmp_path: Path, capsys) -> None:
    assert main(["build"]) == 2
    assert "thiếu đối số" in capsys.readouterr().err
    assert main(["build", "x.xlsx", "--khong-co"]) == 2
    assert "không có tùy chọn --khong-co" in capsys.readouterr().err
    assert main(["build", str(tmp_path / "x.xlsx"), "-o", str(tmp_path / "x.pdf")]) == 2
    assert ".docx" in capsys.readouterr().err
    assert main(["build", str(tmp_path / "x.xlsx"), "-o", str(tmp_path / "no" / "x.docx")]) == 2
    assert main(["lam-gi"]) == 2
    assert main(["build", "--rules", str(tmp_path / "none.toml"), "x.xlsx"]) == 2


def test_help_is_vietnamese(capsys) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "Cách dùng" in out and "Lập báo cáo" in out and "Hiện hướng dẫn" in out
    assert "Show this message" not in out


def test_missing_file_is_a_data_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", str(tmp_path / "khong-co.xlsx")])
    assert result.exit_code == 1
    assert "E001" in result.output and "không tìm thấy tệp" in result.output


def test_template_ships_inside_the_package() -> None:
    res = resources.files("baocao_cli.render").joinpath("templates", "bao-cao.docx")
    assert res.is_file() and res.read_bytes()[:2] == b"PK"
    rules = resources.files("baocao_cli.score").joinpath("data", "ha-tinh-2021.toml")
    assert rules.is_file()


def test_installed_command_as_subprocess(tmp_path: Path, example: Path) -> None:
    exe = shutil.which("baocao") or str(Path(sys.executable).parent / "baocao")
    out = tmp_path / "bc.docx"
    proc = subprocess.run([exe, "build", str(example), "-o", str(out)], capture_output=True,
                          text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.is_file() and "Xếp loại: Tốt" in proc.stdout
    bad = subprocess.run([exe, "build"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
