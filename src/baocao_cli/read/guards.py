"""Guards that run before any parser: what the file is, what it would inflate to, DTDs.

A workbook is untrusted input: its size, ratio and XML prologs are checked from the zip's
central directory and a bounded streaming pass, so nothing large or hostile is ever parsed.
"""

from __future__ import annotations

import bisect
import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from ..files import InputProblem, input_problem
from ..issues import Issue, make

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # far above any unit's report, far below a zip bomb
MAX_RATIO = 200  # a deflated sheet XML rarely exceeds ~20:1
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")  # an encrypted .xlsx's OLE2 stream


def check_file(path: Path) -> Issue | None:
    """Refuse what is not a readable .xlsx before any XML parser sees it (cheap, bounded)."""
    return inspect(path)[0]


KEEP_PART = 1 << 20  # XML members up to this size are kept inflated for the reader…
KEEP_TOTAL = 8 << 20  # …up to this much in all: a unit's parts are a few KB each


def inspect(path: Path, keep: bool = False
             ) -> tuple[Issue | None, list[str], dict[str, bytes]]:
    """The file's problem (None when it can be opened), its members' names, and (`keep`)
    its small XML members, inflated.

    One streaming pass over the zip: sizes are capped from the central directory before
    anything is inflated, every member is inflated in 1 MB chunks (checking its CRC) and
    XML prologs are searched for DTD declarations (entity attacks). The reader parses the
    kept members rather than inflating them a second time. A small, sound zip (a unit's
    workbook) is read whole and inflated from memory instead, with the same verdict.
    """
    name = path.name
    problem = input_problem(path)  # a FIFO, a device, a loop, no permission: never opened
    if problem is not None:
        return _file_issue(path, problem), [], {}
    try:
        size = path.stat().st_size
        fh = path.open("rb")
    except OSError as exc:
        return make("E006", sheet=name, detail=exc.strerror or str(exc)), [], {}
    with fh:  # one open file for the signature, the zip test and the members
        try:
            head = fh.read(8)
            # A small zip is read whole: its members are inflated from memory (`_inflated`)
            data = head + fh.read(_WHOLE_FILE) if 8 <= size <= _WHOLE_FILE \
                and head != OLE_MAGIC else None
        except OSError as exc:
            return make("E006", sheet=name, detail=exc.strerror or str(exc)), [], {}
        if size == 0:
            return make("E002", sheet=name), [], {}
        if head == OLE_MAGIC:
            return _inspect_ole(path, size)
        source = io.BytesIO(data) if data is not None else fh
        if not zipfile.is_zipfile(source):
            if head.startswith(b"PK\x03\x04"):
                return make("E006", sheet=name, detail="tệp nén ZIP bị cắt cụt, thiếu phần "
                            "danh mục ở cuối tệp"), [], {}
            source.seek(0)
            kind = _text_kind(source.read(4096), path.suffix) if _looks_text(head) \
                else "không phải tệp nén ZIP"
            return make("E003", sheet=name, detail=kind), [], {}
        try:
            with zipfile.ZipFile(source) as zf:
                return _inspect_zip(zf, name, keep, data)
        except Exception as exc:  # zipfile and zlib raise many types for damaged archives
            return make("E006", sheet=name, detail=_zip_detail(exc)), [], {}


def _file_issue(path: Path, problem: InputProblem) -> Issue:
    """One issue, the same in validate, build and batch, for a path that is no readable file."""
    name = path.name
    if problem.kind == "missing":
        return make("E001", sheet=name)
    if problem.kind == "folder":
        return make("E003", sheet=name, detail="đây là một thư mục")
    if problem.kind == "permission":
        return make("E011", sheet=name, file=name)
    return make("E010", sheet=name, detail=problem.reason)


def _inspect_zip(zf: zipfile.ZipFile, name: str, keep: bool, data: bytes | None = None
                 ) -> tuple[Issue | None, list[str], dict[str, bytes]]:
    infos = zf.infolist()
    names = [i.filename for i in infos]
    if "xl/workbook.bin" in names and "xl/workbook.xml" not in names:
        return make("E004", sheet=name, detail="sổ Excel nhị phân (.xlsb)"), [], {}
    if "xl/workbook.xml" not in names and not _is_ods(zf, names):
        if (other := _opendocument(zf, names)) is not None:
            return make("E004", sheet=name, detail=other), [], {}
        return make("E003", sheet=name, detail="tệp nén không chứa sổ Excel"), [], {}
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED or any(
        i.compress_size and i.file_size / i.compress_size > MAX_RATIO
        and i.file_size > 10 * 1024 * 1024 for i in infos
    ):
        return make("E007", sheet=name, detail=f"{total // (1024 * 1024)} MB",
                    limit=f"{MAX_UNCOMPRESSED // (1024 * 1024)} MB"), [], {}
    parts: dict[str, bytes] = {}
    kept = 0
    for info, first in _first_chunks(zf, infos, data):
        if not first or not info.filename.endswith((".xml", ".rels")):
            continue  # an empty member (no first chunk), or not XML
        if declares_dtd(first if len(first) <= _PROLOG else first[:_PROLOG]):
            return make("E009", sheet=name, part=info.filename), [], {}
        # a member of at most 1 MB came whole in its first chunk
        if keep and info.file_size <= KEEP_PART and kept + len(first) <= KEEP_TOTAL:
            parts[info.filename] = first
            kept += len(first)
    return None, names, parts


