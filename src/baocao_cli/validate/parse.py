"""Turn the workbook's tables into a typed `Report`, collecting every value problem.

This is the one parse path of `validate`, `build` and `batch`: same input, same messages.
Values that cannot be read become issues at their cell and are left out of the model;
parsing always goes on, so one run lists every problem.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Protocol

from .. import contract
from ..contract import stt_kind
from ..issues import Issue, make
from ..model import ArrangementRow, DocCount, Info, Report, ScoreItem, ScorePart
from ..read.book import Book, Cell, Row, Table, as_date
from ..vn import (
    ascii_digits,
    bare_item,
    clean_text,
    fold,
    format_number,
    looks_legacy_encoded,
    parse_date,
    parse_number,
)

KY_HIEU = re.compile(r"^[A-ZĐ0-9]+(?:-[A-ZĐ0-9]+)*$")
PERIOD = re.compile(r"^(\d{4})\s*[-–—]\s*(\d{4})$")
GROUPS = {fold(label): key for key, label in contract.GROUPS}
GROUPS.update({fold(label.removeprefix("Văn bản ")): key for key, label in contract.GROUPS})
SECTIONS = {fold(label): key for key, label in contract.SECTIONS}
SECTIONS.update({fold(key): key for key, _ in contract.SECTIONS})
INFO_KEYS = {fold(k.key): k for k in contract.INFO_KEYS}


class _Part(Protocol):
    @property
    def code(self) -> str: ...


class Rules(Protocol):
    """What parsing needs of the scoring rules; `score.rules.Rules` is one.

    Declared here so that this stage never imports the next one.
    """

    @property
    def parts(self) -> Sequence[_Part]: ...

    @property
    def band_names(self) -> list[str]: ...


class Reader:
    """Typed access to located cells; every refusal becomes an issue, never an exception."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues

    def _bad(self, sheet: str, cell: Cell) -> bool:
        if cell.formula is not None:
            self.issues.append(make("E205", sheet=sheet, cell=cell.ref, formula=cell.formula))
            return True
        if cell.error:
            self.issues.append(make("E206", sheet=sheet, cell=cell.ref, value=cell.value))
            return True
        return False

    def text(self, sheet: str, cell: Cell | None) -> str:
        if cell is None or self._bad(sheet, cell):
            return ""
        value = cell.value
        if type(value) is str and value.isprintable() and "_x" not in value \
                and unicodedata.is_normalized("NFC", value):
            # nearly every cell: nothing for clean_text to change but the ends' spaces
            text = value.strip()
            if looks_legacy_encoded(text):
                self.issues.append(make("W205", sheet=sheet, cell=cell.ref, value=_clip(text)))
            return text
        if isinstance(value, dt.datetime | dt.date):
            d = as_date(value)
            return f"{d.day:02d}/{d.month:02d}/{d.year}" if d else ""
        raw = format_number(Decimal(repr(value))) if isinstance(value, float) else str(value)
        cleaned = clean_text(_unescape_ooxml(raw))
        if cleaned.removed_control:
            self.issues.append(make("W204", sheet=sheet, cell=cell.ref))
        if looks_legacy_encoded(cleaned.text):
            self.issues.append(make("W205", sheet=sheet, cell=cell.ref,
                                    value=_clip(cleaned.text)))
        return cleaned.text

    def _digits(self, sheet: str, cell: Cell, text: str) -> str:
        """Digits of other scripts (`١٢٣`, `１２３`) read as 0-9, with a warning that says so."""
        read, script = ascii_digits(text)
        if script:
            self.issues.append(make("W206", sheet=sheet, cell=cell.ref, value=_clip(text),
                                    script=script, read=_clip(read)))
        return read

    def number(self, sheet: str, cell: Cell | None, *, nonnegative: bool = True,
               maximum: contract.Maximum = contract.MAX_ANY) -> Decimal | None:
        """The cell's number; beyond `maximum` an error (E217), so that no total, format or
        comparison downstream ever meets a number of 26 digits."""
        if cell is None or self._bad(sheet, cell):
            return None
        value = cell.value
        if isinstance(value, (bool, dt.date | dt.time | dt.timedelta)):
            self.issues.append(make("E201", sheet=sheet, cell=cell.ref, value=_shown(value)))
            return None
        if isinstance(value, int | float):
            if value != value or value in (float("inf"), float("-inf")):
                self.issues.append(make("E201", sheet=sheet, cell=cell.ref, value=str(value)))
                return None
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        else:
            text = self._digits(sheet, cell, clean_text(str(value)).text)
            parsed = parse_number(text)
            if parsed.value is None:
                self.issues.append(make("E201", sheet=sheet, cell=cell.ref, value=_clip(text)))
                return None
            number = parsed.value
            if parsed.note:
                shown = format_number(number)
                code = {"intl": "W201", "ambiguous": "W202", "trailing": "W203"}[parsed.note]
                other = format_number(Decimal(text.replace(",", ""))) \
                    if parsed.note == "ambiguous" else ""
                self.issues.append(make(code, sheet=sheet, cell=cell.ref, value=text,
                                        read=shown, canonical=shown, other=other))
        if nonnegative and number < 0:
            self.issues.append(make("E203", sheet=sheet, cell=cell.ref,
                                    value=_clip(format_number(number))))
            return None
        if abs(number) > maximum.value:
            self.issues.append(make("E217", sheet=sheet, cell=cell.ref,
                                    value=_clip(format_number(number)),
                                    maximum=format_number(maximum.value), what=maximum.what))
            return None
        return number

    def integer(self, sheet: str, cell: Cell | None, *, nonnegative: bool = True,
                maximum: contract.Maximum = contract.MAX_ANY) -> int | None:
        number = self.number(sheet, cell, nonnegative=nonnegative, maximum=maximum)
        if number is None:
            return None
        if number != number.to_integral_value():
            assert cell is not None
            self.issues.append(make("E202", sheet=sheet, cell=cell.ref,
                                    value=_clip(format_number(number))))
            return None
        return int(number)

    def date(self, sheet: str, cell: Cell | None) -> dt.date | None:
        if cell is None or self._bad(sheet, cell):
            return None
        d = as_date(cell.value)
        if d is not None:
            return d
        text = self._digits(sheet, cell, clean_text(str(cell.value)).text)
        d = parse_date(text)
        if d is None:
            self.issues.append(make("E204", sheet=sheet, cell=cell.ref, value=_clip(text)))
        return d


