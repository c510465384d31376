"""--pdf: one LibreOffice for many documents, a time limit per document, a clean exit.

Real LibreOffice, real signals to real processes: the conversions, the restarts after a
hang or a crash, and the clean-up under Ctrl-C and SIGTERM are what users depend on.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import EXAMPLE
from factory import unit_folder
from typer.testing import CliRunner

from baocao_cli.cli import app, main
from baocao_cli.render import pdf as pdf_module
from baocao_cli.render.pdf import PdfError, convert_all, docx_to_pdf, find_soffice

SOFFICE = find_soffice()
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed")
needs_proc = pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
CLI = [sys.executable, "-m", "baocao_cli.cli"]


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _docx(path: Path, paragraphs: int) -> Path:
    """A minimal Word file; a long one keeps LibreOffice busy for many seconds."""
    body = "".join(f"<w:p><w:r><w:t>Dòng {i}: văn bản dài để thử giới hạn thời gian "
                   f"chuyển sang PDF của LibreOffice.</w:t></w:r></w:p>"
                   for i in range(paragraphs))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
                   'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/><Override '
                   'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas'
                   '.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                   'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                   'officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
                   'openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                   f"{body}</w:body></w:document>")
    return path


def _processes(marker: str, program: str = "") -> list[int]:
    """Processes whose command line mentions `marker` (a path private to the test), and
    `program` if given; read once, as a process may end at any moment."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline and program.encode() in cmdline:
                found.append(int(entry.name))
    return found


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system temporary folder, for this test only: what is left in it is visible."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    docx = tmp_path_factory.mktemp("bc") / "bc.docx"
    assert main(["build", str(EXAMPLE), "-o", str(docx)]) == 0
    return docx


