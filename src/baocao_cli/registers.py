"""The document registers (sổ đăng ký văn bản đi / đến, Phụ lục IV): counts and Điều 15.

A year's register runs to tens of thousands of rows, which openpyxl reads too slowly (its
normal and read-only modes both build a Python object per cell), so the register sheets are
read here straight from the sheet XML: only the columns the checks need, keeping each cell's
row and column for locations. Sheets are matched like every other sheet of the contract
(normalised names and headers, header row below titles); a separate e-office export given
with `--so-van-ban` may name its sheet anything and carry any extra columns.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
import tomllib
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

from . import contract
from .issues import Issue, make
from .model import DocCount, Info
from .read import check_file
from .vn import fold as _fold_uncached
from .vn import fold_header, format_number, parse_date

HEADER_SEARCH_ROWS = 20  # exports put the agency, the title and the period above the table
ISSUES_PER_CHECK = 200  # per register and code: every slip of a real register, bounded output
OTHER_KIND = "Văn bản khác"
NOT_SECRET = {"", "thuong", "khong", "khongmat", "binhthuong", "0", "no"}
GROUP_LABEL = dict(contract.GROUPS)


@functools.lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """`vn.fold`, cached: a register repeats the same ký hiệu tails and series names."""
    return _fold_uncached(text)


# ---------------------------------------------------------------- document types

@dataclass(frozen=True)
class DocTypes:
    by_abbr: dict[str, str]  # exact abbreviation -> label
    by_upper: dict[str, str]
    by_fold: dict[str, str]  # only abbreviations whose folded form is unambiguous
    names: tuple[tuple[str, str], ...]  # (folded name, label), longest first
    cong_van: str


@functools.cache
def doc_types() -> DocTypes:
    """Phụ lục III's abbreviation table, from the package's doc_types.toml."""
    text = resources.files("baocao_cli").joinpath("doc_types.toml").read_text("utf-8")
    data = tomllib.loads(text)
    entries = [*data["hanh_chinh"], *data.get("quy_pham", [])]
    by_abbr: dict[str, str] = {}
    folded: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for e in entries:
        label = e.get("label") or e["name"]
        by_abbr[e["abbr"]] = label
        folded.setdefault(fold(e["abbr"]), set()).add(label)
        names[fold(re.sub(r"\([^)]*\)", "", e["name"]))] = label
        names[fold(label)] = label
    cong_van = data["cong_van"]
    names[fold(cong_van)] = cong_van
    for short in ("V/v", "Về việc"):
        names[fold(short)] = cong_van
    return DocTypes(
        by_abbr, {a.upper(): lbl for a, lbl in by_abbr.items()},
        {k: next(iter(v)) for k, v in folded.items() if len(v) == 1},
        tuple(sorted(names.items(), key=lambda kv: -len(kv[0]))), cong_van)


def type_of_abbr(token: str) -> str | None:
    t = doc_types()
    return t.by_abbr.get(token) or t.by_upper.get(token.upper()) or t.by_fold.get(fold(token))


def type_of_summary(summary: str) -> str | None:
    """The type named by the first words of `Tên loại và trích yếu` (`Báo cáo kết quả …`)."""
    if not summary:
        return None
    head = fold(summary[:40])
    return next((label for name, label in doc_types().names if head.startswith(name)), None)


KY_HIEU = re.compile(r"^(\d+)\s*/\s*(?:(\d{4})\s*/\s*)?(\S.*)$")


@dataclass(frozen=True)
class Code:
    number: int
    year: int | None  # legal documents: `05/2021/QĐ-UBND`
    tail: str  # what follows the number (and year): `BC-SLĐTBXH`

    @property
    def key(self) -> str:
        year = f"{self.year}/" if self.year else ""
        return f"{self.number}/{year}{fold(self.tail).upper()}"


def parse_code(text: str) -> Code | None:
    m = KY_HIEU.match(text.replace(" ", ""))
    if not m:
        return None
    return Code(int(m.group(1)), int(m.group(2)) if m.group(2) else None, m.group(3))


def classify(code: Code | None, summary: str, own: str) -> tuple[str, str | None]:
    """(type label, unknown abbreviation or None) of one registered document.

    `own` is the unit's own ký hiệu (`Thông tin`, outgoing only): a ký hiệu that starts with
    it has no type abbreviation and is a Công văn; one that has something else before it
    carries an abbreviation Phụ lục III does not know.
    """
    t = doc_types()
    if code is not None:
        tokens = [x for x in code.tail.split("-") if x]
        if tokens and (label := type_of_abbr(tokens[0])):
            return label, None
        folded = fold(code.tail)
        if own:
            if folded.startswith(own):
                return t.cong_van, None
            at = folded.find(own)
            if at > 0:
                unknown = code.tail.split("-")[0]
                return type_of_summary(summary) or OTHER_KIND, unknown
        return type_of_summary(summary) or t.cong_van, None
    return type_of_summary(summary) or OTHER_KIND, None


# ---------------------------------------------------------------- reading the sheet XML

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


def _decode_charrefs(xml: str) -> str:
    """Numeric character references decoded once for the whole sheet.

    Some writers (openpyxl among them) store every Vietnamese letter as `&#7873;`; decoding
    them cell by cell was most of the time spent on a large register.
    """
    return _CHARREF.sub(_charref, xml) if "&#" in xml else xml


def _xml(blob: bytes) -> Any:
    from defusedxml.ElementTree import fromstring

    return fromstring(blob)


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
            from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

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
            raw = self.zip.read(self.sheets[title][0]).decode("utf-8")
            self._xml[title] = _decode_charrefs(raw)
        return self._xml[title]

    def value(self, attrs: str, inner: str | None) -> Any:
        """The value of one `<c>` element, typed like openpyxl's data-only reading."""
        inner = inner or ""
        t = _ATTR_T.search(attrs)
        kind = t.group(1) if t else "n"
        if kind == "inlineStr":
            return _unescape("".join(_T.findall(_RPH.sub("", inner) if "rPh" in inner
                                                else inner)))
        v = _V.search(inner)
        if v is None:
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
            from openpyxl.utils.datetime import from_excel

            return from_excel(number, self.epoch) if self.epoch else from_excel(number)
        return int(number) if number.is_integer() and "." not in raw and "E" not in raw \
            else number


