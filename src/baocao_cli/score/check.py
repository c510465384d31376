"""Checks of the self-assessment against the rules: maxima, sums, parts, the rating.

They need the rules and the scoring arithmetic, so they run in this stage, after the
contract's own checks (`validate.relations`) and before the totals are trusted.
"""

from __future__ import annotations

from ..issues import Issue, make
from ..model import Report, ScoreItem
from ..vn import fold, format_score
from .compute import compute, item_max, item_score, part_score
from .rules import Rules


def check_scores(report: Report, rules: Rules) -> list[Issue]:
    """The score sheet's issues, then the declared rating against the computed one."""
    issues = _check_scores(report, rules)
    info = report.info
    # No comparison without a score sheet: "computed: 0 points" would only mislead.
    if info.tu_xep_loai and "cham_diem" in report.sheet_names \
            and not any(i.is_error for i in issues) \
            and not report.score_rows_rejected:
        scores = compute(report, rules)
        if fold(scores.rating) != fold(info.tu_xep_loai):
            issues.append(make("E313", sheet=report.sheet("thong_tin"),
                               cell=info.refs.get("tu_xep_loai"), key="tu_xep_loai",
                               declared=info.tu_xep_loai,
                               total=format_score(scores.total), computed=scores.rating))
    return issues


def _check_scores(report: Report, rules: Rules) -> list[Issue]:
    issues: list[Issue] = []
    sheet = report.sheet("cham_diem")
    if "cham_diem" not in report.sheet_names:
        return issues
    for rp in rules.parts:
        part = report.part(rp.code)
        if part is None:
            if rp.kind == "scored":
                issues.append(make("E312", sheet=sheet, part=rp.code, name=rp.name))
            continue
        if part.max is not None and rp.max is not None and part.max != rp.max:
            issues.append(make("E309", sheet=sheet, cell=part.refs.get("toi_da"), part=rp.code,
                               found=format_score(part.max), expected=format_score(rp.max),
                               rules=rules.id))
        if part.max is not None and rp.max is None and part.max <= 0:
            issues.append(make("E203", sheet=sheet, cell=part.refs.get("toi_da"),
                               value=format_score(part.max)))
        item_errors: list[Issue] = []
        for item in part.items:
            _check_item(item, sheet, item_errors)
        issues += item_errors
        if not part.items and part.score is None and not part.score_unreadable \
                and rp.kind == "scored":
            issues.append(make("E315", sheet=sheet, cell=part.refs.get("tu_cham"), part=rp.code))
        if item_errors:
            continue
        score = part_score(part)
        if part.items and part.score is not None and part.score != score:
            issues.append(make("E311", sheet=sheet, cell=part.refs.get("tu_cham"), part=rp.code,
                               score=format_score(part.score), items=format_score(score)))
        maximum = rp.max if rp.max is not None else part.max
        if maximum is not None and score > maximum:
            issues.append(make("E310", sheet=sheet, cell=part.refs.get("tu_cham"), part=rp.code,
                               score=format_score(score), maximum=format_score(maximum)))
    return issues


def _check_item(item: ScoreItem, sheet: str, issues: list[Issue]) -> None:
    if item.children:
        for child in item.children:
            _check_item(child, sheet, issues)
        children_max = item_max(item)
        if item.max is not None and children_max is not None and item.max != children_max:
            issues.append(make("E307", sheet=sheet, cell=item.refs.get("toi_da"), stt=item.stt,
                               maximum=format_score(item.max),
                               children=format_score(children_max)))
        total = item_score(item)
        if item.score is not None and item.score != total:
            issues.append(make("E308", sheet=sheet, cell=item.refs.get("tu_cham"), stt=item.stt,
                               score=format_score(item.score), children=format_score(total)))
        return
    if item.max is None:
        issues.append(make("E314", sheet=sheet, cell=item.refs.get("toi_da"), stt=item.stt))
    if item.score is None:
        if not item.score_unreadable:  # a refused value was reported where it was read
            issues.append(make("E305", sheet=sheet, cell=item.refs.get("tu_cham"), stt=item.stt))
    elif item.max is not None and item.score > item.max:
        issues.append(make("E306", sheet=sheet, cell=item.refs.get("tu_cham"), stt=item.stt,
                           score=format_score(item.score), maximum=format_score(item.max)))
