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
from typing import IO, TYPE_CHECKING, Any

from ..contract import GROUPS
from ..files import write_atomic
from ..model import Info
from ..score.rules import Rules
from ..vn import xml_safe
from .results import UnitResult
from .spreadsheet import Column, PrintSetup, Style, Workbook

if TYPE_CHECKING:
    from .tables import Tables

FONT = "Times New Roman"
HUNDRED = Decimal(100)


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class RatingCount:
    name: str
    count: int
    share: Decimal  # percent of the units with a report, 2 decimals


def rating_counts(tables: Tables) -> list[RatingCount]:
    """Every band of the rules, in the rules' order (highest first), even when empty."""
    return [RatingCount(r.name, int(r.count), r.share) for r in tables.ratings.itertuples()]


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


# ---------------------------------------------------------------- tong-hop.xlsx


def _part_header(code: str, kind: str) -> str:
    if kind == "bonus":
        return f"Điểm cộng ({code})"
    if kind == "deduction":
        return f"Điểm trừ ({code})"
    return f"Phần {code}"


# Columns whose short values read best centred: a right-aligned rank ran into the file name.
CENTRED = frozenset({"Hạng", "Năm", "Ký hiệu", "Số lỗi", "Số cảnh báo", "Lỗi thứ", "Mã lỗi",
                     "Số đơn vị", "Tỷ lệ"})
PORTRAIT_WIDTH = 95  # characters of column width that fit an A4 portrait page


def _sheet(book: Workbook, title: str, headers: list[str], rows: list[list[Any]],
           widths: list[float], number_formats: dict[int, str] | None = None) -> None:
    """One sheet ready to print: A4, fitted to the page width, landscape when its columns
    are wider than a portrait page, the header row repeated on every page, page numbers;
    texts wrap, short values centred, numbers right; `number_formats` by column (1-based)
    for the cells that are not text."""
    columns = []
    for c, (header, width) in enumerate(zip(headers, widths, strict=True), 1):
        centred = header in CENTRED
        number = Style("center" if centred else "right", "top", False,
                       (number_formats or {}).get(c, "General"))
        columns.append(Column(width, Style("center" if centred else "left", "top", True),
                              number, number))
    book.add_sheet(title, headers, rows, columns,
                   PrintSetup(landscape=sum(widths) > PORTRAIT_WIDTH, header_text=title))


def _values(frame: Any) -> list[list[Any]]:
    """A frame's rows as plain Python values, pandas' missing values (NaN, NA) as None."""
    plain = frame.astype(object)
    return plain.where(plain.notna(), None).to_numpy().tolist()


def write_summary_xlsx(path: Path, units: Sequence[UnitResult], rules: Rules,
                       tables: Tables | None = None) -> None:
    """`Tổng hợp` (one row per unit, ranked), `Xếp loại`, `Đơn vị lỗi`; with a roster also
    `Chưa nộp`, `Theo cấp` and `Ngoài danh sách`; with last year `So với năm trước`; with
    a review `Thẩm định`. Written from the frames of tables.py, values only."""
    from .tables import build_tables

    if tables is None:
        tables = build_tables(units, rules)
    write_atomic(path, lambda fh: _write(fh, units, rules, tables))


def _write(fh: IO[bytes], units: Sequence[UnitResult], rules: Rules, tables: Tables) -> None:
    df = tables.units
    wb = Workbook(fh, title="Tổng hợp kết quả đánh giá, xếp loại công tác văn thư, lưu trữ",
                  creator="baocao")
    parts = list(rules.parts)
    headers = ["Hạng", "Tệp", "Cơ quan", "Ký hiệu", "Năm"]
    headers += [_part_header(p.code, p.kind) for p in parts]
    headers += ["Tổng điểm", "Xếp loại", "Trạng thái", "Số lỗi", "Số cảnh báo", "Báo cáo",
                "Điểm thẩm định", "Ghi chú thẩm định"]
    roster = tables.missing is not None
    last = tables.changes is not None
    if roster:
        headers.append("Cấp")
    if last:
        headers += ["Tổng điểm năm trước", "Xếp loại năm trước", "Thay đổi điểm",
                    "So với năm trước"]
    columns = ["hang", "tep", "co_quan", "ky_hieu", "nam", *(f"p:{p.code}" for p in parts),
               "tong_diem", "xep_loai", "status", "n_errors", "n_warnings", "output",
               "diem_tham_dinh", "ghi_chu_tham_dinh"]
    columns += ["cap"] if roster else []
    columns += ["nam_truoc_diem", "nam_truoc_xep_loai", "thay_doi", "so_voi_nam_truoc"] \
        if last else []
    rows = _values(df[columns])
    first_score = 6
    last_score = first_score + len(parts)
    formats = {c: "0.00" for c in range(first_score, last_score + 1)}
    review_col = last_score + 7
    formats[review_col] = "0.00"
    widths = [7, 30, 40, 14, 7] + [11] * len(parts) + [11, 12, 22, 8, 11, 30, 12, 40]
    if roster:
        widths.append(18)
    if last:
        at = len(widths) + 1
        formats.update({at: "0.00", at + 2: "+0.00;-0.00;0.00"})
        widths += [12, 12, 11, 14]
    _sheet(wb, "Tổng hợp", headers, rows, widths, formats)

    counts = rating_counts(tables)
    n_ok = sum(c.count for c in counts)
    rating_rows: list[list[Any]] = [[c.name, c.count, c.share / HUNDRED] for c in counts]
    rating_rows.append(["Cộng (đơn vị đã lập báo cáo)", n_ok, Decimal(1) if n_ok else 0])
    rating_rows.append(["Đơn vị chưa lập được báo cáo", len(units) - n_ok, None])
    _sheet(wb, "Xếp loại", ["Xếp loại", "Số đơn vị", "Tỷ lệ"], rating_rows, [34, 12, 12],
           {3: "0.00%"})

    failed_rows: list[list[Any]] = []
    for u in df[df["hang"].isna()].sort_values("idx").itertuples():
        errors = [("E702", u.dup_error)] if u.duplicate else u.errors
        for i, (code, message) in enumerate(errors, 1):
            failed_rows.append([u.tep, u.source, max(u.n_errors, len(errors)), i, code,
                                message])
        if not errors:
            failed_rows.append([u.tep, u.source, u.n_errors, None, "", ""])
    _sheet(wb, "Đơn vị lỗi", ["Tệp", "Đường dẫn", "Số lỗi", "Lỗi thứ", "Mã lỗi", "Nội dung lỗi"],
           failed_rows, [30, 45, 8, 8, 9, 100])
    _year_sheets(wb, tables, rules)
    wb.close()


