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

import copy
import io
import itertools
import re
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from .sandbox import TemplateError, budget, guarded, render_bounded, template_error
from .source import (
    JINJA_PROPERTIES,
    Part,
    docxtpl,
    has_jinja,
    parser,
    read_template,
)

_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
CORE_PART = "docProps/core.xml"
_DOS_DATE, _DOS_TIME = (1 << 5) | 1, 0  # 1980-01-01 00:00
_LISTING_CHARS = ("\n", "\t", "\a", "\f")


@dataclass
class _Part:
    name: str  # zip member name
    source: str  # the patched Jinja source, paragraphs on lines of their own
    compiled: Any
    well_formed: bool = False  # every output is well-formed XML (`always_well_formed`)
    tables_settled: bool = False  # every output's tables are settled (`always_settled`)


class PreparedTemplate:
    """One template, ready to fill: its parts as compiled Jinja or as fixed bytes.

    The package is read by source.read_template, the reader `template check` uses, and
    checked against `vocabulary` as `template check` checks it: a template the check
    refuses never yields a document."""

    def __init__(self, blob: bytes, env: Any, vocabulary: Any = None) -> None:
        self.env = env
        self.blob = blob
        src = read_template(blob)
        trees: dict[str, Any] = {}  # the check's parse, compiled by `_add`
        if vocabulary is not None:
            from .check import check_source

            problems = check_source(src, vocabulary, env, trees).problems
            if problems:
                first = problems[0]
                more = f" (và {len(problems) - 1} lỗi khác)" if len(problems) > 1 else ""
                raise TemplateError(f"mẫu báo cáo bị từ chối, lỗi ở {first.part}: {first.message}"
                                    f"{more} Kiểm tra: baocao template check MẪU.docx.")
        self.members = src.members
        self.main = src.main
        self.shell = src.shell
        self.shell_bytes = (src.shell[0].encode("utf-8"), src.shell[1].encode("utf-8"))
        self.pictures = src.pictures
        self.styles = src.styles
        self.parts: list[_Part] = []
        for part in src.parts:
            self._add(part, trees.pop(part.source, None))
        data = dict(self.members)
        self.core = src.core
        self.extra: dict[str, bytes] = {}
        if self.core is None:
            self._add_core(data)
        self._core_xml = data.get(self.core or "", b"")
        self._core_element: Any = None
        self._core_jinja: dict[str, Any] = {}
        # Members in the template's order (plus any added); the fixed ones compressed now.
        self.order = [name for name, _ in self.members]
        self.order += [name for name in (*self.extra, self.core) if name not in self.order]
        filled = {p.name for p in self.parts} | set(self.extra) | {self.core}
        self.fixed = {name: _deflate(blob) for name, blob in self.members
                      if name not in filled}

    def _add(self, part: Part, tree: Any = None) -> None:
        from jinja2 import TemplateSyntaxError

        from .source import syntax_text

        try:
            tree = tree if tree is not None else self.env.parse(part.source)
            _unnumbered(tree)
            compiled = self.env.from_string(guarded(tree))  # parsed once, for the proof too
        except TemplateSyntaxError as exc:
            raise template_error(exc, f" (ở {part.where}, đoạn văn "
                                      f"“{syntax_text(part.source, exc)}”)") from None
        except Exception as exc:
            raise template_error(exc) from None
        well_formed = always_well_formed(part.source, tree)
        self.parts.append(_Part(part.name, part.source, compiled, well_formed,
                                well_formed and always_settled(part.source)))

    def _add_core(self, data: dict[str, bytes]) -> None:
        """A template without core properties (python-docx would add a default part)."""
        from lxml import etree

        self.core = CORE_PART
        ct = etree.fromstring(data["[Content_Types].xml"], parser())
        etree.SubElement(ct, f"{{{_CT_NS}}}Override", PartName=f"/{CORE_PART}",
                         ContentType=CT_CORE)
        self.extra["[Content_Types].xml"] = etree.tostring(ct, encoding="UTF-8",
                                                           standalone=True)
        rels = (etree.fromstring(data["_rels/.rels"], parser()) if data.get("_rels/.rels")
                else etree.Element(f"{{{_RELS_NS}}}Relationships", nsmap={None: _RELS_NS}))
        ids = {r.get("Id") for r in rels}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        etree.SubElement(rels, f"{{{_RELS_NS}}}Relationship", Id=f"rId{n}", Type=RT_CORE,
                         Target=CORE_PART)
        self.extra["_rels/.rels"] = etree.tostring(rels, encoding="UTF-8", standalone=True)

    # ------------------------------------------------------------ filling

    def fill(self, context: dict[str, Any], properties: dict[str, Any],
             images: dict[str, bytes] | None = None,
             indents: dict[str, int] | None = None) -> bytes:
        """The filled document. `properties` are core properties set after docxtpl's
        Jinja rendering of them (title, author, created…); `images` replace the image of
        the pictures so named (wp:docPr name) in the template; `indents` (twips) are the
        left and right indents of every paragraph of the style so named."""
        rendered: dict[str, bytes] = dict(self.extra)
        sized = {self.styles[name]: twips for name, twips in (indents or {}).items()
                 if name in self.styles}
        with budget():
            for part in self.parts:
                try:
                    xml = render_bounded(part.compiled, context)
                except Exception as exc:  # a template is user input: every failure is reported
                    raise template_error(exc) from None
                if sized:
                    xml = _set_indents(xml, sized)
                rendered[part.name] = self._finish(part, xml)
        for name, png in (images or {}).items():
            if name in self.pictures:
                rendered[self.pictures[name]] = png
        rendered[self.core or CORE_PART] = self._core(context, properties)
        entries = [_deflate(rendered[name], _FAST) if name in rendered else self.fixed[name]
                   for name in self.order]
        return _zip(self.order, entries)

    def _finish(self, part: _Part, xml: str) -> bytes:
        """docxtpl's post-processing of a rendered part, then the part's bytes.

        Each search of the part costs a report a tenth of a millisecond or more: the
        paragraphs' line breaks left the template before it was compiled (`_unnumbered`; a
        value cannot write `<w:p`), the two-character marks are searched only when the one
        character they need is there, and the characters are checked on the UTF-8 bytes
        the part is written as.
        """
        from lxml import etree

        if ("{" in xml or "}" in xml) and ("{_" in xml or "_}" in xml):
            xml = (xml.replace("{_{", "{{").replace("}_}", "}}")
                   .replace("{_%", "{%").replace("%_}", "%}"))
        trusted = part.well_formed  # proved for Jinja's output, not for what follows
        if any(c in xml for c in _LISTING_CHARS):  # a value with line breaks or tabs
            xml = docxtpl().resolve_listing(xml)
            trusted = False
        if part.name != self.main:
            tree = etree.fromstring(xml.encode("utf-8"), parser())
            return etree.tostring(tree, encoding="UTF-8", standalone=True)
        data = _utf8(xml)
        well_formed = (trusted and data is not None and _xml_bytes_only(data)) \
            or _well_formed(xml)
        settled = well_formed and (part.tables_settled or _tables_settled(xml))
        numbered = _number_drawings(xml) if settled else None
        if numbered is xml and data is not None:  # nothing to renumber: the bytes as they are
            return self.shell_bytes[0] + data + self.shell_bytes[1]
        if numbered is not None:
            body = numbered  # what docxtpl's table and drawing fixes would make of it
        else:
            tree = docxtpl().fix_tables(xml)  # a table whose columns a loop changed
            for i, el in enumerate(tree.iter(f"{{{_WP_NS}}}docPr"), start=1001):
                el.set("id", str(i))  # drawings: ids stay unique after loops copied them
            body = etree.tostring(tree, encoding="unicode")
        return (self.shell[0] + body + self.shell[1]).encode("utf-8")

    def _core(self, context: dict[str, Any], properties: dict[str, Any]) -> bytes:
        from docx.opc.coreprops import CoreProperties
        from docx.oxml.coreprops import CT_CoreProperties
        from docx.oxml.parser import parse_xml
        from lxml import etree

        if self._core_element is None:  # parsed once per template, copied per report
            element = (parse_xml(self._core_xml) if self._core_xml
                       else CT_CoreProperties.new())
            if not self._core_xml:  # a part added: the report's own values, nothing foreign
                CoreProperties(element).revision = 1
            # The template's own properties with Jinja, compiled once: looking at all six
            # and compiling per report was most of a report's properties.
            jinja: dict[str, Any] = {}
            for name in JINJA_PROPERTIES:
                value = getattr(CoreProperties(element), name) or ""
                if has_jinja(value):
                    try:  # plain text, not XML: no escaping (python-docx escapes on writing)
                        jinja[name] = self.env.from_string(
                            "{% autoescape false %}" + value + "{% endautoescape %}")
                    except Exception as exc:
                        raise template_error(exc) from None
            self._core_element, self._core_jinja = element, jinja
        element = copy.deepcopy(self._core_element)
        props = CoreProperties(element)
        for name, compiled in self._core_jinja.items():
            try:
                value = compiled.render(context)
            except Exception as exc:
                raise template_error(exc) from None
            setattr(props, name, value[:255])
        for name, value in properties.items():
            setattr(props, name, value)
        return etree.tostring(element, encoding="UTF-8", standalone=True)


