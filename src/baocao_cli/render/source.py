"""The one reader of a Word template: what `template check` checks is what the fill renders.

A template is untrusted input (an office edits it in Word, anyone can send one), so the
package is guarded before any part is used: its inflated size and ratio against the
workbook limits (read/guards.py), every XML part parsed without entities (a DTD is
refused), every relationship internal (no picture by URL or file://, no attached template,
no external part: LibreOffice would fetch them when it converts the report), no field
that fetches a file (INCLUDEPICTURE, INCLUDETEXT, LINK, DDE). Then the parts the fill
renders — body, headers, footers, footnotes, endnotes and the core properties — are taken
as docxtpl reads them (`patch_xml`), with each tag whose halves lie in different
paragraphs reported, since docxtpl's clean-up would silently swallow the text between.
"""

from __future__ import annotations

import functools
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from .sandbox import TemplateError

_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
RT_OFFICE_DOCUMENT = _RT + "officeDocument"
RT_HYPERLINK = _RT + "hyperlink"
RT_IMAGE = _RT + "image"
# The parts docxtpl renders, by the main document's relationship to them.
RENDERED = {_RT + "header": "đầu trang", _RT + "footer": "chân trang",
            _RT + "footnotes": "chú thích cuối trang", _RT + "endnotes": "chú thích cuối bài"}
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
CT_DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# Core properties docxtpl renders as Jinja (its `render_properties`).
JINJA_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_DC = {"title": "dc:title", "subject": "dc:subject", "author": "dc:creator",
       "comments": "dc:description", "identifier": "dc:identifier", "language": "dc:language"}
_CORE_NS = {"dc": "http://purl.org/dc/elements/1.1/"}
_BODY_MARK = "<baocao-body/>"
# Field codes that make a word processor read another file or program.
_FETCHING_FIELD = re.compile(r"\b(INCLUDEPICTURE|INCLUDETEXT|INCLUDE|LINK|DDEAUTO|DDE|IMPORT)\b")


@dataclass
class Problem:
    """One thing the template gets wrong, in Vietnamese: where, what was found, what to do."""

    part: str
    message: str


@dataclass
class Part:
    name: str  # zip member name
    where: str  # for the user: `thân văn bản (document.xml)`
    source: str  # the patched Jinja source, paragraphs on lines of their own


@dataclass
class Template:
    """A template's package, read once: what the fill renders and what it keeps."""

    members: list[tuple[str, bytes]]
    main: str
    shell: list[str]  # the main part around its body
    parts: list[Part]  # the body first, then the other rendered parts with any tag
    core: str | None  # the core properties' member, if any
    properties: list[tuple[str, str]]  # (name, value) of core properties holding a tag
    pictures: dict[str, str]  # picture name (wp:docPr) → its image's member
    styles: dict[str, str]  # paragraph style name → its id (an editor may rename ids)
    problems: list[Problem] = field(default_factory=list)  # tags split across paragraphs


def parser() -> Any:
    """python-docx's own parser settings: blank text dropped, no entities, no network."""
    from lxml import etree

    return etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)


@functools.cache
def docxtpl() -> Any:
    """A bare DocxTemplate, for its text clean-up functions (it loads nothing); one per
    process."""
    from docxtpl import DocxTemplate

    return DocxTemplate(io.BytesIO(b""))