def _year_sheets(wb: Workbook, tables: Tables, rules: Rules) -> None:
    """The sheets of the roster, last year and the review, when they were given."""
    if tables.missing is not None:
        rows = [[i, e.co_quan, e.ky_hieu, e.cap, e.ghi_chu, e.ref]
                for i, e in enumerate(tables.missing.itertuples(), 1)]
        _sheet(wb, "Chưa nộp", ["STT", "Cơ quan", "Ký hiệu", "Cấp", "Ghi chú",
                                "Dòng trong danh sách"], rows, [6, 45, 14, 18, 30, 18])
    if tables.by_cap is not None:
        bands = list(rules.band_names)
        rows = [[r["cap"], r["units"], r["submitted"], r["units"] - r["submitted"],
                 r["ranked"], *(r[b] for b in bands)] for _, r in tables.by_cap.iterrows()]
        _sheet(wb, "Theo cấp", ["Cấp", "Số đơn vị", "Đã nộp", "Chưa nộp", "Đã xếp loại",
                                *bands], rows, [24, 10, 10, 10, 12] + [11] * len(bands))
    if tables.unmatched is not None and len(tables.unmatched):
        rows = [[u.tep, u.source, u.co_quan, u.ky_hieu, u.status]
                for u in tables.unmatched.sort_values("idx").itertuples()]
        _sheet(wb, "Ngoài danh sách", ["Tệp", "Đường dẫn", "Cơ quan", "Ký hiệu", "Trạng thái"],
               rows, [30, 45, 40, 14, 22])
    if tables.changes is not None and tables.gone is not None:
        rows = _values(tables.changes[["hang", "ten", "ky_hieu", "nam_truoc_diem",
                                       "nam_truoc_xep_loai", "diem", "xep_loai", "thay_doi",
                                       "so_voi_nam_truoc"]])
        rows += [[None, e.co_quan, e.ky_hieu, e.total, e.rating, None, "", None,
                  "Năm nay không có sổ"] for e in tables.gone.itertuples()]
        _sheet(wb, "So với năm trước", ["Hạng", "Cơ quan", "Ký hiệu", "Điểm năm trước",
                                        "Xếp loại năm trước", "Điểm năm nay",
                                        "Xếp loại năm nay", "Thay đổi điểm",
                                        "So với năm trước"], rows,
               [7, 40, 14, 12, 14, 12, 14, 11, 20],
               {4: "0.00", 6: "0.00", 8: "+0.00;-0.00;0.00"})
    if tables.adjusted is not None:
        rows = [[u.hang, u.ten, u.tep, u.tong_diem, u.diem_tham_dinh, u.chenh_lech,
                 u.tu_xep_loai, u.xep_loai, u.ghi_chu_tham_dinh]
                for u in tables.adjusted.itertuples()]
        _sheet(wb, "Thẩm định", ["Hạng", "Cơ quan", "Tệp", "Điểm tự chấm", "Điểm thẩm định",
                                 "Chênh lệch", "Xếp loại tự đánh giá", "Xếp loại cuối cùng",
                                 "Ghi chú thẩm định"], rows, [7, 40, 30, 12, 12, 11, 14, 14, 40],
               {4: "0.00", 5: "0.00", 6: "+0.00;-0.00;0.00"})