def _unnumbered(tree: Any) -> None:
    """The line break the source puts before each paragraph (`source._source`, which gives
    Jinja's errors the line of their paragraph) taken out of the template's text before it
    is compiled, instead of out of every report it renders. Only text the template writes
    holds it: a value cannot write `<`, and whitespace control and `trim_blocks` only ever
    remove it, whichever way it is taken out."""
    from jinja2 import nodes

    for node in tree.find_all(nodes.TemplateData):
        if "\n<w:p" in node.data:
            node.data = node.data.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")


# What follows w:ind in a paragraph's properties (the schema's order).
_AFTER_IND = re.compile(r"<w:(?:contextualSpacing|mirrorIndents|suppressOverlap|jc|"
                        r"textDirection|textAlignment|textboxTightWrap|outlineLvl|divId|"
                        r"cnfStyle|rPr|sectPr|pPrChange)\b")
_IND = re.compile(r"<w:ind\b[^>]*/>")


def _set_indents(xml: str, twips_by_style: dict[str, int]) -> str:
    """Each paragraph of a sized style (the decree's short lines) with its indents set:
    a search for the few such paragraphs, no parse of the part, and the part copied once
    (a long consolidated report is megabytes: a copy per paragraph changed cost seconds)."""
    edits = _sized(xml, twips_by_style)
    if any(a[1] > b[0] for a, b in itertools.pairwise(edits)):
        # properties naming two sized styles: one style after the other, as written
        for style_id, twips in twips_by_style.items():
            xml = _edited(xml, _sized(xml, {style_id: twips}))
        return xml
    return _edited(xml, edits)


