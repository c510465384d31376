"""Write docs/template-variables.md from the code: the variables of both templates (the
unit report's and the consolidated report's) and the Vietnamese filters."""

from __future__ import annotations

import sys
from pathlib import Path

from baocao_cli.render.check import variables_markdown
from baocao_cli.render.report import VOCABULARY as UNIT
from baocao_cli.summary.document import VOCABULARY as TONG_HOP

OUT = Path(__file__).resolve().parent.parent / "docs" / "template-variables.md"

if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.write_text(variables_markdown(UNIT, TONG_HOP), encoding="utf-8")
    print(out)
