"""Custom templates: export → check, what check finds, what build refuses, the reference."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLE, ROOT
from docx import Document
from docx.oxml.ns import qn
from docx_text import reading_order

from baocao_cli.api import check
from baocao_cli.cli import main
from baocao_cli.render import layout, sandbox
from baocao_cli.render import report as render
from baocao_cli.render.check import check_template, variables_markdown
from baocao_cli.score.rules import load_rules
from baocao_cli.summary import document


def _export(tmp_path: Path, name: str = "mau.docx") -> Path:
    path = tmp_path / name
    assert main(["template", "export", str(path)]) == 0
    return path


def _replace(path: Path, old: str, new: str) -> None:
    """Edit the template the way Word would: the paragraph's text, in its first run."""
    doc = Document(str(path))
    for p in doc.paragraphs:
        if old in p.text:
            text = p.text.replace(old, new)
            p.runs[0].text = text
            for r in p.runs[1:]:
                r.text = ""
            doc.save(str(path))
            return
    raise AssertionError(f"no paragraph with {old!r}")


def _remove_block(path: Path, start: str, end: str) -> None:
    """Delete the paragraphs from the one that is `start` to the first `end` after it."""
    doc = Document(str(path))
    paras = doc.paragraphs
    i = next(k for k, p in enumerate(paras) if p.text == start)
    j = next(k for k in range(i, len(paras)) if paras[k].text == end)
    for p in paras[i:j + 1]:
        p._p.getparent().remove(p._p)
    doc.save(str(path))


def _context() -> dict:
    rules = load_rules()
    checked = check(EXAMPLE, rules)
    assert checked.report is not None and checked.scores is not None
    return render.context(checked.report, checked.scores, rules)


# ---------------------------------------------------------------- the vocabulary

def test_template_variables_are_exactly_the_context_keys() -> None:
    ctx = _context()
    assert list(ctx) == list(render.TEMPLATE_VARIABLES)
    for name, fields in render.TEMPLATE_FIELDS.items():
        assert set(ctx[name]) == set(fields), name
    for name, fields in render.TEMPLATE_ITEM_FIELDS.items():
        assert ctx[name], name
        for item in ctx[name]:
            assert set(item) == set(fields), name


def test_variables_reference_matches_the_code() -> None:
    committed = (ROOT / "docs" / "template-variables.md").read_text(encoding="utf-8")
    assert committed == variables_markdown(render.VOCABULARY, document.VOCABULARY), (
        "docs/template-variables.md is stale: python scripts/make_template_docs.py")
    for name in [*render.TEMPLATE_VARIABLES, *sandbox.FILTERS]:
        assert f"`{name}`" in committed


def test_committed_template_is_what_the_script_makes(tmp_path: Path) -> None:
    out = tmp_path / "bao-cao.docx"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_template.py"), str(out)],
                   check=True, capture_output=True)
    made = zipfile.ZipFile(out)
    committed = zipfile.ZipFile(ROOT / "src/baocao_cli/render/templates/bao-cao.docx")
    assert made.namelist() == committed.namelist()
    for name in made.namelist():
        assert made.read(name) == committed.read(name), (
            f"{name} differs: run python scripts/make_template.py")


@pytest.mark.parametrize(("value", "name", "expected"), [
    (8800, "so", "8.800"), ("8.800", "so", "8.800"), ("143.63", "so", "143,63"),
    (4.714, "so", "4,714"), ("89.75", "diem", "89,75"), (89.756, "diem", "89,76"),
    (722.7, "tien", "722,7 triệu đồng"), ("143,63", "met", "143,63 mét"),
    ("5/1/2022", "ngay", "ngày 05 tháng 01 năm 2022"),
    ("24/11/2021", "ngay", "ngày 24 tháng 11 năm 2021"), ("Sở Nội vụ", "hoa", "SỞ NỘI VỤ"),
])
def test_vietnamese_filters(value: object, name: str, expected: str) -> None:
    env = sandbox.make_env()
    assert env.from_string("{{ v | " + name + " }}").render(v=value) == expected


def test_date_filter_with_place_and_bad_input() -> None:
    env = sandbox.make_env()
    out = env.from_string("{{ '2022-02-03' | ngay('Hà Tĩnh') }}").render()
    assert out == "Hà Tĩnh, ngày 03 tháng 02 năm 2022"
    with pytest.raises(ValueError, match="không phải ngày"):
        env.from_string("{{ 'hôm qua' | ngay }}").render()