def _sized(xml: str, twips_by_style: dict[str, int]) -> list[tuple[int, int, int]]:
    """Where the properties of each sized paragraph run (from its style to `</w:pPr>`),
    with its indent, in the order of the text."""
    edits: list[tuple[int, int, int]] = []
    for style_id, twips in twips_by_style.items():
        mark = f'<w:pStyle w:val="{style_id}"/>'
        pos = xml.find(mark)
        while pos >= 0:
            end = xml.find("</w:pPr>", pos)
            if end < 0:
                break
            edits.append((pos, end, twips))
            pos = xml.find(mark, end)
    return sorted(edits)


def _edited(xml: str, edits: list[tuple[int, int, int]]) -> str:
    if not edits:
        return xml
    pieces: list[str] = []
    done = 0  # where the text not yet copied starts
    for pos, end, twips in edits:
        pieces += [xml[done:pos], _indented(xml[pos:end], twips)]
        done = end
    pieces.append(xml[done:])
    return "".join(pieces)


def _indented(ppr: str, twips: int) -> str:
    """A paragraph's properties (from its style on) with `twips` as both indents."""
    ppr = _IND.sub("", ppr)
    at = _AFTER_IND.search(ppr)
    cut = at.start() if at else len(ppr)
    return f'{ppr[:cut]}<w:ind w:firstLine="0" w:left="{twips}" w:right="{twips}"/>{ppr[cut:]}'


_DOCPR = re.compile(r"<wp:docPr\b([^<>]*?)(/?)>")
_ID = re.compile(r"""\sid=(?:"[^"]*"|'[^']*')""")


def _number_drawings(xml: str) -> str | None:
    """docxtpl's renumbering of the drawings (ids from 1001 in document order, unique
    after loops copied a picture), done on the text; None when the text is not the plain
    case (`wp` bound once, to its namespace; every `docPr` one of its tags), which then
    goes through the parsed tree. Parsing a consolidated report of 5,000 rows for its one
    picture cost seconds; here the text is searched for `docPr`, not scanned by a regex."""
    pos = xml.find("docPr")
    if pos < 0:
        return xml
    if xml.count("xmlns:wp=") != 1 or f'xmlns:wp="{_WP_NS}"' not in xml:
        return None
    pieces: list[str] = []
    done = 0  # where the text not yet copied starts
    number = 1001
    while pos >= 0:
        if pos >= 5 and xml.startswith("</wp:", pos - 5):
            pos = xml.find("docPr", pos + 5)
            continue
        m = _DOCPR.match(xml, pos - 4)
        if m is None:
            return None
        attrs = m.group(1)
        ids = list(_ID.finditer(attrs))
        if len(ids) > 1:
            return None
        if ids:
            attrs = f'{attrs[:ids[0].start()]} id="{number}"{attrs[ids[0].end():]}'
        else:
            attrs += f' id="{number}"'
        pieces += [xml[done:m.start()], f"<wp:docPr{attrs}{m.group(2)}>"]
        done = m.end()
        number += 1
        pos = xml.find("docPr", done)
    pieces.append(xml[done:])
    return "".join(pieces)


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


