"""Uploads, untrusted: multipart bodies streamed to a private folder under limits, and zip
archives unpacked under guards.

A file over the limit is refused while it streams in (`TooLarge`, 413), never read whole
first; a body that announces too much in Content-Length is refused before a byte is read.
Names are the client's: each is reduced to a safe base name (no folder, no device, no
control character) before anything is written, and a zip member whose path would leave
its folder refuses the whole archive.
"""

from __future__ import annotations

import asyncio
import stat
import unicodedata
import zipfile
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from ..batch import safe_stem
from ..vn import format_number, to_decimal

MB = 1024 * 1024
MAX_FIELD = 1024  # a text field (`pdf=1`) needs a few bytes
MAX_FIELDS = 20
MAX_MEMBERS = 1000  # units in one zip: a province has a few hundred


class UploadError(Exception):
    """A request the server refuses; the message is for the user, in Vietnamese."""

    status = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status


class TooLarge(UploadError):
    status = 413


def mb(n: int) -> str:
    return f"{number(n / MB)} MB"


def number(x: float) -> str:
    """A count of seconds or megabytes as Vietnamese writes it (0,5; 1.024)."""
    return format_number(to_decimal(x), 2)


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, str, Path]] = field(default_factory=list)  # field, name, saved

    def named(self, name: str) -> list[tuple[str, Path]]:
        return [(n, p) for f, n, p in self.files if f == name]


def safe_name(name: str) -> str:
    """The client's file name as a base name safe to create here (and on Windows)."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem:
        stem, suffix = base, ""
    suffix = "".join(c for c in suffix if c.isalnum())[:10]
    return safe_stem(stem) + (f".{suffix}" if suffix else "")


def place(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/2/name`, … when a file of that name (any case) is there:
    two units may send the same name, and each keeps it for its report."""
    n = 1
    while True:
        where = folder if n == 1 else folder / str(n)
        taken = {p.name.casefold() for p in where.iterdir()} if where.is_dir() else set()
        if name.casefold() not in taken:
            where.mkdir(parents=True, exist_ok=True)
            return where / name
        n += 1


