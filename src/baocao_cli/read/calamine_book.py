"""Sheets of an .ods or .xls read with python-calamine, as the .xlsx reader gives them.

The values come from calamine, in a process of its own (`calamine_child.py`); what it does
not give (hidden rows, error cells, formulas never calculated, merged ranges of an .ods)
and the size checks come from the shape readers (`ods.py`, `xls.py`), which run first.
Each sheet becomes an `xlsx.Sheet` with the same A1 positions and the same types as the
.xlsx of the same workbook (whole numbers as int, dates as datetime), so `book.py` and the
register reader treat it as they treat an .xlsx, and the same cell gives the same issue.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

from . import ods, xls
from .shapes import MAX_COLUMNS, MAX_ROWS, Shape, check_extent
from .xlsx import Sheet, blank_merged

TIME_LIMIT = 120  # seconds for calamine to read one workbook
_STATES = {"Visible": "visible", "Hidden": "hidden", "VeryHidden": "veryHidden"}
_cache: dict[tuple[str, int, int], list[Sheet]] = {}  # the last workbook read


class ReaderFailed(Exception):
    """calamine refused the file (its reason in English) or its process died."""


def read(path: Path, kind: str) -> list[Sheet]:
    """Every worksheet of the .ods or .xls at `path`, in workbook order.

    Raises shapes.TooLarge, xls.Encrypted, ReaderFailed, or ValueError/KeyError/ParseError
    for a container or XML the shape readers find damaged. The last result is kept, for
    the register reader asks for the same file right after the workbook reader.
    """
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key in _cache:
        return _cache[key]
    shapes = ods.shapes(path) if kind == "ods" else xls.shapes(xls.stream(path)[1])
    check_extent(shapes)
    got = _run(path)
    sheets = []
    by_name = {s.name: s for s in shapes} if kind == "ods" else {}
    same_order = len(shapes) == len(got["sheets"])
    for i, (name, visible, typ) in enumerate(got["sheets"]):
        values = got["values"][i]
        if typ != "WorkSheet" or values is None:
            continue
        # an .xls sheet's shape by its place (the same BOUNDSHEET order), an .ods one by name
        shape = by_name.get(name) or (shapes[i] if same_order and not by_name else Shape(name))
        state = _STATES.get(visible, "hidden")
        if kind == "xls" and shape.state != "visible":
            state = shape.state
        sheets.append(_sheet(name, state, values, shape))
    _cache.clear()
    _cache[key] = sheets
    return sheets


def _run(path: Path) -> dict[str, Any]:
    """calamine's reading of `path`, from a child process (see calamine_child)."""
    roots = {str(Path(__file__).resolve().parents[2])}
    spec = importlib.util.find_spec("python_calamine")
    if spec is not None and spec.submodule_search_locations:
        roots.add(str(Path(next(iter(spec.submodule_search_locations))).parent))
    code = ("import sys; sys.path[:0] = sys.argv[2:]; "
            "from baocao_cli.read.calamine_child import main; main()")
    try:
        done = subprocess.run([sys.executable, "-S", "-c", code, str(path), *sorted(roots)],
                              capture_output=True, timeout=TIME_LIMIT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise ReaderFailed("timeout") from None
    except OSError as exc:
        raise ReaderFailed(str(exc)) from None
    if done.returncode != 0 or not done.stdout:
        raise ReaderFailed(f"exit {done.returncode}")
    try:
        got = _Unpickler(io.BytesIO(done.stdout)).load()
    except Exception as exc:  # the child's output is checked, not trusted
        raise ReaderFailed("unreadable output") from exc
    if not isinstance(got, dict) or "error" in got:
        raise ReaderFailed(str(got.get("detail", "")) if isinstance(got, dict) else "")
    return got


class _Unpickler(pickle.Unpickler):
    """Plain values and dates only: the child read an untrusted file."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in ("datetime", "date", "time", "timedelta"):
            return getattr(dt, name)
        raise pickle.UnpicklingError(f"{module}.{name} refused")


def _value(v: Any) -> tuple[Any, str] | None:
    """calamine's value typed as the .xlsx reader types the same cell; None when empty."""
    if isinstance(v, str):
        return (v, "s") if v else None
    if isinstance(v, bool):
        return v, "b"
    if isinstance(v, float):
        # Every number of an .ods and most of an .xls come as float; an .xlsx writes 5,
        # not 5.0, for a whole number and its reader gives an int (see `_sheet` too).
        return (int(v), "n") if v.is_integer() and abs(v) < 2 ** 53 else (v, "n")
    if isinstance(v, int):
        return v, "n"
    if isinstance(v, dt.datetime):
        return v, "d"
    if isinstance(v, dt.date):
        return dt.datetime.combine(v, dt.time()), "d"  # a date cell reads as a datetime
    if isinstance(v, dt.time | dt.timedelta):
        return v, "d"
    return None


def _sheet(name: str, state: str, values: list[list[Any]], shape: Shape) -> Sheet:
    sheet = Sheet(name, state)
    rows = sheet.rows
    big = float(2 ** 53)
    for r, line in enumerate(values[:MAX_ROWS], start=1):
        cells: dict[int, tuple[Any, str, str | None]] = {}
        for c, v in enumerate(line[:MAX_COLUMNS], start=1):  # the shape readers refuse more
            kind = v.__class__
            if kind is str:  # the usual cells first: a register has hundreds of thousands
                if v:
                    cells[c] = (v, "s", None)
            elif kind is float:
                cells[c] = (int(v), "n", None) if v.is_integer() and -big < v < big \
                    else (v, "n", None)
            elif (typed := _value(v)) is not None:
                cells[c] = (typed[0], typed[1], None)
        if cells:
            rows[r] = cells
    for (r, c), text in shape.errors.items():
        rows.setdefault(r, {})[c] = (text, "e", None)
    for (r, c), formula in shape.formulas.items():
        if c not in rows.get(r, {}):
            rows.setdefault(r, {})[c] = (None, "n", formula)
    blank_merged(rows, shape.merged, sheet.title)
    sheet.merged = list(shape.merged)
    sheet.hidden = dict.fromkeys(shape.hidden, True)
    sheet.max_row = max([max(rows, default=1), *(m[2] for m in sheet.merged)])
    sheet.max_column = max([max((max(cells) for cells in rows.values() if cells), default=1),
                            *(m[3] for m in sheet.merged)])
    return sheet
