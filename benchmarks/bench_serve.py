"""`POST /api/validate` of the example under concurrent clients, against the real server
(`baocao serve` as a subprocess, uvicorn and its worker pool). Target: p95 ≤ 0.5 s with 20
clients on 2 cores. Prints p50, p95, the slowest and the p95's ratio to the target; not a
timed test, so CI stays independent of the machine's speed.

    python benchmarks/bench_serve.py [--clients 20] [--requests 10] [--jobs 2]
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "so-ldtbxh-ha-tinh-2021.xlsx"
TARGET_SECONDS = 0.5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of `pid` and every process below it (the pool's workers)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        child = int(stat.parent.name)
        if child == pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        elif int(fields[1]) == pid:
            total += cpu_seconds(child)
    return total


def multipart(path: Path) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{path.name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def client(port: int, body: bytes, ctype: str, n: int, start: threading.Event,
           times: list[float], failures: list[str]) -> None:
    """One clerk's browser: a kept-alive connection, `n` validations one after another."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start.wait()
    for _ in range(n):
        t = time.perf_counter()
        conn.request("POST", "/api/validate", body, {"Content-Type": ctype})
        resp = conn.getresponse()
        data = resp.read()
        times.append(time.perf_counter() - t)
        if resp.status != 200 or b'"rating": "T' not in data:
            failures.append(f"{resp.status} {data[:200]!r}")
    conn.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=10, help="per client")
    ap.add_argument("--jobs", type=int, default=2, help="the server's worker processes")
    args = ap.parse_args()

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "baocao_cli.cli", "serve", "--port",
                               str(port), "--jobs", str(args.jobs)],
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    print("the server did not start", file=sys.stderr)
                    return 1
                time.sleep(0.2)
        body, ctype = multipart(EXAMPLE)
        warm: list[float] = []
        client(port, body, ctype, 4, _set(), warm, [])  # first requests load the workers

        times: list[float] = []
        failures: list[str] = []
        cpu_before = cpu_seconds(server.pid)
        start = threading.Event()
        threads = [threading.Thread(target=client, args=(port, body, ctype, args.requests,
                                                          start, times, failures))
                   for _ in range(args.clients)]
        for t in threads:
            t.start()
        began = time.perf_counter()
        start.set()
        for t in threads:
            t.join()
        wall = time.perf_counter() - began
        cpu = cpu_seconds(server.pid) - cpu_before
    finally:
        server.terminate()
        server.wait(30)

    times.sort()
    p95 = times[max(0, int(len(times) * 0.95 + 0.5) - 1)]
    print(f"{args.clients} clients × {args.requests} requests, server --jobs {args.jobs}: "
          f"{len(times)} answers in {wall:.2f} s ({len(times) / wall:.0f}/s), "
          f"{len(failures)} failed")
    print(f"  p50 {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
          f"slowest {times[-1] * 1000:.0f} ms")
    per = cpu / len(times)
    print(f"  server CPU {per * 1000:.1f} ms a request (main process and workers): "
          f"{cpu / wall:.2f} cores used of {os.cpu_count()}; the rest went to other load")
    print(f"p95 {p95:.3f} s — target {TARGET_SECONDS} s — ratio {p95 / TARGET_SECONDS:.2f}")
    for failure in failures[:5]:
        print(f"  failed: {failure}")
    return 1 if failures else 0


def _set() -> threading.Event:
    event = threading.Event()
    event.set()
    return event


if __name__ == "__main__":
    sys.exit(main())
