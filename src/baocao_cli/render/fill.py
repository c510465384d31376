"""A Word template taken apart once, then filled many times.

docxtpl, on every render, reads the whole package with python-docx, serialises the body,
renders it, parses it back, moves it into the document tree and writes every part again:
about 25 ms a report, ten times the Jinja rendering itself. A batch fills one template
hundreds of times, so here the template is prepared once: the body, headers, footers and
footnotes become compiled Jinja templates, cleaned by docxtpl's own `patch_xml` so that a
template means exactly what it means to docxtpl (`{%p %}`, `{%tr %}`, tags split across
runs); every other part is kept as the bytes it was. Filling a report renders those
templates, applies docxtpl's post-processing (line breaks in values, table grids, drawing
ids) and writes the zip.
"""

from __future__ import annotations

import functools
import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from .sandbox import TemplateError, template_error

_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
RT_OFFICE_DOCUMENT = _RT + "officeDocument"
RT_HEADER = _RT + "header"
RT_FOOTER = _RT + "footer"
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
CT_DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CT_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
CORE_PART = "docProps/core.xml"
_DOS_DATE, _DOS_TIME = (1 << 5) | 1, 0  # 1980-01-01 00:00
_BODY_MARK = "<baocao-body/>"
_LISTING_CHARS = ("\n", "\t", "\a", "\f")
# Core properties docxtpl renders as Jinja (its `render_properties`).
JINJA_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")


def _parser() -> Any:
    """python-docx's own parser settings: blank text dropped, no entities, no network."""
    from lxml import etree

    return etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)


@functools.cache
def _docxtpl() -> Any:
    """A bare DocxTemplate, for its text clean-up functions (it loads nothing); one per
    process."""
    from docxtpl import DocxTemplate

    return DocxTemplate(io.BytesIO(b""))


