"""Reading costs of hostile workbooks (issue 12, point 6): linear in the workbook's parts,
bounded in memory.

Two measures, printed as ratios, never asserted (the machine's speed and load vary):

- **growth**: `check` of the same attack at size n and 4n, best CPU time of 3 each; the
  ratio is about 4 when the cost is linear (target: at most 6), 16 when quadratic.
  Families: sheets of one name, merged ranges laid over the header rows, tall merged
  ranges, rows of a contract sheet, empty styled cells.
- **memory**: peak resident size of `baocao validate` (a fresh process each) on the
  largest input of each kind that stays under the zip guard's 200 MB: a sheet of a
  million cells, a shared string table past its limit, a register of 100,000 rows and one
  past it, a cell's text past Excel's limit, four million empty cells. Target: under
  500 MB each.

    python benchmarks/bench_hostile.py [--quick]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import hostile  # noqa: E402

from baocao_cli.api import check  # noqa: E402

GROWTH_TARGET = 6.0
MEMORY_TARGET_MB = 500

Make = Callable[[Path, int], Path]
GROWTH: dict[str, tuple[Make, int]] = {
    "sheets of one name": (hostile.same_named_sheets, 10_000),
    "merged over the header": (hostile.merged_ranges, 5_000),
    "tall merged ranges": (lambda p, n: hostile.merged_ranges(p, n, wide=False), 5_000),
    "rows of Văn bản": (hostile.many_rows, 20_000),
    "empty styled cells": (lambda p, n: hostile.empty_cells(p, n, 1_000), 200),
}
MEMORY: dict[str, Callable[[Path], Path]] = {
    "1,000,000 cells (99,000 rows × 10)": lambda p: hostile.many_rows(p, 99_000, cells_per_row=10),
    "1,000,001 shared strings": lambda p: hostile.shared_strings(p, 1_000_001),
    "register of 99,000 rows": lambda p: hostile.register_rows(p, 99_000),
    "register of 400,000 rows": lambda p: hostile.register_rows(p, 400_000),
    "a cell of 30,000,000 letters": lambda p: hostile.long_text(p, 30_000_000),
    "4,000,000 empty cells": lambda p: hostile.empty_cells(p, 4_000, 1_000),
}


def best_of(runs: int, fn: Callable[[], object]) -> float:
    """The best CPU time of `runs` calls: steadier than the wall time on a shared machine."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def growth(folder: Path, scale: float) -> None:
    print(f"growth (CPU time at 4n / at n; linear ≈ 4, target ≤ {GROWTH_TARGET:g}):")
    for name, (make, n) in GROWTH.items():
        n = max(int(n * scale), 10)
        small = make(folder / "small.xlsx", n)
        large = make(folder / "large.xlsx", 4 * n)
        t_small = best_of(3, lambda: check(small))  # noqa: B023
        t_large = best_of(3, lambda: check(large))  # noqa: B023
        ratio = t_large / t_small
        print(f"  {name:26} n={n:>7,}: {t_small:6.2f} s, 4n: {t_large:6.2f} s, "
              f"ratio {ratio:4.1f} ({ratio / GROWTH_TARGET:.2f} of target)")


def memory(folder: Path) -> None:
    print(f"memory (peak of `baocao validate`; target < {MEMORY_TARGET_MB} MB):")
    for name, make in MEMORY.items():
        path = make(folder / "m.xlsx")
        inflated = sum(i.file_size for i in zipfile.ZipFile(path).infolist()) / 2**20
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True,
                              text=True, check=False)
        took = time.perf_counter() - start
        peak = int(proc.stdout.split()[-1]) / 1024 if proc.stdout.strip() else float("nan")
        codes = proc.stderr.strip() or "?"
        print(f"  {name:36} {inflated:6.1f} MB inflated: peak {peak:6.1f} MB "
              f"({peak / MEMORY_TARGET_MB:.2f} of target), {took:5.1f} s, codes {codes}")


# The child reports its own peak, VmHWM: ru_maxrss would keep the parent's peak (Linux
# carries it across fork and exec), and the parent has just written a large file.
_CHILD = """
import sys
from pathlib import Path
from baocao_cli.api import check
result = check(Path(sys.argv[1]))
codes = sorted({i.code for i in result.issues if i.is_error})
print(",".join(codes) or "valid", file=sys.stderr)
status = Path("/proc/self/status").read_text()
print(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a quarter of the sizes; "
                        "memory of the smaller inputs only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        growth(folder, 0.25 if args.quick else 1.0)
        if not args.quick:
            memory(folder)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"(peak of this process, which wrote the files: {own} MB)")


if __name__ == "__main__":
    main()
