"""Templates as untrusted input: each attack is refused by `template check` and by
`build` before LibreOffice (or anything) sees the document, or stopped while rendering
within a time and memory bound — always a Vietnamese message, never a file written."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLE

from baocao_cli.cli import main
from baocao_cli.render import report
from baocao_cli.render.check import check_template
from baocao_cli.render.fill import PreparedTemplate
from baocao_cli.render.sandbox import TemplateError, make_env

DOC = "word/document.xml"
REL_DOC = "word/_rels/document.xml.rels"


def _edit(blob: bytes, edits: dict[str, Callable[[bytes], bytes]],
          add: dict[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(blob))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, edits[name](data) if name in edits else data)
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return out.getvalue()


def _text(new: str) -> Callable[[bytes], bytes]:
    """The paragraph `{{ mo_dau }}` with `new` as its text instead."""
    return lambda data: data.replace(b"{{ mo_dau }}", new.encode("utf-8"), 1)


def _rel(kind: str, target: str) -> Callable[[bytes], bytes]:
    rel = (f'<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/'
           f'2006/relationships/{kind}" Target="{target}" TargetMode="External"/>')
    return lambda data: data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")


def _doctype(data: bytes) -> bytes:
    head, _, rest = data.partition(b"?>")
    return (head + b'?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;'
            b'&a;&a;&a;&a;&a;&a;&a;">]>' + rest)


def _field(code: str) -> Callable[[bytes], bytes]:
    run = (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText '
           f'xml:space="preserve"> {code} </w:instrText></w:r><w:r><w:fldChar '
           f'w:fldCharType="end"/></w:r>')
    return lambda data: data.replace(b"</w:p>", run.encode() + b"</w:p>", 1)


BOMB = {"word/media/bom.bin": b"\0" * (11 * 1024 * 1024)}  # 11 MB of zeros: ratio ~1000
COMMENT_FIELD = {"word/comments.xml": (
    b'<?xml version="1.0" encoding="UTF-8"?><w:comments xmlns:w="http://schemas.openxmlformats'
    b'.org/wordprocessingml/2006/main"><w:comment w:id="0"><w:p><w:fldSimple w:instr='
    b'"INCLUDETEXT &quot;\\\\may-chu\\a.docx&quot;"/></w:p></w:comment></w:comments>')}


def _huge_body(data: bytes) -> bytes:
    """11 million characters of text that compress as text does (no bomb), with a tag."""
    import random

    rng = random.Random(1)
    runs = "</w:t></w:r><w:r><w:t>".join("".join(rng.choices("abcdefghik", k=100_000))
                                         for _ in range(110))
    return data.replace(b"{{ mo_dau }}", b"{{ mo_dau }} " + runs.encode(), 1)

# (id, edits to the exported template, added members, what the message says)
REFUSED = [
    ("image-by-url", {REL_DOC: _rel("image", "http://example.invalid/a.png")}, None,
     "trỏ ra ngoài tệp (image: http://example.invalid/a.png)"),
    ("image-by-file-url", {REL_DOC: _rel("image", "file:///etc/passwd")}, None,
     "trỏ ra ngoài tệp (image: file:///etc/passwd)"),
    ("attached-template", {"word/_rels/settings.xml.rels": lambda d: d}, {
        "word/_rels/settings.xml.rels":
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            b'http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'attachedTemplate" Target="file:///C:/mau/Normal.dotm" TargetMode="External"/>'
            b'</Relationships>'}, "attachedTemplate: file:///C:/mau/Normal.dotm"),
    ("external-part", {REL_DOC: _rel("subDocument", "\\\\may-chu\\chia-se\\phan.docx")}, None,
     "trỏ ra ngoài tệp (subDocument"),
    ("external-header", {REL_DOC: _rel("header", "http://example.invalid/header9.xml")}, None,
     "trỏ ra ngoài tệp (header: http://example.invalid/header9.xml)"),
    ("includepicture-field", {DOC: _field('INCLUDEPICTURE "http://example.invalid/a.png"')},
     None, "có trường INCLUDEPICTURE"),
    ("dde-field", {DOC: _field('DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/c calc"')}, None,
     "có trường DDEAUTO"),
    ("field-in-a-comment", {}, COMMENT_FIELD, "phần word/comments.xml có trường INCLUDETEXT"),
    ("oversized-part", {DOC: _huge_body}, None, "quá giới hạn 10 triệu ký tự"),
    ("oversized-xml", {}, {"customXml/item9.xml": b"<a>" + b"".join(
        b'<b v="' + __import__("random").Random(i).randbytes(500).hex().encode() + b'"/>'
        for i in range(20_300)) + b"</a>"},
     "phần customXml/item9.xml là XML dài 20 MB, quá giới hạn 20 MB"),
    ("entity-declaration-in-body", {DOC: _doctype}, None,
     "phần word/document.xml khai báo DTD hoặc thực thể"),
    ("entity-declaration-in-styles", {"word/styles.xml": _doctype}, None,
     "phần word/styles.xml khai báo DTD hoặc thực thể"),
    ("malformed-header", {"word/header1.xml": lambda d: d.replace(b"</w:hdr>", b"")}, None,
     "XML của phần word/header1.xml bị lỗi"),
    ("malformed-styles", {"word/styles.xml": lambda d: d[: len(d) // 2]}, None,
     "XML của phần word/styles.xml bị lỗi"),
    ("inflate-bomb", {}, BOMB, "quá giới hạn 200 MB (hoặc tỷ lệ nén bất thường)"),
    ("tag-one-brace-short", {DOC: _text("Trích yếu: {{ trich_yeu }")}, None,
     "thẻ Jinja không đóng mở trọn trong một đoạn văn: đoạn “Trích yếu: {{ trich_yeu }”"),
    ("tag-closed-in-the-next-paragraph", {DOC: _text("Mở đầu {{ mo_dau")}, None,
     "đoạn “Mở đầu {{ mo_dau”"),
    ("safe-filter", {DOC: _text("{{ ten_co_quan|safe }}")}, None, "bộ lọc 'safe'"),
    ("xmlattr-filter", {DOC: _text("{{ {'a': ten_co_quan}|xmlattr }}")}, None,
     "bộ lọc 'xmlattr'"),
    ("autoescape-off", {DOC: _text("{% autoescape false %}{{ ten_co_quan }}"
                                   "{% endautoescape %}")}, None, "lệnh autoescape"),
    ("unknown-name-in-header", {"word/header1.xml": lambda d: d.replace(
        b"</w:p>", b"<w:r><w:t>{{ bien_la }}</w:t></w:r></w:p>", 1)}, None,
     "đầu trang (header1.xml): biến 'bien_la' không có"),
    ("python-internals", {DOC: _text("{{ ''.__class__.__mro__ }}")}, None,
     "phần bên trong của Python"),
]


@pytest.fixture(scope="module")
def default() -> bytes:
    return report.default_template()


@pytest.fixture(scope="module")
def ctx() -> dict:
    from baocao_cli.api import check
    from baocao_cli.score.rules import load_rules

    rules = load_rules()
    checked = check(EXAMPLE, rules)
    assert checked.report is not None and checked.scores is not None
    return report.context(checked.report, checked.scores, rules)


@pytest.mark.parametrize(("edits", "add", "message"), [c[1:] for c in REFUSED],
                         ids=[c[0] for c in REFUSED])
def test_refused_by_check_and_by_build(default: bytes, tmp_path: Path, edits: dict,
                                       add: dict | None, message: str,
                                       capsys: pytest.CaptureFixture) -> None:
    blob = _edit(default, edits, add)
    mau = tmp_path / "mau.docx"
    mau.write_bytes(blob)
    capsys.readouterr()
    assert main(["template", "check", str(mau)]) == 1
    err = capsys.readouterr().err
    assert message in err, err
    assert "Traceback" not in err
    out = tmp_path / "bc.docx"
    assert main(["build", str(EXAMPLE), "-o", str(out), "--template", str(mau)]) == 1
    err = capsys.readouterr().err
    assert message in err, err
    assert not out.exists()


# (id, the Jinja a template renders, what the message says); each must stop in seconds.
RUNAWAY = [
    ("nested-loops", "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}"
                     "{% endfor %}", "vòng lặp quá dài"),
    ("chained-repeat", "{{ 'x' * 100000 * 100000 }}", "phép nhân chuỗi"),
    ("repeat-the-other-way", "{{ 100000 * (100000 * 'x') }}", "phép nhân chuỗi"),
    ("center-padding", "{{ 'x'|center(1000000000) }}", "bộ lọc center"),
    ("ljust-padding", "{{ 'x'.ljust(1000000000) }}", "lệnh ljust"),
    ("format-padding", "{{ '%1000000000s'|format('x') }}", "bộ lọc format"),
    ("percent-padding", "{{ '%1000000000s' % 'x' }}", "phép định dạng chuỗi"),
    ("str-format-padding", "{{ '{:>1000000000}'.format('x') }}", "lệnh format"),
    ("join-amplifies", "{{ range(100000)|join('x' * 100000) }}", "bộ lọc join"),
    ("replace-amplifies", "{{ ('x' * 100000)|replace('x', 'y' * 1000) }}", "bộ lọc replace"),
    ("doubling-by-concat", "{% set s = 'x' * 100000 %}" + "{% set s = s ~ s %}" * 40
                           + "{{ s }}", "phép nối chuỗi"),
    ("doubling-by-plus", "{% set s = 'x' * 100000 %}" + "{% set s = s + s %}" * 40
                         + "{{ s }}", "phép cộng chuỗi"),
    ("output-flood", "{% for a in range(100000) %}{{ 'x' * 1000 }}{% endfor %}",
     "văn bản quá lớn"),
]


@pytest.mark.parametrize(("jinja", "message"), [c[1:] for c in RUNAWAY],
                         ids=[c[0] for c in RUNAWAY])
def test_rendering_is_bounded_in_time_and_memory(default: bytes, ctx: dict, jinja: str,
                                                 message: str) -> None:
    blob = _edit(default, {DOC: _text(jinja.replace("'", "&apos;"))})
    started = time.monotonic()
    with pytest.raises(TemplateError, match=message):
        PreparedTemplate(blob, make_env()).fill(ctx, {})
    assert time.monotonic() - started < 15


def test_a_runaway_template_fails_build_with_a_message(default: bytes, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture) -> None:
    mau = tmp_path / "mau.docx"
    mau.write_bytes(_edit(default, {DOC: _text("{{ ket_thuc * 100000 * 100000 }}")}))
    capsys.readouterr()
    assert main(["template", "check", str(mau)]) == 0  # valid Jinja, known names…
    out = tmp_path / "bc.docx"
    assert main(["build", str(EXAMPLE), "-o", str(out), "--template", str(mau)]) == 1
    err = capsys.readouterr().err  # …stopped while rendering
    assert "phép nhân chuỗi tạo ra giá trị quá lớn" in err and not out.exists()


def test_check_reads_every_part_the_fill_renders(default: bytes) -> None:
    """A footnotes part with an unknown name: the check and the fill read the same parts."""
    foot = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w='
            b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:footnote '
            b'w:id="1"><w:p><w:r><w:t>{{ chu_thich_la }}</w:t></w:r></w:p></w:footnote>'
            b'</w:footnotes>')
    rel = (b'<Relationship Id="rIdF" Type="http://schemas.openxmlformats.org/officeDocument/'
           b'2006/relationships/footnotes" Target="footnotes.xml"/>')
    ct = (b'<Override PartName="/word/footnotes.xml" ContentType="application/vnd.'
          b'openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>')
    blob = _edit(default, {
        REL_DOC: lambda d: d.replace(b"</Relationships>", rel + b"</Relationships>"),
        "[Content_Types].xml": lambda d: d.replace(b"</Types>", ct + b"</Types>"),
    }, {"word/footnotes.xml": foot})
    result = check_template(blob, report.VOCABULARY)
    assert [p.part for p in result.problems] == ["chú thích cuối trang (footnotes.xml)"]
    with pytest.raises(TemplateError, match="chu_thich_la"):
        PreparedTemplate(blob, make_env(), report.VOCABULARY)