# ---------------------------------------------------------------- register tables

@dataclass
class RegisterTable:
    sheet: str  # as shown in messages: `Sổ văn bản đi` or `[export.xlsx]Sheet1`
    spec: contract.SheetSpec
    header_row: int
    columns: dict[str, str]  # column key -> letter
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def ref(self, key: str, row: int) -> str:
        return f"{self.columns.get(key, 'A')}{row}"


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
    if _CELL_WITHOUT_REF.search(data):
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
    return _table(wb, data, header_end, head, title, spec, shown, external, issues)


def _table(wb: Workbook | None, data: str, header_end: int,
           head: dict[int, list[tuple[str, Any]]], title: str, spec: contract.SheetSpec,
           shown: str, external: bool, issues: list[Issue],
           rows: list[tuple[int, dict[str, Any]]] | None = None) -> RegisterTable | None:
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
    if rows is None:
        rows = []
        pattern = re.compile(_CELL.format(cols="|".join(sorted(by_letter, key=len,
                                                                   reverse=True))), re.S)
        current, values = 0, {}
        for r, cells in sorted(head.items()):
            if r > header_row:
                values = {by_letter[ltr]: v for ltr, v in cells if ltr in by_letter}
                rows.append((r, values))
        assert wb is not None
        value = wb.value
        for m in pattern.finditer(data, header_end):
            r = int(m.group(2))
            if r != current:
                current, values = r, {}
                rows.append((r, values))
            values[by_letter[m.group(1)]] = value(m.group(3), m.group(4))
    first = True
    for r, values in rows:
        if r <= header_row:
            continue
        present = {k: v for k, v in values.items()
                   if v is not None and not (isinstance(v, str) and not v.strip())}
        if not present:
            continue
        if first and all(isinstance(v, int | str) and _NUMBERING.match(str(v).strip())
                         for v in present.values()):
            first = False  # the form's column numbers `(1) (2) …` under the header
            continue
        first = False
        table.rows.append((r, present))
    if data:
        hidden = [int(r) for r in _HIDDEN_ROW.findall(data) if int(r) > header_row]
        for r in hidden[:ISSUES_PER_CHECK]:
            issues.append(make("W103", sheet=shown, cell=f"A{r}", row=r))
    return table


