"""baocao: báo cáo công tác văn thư, lưu trữ từ sổ Excel (Nghị định 30/2020/NĐ-CP).

The library the `baocao` command and `baocao serve` are faces of::

    import baocao_cli as bc

    checked = bc.check("don-vi.xlsx")            # read, validate, score; never raises
    for issue in checked.issues:                 # Issue: code, sheet, cell, message, params
        print(issue.message)
    built = bc.build("don-vi.xlsx", "bao-cao.docx")   # the report, when there is no error
    batch = bc.run_batch([Path("nop-ve")], Path("ket-qua"))  # many units + tong-hop.*
    rules = bc.load_rules("chung-100")           # a shipped id or a TOML path

Problems in a workbook come back as `Issue` values; what stops a call before any workbook
is read (a bad rules file, template or `--info` file) raises a `BaocaoError`.

The names are imported on first use, so `import baocao_cli` (and `baocao --help`) stays
as light as the command line needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_API = {
    "check": "api",
    "build": "api",
    "Checked": "api",
    "Built": "api",
    "run_batch": "batch",
    "BatchResult": "batch",
    "load_rules": "score.rules",
    "Rules": "score.rules",
    "RulesError": "score.rules",
    "Issue": "issues",
    "BaocaoError": "errors",
}

__all__ = [
    "BaocaoError", "BatchResult", "Built", "Checked", "Issue", "Rules", "RulesError",
    "__version__", "build", "check", "load_rules", "run_batch",
]

if TYPE_CHECKING:
    from .api import Built, Checked, build, check
    from .batch import BatchResult, run_batch
    from .errors import BaocaoError
    from .issues import Issue
    from .score.rules import Rules, RulesError, load_rules


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'baocao_cli' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # once imported, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
