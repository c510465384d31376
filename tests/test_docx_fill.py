"""The prepared-template renderer against docxtpl itself: the same template and context must
give the same document, part by part, whatever docxtpl features the template uses."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLE
from docx import Document
from docxtpl import DocxTemplate
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from baocao_cli.api import check
from baocao_cli.render import report as render
from baocao_cli.render.fill import PreparedTemplate
from baocao_cli.render.sandbox import TemplateError, make_env
from baocao_cli.score.rules import load_rules


def _docxtpl(blob: bytes, ctx: dict) -> bytes:
    tpl = DocxTemplate(io.BytesIO(blob))
    tpl.render(ctx, jinja_env=make_env(), autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def _parts(blob: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        assert zf.testzip() is None
        return {name: zf.read(name) for name in zf.namelist()}


def _canonical(xml: bytes) -> bytes:
    return etree.tostring(etree.fromstring(xml), method="c14n", exclusive=True)


def _same_document(ours: bytes, theirs: bytes) -> None:
    a, b = _parts(ours), _parts(theirs)
    assert sorted(a) == sorted(b)
    for name in a:
        if name == "docProps/core.xml":  # compared through its values below
            continue
        if name.endswith((".xml", ".rels")):
            assert _canonical(a[name]) == _canonical(b[name]), name
        else:
            assert a[name] == b[name], name
    # Core properties differ on purpose: docxtpl renders them autoescaped, so a `&` in a
    # value shows as `&amp;` in Word's properties; here they are plain text (tested below).


def test_the_shipped_template_fills_exactly_as_docxtpl_renders_it() -> None:
    rules = load_rules()
    checked = check(EXAMPLE, rules)
    assert checked.report is not None and checked.scores is not None
    ctx = render.context(checked.report, checked.scores, rules)
    blob = render.default_template()
    _same_document(PreparedTemplate(blob, make_env()).fill(ctx, {}), _docxtpl(blob, ctx))


def _feature_template(path: Path) -> bytes:
    """A template using what docxtpl adds to Jinja: paragraph and row loops, a column loop
    that widens a table, a header, a value with line breaks and tabs, a property."""
    doc = Document()
    doc.sections[0].header.paragraphs[0].text = "Đầu trang: {{ ten }}"
    doc.add_paragraph("Kính gửi: {{ ten }}")
    doc.add_paragraph("{%p for x in dong %}")
    doc.add_paragraph("- {{ x }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("Nhiều dòng: {{ nhieu_dong }}")
    table = doc.add_table(rows=4, cols=4)
    for i, text in enumerate(("Năm", "{%tc for c in cot %}", "{{ c }}", "{%tc endfor %}")):
        table.cell(0, i).text = text
    table.cell(1, 0).text = "{%tr for r in hang %}"
    for i in range(4):
        table.cell(2, i).text = f"{{{{ r }}}} {i}"
    table.cell(3, 0).text = "{%tr endfor %}"
    doc.core_properties.comments = "Ghi chú {{ ten }}"
    doc.core_properties.title = "Báo cáo"
    doc.save(str(path))
    return path.read_bytes()


CONTEXT = {
    "ten": "Sở Nội vụ <Hà Tĩnh> & \"các\" đơn vị",
    "dong": ["một", "hai", "ba"],
    "nhieu_dong": "dòng 1\ndòng 2\tcột",
    "cot": ["2018", "2019", "2020", "2021"],
    "hang": ["a", "b"],
}


def test_docxtpl_features_fill_as_docxtpl_renders_them(tmp_path: Path) -> None:
    blob = _feature_template(tmp_path / "mau.docx")
    ours = PreparedTemplate(blob, make_env()).fill(CONTEXT, {})
    _same_document(ours, _docxtpl(blob, CONTEXT))
    doc = Document(io.BytesIO(ours))
    assert doc.sections[0].header.paragraphs[0].text == f"Đầu trang: {CONTEXT['ten']}"
    assert len(doc.tables[0].columns) == 5  # the column loop widened the grid
    assert doc.core_properties.comments == f"Ghi chú {CONTEXT['ten']}"
    body = _parts(ours)["word/document.xml"].decode()
    assert "<w:br/>" in body and "<w:tab/>" in body


def test_the_consolidated_template_with_its_picture_fills_as_docxtpl_renders_it() -> None:
    """The picture's drawing ids are renumbered on the text, as docxtpl does on the tree."""
    from decimal import Decimal

    from baocao_cli.model import Info
    from baocao_cli.summary.document import default_template, summary_context
    from baocao_cli.summary.results import UnitResult

    units = [UnitResult(i, f"nop-ve/{i}.xlsx", f"{i}.docx", co_quan=f"Xã số {i}", nam=2025,
                        total=Decimal(70 + i), rating="Khá") for i in range(3)]
    ctx = summary_context(units, load_rules(), Info(), [], True)
    blob = default_template()
    ours = PreparedTemplate(blob, make_env()).fill(ctx, {})
    _same_document(ours, _docxtpl(blob, ctx))
    assert '<wp:docPr id="1001"' in _parts(ours)["word/document.xml"].decode()