def _read_sheet_openpyxl(path: Path, title: str, spec: contract.SheetSpec, shown: str,
                         external: bool, issues: list[Issue]) -> RegisterTable | None:
    """Slow path for the rare writer that omits cell references (`<c>` without `r=`)."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        head: dict[int, list[tuple[str, Any]]] = {}
        rows: list[tuple[int, dict[str, Any]]] = []
        all_rows = []
        for r, row in enumerate(wb[title].iter_rows(values_only=True), start=1):
            cells = [(get_column_letter(i + 1), v) for i, v in enumerate(row) if v is not None]
            if r <= HEADER_SEARCH_ROWS:
                head[r] = cells
            all_rows.append((r, cells))
    finally:
        wb.close()
    found = _find_header(head, spec)
    if found is not None:
        by_letter = {letter: key for key, letter in found[1].items()}
        rows = [(r, {by_letter[ltr]: v for ltr, v in cells if ltr in by_letter})
                for r, cells in all_rows]
    return _table(None, "", 0, head, title, spec, shown, external, issues, rows)


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
            table = _read_sheet(wb, title, spec, shown, external, issues)
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


# ---------------------------------------------------------------- checks and counts

@dataclass
class Entry:
    row: int
    group: str  # di | den | mat_di | mat_den
    kind: str
    series: str
    code: Code | None
    date: dt.date | None  # outgoing: Ngày tháng văn bản; incoming: Ngày đến
    number: int | None  # outgoing: the number of the ký hiệu; incoming: Số đến


@dataclass
class Summary:
    """One register, for `validate`'s summary lines and JSON."""

    sheet: str
    direction: str  # di | den
    documents: int
    secret: int
    missing: str  # `12-15, 40`, every series joined
    duplicates: int
    counts: dict[str, int] = field(default_factory=dict)  # "group|kind" -> count

    def line(self) -> str:
        what = "văn bản đi" if self.direction == "di" else "văn bản đến"
        text = f"{self.sheet}: {format_number(self.documents)} {what}"
        if self.secret:
            text += f" (trong đó {format_number(self.secret)} văn bản mật)"
        text += f"; thiếu số: {self.missing}" if self.missing else "; số liên tục"
        if self.duplicates:
            text += f"; {format_number(self.duplicates)} số trùng"
        return text + "."

    def to_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "direction": self.direction, "summary": self.line(),
                "documents": self.documents, "secret": self.secret,
                "missing": self.missing, "duplicates": self.duplicates,
                "counts": [{"group": k.split("|")[0], "kind": k.split("|")[1], "count": n}
                           for k, n in self.counts.items()]}


@dataclass
class Registers:
    tables: list[RegisterTable] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    summaries: list[Summary] = field(default_factory=list)
    documents: list[DocCount] = field(default_factory=list)


def ranges(numbers: list[int]) -> str:
    """`[12, 13, 14, 15, 40]` → `12-15, 40` (sorted, distinct numbers)."""
    out: list[str] = []
    i = 0
    while i < len(numbers):
        j = i
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        out.append(f"{numbers[i]:02d}" if i == j else f"{numbers[i]:02d}-{numbers[j]:02d}")
        i = j + 1
    return ", ".join(out)


def _secret(value: Any) -> bool:
    return value is not None and fold(str(value)) not in NOT_SECRET


def _series_is_secret(name: str) -> bool:
    words = unicodedata.normalize("NFC", name).lower().split()
    return "mật" in words or "mat" in {fold(w) for w in words if w.isascii()}


