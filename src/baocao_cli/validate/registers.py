"""The document registers (sổ đăng ký văn bản đi / đến, Phụ lục IV): counts and the
numbering checks of Điều 15. Reading is in registers_read.py (its cells: sheet_xml.py),
document types in doc_types.py.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .. import contract
from ..issues import Issue, make
from ..model import DocCount, Info
from ..read.registers import ISSUES_PER_CHECK, RegisterTable, read_registers
from ..read.sheet_xml import ErrorValue, Missing
from ..vn import fold, format_number, parse_date
from .doc_types import OTHER_KIND, Code, classify, parse_code, type_of_code

NOT_SECRET = {"", "thuong", "khong", "khongmat", "binhthuong", "0", "no"}
GROUP_LABEL = dict(contract.GROUPS)

__all__ = ["Registers", "Summary", "check_registers", "classify", "merge_counts",
           "parse_code", "ranges", "read_registers"]


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


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


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
                # `capped`: `code` is make()'s own first parameter
                summary = "E690" if code.startswith("E") else "W690"
                self.issues.append(make(summary, sheet=self.sheet, capped=code,
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
        if not math.isfinite(n) or n != int(n) or n < 1:
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
    # The two loops below run once per document (tens of thousands a year): the common cell
    # forms (a str, a datetime, an int, no Độ mật or Sổ) are taken inline, anything else
    # goes through the methods above; the summary is only read when the ký hiệu leaves the
    # type open. The issues come in the same order either way.
    def outgoing(self) -> list[Entry]:
        t = self.table
        entries: list[Entry] = []
        first: dict[str, int] = {}  # series|ký hiệu -> the row that registered it
        year, own = self.year, self.own
        for r, raw, summary, issued, do_mat, so in zip(t.row_numbers, *map(t.column, (
                "so_ky_hieu", "trich_yeu", "ngay_van_ban", "do_mat", "so")), strict=True):
            if type(raw) is str:
                text = _nfc(raw).strip()
            else:
                text = "" if raw is None or self.bad("so_ky_hieu", r, raw) else self.text(raw)
            date = issued.date() if type(issued) is dt.datetime \
                else self.date("ngay_van_ban", r, issued)
            code = parse_code(text) if text else None
            if not text:
                self.add("E605", t.ref("so_ky_hieu", r), column="Số, ký hiệu văn bản")
            elif code is None:
                self.add("E606", t.ref("so_ky_hieu", r), value=text[:60])
            if issued is None:
                self.add("E605", t.ref("ngay_van_ban", r), column="Ngày tháng văn bản")
            if date is not None and year and date.year != year:
                self.in_year("ngay_van_ban", r, date, "ngày văn bản")
            secret, series = (False, "|") if do_mat is None and so is None \
                else self.secrecy(do_mat, so)
            if code is not None:
                unique = f"{series}|{code.key}"  # secret documents: a series of their own
                if unique in first:
                    self.add("E601", t.ref("so_ky_hieu", r), value=text,
                             first=t.ref("so_ky_hieu", first[unique]), year=year or "")
                    continue
                first[unique] = r
            kind = type_of_code(code, own) if code is not None else None
            if kind is None or kind == OTHER_KIND:
                kind = self.kind(r, code, self.text(summary), own)
            if code is not None and code.year:  # legal documents: one series per type
                series = f"{series}|{code.year}|{kind}"
            entries.append(Entry(r, "mat_di" if secret else "di", kind, series, code, date,
                                 code.number if code else None))
        return entries

    def incoming(self) -> list[Entry]:
        t = self.table
        entries: list[Entry] = []
        seen: dict[tuple[str, str, dt.date | None], int] = {}  # document -> its first row
        year = self.year
        for r, came, number_v, issued_v, raw, summary, author_v, do_mat, so in zip(
                t.row_numbers, *map(t.column, ("ngay_den", "so_den", "ngay_van_ban",
                                               "so_ky_hieu", "trich_yeu", "tac_gia", "do_mat",
                                               "so")), strict=True):
            arrived = came.date() if type(came) is dt.datetime \
                else self.date("ngay_den", r, came)
            number = number_v if type(number_v) is int and number_v >= 1 \
                else self.integer("so_den", r, number_v)
            issued = issued_v.date() if type(issued_v) is dt.datetime \
                else self.date("ngay_van_ban", r, issued_v)
            if type(raw) is str:
                text = _nfc(raw).strip()
            else:
                text = "" if raw is None or self.bad("so_ky_hieu", r, raw) else self.text(raw)
            if came is None:
                self.add("E605", t.ref("ngay_den", r), column="Ngày đến")
            if number_v is None:
                self.add("E605", t.ref("so_den", r), column="Số đến")
            if arrived is not None and year and arrived.year != year:
                self.in_year("ngay_den", r, arrived, "ngày đến")
            if arrived is not None and issued is not None and arrived < issued:
                self.add("E604", t.ref("ngay_den", r), arrived=_shown_date(arrived),
                         issued=_shown_date(issued), cell_issued=t.ref("ngay_van_ban", r))
            code = parse_code(text) if text else None
            author = fold(_nfc(author_v).strip() if type(author_v) is str
                          else self.text(author_v))
            if text:
                key = (author, code.key if code else fold(text), issued)
                if key in seen:
                    self.add("W605", t.ref("so_ky_hieu", r), value=text,
                             first=t.ref("so_ky_hieu", seen[key]))
                else:
                    seen[key] = r
            secret, series = (False, "|") if do_mat is None and so is None \
                else self.secrecy(do_mat, so)
            kind = type_of_code(code, "") if code is not None else None
            if kind is None or kind == OTHER_KIND:
                kind = self.kind(r, code, self.text(summary), "")
            entries.append(Entry(r, "mat_den" if secret else "den", kind, series, code,
                                 arrived, number))
        return entries

    def secrecy(self, do_mat: Any, so: Any) -> tuple[bool, str]:
        """Secret when `Độ mật` is filled (not `Thường`) or the `Sổ` names a secret series;
        secret documents are numbered in their own series (Điều 15, khoản 2)."""
        series = self.text(so)
        secret = _secret(do_mat) or (bool(series) and _series_is_secret(series))
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
