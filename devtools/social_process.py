"""Run the local social platforms (devtools.social_server) as a subprocess on a free port."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from devtools.stripe_process import free_port
from marketplace.devserver import local_platform_settings

ROOT = Path(__file__).resolve().parent.parent


def platform_settings(base: str) -> dict[str, str]:
    """The app settings that point every adapter at the local server at `base`."""
    return local_platform_settings(base)


def start_social_server(port: int | None = None, *, seed: Path | None = None,
                        timeout: float = 20.0) -> tuple[str, Callable[[], None]]:
    """Start the server and wait until it answers; returns (base_url, stop)."""
    port = port or free_port()
    cmd = [sys.executable, "-m", "devtools.social_server", "--port", str(port)]
    if seed:
        cmd += ["--seed", str(seed)]
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
            raise RuntimeError(f"local social server exited early:\n{err[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=1):
                return base, stop
        except OSError:
            time.sleep(0.1)
    stop()
    raise RuntimeError(f"local social server did not answer on {base} within {timeout}s")
