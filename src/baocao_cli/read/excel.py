"""Excel's conventions as openpyxl 3.1 reads them (MIT licence): A1 references, built-in
number formats and which of them are dates, date serials in the 1900 and 1904 systems,
ISO dates of `t="d"` cells.

Restated so that reading a workbook (`xlsx.py`, `registers_read.py`) imports no openpyxl
module: any of them imports the whole package, a few hundred ms. tests/test_xlsx.py
compares every function here with openpyxl's own.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

WINDOWS_EPOCH = dt.datetime(1899, 12, 30)
MAC_EPOCH = dt.datetime(1904, 1, 1)


def cell_range(ref: str) -> tuple[int, int, int, int]:
    m = _RANGE.match(ref)
    if not m:
        raise ValueError(f"{ref} is not a valid range of cells")
    c1, r1, c2, r2 = m.groups()
    c2, r2 = c2 or c1, r2 or r1
    bounds = (int(r1), column_index(c1), int(r2), column_index(c2))
    if bounds[0] > bounds[2] or bounds[1] > bounds[3]:
        raise ValueError(f"{ref} is not a valid range")
    return bounds


_RANGE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?$")
_DIGITS = frozenset("0123456789")


@lru_cache(maxsize=65536)
def coordinate(ref: str) -> tuple[int, int]:
    """(row, column) of an A1 reference, as openpyxl's coordinate_to_tuple reads it."""
    idx = 0
    for idx, ch in enumerate(ref):  # noqa: B007 - the index is the split point
        if ch in _DIGITS:
            break
    return int(ref[idx:]), column_index(ref[:idx])


@lru_cache(maxsize=4096)
def column_index(col: str) -> int:
    """As openpyxl: letters to a 1-based column, A to ZZZ."""
    error = f"'{col}' is not a valid column name. Column names are from A to ZZZ"
    if len(col) > 3:
        raise ValueError(error)
    idx = 0
    for letter, power in zip(reversed(col.upper()), (1, 26, 676), strict=False):
        if not "A" <= letter <= "Z":
            raise ValueError(error)
        idx += (ord(letter) - 64) * power
    if not 0 < idx < 18279:
        raise ValueError(error)
    return idx


@lru_cache(maxsize=4096)
def get_column_letter(idx: int) -> str:
    """As openpyxl: a 1-based column as letters."""
    if not 1 <= idx <= 18278:
        raise ValueError(f"Invalid column index {idx}")
    letters = ""
    while idx:
        idx, rem = divmod(idx - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# ---------------------------------------------------------------- as openpyxl: numbers, dates

BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00",
    5: '"$"#,##0_);("$"#,##0)', 6: '"$"#,##0_);[Red]("$"#,##0)',
    7: '"$"#,##0.00_);("$"#,##0.00)', 8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??",
    14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm",
    37: "#,##0_);(#,##0)", 38: "#,##0_);[Red](#,##0)", 39: "#,##0.00_);(#,##0.00)",
    40: "#,##0.00_);[Red](#,##0.00)",
    41: r'_(* #,##0_);_(* \(#,##0\);_(* "-"_);_(@_)',
    42: r'_("$"* #,##0_);_("$"* \(#,##0\);_("$"* "-"_);_(@_)',
    43: r'_(* #,##0.00_);_(* \(#,##0.00\);_(* "-"??_);_(@_)',
    44: r'_("$"* #,##0.00_)_("$"* \(#,##0.00\)_("$"* "-"??_)_(@_)',
    45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}
_STRIP = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_CHAR = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_TIMEDELTA = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)


def is_date_format(fmt: str | None) -> bool:
    if fmt is None:
        return False
    return _DATE_CHAR.search(_STRIP.sub("", fmt.split(";")[0])) is not None


def is_timedelta_format(fmt: str | None) -> bool:
    if fmt is None:
        return False
    return _TIMEDELTA.search(fmt.split(";")[0]) is not None


def from_excel(value: float, epoch: dt.datetime = WINDOWS_EPOCH, timedelta: bool = False
               ) -> dt.datetime | dt.time | dt.timedelta:
    """An Excel serial as a datetime (a time below 1 day; a timedelta for [h]:mm formats)."""
    if timedelta:
        td = dt.timedelta(days=value)
        if td.microseconds:  # to the millisecond
            td = dt.timedelta(seconds=td.total_seconds() // 1,
                              microseconds=round(td.microseconds, -3))
        return td
    day, fraction = divmod(value, 1)
    diff = dt.timedelta(milliseconds=round(fraction * 86400 * 1000))
    if 0 <= value < 1 and diff.days == 0:
        mins, seconds = divmod(diff.seconds, 60)
        hours, mins = divmod(mins, 60)
        return dt.time(hours, mins, seconds, diff.microseconds)
    if 0 < value < 60 and epoch == WINDOWS_EPOCH:
        day += 1  # Excel's phantom 29 February 1900
    return epoch + dt.timedelta(days=day) + diff


_ISO = re.compile(r"""
(?P<date>(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2}))?T?
(?P<time>(?P<hour>\d{2}):(?P<minute>\d{2})(:(?P<second>\d{2})(?P<microsecond>\.\d{1,3})?)?)?Z?""",
                  re.VERBOSE)
_ISO_DURATION = re.compile(
    r"PT((?P<hours>\d+)H)?((?P<minutes>\d+)M)?((?P<seconds>\d+(\.\d{1,3})?)S)?")


def from_ISO8601(text: str) -> Any:  # openpyxl's name
    """A `t="d"` cell: date, time, datetime or (strict OOXML) duration."""
    if not text:
        return None
    match = _ISO.match(text)
    if match and any(match.groups()):
        parts: dict[str, Any] = match.groupdict(0)
        for key in ("year", "month", "day", "hour", "minute", "second"):
            if parts[key]:
                parts[key] = int(parts[key])
        if parts["microsecond"]:
            parts["microsecond"] = int(float(parts["microsecond"]) * 1_000_000)
        if not parts["date"]:
            return dt.time(parts["hour"], parts["minute"], parts["second"],
                           parts["microsecond"])
        if not parts["time"]:
            return dt.date(parts["year"], parts["month"], parts["day"])
        del parts["time"], parts["date"]
        return dt.datetime(**parts)
    match = _ISO_DURATION.match(text)
    if match and any(match.groups()):
        found = {k: float(v) if v else v for k, v in match.groupdict(0).items()}
        return dt.timedelta(**found)
    raise ValueError(f"Invalid datetime value {text}")


def typed_text(t: str, value: str) -> tuple[str, Any]:
    """A `<v>` of a type other than number, shared string or inline string, as openpyxl
    types it: `str` is text, `b` a boolean, `d` an ISO date; any other type (`e`, an
    error) keeps its text. Both sheet readers use it."""
    if t == "str":
        return "s", value
    if t == "b":
        return t, bool(int(value))
    if t == "d":
        return t, from_ISO8601(value)
    return t, value
