"""Scoring rules (parts, maxima, bands) loaded from TOML data files, never from code."""

from __future__ import annotations

import math
import re
import textwrap
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path

from ..contract import MAX_SCORE, stt_kind
from ..errors import BaocaoError
from ..files import input_problem, os_error_reason, problem_text

DEFAULT_RULES = "ha-tinh-2021"
KINDS = ("scored", "bonus", "deduction")
KIND_LABELS = {"scored": "chấm điểm", "bonus": "điểm cộng", "deduction": "điểm trừ"}
# The keys each table may hold: anything else is a typo that would silently be ignored.
TOP_KEYS = ("id", "title", "decision", "confirmed", "decimals", "parts", "bands", "criteria")
PART_KEYS = ("code", "name", "kind", "max")
BAND_KEYS = ("name", "from")
CRITERION_KEYS = ("part", "stt", "text", "max")
Where = Callable[[str], str]  # key -> "Tệp quy tắc FILE, khóa KEY"


class RulesError(BaocaoError):
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
    """A score of the rules: finite and at most the contract's `MAX_SCORE`, the bound the
    sheet's scores have, so that no sum, comparison or format of it can fail later."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        shown = "không có" if value is None else repr(value)
        raise RulesError(f"{where}: cần một số, gặp {shown}.")
    if isinstance(value, float) and not math.isfinite(value):
        raise RulesError(f"{where}: cần một số hữu hạn, gặp {value!r}.")
    if abs(value) > MAX_SCORE.value:
        shown = repr(value) if isinstance(value, float) else _clip_digits(value)
        raise RulesError(f"{where}: {shown} lớn hơn mức tối đa {MAX_SCORE.value} cho điểm. "
                         f"Cần một số từ 0 đến {MAX_SCORE.value}.")
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _clip_digits(value: int) -> str:
    """An integer for a message, however long (str() refuses past 4,300 digits)."""
    if value.bit_length() > 200:
        return f"số có khoảng {int(value.bit_length() * 0.30103) + 1} chữ số"
    return str(value)


def _text(table: dict, key: str, where: str, required: bool = True) -> str:
    value = table.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise RulesError(f"{where}.{key}: cần một chuỗi chữ không rỗng.")
    return value.strip()


def _known_keys(table: dict, allowed: tuple[str, ...], where: str | None,
                at: Where | None = None) -> None:
    """A misspelt key (`form` for `from`) would be ignored silently; refuse it instead."""
    for key in table:
        if key not in allowed:
            place = at(key) if at is not None else f"{where}.{key}"
            raise RulesError(f"{place}: khóa không dùng được (viết sai?). Cần một trong: "
                             f"{', '.join(allowed)}.")


def _shown(value: Decimal) -> str:
    from ..vn import format_score

    return format_score(value)


def parse_rules(data: dict, source: str) -> Rules:
    """Check a rules document and turn it into `Rules`; every problem names `source` and key."""
    def at(key: str) -> str:
        return f"Tệp quy tắc {source}, khóa {key}"

    _known_keys(data, TOP_KEYS, None, at)
    rid = data.get("id")
    if not isinstance(rid, str) or not rid.strip():
        raise RulesError(f"{at('id')}: cần mã quy tắc (chuỗi chữ).")
    decimals = data.get("decimals", 2)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 4:
        raise RulesError(f"{at('decimals')}: cần số nguyên từ 0 đến 4, gặp {decimals!r}.")
    confirmed = data.get("confirmed", True)
    if not isinstance(confirmed, bool):
        raise RulesError(f"{at('confirmed')}: cần true hoặc false, gặp {confirmed!r}.")
    title = data.get("title", rid)
    if not isinstance(title, str) or not title.strip():
        raise RulesError(f"{at('title')}: cần tên của bộ quy tắc (chuỗi chữ không rỗng).")
    decision = data.get("decision", "")
    if not isinstance(decision, str):
        raise RulesError(f"{at('decision')}: cần một chuỗi chữ, gặp {decision!r}.")

    parts = _parse_parts(data.get("parts"), at)
    bands = _parse_bands(data.get("bands"), at)
    criteria = _parse_criteria(data.get("criteria", []), parts, at)

    return Rules(
        id=rid.strip(),
        title=title.strip(),
        decision=decision.strip(),
        decimals=decimals,
        parts=tuple(parts),
        bands=tuple(bands),
        criteria=tuple(criteria),
        confirmed=confirmed,
        source=source,
    )


def _tables(raw: object, key: str, keys: tuple[str, ...], at: Where, missing: str,
            shape: str, *, empty_ok: bool = False) -> Iterator[tuple[str, dict]]:
    """(where, table) for each table of the array `[[key]]`, each checked to be a table
    holding only `keys`; `missing` and `shape` say what was expected, in Vietnamese."""
    if not isinstance(raw, list) or (not raw and not empty_ok):
        raise RulesError(f"{at(key)}: {missing}")
    for i, table in enumerate(raw, 1):
        where = at(f"{key}[{i}]")
        if not isinstance(table, dict):
            raise RulesError(f"{where}: {shape}")
        _known_keys(table, keys, where)
        yield where, table


def _parse_parts(raw_parts: object, at: Where) -> list[Part]:
    parts: list[Part] = []
    for where, raw in _tables(raw_parts, "parts", PART_KEYS, at,
                              "cần ít nhất một phần ([[parts]]).",
                              "cần một bảng có code, name, kind, max."):
        code = _text(raw, "code", where)
        if any(p.code == code for p in parts):
            raise RulesError(f"{where}.code: mã phần \"{code}\" bị trùng.")
        if stt_kind(code) is not None:
            raise RulesError(f"{where}.code: mã phần \"{code}\" trùng dạng STT của tiêu chí "
                             f"(1, 2.1, a)). Cần mã khác, ví dụ số La Mã I, II, III.")
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
    return parts


def _parse_bands(raw_bands: object, at: Where) -> list[Band]:
    bands: list[Band] = []
    for where, raw in _tables(raw_bands, "bands", BAND_KEYS, at,
                              "cần ít nhất một mức xếp loại ([[bands]]).",
                              "cần một bảng có name và from."):
        name = _text(raw, "name", where)
        if "from" not in raw:
            raise RulesError(f"{where}.from: mức \"{name}\" cần điểm thấp nhất của mức.")
        low = _number(raw["from"], f"{where}.from")
        if low < 0:
            raise RulesError(f"{where}.from: điểm thấp nhất không được âm, gặp {raw['from']}.")
        if any(b.name == name for b in bands):
            raise RulesError(f"{where}.name: mức \"{name}\" bị trùng.")
        if bands and low >= bands[-1].low:
            raise RulesError(f"{where}.from: các mức phải xếp từ cao xuống thấp, không chồng "
                             f"nhau; {_shown(low)} không nhỏ hơn {_shown(bands[-1].low)} của "
                             f"mức trước \"{bands[-1].name}\".")
        bands.append(Band(name, low))
    if bands[-1].low > 0:
        raise RulesError(f"{at(f'bands[{len(bands)}]')}.from: mức thấp nhất phải bắt đầu từ 0, "
                         f"gặp {_shown(bands[-1].low)}.")
    return bands


def _parse_criteria(raw_list: object, parts: list[Part], at: Where) -> list[Criterion]:
    """The criteria, checked the way `validate` will check the sheet they are copied into."""
    criteria: list[Criterion] = []
    where_of: dict[int, str] = {}
    children: dict[int, list[int]] = {}  # index of a criterion -> indexes of its children
    top: dict[str, list[int]] = {}  # part code -> indexes of its top-level criteria
    seen: dict[tuple[str, str], int] = {}
    last_numbered: dict[str, int] = {}
    for i, (where, raw) in enumerate(_tables(
            raw_list, "criteria", CRITERION_KEYS, at, "cần danh sách tiêu chí ([[criteria]]).",
            "cần một bảng có part, stt, text, max.", empty_ok=True), 1):
        part = _text(raw, "part", where)
        if not any(p.code == part for p in parts):
            raise RulesError(f"{where}.part: không có phần \"{part}\" trong [[parts]]. Cần một "
                             f"trong: {', '.join(p.code for p in parts)}.")
        stt = raw.get("stt")
        stt = str(stt) if isinstance(stt, int) and not isinstance(stt, bool) else stt
        if not isinstance(stt, str) or not stt.strip():
            raise RulesError(f"{where}.stt: cần số thứ tự dạng chuỗi, ví dụ \"1\", \"2.1\" "
                             f"hoặc \"a)\".")
        stt = stt.strip()
        kind = stt_kind(stt)
        if kind is None:
            raise RulesError(f"{where}.stt: \"{stt}\" không đúng dạng. Cần \"1\", \"2.1\" hoặc "
                             f"\"a)\".")
        n = len(criteria)
        parent: int | None = None
        if kind == "sub":
            if part not in last_numbered:
                raise RulesError(f"{where}.stt: tiêu chí con \"{stt}\" cần đứng sau một tiêu "
                                 f"chí đánh số của phần {part}.")
            parent = last_numbered[part]
            full = f"{criteria[parent].stt}/{stt.lower()}"
        else:
            full = stt
            pieces = stt.split(".")
            for k in range(len(pieces) - 1, 0, -1):
                parent = seen.get((part, ".".join(pieces[:k])))
                if parent is not None:
                    break
            last_numbered[part] = n
        if (part, full) in seen:
            raise RulesError(f"{where}.stt: tiêu chí \"{stt}\" của phần {part} bị trùng "
                             f"(đã có ở {where_of[seen[(part, full)]]}).")
        maximum = _number(raw.get("max"), f"{where}.max")
        if maximum <= 0:
            raise RulesError(f"{where}.max: điểm tối đa phải dương, gặp {_shown(maximum)}.")
        seen[(part, full)] = n
        where_of[n] = f"criteria[{i}]"
        criteria.append(Criterion(part, stt, _text(raw, "text", where), maximum))
        if parent is None:
            top.setdefault(part, []).append(n)
        else:
            children.setdefault(parent, []).append(n)

    for n, kids in children.items():
        total = sum((criteria[k].max for k in kids), Decimal(0))
        if total != criteria[n].max:
            raise RulesError(f"{at(where_of[n])}.max: tiêu chí {criteria[n].stt} của phần "
                             f"{criteria[n].part} có điểm tối đa {_shown(criteria[n].max)} "
                             f"nhưng các tiêu chí con cộng lại {_shown(total)}. Cần bằng nhau.")
    for p in parts:
        if p.kind != "scored" or p.code not in top or p.max is None:
            continue
        total = sum((criteria[k].max for k in top[p.code]), Decimal(0))
        if total != p.max:
            raise RulesError(f"{at('criteria')}: các tiêu chí của phần {p.code} cộng lại "
                             f"{_shown(total)} điểm, khác điểm tối đa {_shown(p.max)} của phần. "
                             f"Cần bằng nhau.")
    return criteria


def shipped_rules() -> list[str]:
    """The ids of the rules files that ship in the package (usable as `--rules ID`)."""
    folder = resources.files(__package__).joinpath("data")
    return sorted(f.name.removesuffix(".toml") for f in folder.iterdir()
                  if f.name.endswith(".toml"))


def load_rules(path: str | Path | None = None) -> Rules:
    """The rules in `path` (a file, or the id of a shipped file), or the default rules."""
    if path is None or (str(path) in shipped_rules() and not Path(path).exists()):
        name = DEFAULT_RULES if path is None else str(path)
        text = resources.files(__package__).joinpath(f"data/{name}.toml").read_text(
            encoding="utf-8")
        source = f"{name}.toml"
    else:
        p = Path(path)
        problem = input_problem(p)  # a FIFO would block the read forever
        if problem is not None and problem.kind in ("special", "permission", "other"):
            raise RulesError(f"Tệp quy tắc {p}: {problem_text(p, problem)}")
        try:
            if p.is_file() and p.stat().st_size > MAX_RULES_BYTES:
                raise RulesError(f"Tệp quy tắc {p} quá lớn ({p.stat().st_size // 1024} KB; "
                                 f"giới hạn {MAX_RULES_BYTES // 1024} KB). Một tệp quy tắc "
                                 f"chỉ cần vài KB: kiểm tra lại tệp.")
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise RulesError(f"Không tìm thấy tệp quy tắc {p}. Cần đường dẫn tới một tệp .toml "
                             f"có thật hoặc mã quy tắc có sẵn: "
                             f"{', '.join(shipped_rules())}.") from None
        except IsADirectoryError:
            raise RulesError(f"{p} là một thư mục. Cần một tệp quy tắc .toml.") from None
        except UnicodeDecodeError:
            raise RulesError(f"Tệp quy tắc {p} không phải văn bản UTF-8. Hãy lưu lại tệp với "
                             f"bảng mã UTF-8.") from None
        except OSError as exc:
            raise RulesError(f"Không đọc được tệp quy tắc {p}: {os_error_reason(exc)}.") from None
        source = str(p)
    _check_nesting(text, source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"Tệp quy tắc {source} sai cú pháp TOML: {exc}.") from None
    except RecursionError:  # the scan below is exact for TOML; this is only a last guard
        raise RulesError(f"Tệp quy tắc {source}: giá trị lồng nhau quá sâu. Một tệp quy tắc "
                         f"không cần lồng quá {MAX_NESTING} cấp.") from None
    except ValueError:  # an integer past Python's 4,300 digits for int()
        m = _LONG_INTEGER.search(text)
        key = f", khóa {m.group(1).strip()[:60]}" if m else ""
        raise RulesError(f"Tệp quy tắc {source}{key}: số nguyên quá dài (hàng nghìn chữ "
                         f"số). Cần một số từ 0 đến {MAX_SCORE.value}.") from None
    return parse_rules(data, source)


_LONG_INTEGER = re.compile(r"^([^=\n#]+)=\s*[+-]?[0-9_]{4000,}", re.M)
MAX_RULES_BYTES = 1 << 20  # the shipped rules are 2-6 KB
MAX_NESTING = 32  # arrays and inline tables within one value; the rules need two


def _check_nesting(text: str, source: str) -> None:
    """Refuse arrays or inline tables nested deeper than `MAX_NESTING`, naming the key.

    tomllib parses nesting by recursion: 100,000 `[` raise RecursionError, a crash. One
    linear pass over the text (strings and comments skipped) finds the depth first.
    """
    depth, n = 0, len(text)
    line_start, key = 0, ""
    m = _SIGNIFICANT.search(text)
    while m is not None:
        i = m.start()
        ch = text[i]
        if ch == "\n":
            line_start = i + 1
        elif ch == "#":
            end = text.find("\n", i)
            m = _SIGNIFICANT.search(text, n if end < 0 else end)
            continue
        elif ch in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else ch
            j = i + len(quote)
            while True:
                end = text.find(quote, j)
                if end < 0:
                    return  # an unterminated string: tomllib says where
                if ch == "'" or not _escaped(text, end):
                    break
                j = end + 1
            m = _SIGNIFICANT.search(text, end + len(quote))
            continue
        elif ch == "=" and depth == 0:
            key = text[line_start:i].strip()
        elif ch in "[{":
            if depth == 0 and text[line_start:i].strip() == "":
                key = ""  # a table header such as [[parts]], not a value
            depth += 1
            if depth > MAX_NESTING and key:
                raise RulesError(f"Tệp quy tắc {source}, khóa {key[:60]}: giá trị lồng nhau "
                                 f"quá sâu (hơn {MAX_NESTING} cấp [ hoặc {{). Cần một số, một "
                                 f"chuỗi chữ hoặc một bảng như trong docs/rules.md.")
            if depth > MAX_NESTING:
                raise RulesError(f"Tệp quy tắc {source}: dòng {text.count(chr(10), 0, i) + 1} "
                                 f"lồng nhau quá sâu (hơn {MAX_NESTING} cấp [ hoặc {{).")
        elif ch in "]}":
            depth = max(depth - 1, 0)
        m = _SIGNIFICANT.search(text, i + 1)


_SIGNIFICANT = re.compile(r"[\n#\"'=\[\]{}]")


def _escaped(text: str, at: int) -> bool:
    """True when the quote at `at` follows an odd number of backslashes."""
    k = at - 1
    while k >= 0 and text[k] == "\\":
        k -= 1
    return (at - 1 - k) % 2 == 1


def rules_table(rules: Rules) -> str:
    """The rules as plain-text tables, for `baocao rules show` (what a clerk can check)."""
    lines = [f"Quy tắc: {rules.id} — {rules.title}"]
    if rules.decision:
        lines.append(f"Văn bản: {rules.decision}")
    lines.append(f"Tệp: {rules.source}")
    if not rules.confirmed:
        lines.append("Lưu ý: điểm tối đa và các mức chưa được đối chiếu với văn bản gốc.")
    lines.append(f"Tổng điểm làm tròn {rules.decimals} chữ số thập phân (nửa lên), "
                 f"không nhỏ hơn 0.")

    lines += ["", "CÁC PHẦN"]
    lines += _table(["Mã", "Phần", "Loại", "Điểm tối đa"],
                    [[p.code, p.name, KIND_LABELS[p.kind],
                      _shown(p.max) if p.max is not None else "không giới hạn"]
                     for p in rules.parts], wrap=1)

    lines += ["", "XẾP LOẠI"]
    rows = []
    for i, b in enumerate(rules.bands):
        upper = f"dưới {_shown(rules.bands[i - 1].low)}" if i else "trở lên"
        rows.append([b.name, f"từ {_shown(b.low)} {upper}" if i == 0 else
                     f"từ {_shown(b.low)} đến {upper}"])
    lines += _table(["Xếp loại", "Tổng điểm"], rows)

    lines += ["", "TIÊU CHÍ"]
    if rules.criteria:
        lines += _table(["Phần", "STT", "Tiêu chí", "Điểm tối đa"],
                        [[c.part, c.stt, c.text, _shown(c.max)] for c in rules.criteria],
                        wrap=2)
    else:
        lines.append("(Tệp quy tắc không liệt kê tiêu chí: sổ Excel chỉ ghi điểm từng phần.)")
    return "\n".join(lines)


def _table(headers: list[str], rows: list[list[str]], wrap: int | None = None,
           width: int = 60) -> list[str]:
    """Columns padded to their widest cell; column `wrap` is folded at `width` characters."""
    cells = [[[h] for h in headers]]
    for row in rows:
        cells.append([textwrap.wrap(v, width) or [""] if i == wrap else [v]
                      for i, v in enumerate(row)])
    widths = [max(len(line) for r in cells for line in r[i]) for i in range(len(headers))]
    out: list[str] = []
    for n, row in enumerate(cells):
        for k in range(max(len(c) for c in row)):
            parts = [(c[k] if k < len(c) else "").ljust(w) for c, w in zip(row, widths,
                                                                            strict=True)]
            out.append("  ".join(parts).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return out
