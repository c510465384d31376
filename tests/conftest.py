from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "so-ldtbxh-ha-tinh-2021.xlsx"
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def example() -> Path:
    return EXAMPLE
