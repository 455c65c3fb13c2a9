"""Run the local social platforms (devtools.social_server) as a subprocess on a free port."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from devtools.processes import start_service
from marketplace.devserver import local_platform_settings


def platform_settings(base: str) -> dict[str, str]:
    """The app settings that point every adapter at the local server at `base`."""
    return local_platform_settings(base)


def start_social_server(port: int | None = None, *, seed: Path | None = None,
                        timeout: float = 20.0) -> tuple[str, Callable[[], None]]:
    """Start the server and wait until it answers; returns (base_url, stop)."""
    args = ["--seed", str(seed)] if seed else []
    return start_service("local social server", "devtools.social_server", args, port=port,
                         ready_path="/health", timeout=timeout)
