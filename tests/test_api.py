"""The Python API at the top of the package: what the README shows, on real files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

import baocao_cli as bc

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "so-ldtbxh-ha-tinh-2021.xlsx"


def test_check_returns_scores_and_issues_without_raising(tmp_path: Path) -> None:
    checked = bc.check(EXAMPLE)
    assert isinstance(checked, bc.Checked) and checked.ok
    assert checked.scores is not None and checked.scores.rating == "Tốt"
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"not a workbook")
    bad = bc.check(broken)
    assert not bad.ok and [i.code for i in bad.issues] == ["E003"]
    assert isinstance(bad.issues[0], bc.Issue) and bad.issues[0].title == "Không phải sổ Excel"


def test_build_writes_the_report(tmp_path: Path) -> None:
    built = bc.build(EXAMPLE, tmp_path / "bc.docx", rules=bc.load_rules("ha-tinh-2021"))
    assert isinstance(built, bc.Built) and built.output == tmp_path / "bc.docx"
    assert "89" in "\n".join(p.text for p in Document(str(built.output)).paragraphs)


def test_run_batch(tmp_path: Path) -> None:
    units = tmp_path / "nop-ve"
    units.mkdir()
    (units / "a.xlsx").write_bytes(EXAMPLE.read_bytes())
    result = bc.run_batch([units], tmp_path / "ra", jobs=1)
    assert isinstance(result, bc.BatchResult)
    assert [u.output for u in result.units] == ["a.docx"]
    assert result.summary_xlsx is not None and result.summary_xlsx.is_file()


@pytest.mark.parametrize("call", [
    lambda: bc.load_rules("/khong/co.toml"),
    lambda: bc.build(EXAMPLE, "/tmp/x.docx", template=b"not a docx"),
])
def test_the_library_refuses_with_one_base_exception(call) -> None:
    with pytest.raises(bc.BaocaoError) as err:
        call()
    assert str(err.value)  # a message ready for the user


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = bc.khong_co  # type: ignore[attr-defined]
    assert {"check", "build", "run_batch", "load_rules", "Issue", "BaocaoError"} <= set(dir(bc))


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = ("import sys, baocao_cli; "
            "print(sorted(m for m in ('openpyxl', 'docx', 'docxtpl', 'jinja2', 'pandas', "
            "'baocao_cli.api') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_all_names_every_lazy_attribute() -> None:
    assert set(bc.__all__) == {"__version__", *bc._API}
    for name in bc.__all__:
        assert getattr(bc, name) is not None
