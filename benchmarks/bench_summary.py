"""The batch summary of 5,000 units with a roster, last year's summary and a review.

Target (issue 17): the summary of 5,000 units with roster, last year and review in under
2 s on top of the reports themselves. Measured: reading the three files (read_sources),
the pandas joins (build_tables), then tong-hop.xlsx and tong-hop.docx written as
`baocao batch` writes them: both at once, tong-hop.xlsx by a worker forked after the joins
(it inherits the tables), tong-hop.docx by this process. The units'
own reports are not built: the summary starts from their small results, as it does in a
batch. Printed as a ratio to the target; best of three runs. The files are real: the
roster and the review are workbooks written with openpyxl, last year's tong-hop.xlsx is
written by baocao itself.

Run: python benchmarks/bench_summary.py [N]
     python benchmarks/bench_summary.py --writers [N]   (the Tổng hợp sheet with each writer)
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import openpyxl

from baocao_cli.batch import BatchResult, _Summaries, read_sources
from baocao_cli.score.rules import load_rules
from baocao_cli.summary.results import UnitResult
from baocao_cli.summary.tables import build_tables
from baocao_cli.summary.workbook import write_summary_xlsx

TARGET_S = 2.0
CAPS = ("Sở, ban, ngành", "UBND cấp xã")


def _units(n: int, year: int, seed: int) -> list[UnitResult]:
    rules = load_rules()
    rng = random.Random(seed)
    out = []
    for i in range(n):
        sở = i % 10 == 0
        name = f"Sở số {i}" if sở else f"Ủy ban nhân dân xã Số {i}"
        ky = f"S{i}" if sở else "UBND"
        if rng.random() < 0.03:  # a failed unit
            out.append(UnitResult(i, f"nop-ve/{i}.xlsx", None, co_quan=name, ky_hieu=ky,
                                  nam=year, n_errors=1, errors=(f"{i}.xlsx: lỗi",),
                                  error_codes=("E306",)))
            continue
        parts = (Decimal(rng.randint(10, 20)), Decimal(rng.randint(20, 40)),
                 Decimal(rng.randint(20, 40)), Decimal(rng.randint(0, 5)), Decimal(0))
        total = parts[0] + parts[1] + parts[2] + parts[3]
        out.append(UnitResult(
            i, f"nop-ve/{i}.xlsx", f"{i}.docx", co_quan=name, ten_co_quan=name, ky_hieu=ky,
            nam=year, parts=tuple(zip(("I", "II", "III", "IV", "V"), parts, strict=True)),
            total=total, rating=rules.rating(total), documents=(("di", 100), ("den", 900)),
            metres_planned=Decimal(10), metres_done=Decimal(8)))
    return out


def _files(tmp: Path, n: int) -> tuple[list[UnitResult], Path, Path, Path]:
    rules = load_rules()
    units = _units(n, 2025, 1)
    roster = tmp / "danh-sach.xlsx"
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Đơn vị")
    ws.append(["Cơ quan", "Ký hiệu", "Cấp", "Ghi chú"])
    for u in units[: int(n * 0.98)]:  # 2 % of the workbooks are not on the roster
        ws.append([u.co_quan, u.ky_hieu, CAPS[u.ky_hieu == "UBND"], ""])
    for i in range(n // 50):  # and 2 % of the roster sent nothing
        ws.append([f"Ủy ban nhân dân xã Vắng {i}", "UBND", CAPS[1], ""])
    wb.save(roster)
    last_dir = tmp / "nam-truoc"
    last_dir.mkdir()
    last = last_dir / "tong-hop.xlsx"
    write_summary_xlsx(last, _units(n, 2024, 2), rules)
    review = tmp / "tham-dinh.xlsx"
    this = tmp / "tong-hop-dau.xlsx"
    write_summary_xlsx(this, units, rules)
    shutil.copy(this, review)
    wb = openpyxl.load_workbook(review)
    ws = wb["Tổng hợp"]
    header = [c.value for c in ws[1]]
    col = header.index("Điểm thẩm định") + 1
    for r in range(2, ws.max_row + 1, 10):  # every tenth unit reviewed
        if ws.cell(r, 1).value is not None:
            ws.cell(r, col, 70)
    wb.save(review)
    return units, roster, last, review


def summary(units: list[UnitResult], out: Path, roster: Path | None, last: Path | None,
            review: Path | None) -> tuple[float, float, float]:
    """Wall seconds: the whole summary, reading the three files, the joins (and the fork of
    tong-hop.xlsx's writer), as `baocao batch` does them (batch._Summaries)."""
    rules = load_rules()
    start = time.perf_counter()
    sources = read_sources(rules, roster=roster, last_year=last, review=review) \
        if roster is not None else None
    read = time.perf_counter()
    writers = _Summaries(BatchResult(units, out, 0.0, 2), rules, None, None, sources)
    writers.start(fork=True)
    joined = time.perf_counter()
    writers.finish()
    return time.perf_counter() - start, read - start, joined - read


def writers(n: int) -> None:
    """CPU seconds (best of 3) to write the Tổng hợp sheet of `n` units with all three
    inputs: openpyxl's normal mode with an Alignment per cell (as tong-hop.xlsx was
    written), openpyxl write-only with plain values, write-only with a style per cell
    (the style objects cached), and summary/spreadsheet.py (docs/decisions.md)."""
    import io

    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment

    from baocao_cli.summary import spreadsheet, workbook

    rules = load_rules()
    with tempfile.TemporaryDirectory() as tmp_name:
        units, roster, last, review = _files(Path(tmp_name), n)
        tables = build_tables(units, rules, read_sources(rules, roster=roster,
                                                         last_year=last, review=review))
    frame = tables.units.drop(columns=["idx", "source", "ten_co_quan", "tu_xep_loai", "ok",
                                       "errors", "ky", "names", "ten", "duplicate",
                                       "dup_error", "rid", "diem"], errors="ignore")
    rows = workbook._values(frame.iloc[:, :23])
    headers = [str(c) for c in frame.columns[:23]]
    aligns: dict[bool, Alignment] = {}

    def normal() -> None:
        wb = openpyxl.Workbook()
        ws = wb.active
        for r, row in enumerate(rows, 2):
            for c, v in enumerate(row, 1):
                ws.cell(row=r, column=c, value=v).alignment = Alignment(
                    horizontal="left", vertical="top", wrap_text=isinstance(v, str))
        wb.save(io.BytesIO())

    def plain() -> None:
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("T")
        for row in rows:
            ws.append(row)
        wb.save(io.BytesIO())

    def styled() -> None:
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("T")
        for row in rows:
            cells = []
            for v in row:
                cell = WriteOnlyCell(ws, value=v)
                text = isinstance(v, str)
                cell.alignment = aligns.setdefault(text, Alignment(
                    horizontal="left" if text else "right", vertical="top", wrap_text=text))
                if not text:
                    cell.number_format = "0.00"
                cells.append(cell)
            ws.append(cells)
        wb.save(io.BytesIO())

    def ours() -> None:
        book = spreadsheet.Workbook(io.BytesIO())
        workbook._sheet(book, "T", headers, rows, [10] * len(headers), {6: "0.00"})
        book.close()

    print(f"Tổng hợp of {n} units: {len(rows)} rows x {len(headers)} columns, CPU s, best of 3")
    for name, write in (("openpyxl, normal mode, Alignment per cell", normal),
                        ("openpyxl write-only, plain values", plain),
                        ("openpyxl write-only, cached styles", styled),
                        ("summary/spreadsheet.py", ours)):
        best = []
        for _ in range(3):
            start = time.process_time()
            write()
            best.append(time.process_time() - start)
        print(f"  {name:42s} {min(best):6.2f} s")


def main() -> int:
    if sys.argv[1:2] == ["--writers"]:
        writers(int(sys.argv[2]) if len(sys.argv) > 2 else 5000)
        return 0
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        units, roster, last, review = _files(tmp, n)
        out = tmp / "ra"
        out.mkdir()
        summary(units[:10], out, None, None, None)  # pandas and the writers imported
        plain = min(summary(units, out, None, None, None) for _ in range(3))
        full = min(summary(units, out, roster, last, review) for _ in range(3))
    print(f"summary of {n} units, no other input:             {plain[0]:6.2f} s")
    print(f"summary of {n} units, roster + last year + review: {full[0]:6.2f} s "
          f"(target {TARGET_S:.1f} s: ratio {full[0] / TARGET_S:.2f})")
    print(f"  of which reading the three files {full[1]:.2f} s, the joins {full[2]:.2f} s, "
          f"the two files written at once {full[0] - full[1] - full[2]:.2f} s "
          "(tong-hop.xlsx by a worker forked after the joins, tong-hop.docx here)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
