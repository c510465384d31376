"""`baocao batch`: many units' workbooks → one report each, then the consolidated summary.

No printing here: the caller gets each unit's result through `on_result` as it arrives
and the whole run as a `BatchResult`. Each unit is checked and built in a worker process
(or in-process with `jobs=1`); a worker returns a `UnitResult`, a few hundred bytes,
never the parsed model, so the parent's memory does not grow with the number of units.

Output names come from the input files' stems only (never from cell values), sanitised,
and made unique case-insensitively in sorted input order: the first `bao-cao.xlsx` gives
`bao-cao.docx`, the next `bao-cao-2.docx`, and so on. The names of the summary files
(`tong-hop`) are reserved, so a unit called `tong-hop.xlsx` becomes `tong-hop-2.docx`.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .errors import BaocaoError
from .files import check_clash, os_error_text, real_path, shown, temp_prefix
from .issues import Issue
from .model import Info, Report
from .read.collector import call_paused, paused
from .read.inputs import collect, sort_key
from .score.compute import Scores
from .score.rules import Rules
from .summary.results import UnitResult

if TYPE_CHECKING:
    from .render.pdf import Conversions, PdfError
    from .summary.sources import Sources

SUMMARY_STEM = "tong-hop"
_T = TypeVar("_T")
MAX_ERRORS_KEPT = 10  # errors a unit carries back for the failure list
MAX_NAME_BYTES = 180  # well below the 255-byte limit of common file systems
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)


@dataclass
class BatchResult:
    units: list[UnitResult]
    outdir: Path
    elapsed: float
    jobs: int
    summary_xlsx: Path | None = None
    summary_docx: Path | None = None
    empty_folders: list[Path] = field(default_factory=list)
    summary_warnings: list[str] = field(default_factory=list)  # what the summary left out
    summary_errors: list[str] = field(default_factory=list)  # roster / review problems
    summary_lines: list[str] = field(default_factory=list)  # the year's figures, for people
    summary_pdf: Path | None = None  # tong-hop.pdf, with --pdf
    summary_pdf_error: str = ""  # why tong-hop.pdf could not be made

    @property
    def built(self) -> list[UnitResult]:
        return [u for u in self.units if u.ok]

    @property
    def failed(self) -> list[UnitResult]:
        return [u for u in self.units if not u.ok]

    @property
    def n_warnings(self) -> int:
        return sum(u.n_warnings for u in self.units)

    @property
    def pdf_failed(self) -> list[UnitResult]:
        return [u for u in self.units if u.pdf_error]


@dataclass(frozen=True)
class Task:
    index: int
    source: Path
    output: Path


# ---------------------------------------------------------------- inputs and names


def safe_stem(stem: str) -> str:
    """A file-name stem that is safe on Linux, macOS and Windows, and stays inside OUTDIR."""
    # A name that is not UTF-8 (unzipped from a Windows archive) reaches us with its bytes
    # as surrogates: they become U+FFFD, which every file system and document can hold.
    name = stem.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE.sub("_", name).strip().strip(".").strip()
    if not name or set(name) <= {"_", "."}:
        name = "bao-cao"
    if _WINDOWS_RESERVED.match(name):
        name = "_" + name
    encoded = name.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        name = encoded[:MAX_NAME_BYTES].decode("utf-8", errors="ignore").rstrip(". ")
    return name


def output_names(files: list[Path]) -> list[str]:
    """`<stem>.docx` for each file, unique without regard to case, in the given order."""
    used = {SUMMARY_STEM.casefold()}
    names: list[str] = []
    for path in files:
        base = safe_stem(path.stem)
        candidate, n = base, 2
        while candidate.casefold() in used:
            candidate, n = f"{base}-{n}", n + 1
        used.add(candidate.casefold())
        names.append(f"{candidate}.docx")
    return names


def plan(files: list[Path], outdir: Path) -> list[Task]:
    tasks = []
    folders: dict[str, str] = {}
    root = real_path(outdir, folders)
    for i, (path, name) in enumerate(zip(files, output_names(files), strict=True)):
        out = outdir / name
        # cannot happen after safe_stem; never trust it
        if os.path.dirname(real_path(out, folders)) != root:
            raise ValueError(f"tên tệp kết quả không an toàn: {name!r}")
        tasks.append(Task(i, path, out))
    return tasks


# ---------------------------------------------------------------- one unit


_RULES: Rules | None = None
_TEMPLATE: bytes | None = None


_BUSY = False  # a worker is building a unit: a SIGTERM unwinds it rather than killing it


class _Terminated(BaseException):
    """Raised in a busy worker by SIGTERM so that every `finally` runs: the temporary
    file is removed, LibreOffice is killed, its folder deleted. Not an `Exception`, so
    `build_unit`'s catch-all lets it through."""


