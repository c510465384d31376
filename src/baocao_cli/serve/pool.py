"""A bounded pool of worker processes with a time limit per job.

`concurrent.futures.ProcessPoolExecutor` cannot stop one job: a workbook that keeps a
worker busy past its limit could only be dropped by breaking the whole pool, and every
other request with it. Here each worker is its own process on its own pipe; a job past
its limit kills that worker alone and a fresh one takes its place. Workers are forked
from a forkserver (single-threaded, the checking modules preloaded), never from the
server's threaded process, so a replacement is ready in milliseconds (on Windows, which
has no forkserver, workers are spawned).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

PRELOAD = ["baocao_cli.serve.jobs"]


class JobTimeout(Exception):
    """The job ran past its time limit; its worker was killed."""


class JobCrashed(Exception):
    """The worker died during the job (killed for memory, a crash in a library)."""


class JobFailed(Exception):
    """The job raised; the text is `Type: message`, for the log, not for the user."""


class Busy(Exception):
    """No worker became free in time: too many requests are waiting."""


def _worker_main(conn: Connection, setup: Callable[..., None], setup_args: tuple) -> None:
    # Ctrl-C reaches the terminal's whole process group; the server stops its workers
    # itself. In a group of its own, a worker killed past its limit takes the programs it
    # started (LibreOffice) along.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(os, "setsid"):
        os.setsid()
    setup(*setup_args)
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[bool, Any] = (True, fn(*args))
        except Exception as exc:
            reply = (False, f"{type(exc).__name__}: {exc}")
        conn.send(reply)


class _Worker:
    def __init__(self, ctx: Any, setup: Callable[..., None], setup_args: tuple) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, setup, setup_args),
                                daemon=True, name="baocao-serve-worker")
        self.proc.start()
        child.close()

    def call(self, fn: Callable[..., Any], args: tuple, timeout: float) -> tuple[bool, Any]:
        self.conn.send((fn, args))
        if not self.conn.poll(timeout):
            raise JobTimeout
        return self.conn.recv()

    def stop(self) -> None:
        self.conn.close()
        if self.proc.is_alive():
            if hasattr(os, "killpg") and self.proc.pid is not None:
                with contextlib.suppress(OSError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.kill()
        self.proc.join(5)


class Pool:
    """`size` workers; `run` waits for a free one (at most `wait` seconds), runs the job
    with its time limit and always hands a live worker back to the pool."""

    def __init__(self, size: int, setup: Callable[..., None], setup_args: tuple = (),
                 wait: float = 30.0) -> None:
        self.size = size
        self.wait = wait
        self._setup = setup
        self._setup_args = setup_args
        if "forkserver" in multiprocessing.get_all_start_methods():
            self._ctx = multiprocessing.get_context("forkserver")
            self._ctx.set_forkserver_preload(PRELOAD)
        else:  # Windows: each worker starts afresh (a second or so, then kept)
            self._ctx = multiprocessing.get_context("spawn")
        self._threads = ThreadPoolExecutor(max_workers=size, thread_name_prefix="baocao-pool")
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._closed = False

    def _spawn(self) -> _Worker:
        worker = _Worker(self._ctx, self._setup, self._setup_args)
        self._all.add(worker)
        return worker

    def start(self) -> None:
        for _ in range(self.size):
            self._idle.put_nowait(self._spawn())

    def _call(self, worker: _Worker, fn: Callable[..., Any], args: tuple, timeout: float,
              loop: asyncio.AbstractEventLoop) -> tuple[bool, Any]:
        """Runs in a thread; whatever happens, a live worker goes back to the queue."""
        try:
            if not worker.proc.is_alive() and not self._closed:
                # died while idle (killed for memory, by hand): this job is not its cause
                self._all.discard(worker)
                worker.stop()
                worker = self._spawn()
            return worker.call(fn, args, timeout)
        except (JobTimeout, EOFError, OSError) as exc:
            self._all.discard(worker)
            worker.stop()
            if not self._closed:
                worker = self._spawn()
            raise exc if isinstance(exc, JobTimeout) else JobCrashed(str(exc)) from None
        finally:
            if not self._closed:
                loop.call_soon_threadsafe(self._idle.put_nowait, worker)

    async def run(self, fn: Callable[..., Any], *args: Any, timeout: float) -> Any:
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.wait)
        except TimeoutError:
            raise Busy from None
        loop = asyncio.get_running_loop()
        fut = loop.run_in_executor(self._threads, self._call, worker, fn, args, timeout, loop)
        # A client that goes away cancels its request, not the job: the thread finishes
        # it and returns the worker.
        ok, value = await asyncio.shield(fut)
        if not ok:
            raise JobFailed(value)
        return value

    def close(self) -> None:
        self._closed = True
        for worker in list(self._all):
            worker.stop()
        self._all.clear()
        self._threads.shutdown(wait=False, cancel_futures=True)
