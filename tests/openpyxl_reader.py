"""The openpyxl-based reader `read_book` used before the lean XML reader, kept as an oracle.

Differential tests read the same workbooks with both and compare every table, row, cell and
issue. This is the package's former code (read.py up to the lean reader), unchanged except
that it lives here: openpyxl's data-only load of the wanted sheets, then a second, read-only
pass for formulas without a cached value. Not used by the package.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from baocao_cli import contract
from baocao_cli.issues import Issue, make
from baocao_cli.read.book import (
    HEADER_SEARCH_ROWS,
    Book,
    Cell,
    Row,
    Table,
    _header_map,
    _load_detail,
    _quote,
)
from baocao_cli.read.guards import (
    MAX_RATIO,
    MAX_UNCOMPRESSED,
    OLE_MAGIC,
    _looks_text,
    _zip_detail,
    check_file,
    declares_dtd,
)
from baocao_cli.vn import fold

_PROLOG = 64 * 1024
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")


def _inspect(path: Path) -> tuple[Issue | None, bool]:
    name = path.name
    if not path.exists():
        return make("E001", sheet=name), False
    if path.is_dir():
        return make("E003", sheet=name, detail="đây là một thư mục"), False
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        return make("E006", sheet=name, detail=exc.strerror or str(exc)), False
    if size == 0:
        return make("E002", sheet=name), False
    if head == OLE_MAGIC:  # Excel 97-2003 is read through calamine now, never by openpyxl
        return check_file(path), False
    if not zipfile.is_zipfile(path):
        if head.startswith(b"PK\x03\x04"):
            return make("E006", sheet=name,
                        detail="tệp nén ZIP bị cắt cụt, thiếu phần danh mục ở cuối tệp"), False
        kind = "có vẻ là tệp văn bản hoặc CSV" if _looks_text(head) else "không phải tệp nén ZIP"
        return make("E003", sheet=name, detail=kind), False
    try:
        with zipfile.ZipFile(path) as zf:
            return _inspect_zip(zf, name)
    except Exception as exc:
        return make("E006", sheet=name, detail=_zip_detail(exc)), False


def _inspect_zip(zf: zipfile.ZipFile, name: str) -> tuple[Issue | None, bool]:
    infos = zf.infolist()
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        return make("E003", sheet=name, detail="tệp nén không chứa sổ Excel"), False
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED or any(
        i.compress_size and i.file_size / i.compress_size > MAX_RATIO
        and i.file_size > 10 * 1024 * 1024 for i in infos
    ):
        return make("E007", sheet=name, detail=f"{total // (1024 * 1024)} MB",
                    limit=f"{MAX_UNCOMPRESSED // (1024 * 1024)} MB"), False
    has_formulas = False
    for info in infos:
        if info.is_dir():
            continue
        is_xml = info.filename.endswith((".xml", ".rels"))
        is_sheet = is_xml and info.filename.startswith("xl/worksheets/")
        with zf.open(info) as fh:
            first = True
            tail = b""
            while chunk := fh.read(1 << 20):
                if first and is_xml and declares_dtd(chunk[:_PROLOG]):
                    return make("E009", sheet=name, part=info.filename), False
                first = False
                if is_sheet and not has_formulas:
                    has_formulas = bool(_FORMULA_TAG.search(tail + chunk))
                    tail = chunk[-16:]
    return None, has_formulas


def read_book(path: Path, specs: tuple[contract.SheetSpec, ...] = contract.SHEETS
              ) -> tuple[Book | None, list[Issue]]:
    problem, has_formulas = _inspect(path)
    if problem is not None:
        return None, [problem]

    try:
        wb = _load_sheets(path, {fold(spec.name) for spec in specs})
    except Exception as exc:
        return None, [make("E006", sheet=path.name, detail=_load_detail(exc))]
    issues: list[Issue] = []
    by_fold: dict[str, Any] = {}
    for ws in wb.worksheets:
        key = fold(ws.title)
        if key in by_fold:
            issues.append(make("E102", sheet=ws.title, first=by_fold[key].title,
                               second=ws.title))
            continue
        by_fold[key] = ws

    book = Book(path)
    wanted: dict[str, Any] = {}
    for spec in specs:
        ws = by_fold.get(fold(spec.name))
        if ws is None:
            if spec.required:
                issues.append(make("E101", sheet=spec.name))
            continue
        wanted[spec.key] = ws

    titles = [ws.title for ws in wanted.values()]
    formulas = _formulas_without_value(path, wb, titles) if has_formulas else {}
    for spec in specs:
        ws = wanted.get(spec.key)
        if ws is None:
            continue
        table = _read_table(ws, spec, formulas.get(ws.title, {}), issues)
        if table is not None:
            book.tables[spec.key] = table
    wb.close()
    return book, issues


def _load_sheets(path: Path, keep: set[str]) -> Any:
    from openpyxl.reader.excel import ExcelReader

    class SelectiveReader(ExcelReader):  # type: ignore[misc]
        def read_worksheets(self) -> None:
            for sheet, rel in self.parser.find_sheets():
                if fold(sheet.name) not in keep and rel.target in self.valid_files:
                    self.valid_files.remove(rel.target)
            super().read_worksheets()

    reader = SelectiveReader(path, read_only=False, keep_vba=False, data_only=True,
                             keep_links=False, rich_text=False)
    reader.read()
    return reader.wb


def _formulas_without_value(path: Path, wb: Any, titles: list[str]) -> dict[str, dict[str, str]]:
    import openpyxl

    if not titles:
        return {}
    found: dict[str, dict[str, str]] = {}
    try:
        fwb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception:
        return {}
    try:
        for title in titles:
            cached = wb[title]
            for row in fwb[title].iter_rows():
                for c in row:
                    if getattr(c, "data_type", None) == "f" and isinstance(c.value, str) \
                            and cached[c.coordinate].value is None:
                        found.setdefault(title, {})[c.coordinate] = c.value
    finally:
        fwb.close()
    return found


def _read_table(ws: Any, spec: contract.SheetSpec, formulas: dict[str, str],
                issues: list[Issue]) -> Table | None:
    from openpyxl.utils import get_column_letter

    hidden_sheet = ws.sheet_state != "visible"
    if hidden_sheet:
        issues.append(make("W104", sheet=ws.title))
    merged_value = _merged_header_values(ws)
    required = [c.key for c in spec.columns if c.required]
    best: tuple[int, dict[str, int]] = (0, {})
    header_row = 0
    max_row = ws.max_row or 0
    for r in range(1, min(HEADER_SEARCH_ROWS, max_row) + 1):
        values = [merged_value.get((r, c.column), c.value) for c in ws[r]]
        found = _header_map(values, spec)
        if all(k in found for k in required):
            header_row, best = r, (r, found)
            break
        if len(found) > len(best[1]):
            best = (r, found)
    if not header_row:
        missing = [c.label for c in spec.columns if c.required and c.key not in best[1]]
        expected = [c.label for c in spec.columns if c.required]
        issues.append(make("E103", sheet=ws.title, missing=_quote(missing),
                           expected=_quote(expected)))
        return None

    columns = best[1]
    first_data = header_row + 1
    spans_down = any(rng.min_row <= header_row < rng.max_row for rng in ws.merged_cells.ranges)
    if spans_down and first_data <= max_row:
        values = [merged_value.get((first_data, c.column), c.value) for c in ws[first_data]]
        for key, i in _header_map(values, spec).items():
            columns.setdefault(key, i)
        first_data += 1
    merged_cells = {(r, c) for (r, c) in merged_value} | {
        (rng.min_row, rng.min_col) for rng in ws.merged_cells.ranges}
    known = set(columns.values())
    for r in range(header_row, first_data):
        for i, c in enumerate(ws[r]):
            v = c.value
            if i not in known and isinstance(v, str) and v.strip() \
                    and (r, i + 1) not in merged_cells:
                issues.append(make("W102", sheet=ws.title, cell=c.coordinate, value=v.strip()))
    letters = {k: get_column_letter(i + 1) for k, i in columns.items()}
    table = Table(ws.title, spec, header_row, letters, hidden=hidden_sheet)
    for r_idx, row in enumerate(ws.iter_rows(min_row=first_data, max_row=max_row),
                                start=first_data):
        cells: dict[str, Cell] = {}
        for key, i in columns.items():
            if i >= len(row):
                continue
            c = row[i]
            formula = formulas.get(c.coordinate)
            value = c.value
            if value is None and formula is None:
                continue
            if isinstance(value, str) and not value.strip():
                continue
            cells[key] = Cell(value, c.coordinate, formula, c.data_type == "e")
        if not cells:
            continue
        hidden = bool(ws.row_dimensions[r_idx].hidden) if r_idx in ws.row_dimensions else False
        if hidden:
            issues.append(make("W103", sheet=ws.title, cell=f"A{r_idx}", row=r_idx))
        table.rows.append(Row(r_idx, cells, hidden))
    return table


def _merged_header_values(ws: Any) -> dict[tuple[int, int], Any]:
    out: dict[tuple[int, int], Any] = {}
    for rng in ws.merged_cells.ranges:
        if rng.min_row > HEADER_SEARCH_ROWS:
            continue
        value = ws.cell(rng.min_row, rng.min_col).value
        for r in range(rng.min_row, min(rng.max_row, HEADER_SEARCH_ROWS + 1) + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    out[(r, c)] = value
    return out