# Excel stores characters XML cannot carry (control characters, a lone CR) as `_xHHHH_`;
# openpyxl hands them over escaped, so they are decoded here and then cleaned like any text.
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape_ooxml(text: str) -> str:
    if "_x" not in text:
        return text
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    return str(value)


def parse_book(book: Book, rules: Rules) -> tuple[Report, list[Issue]]:
    """The report the workbook describes, and the problems of its values and shape."""
    issues: list[Issue] = []
    rd = Reader(issues)
    report = Report()
    t = book.tables
    report.sheet_names = {key: table.sheet for key, table in t.items()}
    if "thong_tin" in t:
        report.info = _parse_info(t["thong_tin"], rd, rules)
    if "can_cu" in t:
        report.bases = [x for r in t["can_cu"].rows
                        if (x := bare_item(rd.text(t["can_cu"].sheet, r.get("noi_dung"))))]
    if "van_ban" in t:
        report.documents = _parse_documents(t["van_ban"], rd)
    if "cham_diem" in t:
        before = len(issues)
        report.parts = _parse_scores(t["cham_diem"], rd, rules)
        # Rows refused while parsing are missing from the parts: a total computed without
        # them would mislead, so `validate` skips the rating comparison (E313) then.
        # (A dynamic attribute until model.Report carries the flag as a field.)
        report.score_rows_rejected = any(i.is_error for i in issues[before:])
    if "chinh_ly" in t:
        report.arrangement = _parse_arrangement(t["chinh_ly"], rd)
    if "noi_dung" in t:
        report.paragraphs = _parse_paragraphs(t["noi_dung"], rd)
    if "noi_nhan" in t:
        sheet = t["noi_nhan"].sheet
        report.recipients = [x for r in t["noi_nhan"].rows
                             if (x := rd.text(sheet, r.get("noi_nhan")))]
    return report, issues