def has_jinja(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


def not_docx(detail: str) -> TemplateError:
    return TemplateError(f"tệp mẫu không phải tài liệu Word (.docx) hợp lệ: {detail}.")


def _refused(part: str, detail: str) -> TemplateError:
    return TemplateError(f"mẫu báo cáo bị từ chối: phần {part} {detail}.")


def _unzip(blob: bytes) -> list[tuple[str, bytes]]:
    """The members, inflated within the workbook limits (a zip bomb is refused unread)."""
    from ..read.guards import MAX_RATIO, MAX_UNCOMPRESSED

    try:
        zf = zipfile.ZipFile(io.BytesIO(blob))
        infos = [i for i in zf.infolist() if not i.is_dir()]
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED or any(
                i.compress_size and i.file_size / i.compress_size > MAX_RATIO
                and i.file_size > 10 * 1024 * 1024 for i in infos):
            raise TemplateError(
                f"tệp mẫu bị từ chối: giải nén ra {total // (1024 * 1024)} MB, quá giới hạn "
                f"{MAX_UNCOMPRESSED // (1024 * 1024)} MB (hoặc tỷ lệ nén bất thường) — không "
                "phải một mẫu Word bình thường.")
        return [(i.filename, zf.read(i)) for i in infos]  # at most file_size each, CRC checked
    except TemplateError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise not_docx(f"không mở được tệp nén ({exc})") from None
    except Exception as exc:  # zlib and zipfile raise many types for damaged archives
        raise not_docx(f"dữ liệu nén bị lỗi ({type(exc).__name__})") from None


def _is_xml(name: str, types: Any) -> bool:
    return name.endswith((".xml", ".rels")) or types(name).endswith("xml")


MAX_XML_PART = 20_000_000  # bytes of one XML part, before it is parsed


def _parse_all(members: list[tuple[str, bytes]], types: Any) -> dict[str, Any]:
    """Every XML part parsed once, a DTD (entity declarations) or malformed XML refused
    with the part's name."""
    from lxml import etree

    from ..read.guards import declares_dtd

    trees = {}
    for name, data in members:
        if not _is_xml(name, types) or not data:
            continue
        if len(data) > MAX_XML_PART:
            raise _refused(name, f"là XML dài {len(data) // 1_000_000} MB, quá giới hạn "
                           f"{MAX_XML_PART // 1_000_000} MB của một phần; một mẫu báo cáo chỉ "
                           "vài trăm KB")
        if declares_dtd(data[:64 * 1024]):
            raise _refused(name, "khai báo DTD hoặc thực thể (<!DOCTYPE, <!ENTITY): tài liệu "
                           "Word không bao giờ có, đây là dấu hiệu tệp bị sửa để tấn công")
        try:
            trees[name] = etree.fromstring(data, parser())
        except etree.XMLSyntaxError as exc:
            raise not_docx(f"XML của phần {name} bị lỗi ({exc})") from None
    return trees


def _content_types(root: Any) -> Any:
    """A function: zip member name → its content type, per [Content_Types].xml."""
    defaults = {el.get("Extension", "").lower(): el.get("ContentType", "")
                for el in root.iter(f"{{{_CT_NS}}}Default")}
    overrides = {el.get("PartName", "").lstrip("/"): el.get("ContentType", "")
                 for el in root.iter(f"{{{_CT_NS}}}Override")}

    def content_type(name: str) -> str:
        if name in overrides:
            return overrides[name]
        return defaults.get(name.rsplit(".", 1)[-1].lower(), "")

    return content_type


def rels_name(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def relationships(tree: Any, base: str) -> list[tuple[str, str, str, bool]]:
    """(id, type, zip member name of the target, external) of a parsed .rels part."""
    if tree is None:
        return []
    out = []
    for el in tree.iter(f"{{{_RELS_NS}}}Relationship"):
        target = el.get("Target", "")
        external = el.get("TargetMode") == "External"
        if not external:
            target = (target.lstrip("/") if target.startswith("/")
                      else posixpath.normpath(posixpath.join(base, target)))
        out.append((el.get("Id", ""), el.get("Type", ""), target, external))
    return out


def _no_external(trees: dict[str, Any]) -> None:
    """Refuse every relationship to outside the package but a hyperlink (a link is only
    followed by a reader who clicks it; a picture, template or part is fetched)."""
    for name, tree in trees.items():
        if not name.endswith(".rels"):
            continue
        for _, kind, target, external in relationships(tree, ""):
            if external and kind != RT_HYPERLINK:
                what = kind.rsplit("/", 1)[-1]
                raise _refused(name, f"trỏ ra ngoài tệp ({what}: {target[:200]}); mẫu chỉ được "
                               "chứa ảnh và nội dung nằm ngay trong tệp. Chèn ảnh trực tiếp "
                               "(Insert → Picture → This Device), không liên kết tới tệp hay "
                               "địa chỉ web")


def where_of(name: str, kind: str | None) -> str:
    base = name.rsplit("/", 1)[-1]
    return f"{RENDERED.get(kind or '', 'thân văn bản')} ({base})"


def paragraph_text(xml: str) -> str:
    text = re.sub(r"<[^>]+>", "", xml)
    for a, b in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"),
                 ("&amp;", "&")):
        text = text.replace(a, b)
    return text.strip()


_TAG_TOKEN = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
_CLOSE = {"{{": "}}", "{%": "%}", "{#": "#}"}


def _split_tags(tree: Any, where: str) -> list[Problem]:
    """Tags whose opening and closing halves are not in one paragraph: docxtpl's clean-up
    would join them across paragraphs and drop the text in between."""
    problems = []
    t_tag, p_tag = f"{{{_W_NS}}}t", f"{{{_W_NS}}}p"
    for p in tree.iter(p_tag):
        text = "".join(t.text or "" for t in p.iter(t_tag)
                       if next(t.iterancestors(p_tag)) is p)
        if "{" not in text and "}" not in text:
            continue
        opened = None
        bad = False
        for token in _TAG_TOKEN.findall(text):
            if token in _CLOSE:
                bad = bad or opened is not None
                opened = token
            elif opened is not None and token == _CLOSE[opened]:
                opened = None
            else:
                bad = True
        if bad or opened is not None:
            shown = text.strip()
            shown = shown if len(shown) <= 120 else shown[:117] + "…"
            problems.append(Problem(where, (
                f"thẻ Jinja không đóng mở trọn trong một đoạn văn: đoạn “{shown}”. Mỗi thẻ "
                "{{ … }} hoặc {% … %} phải mở và đóng trong cùng một đoạn văn (cùng một ô "
                "bảng); kiểm tra dấu ngoặc bị thiếu hoặc thừa.")))
    return problems


def _fetching_fields(tree: Any, where: str) -> None:
    w = f"{{{_W_NS}}}"
    codes = [el.text or "" for el in tree.iter(f"{w}instrText")]
    codes += [el.get(f"{w}instr", "") for el in tree.iter(f"{w}fldSimple")]
    for code in codes:
        m = _FETCHING_FIELD.search(code.upper())
        if m:
            raise _refused(where, f"có trường {m.group(1)} nạp tệp hoặc chương trình khác "
                           f"(“{code.strip()[:120]}”); mẫu không được nạp gì ngoài chính nó")


def _pictures(body: Any, rels: list[tuple[str, str, str, bool]]) -> dict[str, str]:
    """Picture name → the member of its image, for the pictures the fill may replace."""
    targets = {rid: target for rid, kind, target, external in rels
               if kind == RT_IMAGE and not external}
    out = {}
    wp = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
    embed = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"
    for pr in body.iter(f"{wp}docPr"):
        drawing = pr.getparent()
        blip = next(drawing.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip"),
                    None)
        if blip is not None and blip.get(embed) in targets and pr.get("name"):
            out.setdefault(pr.get("name"), targets[blip.get(embed)])
    return out


# A part compiled as Jinja: a report's body is about 100 KB; compiling tens of MB would
# take minutes and gigabytes before anything is rendered.
MAX_SOURCE = 10_000_000


def _source(tree: Any, name: str) -> str:
    from lxml import etree

    xml = etree.tostring(tree, encoding="unicode")
    if len(xml) > MAX_SOURCE and has_jinja(xml):
        raise _refused(name, f"dài {len(xml) // 1_000_000} triệu ký tự và có thẻ Jinja, quá "
                       f"giới hạn {MAX_SOURCE // 1_000_000} triệu ký tự của một phần được "
                       "điền; một mẫu báo cáo chỉ vài trăm nghìn ký tự")
    patched = docxtpl().patch_xml(xml)
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)


