"""Run the application with uvicorn until Ctrl-C (or SIGTERM), then stop cleanly: the
requests in progress are answered, the workers stopped, the temporary folder removed."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys

import uvicorn

from .app import Config, create_app

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Connections served at once; beyond it uvicorn answers 503 at once. Each may hold an
# upload of up to ten times --max-upload on disk: this bounds the disk a flood can fill.
LIMIT_CONCURRENCY = 100


def local(host: str) -> bool:
    return host in LOCAL_HOSTS


class _Stopped(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.code = 128 + signum  # 130 for SIGINT, 143 for SIGTERM


def _stopped(signum: int, frame: object) -> None:
    raise _Stopped(signum)


def serve(config: Config, host: str, port: int) -> int:
    """Serve until stopped: 130 after Ctrl-C and 143 after SIGTERM, as any interrupted
    command of the CLI; 1 when the address cannot be used.

    uvicorn answers the signal (finishes the requests in flight, runs the shutdown), then
    raises it again once it has restored the handlers it found: ours, set here whatever
    the command line had set, so that the second delivery ends here."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s",
                        datefmt="%Y-%m-%d %H:%M:%S", stream=sys.stderr)
    server = uvicorn.Server(uvicorn.Config(
        create_app(config), host=host, port=port, access_log=False, log_level="warning",
        lifespan="on", timeout_graceful_shutdown=10, server_header=False,
        limit_concurrency=LIMIT_CONCURRENCY))
    shown = f"[{host}]" if ":" in host else host
    logging.getLogger("baocao.serve").info(
        "Đang phục vụ tại http://%s:%d/ — bấm Ctrl-C để dừng.", shown, port)
    stops = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, _stopped) for sig in stops}
    code = 0
    try:
        with contextlib.suppress(SystemExit):  # uvicorn's own exit when it cannot bind
            server.run()
    except _Stopped as stop:
        code = stop.code
    except KeyboardInterrupt:
        code = 130
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not server.started and not code:
        print(f"Lỗi: không mở được máy chủ tại {shown}:{port} (địa chỉ đang được dùng "
              "hoặc không có trên máy này).", file=sys.stderr)
        return 1
    print("Đã dừng máy chủ.", file=sys.stderr)
    return code
