"""The plain sheet part read in one pass of a regular expression, for xlsx.py's reader.

Nearly every sheet a unit or baocao itself writes has one shape: `<row r="…">` elements
of `<c r="B2" s="3" t="s"><v>7</v></c>` cells, attributes in that order, no prefix. For
such a part, building an element per cell and walking the tree cost most of a unit's
reading and most of reading a 5,000-row summary; here the cells come from one `findall`
over the text, typed by the same rules. Anything else — a formula with attributes, rich
text, a prefix, another encoding, a cell without its reference, a comment, a style the
workbook does not have, a sheet near the contract's limits — makes `parse` return None and
the element reader reads the part, so its results and its errors stay the only ones
(tests/test_xlsx.py reads every kind of sheet both ways and compares).

The part is first given whole to the same expat the element reader uses: a part that is
not well-formed XML, or that uses an entity it cannot have, is never read here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any
from xml.etree.ElementTree import Element, ParseError, fromstring
from xml.parsers import expat

from .. import contract
from .excel import column_index, typed_text
from .guards import declares_dtd

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# Larger parts, or parts of more cells or more rows than the contract allows, are streamed
# by the element reader and never held whole: the one-pass path holds the part, its text
# and a tuple per cell (about 300 bytes a cell at its peak).
MAX_BYTES = 16 << 20
MAX_CELLS = 250_000
# Bytes without markup past which the element reader may refuse the part (its limit on a
# cell's text, xlsx.MAX_TEXT_RUN = 262,136, counted in 8 KB pieces): so near it, that
# reader decides.
MAX_RUN = 32_767 * 4

# One token of <sheetData>: a cell (column letters, row digits, style, type, `/` of a
# cell closed at once, formula, `<v>`, value, `<v/>`, `<is>`, inline text: the marks tell
# an empty value from none), a row's start (its number, its other attributes, `/`) or a
# row's end. Cells first: they are nearly every token.
_TOKEN = re.compile(
    r'\s*(?:'
    r'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,9})")?(?: t="([A-Za-z]{1,9})")?'
    r'(?:(/)>|>(?:<f>([^<]+)</f>)?(?:(<v>)([^<]*)</v>|(<v/>))?'
    r'(?:(<is>)<t(?: xml:space="preserve")?>([^<]*)</t></is>)?</c>)'
    r'|<row r="([0-9]{1,7})"((?: [A-Za-z][\w:.-]*="[^"<&\t\n\r]*")*) ?(/?)>'
    r'|(</row>)'
    r')')
_ATTRIBUTE = re.compile(r' ([\w:.-]+)="([^"]*)"')
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_DECLARATION = re.compile(r'<\?xml version="1\.[0-9]"(?: encoding="(?:UTF|utf)-8")?'
                          r'(?: standalone="(?:yes|no)")? ?\?>')


_CHARS: dict[str, str] = dict(_NAMED)
MAX_CACHED = 4096  # distinct references remembered (Vietnamese needs about 130)


def _reference(name: str) -> str:
    """`amp`, `#7841`, `#x1EA1`: the character; expat has checked that each is one."""
    char = _CHARS.get(name)
    if char is None:
        char = chr(int(name[2:], 16) if name[1] == "x" else int(name[1:]))
        if len(_CHARS) < MAX_CACHED:
            _CHARS[name] = char
    return char


_RESOLVED: dict[str, str] = {}  # short texts with references, as resolved
MAX_RESOLVED, MAX_RESOLVED_LEN = 4096, 256  # at most a few MB


def _text(raw: str) -> str:
    """Character data as the XML parser gives it: line ends as LF, references resolved.

    openpyxl writes every Vietnamese letter as `&#7841;`: a split and a cached lookup per
    reference, several times faster than a substitution calling back per match. The
    labels, criteria and names a province's workbooks share come again unit after unit:
    a short text, once resolved, is remembered whole."""
    done = _RESOLVED.get(raw)
    if done is not None:
        return done
    text = _resolved(raw)
    if len(raw) <= MAX_RESOLVED_LEN and len(_RESOLVED) < MAX_RESOLVED:
        _RESOLVED[raw] = text
    return text


def _resolved(raw: str) -> str:
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "&" not in raw:
        return raw
    pieces = raw.split("&")
    out = [pieces[0]]
    for piece in pieces[1:]:
        name, _, rest = piece.partition(";")
        out.append(_reference(name))
        out.append(rest)
    return "".join(out)


@dataclass
class Parsed:
    """What the element reader's `_take_rows` would have gathered from the part."""

    rows: dict[int, dict[int, tuple[Any, str, str | None]]] = field(default_factory=dict)
    hidden: dict[int, bool] = field(default_factory=dict)
    row_styles: dict[int, str | None] = field(default_factory=dict)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: Element | None = None
    max_row: int = 1
    max_column: int = 1
    kept: int = 0


