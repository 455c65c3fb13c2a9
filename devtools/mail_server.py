"""A real local SMTP server for development and tests: every message it receives is written
as an .eml file into an outbox directory (read by `flask mail outbox` and /notifications/outbox).

    python -m devtools.mail_server --port 8025 --outbox instance/outbox
"""

from __future__ import annotations

import argparse
import secrets
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

from aiosmtpd.controller import Controller

DEFAULT_OUTBOX = Path(__file__).resolve().parent.parent / "instance" / "outbox"
HOST = "127.0.0.1"


class OutboxHandler:
    """aiosmtpd handler: one .eml file per received message (per envelope)."""

    def __init__(self, outbox_dir: str | Path):
        self.outbox = Path(outbox_dir)
        self.outbox.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        name = f"{stamp}-{secrets.token_hex(4)}.eml"
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8")
        tmp = self.outbox / (name + ".part")
        tmp.write_bytes(data)
        tmp.rename(self.outbox / name)  # readers never see half a message
        return "250 Message accepted for delivery"


def free_port(host: str = HOST) -> int:
    """A port nobody listens on right now (aiosmtpd's self-check cannot use port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def make_controller(outbox_dir: str | Path, port: int | None = None,
                    host: str = HOST) -> Controller:
    return Controller(OutboxHandler(outbox_dir), hostname=host, port=port or free_port(host))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--outbox", default=str(DEFAULT_OUTBOX))
    args = parser.parse_args(argv)
    controller = make_controller(args.outbox, args.port)
    controller.start()
    print(f"SMTP on {HOST}:{controller.port}, writing to {args.outbox} (Ctrl-C stops)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