async def receive_form(headers: dict[str, str], stream: AsyncIterator[bytes], folder: Path,
                       *, max_file: int, max_total: int, max_files: int,
                       idle: float = 60.0) -> Form:
    """Parse a multipart/form-data body into `folder`, refusing it as soon as a limit is
    passed: a file over `max_file`, a body over `max_total`, more than `max_files` files,
    `idle` seconds without a byte (a client trickling its upload holds a connection)."""
    ctype, params = parse_options_header(headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or b"boundary" not in params:
        raise UploadError("yêu cầu phải gửi tệp bằng biểu mẫu (multipart/form-data).")
    length = headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > max_total:
        raise TooLarge(f"dữ liệu gửi lên ({mb(int(length))}) vượt giới hạn {mb(max_total)}.")

    form = Form()
    state: dict = {"name": b"", "value": b"", "headers": {}, "out": None, "size": 0,
                   "data": bytearray(), "error": None}

    def fail(exc: UploadError) -> None:
        state["error"] = exc
        raise exc

    def on_part_begin() -> None:
        state.update(headers={}, out=None, size=0, data=bytearray())

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["name"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["name"].lower()] = state["value"]
        state["name"], state["value"] = b"", b""

    def on_headers_finished() -> None:
        _, opts = parse_options_header(state["headers"].get(b"content-disposition", b""))
        field_name = opts.get(b"name", b"").decode("utf-8", "replace")
        state["field"] = field_name
        if b"filename" in opts:
            if len(form.files) >= max_files:
                fail(TooLarge(f"gửi quá nhiều tệp một lần; tối đa {max_files} tệp."))
            name = opts[b"filename"].decode("utf-8", "replace")
            path = place(folder, safe_name(name) or "tep")
            state["out"] = path.open("xb")
            form.files.append((field_name, unicodedata.normalize("NFC", name), path))
        elif len(form.fields) >= MAX_FIELDS:
            fail(UploadError("biểu mẫu có quá nhiều trường."))

    def on_part_data(data: bytes, start: int, end: int) -> None:
        state["size"] += end - start
        if state["out"] is not None:
            if state["size"] > max_file:
                name = form.files[-1][1]
                fail(TooLarge(f"tệp {name} lớn hơn giới hạn {mb(max_file)} một tệp. "
                              "Một sổ Excel báo cáo không cần dung lượng như vậy: kiểm tra "
                              "lại tệp."))
            state["out"].write(data[start:end])
        else:
            if state["size"] > MAX_FIELD:
                fail(UploadError(f"trường {state['field']} quá dài."))
            state["data"] += data[start:end]

    def on_part_end() -> None:
        if state["out"] is not None:
            state["out"].close()
            state["out"] = None
        else:
            form.fields[state["field"]] = state["data"].decode("utf-8", "replace")

    parser = MultipartParser(params[b"boundary"], {
        "on_part_begin": on_part_begin, "on_part_data": on_part_data,
        "on_part_end": on_part_end, "on_header_field": on_header_field,
        "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
    })
    total = 0
    chunks = stream.__aiter__()
    try:
        while True:
            try:
                chunk = await asyncio.wait_for(chunks.__anext__(), idle)
            except StopAsyncIteration:
                break
            except TimeoutError:
                raise UploadError(f"quá {number(idle)} giây không nhận thêm được dữ liệu của tệp "
                                  "gửi lên; hãy gửi lại.", status=408) from None
            total += len(chunk)
            if total > max_total:
                raise TooLarge(f"dữ liệu gửi lên vượt giới hạn {mb(max_total)}.")
            parser.write(chunk)
        parser.finalize()
    except FormParserError:
        if state["error"] is not None:  # our own refusal, raised inside a callback
            raise state["error"] from None
        raise UploadError("dữ liệu biểu mẫu gửi lên bị hỏng hoặc không đầy đủ.") from None
    finally:
        if state["out"] is not None:
            state["out"].close()
    if state["error"] is not None:
        raise state["error"]
    return form


def _member_path(name: str) -> PurePosixPath | None:
    """The member's path made safe, or None when it would leave the folder."""
    parts = PurePosixPath(unicodedata.normalize("NFC", name).replace("\\", "/")).parts
    if not parts or name.startswith(("/", "\\")) or ":" in parts[0]:
        return None
    if any(p in ("..", ".") or "\x00" in p for p in parts):
        return None
    return PurePosixPath(*[safe_name(p) for p in parts])


def _junk(name: str) -> bool:
    """What a folder scan skips (hidden files and folders), and macOS's `__MACOSX` copies:
    checked on the member's own name, before it is made safe (which drops leading dots)."""
    parts = name.replace("\\", "/").split("/")
    return any(p.startswith(".") and p not in (".", "..") for p in parts) or \
        parts[0] == "__MACOSX"


def unpack(archive: Path, folder: Path, *, max_file: int, max_total: int,
           max_members: int = MAX_MEMBERS) -> int:
    """Unpack the zip `archive` into `folder`; the number of files written.

    Sizes are counted as the bytes come out, not taken from the archive's own claims;
    links, devices, folders, hidden files and `__MACOSX` are skipped (only regular files
    are written, by us);
    an encrypted member, a name leaving the folder or too many members refuse it all.
    """
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UploadError(f"tệp {archive.name} không phải tệp nén .zip đọc được ({exc}).") \
            from None
    with zf:
        members = zf.infolist()
        if len(members) > max_members:
            raise TooLarge(f"tệp nén có {len(members)} tệp; tối đa {max_members} tệp.")
        plans = []
        for info in members:
            kind = stat.S_IFMT(info.external_attr >> 16)  # 0: no Unix type (Windows zips)
            if info.is_dir() or kind not in (0, stat.S_IFREG):
                continue
            if _junk(info.filename):
                continue
            rel = _member_path(info.filename)
            if rel is None:
                raise UploadError(f"tệp nén có tên không an toàn: {info.filename!r} (đường dẫn "
                                  "ra ngoài thư mục). Tệp nén bị từ chối.")
            if info.flag_bits & 0x1:
                raise UploadError(f"tệp {info.filename} trong tệp nén được đặt mật khẩu; hãy "
                                  "nén lại không mật khẩu.")
            plans.append((info, rel))
        root = folder.resolve()
        total = 0
        written = 0
        for info, rel in plans:
            target = place(folder / Path(*rel.parts[:-1]), rel.name)
            if root not in target.resolve().parents:  # cannot happen after _member_path
                raise UploadError(f"tệp nén có tên không an toàn: {info.filename!r}.")
            size = 0
            try:
                with zf.open(info) as src, target.open("xb") as out:
                    while chunk := src.read(1024 * 1024):
                        size += len(chunk)
                        total += len(chunk)
                        if size > max_file:
                            raise TooLarge(f"tệp {info.filename} trong tệp nén lớn hơn giới "
                                           f"hạn {mb(max_file)} một tệp.")
                        if total > max_total:
                            raise TooLarge(f"tệp nén giải nén ra quá {mb(max_total)}.")
                        out.write(chunk)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError,
                    ValueError) as exc:
                raise UploadError(f"tệp nén bị hỏng ở {info.filename} ({exc}).") from None
            written += 1
        return written
