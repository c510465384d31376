"""Reading the register sheets straight from the sheet XML.

A year's register runs to tens of thousands of rows, which openpyxl reads too slowly (its
normal and read-only modes both build a Python object per cell): only the columns the
checks need are read, keeping each cell's row and column for locations, and for the usual
plain XML column by column (`_plain_rows`) into a list per checked column. Sheets are
matched like every other sheet of the contract (normalised names and headers, header row
below titles); a separate e-office export given with `--so-van-ban` may name its sheet
anything and carry any extra columns.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from . import contract
from .issues import Issue, make
from .read import check_file
from .vn import fold, fold_header

HEADER_SEARCH_ROWS = 20  # exports put the agency, the title and the period above the table
ISSUES_PER_CHECK = 200  # per register and code: every slip of a real register, bounded output


class Missing:
    """A formula cell whose cached value is missing (a file never opened in Excel)."""

    def __init__(self, formula: str) -> None:
        self.formula = formula


class ErrorValue(str):
    """An Excel error value such as #N/A."""


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL = r'<(?:\w+:)?c\s+r="({cols})(\d+)"([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)'
_ANY_CELL = re.compile(_CELL.format(cols="[A-Z]{1,3}"), re.S)
_CELL_WITHOUT_REF = re.compile(r'<(?:\w+:)?c(?=[\s/>])(?!\s+r=")')
_V = re.compile(r"<(?:\w+:)?v>([^<]*)</", re.S)
_F = re.compile(r"<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*)</)", re.S)
_T = re.compile(r"<(?:\w+:)?t\b[^>]*>([^<]*)</", re.S)
_RPH = re.compile(r"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_ATTR_T = re.compile(r'\bt="(\w+)"')
_ATTR_S = re.compile(r'\bs="(\d+)"')
_HIDDEN_ROW = re.compile(r'<(?:\w+:)?row\b[^>]*?\br="(\d+)"[^>]*?\bhidden="(?:1|true)"')
_NUMBERING = re.compile(r"^\(?\d{1,2}\)?$")


def _unescape(text: str) -> str:
    """XML text as it reads: numeric references first (the common case, cheaply), then the
    rest (`&amp;`, `&#60;`…)."""
    if "&" not in text:
        return text
    text = _decode_charrefs(text)
    return html.unescape(text) if "&" in text else text


_CHARREF = re.compile(r"&#(\d+|x[0-9A-Fa-f]+);")


_CHARREF_CACHE: dict[str, str] = {}


def _charref(m: re.Match[str]) -> str:
    whole = m.group(0)
    char = _CHARREF_CACHE.get(whole)
    if char is None:
        ref = m.group(1)
        code = int(ref[1:], 16) if ref[0] == "x" else int(ref)
        # Only characters that cannot be markup: `&#60;` must stay escaped inside the XML.
        char = chr(code) if 128 <= code <= 0x10FFFF else whole
        _CHARREF_CACHE[whole] = char
    return char


def _decode_charrefs(text: str) -> str:
    """Numeric character references of non-ASCII letters decoded, through a small cache.

    Some writers (openpyxl among them) store every Vietnamese letter as `&#7873;`; only the
    cells that are read are decoded, and the few distinct letters are looked up once.
    """
    return _CHARREF.sub(_charref, text) if "&#" in text else text


def _xml(blob: bytes) -> Any:
    from defusedxml.ElementTree import fromstring

    return fromstring(blob)


_SST = re.compile(r"<sst\b[^>]*>")
_PLAIN_SI = re.compile(r'<si>(?:<t>([^<]*)</t>|<t xml:space="preserve">([^<]*)</t>)</si>')
_DECLARATION = re.compile(r"<\?xml\b([^>]*)\?>")
_ENCODING = re.compile(r"""\bencoding\s*=\s*["']([^"']*)""")


def _plain_shared_strings(blob: bytes) -> list[str] | None:
    """The shared strings when every one is plain text, `<si><t>…</t></si>` as Excel writes
    them: one split of the part instead of an XML event per element, several times faster
    on a register's hundred thousand strings. None for anything else (rich text, phonetic
    runs, a prefix, another encoding, a DTD, a CR the XML parser would turn into LF): that
    part is parsed as XML."""
    try:
        xml = blob.decode("utf-8")
    except UnicodeDecodeError:
        return None
    start = _SST.search(xml)
    end = xml.rfind("</sst>")
    if start is None or end < start.end():
        return None
    prolog = xml[:start.start()].lstrip("\ufeff")
    declaration = _DECLARATION.match(prolog)
    encoding = _ENCODING.search(declaration.group(1)) if declaration else None
    if prolog[declaration.end() if declaration else 0:].strip() or (
            encoding is not None and encoding.group(1).lower() not in ("utf-8", "utf8")):
        return None
    body = xml[start.end():end]
    parts = _PLAIN_SI.split(body)
    if "\r" in body or any(parts[0::3]):  # something between or around the <si> elements
        return None
    return [_unescape(t if t is not None else kept)
            for t, kept in zip(parts[1::3], parts[2::3], strict=True)]


class Workbook:
    """Sheets of one .xlsx by name, read from their XML (values as openpyxl would give)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path)
        self._xml: dict[str, str] = {}
        root = _xml(self.zip.read("xl/workbook.xml"))
        pr = root.find(f"{_NS}workbookPr")
        self.epoch = dt.datetime(1904, 1, 1) if pr is not None and pr.get("date1904") in (
            "1", "true") else None
        rels = _xml(self.zip.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_NS}Relationship")}
        self.sheets: dict[str, tuple[str, bool]] = {}  # title -> (part, hidden)
        for s in root.iter(f"{_NS}sheet"):
            target = targets.get(s.get(f"{_REL_NS}id"), "")
            part = target.lstrip("/") if target.startswith("/") else str(
                PurePosixPath("xl") / target)
            self.sheets[s.get("name", "")] = (part, s.get("state", "visible") != "visible")
        self._strings: list[str] | None = None
        self._dates: set[int] | None = None

    def close(self) -> None:
        self.zip.close()

    @property
    def strings(self) -> list[str]:
        if self._strings is None:
            from defusedxml.ElementTree import iterparse

            self._strings = []
            if "xl/sharedStrings.xml" not in self.zip.namelist():
                return self._strings
            plain = _plain_shared_strings(self.zip.read("xl/sharedStrings.xml"))
            if plain is not None:
                self._strings = plain
                return plain
            si_tag, t_tag, r_tag = f"{_NS}si", f"{_NS}t", f"{_NS}r"
            with self.zip.open("xl/sharedStrings.xml") as fh:
                for _, el in iterparse(fh):
                    if el.tag != si_tag:
                        continue
                    # Plain text or rich-text runs; phonetic runs (rPh) are not the value.
                    self._strings.append("".join(
                        (t.text or "") for child in el if child.tag in (t_tag, r_tag)
                        for t in ((child,) if child.tag == t_tag else child.iter(t_tag))))
                    el.clear()
        return self._strings

    @property
    def date_styles(self) -> set[int]:
        if self._dates is None:
            from .excel import BUILTIN_FORMATS, is_date_format

            self._dates = set()
            try:
                root = _xml(self.zip.read("xl/styles.xml"))
            except KeyError:
                return self._dates
            custom = {int(f.get("numFmtId", -1)): f.get("formatCode", "")
                      for f in root.iter(f"{_NS}numFmt")}
            xfs = root.find(f"{_NS}cellXfs")
            for i, xf in enumerate(xfs if xfs is not None else []):
                fid = int(xf.get("numFmtId", 0))
                code = custom.get(fid, BUILTIN_FORMATS.get(fid, ""))
                if code and is_date_format(code):
                    self._dates.add(i)
        return self._dates

    def sheet_xml(self, title: str) -> str:
        if title not in self._xml:  # asked for by the header search and by the reading
            self._xml[title] = self.zip.read(self.sheets[title][0]).decode("utf-8")
        return self._xml[title]

    def date(self, serial: float) -> dt.datetime | dt.time | dt.timedelta:
        """An Excel date serial number as a datetime (1900 or 1904 date system)."""
        from .excel import WINDOWS_EPOCH, from_excel

        return from_excel(serial, self.epoch or WINDOWS_EPOCH)

    def value(self, attrs: str, inner: str | None) -> Any:
        """The value of one `<c>` element, typed like openpyxl's data-only reading."""
        inner = inner or ""
        # Fast paths for the plain forms nearly every cell takes (a register has hundreds of
        # thousands); anything else goes the general way below.
        if inner.startswith("<v>") and inner.endswith("</v>") and "<" not in inner[3:-4]:
            if ' t="s"' in attrs:
                return self.strings[int(inner[3:-4])]
            if " t=" not in attrs:
                raw = inner[3:-4]
                number = float(raw)
                at = attrs.find(' s="')
                if at >= 0 and int(attrs[at + 4:attrs.index('"', at + 4)]) in self.date_styles:
                    return self.date(number)
                return int(number) if number.is_integer() and "." not in raw \
                    and "E" not in raw else number
        elif ' t="inlineStr"' in attrs and inner.startswith("<is><t>") \
                and inner.endswith("</t></is>") and "<" not in inner[7:-9]:
            return _unescape(inner[7:-9])
        t = _ATTR_T.search(attrs)
        kind = t.group(1) if t else "n"
        if kind == "inlineStr":
            return _unescape("".join(_T.findall(_RPH.sub("", inner) if "rPh" in inner
                                                else inner)))
        v = _V.search(inner)
        if v is None or not v.group(1):  # `<v></v>`: a formula never calculated (openpyxl)
            f = _F.search(inner)
            return Missing(_unescape(f.group(1) or "")) if f else None
        raw = v.group(1)
        if kind == "s":
            return self.strings[int(raw)]
        if kind == "str":
            return _unescape(raw)
        if kind == "e":
            return ErrorValue(raw)
        if kind == "b":
            return raw in ("1", "true")
        if kind == "d":
            return dt.datetime.fromisoformat(raw)
        number = float(raw)
        s = _ATTR_S.search(attrs)
        if s and int(s.group(1)) in self.date_styles:
            return self.date(number)
        return int(number) if number.is_integer() and "." not in raw and "E" not in raw \
            else number


# ---------------------------------------------------------------- register tables

# The columns the counts and the Điều 15 checks use (registers.py). The others (người ký,
# nơi nhận, số lượng bản, …) are recognised in the header but their cells are not decoded:
# on a 50,000-row register that was half of the reading time.
CHECKED = frozenset({"so_ky_hieu", "ngay_van_ban", "trich_yeu", "do_mat", "so", "so_den",
                     "ngay_den", "tac_gia"})


def _raw(inner: str | None) -> str | None:
    """An unread cell's content, enough to tell a filled cell (or a `(1)` column number)
    from an empty one."""
    if not inner:
        return None
    if inner.startswith("<v>") and inner.endswith("</v>"):
        return inner[3:-4]
    if inner.startswith("<is><t>") and inner.endswith("</t></is>"):
        return inner[7:-9]
    return inner


@dataclass
class RegisterTable:
    """One register sheet, column by column: the checks walk tens of thousands of documents,
    and a list per checked column is far cheaper to build and to walk than a dict per row."""

    sheet: str  # as shown in messages: `Sổ văn bản đi` or `[export.xlsx]Sheet1`
    spec: contract.SheetSpec
    header_row: int
    columns: dict[str, str]  # column key -> letter
    row_numbers: list[int] = field(default_factory=list)  # the sheet row of each document
    # checked column key (CHECKED) -> its value in each document's row; None when empty
    values: dict[str, list[Any]] = field(default_factory=dict)

    def ref(self, key: str, row: int) -> str:
        return f"{self.columns.get(key, 'A')}{row}"

    def column(self, key: str) -> list[Any]:
        """The values of a checked column, document by document (all None when absent)."""
        values = self.values.get(key)
        return values if values is not None else [None] * len(self.row_numbers)


def _hkey(text: str) -> str:
    return re.sub(r"[,.;:/]", "", fold_header(text))


@functools.cache
def _header_keys(spec: contract.SheetSpec) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in spec.columns:
        for label in (c.label, *c.aliases):
            out.setdefault(_hkey(label), c.key)
    return out


def _find_header(head: dict[int, list[tuple[str, Any]]], spec: contract.SheetSpec
                 ) -> tuple[int, dict[str, str], list[tuple[str, str]]] | None:
    """(header row, column key -> letter, unknown header cells) of the first matching row."""
    keys = _header_keys(spec)
    required = [c.key for c in spec.columns if c.required]
    for r in sorted(head):
        found: dict[str, str] = {}
        extra: list[tuple[str, str]] = []
        for letter, v in head[r]:
            if not isinstance(v, str) or not v.strip():
                continue
            key = keys.get(_hkey(v))
            if key and key not in found:
                found[key] = letter
            else:
                extra.append((f"{letter}{r}", v.strip()))
        if all(k in found for k in required):
            return r, found, extra
    return None


def _read_sheet(wb: Workbook, title: str, spec: contract.SheetSpec, shown: str,
                external: bool, issues: list[Issue]) -> RegisterTable | None:
    data = wb.sheet_xml(title)
    plain = _plain(data)
    if not plain and _CELL_WITHOUT_REF.search(data):
        return _read_sheet_openpyxl(wb.path, title, spec, shown, external, issues)
    head: dict[int, list[tuple[str, Any]]] = {}
    header_end = 0
    for m in _ANY_CELL.finditer(data):
        r = int(m.group(2))
        if r > HEADER_SEARCH_ROWS:
            header_end = m.start()
            break
        head.setdefault(r, []).append((m.group(1), wb.value(m.group(3), m.group(4))))
    else:
        header_end = len(data)
    return _table(wb, data, header_end, head, spec, shown, external, issues, plain=plain)


def _table(wb: Workbook | None, data: str, header_end: int,
           head: dict[int, list[tuple[str, Any]]], spec: contract.SheetSpec,
           shown: str, external: bool, issues: list[Issue],
           rows: list[tuple[int, dict[str, Any]]] | None = None,
           plain: bool = False) -> RegisterTable | None:
    """The register below the header row found in `head`: from the sheet XML `data` (cells
    after `header_end`), or from `rows` already read (the openpyxl path)."""
    found = _find_header(head, spec)
    if found is None:
        expected = ", ".join(f"\"{c.label}\"" for c in spec.columns if c.required)
        best = max(head.values(), key=len, default=[])
        keys = _header_keys(spec)
        have = {keys.get(_hkey(v)) for _, v in best if isinstance(v, str)}
        missing = ", ".join(f"\"{c.label}\"" for c in spec.columns
                            if c.required and c.key not in have)
        issues.append(make("E611", sheet=shown, missing=missing, expected=expected,
                           rows=HEADER_SEARCH_ROWS))
        return None
    header_row, columns, extra = found
    if not external:
        issues += [make("W102", sheet=shown, cell=ref, value=v) for ref, v in extra]
    table = RegisterTable(shown, spec, header_row, columns)
    by_letter = {letter: key for key, letter in columns.items()}
    below: _Below | None = None  # the rows after the header search, column by column
    if rows is None:
        assert wb is not None
        rows = [(r, {by_letter[ltr]: v for ltr, v in cells if ltr in by_letter})
                for r, cells in sorted(head.items()) if r > header_row]
        if plain:
            below = _plain_rows(wb, data, header_end, by_letter)
        if below is None:
            rows += _cell_rows(wb, data, header_end, by_letter)
    documents, seen = _documents(rows, header_row)
    checked = [key for key in columns if key in CHECKED]
    table.row_numbers = [r for r, _ in documents]
    table.values = {key: [cells.get(key) for _, cells in documents] for key in checked}
    if below is not None:
        _add_plain_rows(table, below, data, header_end, seen)
    if data and 'hidden="' in data:  # the search below costs a pass over the whole sheet
        hidden = [int(r) for r in _HIDDEN_ROW.findall(data) if int(r) > header_row]
        for r in hidden[:ISSUES_PER_CHECK]:
            issues.append(make("W103", sheet=shown, cell=f"A{r}", row=r))
    return table


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _is_numbering(values: Iterable[Any]) -> bool:
    """The form's column numbers `(1) (2) …`, which some registers print under the header."""
    return all(isinstance(v, int | str) and _NUMBERING.match(str(v).strip()) for v in values)


def _documents(rows: list[tuple[int, dict[str, Any]]], header_row: int
               ) -> tuple[list[tuple[int, dict[str, Any]]], bool]:
    """The rows below the header with a filled cell, each with its filled cells only, less a
    first row of column numbers; and whether a filled row was met (the numbers, if any, are
    behind)."""
    out: list[tuple[int, dict[str, Any]]] = []
    first = True
    for r, values in rows:
        if r <= header_row:
            continue
        present = {k: v for k, v in values.items() if _filled(v)}
        if not present:
            continue
        if first and _is_numbering(present.values()):
            first = False
            continue
        first = False
        out.append((r, present))
    return out, not first


def _cell_rows(wb: Workbook, data: str, header_end: int, by_letter: dict[str, str]
               ) -> list[tuple[int, dict[str, Any]]]:
    """The rows after `header_end` cell by cell, in the order of the XML: the general
    reading, for sheets `_plain_rows` does not take."""
    rows: list[tuple[int, dict[str, Any]]] = []
    pattern = re.compile(_CELL.format(cols="|".join(sorted(by_letter, key=len, reverse=True))),
                         re.S)
    current, values = 0, {}
    value = wb.value
    checked = {letter for letter, key in by_letter.items() if key in CHECKED}
    for letter, row, attrs, inner in pattern.findall(data, header_end):
        r = int(row)
        if r != current:
            current, values = r, {}
            rows.append((r, values))
        values[by_letter[letter]] = value(attrs, inner) if letter in checked else _raw(inner)
    return rows


# ---------------------------------------------------------------- plain sheets, by column

# Nearly every writer (Excel, openpyxl, e-office exports) writes each cell as `<c r="B5" …>`
# without a namespace prefix. For such a sheet, one pass over the XML gives the checked
# columns' cells, decoded with the work shared between equal values, and another the rows
# where some other recognised column is filled. Anything else goes `_cell_rows`' way.
_NOT_PLAIN = (re.compile(r'<c(?=[\s/>])(?! r=")'), re.compile(r":c[\s/>]"))
# The attributes up to `/>` or `>`, as `_CELL`'s `[^>]*?` takes them but without trying
# the rest of the pattern at every character.
_ATTRS = "[^>/]*(?:/(?!>)[^>/]*)*"
_PLAIN_CELL = ('<c r="({cols})(\\d+)"(' + _ATTRS + ')(?:/>|>(?:<is><t>([^<]+)</t></is>'
               '|<v>([^<]+)</v>|(.*?))</c>)')
# A cell that is not empty in `_raw`'s reading: not `<c …/>`, `<c …> </c>`, `<v> </v>`…
_FILLED_CELL = ('<c r="(?:{cols})(\\d+)"' + _ATTRS + '>'
                '(?!\\s*</c>|<v>\\s*</v></c>|<is><t>\\s*</t></is></c>)')
_ONE_CELL = '<c r="{col}{row}"([^>]*?)(?:/>|>(.*?)</c>)'


def _plain(data: str) -> bool:
    """Every cell written `<c r="…"`: no namespace prefix, no other spacing, a reference."""
    return not any(p.search(data) for p in _NOT_PLAIN)


@functools.lru_cache(maxsize=64)
def _pattern(template: str, letters: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(template.format(cols="|".join(letters)), re.S)


@dataclass
class _Below:
    """The rows after the header search (`_plain_rows`): per checked column, its filled
    cells by row; the rows where some other recognised column is filled."""

    values: dict[str, dict[int, Any]]
    others: set[int]
    other_letters: list[str]


def _plain_rows(wb: Workbook, data: str, header_end: int, by_letter: dict[str, str]
                ) -> _Below | None:
    """The cells after `header_end` of a plain sheet, column by column; None when the rows
    are not in ascending order (a sheet Excel would repair), left to `_cell_rows`."""
    checked = {ltr: key for ltr, key in by_letter.items() if key in CHECKED}
    values: dict[str, dict[int, Any]] = {key: {} for key in checked.values()}
    last = dict.fromkeys(checked, HEADER_SEARCH_ROWS)
    readers: dict[str, Callable[[str], Any] | None] = {}
    texts: dict[str, str] = {}
    value = wb.value
    letters = tuple(sorted(checked, key=len, reverse=True))
    for letter, row, attrs, text, v, inner in (
            _pattern(_PLAIN_CELL, letters).findall(data, header_end) if letters else ()):
        r = int(row)
        if r <= last[letter]:
            return None
        last[letter] = r
        if text:
            got = _text(text, texts) if ' t="inlineStr"' in attrs \
                else value(attrs, f"<is><t>{text}</t></is>")
        elif v:
            read = readers[attrs] if attrs in readers else readers.setdefault(
                attrs, _v_reader(wb, attrs))
            got = read(v) if read is not None else value(attrs, f"<v>{v}</v>")
        elif inner:
            got = value(attrs, inner)
        else:
            continue  # `<c r="B5" s="3"/>`: empty (None)
        if got is not None and not (isinstance(got, str) and not got.strip()):
            values[checked[letter]][r] = got
    other_letters = sorted((ltr for ltr in by_letter if ltr not in checked), key=len,
                           reverse=True)
    others: set[int] = set()
    if other_letters:
        others = set(map(int, _pattern(_FILLED_CELL, tuple(other_letters)).findall(
            data, header_end)))
        if others and min(others) <= HEADER_SEARCH_ROWS:
            return None
    return _Below(values, others, other_letters)


def _add_plain_rows(table: RegisterTable, below: _Below, data: str, header_end: int,
                    seen: bool) -> None:
    """Append `_plain_rows`' documents to `table` (after the rows of the header search);
    `seen`: a row was filled above, so the column numbers are no longer looked for."""
    rows = set(below.others)
    for cells in below.values.values():
        rows.update(cells)
    ordered = sorted(rows)
    if ordered and not seen:
        r = ordered[0]
        first = [cells[r] for cells in below.values.values() if r in cells]
        if r in below.others:  # unchecked cells as `_raw` reads them
            for letter in below.other_letters:
                m = re.compile(_ONE_CELL.format(col=letter, row=r), re.S).search(
                    data, header_end)
                raw = _raw(m.group(2)) if m else None
                if raw is not None and raw.strip():
                    first.append(raw)
        if _is_numbering(first):
            ordered = ordered[1:]
    table.row_numbers += ordered
    for key, values in table.values.items():
        values += map(below.values[key].get, ordered)


def _text(raw: str, cache: dict[str, str]) -> str:
    """`_unescape(raw)`, decoding the span from its first to its last character reference
    once per distinct span: a register written with `&#7873;` for every Vietnamese letter
    repeats the same words around its numbers (`01/Q&#272;-SL&#272;TBXH`)."""
    i = raw.find("&")
    if i < 0:
        return raw
    j = raw.rfind(";") + 1
    if j <= i:
        return _unescape(raw)
    span = raw[i:j]
    decoded = cache.get(span)
    if decoded is None:
        decoded = cache[span] = _decode_charrefs(span)
    if "&" in decoded or "&" in raw[j:]:  # named entities (`&amp;`): the whole, as before
        return _unescape(raw)
    return raw[:i] + decoded + raw[j:]


def _number(raw: str) -> int | float:
    """A `<v>` number typed as `Workbook.value` types it: an int when written as one."""
    number = float(raw)
    return int(number) if number.is_integer() and "." not in raw and "E" not in raw \
        else number


def _v_reader(wb: Workbook, attrs: str) -> Callable[[str], Any] | None:
    """How `Workbook.value` types the `<v>` text of a cell with these attributes, for the
    forms nearly every cell takes (a shared string, a number, a date; dates cached, as a
    register repeats its days); None leaves the cell to `Workbook.value`. `t="n"` is the
    default type: ` s="1" t="n"` (openpyxl) is the same date as ` s="1"` (Excel)."""
    if ' t="s"' in attrs:
        strings = wb.strings
        return lambda raw: strings[int(raw)]
    if " t=" in attrs:
        t = _ATTR_T.search(attrs)
        if t is not None and t.group(1) != "n":
            return None
        s = _ATTR_S.search(attrs)
        style = s.group(1) if s else None
    else:
        at = attrs.find(' s="')
        style = attrs[at + 4:attrs.find('"', at + 4)] if at >= 0 else None
    if style is None:
        return _number
    if not (style.isascii() and style.isdigit()):
        return None
    return _dates(wb) if int(style) in wb.date_styles else _number


def _dates(wb: Workbook) -> Callable[[str], Any]:
    """`wb.date(float(raw))` for a column of date serials, where openpyxl's `from_excel`
    was the costliest step of a register (two timedeltas, two sums a cell): the same sum,
    `epoch + timedelta(days=day) + timedelta(milliseconds=…)`, with each day's midnight
    computed once and each distinct serial converted once. Serials before 60 (times of
    day, the 1900 leap-year bug) and anything unusual still go through `wb.date`."""
    from .excel import WINDOWS_EPOCH

    epoch = wb.epoch or WINDOWS_EPOCH
    midnights: dict[float, dt.datetime] = {}
    seen: dict[str, Any] = {}

    def date(raw: str) -> Any:
        got = seen.get(raw)
        if got is None:
            serial = float(raw)
            if 60 <= serial < 2958466:  # 1900-03-01 .. 9999-12-31
                day, fraction = divmod(serial, 1)
                midnight = midnights.get(day)
                if midnight is None:
                    midnight = midnights[day] = epoch + dt.timedelta(days=day)
                got = midnight + dt.timedelta(
                    milliseconds=round(fraction * 86400 * 1000))
            else:
                got = wb.date(serial)
            seen[raw] = got
        return got

    return date


def _read_sheet_openpyxl(path: Path, title: str, spec: contract.SheetSpec, shown: str,
                         external: bool, issues: list[Issue]) -> RegisterTable | None:
    """Slow path for the rare writer that omits cell references (`<c>` without `r=`)."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's English notes on odd cells
            read = list(wb[title].iter_rows(values_only=True))
    finally:
        wb.close()
    head: dict[int, list[tuple[str, Any]]] = {}
    rows: list[tuple[int, dict[str, Any]]] = []
    all_rows = []
    for r, row in enumerate(read, start=1):
        cells = [(get_column_letter(i + 1), v) for i, v in enumerate(row) if v is not None]
        if r <= HEADER_SEARCH_ROWS:
            head[r] = cells
        all_rows.append((r, cells))
    found = _find_header(head, spec)
    if found is not None:
        by_letter = {letter: key for key, letter in found[1].items()}
        rows = [(r, {by_letter[ltr]: v for ltr, v in cells if ltr in by_letter})
                for r, cells in all_rows]
    return _table(None, "", 0, head, spec, shown, external, issues, rows)


def read_registers(path: Path, *, external: bool = False
                   ) -> tuple[list[RegisterTable], list[Issue]]:
    """The register sheets of `path`: by name, or (an export) by their header row."""
    issues: list[Issue] = []
    if external:
        problem = check_file(path)
        if problem is not None:
            return [], [problem]
    try:
        wb = Workbook(path)
    except Exception:  # a workbook read.py accepted but whose parts are unusual
        return [], [make("E006", sheet=path.name,
                         detail="không đọc được danh sách trang tính")]
    tables: list[RegisterTable] = []
    try:
        by_fold = {fold(t): t for t in wb.sheets}
        taken: set[str] = set()
        for spec in contract.REGISTERS:
            title = by_fold.get(fold(spec.name))
            if title is None and external:
                title = _by_headers(wb, spec, taken)
            if title is None:
                continue
            taken.add(title)
            shown = f"[{path.name}]{title}" if external else title
            if wb.sheets[title][1]:
                issues.append(make("W104", sheet=shown))
            try:
                table = _read_sheet(wb, title, spec, shown, external, issues)
            except Exception:  # damaged XML, a value no writer would write
                issues.append(make("E006", sheet=path.name,
                                   detail=f"trang \"{title}\" có dữ liệu hỏng"))
                continue
            if table is not None:
                tables.append(table)
    finally:
        wb.close()
    if external and not tables and not issues:
        issues.append(make("E610", sheet=path.name,
                           names=" hoặc ".join(f"\"{s.name}\"" for s in contract.REGISTERS)))
    return tables, issues


def _by_headers(wb: Workbook, spec: contract.SheetSpec, taken: set[str]) -> str | None:
    """An export's sheet (`Sheet1`, `Danh sách`) recognised by the register's header row."""
    for title in wb.sheets:
        if title in taken or any(fold(title) == fold(s.name) for s in contract.REGISTERS):
            continue
        head: dict[int, list[tuple[str, Any]]] = {}
        for m in _ANY_CELL.finditer(wb.sheet_xml(title)):
            if int(m.group(2)) > HEADER_SEARCH_ROWS:
                break
            head.setdefault(int(m.group(2)), []).append((m.group(1),
                                                          wb.value(m.group(3), m.group(4))))
        if _find_header(head, spec) is not None:
            return title
    return None
