"""Start a local side service (local Stripe, local social platforms) as a subprocess on a
free port and wait until it answers; shared by the tests and the dev server's helpers."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_service(name: str, module: str, args: list[str], *, port: int | None = None,
                  ready_path: str, timeout: float = 20.0) -> tuple[str, Callable[[], None]]:
    """Run `python -m module --port PORT *args`; returns (base_url, stop) once GET
    `ready_path` answers. Its stderr goes to a file (a full pipe would block the server)."""
    port = port or free_port()
    cmd = [sys.executable, "-m", module, "--port", str(port), *args]
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            err = log.read().decode(errors="replace")
            log.close()
            raise RuntimeError(f"{name} exited early:\n{err[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}{ready_path}", timeout=1):
                return base, stop
        except OSError:
            time.sleep(0.1)
    stop()
    raise RuntimeError(f"{name} did not answer on {base} within {timeout}s")