_CLEANING = False  # …and once it unwinds, a repeated SIGTERM must not cut that short


def _on_sigterm(signum: int, frame: object) -> None:
    global _CLEANING
    if _CLEANING:
        return  # the executor repeats SIGTERM to every worker once one has died
    if _BUSY:
        _CLEANING = True
        raise _Terminated
    os._exit(128 + signum)  # idle: nothing to clean


def _init_worker(rules: Rules, template: bytes) -> None:
    """Runs once in each worker: the rules and the template stay loaded for every unit.

    Ctrl-C reaches the whole process group: workers ignore it and let the parent decide,
    which stops them with SIGTERM.
    """
    global _RULES, _TEMPLATE
    _RULES, _TEMPLATE = rules, template
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_sigterm)
    if hasattr(signal, "pthread_sigmask"):  # held while forking: see `_signals_held`
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)


def _summarise(task: Task, report: Report | None, issues: list[Issue], output: str | None,
               scores: Scores | None = None, extra_errors: list[str] | None = None
               ) -> UnitResult:
    errors = [i for i in issues if i.is_error]
    messages = [i.message for i in errors][:MAX_ERRORS_KEPT]
    codes = [i.code for i in errors][:MAX_ERRORS_KEPT]
    for msg in extra_errors or []:
        messages.append(msg)
        codes.append("")
    info = report.info if report is not None else Info()
    documents: dict[str, int] = {}
    planned = done = Decimal(0)
    if report is not None:
        for d in report.documents:
            documents[d.group] = documents.get(d.group, 0) + d.count
        for r in report.arrangement:
            planned += r.planned or 0
            done += r.done or 0
    return UnitResult(
        index=task.index, source=shown(task.source), output=output,
        co_quan=info.co_quan, ten_co_quan=info.ten_co_quan, ky_hieu=info.ky_hieu,
        nam=info.nam,
        parts=tuple((p.code, p.score) for p in scores.parts) if scores is not None else (),
        total=scores.total if scores is not None else None,
        rating=scores.rating if scores is not None else None,
        n_errors=len(errors) + len(extra_errors or []),
        n_warnings=len(issues) - len(errors),
        errors=tuple(messages), error_codes=tuple(codes),
        documents=tuple(documents.items()),
        metres_planned=planned, metres_done=done,
    )


def build_unit(task: Task, rules: Rules, template: bytes) -> UnitResult:
    """Check one workbook and, when it has no errors, write its report; never raises.

    The PDFs are made afterwards for all units at once (`_write_pdfs`): a LibreOffice
    start costs ten conversions.
    """
    from .api import check
    from .render.report import render_docx, write_docx
    from .render.sandbox import TemplateError

    report = None
    issues: list[Issue] = []
    try:
        checked = check(task.source, rules)
        report, issues = checked.report, checked.issues
        if not checked.ok or report is None or checked.scores is None:
            return _summarise(task, report, issues, None)
        blob = render_docx(report, checked.scores, rules, template)
        write_docx(task.output, blob)
        return _summarise(task, report, issues, task.output.name, checked.scores)
    except TemplateError as exc:
        return _summarise(task, report, issues, None, extra_errors=[str(exc)])
    except OSError as exc:
        return _summarise(task, report, issues, None, extra_errors=[
            os_error_text(exc, task.output.name)])
    except Exception as exc:  # one unit's surprise must not stop the others
        return _summarise(task, report, issues, None, extra_errors=[
            f"lỗi không lường trước khi xử lý tệp ({type(exc).__name__}: {exc})."])