def _shown_date(d: dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


class _Checker:
    """The checks of one register table; issues are capped per code (see ISSUES_PER_CHECK)."""

    def __init__(self, table: RegisterTable, info: Info) -> None:
        self.table = table
        self.sheet = table.sheet
        self.year = info.nam
        self.own = fold(info.ky_hieu)
        self.issues: list[Issue] = []
        self.counts: Counter[str] = Counter()

    def add(self, code: str, cell: str | None = None, **params: object) -> None:
        self.counts[code] += 1
        if self.counts[code] <= ISSUES_PER_CHECK:
            self.issues.append(make(code, sheet=self.sheet, cell=cell, **params))

    def finish(self) -> list[Issue]:
        for code, n in self.counts.items():
            if n > ISSUES_PER_CHECK:
                self.issues.append(make(f"{code[0]}690", sheet=self.sheet, code=code,
                                        n=format_number(n - ISSUES_PER_CHECK),
                                        total=format_number(n)))
        return self.issues

    # values
    def text(self, v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if isinstance(v, dt.datetime | dt.date):
            return _shown_date(v)
        return unicodedata.normalize("NFC", str(v)).strip()

    def bad(self, key: str, r: int, v: Any) -> bool:
        if isinstance(v, Missing):
            self.add("E205", self.table.ref(key, r), formula=v.formula)
            return True
        if isinstance(v, ErrorValue):
            self.add("E206", self.table.ref(key, r), value=str(v))
            return True
        return False

    def date(self, key: str, r: int, v: Any) -> dt.date | None:
        if v is None or self.bad(key, r, v):
            return None
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, dt.date):
            return v
        d = parse_date(self.text(v))
        if d is None:
            self.add("E204", self.table.ref(key, r), value=self.text(v)[:60])
        return d

    def integer(self, key: str, r: int, v: Any) -> int | None:
        if v is None or self.bad(key, r, v):
            return None
        if isinstance(v, int) and not isinstance(v, bool):
            n: float | int = v
        elif isinstance(v, float):
            n = v
        elif isinstance(v, str) and v.strip().isdigit():
            n = int(v.strip())
        else:
            self.add("E201", self.table.ref(key, r), value=self.text(v)[:60])
            return None
        if n != int(n) or n < 1:
            self.add("E612", self.table.ref(key, r), value=self.text(v))
            return None
        return int(n)

    def in_year(self, key: str, r: int, d: dt.date | None, what: str) -> None:
        if d is not None and self.year and d.year != self.year:
            self.add("E602", self.table.ref(key, r), what=what, value=_shown_date(d),
                     year=self.year)

    def kind(self, r: int, code: Code | None, summary: str, own: str) -> str:
        kind, unknown = classify(code, summary, own)
        if unknown:
            self.add("W606", self.table.ref("so_ky_hieu", r), abbr=unknown,
                     value=code.tail if code else "", kind=kind)
        elif kind == OTHER_KIND:
            self.add("W607", self.table.ref("trich_yeu", r), value=summary[:60])
        return kind

    # registers
    def outgoing(self) -> list[Entry]:
        t = self.table
        entries: list[Entry] = []
        first: dict[str, str] = {}
        for r, cells in t.rows:
            raw = cells.get("so_ky_hieu")
            text = "" if raw is None or self.bad("so_ky_hieu", r, raw) else self.text(raw)
            summary = self.text(cells.get("trich_yeu"))
            date = self.date("ngay_van_ban", r, cells.get("ngay_van_ban"))
            code = parse_code(text) if text else None
            if not text:
                self.add("E605", t.ref("so_ky_hieu", r), column="Số, ký hiệu văn bản")
            elif code is None:
                self.add("E606", t.ref("so_ky_hieu", r), value=text[:60])
            if "ngay_van_ban" not in cells:
                self.add("E605", t.ref("ngay_van_ban", r), column="Ngày tháng văn bản")
            self.in_year("ngay_van_ban", r, date, "ngày văn bản")
            secret, series = self.secrecy(cells)
            if code is not None:
                unique = f"{series}|{code.key}"  # secret documents: a series of their own
                if unique in first:
                    self.add("E601", t.ref("so_ky_hieu", r), value=text, first=first[unique],
                             year=self.year or "")
                    continue
                first[unique] = t.ref("so_ky_hieu", r)
            kind = self.kind(r, code, summary, self.own)
            if code is not None and code.year:  # legal documents: one series per type
                series = f"{series}|{code.year}|{kind}"
            entries.append(Entry(r, "mat_di" if secret else "di", kind, series, code, date,
                                 code.number if code else None))
        return entries

    def incoming(self) -> list[Entry]:
        t = self.table
        entries: list[Entry] = []
        seen: dict[tuple[str, str, dt.date | None], str] = {}
        for r, cells in t.rows:
            arrived = self.date("ngay_den", r, cells.get("ngay_den"))
            number = self.integer("so_den", r, cells.get("so_den"))
            issued = self.date("ngay_van_ban", r, cells.get("ngay_van_ban"))
            raw = cells.get("so_ky_hieu")
            text = "" if raw is None or self.bad("so_ky_hieu", r, raw) else self.text(raw)
            summary = self.text(cells.get("trich_yeu"))
            for key, label in (("ngay_den", "Ngày đến"), ("so_den", "Số đến")):
                if key not in cells:
                    self.add("E605", t.ref(key, r), column=label)
            self.in_year("ngay_den", r, arrived, "ngày đến")
            if arrived is not None and issued is not None and arrived < issued:
                self.add("E604", t.ref("ngay_den", r), arrived=_shown_date(arrived),
                         issued=_shown_date(issued), cell_issued=t.ref("ngay_van_ban", r))
            code = parse_code(text) if text else None
            author = fold(self.text(cells.get("tac_gia")))
            if text:
                key = (author, code.key if code else fold(text), issued)
                if key in seen:
                    self.add("W605", t.ref("so_ky_hieu", r), value=text, first=seen[key])
                else:
                    seen[key] = t.ref("so_ky_hieu", r)
            secret, series = self.secrecy(cells)
            kind = self.kind(r, code, summary, "")
            entries.append(Entry(r, "mat_den" if secret else "den", kind, series, code,
                                 arrived, number))
        return entries

    def secrecy(self, cells: dict[str, Any]) -> tuple[bool, str]:
        """Secret when `Độ mật` is filled (not `Thường`) or the `Sổ` names a secret series;
        secret documents are numbered in their own series (Điều 15, khoản 2)."""
        series = self.text(cells.get("so"))
        secret = _secret(cells.get("do_mat")) or (bool(series) and _series_is_secret(series))
        return secret, f"{series}|{'mat' if secret else ''}"

    def numbering(self, entries: list[Entry], direction: str) -> tuple[list[str], int]:
        """Gaps, repeats and order within each number series; (missing ranges, repeats)."""
        by_series: dict[str, list[Entry]] = {}
        for e in entries:
            if e.number is not None:
                by_series.setdefault(e.series, []).append(e)
        what = "số" if direction == "di" else "số đến"
        missing_all: list[str] = []
        repeats = 0
        for series, items in by_series.items():
            groups = [items]
            if direction == "di" and not series.count("|") > 1:
                groups = _split_by_type(items)
            for group in groups:
                name = _series_name(series, group, direction, len(groups) > 1)
                missing, rep = self.one_series(group, name, what, direction)
                repeats += rep
                if missing:
                    missing_all.append(f"{name}: {missing}" if name else missing)
        return missing_all, repeats

    def one_series(self, items: list[Entry], name: str, what: str, direction: str
                   ) -> tuple[str, int]:
        t = self.table
        key = "so_ky_hieu" if direction == "di" else "so_den"
        date_key = "ngay_van_ban" if direction == "di" else "ngay_den"
        numbers: dict[int, Entry] = {}
        repeats = 0
        for e in items:
            assert e.number is not None
            if e.number in numbers:
                repeats += 1
                code = "W603" if direction == "di" else "E603"
                self.add(code, t.ref(key, e.row), what=what, number=f"{e.number:02d}",
                         first=t.ref(key, numbers[e.number].row))
                continue
            numbers[e.number] = e
        ordered = sorted(numbers)
        have = set(ordered)
        missing = [n for n in range(1, ordered[-1] + 1) if n not in have] if ordered else []
        text = ranges(missing)
        if missing:
            self.add("W601", t.ref(key, t.header_row), what=what,
                     series=f" ({name})" if name else "", n=format_number(len(missing)),
                     missing=text,
                     last=f"{ordered[-1]:02d}")
        latest: Entry | None = None
        for n in ordered:
            e = numbers[n]
            if e.date is None or (self.year and e.date.year != self.year):
                continue  # a date outside the year is an error of its own (E602)
            if latest is not None and latest.date is not None and e.date < latest.date:
                self.add("W602", t.ref(date_key, e.row), what=what, number=f"{n:02d}",
                         date=_shown_date(e.date), other=f"{latest.number:02d}",
                         other_date=_shown_date(latest.date),
                         other_cell=t.ref(date_key, latest.row))
            else:
                latest = e
        return text, repeats


def _split_by_type(items: list[Entry]) -> list[list[Entry]]:
    """One shared series, or one per type (Điều 15 leaves it to the head of the agency):
    whichever reading leaves fewer missing and repeated numbers."""
    def cost(group: list[Entry]) -> int:
        numbers = [e.number for e in group if e.number is not None]
        distinct = set(numbers)
        return (max(distinct) - len(distinct) if distinct else 0) + len(numbers) - len(distinct)

    by_kind: dict[str, list[Entry]] = {}
    for e in items:
        by_kind.setdefault(e.kind, []).append(e)
    if len(by_kind) > 1 and sum(cost(g) for g in by_kind.values()) < cost(items):
        return list(by_kind.values())
    return [items]


def _series_name(series: str, group: list[Entry], direction: str, per_type: bool) -> str:
    name, secret, *rest = series.split("|")
    parts = [name] if name else []
    if secret and not name:
        parts.append("văn bản mật")
    if rest:
        parts.append(f"{rest[1]} năm {rest[0]}")
    elif per_type:
        parts.append(group[0].kind)
    return ", ".join(parts)


def check_registers(tables: list[RegisterTable], info: Info) -> Registers:
    """Counts per group and type, and the Điều 15 checks, of every register table."""
    out = Registers(tables)
    totals: Counter[tuple[str, str]] = Counter()
    for table in tables:
        c = _Checker(table, info)
        direction = "di" if table.spec.key == "so_di" else "den"
        entries = c.outgoing() if direction == "di" else c.incoming()
        missing, repeats = c.numbering(entries, direction)
        out.issues += c.finish()
        counts = Counter((e.group, e.kind) for e in entries)
        totals.update(counts)
        out.summaries.append(Summary(
            table.sheet, direction, len(entries),
            sum(1 for e in entries if e.group.startswith("mat")), "; ".join(missing),
            repeats + c.counts["E601"],
            {f"{g}|{k}": n for (g, k), n in sorted(counts.items())}))
    order = {key: i for i, (key, _) in enumerate(contract.GROUPS)}
    out.documents = [DocCount(g, k, n) for (g, k), n in sorted(
        totals.items(), key=lambda kv: (order[kv[0][0]], kv[0][1] == OTHER_KIND, -kv[1],
                                        kv[0][1]))]
    return out


def merge_counts(typed: list[DocCount], counted: list[DocCount], sheet: str,
                 register_sheets: str) -> tuple[list[DocCount], list[Issue]]:
    """The report's counts: `Văn bản`'s rows for the groups it fills, the registers' for
    the others; where both give a group, every difference is a warning with both figures."""
    typed_groups = {d.group for d in typed}
    counted_groups = {d.group for d in counted}
    issues: list[Issue] = []
    for group in [g for g, _ in contract.GROUPS if g in typed_groups & counted_groups]:
        a = sum(d.count for d in typed if d.group == group)
        b = sum(d.count for d in counted if d.group == group)
        if a != b:
            issues.append(make("W608", sheet=sheet, group=GROUP_LABEL[group],
                               typed=format_number(a), counted=format_number(b),
                               registers=register_sheets))
        mine = {fold(d.kind): d for d in counted if d.group == group}
        for d in typed:
            other = mine.get(fold(d.kind))
            if d.group == group and other is not None and other.count != d.count:
                issues.append(make("W609", sheet=sheet, group=GROUP_LABEL[group], kind=d.kind,
                                   typed=format_number(d.count),
                                   counted=format_number(other.count),
                                   registers=register_sheets))
    merged = [*typed, *(d for d in counted if d.group not in typed_groups)]
    order = {key: i for i, (key, _) in enumerate(contract.GROUPS)}
    merged.sort(key=lambda d: order[d.group])  # stable: each source keeps its own order
    return merged, issues
