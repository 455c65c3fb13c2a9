"""Builders shared by the messaging, notifications and reviews tests."""

from __future__ import annotations

import io
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from devtools.mail_process import start_mail_server
from marketplace.extensions import db
from marketplace.models.message import Message


def png_bytes(size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 90)).save(out, format="PNG")
    return out.getvalue()


def pdf_bytes(padding: int = 0) -> bytes:
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + b" " * padding
            + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def message_count() -> int:
    return db.session.scalar(select(func.count(Message.id)))


def eml_files(outbox: Path) -> list:
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(p.read_bytes()) for p in sorted(Path(outbox).glob("*.eml"))]


@pytest.fixture
def smtp(tmp_path):
    """A real aiosmtpd server on a free port writing .eml files into tmp_path/outbox."""
    outbox = tmp_path / "outbox"
    port, stop = start_mail_server(outbox)
    yield {"port": port, "outbox": outbox}
    stop()


@pytest.fixture
def mail_app(make_app, smtp):
    """An app whose Flask-Mail talks to the test SMTP server."""
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp["port"], MAIL_ENABLED=True,
                    MAIL_SUPPRESS_SEND=False, MAIL_OUTBOX_DIR=str(smtp["outbox"]))
