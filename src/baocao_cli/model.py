"""The typed report a workbook describes, independent of Excel and of Word."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from .contract import SHEETS


@dataclass
class Info:
    co_quan: str = ""
    ten_co_quan: str = ""
    ky_hieu: str = ""
    dia_danh: str = ""
    nam: int = 0
    chuc_vu_ky: str = ""
    nguoi_ky: str = ""
    co_quan_chu_quan: str = ""
    so: int | None = None
    ngay: dt.date | None = None
    trich_yeu: str = ""
    kinh_gui: str = ""
    quyen_han_ky: str = ""
    tu_xep_loai: str = ""
    ke_hoach_chinh_ly: str = ""
    giai_doan: tuple[int, int] | None = None
    refs: dict[str, str] = field(default_factory=dict)  # key -> A1 cell of its value


@dataclass
class DocCount:
    group: str  # di | den | mat_di | mat_den
    kind: str
    count: int
    note: str = ""


@dataclass
class ScoreItem:
    stt: str
    text: str
    max: Decimal | None
    score: Decimal | None
    note: str = ""
    refs: dict[str, str] = field(default_factory=dict)  # column key -> A1 cell
    score_unreadable: bool = False  # a value was typed but refused (already reported)
    children: list[ScoreItem] = field(default_factory=list)


@dataclass
class ScorePart:
    code: str
    text: str
    max: Decimal | None
    score: Decimal | None
    note: str = ""
    refs: dict[str, str] = field(default_factory=dict)
    items: list[ScoreItem] = field(default_factory=list)  # top-level items, groups nest
    score_unreadable: bool = False  # typed but refused: reported where it was read


@dataclass
class ArrangementRow:
    year: int
    planned: Decimal | None = None
    done: Decimal | None = None
    fund_province: Decimal | None = None
    fund_unit: Decimal | None = None
    handed_over: Decimal | None = None
    backlog: Decimal | None = None
    note: str = ""
    refs: dict[str, str] = field(default_factory=dict)


@dataclass
class Report:
    info: Info = field(default_factory=Info)
    bases: list[str] = field(default_factory=list)
    documents: list[DocCount] = field(default_factory=list)
    parts: list[ScorePart] = field(default_factory=list)
    arrangement: list[ArrangementRow] = field(default_factory=list)
    paragraphs: dict[str, list[str]] = field(default_factory=dict)  # Mục key -> paragraphs
    recipients: list[str] = field(default_factory=list)
    sheet_names: dict[str, str] = field(default_factory=dict)  # contract key -> name as written
    # Some `Chấm điểm` cells could not be read: totals would mislead, so no rating check.
    score_rows_rejected: bool = False

    def sheet(self, key: str) -> str:
        return self.sheet_names.get(key) or next(
            s.name for s in SHEETS if s.key == key)

    def part(self, code: str) -> ScorePart | None:
        return next((p for p in self.parts if p.code == code), None)