@pytest.fixture
def no_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing on PATH, no BAOCAO_SOFFICE, no known place: as on a PC without it."""
    monkeypatch.setattr(pdf_module, "KNOWN_PLACES", ())
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.delenv(pdf_module.ENV_VAR, raising=False)
    if find_soffice() is not None:
        pytest.skip("LibreOffice installed under /opt")


# ---------------------------------------------------------------- build --pdf


@needs_soffice
def test_build_pdf_beside_the_docx(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out" / "bc.docx"
    out.parent.mkdir()
    assert main(["build", str(EXAMPLE), "-o", str(out), "--pdf"]) == 0
    pdf = tmp_path / "out" / "bc.pdf"
    assert out.is_file() and pdf.is_file()
    assert f"Đã ghi bản PDF: {pdf}" in capsys.readouterr().out
    assert sorted(p.name for p in pdf.parent.iterdir()) == ["bc.docx", "bc.pdf"]
    assert _mode(pdf) == _mode(out)
    pages = _pages(pdf)
    assert len(pages) == 5  # four pages of report, the appendix on a page of its own
    first = pages[0]
    lines = [line.strip() for line in first.splitlines() if line.strip()]
    # Quốc hiệu on one line, beside the agency; no page number on page 1.
    assert any(line.endswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") for line in lines)
    assert "Độc lập - Tự do - Hạnh phúc" in first
    assert "Số: 218/BC-SLĐTBXH" in first
    assert "Hà Tĩnh, ngày 24 tháng 11 năm 2021" in first
    assert "BÁO CÁO" in lines
    assert not lines[0].isdigit()
    # Numbers from page 2, at the top; the appendix numbers its own pages (none on its first).
    for n, page in enumerate(pages[1:4], start=2):
        assert next(x.strip() for x in page.splitlines() if x.strip()) == str(n)
    appendix = [x.strip() for x in pages[4].splitlines() if x.strip()]
    assert appendix[0] == "Phụ lục I"
    assert "Tự xếp loại" in pages[4]


@needs_soffice
@pytest.mark.skipif(sys.platform == "win32", reason="umask")
@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_build_pdf_has_the_mode_of_the_docx(tmp_path: Path, umask: int) -> None:
    out = tmp_path / "bc.docx"
    home = tmp_path / "home"
    home.mkdir()
    proc = subprocess.run([*CLI, "build", str(EXAMPLE), "-o", str(out), "--pdf"],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "HOME": str(home)},
                          preexec_fn=lambda: os.umask(umask))
    assert proc.returncode == 0, proc.stderr
    assert _mode(out.with_suffix(".pdf")) == _mode(out) == 0o666 & ~umask
    assert not list(home.iterdir())  # LibreOffice's caches went to the private folder


@needs_soffice
def test_parallel_conversions_do_not_collide(report: Path, tmp_path: Path,
                                             private_tmp: Path) -> None:
    targets = [tmp_path / f"bc-{i}.pdf" for i in range(3)]
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda t: docx_to_pdf(report, t), targets))
    for t in targets:
        assert t.read_bytes().startswith(b"%PDF")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert not list(private_tmp.iterdir())


@needs_soffice
def test_missing_docx_is_a_pdf_error(tmp_path: Path) -> None:
    with pytest.raises(PdfError, match="không có tệp"):
        docx_to_pdf(tmp_path / "khong-co.docx", tmp_path / "x.pdf")


# ---------------------------------------------------------------- many documents, one start


@needs_soffice
def test_the_profile_spares_libreoffice_its_self_tests_at_every_start(
        report: Path, tmp_path: Path) -> None:
    """Without a last version in the profile, every headless start runs LibreOffice's
    graphics self-tests (1.5 s of CPU) and writes their log."""
    converter = pdf_module.Converter(str(SOFFICE), tmp_path / "lo")
    for run in range(2):  # a first start on the new profile, then one on the same
        assert converter.convert([(report, tmp_path / f"bc-{run}.pdf")]) == [None]
    user = tmp_path / "lo" / "profile" / "user"
    assert "ooSetupLastVersion" in (user / "registrymodifications.xcu").read_text("utf-8")
    assert (user / "config").is_dir()  # LibreOffice made the rest of the profile around it
    assert not (user / "GraphicsRenderTests.log").exists()


@needs_soffice
def test_documents_beyond_one_call_go_to_the_next(
        report: Path, tmp_path: Path, private_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf_module, "PER_CALL", 2)
    pairs = [(report, tmp_path / f"bc-{i}.pdf") for i in range(5)]
    seen: list[tuple[int, str | None]] = []
    errors = convert_all(pairs, workers=1, on_done=lambda i, e: seen.append((i, e)))
    assert errors == [None] * 5
    assert sorted(seen) == [(i, None) for i in range(5)]
    for _docx, target in pairs:
        assert target.read_bytes().rstrip().endswith(b"%%EOF")
    assert not list(private_tmp.iterdir())


@needs_soffice
@needs_proc
def test_a_later_wave_is_converted_beside_the_first_and_numbered_after_it(
        report: Path, tmp_path: Path, private_tmp: Path) -> None:
    """`batch --pdf` hands over the reports, then tong-hop.docx once it is written."""
    seen: list[tuple[int, str | None]] = []
    first = [(report, tmp_path / f"bc-{i}.pdf") for i in range(3)]
    later = [(tmp_path / "khong-co.docx", tmp_path / "x.pdf"), (report, tmp_path / "th.pdf")]
    with pdf_module.Conversions(2, on_done=lambda i, e: seen.append((i, e))) as conversions:
        conversions.submit(first)
        conversions.submit(later)
        errors = conversions.wait()
    assert errors[:3] == [None] * 3 and errors[4] is None
    assert errors[3] is not None and "khong-co.docx" in errors[3]
    assert sorted(i for i, _e in seen) == [0, 1, 2, 3, 4]
    for _docx, target in first + later[1:]:
        assert target.read_bytes().rstrip().endswith(b"%%EOF")
    assert not list(private_tmp.iterdir())
    assert not _processes(str(private_tmp))


@needs_soffice
@needs_proc
def test_leaving_the_conversions_early_stops_libreoffice_and_removes_the_folder(
        tmp_path: Path, private_tmp: Path) -> None:
    """An error (or Ctrl-C) in the caller while LibreOffice converts in the background:
    nothing is left running or on disk, and no PDF is half written."""
    big = _docx(tmp_path / "dai.docx", 60_000)
    with pytest.raises(RuntimeError), pdf_module.Conversions(1) as conversions:
        conversions.submit([(big, tmp_path / "dai.pdf")])
        deadline = time.monotonic() + 120
        while not _processes(str(private_tmp)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _processes(str(private_tmp)), "LibreOffice did not start"
        raise RuntimeError("the summaries failed")
    assert not _processes(str(private_tmp))
    assert not list(private_tmp.iterdir())
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob("*.tmp"))


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script as the program")
def test_a_broken_libreoffice_is_given_up_after_three_starts(
        report: Path, tmp_path: Path, private_tmp: Path) -> None:
    broken = tmp_path / "soffice"  # an installation that starts and dies at once
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    pairs = [(report, tmp_path / f"bc-{i}.pdf") for i in range(6)]
    errors = convert_all(pairs, program=str(broken))
    assert all(errors)
    assert [e for e in errors if e and "dừng bất thường" in e and "mã thoát 3" in e] == errors[:3]
    assert all("3 lần liền" in e and "Kiểm tra lại bản cài" in e for e in errors[3:] if e)
    assert not list(tmp_path.glob("*.pdf"))
    assert not list(private_tmp.iterdir())


@pytest.fixture
def with_a_long_one(report: Path, tmp_path: Path) -> list[tuple[Path, Path]]:
    """A report, a document LibreOffice needs a minute for, a report."""
    big = _docx(tmp_path / "dai.docx", 60_000)
    return [(report, tmp_path / "a.pdf"), (big, tmp_path / "dai.pdf"),
            (report, tmp_path / "b.pdf")]


def _only_the_long_one_failed(errors: list[str | None], tmp_path: Path, private_tmp: Path,
                              why: str) -> None:
    assert errors[0] is None and errors[2] is None
    assert errors[1] is not None and "dai.docx" in errors[1] and why in errors[1]
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF")  # after a restart
    assert not (tmp_path / "dai.pdf").exists()
    assert not list(private_tmp.iterdir())
    assert not _processes(str(private_tmp))


@needs_soffice
@needs_proc
def test_a_slow_document_is_stopped_alone_and_the_rest_go_on(
        with_a_long_one: list[tuple[Path, Path]], tmp_path: Path, private_tmp: Path) -> None:
    started = time.monotonic()
    errors = convert_all(with_a_long_one, workers=1, time_limit=3)
    assert time.monotonic() - started < 120
    _only_the_long_one_failed(errors, tmp_path, private_tmp, "3 giây")


@needs_soffice
@needs_proc
def test_a_crash_is_reported_for_its_document_and_the_rest_go_on(
        with_a_long_one: list[tuple[Path, Path]], tmp_path: Path, private_tmp: Path) -> None:
    pairs = with_a_long_one
    result: list[list[str | None]] = []
    worker = threading.Thread(target=lambda: result.append(convert_all(pairs)))
    worker.start()
    deadline = time.monotonic() + 120
    while not (tmp_path / "a.pdf").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # LibreOffice is now in the long document
    office = _processes(str(private_tmp), "soffice.bin")
    assert office, "LibreOffice is not running"
    for pid in office:
        os.kill(pid, signal.SIGKILL)
    worker.join(120)
    assert not worker.is_alive()
    (errors,) = result
    _only_the_long_one_failed(errors, tmp_path, private_tmp, "dừng bất thường")


# ---------------------------------------------------------------- finding LibreOffice


@needs_soffice
def test_baocao_soffice_is_used_before_path(tmp_path: Path) -> None:
    assert SOFFICE is not None
    env = {"PATH": str(tmp_path), pdf_module.ENV_VAR: SOFFICE}
    assert find_soffice(env, places=[]) == SOFFICE


def test_baocao_soffice_naming_nothing_is_not_replaced_by_a_search(tmp_path: Path) -> None:
    wrong = tmp_path / "khong-co" / "soffice"
    env = {"PATH": os.environ.get("PATH", ""), pdf_module.ENV_VAR: str(wrong)}
    assert find_soffice(env) is None
    message = pdf_module.not_found_message(env)
    assert pdf_module.ENV_VAR in message and str(wrong) in message


def test_known_places_after_path(tmp_path: Path) -> None:
    program = tmp_path / "LibreOffice" / "program" / "soffice"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    empty = {"PATH": str(tmp_path / "bin")}
    assert find_soffice(empty, places=[str(tmp_path / "x"), str(program)]) == str(program)
    assert find_soffice(empty, places=[]) is None
    windows = pdf_module._known_places({"PROGRAMFILES": str(tmp_path)})
    assert str(tmp_path / "LibreOffice" / "program" / "soffice.exe") in windows
    assert "/Applications/LibreOffice.app/Contents/MacOS/soffice" in windows
    assert r"C:\Program Files\LibreOffice\program\soffice.exe" in windows


def test_build_without_libreoffice_writes_the_docx_and_says_how_to_install(
        tmp_path: Path, no_libreoffice: None) -> None:
    out = tmp_path / "bc.docx"
    result = CliRunner().invoke(app, ["build", str(EXAMPLE), "-o", str(out), "--pdf"])
    assert result.exit_code == 1
    assert out.is_file() and not out.with_suffix(".pdf").exists()
    assert "không tìm thấy LibreOffice" in result.output
    assert "apt-get install libreoffice-writer-nogui" in result.output
    assert f"Báo cáo Word vẫn đã ghi: {out}" in result.output


def test_build_with_a_wrong_baocao_soffice_as_a_subprocess(tmp_path: Path) -> None:
    env = {**os.environ, pdf_module.ENV_VAR: str(tmp_path / "khong-co")}
    out = tmp_path / "bc.docx"
    proc = subprocess.run([*CLI, "build", str(EXAMPLE), "-o", str(out), "--pdf"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 1
    assert out.is_file()
    assert not (tmp_path / "bc.pdf").exists()
    assert pdf_module.ENV_VAR in proc.stderr
    assert "apt-get install libreoffice-writer-nogui" in proc.stderr
    assert "Báo cáo Word vẫn đã ghi" in proc.stderr
    assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------- batch --pdf


def _batch(tmp_path: Path, n: int, umask: int = 0o022) -> tuple[subprocess.Popen[str], Path]:
    """`baocao batch --pdf` in its own session, with its own HOME and temporary folder."""
    units = unit_folder(tmp_path / "in", n)
    for sub in ("home", "tmp"):
        (tmp_path / sub).mkdir()
    env = {**os.environ, "HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path / "tmp")}

    def child() -> None:
        os.umask(umask)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # as in a terminal, even under a runner

    proc = subprocess.Popen([*CLI, "batch", str(units), "-o", str(tmp_path / "out"), "--pdf",
                             "--jobs", "2"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=child)
    return proc, tmp_path / "out"


@needs_soffice
@needs_proc
def test_batch_pdf_every_unit_and_the_summary_with_the_mode_of_the_docx(
        tmp_path: Path) -> None:
    proc, out = _batch(tmp_path, 5, umask=0o027)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    names = {p.name for p in out.iterdir()}
    for stem in [f"xa-{i}" for i in range(1, 6)] + ["tong-hop"]:
        assert f"{stem}.pdf" in names, stem
        assert (out / f"{stem}.pdf").read_bytes().startswith(b"%PDF-")
        assert _mode(out / f"{stem}.pdf") == _mode(out / f"{stem}.docx") == 0o640
    assert not [n for n in names if n.endswith(".tmp") or n.startswith(".")]
    summary = "".join(_pages(out / "tong-hop.pdf"))
    assert "Ủy ban nhân dân xã số 5" in summary
    assert f"và {out / 'tong-hop.pdf'}" in stdout
    assert not list((tmp_path / "tmp").iterdir())
    assert not list((tmp_path / "home").iterdir())
    assert not _processes(str(tmp_path / "tmp"))


@needs_soffice
@needs_proc
@pytest.mark.parametrize("how", ["ctrl-c", "ctrl-c twice", "sigterm"])
def test_batch_pdf_interrupted_leaves_no_libreoffice_and_no_temporary_folder(
        tmp_path: Path, how: str) -> None:
    proc, out = _batch(tmp_path, 6)
    marker = str(tmp_path / "tmp")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if _processes(marker, "soffice.bin"):
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the batch ended before LibreOffice started"
    if how.startswith("ctrl-c"):  # the terminal sends SIGINT to the whole foreground group
        os.killpg(proc.pid, signal.SIGINT)
        if how == "ctrl-c twice":  # an impatient user: the clean-up is not cut short
            time.sleep(0.1)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGINT)
    else:  # `kill PID`, as a service manager or a user would
        os.kill(proc.pid, signal.SIGTERM)
    _stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == (143 if how == "sigterm" else 130), stderr
    assert "Traceback" not in stderr
    # LibreOffice starts on the reports while the summaries are written: stopped then, the
    # summaries are not there (or only the one finished first, which the message names);
    # stopped later, they are and only PDFs are missing.
    summaries = sorted(p.name for p in out.glob("tong-hop.*"))
    if "chưa ghi bảng tổng hợp và báo cáo tổng hợp" in stderr:
        assert summaries == []
    elif "chưa ghi đủ bản PDF" in stderr:
        assert summaries == ["tong-hop.docx", "tong-hop.xlsx"]
    else:
        assert len(summaries) == 1 and f"và {summaries[0]} trong" in stderr, stderr
    assert not _processes(marker)
    assert not list((tmp_path / "tmp").iterdir())
    assert not list((tmp_path / "home").iterdir())
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    for pdf in out.glob("*.pdf"):  # those finished before the signal are whole
        assert pdf.read_bytes().rstrip().endswith(b"%%EOF")


def test_batch_pdf_without_libreoffice_says_the_reports_were_written(
        tmp_path: Path, no_libreoffice: None) -> None:
    units = unit_folder(tmp_path / "in", 2)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["batch", str(units), "-o", str(out), "--pdf",
                                      "--jobs", "1"])
    assert result.exit_code == 1
    assert "không tìm thấy LibreOffice" in result.output
    assert f"Các báo cáo Word vẫn đã ghi trong {out}" in result.output
    assert (out / "xa-1.docx").is_file() and (out / "xa-2.docx").is_file()
    assert not list(out.glob("*.pdf"))



@needs_proc
def test_a_group_of_zombies_runs_nothing() -> None:
    """LibreOffice's helpers (gpgconf, gpg) stay zombies until init reaps them: waiting
    for them cost each LibreOffice 1,5 s at the end. A zombie's group is not running; a
    group with a live process is."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"], start_new_session=True)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"],
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and b") Z" not in Path(
                f"/proc/{dead.pid}/stat").read_bytes():
            time.sleep(0.02)
        os.killpg(dead.pid, 0)  # the zombie is still a member of its group…
        assert not pdf_module._group_running(dead.pid)  # …but nothing in it runs
        assert pdf_module._group_running(live.pid)
    finally:
        live.kill()
        live.wait()
        dead.wait()
    assert not pdf_module._group_running(live.pid)


