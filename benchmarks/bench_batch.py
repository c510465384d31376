"""Benchmark of `baocao batch` (issue 5). Not a test: run it by hand.

    python benchmarks/bench_batch.py                 # 200 units, 20 builds, 1,000 for memory
    python benchmarks/bench_batch.py --units 50 --builds 5 --memory-units 0   # quick look

It generates unit workbooks (tests/factory.py, with different totals), then prints:

1. the wall time of `baocao batch` over N units (run as a subprocess, start-up included;
   the best of 3 runs, as for the M units below);
2. the wall time of `baocao build` run once per unit as subprocesses, measured on a sample
   of B builds and extrapolated to N (said so in the output), and the ratio of the two;
3. reports per second of the batch: over the N units and over the M units, start-up and
   the summary files included, and the steady rate once running,
   (M - N) / (time for M - time for N), which leaves out the fixed costs both runs share
   (start-up, workers' imports, the summary);
4. the peak memory of `baocao batch` over M units (default 1,000), two ways: the largest
   resident set of any single process (`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`
   of a wrapper process that only runs the batch: the batch process or one worker,
   whichever is bigger), and the peak of the sum over the whole process tree (the batch
   and its workers), sampled from /proc every 50 ms (Linux only).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from factory import set_info, unit_sheets, write_book  # noqa: E402

VARIANTS = 40  # distinct workbooks; more units are copies under other names
# Reports a second (the templates issue): for a large batch all included, and once running.
# A batch of 200 also pays its fixed second (start-up, libraries, templates, the summary)
# over fewer units, so its own figure is printed without a target.
TARGET_RATE = 150


def make_units(folder: Path, n: int) -> list[Path]:
    """`n` workbooks with different totals (and ties), in two sub-folders."""
    folder.mkdir(parents=True, exist_ok=True)
    variants: list[Path] = []
    for i in range(min(n, VARIANTS)):
        sheets = unit_sheets()
        set_info(sheets, "tu_xep_loai", None)
        set_info(sheets, "co_quan", f"Ủy ban nhân dân xã số {i + 1}")
        for row in sheets["Chấm điểm"]:
            if row[0] == "II":
                row[3] = 20 + (i % 21)  # 20 … 40: totals 64,75 … 84,75
        variants.append(write_book(folder / f"mau-{i:02d}.xlsx", sheets))
    units = []
    for i in range(n):
        sub = folder / ("huyen-a" if i % 2 else "huyen-b")
        sub.mkdir(exist_ok=True)
        target = sub / f"don-vi-{i:04d}.xlsx"
        shutil.copyfile(variants[i % len(variants)], target)
        units.append(target)
    for v in variants:
        v.unlink()
    return units


def baocao() -> list[str]:
    exe = shutil.which("baocao")
    return [exe] if exe else [sys.executable, "-m", "baocao_cli.cli"]


def run_batch(folder: Path, out: Path, jobs: int | None, runs: int = 3) -> float:
    """The best wall time of `runs` runs (into a fresh OUTDIR each time): this machine's
    speed drifts by ±20 % from one run to the next."""
    cmd = [*baocao(), "batch", str(folder), "-o", str(out)]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    best = float("inf")
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        best = min(best, time.perf_counter() - start)
        if proc.returncode != 0:
            sys.exit(f"baocao batch thất bại ({proc.returncode}):\n{proc.stdout}\n"
                     f"{proc.stderr}")
    return best


def time_builds(units: list[Path], out: Path, sample: int) -> float:
    """Seconds per `baocao build` subprocess, averaged over `sample` units."""
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for u in units[:sample]:
        proc = subprocess.run([*baocao(), "build", str(u), "-o", str(out / f"{u.stem}.docx")],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"baocao build thất bại:\n{proc.stdout}\n{proc.stderr}")
    return (time.perf_counter() - start) / sample


def _pss_kib(pid: int) -> int:
    """Proportional set size: pages shared by forked workers counted once overall."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_rss_kib(root_pid: int) -> tuple[int, int]:
    """Sums of VmRSS and of PSS over `root_pid` and all its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="utf-8") as fh:
                fields = dict(line.split(":", 1) for line in fh if ":" in line)
        except OSError:
            continue
        pid = int(entry)
        parents[pid] = int(fields.get("PPid", "0").strip() or 0)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    total = pss = 0
    for pid in rss:
        p = pid
        while p and p != root_pid:
            p = parents.get(p, 0)
        if p == root_pid:
            total += rss[pid]
            pss += _pss_kib(pid)
    return total, pss


def peak_memory(folder: Path, out: Path, jobs: int | None) -> tuple[int, int, int, float]:
    """(largest single process KiB, peak RSS and PSS sums over the tree KiB, seconds)."""
    wrapper = ("import resource, subprocess, sys\n"
               "rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
               "sys.exit(rc)\n")
    cmd = [sys.executable, "-c", wrapper, *baocao(), "batch", str(folder), "-o", str(out)]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    peak = peak_pss = 0
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not stop.is_set():
            if os.path.isdir("/proc"):
                rss, pss = _tree_rss_kib(proc.pid)
                peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            stop.wait(0.05)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    stdout, _ = proc.communicate()
    stop.set()
    t.join()
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"baocao batch thất bại ({proc.returncode})")
    return int(stdout.strip().splitlines()[-1]), peak, peak_pss, elapsed


def mb(kib: int) -> str:
    return f"{kib / 1024:.0f} MB"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--builds", type=int, default=20, help="subprocess builds to time")
    ap.add_argument("--memory-units", type=int, default=1000, help="0 to skip")
    ap.add_argument("--jobs", type=int, default=None, help="default: baocao's (all cores)")
    args = ap.parse_args()

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"Máy: {cores} lõi CPU; Python {sys.version.split()[0]}; "
          f"--jobs {args.jobs or 'mặc định'}")
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        base = Path(tmp)
        units = make_units(base / "vao", args.units)
        batch_s = run_batch(base / "vao", base / "ra", args.jobs)
        per_build = time_builds(units, base / "ra-build", min(args.builds, len(units)))
        builds_s = per_build * args.units
        print(f"batch, {args.units} đơn vị: {batch_s:.2f} s = {args.units / batch_s:.1f} "
              "báo cáo/giây, tính cả phần cố định (khởi động, nạp thư viện, chuẩn bị mẫu, "
              "hai tệp tổng hợp)")
        print(f"build từng đơn vị (tiến trình riêng): {per_build * 1000:.0f} ms/đơn vị, đo trên "
              f"{min(args.builds, len(units))} lần chạy, ngoại suy cho {args.units} đơn vị: "
              f"{builds_s:.1f} s")
        print(f"batch nhanh hơn {builds_s / batch_s:.1f} lần (mục tiêu ≥ 5)")
        if args.memory_units:
            shutil.rmtree(base / "vao")
            make_units(base / "vao", args.memory_units)
            if args.memory_units > args.units:
                big_s = run_batch(base / "vao", base / "ra-lon", args.jobs)
                steady = (args.memory_units - args.units) / (big_s - batch_s)
                print(f"batch, {args.memory_units} đơn vị: {big_s:.2f} s = "
                      f"{args.memory_units / big_s:.1f} báo cáo/giây cả khởi động "
                      f"(mục tiêu ≥ {TARGET_RATE})")
                print(f"tốc độ lập báo cáo khi đã chạy, ({args.memory_units} - {args.units}) "
                      f"đơn vị / chênh lệch thời gian: {steady:.1f} báo cáo/giây "
                      f"(mục tiêu ≥ {TARGET_RATE})")
                shutil.rmtree(base / "ra-lon")
            single, tree, pss, secs = peak_memory(base / "vao", base / "ra-mem", args.jobs)
            print(f"bộ nhớ, {args.memory_units} đơn vị ({secs:.1f} s, "
                  f"{args.memory_units / secs:.1f} báo cáo/giây): tiến trình lớn nhất "
                  f"{mb(single)} (getrusage RUSAGE_CHILDREN ru_maxrss); cả cây tiến trình "
                  f"(batch + các worker, lấy mẫu /proc mỗi 50 ms) cao nhất {mb(pss)} PSS "
                  f"({mb(tree)} nếu cộng RSS, tính trùng trang nhớ dùng chung sau fork); "
                  f"mục tiêu < 300 MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
