"""`baocao serve`: the HTTP API through Starlette's test client (the real app, its real
worker pool and real workbooks), the upload guards, and the server as a subprocess."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
import warnings
import zipfile
from pathlib import Path

import httpx
import pytest
from docx import Document
from factory import unit_sheets, write_book
from openpyxl import load_workbook
from test_bad_workbooks import UNUSABLE
from typer.testing import CliRunner

from baocao_cli.cli import app as cli_app
from baocao_cli.score.rules import load_rules
from baocao_cli.serve.app import Config, create_app
from baocao_cli.serve.pool import JobTimeout, Pool
from baocao_cli.serve.uploads import MB, TooLarge, UploadError, unpack

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2; httpx works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

UPLOADABLE = [u for u in UNUSABLE if u[2] != "E001"]  # a missing file cannot be uploaded
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def config(**kw) -> Config:
    base = {"rules": load_rules(), "workers": 2}
    base.update(kw)
    return Config(**base)


@pytest.fixture(scope="module")
def client():
    app = create_app(config())
    with TestClient(app) as c:
        yield c


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    """A unit whose criterion 1 is scored 12 of 10: E306 at Chấm điểm!D3."""
    sheets = unit_sheets()
    sheets["Chấm điểm"][2][3] = 12
    path = tmp_path / "qua-diem.xlsx"
    write_book(path, sheets)
    return path


def upload(path: Path, field: str = "file") -> dict:
    return {field: (path.name, path.read_bytes(), "application/octet-stream")}


def cli_json(path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """What `baocao validate --format json` prints for the file, named by its name."""
    monkeypatch.chdir(path.parent)
    result = CliRunner().invoke(cli_app, ["validate", path.name, "--format", "json"])
    return json.loads(result.stdout)


# ------------------------------------------------------------------ /api/validate


def test_validate_gives_the_cli_json_for_the_example(client, example, monkeypatch):
    resp = client.post("/api/validate", files=upload(example))
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/json")
    doc = resp.json()
    assert doc == cli_json(example, monkeypatch)
    assert doc["files"][0]["total"] == "89" and doc["files"][0]["rating"] == "Tốt"


def test_validate_names_the_cell_of_a_score_over_its_maximum(client, bad, monkeypatch):
    resp = client.post("/api/validate", files=upload(bad))
    assert resp.status_code == 200
    doc = resp.json()
    assert doc == cli_json(bad, monkeypatch)
    [error] = doc["files"][0]["errors"]
    assert (error["code"], error["sheet"], error["cell"]) == ("E306", "Chấm điểm", "D3")
    assert doc["files"][0]["file"] == "qua-diem.xlsx"  # never the server's private path


@pytest.mark.parametrize(("make_file", "code"), [u[1:3] for u in UPLOADABLE],
                         ids=[u[0] for u in UPLOADABLE])
def test_every_file_guard_of_the_cli_applies_to_uploads(client, tmp_path, monkeypatch,
                                                        make_file, code):
    """Odd files, bombs, entities: the same E00x issue, the same JSON as the CLI's."""
    path = make_file(tmp_path)
    resp = client.post("/api/validate", files=upload(path))
    assert resp.status_code == 200
    assert resp.json() == cli_json(path, monkeypatch)
    assert [e["code"] for e in resp.json()["files"][0]["errors"]] == [code]
    resp = client.post("/api/build", files=upload(path))
    assert resp.status_code == 422 and resp.json() == cli_json(path, monkeypatch)


def test_a_request_without_the_file_field_is_refused_in_vietnamese(client, example):
    resp = client.post("/api/validate", files=upload(example, field="tep"))
    assert resp.status_code == 400
    assert "trường file" in resp.json()["error"]
    resp = client.post("/api/validate", content=b"abc", headers={"content-type": "text/plain"})
    assert resp.status_code == 400 and "multipart/form-data" in resp.json()["error"]


def test_the_client_file_name_cannot_place_the_upload(client, example):
    """A name with folders is reduced to its base name; the JSON names what was sent."""
    files = {"file": ("../../etc/passwd.xlsx", example.read_bytes(), "application/x")}
    resp = client.post("/api/validate", files=files)
    assert resp.status_code == 200 and resp.json()["valid"] is True
    assert not list(client.app.state.root.iterdir())


