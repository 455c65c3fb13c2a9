"""Start the local SMTP server from Python (the dev server and the tests use this)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from devtools.mail_server import make_controller


def start_mail_server(outbox_dir: str | Path, port: int | None = None
                      ) -> tuple[int, Callable[[], None]]:
    """Run aiosmtpd in a background thread on 127.0.0.1; returns (port, stop)."""
    controller = make_controller(outbox_dir, port)
    controller.start()
    stopped = False

    def stop() -> None:
        nonlocal stopped
        if not stopped:
            stopped = True
            controller.stop()

    return controller.port, stop
