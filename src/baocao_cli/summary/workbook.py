"""The consolidated outputs of `baocao batch`: the figures and `tong-hop.xlsx`
(`tong-hop.docx` is written by summary_docx.py from the same figures, its chart by chart.py).

Both are built from the units' small `UnitResult`s only. The workbook is for filtering and
checking (numbers stay numbers, every text stays text: a name such as `=SUM(A1)` is never
a formula); the document is the Sở Nội vụ's report to the provincial People's Committee,
laid out like a unit's report (Nghị định 30/2020/NĐ-CP, Phụ lục I and III).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..contract import GROUPS
from ..files import write_atomic
from ..model import Info
from ..score.rules import Rules
from ..vn import round_half_up, xml_safe
from .results import UnitResult

STATUS_OK = "Đã lập báo cáo"
STATUS_FAILED = "Lỗi, chưa lập báo cáo"
FONT = "Times New Roman"
HUNDRED = Decimal(100)


# ---------------------------------------------------------------- figures


def ranked(units: Sequence[UnitResult]) -> list[tuple[int | None, UnitResult]]:
    """Units with a report by total, highest first, equal totals sharing a rank (1, 2, 2, 4);
    then the units without one (rank None), in input order."""
    ok = sorted((u for u in units if u.ok and u.total is not None),
                key=lambda u: (-u.total, u.index))  # type: ignore[operator]
    out: list[tuple[int | None, UnitResult]] = []
    previous: Decimal | None = None
    rank = 0
    for position, u in enumerate(ok, 1):
        if u.total != previous:
            rank, previous = position, u.total
        out.append((rank, u))
    out.extend((None, u) for u in units if not (u.ok and u.total is not None))
    return out


@dataclass(frozen=True)
class RatingCount:
    name: str
    count: int
    share: Decimal  # percent of the units with a report, 2 decimals


def rating_counts(units: Sequence[UnitResult], rules: Rules) -> list[RatingCount]:
    """Every band of the rules, in the rules' order (highest first), even when empty."""
    counts = Counter(u.rating for u in units if u.ok)
    n = sum(counts.values())
    return [RatingCount(b.name, counts.get(b.name, 0),
                        round_half_up(HUNDRED * counts.get(b.name, 0) / n, 2) if n
                        else Decimal(0)) for b in rules.bands]


def report_year(units: Sequence[UnitResult], info: Info | None) -> int:
    """The year in `--info`, else the most common year among the units (0 when none)."""
    if info is not None and info.nam:
        return info.nam
    years = Counter(u.nam for u in units if u.nam)
    return years.most_common(1)[0][0] if years else 0


def document_totals(units: Sequence[UnitResult]) -> dict[str, int]:
    totals = {key: 0 for key, _ in GROUPS}
    for u in units:
        if u.ok:
            for key, count in u.documents:
                totals[key] = totals.get(key, 0) + count
    return totals


def safe_text(value: object) -> str:
    """Text for a cell or a run: NFC, without the characters XML refuses, spaces kept."""
    return xml_safe(value)


def display_name(u: UnitResult) -> str:
    return u.co_quan or Path(u.source).name


# ---------------------------------------------------------------- tong-hop.xlsx


def _part_header(code: str, kind: str) -> str:
    if kind == "bonus":
        return f"Điểm cộng ({code})"
    if kind == "deduction":
        return f"Điểm trừ ({code})"
    return f"Phần {code}"


def _put(ws: Any, row: int, col: int, value: Any) -> Any:
    """A cell whose text can never become a formula (openpyxl takes `=…` for one)."""
    if isinstance(value, str):
        value = safe_text(value)
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _sheet(wb: Any, title: str, headers: list[str], rows: list[list[Any]],
           widths: list[float], number_formats: dict[int, str] | None = None) -> Any:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for c, text in enumerate(headers, 1):
        cell = _put(ws, 1, c, text)
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for r, values in enumerate(rows, 2):
        for c, value in enumerate(values, 1):
            cell = _put(ws, r, c, value)
            if number_formats and c in number_formats and not isinstance(value, str):
                cell.number_format = number_formats[c]
    for c, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    last = get_column_letter(len(headers))
    ws.auto_filter.ref = f"A1:{last}{max(1, len(rows) + 1)}"
    return ws


