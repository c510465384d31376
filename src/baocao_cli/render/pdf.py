"""Word → PDF with LibreOffice headless: one LibreOffice converting many documents.

A cold LibreOffice start with a new profile costs about a second, a report's conversion a
tenth of that, so a `Converter` starts LibreOffice once with one private profile and hands
it every document in a single `soffice --convert-to pdf` call (measured against a UNO
listener in docs/decisions.md: as fast, and no UNO bridge to depend on). LibreOffice
converts the files in order; the converter watches its output folder, so it knows which
document is being converted and gives each one its own time limit. A document that hangs
or crashes LibreOffice is reported for itself; LibreOffice is killed, started again on the
same profile and goes on with the rest.

Everything LibreOffice writes (profile, caches, its HOME, its temporary files, the PDFs
before they are finished) stays in one private temporary folder, removed at the end, on
an error and on Ctrl-C or SIGTERM, with every LibreOffice process of the run. A finished
PDF reaches its place through `files.write_atomic`: whole or not at all, with the mode
the user's umask gives any new file (the `.docx` beside it gets the same).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from ..errors import BaocaoError
from ..files import os_error_reason, os_error_text, write_atomic

INSTALL_HINT = ("Cài LibreOffice để xuất PDF, ví dụ trên Debian/Ubuntu: "
                "`sudo apt-get install libreoffice-writer-nogui` (hoặc tải từ "
                "https://www.libreoffice.org), rồi chạy lại lệnh.")
PROGRAMS = ("soffice", "libreoffice")
ENV_VAR = "BAOCAO_SOFFICE"
# Where the installers put it, when it is not on PATH.
KNOWN_PLACES = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/usr/lib64/libreoffice/program/soffice",
    "/usr/local/bin/soffice",
    "/opt/libreoffice/program/soffice",
    "/snap/bin/libreoffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
TIME_LIMIT = 120.0  # seconds for one document
START_ALLOWANCE = 60.0  # extra seconds for LibreOffice's own start, before the first one
POLL = 0.05  # seconds between looks at the output folder
# Documents per `soffice` call: Windows limits a command line to 32,767 characters, and a
# new start every 200 documents costs half a percent.
PER_CALL = 200
BARREN_RUNS = 3  # LibreOffice starts in a row without a PDF before the rest are given up
# The private profile's settings, written before LibreOffice first starts on it. Without a
# "last version" LibreOffice takes every start for its first since an upgrade and runs its
# graphics self-tests (GraphicsRenderTests), which a headless start never marks as done:
# 1.5 s of CPU per start, more than the rest of the start. A version far ahead of any
# real one (the profile is thrown away with the run) keeps them from running. No lock
# files either: LibreOffice only ever sees the run's private copies.
PROFILE_SETTINGS = (
    ("/org.openoffice.Setup/Product", "ooSetupLastVersion", "99.9"),
    ("/org.openoffice.Office.Common/Misc", "UseLocking", "false"),
)
_WINDOWS = sys.platform == "win32"


class PdfError(BaocaoError):
    """The PDF could not be made; the message is for the user, in Vietnamese."""


def _known_places(env: Mapping[str, str]) -> list[str]:
    """Where the installers put it: distributions, /opt (the official .deb/.rpm, e.g.
    /opt/libreoffice7.6), macOS, Windows (both Program Files)."""
    places = list(KNOWN_PLACES)
    for root in (env.get("PROGRAMFILES"), env.get("PROGRAMFILES(X86)")):
        if root:
            places.append(str(Path(root) / "LibreOffice" / "program" / "soffice.exe"))
    with contextlib.suppress(OSError):
        places += sorted(map(str, Path("/opt").glob("libreoffice*/program/soffice")),
                         reverse=True)
    return places


def find_soffice(env: Mapping[str, str] | None = None,
                 places: Sequence[str] | None = None) -> str | None:
    """LibreOffice's program: `BAOCAO_SOFFICE` if set, else PATH, else where the
    installers put it (`places`, by default `_known_places`); None if none.

    A `BAOCAO_SOFFICE` that names no program is not overridden by a search: the user
    asked for that one, and `not_found_message` says it is wrong.
    """
    env = os.environ if env is None else env
    chosen = env.get(ENV_VAR, "").strip()
    if chosen:
        path = Path(chosen)
        return str(path) if path.is_file() and os.access(path, os.X_OK) else None
    for name in PROGRAMS:
        found = shutil.which(name, path=env.get("PATH", os.defpath))
        if found:
            return found
    for place in _known_places(env) if places is None else places:
        if os.path.isfile(place) and os.access(place, os.X_OK):
            return place
    return None


def not_found_message(env: Mapping[str, str] | None = None) -> str:
    """Why there is no PDF, and how to get one, in Vietnamese."""
    env = os.environ if env is None else env
    chosen = env.get(ENV_VAR, "").strip()
    if chosen:
        return (f"biến môi trường {ENV_VAR} chỉ tới {chosen}, nhưng đó không phải chương "
                f"trình LibreOffice chạy được. Sửa {ENV_VAR} (ví dụ /usr/bin/soffice), hoặc "
                f"bỏ nó đi để tự tìm LibreOffice. {INSTALL_HINT}")
    return f"không tìm thấy LibreOffice (lệnh soffice) để ghi bản PDF. {INSTALL_HINT}"


@contextlib.contextmanager
def private_folder() -> Iterator[Path]:
    """The run's one temporary folder, private (0700), removed however the run ends."""
    try:
        folder = Path(tempfile.mkdtemp(prefix="baocao-pdf-"))
    except OSError as exc:  # no writable temporary folder at all
        raise PdfError(f"không tạo được thư mục tạm để chuyển sang PDF: "
                       f"{os_error_reason(exc)}.") from None
    try:
        yield folder
    finally:
        with shielded():
            shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """A clean-up that a second Ctrl-C or SIGTERM must not cut short: both wait until it
    is done (a second or two), then the first interruption goes on."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = [signal.SIGINT] + ([] if _WINDOWS else [signal.SIGTERM])
    previous = {n: h for n in names if (h := signal.getsignal(n)) is not None}
    for n in previous:
        signal.signal(n, signal.SIG_IGN)
    try:
        yield
    finally:
        for n, handler in previous.items():
            signal.signal(n, handler)


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM ends the run as Ctrl-C does (KeyboardInterrupt), so that the `finally`
    clauses stop LibreOffice and remove the temporary folder; Python's default would
    die on the spot and leave both behind. A handler someone else set is kept."""
    if threading.current_thread() is not threading.main_thread() or _WINDOWS:
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous is not signal.SIG_DFL:
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _seed_profile(profile: Path) -> None:
    """The profile's `registrymodifications.xcu` with `PROFILE_SETTINGS`; LibreOffice
    makes the rest of the profile around it on its first start."""
    items = "".join(f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse">'
                    f"<value>{value}</value></prop></item>\n"
                    for path, name, value in PROFILE_SETTINGS)
    user = profile / "user"
    user.mkdir(mode=0o700, parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items '
        'xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"{items}</oor:items>\n", encoding="utf-8")


def _is_complete(pdf: Path) -> bool:
    """LibreOffice writes `%%EOF` last: before it, the file is still being written."""
    try:
        with open(pdf, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - 64))
            return b"%%EOF" in fh.read()
    except OSError:
        return False


