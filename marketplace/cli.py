"""flask commands: each command's docstring is its help text."""

from __future__ import annotations

import click
from flask import Flask

from marketplace.deals.cli import deals_group
from marketplace.demo.commands import seed
from marketplace.notifications.cli import mail_group
from marketplace.services.accounts import users as accounts
from marketplace.services.errors import DomainError
from marketplace.services.platforms import tokens as platform_tokens


def register(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(mail_group)
    app.cli.add_command(deals_group)
    app.cli.add_command(seed)
    app.cli.add_command(platforms_group)


@click.command("create-admin")
@click.argument("email")
@click.password_option(help="At least 10 characters.")
def create_admin(email: str, password: str) -> None:
    """Create an admin account (or promote an existing account to admin)."""
    try:
        user = accounts.create_admin(email, password)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Admin {user.email} is ready.")


@click.group("platforms")
def platforms_group() -> None:
    """Creators' connected TikTok, Instagram and YouTube accounts."""


@platforms_group.command("rotate-tokens")
def rotate_tokens() -> None:
    """Re-encrypt every stored platform token with the first key of SOCIAL_TOKEN_KEYS."""
    click.echo(f"Re-encrypted the tokens of {platform_tokens.rotate_all()} accounts.")
