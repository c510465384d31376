"""How long reading, checking and counting a year's register takes: 50,000 rows of a
`Sổ văn bản đi` export given with `--so-van-ban` (title rows, extra columns), and the same
register as a sheet of a unit's workbook. Target: under 3 s. The file is written by
openpyxl, which stores every string inline with each Vietnamese letter as a character
reference (`&#7873;`): a heavier file to read than Excel's shared UTF-8 strings. Prints the
best of 3 and its ratio to the target, and the best CPU time (steadier than the wall time
on a machine shared with other work: compare versions by it); not a timed test, so CI
stays independent of the machine's speed.

    python benchmarks/bench_registers.py [--rows 50000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import openpyxl

from baocao_cli.model import Info
from baocao_cli.validate.registers import check_registers, read_registers

TARGET_SECONDS = 3.0
T = TypeVar("T")
KINDS = ("BC", "QĐ", "KH", "TTr", "GM", "TB", "")  # "" is a Công văn: `05/SLĐTBXH-VP`


def write_register(path: Path, rows: int, unit: bool = False) -> None:
    """An e-office export: two title rows, the Phụ lục IV columns plus three extra ones, a
    few slips (a gap, a duplicate, a date out of order) so every check has work to do.

    With `unit`, the same register is the `Sổ văn bản đi` sheet of a unit's own workbook
    (the sheets of tests/factory.py beside it)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Danh sách văn bản đi"
    if unit:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from factory import unit_sheets

        ws.title = "Sổ văn bản đi"
        for name, sheet_rows in unit_sheets().items():
            sheet = wb.create_sheet(name)
            for row in sheet_rows:
                sheet.append(row)
    ws.append(["SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"])
    ws.append(["SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM 2021"])
    ws.append(["STT", "Số, ký hiệu văn bản", "Ngày tháng văn bản",
               "Tên loại và trích yếu nội dung văn bản", "Người ký", "Nơi nhận văn bản",
               "Đơn vị, người nhận bản lưu", "Số lượng bản", "Độ mật", "Độ khẩn", "Người nhập",
               "Ghi chú"])
    start = dt.datetime(2021, 1, 4)
    for i in range(1, rows + 1):
        n = i + 1 if i % 5000 == 0 else i  # a gap every 5,000 numbers
        kind = KINDS[i % len(KINDS)]
        code = f"{n:02d}/{kind}-SLĐTBXH" if kind else f"{n:02d}/SLĐTBXH-VP"
        ws.append([i, code, start + dt.timedelta(minutes=i * 10),
                   f"Về việc triển khai nhiệm vụ số {i}", "Đinh Hữu Công", "Các phòng",
                   "VT, VP", 2, "Mật" if i % 1000 == 0 else None, None, "văn thư", None])
    wb.save(path)


def run(path: Path, info: Info) -> int:
    tables, issues = read_registers(path, external=True)
    result = check_registers(tables, info)
    return sum(d.count for d in result.documents) + 0 * len(issues)


def best_of(times: int, work: Callable[[], T]) -> tuple[float, float, T]:
    """(best wall time, best CPU time, in seconds; the result) of `times` runs."""
    wall = cpu = float("inf")
    for _ in range(times):
        w0, c0 = time.perf_counter(), time.process_time()
        result = work()
        wall = min(wall, time.perf_counter() - w0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    info = Info(nam=2021, ky_hieu="SLĐTBXH")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "so-van-ban-di.xlsx"
        write_register(path, args.rows)
        if args.profile:
            cProfile.runctx("run(path, info)", globals(), locals(), str(Path(tmp) / "p"))
            pstats.Stats(str(Path(tmp) / "p")).sort_stats("cumulative").print_stats(20)
            return 0
        best, cpu, counted = best_of(3, lambda: run(path, info))
        unit_path = Path(tmp) / "don-vi.xlsx"
        write_register(unit_path, args.rows, unit=True)
        from baocao_cli.api import check

        best_unit, cpu_unit, _ = best_of(3, lambda: check(unit_path))
    print(f"Sổ đăng ký {args.rows:,} dòng (--so-van-ban): đọc, kiểm tra và đếm {counted:,} văn "
          f"bản trong {best:.2f} s (mục tiêu {TARGET_SECONDS:.0f} s, "
          f"{best / TARGET_SECONDS:.0%}); CPU {cpu:.2f} s.")
    print(f"Cùng sổ đó là trang tính của sổ đơn vị, kiểm tra cả sổ: {best_unit:.2f} s "
          f"({best_unit / TARGET_SECONDS:.0%} mục tiêu); CPU {cpu_unit:.2f} s.")
    return 0 if max(best, best_unit) <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