# The control characters XML 1.0 does not allow (a value could carry them: `{{ "\x0b" }}`).
_CONTROLS = bytes(b for b in range(0x20) if b not in b"\t\n\r")


def _utf8(xml: str) -> bytes | None:
    """The part's bytes; None when it holds a lone surrogate, which XML does not allow."""
    try:
        return xml.encode("utf-8")
    except UnicodeEncodeError:
        return None


def _xml_bytes_only(data: bytes) -> bool:
    """No character XML 1.0 forbids, in UTF-8 (surrogates cannot be encoded at all). A
    control character is one byte that no other character's encoding contains, and
    U+FFFE/U+FFFF are the only characters encoded from EF BF BE/BF: deleting the controls
    and searching for one byte run at C speed, where a search of the text did not."""
    if len(data.translate(None, _CONTROLS)) != len(data):
        return False
    return b"\xef" not in data or (b"\xef\xbf\xbe" not in data and b"\xef\xbf\xbf" not in data)


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


_STRUCTURE = re.compile(r"<(/?)w:(tbl|tr|tc|tblGrid|gridCol|gridSpan)\b[^>]*?(/?)>"
                        r"|\{%-?\s*(\w*)(?:[^%]|%(?!\}))*%\}")
_OPENS, _MIDDLES, _CLOSES = {"if", "for"}, {"elif", "else"}, {"endif", "endfor"}


def always_settled(source: str) -> bool:
    """Whether every rendering of `source` (a part whose values cannot add markup:
    `always_well_formed`) has tables docxtpl's `fix_tables` leaves unchanged, so that no
    report need be scanned (`_tables_settled` costs a report 0.7 ms).

    It holds when each `if`/`for` lies inside one cell and holds no table tag, or lies
    between a table's rows and holds only whole rows, or lies outside tables and holds
    only whole tables; and the tables are settled both with every block's content once
    and with the blocks between rows left out. A rendering then has each table's grid as
    written, rows that are copies of written rows (never more cells than the grid), and
    at least the rows that reach the whole grid. Anything else (a column loop `{%tc %}`)
    is scanned per report, as before.
    """
    every: list[str] = []  # each block's content once
    fixed: list[str] = []  # the blocks between rows left out
    blocks: list[tuple[int, int]] = []  # open blocks: (table depth, row depth) at the opening
    tables = rows = 0
    done = 0
    def kept() -> bool:  # in the rendering with the blocks between rows left out
        return not any(t > 0 and r == 0 for t, r in blocks)

    for m in _STRUCTURE.finditer(source):
        every.append(source[done:m.start()])
        if kept():
            fixed.append(source[done:m.start()])
        done = m.end()
        name = m.group(4)
        if name is None:  # a table tag
            if blocks and blocks[-1][1] > 0:
                return False  # in a cell's block: it could add or drop cells
            if m.group(2) == "tbl" and not m.group(1) and any(t > 0 for t, _ in blocks):
                return False  # a table in a block between rows
            every.append(m.group(0))
            if kept():
                fixed.append(m.group(0))
            if not m.group(3):  # not self-closing
                step = -1 if m.group(1) else 1
                if m.group(2) == "tbl":
                    tables += step
                elif m.group(2) == "tr":
                    rows += step
            continue
        if name in _OPENS:
            blocks.append((tables, rows))
        elif name in _MIDDLES | _CLOSES:
            if not blocks or blocks[-1] != (tables, rows):
                return False  # a branch that starts in one row and ends in another
            if name in _CLOSES:
                blocks.pop()
        else:
            return False  # `raw`, `set`…: left to the scan
    every.append(source[done:])
    fixed.append(source[done:])
    return not blocks and _tables_settled("".join(every)) and _tables_settled("".join(fixed))


_prepared: dict[tuple[bytes, int], PreparedTemplate] = {}
_CACHE_SIZE = 4


def prepared(blob: bytes, env: Any, vocabulary: Any = None) -> PreparedTemplate:
    """The prepared template for `blob`, once per process (a batch fills one template),
    checked against `vocabulary` (check.Vocabulary) when one is given."""
    key = (blob, id(vocabulary))
    found = _prepared.get(key)
    if found is None:
        if len(_prepared) >= _CACHE_SIZE:
            _prepared.clear()
        found = _prepared[key] = PreparedTemplate(blob, env, vocabulary)
    return found