def test_pictures_copied_by_a_loop_get_unique_ids(tmp_path: Path) -> None:
    from PIL import Image

    png = tmp_path / "a.png"
    Image.new("RGB", (4, 4), "red").save(png)
    doc = Document()
    doc.add_paragraph("{%p for x in dong %}")
    doc.add_paragraph().add_run().add_picture(str(png))
    doc.add_paragraph("{{ x }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph().add_run().add_picture(str(png))
    path = tmp_path / "hinh.docx"
    doc.save(str(path))
    blob = path.read_bytes()
    ours = PreparedTemplate(blob, make_env()).fill(CONTEXT, {})
    _same_document(ours, _docxtpl(blob, CONTEXT))
    ids = re.findall(r'<wp:docPr id="(\d+)"', _parts(ours)["word/document.xml"].decode())
    assert ids == ["1001", "1002", "1003", "1004"]


def test_same_report_gives_the_same_bytes(tmp_path: Path) -> None:
    blob = _feature_template(tmp_path / "mau.docx")
    first = PreparedTemplate(blob, make_env()).fill(CONTEXT, {})
    assert PreparedTemplate(blob, make_env()).fill(CONTEXT, {}) == first


def test_properties_are_set_after_the_template_s(tmp_path: Path) -> None:
    import datetime as dt

    blob = _feature_template(tmp_path / "mau.docx")
    when = dt.datetime(2021, 11, 24)
    out = PreparedTemplate(blob, make_env()).fill(
        CONTEXT, {"title": "Tiêu đề", "author": "Sở", "created": when, "keywords": "k"})
    props = Document(io.BytesIO(out)).core_properties
    assert (props.title, props.author, props.keywords) == ("Tiêu đề", "Sở", "k")
    assert props.created is not None and props.created.replace(tzinfo=None) == when


def _without(blob: bytes, member: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            if info.filename != member:
                data = src.read(info)
                if info.filename in ("_rels/.rels", "[Content_Types].xml"):
                    data = re.sub(rb"<[^<>]*docProps/core\.xml[^<>]*/>", b"", data)
                    assert b"core.xml" not in data
                dst.writestr(info, data)
    return buf.getvalue()


def test_a_template_without_core_properties_gets_them(tmp_path: Path) -> None:
    blob = _without(_feature_template(tmp_path / "mau.docx"), "docProps/core.xml")
    out = PreparedTemplate(blob, make_env()).fill(CONTEXT, {"title": "Tiêu đề"})
    assert "docProps/core.xml" in _parts(out)
    assert Document(io.BytesIO(out)).core_properties.title == "Tiêu đề"


@pytest.mark.parametrize(("blob", "said"), [
    (b"not a zip", "không mở được tệp nén"),
    (b"", "không mở được tệp nén"),
])
def test_what_is_not_a_docx_is_refused_in_vietnamese(blob: bytes, said: str) -> None:
    with pytest.raises(TemplateError, match=said):
        PreparedTemplate(blob, make_env())


def test_a_word_template_dotx_is_refused(tmp_path: Path) -> None:
    blob = _feature_template(tmp_path / "mau.docx")
    main = b"wordprocessingml.document.main+xml"
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(main, b"wordprocessingml.template.main+xml")
            dst.writestr(info, data)
    with pytest.raises(TemplateError, match=r"\.dotx"):
        PreparedTemplate(buf.getvalue(), make_env())


# ---------------------------------------------------------------- the table scan

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


@st.composite
def _table(draw: st.DrawFn, depth: int = 0) -> str:
    columns = draw(st.integers(0, 4))
    grid = "" if draw(st.integers(0, 9)) == 0 else (
        "<w:tblGrid>" + '<w:gridCol w:w="1000"/>' * columns + "</w:tblGrid>")
    rows = []
    for _ in range(draw(st.integers(0, 3))):
        cells = []
        for _ in range(draw(st.integers(0, 5))):
            span = draw(st.integers(1, 3))
            pr = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span > 1 else ""
            inner = draw(_table(depth + 1)) if depth < 1 and draw(st.booleans()) else ""
            cells.append(f"<w:tc>{pr}<w:p/>{inner}</w:tc>")
        rows.append("<w:tr>" + "".join(cells) + "</w:tr>")
    return "<w:tbl><w:tblPr/>" + grid + "".join(rows) + "</w:tbl>"


@settings(max_examples=300, deadline=None)
@given(st.lists(_table(), min_size=1, max_size=3))
def test_the_table_scan_says_settled_only_when_fix_tables_changes_nothing(
        tables: list[str]) -> None:
    from baocao_cli.render.fill import _tables_settled

    xml = f"<w:body {W}>" + "<w:p/>".join(tables) + "</w:body>"
    if not _tables_settled(xml):
        return
    fixed = DocxTemplate(io.BytesIO(b"")).fix_tables(xml)
    assert etree.tostring(fixed, method="c14n") == etree.tostring(etree.fromstring(xml),
                                                                   method="c14n")


def test_the_table_scan_sends_a_widened_table_to_fix_tables() -> None:
    from baocao_cli.render.fill import _tables_settled

    grid = '<w:tblGrid><w:gridCol w:w="1"/><w:gridCol w:w="1"/></w:tblGrid>'
    row = "<w:tr>" + "<w:tc><w:p/></w:tc>" * 2 + "</w:tr>"
    wide = "<w:tr>" + "<w:tc><w:p/></w:tc>" * 3 + "</w:tr>"
    assert _tables_settled(f"<w:body {W}><w:tbl>{grid}{row}{row}</w:tbl></w:body>")
    assert not _tables_settled(f"<w:body {W}><w:tbl>{grid}{row}{wide}</w:tbl></w:body>")
    assert not _tables_settled(f"<w:body {W}><w:tbl>{grid}</w:tbl></w:body>")  # no rows


@st.composite
def _template_tables(draw: st.DrawFn) -> tuple[str, dict]:
    """Tables in Jinja: rows as written, in a row loop or `if`, cells with an `if` inside
    or a column loop; maybe a whole table in an `if`. With a context to render them."""
    ctx: dict = {}

    def name(kind: str) -> str:
        key = f"{kind}{len(ctx)}"
        ctx[key] = draw(st.integers(0, 2)) if kind == "n" else draw(st.booleans())
        return key

    return "<w:p/>".join(_one_table(draw, name) for _ in range(draw(st.integers(1, 2)))), ctx


def _one_table(draw: st.DrawFn, name: Callable[[str], str]) -> str:
    columns = draw(st.integers(1, 3))
    grid = "<w:tblGrid>" + '<w:gridCol w:w="1000"/>' * columns + "</w:tblGrid>"
    rows = []
    for _ in range(draw(st.integers(1, 3))):
        cells = []
        # Most rows fill the grid exactly (as real tables do), some are short or long.
        spans = [1] * columns if draw(st.integers(0, 3)) else draw(
            st.lists(st.integers(1, 2), min_size=1, max_size=4))
        for span in spans:
            pr = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span > 1 else ""
            inner = "<w:p/>"
            if draw(st.integers(0, 3)) == 0:
                inner = "{% if " + name("b") + " %}<w:p/>{% endif %}<w:p/>"
            cell = f"<w:tc>{pr}{inner}</w:tc>"
            if draw(st.integers(0, 5)) == 0:  # a column loop
                cell = "{% for c in range(" + name("n") + ") %}" + cell + "{% endfor %}"
            cells.append(cell)
        row = "<w:tr>" + "".join(cells) + "</w:tr>"
        kind = draw(st.integers(0, 3))
        if kind == 1:
            row = "{% for r in range(" + name("n") + ") %}" + row + "{% endfor %}"
        elif kind == 2:
            row = "{% if " + name("b") + " %}" + row + "{% endif %}"
        rows.append(row)
    table = "<w:tbl><w:tblPr/>" + grid + "".join(rows) + "</w:tbl>"
    if draw(st.integers(0, 3)) == 0:
        table = "{% if " + name("b") + " %}" + table + "{% endif %}"
    return table


@settings(max_examples=400, deadline=None)
@given(_template_tables())
def test_tables_proved_settled_once_are_settled_in_every_rendering(
        drawn: tuple[str, dict]) -> None:
    """What `always_settled` proves of a template holds of its renderings: the scan of
    each report it saves would have found its tables settled."""
    from baocao_cli.render.fill import _tables_settled, always_settled

    tables, ctx = drawn
    source = f"<w:body {W}>{tables}</w:body>"
    if always_settled(source):
        assert _tables_settled(make_env().from_string(source).render(ctx)), ctx


def test_the_shipped_templates_tables_are_proved_settled(tmp_path: Path) -> None:
    from baocao_cli.summary.document import default_template

    for blob in (render.default_template(), default_template()):
        assert PreparedTemplate(blob, make_env()).parts[0].tables_settled
    features = PreparedTemplate(_feature_template(tmp_path / "mau.docx"), make_env())
    assert not features.parts[0].tables_settled  # its column loop: scanned per report


# ---------------------------------------------------------------- proved well-formed


BODY = f"<w:body {W}>{{}}</w:body>"
PARA = "<w:p><w:r><w:t>{}</w:t></w:r></w:p>"


@pytest.mark.parametrize(("inner", "proved"), [
    (PARA.format("{{ ten }}"), True),
    ("{% for x in dong %}" + PARA.format("{{ x }}") + "{% endfor %}", True),
    ("{% if a %}" + PARA.format("a") + "{% elif b %}" + PARA.format("b") + "{% else %}"
     + PARA.format("c") + "{% endif %}", True),
    ('<w:p><w:pPr><w:jc w:val="{{ canh }}"/></w:pPr></w:p>', True),  # a value in quotes
    # an `if` opened in one paragraph's text and closed in another's: not proved (the
    # closing tags inside the branch), checked after each rendering instead
    ("<w:p><w:r><w:t>{% if a %}x</w:t></w:r></w:p>" + PARA.format("y{% endif %}"), False),
    ("<w:p><w:{{ ten }}/></w:p>", False),  # a value as an element name
    ("<w:p><w:r w:rsidR={{ ten }}/></w:p>", False),  # unquoted
    ("<w:p {% if a %}w:rsidR=\"1\"{% endif %}/>", False),  # a block inside a tag
    (PARA.format("{{ ten | safe }}"), False),  # markup let through
    ('<w:p><w:pPr><w:jc w:val="{{ ten | tojson }}"/></w:pPr></w:p>', False),  # `"` unescaped
    ("<!-- {{ ten }} -->" + PARA.format("x"), False),  # a value could end the comment
    ("{% set x = 1 %}" + PARA.format("{{ x }}"), False),  # only output, for and if
], ids=["value", "for", "if-elif-else", "attribute", "crossing-if", "name", "unquoted",
        "block-in-tag", "safe", "tojson", "comment", "set"])
def test_what_is_proved_well_formed_once(inner: str, proved: bool) -> None:
    from baocao_cli.render.fill import always_well_formed

    source = BODY.format(inner)
    assert always_well_formed(source, make_env().parse(source)) is proved


def test_the_shipped_template_is_proved_and_a_crossing_one_still_comes_out_whole(
        tmp_path: Path) -> None:
    prepared = PreparedTemplate(render.default_template(), make_env())
    assert prepared.parts[0].well_formed
    doc = Document()
    doc.add_paragraph("{% if a %}Mở")
    table = doc.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "đóng{% endif %}"
    doc.save(str(tmp_path / "cheo.docx"))
    crossing = PreparedTemplate((tmp_path / "cheo.docx").read_bytes(), make_env())
    assert not crossing.parts[0].well_formed
    for ctx in ({"a": True}, {"a": False}):
        etree.fromstring(_parts(crossing.fill(ctx, {}))["word/document.xml"])


@pytest.mark.parametrize("value", ["Nguyễn\x0bVăn\x01A", "Nguyễn\ufffeVăn",
                                   "Nguyễn\xa0Văn\x1fA"],  # + a printable-less but legal one
                         ids=["control", "noncharacter", "no-break space and control"])
def test_a_character_xml_forbids_in_a_value_never_reaches_the_document(value: str) -> None:
    rules = load_rules()
    checked = check(EXAMPLE, rules)
    assert checked.report is not None and checked.scores is not None
    ctx = render.context(checked.report, checked.scores, rules)
    ctx["nguoi_ky"] = value
    out = PreparedTemplate(render.default_template(), make_env()).fill(ctx, {})
    body = _parts(out)["word/document.xml"]
    etree.fromstring(body)  # parses: the value was not written as it came
    for bad in ("\x0b", "\x01", "\x1f", "\ufffe"):
        assert bad.encode() not in body


# The characters XML 1.0 forbids, as the specification lists them.
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@settings(max_examples=400)
@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=40)
       | st.text(alphabet=st.sampled_from("aĐễ\t\n\r\x0b\x1f\ufffe\uffff\ufffd\uefff"
                                          "\ud800\U0001f600"), max_size=12))
