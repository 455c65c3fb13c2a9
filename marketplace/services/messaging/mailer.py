"""E-mail through Flask-Mail (SMTP): plain text with an optional HTML part. `send_mail` only
queues the mail (the `duet.send_email` job, after the commit of whatever caused it); the
worker delivers it with `deliver`, retrying with backoff, so a mail problem never fails the
action. A PDF attachment can travel as HTML (`PdfToPrint`): the worker prints it, since
printing takes seconds and never happens in a request. Also reads the development outbox
(.eml files)."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path

from flask import current_app
from flask_mail import Message as MailMessage

from marketplace.extensions import mail
from marketplace.jobs.queue import enqueue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class PdfToPrint:
    """A PDF attachment given as the HTML to print; the mail job prints it."""

    filename: str
    html: str


def _job_file(item: Attachment | PdfToPrint) -> dict:
    if isinstance(item, PdfToPrint):
        return {"filename": item.filename, "content_type": "application/pdf",
                "print_html": item.html}
    return {"filename": item.filename, "content_type": item.content_type,
            "data": base64.b64encode(item.data).decode("ascii")}


def send_mail(to: str, subject: str, body: str, html: str | None = None,
              attachments: tuple[Attachment | PdfToPrint, ...] = ()) -> bool:
    """Queue one e-mail: the plain-text `body`, plus an HTML alternative when given (mail
    programs show whichever they prefer), with optional files (e.g. an invoice PDF, printed
    by the job). True when it was queued (False when mail is switched off); never raises."""
    if not current_app.config.get("MAIL_ENABLED", True):
        return False
    enqueue("duet.send_email", to, subject, body, html, [_job_file(a) for a in attachments])
    return True


def deliver(to: str, subject: str, body: str, html: str | None = None,
            attachments: tuple[Attachment, ...] = ()) -> None:
    """Hand one e-mail to the SMTP server now; raises when it cannot (the job retries)."""
    if not current_app.config.get("MAIL_ENABLED", True):
        return
    message = MailMessage(subject=subject, recipients=[to], body=body, html=html)
    for item in attachments:
        message.attach(item.filename, item.content_type, item.data)
    mail.send(message)


def attachments_from_job(files: list[dict],
                         print_pdf: Callable[[str], bytes]) -> tuple[Attachment, ...]:
    """The job's files as attachments; those sent as HTML are printed with `print_pdf` (the
    job passes the printer: services never print)."""
    return tuple(Attachment(f["filename"], f["content_type"],
                            print_pdf(f["print_html"]) if "print_html" in f
                            else base64.b64decode(f["data"]))
                 for f in files or ())


@dataclass(frozen=True)
class OutboxMail:
    name: str
    received: datetime
    sender: str
    to: str
    subject: str
    body: str


def read_outbox(directory: str | Path, limit: int = 100) -> list[OutboxMail]:
    """The newest .eml files written by devtools/mail_server.py, newest first."""
    folder = Path(directory)
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.eml"), key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    parser = BytesParser(policy=policy.default)
    mails = []
    for path in files[:limit]:
        message = parser.parsebytes(path.read_bytes())
        part = message.get_body(preferencelist=("plain", "html"))
        mails.append(OutboxMail(
            name=path.name,
            received=datetime.fromtimestamp(path.stat().st_mtime, UTC),
            sender=str(message.get("From", "")), to=str(message.get("To", "")),
            subject=str(message.get("Subject", "")),
            body=part.get_content() if part is not None else ""))
    return mails