def test_shares_split_the_work_by_size(tmp_path: Path) -> None:
    """tong-hop.docx of a province weighs as several reports: dealt round robin it left one
    LibreOffice converting it alone at the end. Each share is in input order."""
    def docx(name: str, text: int) -> Path:
        path = tmp_path / f"{name}.docx"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("word/document.xml", "<w:document>" + "x" * text + "</w:document>")
        return path

    pairs = [(docx(f"u{i}", 1000), tmp_path / f"u{i}.pdf") for i in range(9)]
    pairs.append((docx("tong-hop", 5000), tmp_path / "tong-hop.pdf"))
    pairs.append((tmp_path / "khong-co.docx", tmp_path / "khong-co.pdf"))  # unreadable
    shares = pdf_module._shares(pairs, [1, 1])
    assert sorted(i for share in shares for i in share) == list(range(len(pairs)))
    assert all(share == sorted(share) for share in shares)
    big = next(share for share in shares if 9 in share)
    assert len(big) < len(pairs) // 2  # the large one goes with fewer reports
    assert pdf_module._shares(pairs[:1], [1, 1]) == [[0], []]
    # a share for two LibreOffices takes about twice the work of one for one
    two, one = pdf_module._shares(pairs[:9], [2, 1])
    assert (len(two), len(one)) == (6, 3)


@needs_soffice
@needs_proc
def test_two_libreoffices_meet_in_their_share(report: Path, tmp_path: Path,
                                              private_tmp: Path) -> None:
    """Two LibreOffices convert one share from both ends: every document once, each
    reported once, wherever they meet; nothing is left running."""
    pairs = [(report, tmp_path / f"bc-{i}.pdf") for i in range(7)]
    seen: list[int] = []
    errors = convert_all(pairs, workers=2, on_done=lambda i, _e: seen.append(i))
    assert errors == [None] * 7
    assert sorted(seen) == list(range(7))
    for _, pdf in pairs:
        assert pdf.read_bytes().startswith(b"%PDF")
    assert not list(private_tmp.iterdir())
    assert not _processes(str(private_tmp))
