"""Checks that need the whole report: the arrangement plan, documents, recipients.

Value-level problems are found while parsing; these are the rules that relate values.
What the scoring rules say of the scores is checked by `score.check`, the next stage.
"""

from __future__ import annotations

from ..issues import Issue, make
from ..model import Report
from ..vn import bare_item, fold, format_number


def check_report(report: Report) -> list[Issue]:
    """The rules between values of the contract; the scores' own are `score.check`'s."""
    issues = _check_arrangement(report)
    if "van_ban" in report.sheet_names and not report.documents:
        issues.append(make("E107", sheet=report.sheet("van_ban")))
    if not any(fold(bare_item(r)).startswith("luu") for r in report.recipients):
        issues.append(make("W501", sheet=report.sheet("noi_nhan")))
    return issues


def _check_arrangement(report: Report) -> list[Issue]:
    issues: list[Issue] = []
    if not report.arrangement:
        return issues
    sheet = report.sheet("chinh_ly")
    info = report.info
    if not info.ke_hoach_chinh_ly:
        issues.append(make("E403", sheet=report.sheet("thong_tin"),
                           cell=info.refs.get("ke_hoach_chinh_ly"), key="ke_hoach_chinh_ly"))
    first: dict[int, str] = {}
    for row in report.arrangement:
        ref = row.refs.get("nam", "")
        if row.year in first:
            issues.append(make("E401", sheet=sheet, cell=ref, year=row.year,
                               first=first[row.year]))
            continue
        first[row.year] = ref
        if info.giai_doan and not info.giai_doan[0] <= row.year <= info.giai_doan[1]:
            issues.append(make("E402", sheet=sheet, cell=ref, year=row.year,
                               period=f"{info.giai_doan[0]}-{info.giai_doan[1]}"))
        if row.planned is not None and row.done is not None and row.done > row.planned:
            issues.append(make("W401", sheet=sheet, cell=row.refs.get("da_chinh_ly"),
                               year=row.year, done=format_number(row.done),
                               planned=format_number(row.planned)))
    return issues
