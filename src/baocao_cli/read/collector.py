"""The cyclic garbage collector held off while many small objects are made at once.

Reading a province's files or joining its tables makes hundreds of thousands of tuples,
dicts and frames, none of them in a cycle; every 700 of them the collector runs, and
every few runs it walks everything alive, so the walks grew with the data: a third of
the time of reading last year's summary of 5,000 units (measured with gc.disable in
benchmarks/bench_summary.py's files). Whatever is left in a cycle is collected when the
block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

_T = TypeVar("_T")


@contextmanager
def paused() -> Iterator[None]:
    """No automatic collection inside the block; nested blocks are fine."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def call_paused(work: Callable[..., _T], *args: object) -> _T:
    """`work(*args)` inside `paused()`: for a worker process's task."""
    with paused():
        return work(*args)
