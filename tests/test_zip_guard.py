"""read/guards.py's in-memory pass against the streaming pass it stands in for.

A small workbook is read whole and its members inflated from memory (`guards._inflated`);
anything out of the plain case goes to the streaming pass over zipfile, whose verdicts and
messages stay the only ones. Every archive here is inspected both ways (the in-memory pass
closed by `_WHOLE_FILE = 0`) and the results compared: the issue, the names, the parts
kept for the reader. Sound archives must take the in-memory pass, or its speed is gone
without a test noticing; damaged ones must not.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_bad_workbooks import _members, _valid, make_corrupt_member

from baocao_cli.read import guards
from baocao_cli.read.guards import inspect


def _zip(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED
         ) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _result(path: Path) -> Any:
    issue, names, parts = inspect(path, keep=True)
    return (issue.code, issue.message) if issue else None, names, parts


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    fast = _result(path)
    with monkeypatch.context() as m:
        m.setattr(guards, "_WHOLE_FILE", 0)
        slow = _result(path)
    return fast, slow


def _in_memory(path: Path) -> bool:
    """Whether the in-memory pass accepts `path` (and so decides for it)."""
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return guards._inflated(data, zf.infolist(), zf.start_dir) is not None


# ---------------------------------------------------------------- the archives

def _with(tmp: Path, name: str, changes: Callable[[dict[str, bytes]], dict[str, bytes]]
          ) -> Path:
    """The valid workbook, rezipped with some members added or replaced."""
    members = _members(_valid(tmp))
    return _zip(tmp / name, members | changes(members))


def sound(tmp: Path) -> Path:
    return _valid(tmp)


def stored(tmp: Path) -> Path:
    return _zip(tmp / "luu.xlsx", _members(_valid(tmp)), zipfile.ZIP_STORED)


def with_folder_and_empty_member(tmp: Path) -> Path:
    return _with(tmp, "rong.xlsx", lambda _m: {"xl/media/": b"", "customXml/item1.xml": b""})


def data_descriptors(tmp: Path) -> Path:
    """Written to a stream that cannot seek: sizes after the data (flag bit 3)."""
    class Unseekable(io.RawIOBase):
        def __init__(self) -> None:
            self.buf = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b: Any) -> int:
            self.buf += b
            return len(b)

    out = Unseekable()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in _members(_valid(tmp)).items():
            zf.writestr(name, data)
    (p := tmp / "mo-ta.xlsx").write_bytes(bytes(out.buf))
    return p


def prefixed(tmp: Path) -> Path:
    """Bytes before the first member (zipfile reads such archives by the offset found)."""
    (p := tmp / "dau.xlsx").write_bytes(b"MZ" + bytes(500) + _valid(tmp).read_bytes())
    return p


def utf8_names(tmp: Path) -> Path:
    return _with(tmp, "ten.xlsx", lambda _m: {"xl/media/ảnh-đơn-vị.xml": b"<a/>"})


def dtd_in_sheet(tmp: Path) -> Path:
    dtd = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>'
    return _with(tmp, "dtd.xlsx", lambda m: {
        "xl/worksheets/sheet2.xml": dtd + m["xl/worksheets/sheet2.xml"][38:]})


def large_part(tmp: Path) -> Path:
    """A member larger than the reader keeps: streamed, never held whole."""
    big = b"<a>" + b"x" * (guards.KEEP_PART + 10) + b"</a>"
    return _with(tmp, "lon.xlsx", lambda _m: {"xl/media/lon.xml": big})


def bzip2_member(tmp: Path) -> Path:
    """Another compression zipfile reads: the streaming pass decides."""
    p = _valid(tmp)
    members = _members(p)
    with zipfile.ZipFile(tmp / "bz.xlsx", "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data, zipfile.ZIP_BZIP2 if name.endswith("theme1.xml")
                        else zipfile.ZIP_DEFLATED)
    return tmp / "bz.xlsx"


def _patched(tmp: Path, name: str, edit: Callable[[bytearray, zipfile.ZipInfo], None]) -> Path:
    src = _valid(tmp)
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        edit(data, zf.getinfo("xl/worksheets/sheet1.xml"))
    (p := tmp / name).write_bytes(bytes(data))
    return p


def _find_central(data: bytearray, name: bytes) -> int:
    at = data.index(b"PK\x01\x02")
    while True:
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, at + 28)
        if bytes(data[at + 46:at + 46 + name_len]) == name:
            return at
        at += 46 + name_len + extra_len + comment_len


def wrong_crc(tmp: Path) -> Path:
    def edit(data: bytearray, info: zipfile.ZipInfo) -> None:
        at = _find_central(data, info.filename.encode())
        struct.pack_into("<I", data, at + 16, info.CRC ^ 1)
    return _patched(tmp, "crc.xlsx", edit)


def size_too_small(tmp: Path) -> Path:
    """The directory says the member is shorter than its stream inflates to."""
    def edit(data: bytearray, info: zipfile.ZipInfo) -> None:
        at = _find_central(data, info.filename.encode())
        struct.pack_into("<I", data, at + 24, info.file_size - 100)
    return _patched(tmp, "ngan.xlsx", edit)


def size_too_large(tmp: Path) -> Path:
    def edit(data: bytearray, info: zipfile.ZipInfo) -> None:
        at = _find_central(data, info.filename.encode())
        struct.pack_into("<I", data, at + 24, info.file_size + 100)
    return _patched(tmp, "dai.xlsx", edit)


def local_name_differs(tmp: Path) -> Path:
    def edit(data: bytearray, info: zipfile.ZipInfo) -> None:
        data[info.header_offset + 30] = ord("y")  # "xl/…" becomes "yl/…" in the local header
    return _patched(tmp, "ten-lech.xlsx", edit)


def bad_local_signature(tmp: Path) -> Path:
    def edit(data: bytearray, info: zipfile.ZipInfo) -> None:
        data[info.header_offset + 3] = 0
    return _patched(tmp, "chu-ky.xlsx", edit)


def encrypted_flag(tmp: Path) -> Path:
    def edit(data: bytearray, info: zipfile.ZipInfo) -> None:
        at = _find_central(data, info.filename.encode())
        struct.pack_into("<H", data, at + 8, 1)
        struct.pack_into("<H", data, info.header_offset + 6, 1)
    return _patched(tmp, "mat-khau.xlsx", edit)


def overlapping(tmp: Path) -> Path:
    """Two directory entries over one local member's bytes (a known bomb shape)."""
    def edit(data: bytearray, info: zipfile.ZipInfo) -> None:
        at = _find_central(data, info.filename.encode())
        compressed = struct.unpack_from("<I", data, at + 20)[0]
        struct.pack_into("<I", data, at + 20, compressed + 200)  # runs into the next member
    return _patched(tmp, "chong.xlsx", edit)