# ------------------------------------------------------------------ /api/build


def test_build_gives_the_docx_named_after_the_workbook(client, example, tmp_path):
    resp = client.post("/api/build", files=upload(example))
    assert resp.status_code == 200
    assert resp.headers["content-type"] == DOCX
    assert resp.headers["content-disposition"] == \
        'attachment; filename="so-ldtbxh-ha-tinh-2021.docx"'
    out = tmp_path / "bc.docx"
    out.write_bytes(resp.content)
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "Sở Lao động - Thương binh và Xã hội".upper() in text.upper()


def test_build_of_a_vietnamese_name_keeps_it_in_the_attachment(client, example):
    files = {"file": ("Báo cáo xã Kỳ Tân.xlsx", example.read_bytes(), "application/x")}
    resp = client.post("/api/build", files=files)
    assert resp.status_code == 200
    cd = resp.headers["content-disposition"]
    assert cd.startswith("attachment;")
    assert "filename*=utf-8''B%C3%A1o%20c%C3%A1o%20x%C3%A3%20K%E1%BB%B3%20T%C3%A2n.docx" in cd


def test_build_of_a_workbook_with_errors_is_422_with_the_validate_json(client, bad,
                                                                      monkeypatch):
    resp = client.post("/api/build", files=upload(bad))
    assert resp.status_code == 422
    assert resp.json() == cli_json(bad, monkeypatch)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_build_with_pdf_gives_the_pdf(client, example):
    resp = client.post("/api/build", files=upload(example), data={"pdf": "1"})
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/pdf"
    assert resp.headers["content-disposition"] == \
        'attachment; filename="so-ldtbxh-ha-tinh-2021.pdf"'
    assert resp.content.startswith(b"%PDF-")


# ------------------------------------------------------------------ /api/batch


def _zip_names(blob: bytes) -> set[str]:
    return set(zipfile.ZipFile(io.BytesIO(blob)).namelist())


def test_batch_of_files_gives_the_reports_and_the_summary(client, example, bad, tmp_path):
    files = [("files", (p.name, p.read_bytes(), "application/x")) for p in (example, bad)]
    resp = client.post("/api/batch", files=files)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/zip"
    assert resp.headers["content-disposition"] == 'attachment; filename="ket-qua.zip"'
    assert _zip_names(resp.content) == {"so-ldtbxh-ha-tinh-2021.docx", "tong-hop.xlsx",
                                        "tong-hop.docx"}
    summary = json.loads(urllib.request.unquote(resp.headers["x-baocao-ket-qua"]))
    assert (summary["units"], summary["built"]) == (2, 1)
    [failed] = summary["failed"]
    assert failed["file"] == "qua-diem.xlsx"
    assert "Chấm điểm!D3" in failed["errors"][0]
    book = tmp_path / "tong-hop.xlsx"
    book.write_bytes(zipfile.ZipFile(io.BytesIO(resp.content)).read("tong-hop.xlsx"))
    cells = [c for row in load_workbook(book).worksheets[0].iter_rows(values_only=True)
             for c in row if c is not None]
    assert any("89" in str(c) for c in cells)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_batch_with_pdf_adds_each_report_as_pdf(client, example, bad):
    files = [("files", (p.name, p.read_bytes(), "application/x")) for p in (example, bad)]
    resp = client.post("/api/batch", files=files, data={"pdf": "1"})
    assert resp.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(resp.content))
    assert set(archive.namelist()) == {"so-ldtbxh-ha-tinh-2021.docx",
                                       "so-ldtbxh-ha-tinh-2021.pdf", "tong-hop.xlsx",
                                       "tong-hop.docx", "tong-hop.pdf"}
    assert archive.read("so-ldtbxh-ha-tinh-2021.pdf").startswith(b"%PDF-")
    assert archive.read("tong-hop.pdf").startswith(b"%PDF-")


def test_the_page_offers_the_pdf_only_where_libreoffice_is(example):
    for pdf in (True, False):
        with TestClient(create_app(config(pdf=pdf))) as c:
            html = c.get("/").text
        assert ('data-pdf="1"' in html) is pdf
        assert ('id="kem-pdf"' in html) is pdf


