"""Scoring rules (parts, maxima, bands) loaded from TOML data files, never from code."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path

DEFAULT_RULES = "ha-tinh-2021"
KINDS = ("scored", "bonus", "deduction")


class RulesError(Exception):
    """A rules file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Part:
    code: str
    name: str
    kind: str  # scored | bonus | deduction
    max: Decimal | None


@dataclass(frozen=True)
class Band:
    name: str
    low: Decimal  # inclusive


@dataclass(frozen=True)
class Criterion:
    part: str
    stt: str
    text: str
    max: Decimal


@dataclass(frozen=True)
class Rules:
    id: str
    title: str
    decision: str
    decimals: int
    parts: tuple[Part, ...]
    bands: tuple[Band, ...]  # highest first
    criteria: tuple[Criterion, ...] = field(default=())
    confirmed: bool = True
    source: str = ""

    def part(self, code: str) -> Part | None:
        return next((p for p in self.parts if p.code == code), None)

    def rating(self, total: Decimal) -> str:
        for band in self.bands:
            if total >= band.low:
                return band.name
        return self.bands[-1].name

    @property
    def band_names(self) -> list[str]:
        return [b.name for b in self.bands]


def _number(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RulesError(f"{where}: cần một số, gặp {value!r}.")
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _text(table: dict, key: str, where: str, required: bool = True) -> str:
    value = table.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise RulesError(f"{where}.{key}: cần một chuỗi chữ không rỗng.")
    return value.strip()


def parse_rules(data: dict, source: str) -> Rules:
    """Check a rules document and turn it into `Rules`; every problem names `source` and key."""
    def at(key: str) -> str:
        return f"Tệp quy tắc {source}, khóa {key}"

    rid = data.get("id")
    if not isinstance(rid, str) or not rid.strip():
        raise RulesError(f"{at('id')}: cần mã quy tắc (chuỗi chữ).")
    decimals = data.get("decimals", 2)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 4:
        raise RulesError(f"{at('decimals')}: cần số nguyên từ 0 đến 4, gặp {decimals!r}.")

    raw_parts = data.get("parts")
    if not isinstance(raw_parts, list) or not raw_parts:
        raise RulesError(f"{at('parts')}: cần ít nhất một phần ([[parts]]).")
    parts: list[Part] = []
    for i, raw in enumerate(raw_parts, 1):
        where = at(f"parts[{i}]")
        if not isinstance(raw, dict):
            raise RulesError(f"{where}: cần một bảng có code, name, kind, max.")
        code = _text(raw, "code", where)
        if any(p.code == code for p in parts):
            raise RulesError(f"{where}.code: mã phần \"{code}\" bị trùng.")
        kind = raw.get("kind", "scored")
        if kind not in KINDS:
            raise RulesError(f"{where}.kind: loại \"{kind}\" không hợp lệ; cần một trong "
                             f"{', '.join(KINDS)}.")
        maximum = raw.get("max")
        if maximum is None:
            if kind != "deduction":
                raise RulesError(f"{where}.max: phần \"{code}\" cần điểm tối đa.")
            max_value = None
        else:
            max_value = _number(maximum, f"{where}.max")
            if max_value <= 0:
                raise RulesError(f"{where}.max: điểm tối đa phải dương, gặp {maximum}.")
        parts.append(Part(code, _text(raw, "name", where), kind, max_value))
    if not any(p.kind == "scored" for p in parts):
        raise RulesError(f"{at('parts')}: cần ít nhất một phần loại \"scored\".")

    raw_bands = data.get("bands")
    if not isinstance(raw_bands, list) or not raw_bands:
        raise RulesError(f"{at('bands')}: cần ít nhất một mức xếp loại ([[bands]]).")
    bands: list[Band] = []
    for i, raw in enumerate(raw_bands, 1):
        where = at(f"bands[{i}]")
        if not isinstance(raw, dict) or "from" not in raw:
            raise RulesError(f"{where}: cần name và from (điểm thấp nhất của mức).")
        name = _text(raw, "name", where)
        low = _number(raw["from"], f"{where}.from")
        if any(b.name == name for b in bands):
            raise RulesError(f"{where}.name: mức \"{name}\" bị trùng.")
        if bands and low >= bands[-1].low:
            raise RulesError(f"{where}.from: các mức phải xếp từ cao xuống thấp, không chồng "
                             f"nhau; {low} không nhỏ hơn {bands[-1].low} của mức trước.")
        bands.append(Band(name, low))
    if bands[-1].low > 0:
        raise RulesError(f"{at(f'bands[{len(bands)}]')}.from: mức thấp nhất phải bắt đầu từ 0.")

    criteria: list[Criterion] = []
    seen: set[tuple[str, str]] = set()
    for i, raw in enumerate(data.get("criteria", []) or [], 1):
        where = at(f"criteria[{i}]")
        if not isinstance(raw, dict):
            raise RulesError(f"{where}: cần một bảng có part, stt, text, max.")
        part = _text(raw, "part", where)
        if not any(p.code == part for p in parts):
            raise RulesError(f"{where}.part: không có phần \"{part}\" trong [[parts]].")
        stt = _text(raw, "stt", where)
        if (part, stt) in seen:
            raise RulesError(f"{where}.stt: tiêu chí \"{stt}\" của phần {part} bị trùng.")
        seen.add((part, stt))
        maximum = _number(raw.get("max"), f"{where}.max")
        if maximum <= 0:
            raise RulesError(f"{where}.max: điểm tối đa phải dương.")
        criteria.append(Criterion(part, stt, _text(raw, "text", where), maximum))

    return Rules(
        id=rid.strip(),
        title=_text(data, "title", at("title")) if "title" in data else rid,
        decision=str(data.get("decision", "")),
        decimals=decimals,
        parts=tuple(parts),
        bands=tuple(bands),
        criteria=tuple(criteria),
        confirmed=bool(data.get("confirmed", True)),
        source=source,
    )


def load_rules(path: str | Path | None = None) -> Rules:
    """The rules in `path`, or the default rules shipped in the package."""
    if path is None:
        text = resources.files("baocao_cli").joinpath(f"rules/{DEFAULT_RULES}.toml").read_text(
            encoding="utf-8")
        source = f"{DEFAULT_RULES}.toml"
    else:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise RulesError(f"Không tìm thấy tệp quy tắc {p}.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise RulesError(f"Không đọc được tệp quy tắc {p}: {exc}.") from None
        source = str(p)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"Tệp quy tắc {source} sai cú pháp TOML: {exc}.") from None
    return parse_rules(data, source)
