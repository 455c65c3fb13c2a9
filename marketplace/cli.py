"""flask commands: each command's docstring is its help text."""

from __future__ import annotations

import click
from flask import Flask

from marketplace.services import accounts
from marketplace.services.errors import DomainError


def register(app: Flask) -> None:
    app.cli.add_command(create_admin)
    from marketplace.notifications.cli import mail_group

    app.cli.add_command(mail_group)
    from marketplace.deals.cli import deals_group

    app.cli.add_command(deals_group)
    app.cli.add_command(seed)


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


@click.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when any account exists already.")
@click.option("--seed", "seed_value", type=int, default=None,
              help="Random seed; the same seed gives the same data.")
@click.option("--creators", type=click.IntRange(1, 100_000), default=300, show_default=True)
@click.option("--brands", type=click.IntRange(1, 10_000), default=30, show_default=True)
@click.option("--campaigns", type=click.IntRange(0, 100_000), default=60, show_default=True)
def seed(if_empty: bool, seed_value: int | None, creators: int, brands: int,
         campaigns: int) -> None:
    """Fill the database with a reproducible demo marketplace and print demo log-ins."""
    import time

    from sqlalchemy import inspect

    from marketplace import seed as demo
    from marketplace.extensions import db

    if not inspect(db.engine).has_table("users"):
        raise click.ClickException("The database has no tables yet: run `flask db upgrade` "
                                   "first.")
    if not demo.database_is_empty():
        if if_empty:
            click.echo("The database already has accounts; not seeding.")
            return
        raise click.ClickException("The database already has accounts. Seed an empty "
                                   "database (or use --if-empty to skip quietly).")
    started = time.perf_counter()
    result = demo.seed_all(demo.DEFAULT_SEED if seed_value is None else seed_value,
                           creators=creators, brands=brands, campaigns=campaigns)
    click.echo(f"Seeded {len(result.creators)} creators, {len(result.brands)} brands, "
               f"{len(result.campaigns)} campaigns and {result.outcomes} matching outcomes "
               f"in {time.perf_counter() - started:.1f} s.")
    from flask import current_app

    if "matcher" in current_app.extensions:
        from marketplace.services.recommendations import build

        version = build()
        click.echo(f"Matching model {version.id} trained on {version.n_outcomes} outcomes "
                   f"(learned ranker: {'yes' if version.learned else 'no'}).")
    click.echo("Demo log-ins:")
    for role, (email, password) in demo.DEMO_LOGINS.items():
        click.echo(f"  {role.value:<8} {email:<20} {password}")
    click.echo(f"  (every other demo account: password {demo.OTHER_PASSWORD})")