def _warm(template: bytes) -> None:
    """Import the rendering libraries and prepare the template before the workers start:
    forked workers inherit both instead of each repeating the work (a few tenths of a
    second of CPU per worker, worth twenty reports). Elsewhere it does no harm."""
    from contextlib import suppress

    from . import api  # noqa: F401  (the checking modules)
    from .render.fill import prepared
    from .render.report import VOCABULARY
    from .render.sandbox import TemplateError, renderer

    with suppress(TemplateError):  # every unit reports it, as when a worker prepares it
        prepared(template, renderer(), VOCABULARY)


def _pool(workers: int, rules: Rules, template: bytes) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                               initargs=(rules, template))


class _Preload(threading.Thread):
    """What only the summary needs, loaded in the parent while the workers build the
    units, instead of after them: pandas (0.7 s), the writers' libraries, the chart's
    fonts and the consolidated report's template, prepared and checked. The summary's
    worker is forked once it is done and inherits all of it. Started only after the
    units' workers are forked (a fork copies no thread, but would copy a held import
    lock). Any failure here is left for the summary itself to meet and report."""

    def __init__(self, template: bytes | None) -> None:
        super().__init__(name="baocao-preload", daemon=True)
        self.template = template

    def run(self) -> None:
        with suppress(Exception):
            from .render.fill import prepared
            from .render.sandbox import renderer
            from .summary import tables, workbook  # noqa: F401  (pandas, the .xlsx writer)
            from .summary.chart import find_fonts
            from .summary.document import VOCABULARY, default_template

            find_fonts()
            prepared(self.template or default_template(), renderer(), VOCABULARY)


def _work(task: Task) -> UnitResult:
    assert _RULES is not None and _TEMPLATE is not None, "worker not initialised"
    return _busy(build_unit, task, _RULES, _TEMPLATE)


# The summary file a forked worker writes, with its arguments: set just before the fork,
# so that the worker has them without their being pickled (`_Summaries.start`).
_FORKED: tuple[Callable[..., object], tuple[object, ...]] | None = None


def _forked_work() -> object:
    """A summary file written in a worker, stoppable by SIGTERM like a unit."""
    assert _FORKED is not None, "not a forked summary worker"
    write, args = _FORKED
    return _busy(write, *args)


def _busy(work: Callable[..., _T], *args: object) -> _T:
    """Run `work` in a worker; a SIGTERM meanwhile unwinds it (every `finally` runs, a
    repeated SIGTERM is ignored meanwhile) and then ends the process."""
    global _BUSY
    _BUSY = True
    try:
        return work(*args)
    except _Terminated:
        os._exit(128 + signal.SIGTERM)  # cleaned up on the way here
    finally:
        _BUSY = False


def _crashed(task: Task, exc: BaseException) -> UnitResult:
    return _summarise(task, None, [], None, extra_errors=[
        f"tiến trình xử lý tệp bị dừng bất thường ({type(exc).__name__}: {exc})."])


# ---------------------------------------------------------------- the run


