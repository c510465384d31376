"""The register reading and checks as they were before the column-wise rewrite, kept as the
oracle of test_register_diff.py: every cell decoded one by one through `Workbook.value`, a
dict per row, the checks row by row. Slow and plain on purpose; not used by the tool.

Only the parts the rewrite replaced are copied here; the rest (header search, value
decoding, numbering checks, messages) is the tool's own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baocao_cli import contract
from baocao_cli.issues import Issue, make
from baocao_cli.model import DocCount, Info
from baocao_cli.read.guards import check_file
from baocao_cli.read.registers import (
    _NUMBERING,
    CHECKED,
    ISSUES_PER_CHECK,
    _by_headers,
    _find_header,
    _head,
    _no_header,
    _raw,
)
from baocao_cli.read.sheet_xml import _CELL, _CELL_WITHOUT_REF, _HIDDEN_ROW, Workbook
from baocao_cli.validate.doc_types import OTHER_KIND, parse_code
from baocao_cli.validate.registers import (
    Entry,
    Summary,
    _Checker,
    _secret,
    _series_is_secret,
    _shown_date,
)
from baocao_cli.vn import fold


@dataclass
class Table:
    sheet: str
    spec: contract.SheetSpec
    header_row: int
    columns: dict[str, str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def ref(self, key: str, row: int) -> str:
        return f"{self.columns.get(key, 'A')}{row}"


@dataclass
class Result:
    issues: list[Issue]
    summaries: list[Summary]
    documents: list[DocCount]


def read(path: Path, external: bool = False) -> tuple[list[Table], list[Issue]]:
    issues: list[Issue] = []
    if external:
        problem = check_file(path)
        if problem is not None:
            return [], [problem]
    wb = Workbook(path)
    tables: list[Table] = []
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


def _read_sheet(wb: Workbook, title: str, spec: contract.SheetSpec, shown: str,
                external: bool, issues: list[Issue]) -> Table | None:
    data = wb.sheet_xml(title)
    assert not _CELL_WITHOUT_REF.search(data), "the openpyxl path is not compared"
    head, header_end = _head(wb, data)
    found = _find_header(head, spec)
    if found is None:
        issues.append(_no_header(head, spec, shown))
        return None
    header_row, columns, extra = found
    if not external:
        issues += [make("W102", sheet=shown, cell=ref, value=v) for ref, v in extra]
    table = Table(shown, spec, header_row, columns)
    by_letter = {letter: key for key, letter in columns.items()}
    rows: list[tuple[int, dict[str, Any]]] = []
    pattern = re.compile(_CELL.format(cols="|".join(sorted(by_letter, key=len, reverse=True))),
                         re.S)
    current, values = 0, {}
    for r, cells in sorted(head.items()):
        if r > header_row:
            values = {by_letter[ltr]: v for ltr, v in cells if ltr in by_letter}
            rows.append((r, values))
    checked = {letter for letter, key in by_letter.items() if key in CHECKED}
    for letter, row, attrs, inner in pattern.findall(data, header_end):
        r = int(row)
        if r != current:
            current, values = r, {}
            rows.append((r, values))
        values[by_letter[letter]] = wb.value(attrs, inner) if letter in checked \
            else _raw(inner)
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
            first = False
            continue
        first = False
        table.rows.append((r, present))
    hidden = [int(r) for r in _HIDDEN_ROW.findall(data) if int(r) > header_row]
    for r in hidden[:ISSUES_PER_CHECK]:
        issues.append(make("W103", sheet=shown, cell=f"A{r}", row=r))
    return table


class _RowChecker(_Checker):
    """The row-by-row loops; the value helpers, numbering checks and issue cap are shared."""

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
            secret, series = self.row_secrecy(cells)
            if code is not None:
                unique = f"{series}|{code.key}"
                if unique in first:
                    self.add("E601", t.ref("so_ky_hieu", r), value=text, first=first[unique],
                             year=self.year or "")
                    continue
                first[unique] = t.ref("so_ky_hieu", r)
            kind = self.kind(r, code, summary, self.own)
            if code is not None and code.year:
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
            secret, series = self.row_secrecy(cells)
            kind = self.kind(r, code, summary, "")
            entries.append(Entry(r, "mat_den" if secret else "den", kind, series, code,
                                 arrived, number))
        return entries

    def row_secrecy(self, cells: dict[str, Any]) -> tuple[bool, str]:
        series = self.text(cells.get("so"))
        secret = _secret(cells.get("do_mat")) or (bool(series) and _series_is_secret(series))
        return secret, f"{series}|{'mat' if secret else ''}"


def check(tables: list[Table], info: Info) -> Result:
    out = Result([], [], [])
    totals: Counter[tuple[str, str]] = Counter()
    for table in tables:
        c = _RowChecker(table, info)  # type: ignore[arg-type]
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