def _first_chunks(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], data: bytes | None
                  ) -> Iterator[tuple[zipfile.ZipInfo, bytes]]:
    """Each member (folders aside) with its first 1 MB, inflated and checked to its end
    (CRC): from memory when the zip is small and sound (`_inflated`), else streamed, the
    rest of a member read only once the caller has looked at its first chunk."""
    whole = _inflated(data, infos, zf.start_dir) if data is not None else None
    for info in infos:
        if info.is_dir():
            continue
        if whole is not None:  # each member at most 1 MB: whole in its first chunk
            yield info, whole[info.filename]
            continue
        with zf.open(info) as fh:
            yield info, fh.read(1 << 20)
            while fh.read(1 << 20):  # reading to the end checks the CRC
                pass


# A file this small is read whole and its members inflated from memory when each is one the
# reader may keep and all of them fit what it keeps: no more is ever held than the streaming
# pass holds. zipfile's per-member opening was most of a unit's guard.
_WHOLE_FILE = 4 << 20
_LOCAL = struct.Struct("<4s22xHH")  # a local header's signature and its two lengths


def _inflated(data: bytes, infos: list[zipfile.ZipInfo], start_dir: int
              ) -> dict[str, bytes] | None:
    """Every member of a small zip, inflated, or None when anything is not the plain case
    (encryption, another compression, a local header that differs from the directory, an
    overlap, a short or long stream, a wrong CRC): the streaming pass then decides, with
    zipfile's own errors. The test is at least as strict as zipfile's reading, so a file
    accepted here is one the streaming pass accepts, with the same bytes."""
    if sum(i.file_size for i in infos) > KEEP_TOTAL \
            or any(i.file_size > KEEP_PART for i in infos):
        return None
    ends = sorted({i.header_offset for i in infos} | {start_dir})
    out: dict[str, bytes] = {}
    for info in infos:
        if info.is_dir():
            continue
        if info.flag_bits & 0x61 or info.compress_type not in (zipfile.ZIP_STORED,
                                                               zipfile.ZIP_DEFLATED):
            return None  # encrypted, patched data, strong encryption; bzip2, lzma…
        at = info.header_offset
        if at + _LOCAL.size > len(data) or at >= start_dir:
            return None
        signature, name_len, extra_len = _LOCAL.unpack_from(data, at)
        flags = int.from_bytes(data[at + 6:at + 8], "little")
        raw = data[at + 30:at + 30 + name_len]
        try:
            local_name = raw.decode("utf-8" if flags & 0x800 else "cp437")
        except UnicodeDecodeError:
            return None
        start = at + 30 + name_len + extra_len
        end = start + info.compress_size
        limit = ends[bisect.bisect_right(ends, at)]  # the next header or the directory
        if signature != b"PK\x03\x04" or local_name != info.orig_filename \
                or end > min(limit, len(data)) or info.filename in out:
            return None
        if info.compress_type == zipfile.ZIP_STORED:
            member = data[start:end]
        else:
            inflate = zlib.decompressobj(-15)
            try:  # never more than the directory's size, whatever the stream holds
                member = inflate.decompress(data[start:end], info.file_size)
            except zlib.error:
                return None
            if not inflate.eof:
                return None
        if len(member) != info.file_size or zlib.crc32(member) != info.CRC:
            return None
        out[info.filename] = member
    return out


_PROLOG = 64 * 1024  # a DOCTYPE can only come before the root element
_DTD_MARKS = tuple(m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY")
                   for enc in ("ascii", "utf-16-le", "utf-16-be"))


def declares_dtd(data: bytes) -> bool:
    """An .xlsx never carries a DTD; one is refused before any XML parser sees it.

    Both marks start with `<!`, which most parts never contain (no comment, no CDATA):
    one search usually settles it (`<\0!` is that start in UTF-16 of either order).
    """
    if b"<!" not in data and b"<\x00!" not in data:
        return False
    return any(mark in data for mark in _DTD_MARKS)