def write_summary_xlsx(path: Path, units: Sequence[UnitResult], rules: Rules) -> None:
    """Three sheets: `Tổng hợp` (one row per unit, ranked), `Xếp loại`, `Đơn vị lỗi`."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    headers = ["Hạng", "Tệp", "Cơ quan", "Ký hiệu", "Năm"]
    headers += [_part_header(p.code, p.kind) for p in rules.parts]
    headers += ["Tổng điểm", "Xếp loại", "Trạng thái", "Số lỗi", "Số cảnh báo", "Báo cáo"]
    rows: list[list[Any]] = []
    shown = shown_sources([u.source for u in units])
    for rank, u in ranked(units):
        scores = dict(u.parts)
        rows.append([rank, shown[u.source], u.co_quan, u.ky_hieu, u.nam or None]
                    + [scores.get(p.code) for p in rules.parts]
                    + [u.total, u.rating or "", STATUS_OK if u.ok else STATUS_FAILED,
                       u.n_errors, u.n_warnings, u.output or ""])
    first_score = 6
    last_score = first_score + len(rules.parts)
    formats = {c: "0.00" for c in range(first_score, last_score + 1)}
    widths = [7, 30, 40, 14, 7] + [11] * len(rules.parts) + [11, 12, 22, 8, 11, 30]
    _sheet(wb, "Tổng hợp", headers, rows, widths, formats)

    counts = rating_counts(units, rules)
    n_ok = sum(c.count for c in counts)
    rating_rows: list[list[Any]] = [[c.name, c.count, c.share / HUNDRED] for c in counts]
    rating_rows.append(["Cộng (đơn vị đã lập báo cáo)", n_ok, Decimal(1) if n_ok else 0])
    rating_rows.append(["Đơn vị chưa lập được báo cáo", len(units) - n_ok, None])
    _sheet(wb, "Xếp loại", ["Xếp loại", "Số đơn vị", "Tỷ lệ"], rating_rows, [34, 12, 12],
           {3: "0.00%"})

    failed_rows: list[list[Any]] = []
    for u in units:
        if u.ok:
            continue
        for i, (code, message) in enumerate(zip(u.error_codes, u.errors, strict=True), 1):
            failed_rows.append([shown[u.source], u.source, u.n_errors, i, code, message])
        if not u.errors:
            failed_rows.append([shown[u.source], u.source, u.n_errors, None, "", ""])
    _sheet(wb, "Đơn vị lỗi", ["Tệp", "Đường dẫn", "Số lỗi", "Lỗi thứ", "Mã lỗi", "Nội dung lỗi"],
           failed_rows, [30, 45, 8, 8, 9, 100])
    wb.properties.title = "Tổng hợp kết quả đánh giá, xếp loại công tác văn thư, lưu trữ"
    wb.properties.creator = "baocao"
    for ws in wb.worksheets:
        print_ready(ws)
    write_atomic(path, wb.save)


def shown_sources(sources: Sequence[str]) -> dict[str, str]:
    """Each unit's workbook as the summary names it: its path below the folder that holds
    them all, so `huyen-a/Sở Nội vụ.xlsx` and `huyen-b/Sở Nội vụ.xlsx` stay apart."""
    import os

    if not sources:
        return {}
    folders = [os.path.dirname(os.path.abspath(s)) for s in sources]
    try:
        root = os.path.commonpath(folders)
    except ValueError:  # different drives (Windows): the full paths, as given
        return {s: s for s in sources}
    return {s: Path(os.path.relpath(os.path.abspath(s), root)).as_posix() for s in sources}


# Columns whose short values read best centred: a right-aligned rank ran into the file name.
CENTRED = frozenset({"Hạng", "Năm", "Ký hiệu", "Số lỗi", "Số cảnh báo", "Lỗi thứ", "Mã lỗi",
                     "Số đơn vị", "Tỷ lệ"})
PORTRAIT_WIDTH = 95  # characters of column width that fit an A4 portrait page


def print_ready(ws: Any) -> None:
    """Print setup of a summary sheet: A4, fitted to the page width, landscape when wide,
    the header row repeated on every page, page numbers; texts wrap, short values centred."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    headers = [c.value for c in ws[1]]
    width = sum(ws.column_dimensions[get_column_letter(i)].width or 13
                for i in range(1, len(headers) + 1))
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if width > PORTRAIT_WIDTH else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddHeader.center.text = ws.title
    for c, header in enumerate(headers, 1):
        centred = header in CENTRED
        for (cell,) in ws.iter_rows(min_row=2, min_col=c, max_col=c):
            if centred:
                horizontal = "center"
            elif isinstance(cell.value, str):
                horizontal = "left"
            else:
                horizontal = "right"
            cell.alignment = Alignment(horizontal=horizontal, vertical="top",
                                       wrap_text=isinstance(cell.value, str))
