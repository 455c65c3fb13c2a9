"""Run the local Stripe (devtools.stripe_server) as a subprocess on a free port."""

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


def start_stripe_server(port: int | None = None, *, webhook_url: str | None = None,
                        webhook_secret: str | None = None,
                        timeout: float = 20.0) -> tuple[str, Callable[[], None]]:
    """Start the server and wait until it answers; returns (base_url, stop)."""
    port = port or free_port()
    cmd = [sys.executable, "-m", "devtools.stripe_server", "--port", str(port)]
    if webhook_url:
        cmd += ["--webhook-url", webhook_url, "--webhook-secret", webhook_secret or ""]
    # A file, not a pipe: a full pipe would block the server.
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
            raise RuntimeError(f"local Stripe exited early:\n{err[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/js.stripe.com/v3/", timeout=1):
                return base, stop
        except OSError:
            time.sleep(0.1)
    stop()
    raise RuntimeError(f"local Stripe did not answer on {base} within {timeout}s")