def default_jobs() -> int:
    """The cores this process may use: `--jobs`'s default for the LibreOffices of the
    PDFs, which are busy on the CPU all the time."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def default_workers() -> int:
    """`--jobs`'s default for building the units: one more than the cores. A worker waits
    on the disk for part of each unit (its report created, written and synced): with two
    workers the two cores stood idle a tenth of the time, with three 4 %; 1,000 units,
    five alternated runs each: 6,13–6,99 s against 6,24–7,40 s. One core: in-process."""
    cores = default_jobs()
    return cores + 1 if cores > 1 else 1


def run_batch(
    inputs: Iterable[Path],
    outdir: Path,
    *,
    rules: Rules | None = None,
    template: bytes | None = None,
    jobs: int | None = None,
    info: tuple[Info, list[str]] | None = None,
    pdf: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[UnitResult], None] | None = None,
    write_summary: bool = True,
    on_pdf: Callable[[int, int], None] | None = None,
    protect: Iterable[tuple[Path | None, str]] = (),
    sources: Sources | None = None,
    template_tong_hop: bytes | None = None,
    plan: Plan | None = None,
) -> BatchResult:
    """Build every unit found in `inputs` into `outdir`, then the summary files.

    `info` is the header/signature of the consolidated report and its recipients (see
    `read_info`). `on_start` gets the number of units before work begins; `on_result`
    each unit's result as it completes (in completion order). The returned units are
    in input order. `protect` are the other files the run reads (the rules, the template,
    the `--info` workbook…): like the workbooks, none may be among the outputs
    (`files.PathClash`, raised before anything is written). Ctrl-C raises `Interrupted`.
    `sources` are the roster, last year's summary and the review for the
    summary (summary/sources.py); those files are never taken for units. `plan` is what
    `check_outputs` returned for the same arguments, used instead of looking again.
    `jobs` is the number of worker processes (`default_workers()` when None) and, with
    `pdf`, of LibreOffices (`default_jobs()` when None), which then convert the reports
    and tong-hop.docx (`_Pdfs`); `on_pdf(done, total)` follows that step.
    """
    from .render.report import default_template
    from .score.rules import load_rules

    started = time.perf_counter()
    rules = rules or load_rules()
    template = template if template is not None else default_template()
    inputs, protect = list(inputs), list(protect)
    if plan is not None and _still(plan, inputs, outdir, pdf, protect, sources):
        files, empty, tasks = list(plan.files), list(plan.empty), list(plan.tasks)
    else:
        files, empty, tasks = _planned(inputs, outdir, pdf, protect, sources)
    if files:
        outdir.mkdir(parents=True, exist_ok=True)
    offices = max(1, jobs if jobs is not None else default_jobs())  # for the PDFs
    jobs = max(1, jobs if jobs is not None else default_workers())
    jobs = min(jobs, max(1, len(tasks)))
    if on_start is not None:
        on_start(len(tasks))
    results: list[UnitResult | None] = [None] * len(tasks)

    def done(result: UnitResult) -> None:
        results[result.index] = result
        if on_result is not None:
            on_result(result)

    pool: ProcessPoolExecutor | None = None
    writers: _Summaries | None = None
    summaries = False  # written: a stop during the PDFs leaves them
    pdfs = _Pdfs(offices, on_pdf) if pdf else None
    finals = (outdir / f"{SUMMARY_STEM}.xlsx", outdir / f"{SUMMARY_STEM}.docx")
    marks: dict[Path, tuple[int, int, int] | None] = {}  # the summaries before this run's
    try:
        if jobs == 1:
            for task in tasks:
                done(build_unit(task, rules, template))
        else:
            _warm(template)
            preload = _Preload(template_tong_hop) if write_summary else None
            with _signals_held():  # a worker starts with Ctrl-C ignored, never half-set
                pool = _pool(jobs, rules, template)
                futures: dict[Future[UnitResult], Task] = {pool.submit(_work, t): t
                                                           for t in tasks}
            if preload is not None:  # every worker is forked: a thread is safe now
                preload.start()
            for fut in as_completed(futures):
                try:
                    result = fut.result()
                except BaseException as exc:  # a worker killed (memory, signal)
                    result = _crashed(futures[fut], exc)
                done(result)
            futures.clear()
            pool.shutdown()
            pool = None
            if preload is not None:
                preload.join()
        units = [r for r in results if r is not None]
        batch = BatchResult(units, outdir, 0.0, jobs, empty_folders=empty)
        if write_summary and units:
            marks = {p: _mark(p) for p in finals}
            writers = _Summaries(batch, rules, info, template_tong_hop, sources)
            writers.start(fork=jobs > 1)  # the tables; tong-hop.xlsx's worker forked
            writers.finish()  # tong-hop.docx here
        summaries = writers is not None
        if pdfs is not None:  # the reports and tong-hop.docx, shared by the LibreOffices
            pdfs.start(batch)
            pdfs.finish(batch)
    except BaseException as exc:
        if pdfs is not None:  # every LibreOffice stopped, its temporary folder removed
            pdfs.stop()
        for running in (pool, writers.pool if writers is not None else None):
            if running is not None:
                _stop(running)
        pool = None
        if writers is not None:
            writers.pool = None
        _sweep(outdir, tasks)
        if isinstance(exc, KeyboardInterrupt):
            finished = [r for r in results if r is not None]
            # A writer may have finished its file just before the stop reached it: say so.
            written = tuple(p for p in finals if p in marks and _mark(p) not in (None,
                                                                                   marks[p]))
            raise Interrupted(finished, len(tasks), outdir,
                              summaries or len(written) == len(finals), written) from None
        raise
    finally:
        if pool is not None:
            pool.shutdown()
    batch.elapsed = time.perf_counter() - started
    return batch


class Interrupted(KeyboardInterrupt):
    """The run was stopped (Ctrl-C, or SIGTERM turned into it by the command): the units
    finished before it, how many there were, and where they went. No summary is written;
    no worker, LibreOffice or temporary file is left."""

    def __init__(self, units: list[UnitResult], total: int, outdir: Path,
                 summaries: bool = False, written: tuple[Path, ...] = ()) -> None:
        super().__init__(f"{len(units)}/{total}")
        self.units, self.total, self.outdir = units, total, outdir
        self.summaries = summaries  # both summary files are this run's, complete
        self.written = written  # the summary files this run wrote (one, when stopped between)


def _mark(path: Path) -> tuple[int, int, int] | None:
    """What tells a file written now from the one that was there (a rename: a new inode)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_mtime_ns


