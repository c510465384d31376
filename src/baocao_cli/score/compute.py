"""Totals and rating from the self-assessment, by the rules file (Decimal, half-up)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..model import Report, ScoreItem, ScorePart
from ..vn import round_half_up
from .rules import Rules

ZERO = Decimal(0)


@dataclass(frozen=True)
class PartScore:
    code: str
    name: str
    kind: str  # scored | bonus | deduction
    max: Decimal | None
    score: Decimal


@dataclass(frozen=True)
class Scores:
    parts: tuple[PartScore, ...]  # in the rules' order
    total: Decimal
    rating: str

    @property
    def scored(self) -> list[PartScore]:
        return [p for p in self.parts if p.kind == "scored"]


def item_score(item: ScoreItem) -> Decimal:
    """A group scores the sum of its children; a leaf its own score (blank counts 0)."""
    if item.children:
        return sum((item_score(c) for c in item.children), ZERO)
    return item.score if item.score is not None else ZERO


def item_max(item: ScoreItem) -> Decimal | None:
    if item.children:
        maxima = [item_max(c) for c in item.children]
        return None if any(m is None for m in maxima) else sum(maxima, ZERO)  # type: ignore[arg-type]
    return item.max


def part_score(part: ScorePart) -> Decimal:
    """From the items when there are any, else the part's own score."""
    if part.items:
        return sum((item_score(i) for i in part.items), ZERO)
    return part.score if part.score is not None else ZERO


def total_of(values: list[tuple[str, Decimal]], decimals: int) -> Decimal:
    total = ZERO
    for kind, value in values:
        total += -value if kind == "deduction" else value
    return max(ZERO, round_half_up(total, decimals))


def compute(report: Report, rules: Rules) -> Scores:
    parts: list[PartScore] = []
    for rp in rules.parts:
        sp = report.part(rp.code)
        score = part_score(sp) if sp is not None else ZERO
        parts.append(PartScore(rp.code, rp.name, rp.kind, rp.max, score))
    total = total_of([(p.kind, p.score) for p in parts], rules.decimals)
    return Scores(tuple(parts), total, rules.rating(total))