def _parse_info(table: Table, rd: Reader, rules: Rules) -> Info:
    sheet = table.sheet
    seen: dict[str, Row] = {}
    info = Info()
    for row in table.rows:
        mcell = row.get("ma")
        raw_key = rd.text(sheet, mcell)
        if not raw_key:
            continue
        spec = INFO_KEYS.get(fold(raw_key))
        if spec is None:
            rd.issues.append(make("W101", sheet=sheet, cell=mcell.ref if mcell else None,
                                  key=raw_key,
                                  expected=", ".join(k.key for k in contract.INFO_KEYS)))
            continue
        if spec.key in seen:
            first = seen[spec.key].get("ma")
            rd.issues.append(make("E105", sheet=sheet, cell=mcell.ref if mcell else None,
                                  key=spec.key, first=first.ref if first else ""))
            continue
        seen[spec.key] = row
        info.refs[spec.key] = f"{table.columns.get('gia_tri', 'B')}{row.number}"
        before = len(rd.issues)
        _set_info(info, spec, row.get("gia_tri"), sheet, rd, rules)
        rd.issues[before:] = [_keyed(i, spec) for i in rd.issues[before:]]
    _check_date(info, sheet, rd)
    for spec in contract.INFO_KEYS:
        if not spec.required:
            continue
        if spec.key not in seen:
            rd.issues.append(make("E104", sheet=sheet, key=spec.key, label=spec.label))
        elif seen[spec.key].get("gia_tri") is None:
            col = table.columns.get("gia_tri", "B")
            rd.issues.append(make("E106", sheet=sheet, cell=f"{col}{seen[spec.key].number}",
                                  key=spec.key, label=spec.label))
    return info


# What an integer key of `Thông tin` expects, for a hint that fits the field (E214).
_INT_HINTS = {"nam": ("năm báo cáo gồm bốn chữ số", "2021"),
              "so": ("số của văn bản, một số nguyên (hoặc để trống)", "218")}


def _keyed(issue: Issue, spec: contract.InfoKey) -> Issue:
    """An issue of a `Thông tin` value, made again with its key: its place names the field."""
    if issue.key is not None or issue.cell is None:
        return issue
    params = dict(issue.params)
    if issue.code == "E201" and spec.key in _INT_HINTS:
        expected, example = _INT_HINTS[spec.key]
        return make("E214", sheet=issue.sheet, cell=issue.cell, key=spec.key,
                    value=params["value"], expected=expected, example=example)
    return make(issue.code, sheet=issue.sheet, cell=issue.cell, key=spec.key, **params)


def _check_date(info: Info, sheet: str, rd: Reader) -> None:
    """The date of issue against the reported year: before it is a slip, long after likely."""
    if info.ngay is None or not info.nam:
        return
    cell, shown = info.refs.get("ngay"), _shown(info.ngay)
    if info.ngay.year < info.nam:
        rd.issues.append(make("E216", sheet=sheet, cell=cell, key="ngay", value=shown,
                              year=info.nam))
        info.ngay = None
    elif info.ngay.year > info.nam + 1:
        rd.issues.append(make("W207", sheet=sheet, cell=cell, key="ngay", value=shown,
                              year=info.nam))


def _set_info(info: Info, spec: contract.InfoKey, cell: Cell | None, sheet: str, rd: Reader,
              rules: Rules) -> None:
    if cell is None:
        return
    key = spec.key
    if key == "so":
        so = rd.integer(sheet, cell, nonnegative=False, maximum=contract.MAX_DOC_NUMBER)
        if so is not None and so < 1:
            rd.issues.append(make("E213", sheet=sheet, cell=cell.ref, key=key, value=so))
            so = None
        info.so = so
    elif key == "nam":
        nam = rd.integer(sheet, cell)
        if nam is not None and not 2000 <= nam <= 2100:
            rd.issues.append(make("E207", sheet=sheet, cell=cell.ref, key=key, value=nam,
                                  low=2000, high=2100))
            nam = None
        info.nam = nam or 0
    elif key == "ngay":
        info.ngay = rd.date(sheet, cell)
    elif key == "giai_doan":
        text = rd.text(sheet, cell)
        m = PERIOD.match(text)
        if not m or int(m.group(1)) > int(m.group(2)):
            rd.issues.append(make("E210", sheet=sheet, cell=cell.ref, key=key, value=text))
        else:
            info.giai_doan = (int(m.group(1)), int(m.group(2)))
    else:
        text = rd.text(sheet, cell)
        if key == "ky_hieu" and text and not KY_HIEU.match(text):
            rd.issues.append(make("E208", sheet=sheet, cell=cell.ref, key=key, value=text))
        if key == "quyen_han_ky" and text:
            prefix = next((p for p in contract.SIGNING_PREFIXES
                           if text.upper().startswith(p)), None)
            if prefix is None or not text[len(prefix):].strip(" ."):  # a bare `KT.` too
                rd.issues.append(make("E209", sheet=sheet, cell=cell.ref, key=key, value=text))
            else:  # `KT.GIÁM ĐỐC` → `KT. GIÁM ĐỐC`
                text = f"{prefix} {text[len(prefix):].strip()}"
        if key == "tu_xep_loai" and text:
            match = next((b for b in rules.band_names if fold(b) == fold(text)), None)
            if match is None:
                rd.issues.append(make("E316", sheet=sheet, cell=cell.ref, key=key, value=text,
                                      expected=", ".join(rules.band_names)))
            text = match or ""
        setattr(info, key, text)


