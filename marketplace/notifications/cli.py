"""`flask mail ...`: look at the e-mail the local SMTP server received."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from marketplace.services.messaging.mailer import read_outbox


@click.group("mail")
def mail_group() -> None:
    """E-mail tools (development)."""


@mail_group.command("outbox")
@click.option("--limit", default=20, show_default=True, help="How many, newest first.")
@click.option("--body", is_flag=True, help="Print each message's text too.")
@with_appcontext
def outbox(limit: int, body: bool) -> None:
    """List mail received by devtools/mail_server.py (files in MAIL_OUTBOX_DIR)."""
    directory = current_app.config["MAIL_OUTBOX_DIR"]
    mails = read_outbox(directory, limit)
    if not mails:
        click.echo(f"No mail in {directory}.")
        return
    for mail in mails:
        click.echo(f"{mail.received:%Y-%m-%d %H:%M:%S}  {mail.to:<32}  {mail.subject}")
        if body:
            click.echo("    " + mail.body.strip().replace("\n", "\n    ") + "\n")