def test_batch_of_one_zip_gives_the_same(client, example, bad, tmp_path):
    archive = tmp_path / "nop-ve.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(example, "huyen-a/" + example.name)
        zf.write(example, "huyen-b/" + example.name)  # the same name twice: x, x-2
        zf.write(bad, bad.name)
        zf.writestr("huyen-a/ghi-chu.txt", "không phải sổ")
    resp = client.post("/api/batch", files=upload(archive, field="files"))
    assert resp.status_code == 200
    assert _zip_names(resp.content) == {"so-ldtbxh-ha-tinh-2021.docx",
                                        "so-ldtbxh-ha-tinh-2021-2.docx",
                                        "tong-hop.xlsx", "tong-hop.docx"}
    summary = json.loads(urllib.request.unquote(resp.headers["x-baocao-ket-qua"]))
    assert (summary["units"], summary["built"]) == (3, 2)
    assert [f["file"] for f in summary["failed"]] == ["qua-diem.xlsx"]


def test_a_zip_with_a_path_leaving_its_folder_is_refused(client, example, tmp_path):
    archive = tmp_path / "doc.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(example, "a.xlsx")
        zf.write(example, "../../thoat-ra.xlsx")
    resp = client.post("/api/batch", files=upload(archive, field="files"))
    assert resp.status_code == 400
    assert "tên không an toàn" in resp.json()["error"]
    assert not list(client.app.state.root.iterdir())


def test_a_zip_with_no_workbook_is_422(client, tmp_path):
    archive = tmp_path / "trong.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ghi-chu.txt", "không có sổ nào")
    resp = client.post("/api/batch", files=upload(archive, field="files"))
    assert resp.status_code == 422
    assert resp.json()["error"] == "Không có sổ Excel nào trong các tệp gửi lên."


def test_a_broken_zip_is_refused_in_vietnamese(client, tmp_path):
    archive = tmp_path / "hong.zip"
    archive.write_bytes(b"PK\x03\x04 not really")
    resp = client.post("/api/batch", files=upload(archive, field="files"))
    assert resp.status_code == 400
    assert resp.json()["error"].startswith("Tệp hong.zip không phải tệp nén .zip")


# ------------------------------------------------------------------ zip guards


@pytest.mark.parametrize("name", ["../x.xlsx", "/tuyet-doi.xlsx", "a/../../x.xlsx",
                                  "C:/Windows/x.xlsx", "..\\..\\x.xlsx"])
def test_unpack_refuses_every_name_leaving_the_folder(tmp_path, name):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("tot.xlsx", b"x")
        zf.writestr(name, b"x")
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(UploadError, match="tên không an toàn"):
        unpack(archive, dest, max_file=MB, max_total=10 * MB)
    assert list(dest.iterdir()) == []  # refused before anything was written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.zip", "dest"]


def test_unpack_counts_the_bytes_not_the_archive_claims(tmp_path):
    """A member that inflates past the limit (a zip bomb) stops at the limit."""
    archive = tmp_path / "bom.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bom.xlsx", b"\0" * (8 * MB))
    assert archive.stat().st_size < 100_000
    for name, max_file, max_total, message in [
            ("a", 2 * MB, 100 * MB, "lớn hơn giới hạn 2 MB"),
            ("b", 100 * MB, 4 * MB, "giải nén ra quá 4 MB")]:
        dest = tmp_path / name
        dest.mkdir()
        with pytest.raises(TooLarge, match=message):
            unpack(archive, dest, max_file=max_file, max_total=max_total)


def test_unpack_refuses_too_many_members(tmp_path):
    archive = tmp_path / "nhieu.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(6):
            zf.writestr(f"{i}.xlsx", b"x")
    with pytest.raises(TooLarge, match="tối đa 5 tệp"):
        unpack(archive, tmp_path, max_file=MB, max_total=MB, max_members=5)