_HELD = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def _signals_held() -> Iterator[None]:
    """Block Ctrl-C and SIGTERM in this thread while workers are forked: each inherits the
    block and lifts it once its handlers are set (`_init_worker`). In the parent the
    signal is only held until the block ends, then handled as usual."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _stop(pool: ProcessPoolExecutor, grace: float = 1.5) -> None:
    """End every worker now: SIGTERM (they clean up and exit), SIGKILL after `grace`.

    `shutdown(cancel_futures=True)` would wait for the running units to finish; the
    executor has no public handle on its processes, so CPython's `_processes` is used.
    """
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for proc in procs:
        with suppress(OSError, ValueError):
            proc.terminate()
    deadline = time.monotonic() + grace
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
    for proc in procs:
        if proc.is_alive():
            with suppress(OSError, ValueError):
                proc.kill()
            proc.join(1)
    # Every worker is gone, so waiting is short; not waiting lets the interpreter's exit
    # hook write to the executor's closed wake-up pipe (a traceback at exit).
    pool.shutdown(wait=True, cancel_futures=True)


def _sweep(outdir: Path, tasks: list[Task]) -> None:
    """Remove what a worker killed in mid-write could have left: the temporary siblings
    (`write_atomic`'s names) of this run's outputs, and nothing else."""
    targets = [t.output for t in tasks] + [t.output.with_suffix(".pdf") for t in tasks]
    targets += [outdir / f"{SUMMARY_STEM}.xlsx", outdir / f"{SUMMARY_STEM}.docx",
                outdir / f"{SUMMARY_STEM}.pdf"]
    prefixes = {temp_prefix(p) for p in targets}
    try:
        names = os.listdir(outdir)
    except OSError:
        return
    for name in names:
        if name.endswith(".tmp") and any(name.startswith(pre) and
                                         len(name) == len(pre) + 8 + len(".tmp")
                                         for pre in prefixes):
            with suppress(OSError):
                os.unlink(outdir / name)


def _planned(inputs: Iterable[Path], outdir: Path, pdf: bool,
             protect: Iterable[tuple[Path | None, str]], sources: Sources | None = None
             ) -> tuple[list[Path], list[Path], list[Task]]:
    """The units found, the empty folders and the tasks; PathClash if an output would
    replace any input (the workbooks, a file in `protect`, the summary's sources). The
    sources' own files (a roster inside the folder of units) are never taken for units."""
    files, empty = collect(inputs, outdir)
    if sources is not None and sources.paths:
        own = {p.resolve() for p in sources.paths}
        files = [f for f in files if f.resolve() not in own]
        protect = [*protect, *((p, "tệp nguồn của bảng tổng hợp") for p in sources.paths)]
    files.sort(key=sort_key)
    tasks = plan(files, outdir)
    check_clash(_writes(tasks, outdir, pdf),
                [(p, "sổ Excel đầu vào") for p in files] + list(protect))
    return files, empty, tasks


@dataclass(frozen=True)
class Plan:
    """What `check_outputs` found, handed to `run_batch` with the same arguments so that a
    batch of a thousand units is not looked for and checked twice (0.17 s each)."""

    key: tuple[object, ...]
    files: tuple[Path, ...]
    empty: tuple[Path, ...]
    tasks: tuple[Task, ...]


def _plan_key(inputs: list[Path], outdir: Path, pdf: bool,
              protect: list[tuple[Path | None, str]]) -> tuple[object, ...]:
    return (tuple(map(os.fspath, inputs)), os.fspath(outdir), pdf,
            tuple((os.fspath(p) if p is not None else None, what) for p, what in protect))


def _still(plan: Plan, inputs: list[Path], outdir: Path, pdf: bool,
           protect: list[tuple[Path | None, str]], sources: Sources | None) -> bool:
    """Whether `plan` is what `_planned` would find for these arguments: made with the
    same ones, the summary's sources among the files it protected, none of them taken
    for a unit."""
    if plan.key != _plan_key(inputs, outdir, pdf, protect):
        return False
    if sources is None or not sources.paths:
        return True
    protected = {real_path(p) for p, _ in protect if p is not None}
    own = {real_path(p) for p in sources.paths}
    folders: dict[str, str] = {}
    return own <= protected and not any(real_path(f, folders) in own for f in plan.files)


def check_outputs(inputs: Iterable[Path], outdir: Path, *, pdf: bool = False,
                  protect: Iterable[tuple[Path | None, str]] = (),
                  sources: Sources | None = None) -> Plan:
    """Raise `files.PathClash` when `run_batch` with these arguments would write over one
    of its inputs; a caller checks this before reading any input (a template), so the
    clash is what the user is told. Only names and `stat`s: nothing is opened. The plan
    returned may be given to `run_batch` (`plan=`) right after, with the same arguments."""
    inputs, protect = list(inputs), list(protect)
    files, empty, tasks = _planned(inputs, outdir, pdf, protect, sources)
    return Plan(_plan_key(inputs, outdir, pdf, protect), tuple(files), tuple(empty),
                tuple(tasks))


def _writes(tasks: list[Task], outdir: Path, pdf: bool) -> list[tuple[Path, str]]:
    """Every file the run may write, for the clash check."""
    writes = [(t.output, "báo cáo") for t in tasks]
    if pdf:
        writes += [(t.output.with_suffix(".pdf"), "bản PDF") for t in tasks]
        writes.append((outdir / f"{SUMMARY_STEM}.pdf", "bản PDF của báo cáo tổng hợp"))
    writes += [(outdir / f"{SUMMARY_STEM}.xlsx", "bảng tổng hợp"),
               (outdir / f"{SUMMARY_STEM}.docx", "báo cáo tổng hợp")]
    return writes


class _Summaries:
    """tong-hop.xlsx and tong-hop.docx from the tables joined once (pandas, in `start`).

    With `fork`, tong-hop.xlsx is written by one worker forked once the tables exist, so
    it inherits them instead of receiving a pickled copy (where a worker is a new
    interpreter, it receives them pickled), while this process writes
    tong-hop.docx (`finish`); each takes a few tenths of a second for a province. The
    fork comes before any PDF thread starts (run_batch starts them after `finish`): no
    thread is copied in the middle of its work. benchmarks/bench_summary.py times the two
    steps apart."""

    def __init__(self, batch: BatchResult, rules: Rules, info: tuple[Info, list[str]] | None,
                 template: bytes | None, sources: Sources | None) -> None:
        self.batch, self.rules, self.info = batch, rules, info
        self.template, self.sources = template, sources
        self.pool: ProcessPoolExecutor | None = None
        self.xlsx: Future[object] | None = None

    def start(self, fork: bool) -> None:
        from .summary.tables import build_tables
        from .summary.workbook import write_summary_xlsx

        batch = self.batch
        with paused():
            self.tables = tables = build_tables(batch.units, self.rules, self.sources)
        batch.summary_errors = list(tables.errors)
        batch.summary_xlsx = batch.outdir / f"{SUMMARY_STEM}.xlsx"
        batch.summary_docx = batch.outdir / f"{SUMMARY_STEM}.docx"
        if not fork:
            return
        global _FORKED
        job = (call_paused, (write_summary_xlsx, batch.summary_xlsx, batch.units, self.rules,
                             tables))
        _FORKED = job
        try:
            with _signals_held():
                self.pool = _pool(1, self.rules, b"")
                if _forks():  # forked here, at the first task: _FORKED is inherited
                    self.xlsx = self.pool.submit(_forked_work)
                else:  # a new interpreter (Windows, macOS): the job is pickled to it
                    self.xlsx = self.pool.submit(_busy, job[0], *job[1])
        finally:
            _FORKED = None

    def finish(self) -> None:
        from .summary.document import write_summary_docx
        from .summary.tables import overview
        from .summary.workbook import write_summary_xlsx

        batch, tables = self.batch, self.tables
        assert batch.summary_xlsx is not None and batch.summary_docx is not None
        with paused():  # the docx's context is made here, and the screen's lines read it
            warnings = write_summary_docx(batch.summary_docx, batch.units, self.rules,
                                          self.info, self.template, tables)
            batch.summary_lines = overview(tables, self.rules)
        written = False
        if self.xlsx is not None:
            try:
                self.xlsx.result()  # the writer's own exception is raised here
                written = True
            except BrokenProcessPool:  # the worker was killed: written here instead
                pass
        if not written:
            call_paused(write_summary_xlsx, batch.summary_xlsx, batch.units, self.rules, tables)
        batch.summary_warnings = tables.warnings + warnings
        self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None


class _Pdfs:
    """The PDF stage of `batch --pdf` (render/pdf.py): a PDF beside each report and beside
    tong-hop.docx, made by `jobs` LibreOffices each started once for its share, once the
    summaries are written. (Begun while they were written, tong-hop.docx then needed a
    LibreOffice started for it alone: more than the summaries' few tenths of a second on
    a province's batch.) A failure is noted on its unit (or on the summary); the reports
    themselves stand. Without LibreOffice `finish` raises the PdfError, the reports and
    summaries written."""

    def __init__(self, jobs: int, on_pdf: Callable[[int, int], None] | None) -> None:
        self.jobs, self.on_pdf = jobs, on_pdf
        self.stack = ExitStack()
        self.conversions: Conversions | None = None
        self.missing: PdfError | None = None
        self.pairs: list[tuple[Path, Path]] = []
        self.owners: list[int | None] = []  # the unit's position in batch.units; None: summary
        self.total = self.count = 0

    def start(self, batch: BatchResult) -> None:
        from .render.pdf import Conversions, PdfError

        for k, unit in enumerate(batch.units):
            if unit.output:
                docx = batch.outdir / unit.output
                self.pairs.append((docx, docx.with_suffix(".pdf")))
                self.owners.append(k)
        summary = batch.summary_docx
        if summary is not None and summary.is_file():
            self.pairs.append((summary, summary.with_suffix(".pdf")))
            self.owners.append(None)
        self.total = len(self.pairs)
        if not self.total:
            return
        try:
            self.conversions = self.stack.enter_context(
                Conversions(self.jobs, on_done=self._one))
        except PdfError as exc:
            self.missing = exc
            return
        if self.on_pdf is not None:
            self.on_pdf(0, self.total)
        self.conversions.submit(self.pairs)

    def _one(self, _i: int, _error: str | None) -> None:
        self.count += 1
        if self.on_pdf is not None:
            self.on_pdf(self.count, self.total)

    def finish(self, batch: BatchResult) -> None:
        from dataclasses import replace

        if self.missing is not None:
            raise self.missing
        if self.conversions is None:
            return
        errors = self.conversions.wait()
        self.stop()
        for owner, (_docx, target), error in zip(self.owners, self.pairs, errors, strict=True):
            if owner is None:
                if error:
                    batch.summary_pdf_error = error
                else:
                    batch.summary_pdf = target
            elif error:
                batch.units[owner] = replace(batch.units[owner], pdf_error=error)

    def stop(self) -> None:
        """Every LibreOffice of the run killed, its temporary folder removed."""
        self.stack.close()


# ---------------------------------------------------------------- the consolidated header


class InfoError(BaocaoError):
    """The `--info` workbook cannot be used; the message is for the user, in Vietnamese."""


# Missing or blank keys only leave a field blank in the consolidated report.
_BLANK_OK = {"E104", "E106", "E107"}


def read_info(path: Path, rules: Rules) -> tuple[Info, list[str]]:
    """The header and signature (sheet `Thông tin`) and recipients (`Nơi nhận`, optional)
    of the consolidated report, read by the same reader and parser as a unit's workbook.

    Keys that are missing or blank are left blank to fill by hand; a value that is wrong
    (a bad date, a malformed ký hiệu) is an error, as it is in a unit's workbook.
    """
    from . import contract
    from .read.book import read_book
    from .validate.parse import parse_book

    book, issues = read_book(path, (contract.THONG_TIN, contract.NOI_NHAN))
    if book is not None:
        report, parse_issues = parse_book(book, rules)
        issues = issues + parse_issues
    errors = [i for i in issues if i.is_error and i.code not in _BLANK_OK]
    if book is None or errors:
        lines = "\n".join(f"  {i.message}" for i in errors or issues)
        raise InfoError(f"tệp thông tin {path} không dùng được:\n{lines}")
    return report.info, report.recipients


# ---------------------------------------------------------------- the Sở Nội vụ's own inputs


def read_sources(rules: Rules, *, roster: Path | None = None,
                 last_year: Path | None = None, review: Path | None = None,
                 parallel: bool | None = None) -> Sources:
    """The roster (`--don-vi`), last year's summary (`--nam-truoc`) and the review
    (`--tham-dinh`), read and checked before any unit is built; SourceError (from
    summary/sources.py) when one cannot be used, the roster's first, then last year's,
    then the review's. That this run's summary must not overwrite one of them (the
    reviewed copy is often kept beside tong-hop.xlsx) is the clash check `run_batch`
    makes of every input.

    A province's files (5,000 rows: 0.3 to 0.6 s each) are read at once, the two largest
    by two forked workers (`parallel`, by default where processes fork and the files
    pass PARALLEL_SOURCES bytes together); small ones, or where a worker would start a
    new interpreter, here one after the other."""
    from .summary.sources import (
        Sources,
        read_last_year,
        read_review,
        read_roster,
    )

    jobs: dict[str, tuple[Path, Callable[..., object], tuple[object, ...]]] = {}
    if roster is not None:
        jobs["roster"] = (roster, read_roster, (roster,))
    if last_year is not None:
        jobs["last_year"] = (last_year, read_last_year, (last_year, rules))
    if review is not None:
        jobs["review"] = (review, read_review, (review, rules))
    sizes = {key: _size(path) for key, (path, _, _) in jobs.items()}
    if parallel is None:
        parallel = len(jobs) > 1 and _forks() and sum(sizes.values()) >= PARALLEL_SOURCES
    got: dict[str, object] = {}
    if parallel and len(jobs) > 1:
        largest = sorted(jobs, key=lambda key: -sizes[key])[:2]
        with _signals_held():
            pool = _pool(len(largest), rules, b"")
        try:
            futures = {key: pool.submit(_busy, call_paused, jobs[key][1], *jobs[key][2])
                       for key in largest}
            failed: dict[str, Exception] = {}
            for key, (_, read, args) in jobs.items():
                if key not in futures:
                    try:
                        got[key] = call_paused(read, *args)
                    except Exception as exc:  # raised in its turn, below
                        failed[key] = exc
            for key in jobs:  # in the options' order: the same first error as in turn
                if key in failed:
                    raise failed[key]
                if key in futures:
                    got[key] = futures[key].result()
        except BaseException:
            _stop(pool)
            raise
        pool.shutdown()
    else:
        for key, (_, read, args) in jobs.items():
            got[key] = call_paused(read, *args)
    return Sources(
        roster=got.get("roster"), roster_path=roster,  # type: ignore[arg-type]
        last_year=got.get("last_year"), review=got.get("review"),  # type: ignore[arg-type]
        paths=[p for p in (roster, last_year, review) if p is not None])


PARALLEL_SOURCES = 256 << 10  # bytes of the summary's files worth two forked readers


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _forks() -> bool:
    """Whether a worker is a fork of this process (Linux), not a new interpreter."""
    import multiprocessing

    return multiprocessing.get_start_method(allow_none=False) == "fork"