def sniff_kind(path: Path) -> str:
    """`workbook_kind` of a file already accepted, from its signature and zip directory."""
    with path.open("rb") as fh:
        if fh.read(8) == OLE_MAGIC:
            return "xls"
        with zipfile.ZipFile(fh) as zf:
            return workbook_kind(zf.namelist())


def workbook_kind(names: list[str]) -> str:
    """Which reader takes a file `inspect` accepted: "xlsx", "ods" or "xls"."""
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "ods" if "content.xml" in names else "xls"


def _is_ods(zf: zipfile.ZipFile, names: list[str]) -> bool:
    """An OpenDocument spreadsheet: its `mimetype` member says so, and it has content.xml."""
    if "content.xml" not in names or "mimetype" not in names \
            or zf.getinfo("mimetype").file_size > 200:
        return False
    return zf.read("mimetype").strip() == b"application/vnd.oasis.opendocument.spreadsheet"


_OPENDOCUMENT = {"text": "văn bản OpenDocument (.odt)",
                 "presentation": "trình chiếu OpenDocument (.odp)",
                 "graphics": "bản vẽ OpenDocument (.odg)"}


def _opendocument(zf: zipfile.ZipFile, names: list[str]) -> str | None:
    """An OpenDocument file that is not a spreadsheet, named for the message."""
    if "mimetype" not in names or zf.getinfo("mimetype").file_size > 200:
        return None
    kind = zf.read("mimetype").strip().decode("ascii", "replace")
    prefix = "application/vnd.oasis.opendocument."
    return _OPENDOCUMENT.get(kind[len(prefix):].split("-")[0]) if kind.startswith(prefix) \
        else None


def _inspect_ole(path: Path, size: int) -> tuple[Issue | None, list[str], dict[str, bytes]]:
    """An OLE2 file: an Excel 97-2003 workbook is read (its streams named), an encrypted
    .xlsx or another Office document is refused by name."""
    from .xls import other_document, stream

    name = path.name
    if size > MAX_UNCOMPRESSED:
        return make("E007", sheet=name, detail=f"{size // (1024 * 1024)} MB",
                    limit=f"{MAX_UNCOMPRESSED // (1024 * 1024)} MB"), [], {}
    try:
        names, _ = stream(path)
    except Exception:  # olefile raises many types for a damaged container
        with path.open("rb") as fh:  # an encrypted .xlsx still names its stream
            if ENCRYPTED_MARK in fh.read(4 * 1024 * 1024):
                return make("E005", sheet=name), [], {}
        return make("E006", sheet=name, detail="cấu trúc tệp Office 97-2003 (OLE2) bị "
                    "hỏng"), [], {}
    if "EncryptionInfo" in names or "EncryptedPackage" in names:
        return make("E005", sheet=name), [], {}
    if (other := other_document(names)) is not None:
        return make("E004", sheet=name, detail=other), [], {}
    return None, names, {}


_HTML_MARKS = (b"<html", b"<!doctype html", b"<table", b"<meta", b"<head", b"<body")


def _text_kind(head: bytes, suffix: str) -> str:
    """What a text file given as a workbook is: HTML or Excel 2003 XML, which some systems
    export under the name `.xls`, or CSV/plain text (the message's detail)."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        head = head.decode("utf-16", "replace").encode("utf-8", "replace")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    shown = suffix or "(không đuôi)"
    if b"urn:schemas-microsoft-com:office:spreadsheet" in text \
            or b'progid="excel.sheet"' in text:
        return (f"bảng tính XML của Excel 2003 mang đuôi {shown}, thường do phần mềm quản lý "
                "văn bản xuất ra")
    if b"urn:oasis:names:tc:opendocument:xmlns:office" in text:
        return f"bảng tính OpenDocument dạng XML phẳng (.fods) mang đuôi {shown}"
    if any(m in text for m in _HTML_MARKS):
        return (f"tệp HTML mang đuôi {shown}, thường do phần mềm quản lý văn bản xuất ra; "
                "trong Excel chọn File > Save As")
    return "có vẻ là tệp văn bản hoặc CSV"


def _looks_text(head: bytes) -> bool:
    return all(b in b"\t\n\r" or 32 <= b < 127 or b >= 0x80 for b in head)


def _zip_detail(exc: Exception) -> str:
    if isinstance(exc, zipfile.BadZipFile) and "CRC" in str(exc):
        return "dữ liệu bên trong bị sai lệch (lỗi kiểm tra CRC)"
    if isinstance(exc, NotImplementedError):  # zipfile's word for an unknown compression
        return "dùng kiểu nén không được hỗ trợ"
    if isinstance(exc, RuntimeError) and "encrypted" in str(exc).lower():
        return "tệp nén có đặt mật khẩu"
    return "dữ liệu nén bên trong bị lỗi, không giải nén được"