@pytest.mark.parametrize("name", [
    "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "SỞ NỘI VỤ", "ỦY BAN NHÂN DÂN XÃ KỲ TÂN",
    "BAN QUẢN LÝ DỰ ÁN ĐẦU TƯ XÂY DỰNG CÔNG TRÌNH DÂN DỤNG VÀ CÔNG NGHIỆP TỈNH",
])
def test_line_under_the_agency_is_a_third_to_a_half_of_its_text(name: str) -> None:
    width = layout.AGENCY_COLUMN_CM
    lines = layout.wrapped_lines(name, width, 13)
    longest = max(layout.text_width_cm(line, 13) for line in lines)
    assert longest <= width
    indent_cm = layout.rule_indent_twips(name) / 1440 * 2.54
    rule = width - 2 * indent_cm
    assert longest / 3 <= rule <= longest / 2


def test_header_columns_as_mau_1_4_and_quoc_hieu_on_one_line() -> None:
    doc = Document(io.BytesIO(render.default_template()))
    header = doc.tables[0]._tbl
    cols = [int(c.get(qn("w:w"))) / 1440 * 2.54 for c in header.tblGrid.iter(qn("w:gridCol"))]
    assert cols == pytest.approx([6.75, 10.0], abs=0.01)
    quoc_hieu = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert layout.text_width_cm(quoc_hieu, 13) <= cols[1] - 0.2
    cell = doc.tables[0].rows[0].cells[1]
    run = next(r for p in cell.paragraphs for r in p.runs if r.text == quoc_hieu)
    assert run.font.size.pt == 13 and run.font.bold
    # The rule under the agency name is a paragraph of its named style, sized when filled.
    rule = next(p for p in doc.tables[0].rows[0].cells[0].paragraphs
                if p.style.name == layout.RULE_STYLE_AGENCY)
    assert rule._p.pPr.find(qn("w:pBdr")) is not None


@pytest.mark.parametrize("path", ["bao-cao.docx", "tong-hop.docx"])
def test_no_jinja_inside_an_xml_attribute_of_a_shipped_template(path: str) -> None:
    """An editor resets an attribute it cannot read (LibreOffice writes 0) and a schema
    check calls it invalid: the shipped templates hold tags in text only."""
    import re

    package = zipfile.ZipFile(ROOT / "src/baocao_cli/render/templates" / path)
    for name in package.namelist():
        if name.endswith((".xml", ".rels")):
            xml = package.read(name).decode("utf-8")
            assert re.findall(r'="[^"]*(?:\{\{|\{%)[^"]*"', xml) == [], name


# ---------------------------------------------------------------- export → check → build

def test_export_then_check_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = _export(tmp_path)
    assert path.read_bytes() == render.default_template()
    capsys.readouterr()
    assert main(["template", "check", str(path)]) == 0
    out = capsys.readouterr().out
    for name in ("trich_yeu", "noi_nhan", "dong.tieu_chi", "muc.kien_nghi"):
        assert f"  {name}\n" in out
    assert "Mẫu hợp lệ" in out


def test_export_refuses_a_path_that_is_not_docx(tmp_path: Path) -> None:
    assert main(["template", "export", str(tmp_path / "mau.doc")]) == 2
    assert not (tmp_path / "mau.doc").exists()