class _Claims:
    """The documents of a share that two LibreOffices convert from both ends: the first to
    finish one claims it. The ends meet wherever the faster one has got to, so neither
    waits on the other at the end (with the share split in two in advance, one of two
    LibreOffices that ran 5 % slower finished a second after the other)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done: set[int] = set()

    def claim(self, key: int) -> bool:
        with self._lock:
            if key in self._done:
                return False
            self._done.add(key)
            return True

    def taken(self, key: int) -> bool:
        with self._lock:
            return key in self._done


class Converter:
    """One LibreOffice, one private profile made once, for many documents in turn.

    `convert` may be called several times; each call is one `soffice` start (more when a
    document hangs or crashes it). `stop` may be called from another thread: it kills
    LibreOffice and makes `convert` return at once.
    """

    def __init__(self, program: str, folder: Path, time_limit: float = TIME_LIMIT) -> None:
        self.program = program
        self.folder = folder
        self.time_limit = time_limit
        self.profile = folder / "profile"
        self.home = folder / "home"
        for sub in (self.home, folder / "tmp"):
            sub.mkdir(mode=0o700, parents=True, exist_ok=True)
        _seed_profile(self.profile)
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stopped = False
        self._runs = 0
        # Set for one `convert` over a share another Converter takes from its other end.
        self._claim: Callable[[int], bool] = lambda _i: True
        self._others: Callable[[int], bool] = lambda _i: False

    def _env(self) -> dict[str, str]:
        """LibreOffice, GLib and fontconfig write caches under HOME/XDG: all kept here."""
        env = dict(os.environ)
        home = str(self.home)
        env.update(HOME=home, XDG_CACHE_HOME=str(self.home / ".cache"),
                   XDG_CONFIG_HOME=str(self.home / ".config"),
                   XDG_DATA_HOME=str(self.home / ".local" / "share"),
                   XDG_RUNTIME_DIR=home, TMPDIR=str(self.folder / "tmp"),
                   TMP=str(self.folder / "tmp"), TEMP=str(self.folder / "tmp"),
                   GSETTINGS_BACKEND="memory")
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        return env

    def _start(self, sources: list[Path], outdir: Path, log: Path
               ) -> subprocess.Popen[bytes]:
        cmd = [self.program, "--headless", "--invisible", "--norestore", "--nolockcheck",
               "--nodefault", "--nologo",
               f"-env:UserInstallation={self.profile.as_uri()}",
               "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(outdir),
               *map(str, sources)]
        kwargs: dict[str, object] = {}
        if _WINDOWS:
            kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
        else:  # its own group: killed as one, and Ctrl-C in the terminal is ours to handle
            kwargs["start_new_session"] = True
        try:  # its words go to a file, read when it fails (a pipe could fill up)
            with open(log, "wb") as out:
                return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=subprocess.STDOUT, env=self._env(),
                                        cwd=self.folder, **kwargs)  # type: ignore[call-overload]
        except OSError as exc:
            raise PdfError(f"không chạy được LibreOffice ({self.program}): "
                           f"{os_error_reason(exc)}. {INSTALL_HINT}") from None

    def _kill(self, proc: subprocess.Popen[bytes]) -> None:
        """The launcher and soffice.bin under it, and wait until they are gone."""
        self._signal(proc)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        if not _WINDOWS:  # soffice.bin may outlive the launcher by a moment
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and _group_running(proc.pid):
                time.sleep(POLL)

    @staticmethod
    def _signal(proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL to the launcher and everything below it, without waiting."""
        if proc.poll() is None or not _WINDOWS:
            if _WINDOWS:
                subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)],
                               capture_output=True, check=False)
            else:  # soffice.bin may have left the group: every process below it too
                for pid in _descendants(proc.pid):
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)

    def interrupt(self) -> None:
        """Kill LibreOffice without waiting: `stop` then waits for it. For many
        converters at once, so that their deaths overlap."""
        with self._lock:
            self._stopped = True
            proc = self._proc
        if proc is not None:
            self._signal(proc)

    def stop(self) -> None:
        """Kill LibreOffice now (from any thread); `convert` then returns."""
        with self._lock:
            self._stopped = True
            proc = self._proc
        if proc is not None:
            self._kill(proc)

    def convert(self, pairs: Sequence[tuple[Path, Path]],
                on_done: Callable[[int, str | None], None] | None = None,
                claims: _Claims | None = None, keys: Sequence[int] = ()
                ) -> list[str | None]:
        """Convert each (docx, pdf) pair; per pair None or the Vietnamese reason it failed.

        `on_done(i, error)` is called as each document is finished. Raises PdfError only
        when LibreOffice cannot be run at all. With `claims`, another Converter converts
        the same documents (numbered `keys` there) from the other end: each document is
        done by the first to finish it, and this one stops where it meets the other's
        (their errors stay None here).
        """
        errors: list[str | None] = [None] * len(pairs)
        made = 0
        # for this call only: a later one with no other end must not see this one's
        self._claim = (lambda i: claims.claim(keys[i])) if claims is not None \
            else (lambda _i: True)
        self._others = (lambda i: claims.taken(keys[i])) if claims is not None \
            else (lambda _i: False)

        def finish(i: int, error: str | None) -> None:
            nonlocal made
            errors[i] = error
            made += error is None
            if on_done is not None:
                on_done(i, error)

        queue = list(range(len(pairs)))
        barren = 0  # LibreOffice runs in a row that made no PDF
        while not self._stopped and (queue := [i for i in queue if not self._others(i)]):
            before = made
            queue = self._round(pairs, queue[:PER_CALL], finish) + queue[PER_CALL:]
            barren = barren + 1 if made == before else 0
            if barren >= BARREN_RUNS and queue:  # a broken LibreOffice, not a bad document
                for i in (i for i in queue if self._claim(i)):
                    finish(i, f"LibreOffice ({self.program}) dừng {BARREN_RUNS} lần liền mà "
                           f"không tạo được bản PDF nào; không thử tiếp với "
                           f"{Path(pairs[i][0]).name}. Kiểm tra lại bản cài LibreOffice. "
                           f"{INSTALL_HINT}")
                queue = []
        if self._stopped:
            raise KeyboardInterrupt
        return errors

    def _round(self, pairs: Sequence[tuple[Path, Path]], queue: list[int],
               finish: Callable[[int, str | None], None]) -> list[int]:
        """One LibreOffice run over `queue`; returns what is left for the next run."""
        self._runs += 1
        work = self.folder / f"run-{self._runs}"
        indir, outdir = work / "in", work / "out"
        indir.mkdir(parents=True)
        outdir.mkdir()
        sources: list[Path] = []
        todo: list[int] = []
        for i in queue:
            docx = Path(pairs[i][0])
            # A copy with a plain name: the output is named after the input's stem, and a
            # name such as `-x.docx` or two units' equal stems must not confuse it.
            source = indir / f"{i:06d}.docx"
            try:
                shutil.copyfile(docx, source)
            except OSError as exc:
                if self._claim(i):
                    finish(i, os_error_text(exc, docx, reading=True))
                continue
            sources.append(source)
            todo.append(i)
        if not todo:
            return []
        with self._lock:
            if self._stopped:
                return []
            proc = self._proc = self._start(sources, outdir, work / "log")
        try:
            return self._watch(proc, pairs, todo, outdir, finish, work / "log")
        finally:
            self._kill(proc)
            with self._lock:
                self._proc = None
            shutil.rmtree(work, ignore_errors=True)

    def _watch(self, proc: subprocess.Popen[bytes], pairs: Sequence[tuple[Path, Path]],
               todo: list[int], outdir: Path, finish: Callable[[int, str | None], None],
               log: Path) -> list[int]:
        """Move each PDF into place as LibreOffice finishes it; time each document."""
        pending = list(todo)
        last_done = -1  # position in `todo` of the last PDF seen
        limit = self.time_limit + START_ALLOWANCE
        since = time.monotonic()
        while True:
            if pending and self._others(pending[0]):
                return []  # met the other end: the rest of the share is done there
            exited = proc.poll() is not None
            progressed = False
            for pos in range(last_done + 1, len(todo)):
                i = todo[pos]
                made = outdir / f"{i:06d}.pdf"
                if not made.exists() or not _is_complete(made):
                    continue
                if not self._claim(i):
                    return []  # the other end finished it first: they have met
                for skipped in todo[last_done + 1:pos]:  # LibreOffice could not open them
                    if skipped in pending:
                        pending.remove(skipped)
                        if self._claim(skipped):
                            finish(skipped, self._unreadable(pairs[skipped][0]))
                pending.remove(i)
                finish(i, self._place(made, Path(pairs[i][1])))
                last_done, progressed = pos, True
            if not pending:
                return []
            if self._stopped:
                return []
            if exited:
                if proc.returncode == 0:  # it went through them all: the rest did not open
                    for i in (i for i in pending if self._claim(i)):
                        finish(i, self._unreadable(pairs[i][0]))
                    return []
                culprit = pending[0]
                if not self._claim(culprit):
                    return []
                try:
                    said = log.read_text("utf-8", errors="replace")
                except OSError:
                    said = ""
                finish(culprit, f"LibreOffice dừng bất thường khi chuyển "
                       f"{Path(pairs[culprit][0]).name} sang PDF "
                       f"({_failure(proc.returncode, said)}).")
                return pending[1:]
            now = time.monotonic()
            if progressed:
                since, limit = now, self.time_limit
            elif now - since > limit:
                culprit = pending[0]
                if not self._claim(culprit):
                    return []
                finish(culprit, f"LibreOffice không chuyển xong {Path(pairs[culprit][0]).name}"
                       f" sang PDF trong {self.time_limit:g} giây; đã dừng tệp này.")
                return pending[1:]
            time.sleep(POLL)

    @staticmethod
    def _unreadable(docx: Path) -> str:
        return f"LibreOffice không mở được {Path(docx).name} để chuyển sang PDF."

    @staticmethod
    def _place(made: Path, target: Path) -> str | None:
        try:
            with open(made, "rb") as src:
                write_atomic(target, lambda fh: shutil.copyfileobj(src, fh, 1 << 20))
        except OSError as exc:
            return os_error_text(exc, target)
        finally:
            with contextlib.suppress(OSError):
                made.unlink()
        return None