def test_the_byte_check_finds_what_xml_forbids(text: str) -> None:
    """The check on a part's UTF-8 (a lone surrogate: no bytes at all) agrees with the
    specification's list of characters on every text."""
    from baocao_cli.render.fill import _utf8, _xml_bytes_only

    data = _utf8(text)
    assert (data is not None and _xml_bytes_only(data)) == (not _NOT_XML_CHAR.search(text))


def test_sized_paragraphs_get_their_indents_wherever_they_are() -> None:
    from baocao_cli.render.fill import _set_indents

    def para(*styles: str, extra: str = "") -> str:
        return ("<w:p><w:pPr>" + "".join(f'<w:pStyle w:val="{s}"/>' for s in styles)
                + extra + "</w:pPr></w:p>")

    def ind(twips: int) -> str:
        return f'<w:ind w:firstLine="0" w:left="{twips}" w:right="{twips}"/>'

    xml = para("A", extra='<w:ind w:left="5"/><w:jc w:val="center"/>') + para("B") + para("C")
    assert _set_indents(xml, {"A": 10, "B": 20}) == (
        para("A", extra=ind(10) + '<w:jc w:val="center"/>') + para("B", extra=ind(20))
        + para("C"))
    # properties naming both styles (no editor writes that): one style after the other,
    # the last one's indent kept
    assert _set_indents(para("B", "A"), {"A": 10, "B": 20}) == para("B", "A", extra=ind(20))
    assert _set_indents(xml, {}) == xml
