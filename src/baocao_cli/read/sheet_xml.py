"""The cells of a sheet read straight from its XML with regular expressions, typed as
openpyxl's data-only load types them, for sheets far too long for openpyxl (a year's
register): shared strings, date styles and the 1904 date system from the workbook's own
parts, and fast decoders for the plain forms nearly every cell takes.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any


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


def _bounded_xml(zf: zipfile.ZipFile, part: str, title: str) -> str:
    """A sheet's XML as text, refused (SheetTooLarge) past `contract.MAX_SHEET_ROWS` rows
    while it inflates: a register is read whole, so its size is bounded first."""
    from .. import contract
    from .xlsx import too_large

    pieces: list[bytes] = []
    rows, tail = 0, b""
    with zf.open(part) as fh:
        while chunk := fh.read(1 << 20):
            rows += (tail + chunk).count(b"row>")  # `</row>`, `</x:row>`: one per row
            tail = chunk[-3:]
            if rows > contract.MAX_SHEET_ROWS:
                raise too_large(title, contract.MAX_SHEET_ROWS, "dòng")
            pieces.append(chunk)
    data = b"".join(pieces)
    del pieces
    return data.decode("utf-8")


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
            self._xml[title] = _bounded_xml(self.zip, self.sheets[title][0], title)
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
                at = attrs.find(' s="')
                if at >= 0 and int(attrs[at + 4:attrs.index('"', at + 4)]) in self.date_styles:
                    return self.date(float(raw))
                return _number(raw)
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
        s = _ATTR_S.search(attrs)
        if s and int(s.group(1)) in self.date_styles:
            return self.date(float(raw))
        return _number(raw)


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