def _parse_documents(table: Table, rd: Reader) -> list[DocCount]:
    sheet = table.sheet
    out: list[DocCount] = []
    seen: dict[tuple[str, str], tuple[DocCount, str]] = {}
    for row in table.rows:
        gcell = row.get("nhom")
        group_text = rd.text(sheet, gcell)
        kind = rd.text(sheet, row.get("loai"))
        count = rd.integer(sheet, row.get("so_luong"), maximum=contract.MAX_COUNT)
        note = rd.text(sheet, row.get("ghi_chu"))
        group = GROUPS.get(fold(group_text)) if group_text else None
        if gcell is not None and group_text and group is None:
            rd.issues.append(make("E211", sheet=sheet, cell=gcell.ref, value=group_text,
                                  expected=", ".join(label for _, label in contract.GROUPS)))
        missing = [(label, key) for label, key, present in (
            ("Nhóm", "nhom", group_text), ("Loại văn bản", "loai", kind),
            ("Số lượng", "so_luong", row.get("so_luong") is not None)) if not present]
        if missing:
            # Point at the first empty cell to fill; quote what the row does have.
            anchor = next(iter(row.cells.values()))
            rd.issues.append(make("E215", sheet=sheet,
                                  cell=f"{table.columns[missing[0][1]]}{row.number}",
                                  value=_clip(str(anchor.value), 40),
                                  missing=", ".join(f"\"{m}\"" for m, _ in missing)))
            continue
        if group is None or count is None:
            continue
        key = (group, fold(kind))
        if key in seen:
            doc, first = seen[key]
            lcell = row.get("loai")
            rd.issues.append(make("W301", sheet=sheet, cell=lcell.ref if lcell else None,
                                  value=kind, group=dict(contract.GROUPS)[group], first=first))
            doc.count += count
            continue
        doc = DocCount(group, kind, count, note)
        lcell = row.get("loai")
        seen[key] = (doc, lcell.ref if lcell else "")
        out.append(doc)
    return out


def _stt_text(cell: Cell | None, sheet: str, rd: Reader) -> str:
    if cell is None:
        return ""
    value = cell.value
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = rd.text(sheet, cell).strip()
    return text[:-1] if text.endswith(".") and contract.ITEM_STT.match(text[:-1]) else text