def test_unpack_writes_links_as_nothing(tmp_path):
    archive = tmp_path / "lien-ket.zip"
    link = zipfile.ZipInfo("lien-ket.xlsx")
    link.external_attr = (0o120777 << 16)  # a symbolic link to /etc/passwd
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(link, "/etc/passwd")
        zf.writestr("that.xlsx", b"x")
    dest = tmp_path / "dest"
    dest.mkdir()
    assert unpack(archive, dest, max_file=MB, max_total=MB) == 1
    assert [p.name for p in dest.iterdir()] == ["that.xlsx"]
    assert not (dest / "lien-ket.xlsx").is_symlink()


def test_unpack_skips_what_a_folder_scan_skips(tmp_path):
    """A zip made on a Mac carries `__MACOSX/._x.xlsx` copies: never taken for units."""
    archive = tmp_path / "mac.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in ("don-vi.xlsx", "__MACOSX/._don-vi.xlsx", "a/.an.xlsx", ".an/b.xlsx",
                     "a/b.xlsx"):
            zf.writestr(name, b"x")
    dest = tmp_path / "dest"
    dest.mkdir()
    assert unpack(archive, dest, max_file=MB, max_total=MB) == 2
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()) \
        == ["a/b.xlsx", "don-vi.xlsx"]


def test_unpack_refuses_an_encrypted_member(tmp_path):
    """Its flag bit set in the local and the central header, as an encrypting tool does."""
    archive = tmp_path / "mat-khau.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.xlsx", b"x")
    blob = bytearray(archive.read_bytes())
    for mark, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        blob[blob.index(mark) + offset] |= 0x1
    archive.write_bytes(bytes(blob))
    with pytest.raises(UploadError, match="mật khẩu"):
        unpack(archive, tmp_path, max_file=MB, max_total=MB)


# ------------------------------------------------------------------ 413 while streaming


def _streamed(app, body_size: int, chunk: int = 64 * 1024, declare_length: bool = False
              ) -> tuple[httpx.Response, int]:
    """POST a multipart body of `body_size` bytes in chunks; the response and how many
    bytes the server pulled before answering."""
    pulled = [0]
    boundary = "ranhgioi"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"lon.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()

    async def body():
        pulled[0] += len(head)
        yield head
        sent = 0
        while sent < body_size:
            pulled[0] += chunk
            sent += chunk
            yield b"\0" * chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    async def go() -> httpx.Response:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                headers = {"content-type": f"multipart/form-data; boundary={boundary}"}
                if declare_length:
                    headers["content-length"] = str(len(head) + body_size + 40)
                    return await c.post("/api/validate", content=b"".join(
                        [head, b"\0" * body_size, f"\r\n--{boundary}--\r\n".encode()]),
                        headers=headers)
                return await c.post("/api/validate", content=body(), headers=headers)

    return asyncio.run(go()), pulled[0]


def test_a_file_over_the_limit_is_refused_while_it_streams_in():
    app = create_app(config(max_upload=1 * MB, max_request=100 * MB))
    resp, pulled = _streamed(app, 50 * MB)
    assert resp.status_code == 413
    assert resp.json()["error"] == ("Tệp lon.xlsx lớn hơn giới hạn 1 MB một tệp. Một sổ Excel "
                                    "báo cáo không cần dung lượng như vậy: kiểm tra lại tệp.")
    assert pulled < 2 * MB  # 50 MB were offered; reading stopped just past the limit


def test_a_body_declared_over_the_limit_is_refused_before_it_is_read():
    app = create_app(config(max_upload=1 * MB, max_request=2 * MB))
    resp, _ = _streamed(app, 3 * MB, declare_length=True)
    assert resp.status_code == 413
    assert "vượt giới hạn 2 MB" in resp.json()["error"]


def test_the_default_limit_is_20_mb_a_file():
    assert Config(rules=load_rules()).max_upload == 20 * MB
    app = create_app(config())
    resp, pulled = _streamed(app, 21 * MB)
    assert resp.status_code == 413 and "20 MB" in resp.json()["error"]
    assert pulled < 21 * MB


# ------------------------------------------------------------------ the pool