def _long_run(data: bytes) -> bool:
    """Whether `data` may hold MAX_RUN bytes without markup: a window of MAX_RUN bytes,
    every half of it, that has no `<`. False proves every run shorter than 1.5 × MAX_RUN,
    still under the element reader's limit."""
    step = MAX_RUN // 2
    return any(data.find(b"<", i, i + MAX_RUN) < 0
               for i in range(0, max(1, len(data) - MAX_RUN + 1), step)) \
        if len(data) >= MAX_RUN else False


def _markup(tokens: list[tuple[str, ...]]) -> int:
    """How many `<` the tokens hold (every markup they matched), counted at C speed: equal
    to the content's own count, no element lies outside them."""
    n = len(tokens)

    def present(i: int) -> int:
        return n - list(map(itemgetter(i), tokens)).count("")

    cells, closed = present(0), present(4)
    return (cells + (cells - closed) + 2 * present(5) + 2 * present(6) + present(8)
            + 4 * present(9) + present(11) + present(14))


def _plain_text(data: bytes) -> str | None:
    """The part as text when it may be read in one pass: within MAX_BYTES, no DTD, no
    long run of text, UTF-8 (declared or not), no BOM, comment, CDATA or processing
    instruction but the declaration."""
    if len(data) > MAX_BYTES or declares_dtd(data) or _long_run(data):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.startswith("\ufeff") or "<!--" in text or "<![CDATA[" in text \
            or text.count("<?") > 1:
        return None
    if text.startswith("<?") and not _DECLARATION.match(text):
        return None  # another encoding, or a declaration of another shape
    return text


# One shared string of the plain kind Excel, LibreOffice and baocao write.
_STRING = re.compile(r'\s*<si><t(?: xml:space="preserve")?>([^<]*)</t></si>')


def shared_strings(data: bytes, limit: int) -> list[str] | None:
    """The shared string table when every string is plain text in an `<sst>` of the main
    namespace, read in one pass; None otherwise (rich text, phonetic runs, a prefix, more
    than `limit` strings…): xlsx._shared_strings then reads it as elements."""
    text = _plain_text(data)
    if text is None:
        return None
    start = text.find("<sst")
    open_end = text.find(">", start) + 1
    close = text.rfind("</sst>")
    if start < 0 or close < open_end or text[open_end - 2] == "/" \
            or text.find("xmlns", open_end) >= 0:
        return None
    content = text[open_end:close]
    found = _STRING.findall(content)
    if len(found) > limit or 4 * len(found) != content.count("<") \
            or not _well_formed(data):
        return None  # an element the strings do not cover (text between is ignored)
    try:
        root = fromstring((text[:open_end] + text[close:]).encode())
    except ParseError:
        return None
    if root.tag != MAIN + "sst" or len(root):
        return None
    return [(_text(s) if "&" in s or "\r" in s else s).replace("x005F_", "") for s in found]


_ROOT = re.compile(r'<[A-Za-z][\w.-]*(?:\s[^>]*)?\sxmlns="' + re.escape(MAIN[1:-1]) + '"')


def _plain_frame(outside: str, start: int) -> bool:
    """Whether the part around <sheetData> (well-formed, checked before) can hold nothing
    the element reader would read: no `row` or `mergeCell` anywhere in it, the main
    namespace declared the default on an unprefixed root, and no namespace declared
    between the root and <sheetData> (so <sheetData> is in the main namespace). Otherwise
    its tree is parsed and looked at."""
    if "row" in outside or "mergeCell" in outside:
        return False
    root = outside.find("<", outside.find("?>") + 2 if outside.startswith("<?") else 0)
    root_end = outside.find(">", root)
    # without `'`, every value is in double quotes and cannot hold the declaration
    return "'" not in outside[root:root_end] and bool(
        _ROOT.match(outside, root, root_end + 1)) and "xmlns" not in outside[root_end:start]


def _well_formed(data: bytes) -> bool:
    """What ElementTree's parser would accept (the same expat, namespaces on)."""
    parser = expat.ParserCreate(None, "}")
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        return False
    return True


