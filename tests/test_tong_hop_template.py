"""The consolidated report as a template: the script makes the committed file, the
vocabulary is the context, an office's own template is exported, checked and used."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT
from docx import Document
from factory import set_info, unit_sheets, write_book

from baocao_cli.batch import run_batch
from baocao_cli.cli import main
from baocao_cli.model import Info
from baocao_cli.score.rules import load_rules
from baocao_cli.summary import document
from baocao_cli.summary.results import UnitResult

COMMITTED = ROOT / "src/baocao_cli/render/templates/tong-hop.docx"


def _units() -> list[UnitResult]:
    from decimal import Decimal

    return [UnitResult(0, "a.xlsx", "a.docx", co_quan="Ủy ban nhân dân xã A", nam=2021,
                       total=Decimal("91.5"), rating="Xuất sắc", documents=(("di", 3),),
                       metres_planned=Decimal(10), metres_done=Decimal(5)),
            UnitResult(1, "b.xlsx", None, n_errors=2, errors=("b.xlsx: tệp rỗng",))]


def test_committed_template_is_what_the_script_makes(tmp_path: Path) -> None:
    out = tmp_path / "tong-hop.docx"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_tong_hop.py"), str(out)],
                   check=True, capture_output=True)
    made, committed = zipfile.ZipFile(out), zipfile.ZipFile(COMMITTED)
    assert made.namelist() == committed.namelist()
    for name in made.namelist():
        assert made.read(name) == committed.read(name), (
            f"{name} differs: run python scripts/make_tong_hop.py")


def test_vocabulary_is_exactly_the_context() -> None:
    ctx = document.summary_context(_units(), load_rules(), Info(), [], True)
    assert list(ctx) == list(document.TONG_HOP_VARIABLES)
    for name, fields in document.TONG_HOP_FIELDS.items():
        assert set(ctx[name]) == set(fields), name
    for name, fields in document.TONG_HOP_ITEM_FIELDS.items():
        assert ctx[name], name
        for item in ctx[name]:
            assert set(item) == set(fields), name


def test_without_info_the_blanks_are_dotted_and_nothing_is_foreign() -> None:
    blob, _ = document.build_summary_docx(_units(), load_rules())
    doc = Document(__import__("io").BytesIO(blob))
    sign = [c.text for c in doc.tables[1].rows[0].cells]
    assert sign[1].split() == ["…………", "…………"]  # chức vụ, người ký: to fill by hand
    props = doc.core_properties
    assert props.title.startswith("Tổng hợp kết quả đánh giá") and props.author == ""
    assert "python-docx" not in (props.last_modified_by + props.comments + props.author)
    package = zipfile.ZipFile(__import__("io").BytesIO(blob))
    assert not [n for n in package.namelist() if "thumbnail" in n or "stylesWithEffects" in n]
    app = package.read("docProps/app.xml")
    assert b"Microsoft" not in app and b"Normal.dotm" not in app
    closing = next(p for p in doc.paragraphs if p.text.startswith("Trên đây là"))
    assert closing.paragraph_format.keep_with_next
    assert doc.tables[1].rows[0]._tr.xpath("./w:trPr/w:cantSplit")


def test_export_check_and_use_an_offices_own_template(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture) -> None:
    mau = tmp_path / "mau-tong-hop.docx"
    assert main(["template", "export", str(mau), "--tong-hop"]) == 0
    assert mau.read_bytes() == COMMITTED.read_bytes()
    assert main(["template", "check", str(mau), "--tong-hop"]) == 0
    # The unit template's check refuses it: the consolidated report's names are not a unit's.
    capsys.readouterr()
    assert main(["template", "check", str(mau)]) == 1
    assert "biến 'so_don_vi' không có trong báo cáo" in capsys.readouterr().err
    doc = Document(str(mau))
    for p in doc.paragraphs:
        if p.text == "I. TÌNH HÌNH TỔNG HỢP":
            p.runs[0].text = "I. TÌNH HÌNH NHẬN BÁO CÁO CỦA SỞ"
    doc.save(str(mau))
    assert main(["template", "check", str(mau), "--tong-hop"]) == 0
    units = tmp_path / "vao"
    units.mkdir()
    write_book(units / "xa.xlsx", set_info(unit_sheets(), "co_quan", "Ủy ban nhân dân xã A"))
    out = tmp_path / "ra"
    assert main(["batch", str(units), "-o", str(out), "--jobs", "1",
                 "--template-tong-hop", str(mau)]) == 0
    text = [p.text for p in Document(str(out / "tong-hop.docx")).paragraphs]
    assert "I. TÌNH HÌNH NHẬN BÁO CÁO CỦA SỞ" in text
    assert "- Số cơ quan, đơn vị, địa phương gửi báo cáo: 1." in text


def test_a_refused_consolidated_template_stops_the_batch_before_any_unit(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    mau = tmp_path / "mau.docx"
    assert main(["template", "export", str(mau), "--tong-hop"]) == 0
    doc = Document(str(mau))
    p = next(p for p in doc.paragraphs if p.text == "{{ mo_dau }}")
    p.runs[0].text = "{{ mo_dau_sai }}"
    doc.save(str(mau))
    units = tmp_path / "vao"
    units.mkdir()
    write_book(units / "xa.xlsx", unit_sheets())
    out = tmp_path / "ra"
    capsys.readouterr()
    assert main(["batch", str(units), "-o", str(out), "--template-tong-hop", str(mau)]) == 1
    assert "biến 'mo_dau_sai' không có trong mẫu báo cáo tổng hợp" in capsys.readouterr().err
    assert not out.exists()


def test_library_batch_takes_the_template_too(tmp_path: Path) -> None:
    units = tmp_path / "vao"
    units.mkdir()
    write_book(units / "xa.xlsx", unit_sheets())
    result = run_batch([units], tmp_path / "ra", jobs=1,
                       template_tong_hop=COMMITTED.read_bytes())
    assert result.summary_docx is not None and result.summary_docx.exists()


def _package_problems(blob: bytes) -> list[str]:
    """What Word would "repair" in a package: a relationship to a missing part, a part
    without a content type, a style referred to but not defined."""
    import io
    import posixpath
    import re

    from lxml import etree

    z = zipfile.ZipFile(io.BytesIO(blob))
    names = set(z.namelist())
    problems = []
    ct = z.read("[Content_Types].xml").decode()
    defaults = set(re.findall(r'Extension="([^"]+)"', ct))
    overrides = {p.lstrip("/") for p in re.findall(r'PartName="([^"]+)"', ct)}
    for name in names:
        if name not in overrides and name.rsplit(".", 1)[-1] not in defaults:
            problems.append(f"no content type: {name}")
    for name in (n for n in names if n.endswith(".rels")):
        base = posixpath.dirname(posixpath.dirname(name))
        for el in etree.fromstring(z.read(name)):
            if el.get("TargetMode") == "External":
                problems.append(f"external: {el.get('Target')}")
                continue
            target = posixpath.normpath(posixpath.join(base, el.get("Target", "")))
            if target.lstrip("/") not in names:
                problems.append(f"{name}: missing {target}")
    ids = set(re.findall(r'w:styleId="([^"]+)"', z.read("word/styles.xml").decode()))
    for name in (n for n in names if n.startswith("word/") and n.endswith(".xml")):
        used = re.findall(r'<w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"',
                          z.read(name).decode())
        problems += [f"{name}: undefined style {u}" for u in set(used) - ids]
    return problems


def test_both_reports_are_consistent_packages(tmp_path: Path) -> None:
    from conftest import EXAMPLE

    blob, _ = document.build_summary_docx(_units(), load_rules())
    assert _package_problems(blob) == []
    out = tmp_path / "bc.docx"
    assert main(["build", str(EXAMPLE), "-o", str(out)]) == 0
    assert _package_problems(out.read_bytes()) == []
