"""Attacks on the commands' files, streams and processes (issue 12, points 1, 2, 3, 5, 8).

Every case uses real files and, where signals, encodings or permissions are involved, the
installed command in a subprocess: outputs never replace inputs, any console encoding,
Ctrl-C and SIGTERM leave nothing behind, odd files get one message, system errors are
Vietnamese.
"""

from __future__ import annotations

import contextlib
import errno
import os
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from baocao_cli.cli import app
from baocao_cli.files import (
    MAX_NAME_BYTES,
    PathClash,
    check_clash,
    os_error_text,
    temp_prefix,
    write_atomic,
)

runner = CliRunner()
CLI = [sys.executable, "-m", "baocao_cli.cli"]
HAS_SOFFICE = shutil.which("soffice") is not None or shutil.which("libreoffice") is not None
needs_soffice = pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice is not installed")


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 120,
        **kw) -> subprocess.CompletedProcess[bytes]:
    """The command as a user runs it; bytes out, so that the encoding is the test's."""
    full = dict(os.environ, **(env or {}))
    return subprocess.run(CLI + args, cwd=cwd, env=full, capture_output=True,
                          timeout=timeout, check=False, **kw)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture
def unit(tmp_path: Path, example: Path) -> Path:
    data = tmp_path / "don-vi.xlsx"
    shutil.copy(example, data)
    return data


@pytest.fixture
def units(tmp_path: Path, example: Path) -> Path:
    folder = tmp_path / "units"
    folder.mkdir()
    for name in ("a.xlsx", "b.xlsx"):
        shutil.copy(example, folder / name)
    return folder


# ---------------------------------------------------------------- 1. no output over an input


def _build_clash(tmp: Path, unit: Path) -> tuple[list[str], Path]:
    victim = tmp / "x.pdf"
    victim.write_bytes(b"%PDF- the register")
    return ["build", str(unit), "-o", str(tmp / "x.docx"), "--pdf", "--so-van-ban",
            str(victim)], victim


def _hard_link(tmp: Path, unit: Path) -> tuple[list[str], Path]:
    os.link(unit, tmp / "bc.docx")
    return ["build", str(unit), "-o", str(tmp / "bc.docx")], unit


def _symlink(tmp: Path, unit: Path) -> tuple[list[str], Path]:
    (tmp / "bc.docx").symlink_to(unit)
    return ["build", str(unit), "-o", str(tmp / "bc.docx")], unit


def _template_is_output(tmp: Path, unit: Path) -> tuple[list[str], Path]:
    template = tmp / "mau.docx"
    template.write_bytes(b"an edited template")
    return ["build", str(unit), "-o", str(template), "--template", str(template)], template


def _docx_input_default_output(tmp: Path, unit: Path) -> tuple[list[str], Path]:
    odd = tmp / "so.docx"
    shutil.copy(unit, odd)
    return ["build", str(odd)], odd


def _so_van_ban_is_output(tmp: Path, unit: Path) -> tuple[list[str], Path]:
    register = tmp / "so.docx"
    shutil.copy(unit, register)
    return ["build", str(unit), "-o", str(register), "--so-van-ban", str(register)], register