class Conversions:
    """Documents converted in the background while the caller goes on, in waves.

    `submit` starts converting a wave of (docx, pdf) pairs at once, with up to `workers`
    LibreOffices of its own, each started once for its share (`_shares`: the work split
    evenly by the documents' sizes, each share in input order); `wait` returns, per pair in
    the order submitted, None or why it failed; a later wave starts LibreOffices of its
    own. `batch --pdf` submits its reports and tong-hop.docx in one wave. The work is in
    the LibreOffice processes: this process only watches them, one thread each.

    Used as a context manager, entered and left in the same thread: leaving it, however
    (the end, an error, Ctrl-C, SIGTERM), kills every LibreOffice of the run and removes
    the one temporary folder. `on_done(i, error)` is called as each document is finished.
    """

    def __init__(self, workers: int = 1, time_limit: float = TIME_LIMIT,
                 program: str | None = None,
                 on_done: Callable[[int, str | None], None] | None = None) -> None:
        found = program or find_soffice()
        if found is None:
            raise PdfError(not_found_message())
        self.program = found
        self.workers = max(1, workers)
        self.time_limit = time_limit
        self.on_done = on_done
        self.errors: list[str | None] = []
        self._lock = threading.Lock()
        self._converters: list[Converter] = []
        self._threads: list[threading.Thread] = []
        self._failures: list[BaseException] = []
        self._stack = contextlib.ExitStack()
        self._folder: Path | None = None

    def __enter__(self) -> Conversions:
        with self._stack:  # SIGTERM is a KeyboardInterrupt, then the folder exists
            self._stack.enter_context(sigterm_as_interrupt())
            self._folder = self._stack.enter_context(private_folder())
            self._stack = self._stack.pop_all()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            with shielded():
                for c in self._converters:
                    c.interrupt()
                for c in self._converters:
                    c.stop()
                for t in self._threads:
                    t.join()
        finally:
            self._stack.close()

    def submit(self, pairs: Sequence[tuple[Path, Path]]) -> None:
        """Start converting `pairs`, numbered after those submitted before."""
        assert self._folder is not None, "Conversions is used in a `with` block"
        first = len(self.errors)
        self.errors += [None] * len(pairs)
        workers = max(1, min(self.workers, len(pairs)))
        # Two LibreOffices to each share, from both ends (`_Claims`); one to the last
        # share when their number is odd.
        sizes = [2] * (workers // 2) + [1] * (workers % 2)
        for picked, size in zip(_shares(pairs, sizes) if pairs else [], sizes, strict=False):
            if not picked:
                continue
            share = [first + k for k in picked]
            claims = _Claims() if size == 2 and len(share) > 1 else None
            for order in ([share, share[::-1]] if claims is not None else [share]):
                converter = Converter(self.program,
                                      self._folder / f"lo-{len(self._converters)}",
                                      self.time_limit)
                self._converters.append(converter)
                thread = threading.Thread(target=self._run, daemon=True, args=(
                    converter, order, [pairs[i - first] for i in order], claims))
                self._threads.append(thread)
                thread.start()

    def _run(self, converter: Converter, share: list[int],
             pairs: list[tuple[Path, Path]], claims: _Claims | None) -> None:
        def done(k: int, error: str | None) -> None:
            with self._lock:
                self.errors[share[k]] = error
                if self.on_done is not None:
                    self.on_done(share[k], error)

        try:
            converter.convert(pairs, done, claims, share)
        except BaseException as exc:  # re-raised in the caller's thread by `wait`
            self._failures.append(exc)

    def wait(self) -> list[str | None]:
        """Once every submitted document is done: per pair None or why it failed."""
        for t in self._threads:
            while t.is_alive():  # a join with a timeout lets Ctrl-C through
                t.join(0.2)
        real = [f for f in self._failures if not isinstance(f, KeyboardInterrupt)]
        if real:
            raise real[0]
        return list(self.errors)


def _shares(pairs: Sequence[tuple[Path, Path]], sizes: Sequence[int]) -> list[list[int]]:
    """The pairs' positions split into `len(sizes)` shares of work in proportion to
    `sizes` (the LibreOffices each will have), each in input order. A document's work is
    taken as the size of its text (its main part, inflated, from the zip's directory):
    tong-hop.docx of 200 units weighs as several reports, and dealt round robin it left
    one LibreOffice converting it alone for a second at the end. Largest first, each to
    the share that would then be the least loaded for its size."""
    def weight(i: int) -> int:
        try:
            with zipfile.ZipFile(pairs[i][0]) as zf:
                return zf.getinfo("word/document.xml").file_size
        except (OSError, KeyError, zipfile.BadZipFile):
            return 1  # not a readable .docx: converting it fails at once
    weights = [weight(i) for i in range(len(pairs))]
    loads = [0] * len(sizes)
    shares: list[list[int]] = [[] for _ in sizes]
    for i in sorted(range(len(pairs)), key=lambda i: (-weights[i], i)):
        w = min(range(len(sizes)), key=lambda w: ((loads[w] + weights[i]) / sizes[w], w))
        shares[w].append(i)
        loads[w] += weights[i]
    return [sorted(share) for share in shares]


def convert_all(pairs: Sequence[tuple[Path, Path]], workers: int = 1,
                time_limit: float = TIME_LIMIT, program: str | None = None,
                on_done: Callable[[int, str | None], None] | None = None
                ) -> list[str | None]:
    """Convert every (docx, pdf) pair with `workers` LibreOffices at once, each started
    once; per pair None or why it failed. Without LibreOffice: PdfError.

    Ctrl-C or SIGTERM kills them all and removes the temporary folder.
    """
    with Conversions(workers, time_limit, program, on_done) as conversions:
        conversions.submit(pairs)
        return conversions.wait()


def docx_to_pdf(docx: Path, pdf: Path, timeout: float = TIME_LIMIT) -> None:
    """Convert `docx` to `pdf` (written atomically); PdfError says why it could not."""
    docx, pdf = Path(docx), Path(pdf)
    if find_soffice() is None:
        raise PdfError(not_found_message())
    if not docx.is_file():
        raise PdfError(f"không có tệp {docx} để chuyển sang PDF.")
    (error,) = convert_all([(docx, pdf)], time_limit=timeout)
    if error:
        raise PdfError(error)


def _processes() -> Iterator[tuple[int, list[bytes]]] | None:
    """Each process's pid and the fields of its /proc stat after the name (state, parent,
    group…); None without /proc (not Linux)."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None

    def stats() -> Iterator[tuple[int, list[bytes]]]:
        for entry in entries:
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if len(fields) > 2:
                yield int(entry), fields

    return stats() if entries else None


def _descendants(pid: int) -> list[int]:
    """The processes below `pid` (Linux's /proc; elsewhere none are found): `soffice.bin`
    moves to a process group of its own, so killing the group is not enough."""
    children: dict[int, list[int]] = {}
    for child, fields in _processes() or ():
        children.setdefault(int(fields[1]), []).append(child)
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _group_running(pgid: int) -> bool:
    """Whether a process of the group `pgid` still runs. Its zombies do not count: the
    helpers LibreOffice starts (gpgconf, gpg) are left to the system's init to reap, which
    a container's may do only every second or two, and waiting for them cost each
    LibreOffice 1,5 s at the end of a batch. Without /proc, any member counts."""
    processes = _processes()
    if processes is None:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    return any(int(fields[2]) == pgid and fields[0] not in (b"Z", b"X")
               for _pid, fields in processes)


_ADDRESS = re.compile(r"0x[0-9a-f]{4,}|\(\+0x|\bsignal\b|Fatal exception", re.IGNORECASE)


def _failure(code: int, output: str) -> str:
    """Why LibreOffice failed, in words: never its backtrace's addresses."""
    if code < 0:
        return f"LibreOffice bị dừng bởi tín hiệu {-code}"
    if code in (134, 139) or _ADDRESS.search(output):
        return f"LibreOffice gặp sự cố và tự dừng (mã thoát {code}); hãy thử lại, kiểm tra " \
               "dung lượng ổ đĩa và quyền ghi thư mục tạm"
    lines = [ln for ln in output.strip().splitlines()
             if ln.strip() and not ln.startswith(("convert ", "Warning:"))]
    said = f"; LibreOffice báo: {lines[-1][:200]}" if lines else ""
    return f"mã thoát {code}{said}"
