"""Files safely: whole outputs or nothing, never over an input, inputs that are real files,
and the system's errors said in Vietnamese with the path they concern."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MAX_NAME_BYTES = 255  # a file name's limit on ext4, NTFS, APFS…
_TMP_RANDOM = 8 + len(".tmp") + 2  # mkstemp's random part, the suffix, the two dots


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def temp_prefix(path: Path) -> str:
    """The prefix of `path`'s temporary sibling: `.name.`, shortened so that the temporary
    name stays under the file system's limit even when `path`'s own name is near it."""
    room = MAX_NAME_BYTES - _TMP_RANDOM
    name = path.name.encode("utf-8", "surrogateescape")[:room]
    return f".{name.decode('utf-8', 'ignore')}."


def write_atomic(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write through a temporary file beside `path`, then rename over it.

    A crash, a full disk, an exception in `write` or a signal (which the commands turn
    into an exception) leaves no half-written file behind, and a reader never sees a
    partial document.
    """
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates the file private (0600); give it the mode any new file would get.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def shown(path: Path | str) -> str:
    """`path` as text any document or console can hold: the bytes of a name that is not
    UTF-8 (unzipped from a Windows archive) become U+FFFD instead of Python's surrogates."""
    return os.fsencode(path).decode("utf-8", "replace")


# ---------------------------------------------------------------- outputs never over inputs


class PathClash(ValueError):
    """An output would replace an input; the message, in Vietnamese, names both."""


def real_path(path: Path | str, folders: dict[str, str] | None = None) -> str:
    """The absolute, link-resolved spelling of `path`; a symlink loop or an unreadable
    folder leaves the path as written (made absolute) instead of raising.

    `folders` caches resolved folders for one look at many files (a batch's thousand
    workbooks in a few folders): a file that is no link, in a folder already resolved,
    costs one `lstat` instead of one per component of its path (POSIX; a path with `..`
    is resolved whole, as `..` after a link leaves the link's target)."""
    spelled = os.fspath(path)
    if folders is not None and os.name == "posix" and not (
            ".." in spelled and ".." in spelled.split("/")):
        absolute = os.path.abspath(spelled)
        head, tail = os.path.split(absolute)
        if tail:
            try:
                link = stat.S_ISLNK(os.lstat(absolute).st_mode)
            except FileNotFoundError:
                link = False  # not there yet (an output): nothing of its own to resolve
            except (OSError, ValueError):
                link = True  # let realpath decide
            if not link:
                folder = folders.get(head)
                if folder is None:
                    folder = folders[head] = real_path(head)
                return os.path.join(folder, tail)
    try:
        return os.path.realpath(path)
    except (OSError, RuntimeError):
        return os.path.abspath(path)


def _identity(path: Path, folders: dict[str, str] | None = None
              ) -> tuple[str, tuple[int, int] | None]:
    """The resolved path and, for a file that exists, its (device, inode)."""
    try:
        st = os.stat(path)
        inode = (st.st_dev, st.st_ino)
    except (OSError, ValueError):
        inode = None
    return real_path(path, folders), inode


def same_file(a: Path, b: Path) -> bool:
    """Whether `a` and `b` name one file: the same path once links are resolved, or the
    same inode (a hard link, or another spelling on a case-insensitive disk)."""
    (pa, ia), (pb, ib) = _identity(a), _identity(b)
    return pa == pb or (ia is not None and ia == ib)


def check_clash(writes: Iterable[tuple[Path, str]], reads: Iterable[tuple[Path | None, str]]
                ) -> None:
    """Refuse (PathClash) a command that would write over a file it reads.

    Each pair is a path and what it is to the user ("báo cáo", "sổ Excel đầu vào",
    "--rules"…). Every command calls this with all it will write and all it reads, before
    writing anything, so a new input option is protected by adding it to the list. One
    `stat` per path: a batch of hundreds of units is checked in milliseconds.
    """
    by_path: dict[str, tuple[Path, str]] = {}
    by_inode: dict[tuple[int, int], tuple[Path, str]] = {}
    folders: dict[str, str] = {}
    for src, what in reads:
        if src is None:
            continue
        key, inode = _identity(src, folders)
        by_path.setdefault(key, (Path(src), what))
        if inode is not None:
            by_inode.setdefault(inode, (Path(src), what))
    for out, out_what in writes:
        key, inode = _identity(out, folders)
        hit = by_path.get(key) or (by_inode.get(inode) if inode is not None else None)
        if hit is not None:
            src, src_what = hit
            raise PathClash(f"{out_what} {out} trùng với {src_what} {src}: lệnh sẽ ghi "
                            f"đè lên tệp đầu vào. Hãy chọn tên hoặc thư mục kết quả khác.")


# ---------------------------------------------------------------- inputs that are real files