def _rules_linked_as_output(tmp: Path, unit: Path) -> tuple[list[str], Path]:
    from importlib import resources

    rules = tmp / "quy-tac.toml"
    rules.write_text(resources.files("baocao_cli.score").joinpath(
        "data/ha-tinh-2021.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp / "out.docx").symlink_to(rules)
    return ["build", str(unit), "-o", str(tmp / "out.docx"), "--rules", str(rules)], rules


def _batch_summary_named(tmp: Path, unit: Path) -> tuple[list[str], Path]:
    out = tmp / "out"
    out.mkdir()
    kept = out / "tong-hop.xlsx"
    shutil.copy(unit, kept)
    return ["batch", str(unit), str(kept), "-o", str(out)], kept


def _batch_info_is_summary(tmp: Path, unit: Path) -> tuple[list[str], Path]:
    out = tmp / "out"
    out.mkdir()
    info = out / "tong-hop.xlsx"
    shutil.copy(unit, info)
    return ["batch", str(unit), "-o", str(out), "--info", str(info)], info


def _batch_template_is_summary(tmp: Path, unit: Path) -> tuple[list[str], Path]:
    out = tmp / "out"
    out.mkdir()
    template = out / "tong-hop.docx"
    template.write_bytes(b"an edited template")
    return ["batch", str(unit), "-o", str(out), "--template", str(template)], template


def _batch_docx_input_in_outdir(tmp: Path, unit: Path) -> tuple[list[str], Path]:
    out = tmp / "out"
    out.mkdir()
    odd = out / "bao-cao.docx"
    shutil.copy(unit, odd)
    return ["batch", str(odd), "-o", str(out)], odd


def _batch_pdf_input(tmp: Path, unit: Path) -> tuple[list[str], Path]:
    out = tmp / "out"
    out.mkdir()
    odd = out / "so.pdf"
    shutil.copy(unit, odd)
    return ["batch", str(odd), "-o", str(out), "--pdf"], odd


CLASHES = {
    "build-pdf-over-so-van-ban": _build_clash,
    "build-output-hard-link-of-input": _hard_link,
    "build-output-symlink-to-input": _symlink,
    "build-output-is-template": _template_is_output,
    "build-default-output-is-input": _docx_input_default_output,
    "build-output-is-so-van-ban": _so_van_ban_is_output,
    "build-output-links-to-rules": _rules_linked_as_output,
    "batch-input-named-tong-hop": _batch_summary_named,
    "batch-info-is-tong-hop": _batch_info_is_summary,
    "batch-template-is-tong-hop": _batch_template_is_summary,
    "batch-docx-input-in-outdir": _batch_docx_input_in_outdir,
    "batch-pdf-over-input": _batch_pdf_input,
}


@pytest.mark.parametrize("case", CLASHES)
def test_an_output_never_replaces_an_input(case: str, tmp_path: Path, unit: Path) -> None:
    args, victim = CLASHES[case](tmp_path, unit)
    before = snapshot(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "trùng với" in result.output and "ghi đè lên tệp đầu vào" in result.output
    assert str(victim) in result.output or victim.name in result.output
    assert snapshot(tmp_path) == before  # nothing written, nothing replaced


def test_clash_check_is_one_library_function_for_later_options(tmp_path: Path) -> None:
    """An input option added later (--don-vi, --nam-truoc…) is protected by listing it."""
    roster = tmp_path / "don-vi.xlsx"
    roster.write_bytes(b"roster")
    with pytest.raises(PathClash, match="--don-vi"):
        check_clash([(tmp_path / "x" / ".." / "don-vi.xlsx", "bảng tổng hợp")],
                    [(None, "--nam-truoc"), (roster, "danh sách đơn vị (--don-vi)")])
    check_clash([(tmp_path / "other.xlsx", "bảng tổng hợp")], [(roster, "--don-vi")])


def test_template_export_keeps_an_edited_template(tmp_path: Path) -> None:
    edited = tmp_path / "mau.docx"
    edited.write_bytes(b"edited by hand")
    refused = runner.invoke(app, ["template", "export", str(edited)])
    assert refused.exit_code == 2 and "--force" in refused.output
    assert edited.read_bytes() == b"edited by hand"
    forced = runner.invoke(app, ["template", "export", str(edited), "--force"])
    assert forced.exit_code == 0, forced.output
    assert edited.read_bytes()[:2] == b"PK"


def test_unit_named_like_the_summary_gets_another_name(tmp_path: Path, unit: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(unit, src / "tong-hop.xlsx")
    result = runner.invoke(app, ["batch", str(src), "-o", str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "tong-hop-2.docx", "tong-hop.docx", "tong-hop.xlsx"]


# ---------------------------------------------------------------- 2. any console, any pipe

ENCODINGS = ["cp1258", "cp1252", "ascii", "latin-1"]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("command", ["validate", "batch", "help", "build"])
def test_any_console_encoding(encoding: str, command: str, tmp_path: Path,
                              unit: Path) -> None:
    args = {"validate": ["validate", str(unit)],
            "batch": ["batch", str(unit), "-o", str(tmp_path / "out"), "-j", "2"],
            "help": ["--help"],
            "build": ["build", str(unit), "-o", str(tmp_path / "bc.docx")]}[command]
    proc = run(args, tmp_path, {"PYTHONIOENCODING": encoding})
    assert b"Traceback" not in proc.stderr and b"UnicodeEncodeError" not in proc.stderr
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    out = proc.stdout.decode("utf-8")  # the documented fallback: UTF-8
    expected = {"validate": "hợp lệ", "batch": "Bảng tổng hợp", "help": "Lập báo cáo",
                "build": "Đã ghi báo cáo"}[command]
    assert expected in out
    if command == "batch":
        assert (tmp_path / "out" / "tong-hop.xlsx").is_file()
        assert (tmp_path / "out" / "tong-hop.docx").is_file()


def test_an_encoding_that_holds_vietnamese_is_kept(tmp_path: Path, unit: Path) -> None:
    proc = run(["validate", str(unit)], tmp_path, {"PYTHONIOENCODING": "utf-16"})
    assert proc.returncode == 0
    assert "hợp lệ" in proc.stdout.decode("utf-16")


NOT_UTF8 = b"B\xe1o c\xe1o \xd0\xf4n v\xec.xlsx"  # cp1258/latin-1 bytes, as unzipped


@pytest.fixture
def odd_name(tmp_path: Path, unit: Path) -> Path:
    folder = tmp_path / "nu"
    folder.mkdir()
    target = os.path.join(os.fsencode(folder), NOT_UTF8)
    try:
        shutil.copy(unit, target)
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    return folder


@pytest.mark.parametrize("encoding", ["utf-8", "ascii"])
@pytest.mark.parametrize("command", ["validate", "batch", "build", "validate-json"])
def test_names_that_are_not_utf8(command: str, encoding: str, tmp_path: Path,
                                 odd_name: Path) -> None:
    path = os.path.join(os.fsencode(odd_name), NOT_UTF8)
    args: list = {"validate": ["validate", str(odd_name)],
                  "validate-json": ["validate", "--format", "json", str(odd_name)],
                  "batch": ["batch", str(odd_name), "-o", str(tmp_path / "out")],
                  "build": ["build", path, "-o", str(tmp_path / "bc.docx")]}[command]
    proc = run(args, tmp_path, {"PYTHONIOENCODING": encoding})
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in proc.stderr
    out = proc.stdout.decode("utf-8")
    if command != "build":
        assert "B\ufffdo c\ufffdo" in out  # shown with replacement characters
    if command == "batch":
        made = sorted(p.name for p in (tmp_path / "out").iterdir())
        assert made == ["B\ufffdo c\ufffdo \ufffd\ufffdn v\ufffd.docx", "tong-hop.docx",
                        "tong-hop.xlsx"]


def test_closed_stdout_keeps_the_summary(tmp_path: Path, units: Path) -> None:
    """`baocao batch … | head -1`: the batch finishes its files and exits quietly."""
    out = tmp_path / "out"
    proc = subprocess.Popen([*CLI, "batch", str(units), "-o", str(out), "-j", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does after its line
    err = proc.stderr.read()
    proc.wait(timeout=120)
    assert b"[1/2]" in first
    assert proc.returncode == 0, err
    assert b"Broken pipe" not in err and b"Traceback" not in err and b"Exception" not in err
    assert {p.name for p in out.iterdir()} == {"a.docx", "b.docx", "tong-hop.xlsx",
                                               "tong-hop.docx"}


# ---------------------------------------------------------------- 3. signals


def _session(pid: int) -> list[tuple[int, str]]:
    """Live processes of session `pid` (the command's own, started with setsid)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == pid and fields[0] != b"Z":
            found.append((int(entry), fields[0].decode()))
    return found


def _using(folder: Path) -> list[str]:
    """Live processes whose command line names `folder` (LibreOffice runs in a session
    of its own, its profile inside our temporary folder)."""
    hits = []
    needle = os.fsencode(folder)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read()
            with open(f"/proc/{entry}/stat", "rb") as fh:
                state = fh.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in cmd and state != b"Z":
            hits.append(cmd.replace(b"\0", b" ").decode("utf-8", "replace"))
    return hits


def _interrupt(args: list[str], cwd: Path, tmpdir: Path, wait_for: bytes, sig: int,
               group: bool) -> tuple[int, float, str, str, int]:
    """Start the command as a foreground job would be (its own process group), wait for
    `wait_for` on stdout, send `sig` to the group (Ctrl-C) or to the parent alone."""
    env = dict(os.environ, TMPDIR=str(tmpdir))
    proc = subprocess.Popen([*CLI, *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    assert proc.stdout is not None and proc.stderr is not None
    seen = b""
    deadline = time.monotonic() + 120
    while wait_for not in seen and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen += line
    assert wait_for in seen, seen
    time.sleep(0.3)  # into the next unit's work
    sent = time.monotonic()
    if group:
        os.killpg(proc.pid, sig)
    else:
        os.kill(proc.pid, sig)
    out, err = proc.communicate(timeout=30)
    took = time.monotonic() - sent
    time.sleep(0.3)
    return proc.returncode, took, (seen + out).decode(), err.decode(), proc.pid


SIGNAL_CASES = {
    "batch-ctrl-c": (["batch", "UNITS", "-o", "OUT", "-j", "2"], b"[  1/", signal.SIGINT,
                     True, False),
    "batch-1-job-ctrl-c": (["batch", "UNITS", "-o", "OUT", "-j", "1"], b"[  1/",
                           signal.SIGINT, True, False),
    "batch-sigterm-parent": (["batch", "UNITS", "-o", "OUT", "-j", "2"], b"[  1/",
                             signal.SIGTERM, False, False),
    "batch-pdf-ctrl-c": (["batch", "UNITS", "-o", "OUT", "-j", "2", "--pdf"], b"[ 1/",
                         signal.SIGINT, True, True),
    "batch-pdf-sigterm-parent": (["batch", "UNITS", "-o", "OUT", "-j", "2", "--pdf"],
                                 b"[ 1/", signal.SIGTERM, False, True),
    "build-pdf-ctrl-c": (["build", "UNIT", "-o", "OUT/bc.docx", "--pdf"],
                         "Đã ghi báo cáo".encode(), signal.SIGINT, True, True),
    "build-pdf-sigterm": (["build", "UNIT", "-o", "OUT/bc.docx", "--pdf"],
                          "Đã ghi báo cáo".encode(), signal.SIGTERM, False, True),
}


@pytest.mark.parametrize("case", SIGNAL_CASES)
def test_signals_stop_cleanly(case: str, tmp_path: Path, example: Path) -> None:
    args, wait_for, sig, group, pdf = SIGNAL_CASES[case]
    if pdf and not HAS_SOFFICE:
        pytest.skip("LibreOffice is not installed")
    many = tmp_path / "units"
    many.mkdir()
    # enough work that the signal always comes before the end, even on a fast machine
    for i in range(12 if pdf else 400):
        shutil.copy(example, many / f"u{i:03}.xlsx")
    one_job = "1-job" in case
    if one_job:  # done first, in order: the message counts it apart
        (many / "a-hong.xlsx").write_bytes(b"")
    out = tmp_path / "out"
    out.mkdir()
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    args = [a.replace("UNITS", str(many)).replace("UNIT", str(many / "u000.xlsx"))
            .replace("OUT", str(out)) for a in args]
    code, took, stdout, stderr, pid = _interrupt(args, tmp_path, tmpdir, wait_for, sig, group)
    assert code == 128 + sig, (stdout, stderr)
    assert took < 2.5, took  # within 2 s, and a little for a loaded machine
    assert "Đã dừng theo yêu cầu" in stderr and "Traceback" not in stderr
    if args[0] == "batch":
        assert "chưa xử lý" in stderr and "chưa ghi bảng tổng hợp" in stderr
        assert ("1 đơn vị có lỗi" in stderr) == one_job
        assert not (out / "tong-hop.xlsx").exists()
    else:
        assert "chưa ghi bản PDF" in stderr
    assert _session(pid) == []  # no worker left
    assert _using(tmpdir) == []  # no LibreOffice left
    assert list(tmpdir.iterdir()) == []  # nothing in the temporary folder
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # no temporary file in the output folder
    for made in out.glob("*.docx"):
        assert made.read_bytes()[:2] == b"PK"  # what was written is whole


# ---------------------------------------------------------------- 5. odd files


def _fifo(p: Path) -> None:
    os.mkfifo(p)


def _loop(p: Path) -> None:
    other = p.with_name("other.xlsx")
    p.symlink_to(other)
    other.symlink_to(p)


def _folder(p: Path) -> None:
    p.mkdir()


def _device(p: Path) -> None:
    p.symlink_to("/dev/zero")


def _socket(p: Path) -> socket.socket:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(str(p))
    except OSError:
        pytest.skip("no unix socket here")
    return s


ODD = {
    "fifo": (_fifo, "ống dẫn (FIFO)"),
    "symlink-loop": (_loop, "vòng lặp"),
    "device": (_device, "thiết bị"),
    "socket": (_socket, "socket"),
}


@pytest.mark.parametrize("command", ["validate", "build", "batch"])
@pytest.mark.parametrize("kind", ODD)
def test_odd_files_one_message(kind: str, command: str, tmp_path: Path) -> None:
    make, words = ODD[kind]
    target = tmp_path / "x.xlsx"
    keep = make(target)  # noqa: F841  (a socket lives while bound)
    args = {"validate": ["validate", str(target)],
            "build": ["build", str(target), "-o", str(tmp_path / "x.docx")],
            "batch": ["batch", str(target), "-o", str(tmp_path / "out")]}[command]
    proc = run(args, tmp_path, timeout=60)  # a FIFO used to block forever
    out = (proc.stdout + proc.stderr).decode()
    assert proc.returncode == 1, out
    assert words in out and "x.xlsx" in out and "Traceback" not in out
    assert not (tmp_path / "x.docx").exists()


def test_folder_named_like_a_workbook(tmp_path: Path) -> None:
    """`build` takes one workbook: a folder is that file's problem (validate and batch
    scan folders, and say when one holds no workbook)."""
    _folder(tmp_path / "x.xlsx")
    proc = run(["build", "x.xlsx"], tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 1 and "đây là một thư mục" in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["validate", "batch"])
def test_odd_file_inside_a_folder_is_reported(command: str, tmp_path: Path,
                                              units: Path) -> None:
    os.mkfifo(units / "c.xlsx")
    (units / "d.xlsx").symlink_to(units / "missing.xlsx")
    args = {"validate": ["validate", str(units)],
            "batch": ["batch", str(units), "-o", str(tmp_path / "out")]}[command]
    proc = run(args, tmp_path, timeout=60)
    out = (proc.stdout + proc.stderr).decode()
    assert proc.returncode == 1, out
    assert "c.xlsx" in out and "FIFO" in out and "d.xlsx" in out
    if command == "batch":
        assert {"a.docx", "b.docx"} <= {p.name for p in (tmp_path / "out").iterdir()}


def test_odd_files_read_the_same_in_every_command(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.xlsx")
    lines = []
    for args in (["validate", "x.xlsx"], ["build", "x.xlsx"], ["batch", "x.xlsx", "-o", "o"]):
        out = run(args, tmp_path, timeout=60)
        text = (out.stdout + out.stderr).decode()
        lines.append(next(ln.strip().split("] ", 1)[-1].removeprefix("- ")
                          for ln in text.splitlines() if "FIFO" in ln))
    assert len(set(lines)) == 1, lines


def _as_nobody(args: list[str], cwd: Path, warm: list[str]) -> subprocess.CompletedProcess[bytes]:
    """The command run by a user without rights on a file. Root reads everything, so as
    root the command runs as `nobody`, after a first run on a readable copy (`warm`) has
    loaded every module it needs: the interpreter's own library is under /root."""
    if os.geteuid() != 0:
        return run(args, cwd)
    code = ("import contextlib, io, os, sys\n"
            "from baocao_cli.cli import main\n"
            "cut = sys.argv.index('--then')\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(sys.argv[1:cut])\n"
            "os.setgid(65534); os.setuid(65534)\n"
            "sys.exit(main(sys.argv[cut + 1:]))\n")
    return subprocess.run([sys.executable, "-c", code, *warm, "--then", *args], cwd=cwd,
                          capture_output=True, timeout=120, check=False)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder the unprivileged user can write (pytest's tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="baocao-perm-"))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("command", ["validate", "build", "batch"])
def test_unreadable_file(command: str, shared_dir: Path, example: Path) -> None:
    target = shared_dir / "khoa.xlsx"
    shutil.copy(example, target)
    target.chmod(0)
    readable = shared_dir / "warm.xlsx"
    shutil.copy(example, readable)

    def args(path: Path, out: str) -> list[str]:
        return {"validate": ["validate", str(path)],
                "build": ["build", str(path), "-o", str(shared_dir / f"{out}.docx")],
                "batch": ["batch", str(path), "-o", str(shared_dir / out), "-j", "1"]}[command]

    proc = _as_nobody(args(target, "x"), shared_dir, args(readable, "warm"))
    out = (proc.stdout + proc.stderr).decode()
    assert proc.returncode == 1, out
    assert f"không có quyền đọc tệp {target.name}" in out
    assert "hỏng" not in out and "Traceback" not in out


@pytest.mark.parametrize("option", ["--template", "--rules"])
def test_fifo_given_as_an_option_does_not_block(option: str, tmp_path: Path,
                                                unit: Path) -> None:
    fifo = tmp_path / ("mau.docx" if option == "--template" else "quy-tac.toml")
    os.mkfifo(fifo)
    proc = run(["build", str(unit), option, str(fifo), "-o", str(tmp_path / "bc.docx")],
               tmp_path, timeout=60)
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert "FIFO" in err and fifo.name in err


# ---------------------------------------------------------------- 8. system errors


def test_long_legal_name_is_not_pushed_over_the_limit(tmp_path: Path, unit: Path) -> None:
    name = "b" * (250 - len(".docx")) + ".docx"  # 250 bytes: legal, near the limit
    random_and_suffix = len("abcdefgh.tmp")  # what mkstemp adds to the prefix
    assert len(temp_prefix(tmp_path / name).encode()) + random_and_suffix <= MAX_NAME_BYTES
    result = runner.invoke(app, ["build", str(unit), "-o", str(tmp_path / name)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / name).read_bytes()[:2] == b"PK"


def test_vietnamese_long_name_is_cut_on_a_character(tmp_path: Path) -> None:
    name = "Báo cáo đơn vị " * 20 + ".docx"
    prefix = temp_prefix(tmp_path / name)
    assert len(prefix.encode()) + len("abcdefgh.tmp") <= MAX_NAME_BYTES
    assert prefix.startswith(".Báo cáo đơn vị") and prefix.endswith(".")
    assert "\ufffd" not in prefix  # cut between characters, not inside one


def test_name_too_long(tmp_path: Path, unit: Path) -> None:
    name = "b" * 300 + ".docx"
    result = runner.invoke(app, ["build", str(unit), "-o", str(tmp_path / name)])
    assert result.exit_code in (1, 2), result.output
    assert "tên tệp hoặc đường dẫn quá dài" in result.output
    assert "File name too long" not in result.output


@contextlib.contextmanager
def _tmpfs(where: Path, options: str) -> Iterator[Path]:
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("this machine does not allow mounting a small tmpfs")
    try:
        if "ro" not in options.split(","):
            _fill(where)
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def _fill(disk: Path) -> None:
    """Leave the disk with no free block (a hidden filler, ignored by the assertions)."""
    fd = os.open(disk / "~filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting needs root")
@pytest.mark.parametrize("command", ["build", "batch", "template-export"])
def test_full_disk(command: str, tmp_path: Path, unit: Path) -> None:
    with _tmpfs(tmp_path / "full", "size=64k") as full:
        args = {"build": ["build", str(unit), "-o", str(full / "bc.docx")],
                "batch": ["batch", str(unit), "-o", str(full), "-j", "1"],
                "template-export": ["template", "export", str(full / "mau.docx")]}[command]
        result = runner.invoke(app, args)
        assert result.exit_code == 1, result.output
        assert "ổ đĩa đã đầy" in result.output
        name = {"build": "bc.docx", "batch": "don-vi.docx", "template-export": "mau.docx"}[
            command]
        said = ("không ghi được " + str(full / name), "không ghi được " + name,
                "không ghi được " + str(full) + ":")  # batch: the summary, in the folder
        assert any(s in result.output for s in said), result.output
        assert "No space left" not in result.output
        assert [p.name for p in full.iterdir() if p.name.startswith(".")] == []


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting needs root")
@pytest.mark.parametrize("command", ["build", "init", "template-export"])
def test_read_only_disk(command: str, tmp_path: Path, unit: Path) -> None:
    with _tmpfs(tmp_path / "ro", "size=1m,ro") as ro:
        args = {"build": ["build", str(unit), "-o", str(ro / "bc.docx")],
                "init": ["init", str(ro / "so.xlsx")],
                "template-export": ["template", "export", str(ro / "mau.docx")]}[command]
        result = runner.invoke(app, args)
        assert result.exit_code == 1, result.output
        assert "chỉ cho phép đọc" in result.output and str(ro) in result.output
        assert "Read-only file system" not in result.output


def test_too_many_open_files(tmp_path: Path) -> None:
    """A real EMFILE from the system, said in Vietnamese with the path."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    held = []
    target = tmp_path / "bc.docx"
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))
        with pytest.raises(OSError) as caught:
            while True:
                held.append(os.open(os.devnull, os.O_RDONLY))
                if len(held) > 100:
                    break
            write_atomic(target, lambda fh: fh.write(b"x"))
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert caught.value.errno == errno.EMFILE
    text = os_error_text(caught.value, target)
    assert text == f"không ghi được {target}: chương trình đang mở quá nhiều tệp cùng lúc."


@pytest.mark.parametrize(("code", "words"), [
    (errno.ENOSPC, "ổ đĩa đã đầy"), (errno.EROFS, "chỉ cho phép đọc"),
    (errno.EACCES, "không có quyền"), (errno.ENAMETOOLONG, "quá dài"),
    (errno.EMFILE, "quá nhiều tệp"), (errno.ENFILE, "quá nhiều tệp"),
])
def test_system_errors_are_vietnamese(code: int, words: str) -> None:
    exc = OSError(code, os.strerror(code), "/tmp/.bc.docx.abc.tmp")
    text = os_error_text(exc, Path("ket-qua/bc.docx"))
    assert text.startswith("không ghi được ket-qua/bc.docx: ") and words in text
    assert os.strerror(code) not in text


@needs_soffice
def test_libreoffice_writes_nothing_outside_its_profile(tmp_path: Path, unit: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    proc = run(["build", str(unit), "-o", str(tmp_path / "bc.docx"), "--pdf"], tmp_path,
               {"HOME": str(home), "TMPDIR": str(tmpdir), "XDG_CACHE_HOME": "",
                "XDG_CONFIG_HOME": "", "XDG_RUNTIME_DIR": ""})
    assert proc.returncode == 0, proc.stderr.decode()
    assert (tmp_path / "bc.pdf").read_bytes()[:5] == b"%PDF-"
    assert list(home.rglob("*")) == []  # no ~/.cache/dconf/user
    assert list(tmpdir.iterdir()) == []


@needs_soffice
def test_libreoffice_with_read_only_tmpdir(tmp_path: Path, unit: Path) -> None:
    """TMPDIR on a read-only disk (root writes through a mode, not through a read-only
    mount): LibreOffice used to crash there, printing its backtrace's addresses."""
    with contextlib.ExitStack() as stack:
        if os.geteuid() == 0:
            ro = stack.enter_context(_tmpfs(tmp_path / "ro", "size=1m,ro"))
        else:
            ro = tmp_path / "ro"
            ro.mkdir()
            ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
            stack.callback(ro.chmod, 0o700)
        proc = run(["build", str(unit), "-o", str(tmp_path / "bc.docx"), "--pdf"], tmp_path,
                   {"TMPDIR": str(ro)})
    err = proc.stderr.decode()
    assert "0x" not in err and "Traceback" not in err
    assert proc.returncode == 0, err
    assert (tmp_path / "bc.pdf").read_bytes()[:5] == b"%PDF-"


def test_failing_libreoffice_gives_a_reason_not_addresses(tmp_path: Path, unit: Path) -> None:
    """A LibreOffice that crashes (here a stand-in program on PATH that prints a backtrace
    and dies as soffice.bin does)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "soffice"
    fake.write_text("#!/bin/sh\n"
                    "echo '/usr/lib/libreoffice/program/soffice.bin(+0x10b1)[0x55d9aa]' >&2\n"
                    "echo 'Fatal exception: Signal 6' >&2\nexit 134\n")
    fake.chmod(0o755)
    proc = run(["build", str(unit), "-o", str(tmp_path / "bc.docx"), "--pdf"], tmp_path,
               {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    assert "LibreOffice gặp sự cố" in err
    assert "0x" not in err and "Traceback" not in err
    assert (tmp_path / "bc.docx").is_file() and not (tmp_path / "bc.pdf").exists()


@pytest.mark.skipif(os.name != "posix", reason="the folder cache is POSIX only")
def test_real_path_with_a_folder_cache_is_realpath(tmp_path: Path) -> None:
    """The batch resolves a thousand files through a cache of their folders: every kind of
    path must come out as os.path.realpath spells it, links and `..` included."""
    from baocao_cli.files import real_path

    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "f.xlsx").write_bytes(b"x")
    (tmp_path / "link-dir").symlink_to(tmp_path / "a")
    (tmp_path / "a" / "link-file.xlsx").symlink_to(tmp_path / "a" / "b" / "f.xlsx")
    (tmp_path / "a" / "dangling.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    (tmp_path / "a" / "loop.xlsx").symlink_to(tmp_path / "a" / "loop.xlsx")
    paths = [tmp_path / "a" / "b" / "f.xlsx", tmp_path / "link-dir" / "b" / "f.xlsx",
             tmp_path / "a" / "link-file.xlsx", tmp_path / "a" / "dangling.xlsx",
             tmp_path / "a" / "loop.xlsx", tmp_path / "a" / "b" / "missing.docx",
             tmp_path / "link-dir" / ".." / "a" / "b" / "f.xlsx",
             tmp_path / "no-folder" / "x.docx", tmp_path / "link-dir", tmp_path]
    folders: dict[str, str] = {}
    for _ in range(2):  # the second time from the cache
        for p in paths:
            try:
                expected = os.path.realpath(p)
            except (OSError, RuntimeError):
                expected = os.path.abspath(p)
            assert real_path(p, folders) == expected, p
    assert folders  # the cache was used
