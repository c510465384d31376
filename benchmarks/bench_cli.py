"""Startup and single-build timings of the installed `baocao`, printed as ratios.

Targets (issue: baocao build): `baocao --help` costs at most 1.5× a bare Typer app with two
commands on the same interpreter; a whole `baocao build` of the example under 1.5 s wall.
Run: python benchmarks/bench_cli.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "so-ldtbxh-ha-tinh-2021.xlsx"

BARE_APP = '''
import typer
app = typer.Typer()

@app.command()
def build(path: str) -> None:
    """Build."""

@app.command()
def validate(path: str) -> None:
    """Validate."""

app()
'''


def best_of(*cmds: list[str], runs: int = 7) -> list[float]:
    """The best wall time of each command over `runs` rounds, the commands taking turns
    within a round, so a machine that speeds up or slows down meanwhile affects all."""
    best = [float("inf")] * len(cmds)
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            start = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=False)
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def main() -> int:
    baocao = shutil.which("baocao")
    if baocao is None:
        print("baocao is not installed (pip install .)")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP)
        t_bare, t_help = best_of([sys.executable, str(bare), "--help"], [baocao, "--help"],
                                 runs=9)
        out = Path(tmp) / "bc.docx"
        (t_build,) = best_of([baocao, "build", str(EXAMPLE), "-o", str(out)], runs=5)
    print(f"bare Typer --help:   {t_bare * 1000:7.1f} ms")
    print(f"baocao --help:       {t_help * 1000:7.1f} ms   ratio {t_help / t_bare:.2f} "
          f"(target <= 1.5)")
    print(f"baocao build example:{t_build * 1000:7.1f} ms   ratio to 1.5 s target "
          f"{t_build / 1.5:.2f} (target <= 1.0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