@dataclass(frozen=True)
class InputProblem:
    """Why a path cannot be read as an input file: `kind` is missing, folder, special
    (FIFO, device, socket), permission or other; `reason` is Vietnamese, without the path."""

    kind: str
    reason: str


def input_problem(path: Path) -> InputProblem | None:
    """Why `path` cannot be read as an input file, or None for a readable regular file.

    Looked at with `stat` before any `open`: opening a FIFO blocks until someone writes
    to it and opening a device can have effects, so only regular files are opened.
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        return _problem(exc)
    except ValueError:  # an embedded NUL
        return InputProblem("other", "tên tệp chứa ký tự không hợp lệ")
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        return InputProblem("folder", "đây là một thư mục, không phải tệp")
    if stat.S_ISFIFO(mode):
        return InputProblem("special", "đây là một ống dẫn (FIFO), không phải tệp thường")
    if stat.S_ISSOCK(mode):
        return InputProblem("special", "đây là một socket, không phải tệp thường")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return InputProblem("special", "đây là một thiết bị, không phải tệp thường")
    if not stat.S_ISREG(mode):
        return InputProblem("special", "đây không phải tệp thường")
    try:  # the permission test that counts is the open itself (root, ACLs)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return _problem(exc)
    os.close(fd)
    return None


def _problem(exc: OSError) -> InputProblem:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return InputProblem("permission", "không có quyền đọc tệp")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return InputProblem("missing", "không tìm thấy tệp")
    return InputProblem("other", os_error_reason(exc))


def problem_text(path: Path, problem: InputProblem) -> str:
    """The one sentence every command prints for an unusable input file."""
    if problem.kind == "permission":
        return f"không có quyền đọc tệp {path}. Hãy xin quyền đọc, hoặc chép tệp vào thư " \
               f"mục của mình rồi chạy lại."
    if problem.kind == "missing":
        return f"không tìm thấy tệp {path}."
    return f"không đọc được tệp {path}: {problem.reason}."


def read_input(path: Path) -> bytes:
    """The bytes of an input file given by option (a template…); OSError with a Vietnamese
    message (see `os_error_text`) when it is not a readable regular file."""
    problem = input_problem(path)
    if problem is not None:
        raise OSError(problem_text(path, problem))
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise OSError(os_error_text(exc, path, reading=True)) from None


# ---------------------------------------------------------------- the system's errors


_REASONS = {
    errno.ENOSPC: "ổ đĩa đã đầy, không còn chỗ trống",
    errno.EDQUOT: "đã hết hạn mức dung lượng được cấp trên ổ đĩa",
    errno.EROFS: "ổ đĩa hoặc thư mục chỉ cho phép đọc, không ghi được",
    errno.EACCES: "không có quyền truy cập",
    errno.EPERM: "không được phép thực hiện thao tác này",
    errno.ENAMETOOLONG: "tên tệp hoặc đường dẫn quá dài",
    errno.EMFILE: "chương trình đang mở quá nhiều tệp cùng lúc",
    errno.ENFILE: "hệ thống đang mở quá nhiều tệp cùng lúc",
    errno.ENOENT: "không tìm thấy tệp hoặc thư mục",
    errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.EISDIR: "đây là một thư mục, không phải tệp",
    errno.ELOOP: "liên kết tượng trưng (symlink) vòng lặp, không trỏ tới tệp nào",
    errno.EEXIST: "tệp đã có",
    errno.EIO: "lỗi đọc/ghi của thiết bị (ổ đĩa hỏng hoặc bị rút ra)",
    errno.EBUSY: "tệp hoặc thiết bị đang bận",
    errno.ETXTBSY: "tệp đang được chương trình khác dùng",
    errno.EFBIG: "tệp vượt quá kích thước ổ đĩa cho phép",
    errno.EXDEV: "không chuyển được tệp sang ổ đĩa khác",
}


def os_error_reason(exc: OSError) -> str:
    """The reason of an OSError in Vietnamese (the system's own words are English)."""
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    if exc.errno is None and exc.args and isinstance(exc.args[0], str):
        return exc.args[0]  # one of ours, already in Vietnamese
    return f"lỗi hệ thống {errno.errorcode.get(exc.errno or 0, exc.errno)}"


def os_error_text(exc: OSError, path: Path | str | None = None, *, reading: bool = False
                  ) -> str:
    """"không ghi được <path>: <reason>" — `path` is what the user named (not the
    temporary sibling the system may have named), else the system's file name."""
    if exc.errno is None and exc.args and isinstance(exc.args[0], str) \
            and exc.args[0].startswith("không "):
        return exc.args[0]  # already a full Vietnamese sentence (read_input)
    where = path if path is not None else exc.filename
    shown = os.fsdecode(where) if where is not None else "tệp"
    verb = "không đọc được" if reading else "không ghi được"
    return f"{verb} {shown}: {os_error_reason(exc)}."
