"""What the README's commands write is ignored by git: trying them leaves `git status` clean."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WRITES = re.compile(r"(?:-o|--output|\binit|template export)\s+([^\s`\[]+)")


def readme_outputs() -> list[str]:
    """Every path a README command writes: `-o X`, `init X`, `template export X`."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    found = [m.group(1) for block in blocks for m in WRITES.finditer(block)]
    out: list[str] = []
    for path in found:
        out.append(path)
        if path.endswith(".docx"):  # --pdf writes the PDF beside it
            out.append(path[:-5] + ".pdf")
    return sorted(set(out))


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                    reason="not a git checkout")
def test_the_readme_outputs_are_ignored() -> None:
    outputs = readme_outputs()
    assert "so-ldtbxh-ha-tinh-2021.docx" in outputs and "ket-qua/" in outputs
    for path in outputs:
        probe = path.rstrip("/") + ("/tong-hop.xlsx" if path.endswith("/") else "")
        done = subprocess.run(["git", "check-ignore", "-q", "--no-index", probe], cwd=ROOT)
        assert done.returncode == 0, f"{probe} is not in .gitignore"


def test_the_shipped_workbooks_are_not_ignored() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for path in ("examples/so-ldtbxh-ha-tinh-2021.xlsx", "src/baocao_cli/data/example.xlsx"):
        done = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=ROOT)
        assert done.returncode == 1, path
