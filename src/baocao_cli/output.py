"""Plain-text and JSON presentation of check results (pure functions, no printing)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .issues import Issue

if TYPE_CHECKING:
    from .api import Checked


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


@dataclass
class FileResult:
    """One checked file as `validate` reports it."""

    path: Path
    issues: list[Issue]
    extra: dict[str, Any] = field(default_factory=dict)  # total, rating, so_van_ban

    @classmethod
    def of(cls, checked: Checked) -> FileResult:
        from .vn import format_score

        extra: dict[str, Any] = {}
        if checked.scores is not None:
            extra = {"total": format_score(checked.scores.total),
                     "rating": checked.scores.rating}
        if checked.registers:
            extra["so_van_ban"] = [r.to_dict() for r in checked.registers]
        return cls(checked.path, checked.issues, extra)

    @property
    def n_errors(self) -> int:
        return sum(1 for i in self.issues if i.is_error)

    def failed(self, strict: bool) -> bool:
        return self.n_errors > 0 or (strict and bool(self.issues))


def validation_json(results: list[FileResult], strict: bool) -> str:
    """The one JSON document of `validate --format json` (its shape is in the README)."""
    n_err = sum(r.n_errors for r in results)
    n_all = sum(len(r.issues) for r in results)
    return dumps({
        "valid": not any(r.failed(strict) for r in results),
        "strict": strict,
        "files": [file_json(r.path, r.issues, r.extra) for r in results],
        "summary": {"files": len(results), "errors": n_err, "warnings": n_all - n_err},
    })


def validation_text(results: list[FileResult], strict: bool) -> list[str]:
    """Per file: status, errors then warnings by sheet; a summary when there are several."""
    lines: list[str] = []
    for r in results:
        head = f"{r.path}: {'KHÔNG HỢP LỆ' if r.failed(strict) else 'hợp lệ'}"
        if "total" in r.extra:
            head += f" (tổng {r.extra['total']} điểm, xếp loại {r.extra['rating']})"
        lines.append(head)
        lines += [f"  {register['summary']}" for register in r.extra.get("so_van_ban", [])]
        lines += issues_text(r.issues)
    if len(results) > 1:
        lines += ["", "Tóm tắt:"]
        for r in results:
            lines.append(f"  {'LỖI' if r.failed(strict) else 'ĐẠT'}  {r.path} — "
                         f"{count_line(r.n_errors, len(r.issues) - r.n_errors)}")
    n_err = sum(r.n_errors for r in results)
    n_all = sum(len(r.issues) for r in results)
    lines.append(f"Tổng cộng: {len(results)} tệp, {count_line(n_err, n_all - n_err)}")
    return lines
