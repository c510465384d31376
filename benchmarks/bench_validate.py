"""How long `baocao validate` takes on a large unit: 5,000 rows across `Văn bản` and
`Chấm điểm` (a valid workbook). Target: under 1 s. Prints the best of 3 and its ratio to
the target; not a timed test, so CI stays independent of the machine's speed.

    python benchmarks/bench_validate.py [--rows 5000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from factory import set_info, unit_sheets, write_book  # noqa: E402

from baocao_cli.api import check  # noqa: E402

TARGET_SECONDS = 1.0
GROUPS = ("Văn bản đi", "Văn bản đến", "Văn bản mật đi", "Văn bản mật đến")


def large_sheets(rows: int) -> dict:
    """The factory's valid unit, grown to `rows` data rows in Văn bản and Chấm điểm.

    Half the rows are document counts (distinct kinds, some typed as Vietnamese text);
    the other half are scoring items under part II (leaves of groups, each group's maximum
    the sum of its children), so the scores still add up and the workbook stays valid.
    """
    sheets = unit_sheets()
    n_docs = rows // 2
    docs = sheets["Văn bản"][:1]
    for i in range(n_docs):
        count: int | str = i % 500 if i % 3 else f"{1000 + i:,}".replace(",", ".")
        docs.append([GROUPS[i % 4], f"Loại văn bản số {i + 1}", count, f"ghi chú {i}"])
    sheets["Văn bản"] = docs

    n_items = rows - n_docs
    head = sheets["Chấm điểm"][:1]
    part_i = sheets["Chấm điểm"][1:6]
    others = sheets["Chấm điểm"][7:]  # III, IV, V: part rows with their own scores
    part_ii: list[list] = [["II", "Nghiệp vụ văn thư", 40, None, ""]]
    leaves = 9  # per group: each group row is followed by its nine leaves
    groups, extra = divmod(n_items, leaves + 1)
    for g in range(1, groups + 1):
        part_ii.append([str(g), f"Nhóm tiêu chí {g}", round(0.02 * leaves, 2), None, ""])
        for k in range(1, leaves + 1):
            part_ii.append([f"{g}.{k}", f"Tiêu chí {g}.{k}", 0.02, 0.01,
                            f"Tài liệu kiểm chứng {g}.{k}"])
    for k in range(extra):
        part_ii.append([str(groups + 1 + k), f"Tiêu chí lẻ {k + 1}", 0.02, 0.01, ""])
    sheets["Chấm điểm"] = head + part_i + part_ii + others
    set_info(sheets, "tu_xep_loai", None)  # the total changes with the number of rows
    return sheets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--profile", action="store_true", help="print the top of a profile")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = write_book(Path(tmp) / "lon.xlsx", large_sheets(args.rows))
        rows = args.rows
        checked = check(path)  # warm-up: imports, file cache
        if checked.errors:
            for issue in checked.errors[:10]:
                print(issue.message, file=sys.stderr)
            print("the benchmark workbook is not valid", file=sys.stderr)
            return 1
        walls, cpus = [], []
        for _ in range(3):
            wall, cpu = time.perf_counter(), time.process_time()
            check(path)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        best, best_cpu = min(walls), min(cpus)
        print(f"validate {rows} rows (Văn bản + Chấm điểm), {path.stat().st_size // 1024} KB: "
              f"best of 3 {best:.3f} s — {best / TARGET_SECONDS:.2f}× the {TARGET_SECONDS:g} s "
              f"target ({'OK' if best < TARGET_SECONDS else 'TOO SLOW'}); "
              f"CPU time {best_cpu:.3f} s ({best_cpu / TARGET_SECONDS:.2f}×; wall time above "
              "it means the machine is busy)")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(check, path)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