def parse(data: bytes, *, strings: list[str], style_ids: dict[str, int],
          dates: frozenset[int], timedeltas: frozenset[int], epoch: dt.datetime,
          kept: int, row_hidden: Any, date_cell: Any) -> Parsed | None:
    """The sheet part `data` read whole, or None: the element reader must read it."""
    text = _plain_text(data)
    if text is None or text.count("<sheetData") != 1 \
            or text.find("xmlns=", text.find("<sheetData")) >= 0:
        return None
    start = text.find("<sheetData")
    open_end = text.find(">", start) + 1
    if text[start:open_end] == "<sheetData/>":
        content, close = "", open_end
    elif text[start:open_end] == "<sheetData>":
        close = text.find("</sheetData>", open_end)
        if close < 0 or text.count("</sheetData>") != 1:
            return None
        content = text[open_end:close]
        close += len("</sheetData>")
    else:
        return None
    if not _well_formed(data):
        return None
    outside = text[:start] + "<sheetData/>" + text[close:]
    merges: list[Element] = []
    if not _plain_frame(outside, start):
        try:
            skeleton = fromstring(outside.encode())
        except ParseError:
            return None
        frames = [el for el in skeleton.iter()
                  if el.tag in (MAIN + "sheetData", MAIN + "row", MAIN + "mergeCells")]
        merges = [el for el in frames if el.tag == MAIN + "mergeCells"]
        if [el.tag for el in frames if el.tag != MAIN + "mergeCells"] \
                != [MAIN + "sheetData"] or len(merges) > 1:
            return None  # a row outside <sheetData>, or <sheetData> in another namespace
    tokens = _TOKEN.findall(content)
    if _markup(tokens) != content.count("<"):
        return None  # an element the tokens do not cover (text between them is ignored)
    try:
        out = _cells(tokens, strings, style_ids, dates, timedeltas, epoch, kept, row_hidden,
                     date_cell)
    except (ValueError, IndexError, TypeError, OverflowError):
        return None  # the element reader raises its own error for it
    if out is not None:
        out.merges = merges[0] if merges else None
    return out


def _cells(tokens: list[tuple[str, ...]], strings: list[str], style_ids: dict[str, int],
           dates: frozenset[int], timedeltas: frozenset[int], epoch: dt.datetime,
           kept: int, row_hidden: Any, date_cell: Any) -> Parsed | None:
    """The tokens typed as `xlsx._Reader._take_rows` types cells (the common case first)."""
    out = Parsed()
    rows = out.rows
    formulas = out.formulas
    styles = {**style_ids, "": 0}  # no `s`: the default style
    columns: dict[str, int] = {}
    max_row = max_column = 1
    n_rows = n_cells = n_kept = 0
    row_no = row_first = 0
    in_row = False
    last_rr = -1
    cells: dict[int, tuple[Any, str, str | None]] = {}
    for (letters, digits, s, t, _closed, f, v_open, v, v_empty, is_open, inline, r, attrs,
         closed, end) in tokens:
        if letters:  # a cell
            if not in_row:
                return None  # a cell outside any row
            n_cells += 1
            index = styles.get(s)
            if index is None:
                return None  # a style the workbook lacks: the element reader names it
            if not (v_open or f or is_open or v_empty):
                continue  # no value, no formula: only counted
            col = columns.get(letters)
            if col is None:
                col = columns[letters] = column_index(letters)
            rr = int(digits)
            if rr > max_row:
                max_row = rr
            if col > max_column:
                max_column = col
            value: Any = None
            if v and ("&" in v or "\r" in v):
                v = _text(v)
            if not t or t == "n":
                t = "n"
                if v:
                    value = float(v) if "." in v or "E" in v or "e" in v else int(v)
                    if index in dates:
                        t, value = date_cell(value, epoch, index in timedeltas)
            elif t == "s":
                if v:
                    value = strings[int(v)]
            elif t == "inlineStr":
                if is_open:  # its text, typed as a string
                    t, value = "s", (_text(inline) if "&" in inline or "\r" in inline
                                     else inline)
            elif v:
                t, value = typed_text(t, v)
            if f:
                formulas[(rr, col)] = "=" + _text(f)
            elif value is None:
                continue
            n_kept += 1
            if rr != last_rr:
                cells = rows.get(rr)  # type: ignore[assignment]
                if cells is None:
                    cells = rows[rr] = {}
                last_rr = rr
            cells[col] = (value, t, None)
        elif r:
            if in_row:
                return None  # a row inside a row
            n_rows += 1
            row_no = int(r)
            if attrs:
                attrib = dict(_ATTRIBUTE.findall(attrs))
                if {k for k in attrib if ":" not in k} - {"spans"}:
                    attrib["r"] = r
                    out.hidden[row_no] = row_hidden(attrib)
                    out.row_styles[row_no] = attrib.get("s")
            in_row = not closed
            row_first = n_cells
        elif end:
            if not in_row:
                return None
            in_row = False
            if n_cells > row_first and row_no > max_row:
                max_row = row_no  # a row with cells counts, empty ones too
        else:
            return None
    if in_row or n_rows > contract.MAX_SHEET_ROWS or n_cells > 2 * contract.MAX_SHEET_CELLS \
            or kept + n_kept > contract.MAX_SHEET_CELLS:
        return None  # unclosed (not well-formed), or past a limit: the element reader says
    out.max_row, out.max_column, out.kept = max_row, max_column, n_kept
    return out