def test_a_job_past_its_time_limit_is_stopped_and_the_others_go_on():
    async def go() -> tuple[float, list]:
        pool = Pool(2, _noop)
        pool.start()
        try:
            started = time.perf_counter()
            results = await asyncio.gather(
                pool.run(time.sleep, 60, timeout=0.5),  # a worker stuck for a minute
                pool.run(os.getpid, timeout=10), pool.run(os.getpid, timeout=10),
                pool.run(sum, [1, 2, 3], timeout=10), return_exceptions=True)
            # the stuck worker was killed and replaced: the pool still has two
            again = await asyncio.gather(*[pool.run(os.getpid, timeout=10) for _ in range(4)])
            return time.perf_counter() - started, [*results, len(set(again))]
        finally:
            pool.close()

    elapsed, results = asyncio.run(go())
    assert isinstance(results[0], JobTimeout)
    assert all(isinstance(r, int) for r in results[1:3]) and results[3] == 6
    assert results[4] in (1, 2)
    assert elapsed < 30  # not the minute the stuck job asked for


def _noop() -> None:
    pass


def test_a_worker_that_died_while_idle_is_replaced_before_the_next_job():
    async def go() -> tuple[int, int]:
        pool = Pool(1, _noop)
        pool.start()
        try:
            first = await pool.run(os.getpid, timeout=10)
            os.kill(first, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while alive(first) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            return first, await pool.run(os.getpid, timeout=10)
        finally:
            pool.close()

    first, second = asyncio.run(go())
    assert second != first  # answered by a fresh worker, not refused


def test_a_worker_stopped_past_its_limit_takes_its_programs_along():
    """LibreOffice started by a stuck job must not outlive the job's worker."""
    marker = "61.4321"

    def sleepers() -> list[Path]:
        return [p for p in Path("/proc").glob("[0-9]*/cmdline")
                if _read(p) == f"sleep\0{marker}\0"]

    async def go() -> None:
        pool = Pool(1, _noop)
        pool.start()
        try:
            with pytest.raises(JobTimeout):
                await pool.run(subprocess.run, ["sleep", marker], timeout=1.0)
        finally:
            pool.close()

    asyncio.run(go())
    deadline = time.monotonic() + 10
    while sleepers() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sleepers() == []


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def test_a_request_past_the_time_limit_gets_a_vietnamese_422_and_the_next_is_served(example):
    cfg = config(time_limit=1e-6)
    with TestClient(create_app(cfg)) as c:
        resp = c.post("/api/validate", files=upload(example))
        assert resp.status_code == 422
        assert "bị dừng" in resp.json()["error"]
        cfg.time_limit = 60
        resp = c.post("/api/validate", files=upload(example))
        assert resp.status_code == 200 and resp.json()["valid"] is True


# ------------------------------------------------------------------ token, page, logs


def test_with_a_token_only_its_holders_are_served(example):
    with TestClient(create_app(config(token="bi-mat"))) as c:
        assert c.get("/").status_code == 401
        assert c.get("/?token=sai").status_code == 401
        assert c.get("/?token=bi-mat").status_code == 200
        assert c.get("/trang.js").status_code == 200  # the script holds no secret
        resp = c.post("/api/validate", files=upload(example))
        assert resp.status_code == 401 and "token" in resp.json()["error"]
        assert c.post("/api/validate?token=bi-mat", files=upload(example)).status_code == 401
        resp = c.post("/api/validate", files=upload(example),
                      headers={"Authorization": "Bearer bi-mat"})
        assert resp.status_code == 200


def test_the_page_is_vietnamese_html_without_inline_script(client):
    resp = client.get("/")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    html = resp.text
    assert '<html lang="vi">' in html and "Kiểm tra" in html and 'type="file"' in html
    assert "<script>" not in html and 'src="/trang.js"' in html
    assert "script-src" not in resp.headers["content-security-policy"]  # default-src 'self'
    assert resp.headers["content-security-policy"].startswith("default-src 'self'")


def test_one_log_line_per_request_and_no_workbook_contents(client, example, bad, caplog):
    with caplog.at_level(logging.INFO, logger="baocao.serve"):
        client.get("/")
        client.post("/api/validate", files=upload(example))
        client.post("/api/build", files=upload(bad))
    lines = [r.getMessage() for r in caplog.records if r.name == "baocao.serve"]
    assert [line.split()[:3] for line in lines] == [
        ["GET", "/", "200"], ["POST", "/api/validate", "200"], ["POST", "/api/build", "422"]]
    logged = "\n".join(lines)
    for secret in ("so-ldtbxh", "qua-diem", "Lao động", "Kỳ Tân", "E306"):
        assert secret not in logged


def test_every_request_folder_is_removed_once_answered(client, example, bad):
    client.post("/api/validate", files=upload(example))
    client.post("/api/build", files=upload(example))
    client.post("/api/build", files=upload(bad))
    client.post("/api/batch", files=[("files", (p.name, p.read_bytes(), "x"))
                                     for p in (example, bad)])
    assert list(client.app.state.root.iterdir()) == []


def test_twenty_clients_at_once_all_get_answers(client, example):
    blob = example.read_bytes()
    answers: list[int] = []

    def one() -> None:
        resp = client.post("/api/validate", files={"file": (example.name, blob, "x")})
        answers.append(resp.status_code if resp.json()["files"][0]["total"] == "89" else 0)

    threads = [threading.Thread(target=one) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert answers == [200] * 20


# ------------------------------------------------------------------ the command


def test_the_other_commands_never_import_the_web_stack():
    code = ("import sys, baocao_cli.cli; from baocao_cli.cli import main; "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'python_multipart') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(*args: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "baocao_cli.cli", "serve", "--port",
                             str(port), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read())
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return proc, port
        except urllib.error.HTTPError:  # an answer (401 with --token): it is up
            return proc, port
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("the server did not start")


def children(pid: int) -> set[int]:
    """Every process below `pid` (the workers, the forkserver)."""
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                child = int(stat.parent.name)
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def post_file(port: int, path: Path) -> tuple[int, bytes]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{path.name}\"\r\n\r\n").encode() + path.read_bytes() + \
        f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/validate", data=body,
                                 headers={"Content-Type":
                                          f"multipart/form-data; boundary={boundary}"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_the_server_answers_twenty_clients_and_stops_cleanly_on_ctrl_c(example):
    proc, port = start_server()
    try:
        workers = children(proc.pid)
        assert len(workers) >= 2  # the forkserver and its workers
        answers: list[tuple[int, bytes]] = []
        threads = [threading.Thread(target=lambda: answers.append(post_file(port, example)))
                   for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(90)
        assert [status for status, _ in answers] == [200] * 20
        assert all(json.loads(body)["files"][0]["rating"] == "Tốt" for _, body in answers)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130  # interrupted, as every command of the CLI
    assert "Traceback" not in err
    assert err.rstrip().endswith("Đã dừng máy chủ.")
    requests = [line for line in err.splitlines() if "POST /api/validate" in line]
    assert len(requests) == 20 and all(" 200 " in line for line in requests)
    assert "so-ldtbxh" not in err
    deadline = time.monotonic() + 10
    while (left := [p for p in workers if alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == []  # no worker outlives the server


def test_the_real_server_refuses_a_large_upload_while_it_streams_in():
    """Through uvicorn: the 413 arrives while the client is still sending its 60 MB."""
    proc, port = start_server()
    sent = 0
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            head = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; "
                    b"filename=\"lon.xlsx\"\r\n\r\n")
            size = len(head) + 60 * MB
            sock.sendall(b"POST /api/validate HTTP/1.1\r\nHost: t\r\nContent-Type: "
                         b"multipart/form-data; boundary=b\r\nContent-Length: "
                         + str(size).encode() + b"\r\n\r\n" + head)
            chunk = bytes(MB)
            reply = b""
            with contextlib.suppress(OSError):  # the server may close on the rest
                while sent < 60 * MB:
                    sock.sendall(chunk)
                    sent += len(chunk)
                    if select.select([sock], [], [], 0)[0]:
                        break
            with contextlib.suppress(OSError):
                while b"\r\n\r\n" not in reply and (data := sock.recv(65536)):
                    reply += data
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert reply.startswith(b"HTTP/1.1 413 ")
    assert sent < 30 * MB  # answered after the limit, long before the end


def test_sigterm_stops_the_server_as_cleanly(example):
    proc, port = start_server()
    try:
        assert post_file(port, example)[0] == 200
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143
    assert err.rstrip().endswith("Đã dừng máy chủ.") and "Traceback" not in err


def test_serving_beyond_this_machine_warns(example):
    proc, port = start_server("--host", "0.0.0.0")
    try:
        assert post_file(port, example)[0] == 200
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Cảnh báo: máy chủ nghe trên 0.0.0.0: mọi người truy cập được địa chỉ này" in err
    assert "--token" in err


def test_a_port_in_use_is_a_vietnamese_error_and_exit_1():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "baocao_cli.cli", "serve", "--port",
                              str(port)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert f"không mở được máy chủ tại 127.0.0.1:{port}" in out.stderr
    assert "Traceback" not in out.stderr


def test_serve_refuses_a_bad_template_before_it_starts(tmp_path):
    bad = tmp_path / "mau.docx"
    bad.write_bytes(b"not a docx")
    result = CliRunner().invoke(cli_app, ["serve", "--template", str(bad)])
    assert result.exit_code == 1
    assert "mau.docx" in result.output and "Traceback" not in result.output


def test_an_upload_that_stalls_is_refused_with_408():
    """A client trickling its upload (or gone without a word) does not hold on forever."""
    app = create_app(config(idle=0.3))
    sent: list[dict] = []
    first = [True]

    async def receive() -> dict:
        if first[0]:
            first[0] = False
            return {"type": "http.request", "more_body": True, "body": (
                b"--b\r\nContent-Disposition: form-data; name=\"file\"; "
                b"filename=\"a.xlsx\"\r\n\r\n")}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    async def go() -> float:
        async with app.router.lifespan_context(app):
            started = time.perf_counter()
            await app(_scope("/api/validate"), receive, send)
            return time.perf_counter() - started

    elapsed = asyncio.run(go())
    assert sent[0]["status"] == 408
    assert json.loads(sent[1]["body"])["error"].startswith("Quá 0,3 giây không nhận thêm")
    assert elapsed < 5


def _scope(path: str) -> dict:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b"",
            "root_path": "", "scheme": "http", "server": ("t", 80), "client": ("c", 1),
            "headers": [(b"content-type", b"multipart/form-data; boundary=b")]}


def test_unknown_pages_and_methods_are_answered_in_vietnamese(client):
    resp = client.get("/khong-co")
    assert resp.status_code == 404
    assert resp.json()["error"] == "Không có trang /khong-co. Trang kiểm tra sổ Excel ở địa chỉ /."
    resp = client.get("/api/validate")
    assert resp.status_code == 405
    assert resp.json()["error"] == "/api/validate không nhận yêu cầu GET; cần POST."


def test_a_client_gone_mid_upload_leaves_nothing_behind(caplog):
    """The body stops halfway (the clerk closed the tab): no answer, no folder, one line."""
    app = create_app(config())
    sent: list[dict] = []
    messages = [
        {"type": "http.request", "more_body": True, "body": (
            b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\n"
            + bytes(100_000))},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    async def go() -> list[Path]:
        async with app.router.lifespan_context(app):
            await app(_scope("/api/validate"), receive, send)
            return list(app.state.root.iterdir())  # while the server still runs

    with caplog.at_level(logging.INFO, logger="baocao.serve"):
        left = asyncio.run(go())
    assert sent == []
    assert left == []
    lines = [r for r in caplog.records if r.name == "baocao.serve"]
    assert [r.getMessage().split()[:3] for r in lines] == [["POST", "/api/validate", "499"]]
    assert not any(r.exc_info for r in lines)


def test_the_batch_outcome_header_stays_small_and_counts_what_it_leaves_out():
    from baocao_cli.serve.app import MAX_HEADER, summary_header

    message = "Chấm điểm!D7: tiêu chí 1.2: điểm tự chấm 6 lớn hơn điểm tối đa 5. " * 2
    failed = [{"file": f"huyện {i}/đơn vị {i}.xlsx", "errors": [message] * 3, "n_errors": 9}
              for i in range(1000)]
    header = summary_header({"units": 1000, "built": 0, "failed": failed, "pdf_failed": []})
    assert len(header) <= MAX_HEADER
    header.encode("latin-1")  # a valid header value
    data = json.loads(urllib.request.unquote(header))
    assert 0 < len(data["failed"]) < 1000
    assert len(data["failed"]) + data["more_failed"] == 1000
    assert data["failed"] == failed[:len(data["failed"])]  # the first ones, in order