def test_unknown_variable_is_named(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = _export(tmp_path)
    _replace(path, "{{ mo_dau }}", "{{ mo_dau_moi }}")
    _replace(path, "{{ muc.kien_nghi }}. KIẾN NGHỊ", "{{ muc.kiennghi }}. KIẾN NGHỊ")
    capsys.readouterr()
    assert main(["template", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert "biến 'mo_dau_moi' không có trong báo cáo" in err
    assert "trường 'muc.kiennghi' không có" in err
    out = tmp_path / "bc.docx"
    assert main(["build", str(EXAMPLE), "-o", str(out), "--template", str(path)]) == 1
    err = capsys.readouterr().err
    assert "'mo_dau_moi'" in err and "Traceback" not in err
    assert not out.exists()


def test_syntax_error_is_located(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = _export(tmp_path)
    _replace(path, "{{ ket_thuc }}", "Kết thúc: {{ ket_thuc + }}")
    capsys.readouterr()
    assert main(["template", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert "lỗi cú pháp Jinja" in err
    assert "“Kết thúc: {{ ket_thuc + }}”" in err
    out = tmp_path / "bc.docx"
    assert main(["build", str(EXAMPLE), "-o", str(out), "--template", str(path)]) == 1
    err = capsys.readouterr().err
    assert "cú pháp Jinja" in err and "“Kết thúc: {{ ket_thuc + }}”" in err
    assert "Traceback" not in err and not out.exists()


def test_unclosed_block_is_reported(tmp_path: Path) -> None:
    path = _export(tmp_path)
    _remove_block(path, "{%p endif %}", "{%p endif %}")
    result = check_template(path.read_bytes(), render.VOCABULARY)
    assert not result.ok
    assert any("lỗi cú pháp Jinja" in p.message for p in result.problems)


@pytest.mark.parametrize(("tag", "said"), [
    ("{{ ''.__class__.__mro__ }}", "bị từ chối"),
    ("{{ noi_nhan.__class__.__base__.__subclasses__() }}", "bị từ chối"),
    ("{% include '/etc/passwd' %}", "không được đọc tệp"),
    ("{{ 'x' * 100000000 }}", "bị dừng khi điền: phép nhân chuỗi"),
])
def test_hostile_template_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture,
                                     tag: str, said: str) -> None:
    path = _export(tmp_path)
    _replace(path, "{{ mo_dau }}", tag)
    capsys.readouterr()
    out = tmp_path / "bc.docx"
    assert main(["build", str(EXAMPLE), "-o", str(out), "--template", str(path)]) == 1
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert not out.exists()
    if "*" not in tag:  # the check sees attribute and file access before anything runs
        assert main(["template", "check", str(path)]) == 1


def test_hostile_template_fails_in_a_real_process(tmp_path: Path) -> None:
    path = _export(tmp_path)
    _replace(path, "{{ mo_dau }}", "{{ ''.__class__.__mro__ }}")
    proc = subprocess.run([sys.executable, "-m", "baocao_cli.cli", "build", str(EXAMPLE),
                           "-o", str(tmp_path / "bc.docx"), "--template", str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "mẫu báo cáo bị từ chối" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_custom_template_with_new_wording_and_a_section_removed(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = _export(tmp_path)
    _replace(path, "I. KẾT QUẢ THỰC HIỆN CÔNG TÁC VĂN THƯ, LƯU TRỮ NĂM {{ nam }}",
             "I. KẾT QUẢ CÔNG TÁC VĂN THƯ, LƯU TRỮ CỦA SỞ NĂM {{ nam }}")
    _replace(path, "- Tự xếp loại: {{ xep_loai }}",
             "- Tự xếp loại: {{ xep_loai | upper }} ({{ tong_diem | diem }} điểm, "
             "lập {{ '5/1/2022' | ngay }}; {{ 4714 | so }} văn bản)")
    _remove_block(path, "{%p if muc.kien_nghi %}", "{%p endif %}")
    capsys.readouterr()
    assert main(["template", "check", str(path)]) == 0
    assert "  diem\n" in capsys.readouterr().out
    out = tmp_path / "bc.docx"
    assert main(["build", str(EXAMPLE), "-o", str(out), "--template", str(path)]) == 0
    text = reading_order(out)
    assert "I. KẾT QUẢ CÔNG TÁC VĂN THƯ, LƯU TRỮ CỦA SỞ NĂM 2021" in text
    assert ("- Tự xếp loại: TỐT (89 điểm, lập ngày 05 tháng 01 năm 2022; 4.714 văn bản)"
            in text)
    assert not any("KIẾN NGHỊ" in line for line in text)
    assert not any("{{" in line or "{%" in line for line in text)


def test_build_refuses_a_template_that_is_not_a_docx(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "mau.docx"
    bad.write_text("không phải Word", encoding="utf-8")
    out = tmp_path / "bc.docx"
    assert main(["build", str(EXAMPLE), "-o", str(out), "--template", str(bad)]) == 1
    assert "không phải tài liệu Word" in capsys.readouterr().err
    assert main(["template", "check", str(bad)]) == 1
    assert main(["build", str(EXAMPLE), "-o", str(out), "--template",
                 str(tmp_path / "none.docx")]) == 2