def _has_jinja(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


@dataclass
class _Part:
    name: str  # zip member name
    source: str  # the patched Jinja source, paragraphs on lines of their own
    compiled: Any
    well_formed: bool = False  # every output is well-formed XML (`always_well_formed`)


class PreparedTemplate:
    """One template, ready to fill: its parts as compiled Jinja or as fixed bytes."""

    def __init__(self, blob: bytes, env: Any) -> None:
        from lxml import etree

        self.env = env
        self.blob = blob
        try:
            zf = zipfile.ZipFile(io.BytesIO(blob))
            self.members = [(i.filename, zf.read(i)) for i in zf.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise _not_docx(f"không mở được tệp nén ({exc})") from None
        except Exception as exc:  # zlib and zipfile raise many types for damaged archives
            raise _not_docx(f"dữ liệu nén bị lỗi ({type(exc).__name__})") from None
        data = dict(self.members)
        try:
            types = _content_types(data["[Content_Types].xml"])
            package_rels = _relationships(data.get("_rels/.rels", b""), "")
        except KeyError:
            raise _not_docx("thiếu tệp [Content_Types].xml") from None
        except etree.XMLSyntaxError as exc:
            raise _not_docx(f"XML của gói bị lỗi ({exc})") from None
        main = next((t for kind, t, external in package_rels
                     if kind == RT_OFFICE_DOCUMENT and not external), None)
        if main is None or main not in data:
            raise _not_docx("không có phần thân văn bản (word/document.xml)")
        if types(main) != CT_DOCUMENT:
            raise _not_docx(f"phần chính có kiểu nội dung {types(main)}; cần một tài liệu "
                            "Word .docx (không phải mẫu .dotx hay tệp có macro)")
        self.main = main
        rels_name = posixpath.join(posixpath.dirname(main), "_rels",
                                   posixpath.basename(main) + ".rels")
        doc_rels = _relationships(data.get(rels_name, b""), posixpath.dirname(main))

        self.parts: list[_Part] = []
        try:
            root = etree.fromstring(data[main], _parser())
        except etree.XMLSyntaxError as exc:
            raise _not_docx(f"XML của {main} bị lỗi ({exc})") from None
        body = root.find(f"{{{_W_NS}}}body")
        if body is None:
            raise _not_docx(f"{main} không có phần thân (w:body)")
        body_xml = etree.tostring(body, encoding="unicode")
        root.replace(body, etree.Element("baocao-body"))
        shell = etree.tostring(root, encoding="UTF-8", standalone=True).decode("utf-8")
        self.shell = shell.split(_BODY_MARK)
        if len(self.shell) != 2:
            raise _not_docx(f"{main} có cấu trúc không đọc được")
        self._add(main, body_xml)

        wanted = [t for kind, t, external in doc_rels
                  if kind in (RT_HEADER, RT_FOOTER) and not external and data.get(t)]
        wanted += [name for name, blob in self.members
                   if types(name) == CT_FOOTNOTES and blob and name not in wanted]
        for name in dict.fromkeys(wanted):
            try:
                xml = etree.tostring(etree.fromstring(data[name], _parser()),
                                     encoding="unicode")
            except etree.XMLSyntaxError as exc:
                raise _not_docx(f"XML của {name} bị lỗi ({exc})") from None
            self._add(name, xml)

        self.core = next((t for kind, t, external in package_rels
                          if kind == RT_CORE and not external and t in data), None)
        self.extra: dict[str, bytes] = {}
        if self.core is None:
            self._add_core(data)
        self._core_xml = data.get(self.core or "", b"")
        # Members in the template's order (plus any added); the fixed ones compressed now.
        self.order = [name for name, _ in self.members]
        self.order += [name for name in (*self.extra, self.core) if name not in self.order]
        filled = {p.name for p in self.parts} | set(self.extra) | {self.core}
        self.fixed = {name: _deflate(blob) for name, blob in self.members
                      if name not in filled}

    def _add(self, name: str, xml: str) -> None:
        if name != self.main and "{" not in xml and "}" not in xml:
            return  # no braces: nothing for patch_xml or Jinja; kept as the bytes it was
        patched = _docxtpl().patch_xml(xml)
        if name != self.main and not _has_jinja(patched):
            return
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)
        try:
            tree = self.env.parse(source)
            compiled = self.env.from_string(tree)  # parsed once, for the proof too
        except Exception as exc:
            raise template_error(exc, self.blob) from None
        self.parts.append(_Part(name, source, compiled, always_well_formed(source, tree)))

    def _add_core(self, data: dict[str, bytes]) -> None:
        """A template without core properties (python-docx would add a default part)."""
        from lxml import etree

        self.core = CORE_PART
        ct = etree.fromstring(data["[Content_Types].xml"], _parser())
        etree.SubElement(ct, f"{{{_CT_NS}}}Override", PartName=f"/{CORE_PART}",
                         ContentType=CT_CORE)
        self.extra["[Content_Types].xml"] = etree.tostring(ct, encoding="UTF-8",
                                                           standalone=True)
        rels = (etree.fromstring(data["_rels/.rels"], _parser()) if data.get("_rels/.rels")
                else etree.Element(f"{{{_RELS_NS}}}Relationships", nsmap={None: _RELS_NS}))
        ids = {r.get("Id") for r in rels}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        etree.SubElement(rels, f"{{{_RELS_NS}}}Relationship", Id=f"rId{n}", Type=RT_CORE,
                         Target=CORE_PART)
        self.extra["_rels/.rels"] = etree.tostring(rels, encoding="UTF-8", standalone=True)

    # ------------------------------------------------------------ filling

    def fill(self, context: dict[str, Any], properties: dict[str, Any]) -> bytes:
        """The filled document. `properties` are core properties set after docxtpl's
        Jinja rendering of them (title, author, created…)."""
        rendered: dict[str, bytes] = dict(self.extra)
        for part in self.parts:
            try:
                xml = part.compiled.render(context)
            except Exception as exc:  # a template is user input: every failure is reported
                raise template_error(exc, self.blob) from None
            rendered[part.name] = self._finish(part, xml)
        rendered[self.core or CORE_PART] = self._core(context, properties)
        entries = [_deflate(rendered[name], _FAST) if name in rendered else self.fixed[name]
                   for name in self.order]
        return _zip(self.order, entries)

    def _finish(self, part: _Part, xml: str) -> bytes:
        """docxtpl's post-processing of a rendered part, then the part's bytes."""
        from lxml import etree

        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")  # undo _add's
        if "{_" in xml or "_}" in xml:
            xml = (xml.replace("{_{", "{{").replace("}_}", "}}")
                   .replace("{_%", "{%").replace("%_}", "%}"))
        trusted = part.well_formed  # proved for Jinja's output, not for what follows
        if any(c in xml for c in _LISTING_CHARS):  # a value with line breaks or tabs
            xml = _docxtpl().resolve_listing(xml)
            trusted = False
        if part.name != self.main:
            tree = etree.fromstring(xml.encode("utf-8"), _parser())
            return etree.tostring(tree, encoding="UTF-8", standalone=True)
        well_formed = (trusted and not _NOT_XML_CHAR.search(xml)) or _well_formed(xml)
        if "docPr" not in xml and well_formed and _tables_settled(xml):
            body = xml  # what docxtpl's table and drawing fixes would leave unchanged
        else:
            tree = _docxtpl().fix_tables(xml)  # a table whose columns a loop changed
            for i, el in enumerate(tree.iter(f"{{{_WP_NS}}}docPr"), start=1001):
                el.set("id", str(i))  # drawings: ids stay unique after loops copied them
            body = etree.tostring(tree, encoding="unicode")
        return (self.shell[0] + body + self.shell[1]).encode("utf-8")

    def _core(self, context: dict[str, Any], properties: dict[str, Any]) -> bytes:
        from docx.opc.coreprops import CoreProperties
        from docx.oxml.coreprops import CT_CoreProperties
        from docx.oxml.parser import parse_xml
        from lxml import etree

        element = parse_xml(self._core_xml) if self._core_xml else CT_CoreProperties.new()
        props = CoreProperties(element)
        if not self._core_xml:  # python-docx's defaults for a part it adds
            props.title, props.last_modified_by, props.revision = "Word Document", \
                "python-docx", 1
        for name in JINJA_PROPERTIES:
            value = getattr(props, name) or ""
            if _has_jinja(value):
                try:  # plain text, not XML: no escaping (python-docx escapes on writing)
                    value = self.env.from_string(
                        "{% autoescape false %}" + value + "{% endautoescape %}"
                    ).render(context)
                except Exception as exc:
                    raise template_error(exc, self.blob) from None
                setattr(props, name, value[:255])
        for name, value in properties.items():
            setattr(props, name, value)
        return etree.tostring(element, encoding="UTF-8", standalone=True)


_Entry = tuple[int, int, int, bytes]  # crc, compressed size, size, compressed data


_FAST = 3  # for the parts filled per report: a third of level 6's time, 20% larger


def _deflate(data: bytes, level: int = 6) -> _Entry:
    co = zlib.compressobj(level, zlib.DEFLATED, -15)
    packed = co.compress(data) + co.flush()
    return zlib.crc32(data), len(packed), len(data), packed


def _zip(names: list[str], entries: list[_Entry]) -> bytes:
    """A zip of deflated members, some compressed once per template (zipfile cannot take
    data already compressed). Dates are fixed, so one report always gives the same bytes."""
    out = io.BytesIO()
    central = []
    for name, (crc, csize, size, packed) in zip(names, entries, strict=True):
        raw = name.encode("utf-8")
        flags = 0 if raw.isascii() else 0x800  # bit 11: the name is UTF-8
        if out.tell() + csize > 0x7FFFFFFF:
            raise TemplateError("tệp mẫu quá lớn: báo cáo vượt quá 2 GB.")
        fields = (20, flags, 8, _DOS_TIME, _DOS_DATE, crc, csize, size, len(raw), 0)
        central.append(struct.pack("<IH", 0x02014B50, 20)
                       + struct.pack("<HHHHHIIIHH", *fields)
                       + struct.pack("<HHHII", 0, 0, 0, 0, out.tell()) + raw)
        out.write(struct.pack("<I", 0x04034B50) + struct.pack("<HHHHHIIIHH", *fields) + raw)
        out.write(packed)
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(names), len(names),
                          len(directory), start, 0))
    return out.getvalue()


