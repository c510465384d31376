"""The Starlette application: the page, the API, and the guards around every request.

Each request that carries files gets a private folder (mode 0700) under the server's
own temporary folder, removed once its response has been sent; the work on those files
runs in the pool (`pool.Pool`) under a time limit. Answers that are not a result are
JSON `{"error": "<Vietnamese message>"}` with the HTTP status that fits.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..score.rules import Rules
from . import jobs
from .page import CSS, JS, page
from .pool import Busy, JobCrashed, JobFailed, JobTimeout, Pool
from .uploads import MB, Form, UploadError, mb, number, receive_form, unpack

log = logging.getLogger("baocao.serve")

MAX_BATCH_FILES = 1000
PDF_TIMEOUT = 120.0  # render.pdf.docx_to_pdf's default limit, seconds


@dataclass
class Config:
    rules: Rules
    template: bytes | None = None
    max_upload: int = 20 * MB  # one file
    max_request: int = 200 * MB  # one request, all its files
    token: str | None = None
    workers: int = 2
    time_limit: float = 60.0  # seconds, one workbook
    pdf: bool = False  # LibreOffice found: offer the PDF
    wait: float = 30.0  # seconds a request may wait for a free worker
    idle: float = 60.0  # seconds an upload may go without a byte


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message[:1].upper() + message[1:]}, status_code=status)


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "frame-ancestors 'none'; form-action 'self'",
}


class Guard:
    """Outermost layer: one log line per request (method, path, status, size, time — no
    query string, no file name, no content), the token, the security headers, and a
    Vietnamese 500 for anything unforeseen."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    def _allowed(self, scope: Scope) -> bool:
        if self.token is None or scope["path"] in ("/trang.css", "/trang.js"):
            return True
        given = ""
        for key, value in scope["headers"]:
            if key == b"authorization":
                kind, _, cred = value.decode("latin-1").partition(" ")
                given = cred.strip() if kind.lower() == "bearer" else ""
        if not given and scope["path"] == "/":
            from urllib.parse import parse_qs

            given = (parse_qs(scope.get("query_string", b"").decode("latin-1"))
                     .get("token", [""])[0])
        return hmac.compare_digest(given.encode(), self.token.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]
        sent = [0]

        async def send_wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                headers = list(message.get("headers", []))
                headers += [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                sent[0] += len(message.get("body", b""))
            await send(message)

        try:
            if self._allowed(scope):
                await self.app(scope, receive, send_wrapped)
            else:
                resp = _error(401, "cần mã truy cập (token) do người quản trị máy chủ cấp: "
                                   "mở trang bằng địa chỉ có ?token=… hoặc gửi tiêu đề "
                                   "Authorization: Bearer ….")
                resp.headers["WWW-Authenticate"] = "Bearer"
                await resp(scope, receive, send_wrapped)
        except ClientDisconnect:  # the client went away mid-upload: nothing to answer
            status[0] = 499
        except Exception:
            log.exception("lỗi không lường trước khi xử lý %s %s", scope["method"],
                          scope["path"])
            with contextlib.suppress(Exception):
                await _error(500, "máy chủ gặp lỗi không lường trước; hãy thử lại. Nếu "
                                  "lỗi lặp lại, báo người quản trị máy chủ.")(
                    scope, receive, send_wrapped)
        finally:
            log.info("%s %s %d %d B %.0f ms", scope["method"], scope["path"], status[0],
                     sent[0], (time.perf_counter() - started) * 1000)


def create_app(config: Config) -> Starlette:
    """The application; its pool and temporary folder live as long as its lifespan."""
    state: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state["root"] = Path(tempfile.mkdtemp(prefix="baocao-serve-"))
        pool = Pool(config.workers, jobs.setup, (config.rules, config.template),
                    wait=config.wait)
        pool.start()
        state["pool"] = pool
        app.state.root = state["root"]  # for the tests: every request's folder is here
        try:
            yield
        finally:
            pool.close()
            shutil.rmtree(state["root"], ignore_errors=True)

    def private() -> Path:
        return Path(tempfile.mkdtemp(dir=state["root"]))

    async def run(fn: Callable[..., Any], *args: Any, units: int = 1, pdf: bool = False
                  ) -> Any:
        """The job in the pool: `time_limit` a workbook, plus LibreOffice's own limit a
        PDF, so that the conversion's limit, which stops LibreOffice, comes first."""
        per_unit = config.time_limit + (PDF_TIMEOUT if pdf else 0)
        return await state["pool"].run(fn, *args, timeout=per_unit * max(1, units))

    def with_folder(handler: Callable[[Request, Path], Awaitable[Response]]
                    ) -> Callable[[Request], Awaitable[Response]]:
        """The request's private folder, removed after its response is sent (a file
        response is streamed from it) or at once when the handler fails."""

        async def endpoint(request: Request) -> Response:
            folder = private()
            try:
                resp = await handler(request, folder)
            except UploadError as exc:
                resp = _error(exc.status, str(exc))
            except JobTimeout:
                resp = _error(422, f"tệp cần quá {number(config.time_limit)} giây để xử lý nên đã "
                                   "bị dừng. Một sổ Excel báo cáo không cần lâu như vậy: "
                                   "kiểm tra lại tệp.")
            except Busy:
                resp = _error(503, "máy chủ đang bận xử lý nhiều tệp; hãy thử lại sau ít phút.")
            except (JobCrashed, JobFailed) as exc:
                # the kind only: an exception's text may quote the workbook
                log.error("công việc bị lỗi (%s)", str(exc).split(":", 1)[0])
                resp = _error(500, "không xử lý được tệp do lỗi của máy chủ; hãy thử lại. "
                                   "Nếu lỗi lặp lại, báo người quản trị máy chủ.")
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            cleanup = BackgroundTask(shutil.rmtree, folder, ignore_errors=True)
            if resp.background is None:
                resp.background = cleanup
            return resp

        return endpoint

    async def form_of(request: Request, folder: Path, max_files: int) -> Form:
        (folder / "in").mkdir()
        return await receive_form(dict(request.headers), request.stream(), folder / "in",
                                  max_file=config.max_upload, max_total=config.max_request,
                                  max_files=max_files, idle=config.idle)

    def one_file(form: Form) -> tuple[str, Path]:
        files = form.named("file")
        if len(files) != 1:
            raise UploadError("cần gửi đúng một tệp trong trường file.")
        return files[0]

    async def validate(request: Request, folder: Path) -> Response:
        name, path = one_file(await form_of(request, folder, 1))
        text = await run(jobs.validate, str(path), name)
        return Response(text, media_type="application/json; charset=utf-8")

    async def build(request: Request, folder: Path) -> Response:
        form = await form_of(request, folder, 1)
        name, path = one_file(form)
        pdf = wants_pdf(form)
        out = folder / "out" / f"{path.stem}.docx"
        out.parent.mkdir()
        result = await run(jobs.build, str(path), str(out), name, pdf, pdf=pdf)
        if "json" in result:
            return Response(result["json"], status_code=422,
                            media_type="application/json; charset=utf-8")
        if "error" in result:
            return _error(503 if pdf else 500, result["error"])
        file = Path(result["file"])
        media = ("application/pdf" if pdf else
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        return FileResponse(file, media_type=media, filename=file.name)

    async def batch(request: Request, folder: Path) -> Response:
        form = await form_of(request, folder, MAX_BATCH_FILES)
        files = form.named("files") or form.named("file")
        if not files:
            raise UploadError("cần gửi các sổ Excel trong trường files, hoặc một tệp .zip.")
        pdf = wants_pdf(form)
        root = folder / "in"
        inputs = [p for _, p in files]
        units = len(inputs)
        if len(files) == 1 and files[0][0].lower().endswith(".zip"):
            root = folder / "zip"
            root.mkdir()
            units = unpack(files[0][1], root, max_file=config.max_upload,
                           max_total=config.max_request)
            inputs = [root]
        outdir = folder / "out"
        archive = folder / "ket-qua.zip"
        summary = await run(jobs.batch, [str(p) for p in inputs], str(root), str(outdir),
                            str(archive), pdf, units=units, pdf=pdf)
        if not summary["units"]:
            return _error(422, "không có sổ Excel nào trong các tệp gửi lên.")
        return FileResponse(archive, media_type="application/zip", filename="ket-qua.zip",
                            headers={"X-Baocao-Ket-Qua": summary_header(summary)})

    async def home(request: Request) -> Response:
        html = page(config.max_upload, mb(config.max_upload), config.pdf)
        return Response(html, media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-store"})

    async def css(request: Request) -> Response:
        return Response(CSS, media_type="text/css; charset=utf-8")

    async def js(request: Request) -> Response:
        return Response(JS, media_type="text/javascript; charset=utf-8")

    routes = [
        Route("/", home),
        Route("/trang.css", css),
        Route("/trang.js", js),
        Route("/api/validate", with_folder(validate), methods=["POST"]),
        Route("/api/build", with_folder(build), methods=["POST"]),
        Route("/api/batch", with_folder(batch), methods=["POST"]),
    ]
    async def not_found(request: Request, exc: Exception) -> Response:
        return _error(404, f"không có trang {request.url.path}. Trang kiểm tra sổ Excel ở "
                           "địa chỉ /.")

    async def not_allowed(request: Request, exc: Exception) -> Response:
        allow = exc.headers.get("Allow", "") if isinstance(exc, HTTPException) and \
            exc.headers else ""
        return _error(405, f"{request.url.path} không nhận yêu cầu {request.method}"
                           + (f"; cần {allow}." if allow else "."))

    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={404: not_found, 405: not_allowed})
    app.add_middleware(Guard, token=config.token)
    return app


def wants_pdf(form: Form) -> bool:
    return form.fields.get("pdf", "").strip().lower() in ("1", "true", "on")


MAX_HEADER = 32 * 1024  # browsers refuse response headers past a few hundred KB in all


def summary_header(summary: dict[str, Any]) -> str:
    """The batch's outcome for the page, in a header beside the zip (percent-encoded
    JSON: headers are Latin-1). Past MAX_HEADER the last failed units are left out and
    counted in `more_failed`; tong-hop.xlsx in the zip lists them all."""
    failed = list(summary["failed"])
    while True:
        data = {**summary, "failed": failed,
                "more_failed": len(summary["failed"]) - len(failed)}
        text = quote(json.dumps(data, ensure_ascii=False), safe="")
        if len(text) <= MAX_HEADER or not failed:
            return text
        failed = failed[: len(failed) * 3 // 4]
