"""Word → PDF with LibreOffice headless, one private profile per call.

LibreOffice refuses to run twice on one user profile, so each conversion gets a fresh
profile directory (`-env:UserInstallation`) and a fresh output directory: parallel
conversions (the batch command) never collide. The PDF is written beside nowhere until it
is complete: LibreOffice writes into the temporary directory and the file is moved into
place with `os.replace`.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import BaocaoError
from ..files import os_error_reason, os_error_text, temp_prefix

INSTALL_HINT = ("Cài LibreOffice để xuất PDF, ví dụ trên Debian/Ubuntu: "
                "`sudo apt-get install libreoffice-writer-nogui` (hoặc tải từ "
                "https://www.libreoffice.org), rồi chạy lại lệnh.")
PROGRAMS = ("soffice", "libreoffice")


class PdfError(BaocaoError):
    """The PDF could not be made; the message is for the user, in Vietnamese."""


def find_soffice() -> str | None:
    """The LibreOffice program on PATH, or None."""
    for name in PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    return None


def docx_to_pdf(docx: Path, pdf: Path, timeout: float = 120) -> None:
    """Convert `docx` to `pdf` (written atomically); PdfError says why it could not."""
    docx, pdf = Path(docx), Path(pdf)
    program = find_soffice()
    if program is None:
        raise PdfError(f"không tìm thấy LibreOffice (lệnh soffice) để chuyển {docx.name} "
                       f"sang PDF. {INSTALL_HINT}")
    if not docx.is_file():
        raise PdfError(f"không có tệp {docx} để chuyển sang PDF.")
    try:
        private = tempfile.TemporaryDirectory(prefix="baocao-pdf-")
    except OSError as exc:  # no writable temporary folder at all
        raise PdfError(f"không tạo được thư mục tạm để chuyển sang PDF: "
                       f"{os_error_reason(exc)}.") from None
    with _removed(private.name), private as tmp:
        work = Path(tmp)
        profile = work / "profile"
        outdir = work / "out"
        outdir.mkdir()
        # A copy with a plain name: the output name follows the input's stem.
        source = work / "in" / "bao-cao.docx"
        try:
            source.parent.mkdir()
            shutil.copyfile(docx, source)
        except OSError as exc:
            raise PdfError(os_error_text(exc, Path(tmp))) from None
        cmd = [program, "--headless", "--norestore", "--nolockcheck",
               f"-env:UserInstallation={profile.as_uri()}",
               "--convert-to", "pdf", "--outdir", str(outdir), str(source)]
        try:
            code, output = _run(cmd, timeout, _private_env(work))
        except subprocess.TimeoutExpired:
            raise PdfError(f"LibreOffice không chuyển xong {docx.name} sang PDF trong "
                           f"{timeout:g} giây; đã dừng. Thử lại, hoặc đóng các cửa sổ "
                           "LibreOffice đang mở.") from None
        except OSError as exc:
            raise PdfError(f"không chạy được LibreOffice ({program}): "
                           f"{os_error_reason(exc)}. {INSTALL_HINT}") from None
        made = outdir / "bao-cao.pdf"
        if code != 0 or not made.is_file() or made.stat().st_size == 0:
            raise PdfError(f"LibreOffice không tạo được PDF từ {docx} "
                           f"({_failure(code, output)}).")
        # Same filesystem as the target for an atomic rename.
        try:
            fd, staged = tempfile.mkstemp(prefix=temp_prefix(pdf), suffix=".tmp",
                                          dir=pdf.parent)
            os.close(fd)
        except OSError as exc:
            raise PdfError(os_error_text(exc, pdf)) from None
        try:
            shutil.copyfile(made, staged)
            os.replace(staged, pdf)
        except OSError as exc:
            Path(staged).unlink(missing_ok=True)
            raise PdfError(os_error_text(exc, pdf)) from None
        except BaseException:
            Path(staged).unlink(missing_ok=True)
            raise


@contextlib.contextmanager
def _removed(folder: str) -> Iterator[None]:
    """Delete `folder` on the way out even when the signal that stopped the work arrives
    during the deletion itself (the commands raise on the first signal only)."""
    try:
        yield
    finally:
        if os.path.exists(folder):
            shutil.rmtree(folder, ignore_errors=True)


def _private_env(work: Path) -> dict[str, str]:
    """LibreOffice's environment: home, caches, configuration and temporary files all in
    the private folder deleted after the call (it otherwise writes `~/.cache/dconf`, and
    crashes when TMPDIR is read-only)."""
    env = dict(os.environ)
    for name in ("HOME", "TMPDIR", "TMP", "TEMP", "XDG_CACHE_HOME", "XDG_CONFIG_HOME",
                 "XDG_DATA_HOME", "XDG_RUNTIME_DIR"):
        env[name] = str(work)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    return env


def _run(cmd: list[str], timeout: float, env: dict[str, str]) -> tuple[int, str]:
    """Run LibreOffice in a session of its own and, whatever interrupts the wait (a
    time-out, Ctrl-C, SIGTERM turned into an exception), kill it with all it started:
    `soffice` is a launcher whose `soffice.bin` would otherwise outlive it."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=env, start_new_session=True,
                            text=True, errors="replace")
    try:
        output, _ = proc.communicate(timeout=timeout)
    except BaseException:
        _kill_tree(proc)
        raise
    return proc.returncode, output or ""


def _descendants(pid: int) -> list[int]:
    """The processes below `pid` (Linux's /proc; elsewhere none are found): `soffice.bin`
    moves to a process group of its own, so killing the group is not enough."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_tree(proc: subprocess.Popen[str]) -> None:
    """Kill LibreOffice and everything it started, then reap it."""
    if os.name == "nt":
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)],
                       capture_output=True, check=False)
    else:
        for pid in _descendants(proc.pid):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        proc.kill()
    proc.wait()


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