# Characters XML 1.0 does not allow (a value could carry them: `{{ "\x0b" }}`).
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT, _BLOCK = "\ue000", "\ue001"  # stand-ins: fine as text, never in a name
# Jinja's filters that turn plain text into markup autoescape then lets through.
_MARKUP_FILTERS = frozenset({"safe", "xmlattr", "tojson", "urlize"})


def always_well_formed(source: str, tree: Any) -> bool:
    """Whether every rendering of `source` (parsed: `tree`) is well-formed XML, whatever
    the values: proved once, so a report need not be parsed to be trusted.

    It holds when the template uses only output, `for` and `if`; no filter that lets
    markup through (`safe`, `xmlattr`, `tojson`, `urlize`); every value sits where text
    may (autoescaped: it cannot open a tag); and the template, and each branch or loop
    body on its own, is well-formed with each value read as text and each inner block as
    text, so any number of copies of any branch can stand where it stands. A template
    that cannot be proved so (such as a `{% if %}` opened in one cell and closed in
    another) is checked after every rendering instead.
    """
    from jinja2 import nodes

    if "<!" in source or "<?" in source:  # a comment or CDATA a value could end early
        return False
    allowed = (nodes.Output, nodes.For, nodes.If)
    for node in tree.find_all(nodes.Stmt):
        if not isinstance(node, allowed):
            return False
    if any(f.name in _MARKUP_FILTERS for f in tree.find_all(nodes.Filter)):
        return False
    bodies: list[tuple[list[Any], bool]] = [(tree.body, True)]
    for node in tree.find_all((nodes.For, nodes.If)):
        branches = [node.body, node.else_]
        if isinstance(node, nodes.If):
            branches += [elif_.body for elif_ in node.elif_]
        bodies += [(branch, False) for branch in branches if branch]
    return all(_fragment_parses(body, root) for body, root in bodies)


