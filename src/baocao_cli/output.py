"""Plain-text and JSON presentation of check results (pure functions, no printing)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .issues import Issue


def _sheet_order(issue: Issue) -> str:
    return issue.sheet or ""


def issues_text(issues: list[Issue]) -> list[str]:
    """Errors before warnings, grouped by sheet in the order the sheets first appear."""
    lines: list[str] = []
    for title, group in (("Lỗi", [i for i in issues if i.is_error]),
                         ("Cảnh báo", [i for i in issues if not i.is_error])):
        if not group:
            continue
        lines.append(f"  {title} ({len(group)}):")
        order: list[str] = []
        for i in group:
            if _sheet_order(i) not in order:
                order.append(_sheet_order(i))
        for sheet in order:
            first = next(x for x in group if _sheet_order(x) == sheet)
            file_level = first.code[1] == "0"  # E0xx: the file itself, `sheet` is its name
            lines.append("    Tệp:" if file_level or not sheet else f"    Trang tính \"{sheet}\":")
            for i in (x for x in group if _sheet_order(x) == sheet):
                lines.append(f"      [{i.code}] {i.message}")
    return lines


def count_line(n_errors: int, n_warnings: int) -> str:
    return f"{n_errors} lỗi, {n_warnings} cảnh báo."


def file_json(path: Path, issues: list[Issue], extra: dict[str, Any] | None = None
              ) -> dict[str, Any]:
    errors = [i.to_dict() for i in issues if i.is_error]
    warnings = [i.to_dict() for i in issues if not i.is_error]
    data: dict[str, Any] = {"file": str(path), "valid": not errors, "errors": errors,
                            "warnings": warnings}
    if extra:
        data.update(extra)
    return data


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
