"""python-calamine run on one workbook in a process of its own, its values sent back pickled.

calamine is Rust: a failed allocation or a stack overflow there aborts the whole process,
which no `except` catches. The shape checks (`ods.py`, `xls.py`) refuse every case known
to do it; this process is for the ones not known, so that a batch never loses a worker and
a clerk never sees the program vanish. Nothing but the standard library and calamine is
imported here: the process starts in a few tens of milliseconds.
"""

from __future__ import annotations

import pickle
import sys

MEMORY_LIMIT = 3 << 30  # bytes of address space: calamine fails inside it, not the machine


def read(path: str) -> dict:
    import python_calamine

    out: dict = {"sheets": [], "values": []}
    with python_calamine.load_workbook(path) as wb:
        for i, meta in enumerate(wb.sheets_metadata):
            out["sheets"].append((meta.name, str(meta.visible).rpartition(".")[2],
                                  str(meta.typ).rpartition(".")[2]))
            try:
                values = wb.get_sheet_by_index(i).to_python(skip_empty_area=False)
            except python_calamine.CalamineError:
                values = None  # a chart sheet, a macro sheet: no cells
            out["values"].append(values)
    return out


def main() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):  # Windows has no such limit
        pass
    try:
        result: object = read(sys.argv[1])
    except BaseException as exc:
        result = {"error": type(exc).__name__, "detail": str(exc)[:500]}
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main()