def _fragment_parses(body: list[Any], root: bool) -> bool:
    from xml.parsers import expat

    from jinja2 import nodes

    text: list[str] = []
    for node in body:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                text.append(child.data if isinstance(child, nodes.TemplateData) else _TEXT)
        else:
            text.append(_BLOCK)
    xml = "".join(text)
    try:
        expat.ParserCreate().Parse(xml if root else f"<r>{xml}</r>", True)
    except expat.ExpatError:
        return False
    return True


def _well_formed(xml: str) -> bool:
    """Whether the rendered part parses (expat builds no tree: a fraction of lxml's time)."""
    from xml.parsers import expat

    try:
        expat.ParserCreate().Parse(xml, True)
    except expat.ExpatError:
        return False  # docxtpl's recovering parser decides what becomes of it
    return True


_TABLE_TOKEN = re.compile(r"<(/?)w:(tblGrid|tbl|tr|tc|gridCol|gridSpan)\b([^>]*)>")
_SPAN = re.compile(r'\bw:val="(\d+)"')


def _tables_settled(xml: str) -> bool:
    """Whether docxtpl's `fix_tables` would change nothing, from a scan of the tags.

    fix_tables adds grid columns when a row (of the table or of a table nested in it, as
    it counts them) has more cells than the grid, and removes columns no row's spans
    reach. Parsing the body to find that out cost half of a report's rendering; a scan of
    the table tags tells when neither can happen, and anything unusual (a table without
    a grid, a span that is not a number) goes to fix_tables itself.
    """
    if "tblGridChange" in xml:  # a tracked grid change: a second grid inside the table
        return False
    tables: list[list[int]] = []  # per open table: [grid columns, has grid, cells, spans]
    rows: list[list[int]] = []  # per open row: [cells, spans]
    for end, tag, attrs in _TABLE_TOKEN.findall(xml):
        closed = end == "/" or attrs.endswith("/")
        if tag == "tc" and not end:
            if not rows:
                return False
            rows[-1][0] += 1
            rows[-1][1] += 1
        elif tag == "gridSpan":
            m = _SPAN.search(attrs)
            if not rows or m is None:
                return False
            rows[-1][1] += int(m.group(1)) - 1
        elif tag == "gridCol":
            if not tables:
                return False
            tables[-1][0] += 1
        elif tag == "tblGrid" and not end:
            if not tables:
                return False
            tables[-1][1] = 1
        elif tag == "tr":
            if not end:
                rows.append([0, 0])
            if closed:
                if not rows:
                    return False
                cells, spans = rows.pop()
                for t in tables:
                    t[2], t[3] = max(t[2], cells), max(t[3], spans)
        elif tag == "tbl":
            if not end:
                tables.append([0, 0, 0, 0])
            if closed:
                if not tables:
                    return False
                columns, has_grid, cells, spans = tables.pop()
                if not has_grid or cells > columns or spans < columns:
                    return False
    return not tables and not rows


def _not_docx(detail: str) -> TemplateError:
    return TemplateError(f"tệp mẫu không phải tài liệu Word (.docx) hợp lệ: {detail}.")


def _content_types(blob: bytes) -> Any:
    """A function: zip member name → its content type, per [Content_Types].xml."""
    from lxml import etree

    root = etree.fromstring(blob, _parser())
    defaults = {el.get("Extension", "").lower(): el.get("ContentType", "")
                for el in root.iter(f"{{{_CT_NS}}}Default")}
    overrides = {el.get("PartName", "").lstrip("/"): el.get("ContentType", "")
                 for el in root.iter(f"{{{_CT_NS}}}Override")}

    def content_type(name: str) -> str:
        if name in overrides:
            return overrides[name]
        return defaults.get(name.rsplit(".", 1)[-1].lower(), "")

    return content_type


def _relationships(blob: bytes, base: str) -> list[tuple[str, str, bool]]:
    """(type, zip member name of the target, external) of a .rels part."""
    from lxml import etree

    if not blob:
        return []
    out = []
    for el in etree.fromstring(blob, _parser()).iter(f"{{{_RELS_NS}}}Relationship"):
        target = el.get("Target", "")
        external = el.get("TargetMode") == "External"
        if not external:
            target = (target.lstrip("/") if target.startswith("/")
                      else posixpath.normpath(posixpath.join(base, target)))
        out.append((el.get("Type", ""), target, external))
    return out


_prepared: dict[bytes, PreparedTemplate] = {}
_CACHE_SIZE = 4


def prepared(blob: bytes, env: Any) -> PreparedTemplate:
    """The prepared template for `blob`, once per process (a batch fills one template)."""
    found = _prepared.get(blob)
    if found is None:
        if len(_prepared) >= _CACHE_SIZE:
            _prepared.clear()
        found = _prepared[blob] = PreparedTemplate(blob, env)
    return found

