"""How long checking an .ods or .xls takes against its .xlsx twin: the 5,000-row unit of
bench_validate.py and (with --registers N) a unit whose `Sổ văn bản đi` has N rows, both
saved by LibreOffice in the three formats. Target: each .ods/.xls within 1.5× of its .xlsx
twin. Prints the best of 3 wall and CPU times (this process and its children: calamine
runs in a child) and the ratios; not a timed test.

    python benchmarks/bench_formats.py [--rows 5000] [--registers 20000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_registers import write_register  # noqa: E402
from bench_validate import large_sheets  # noqa: E402
from factory import write_book  # noqa: E402

from baocao_cli.api import check  # noqa: E402
from baocao_cli.read import calamine_book  # noqa: E402

TARGET_RATIO = 1.5
TARGETS = {"xlsx": "xlsx", "ods": "ods", "xls": "xls:MS Excel 97"}


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def best_of_3(path: Path) -> tuple[float, float]:
    check(path)  # warm-up: imports, file cache
    walls, cpus = [], []
    for _ in range(3):
        calamine_book._cache.clear()  # as in a new process: nothing read yet
        wall, cpu = time.perf_counter(), _cpu()
        check(path)
        walls.append(time.perf_counter() - wall)
        cpus.append(_cpu() - cpu)
    return min(walls), min(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--registers", type=int, default=20000,
                        help="rows of the register workbook (0: none)")
    args = parser.parse_args()
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("LibreOffice (soffice) is needed to save the twins", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        src = root / "src"
        src.mkdir()
        books = {f"{args.rows} rows (Văn bản + Chấm điểm)":
                 write_book(src / "lon.xlsx", large_sheets(args.rows))}
        if args.registers:
            write_register(src / "so.xlsx", args.registers, unit=True)
            books[f"{args.registers}-row Sổ văn bản đi"] = src / "so.xlsx"
        for fmt, target in TARGETS.items():
            subprocess.run([soffice, f"-env:UserInstallation={(root / 'p').as_uri()}",
                            "--headless", "--convert-to", target, "--outdir", str(root / fmt),
                            *map(str, books.values())], check=True, capture_output=True)
        worst = 0.0
        for label, path in books.items():
            times = {fmt: best_of_3(root / fmt / f"{path.stem}.{fmt}") for fmt in TARGETS}
            base_wall, base_cpu = times["xlsx"]
            line = [f"{label}: xlsx {base_wall:.3f} s (CPU {base_cpu:.3f} s)"]
            for fmt in ("ods", "xls"):
                wall, cpu = times[fmt]
                worst = max(worst, wall / base_wall)
                line.append(f"{fmt} {wall:.3f} s = {wall / base_wall:.2f}× "
                            f"(CPU {cpu:.3f} s = {cpu / base_cpu:.2f}×)")
            print("; ".join(line))
        print(f"worst ratio {worst:.2f}× — target {TARGET_RATIO}× "
              f"({'OK' if worst <= TARGET_RATIO else 'TOO SLOW'}); wall above CPU means the "
              "machine is busy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