def read_template(blob: bytes) -> Template:
    """The template's package, guarded and taken apart (TemplateError, in Vietnamese,
    naming the part, when it cannot be used at all)."""
    from lxml import etree

    members = _unzip(blob)
    data = dict(members)
    if "[Content_Types].xml" not in data:
        raise not_docx("thiếu tệp [Content_Types].xml")
    try:
        ct_tree = etree.fromstring(data["[Content_Types].xml"], parser())
    except etree.XMLSyntaxError as exc:
        raise not_docx(f"XML của phần [Content_Types].xml bị lỗi ({exc})") from None
    types = _content_types(ct_tree)
    trees = _parse_all(members, types)
    _no_external(trees)
    for name, tree in trees.items():  # a field in any part: comments and text boxes too
        _fetching_fields(tree, name)
    package_rels = relationships(trees.get("_rels/.rels"), "")
    main = next((t for _, kind, t, external in package_rels
                 if kind == RT_OFFICE_DOCUMENT and not external), None)
    if main is None or main not in trees:
        raise not_docx("không có phần thân văn bản (word/document.xml)")
    if types(main) != CT_DOCUMENT:
        raise not_docx(f"phần chính có kiểu nội dung {types(main)}; cần một tài liệu "
                       "Word .docx (không phải mẫu .dotx hay tệp có macro)")
    doc_rels = relationships(trees.get(rels_name(main)), posixpath.dirname(main))
    root = trees[main]
    body = root.find(f"{{{_W_NS}}}body")
    if body is None:
        raise not_docx(f"{main} không có phần thân (w:body)")
    problems: list[Problem] = []
    where = where_of(main, None)
    problems += _split_tags(body, where)
    parts = [Part(main, where, _source(body, main))]
    pictures = _pictures(body, doc_rels)

    shell_root = etree.fromstring(etree.tostring(root), parser())
    shell_root.replace(shell_root.find(f"{{{_W_NS}}}body"), etree.Element("baocao-body"))
    shell = etree.tostring(shell_root, encoding="UTF-8", standalone=True).decode("utf-8")
    halves = shell.split(_BODY_MARK)
    if len(halves) != 2:
        raise not_docx(f"{main} có cấu trúc không đọc được")

    for name, kind in dict((t, k) for _, k, t, external in doc_rels
                           if k in RENDERED and not external and t in trees).items():
        where = where_of(name, kind)
        problems += _split_tags(trees[name], where)
        if has_jinja(docxtpl().patch_xml(etree.tostring(trees[name], encoding="unicode"))):
            parts.append(Part(name, where, _source(trees[name], name)))

    core = next((t for _, kind, t, external in package_rels
                 if kind == RT_CORE and not external and t in data), None)
    properties = []
    if core is not None and core in trees:
        for prop in JINJA_PROPERTIES:
            el = trees[core].find(_DC[prop], _CORE_NS)
            value = el.text if el is not None and el.text else ""
            if "{" in value:
                properties.append((prop, value))
    styles = {}
    for _, kind, target, external in doc_rels:
        if kind == _RT + "styles" and not external and target in trees:
            w = f"{{{_W_NS}}}"
            for st in trees[target].iter(f"{w}style"):
                name = st.find(f"{w}name")
                if st.get(f"{w}type") == "paragraph" and name is not None:
                    styles.setdefault(name.get(f"{w}val", ""), st.get(f"{w}styleId", ""))
    return Template(members, main, halves, parts, core, properties, pictures, styles,
                    problems)


def syntax_text(src: str, exc: Any) -> str:
    """The text of the paragraph a syntax error sits in (the nearest text before a bare tag)."""
    lines = src.splitlines()
    lineno = exc.lineno or len(lines)
    text = paragraph_text(lines[lineno - 1]) if 0 < lineno <= len(lines) else ""
    if not text:
        for line in reversed(lines[: max(lineno - 1, 0)]):
            if text := paragraph_text(line):
                break
    return text