def truncated_stream(tmp: Path) -> Path:
    """The stream ends before its size: the directory's compressed size cut short."""
    def edit(data: bytearray, info: zipfile.ZipInfo) -> None:
        at = _find_central(data, info.filename.encode())
        struct.pack_into("<I", data, at + 20, info.compress_size // 2)
    return _patched(tmp, "cut.xlsx", edit)


SOUND = [sound, stored, with_folder_and_empty_member, data_descriptors, prefixed, utf8_names,
         dtd_in_sheet]
STREAMED = [large_part]
DAMAGED = [bzip2_member, make_corrupt_member, wrong_crc, size_too_small, size_too_large,
           local_name_differs, bad_local_signature, encrypted_flag, overlapping,
           truncated_stream]


@pytest.mark.parametrize("make", SOUND + STREAMED + DAMAGED, ids=lambda f: f.__name__)
def test_both_passes_give_the_same_verdict_and_parts(make: Callable[[Path], Path],
                                                     tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = make(tmp_path)
    fast, slow = _both(path, monkeypatch)
    assert fast == slow


@pytest.mark.parametrize("make", SOUND, ids=lambda f: f.__name__)
def test_sound_archives_take_the_in_memory_pass(make: Callable[[Path], Path],
                                                tmp_path: Path) -> None:
    assert _in_memory(make(tmp_path))


@pytest.mark.parametrize("make", STREAMED + DAMAGED, ids=lambda f: f.__name__)
def test_large_or_damaged_archives_go_to_the_streaming_pass(make: Callable[[Path], Path],
                                                   tmp_path: Path) -> None:
    assert not _in_memory(make(tmp_path))


def test_damaged_archives_are_refused_with_zipfiles_words(tmp_path: Path) -> None:
    """What the streaming pass says of them, so the comparison above compares refusals as
    well as acceptances: zipfile reads a bzip2 member, a member shorter than its directory
    entry says (its CRC holds) and an entry running into the next member."""
    codes = {make.__name__: _result(make(tmp_path))[0] for make in DAMAGED}
    accepted = {name for name, issue in codes.items() if issue is None}
    assert accepted == {"bzip2_member", "size_too_large", "overlapping"}
    assert {codes[name][0] for name in set(codes) - accepted} == {"E006"}, codes


def test_sound_archive_keeps_its_xml_parts(tmp_path: Path) -> None:
    path = _valid(tmp_path)
    issue, names, parts = inspect(path, keep=True)
    assert issue is None
    assert set(parts) == {n for n in names if n.endswith((".xml", ".rels"))}
    assert parts == {n: b for n, b in _members(path).items() if n in parts}


def test_a_large_file_is_streamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past `_WHOLE_FILE` bytes the file is not read whole; the result is the same."""
    path = _valid(tmp_path)
    expected = _result(path)
    monkeypatch.setattr(guards, "_WHOLE_FILE", path.stat().st_size - 1)
    calls: list[bool] = []
    real = guards._inflated
    monkeypatch.setattr(guards, "_inflated", lambda *a: calls.append(True) or real(*a))
    assert _result(path) == expected
    assert calls == []