def _parse_scores(table: Table, rd: Reader, rules: Rules) -> list[ScorePart]:
    sheet = table.sheet
    parts: list[ScorePart] = []
    codes = {fold(p.code): p.code for p in rules.parts}
    first_of: dict[str, str] = {}
    current: ScorePart | None = None
    items: dict[str, ScoreItem] = {}  # stt -> item, within the current part
    item_refs: dict[str, str] = {}
    last_numbered: ScoreItem | None = None
    for row in table.rows:
        scell, mcell, score_cell = row.get("stt"), row.get("toi_da"), row.get("tu_cham")
        stt = _stt_text(scell, sheet, rd)
        text = rd.text(sheet, row.get("tieu_chi"))
        note = rd.text(sheet, row.get("ghi_chu"))
        maximum = rd.number(sheet, mcell, maximum=contract.MAX_SCORE)
        score = rd.number(sheet, score_cell, maximum=contract.MAX_SCORE)
        col = table.columns["tu_cham"]
        score_ref = f"{col}{row.number}"
        if not stt:
            if (mcell or score_cell) and not fold(text).startswith("tong"):
                rd.issues.append(make("E302", sheet=sheet, cell=f"{table.columns['stt']}"
                                      f"{row.number}", stt="", parts=", ".join(codes.values())))
            continue
        ref = scell.ref if scell else score_ref
        if fold(stt) in codes:
            code = codes[fold(stt)]
            if code in first_of:
                rd.issues.append(make("E304", sheet=sheet, cell=ref, part=code,
                                      first=first_of[code]))
                current = None
                continue
            first_of[code] = ref
            current = ScorePart(code, text, maximum, score, note, _refs(table, row),
                                score_unreadable=score is None and score_cell is not None)
            parts.append(current)
            items, item_refs, last_numbered = {}, {}, None
            continue
        kind = stt_kind(stt)
        is_sub = kind == "sub"
        if kind is None:
            rd.issues.append(make("E302", sheet=sheet, cell=ref, stt=stt,
                                  parts=", ".join(codes.values())))
            continue
        if current is None:
            rd.issues.append(make("E301", sheet=sheet, cell=ref, stt=stt))
            continue
        full = f"{last_numbered.stt}/{stt.lower()}" if is_sub and last_numbered else stt
        if full in items:
            rd.issues.append(make("E303", sheet=sheet, cell=ref, stt=stt, part=current.code,
                                  first=item_refs[full]))
            continue
        item = ScoreItem(stt, text, maximum, score, note, _refs(table, row),
                         score_unreadable=score is None and score_cell is not None)
        parent: ScoreItem | None = None
        if is_sub:
            parent = last_numbered
        else:
            pieces = stt.split(".")
            for n in range(len(pieces) - 1, 0, -1):
                parent = items.get(".".join(pieces[:n]))
                if parent is not None:
                    break
            last_numbered = item
        (parent.children if parent else current.items).append(item)
        items[full] = item
        item_refs[full] = ref
    return parts


def _refs(table: Table, row: Row) -> dict[str, str]:
    return {key: f"{letter}{row.number}" for key, letter in table.columns.items()}


_ARRANGEMENT_MAXIMA = {"ke_hoach": contract.MAX_METRES, "da_chinh_ly": contract.MAX_METRES,
                       "kp_tinh": contract.MAX_MONEY, "kp_don_vi": contract.MAX_MONEY,
                       "nop_luu": contract.MAX_METRES, "ton_dong": contract.MAX_METRES}


def _parse_arrangement(table: Table, rd: Reader) -> list[ArrangementRow]:
    sheet = table.sheet
    out: list[ArrangementRow] = []
    for row in table.rows:
        ycell = row.get("nam")
        numbers = {k: rd.number(sheet, row.get(k), maximum=_ARRANGEMENT_MAXIMA[k])
                   for k in _ARRANGEMENT_MAXIMA}
        note = rd.text(sheet, row.get("ghi_chu"))
        if ycell is None:
            if any(v is not None for v in numbers.values()):
                anchor = next(iter(row.cells.values()))
                rd.issues.append(make("E215", sheet=sheet,
                                      cell=f"{table.columns['nam']}{row.number}",
                                      value=_clip(str(anchor.value), 40), missing="\"Năm\""))
            continue
        year = rd.integer(sheet, ycell)
        if year is None:
            continue
        if not 1900 <= year <= 2100:
            rd.issues.append(make("E207", sheet=sheet, cell=ycell.ref, value=year, low=1900,
                                  high=2100))
            continue
        out.append(ArrangementRow(year, numbers["ke_hoach"], numbers["da_chinh_ly"],
                                  numbers["kp_tinh"], numbers["kp_don_vi"], numbers["nop_luu"],
                                  numbers["ton_dong"], note, _refs(table, row)))
    return out


def _parse_paragraphs(table: Table, rd: Reader) -> dict[str, list[str]]:
    sheet = table.sheet
    out: dict[str, list[str]] = {}
    expected = ", ".join(label for _, label in contract.SECTIONS)
    for row in table.rows:
        mcell = row.get("muc")
        muc = rd.text(sheet, mcell)
        text = rd.text(sheet, row.get("noi_dung"))
        if not text:
            continue
        key = SECTIONS.get(fold(muc)) if muc else None
        if key is None:
            ref = mcell.ref if mcell else f"{table.columns['muc']}{row.number}"
            rd.issues.append(make("E212", sheet=sheet, cell=ref, value=muc, expected=expected))
            continue
        # A cell holding several lines gives one paragraph per line.
        out.setdefault(key, []).extend(line.strip() for line in text.split("\n") if line.strip())
    return out
