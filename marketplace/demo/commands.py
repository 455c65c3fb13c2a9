"""`flask seed`: the demo marketplace, also run by `make run` on an empty database."""

from __future__ import annotations

import random
import time

import click
from flask import current_app
from sqlalchemy import inspect

from marketplace.demo import deals as seed_deals
from marketplace.demo import seed as demo
from marketplace.extensions import db
from marketplace.services.matching.recommendations import build


@click.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when any account exists already.")
@click.option("--seed", "seed_value", type=int, default=None,
              help="Random seed; the same seed gives the same data.")
@click.option("--creators", type=click.IntRange(1, 100_000), default=300, show_default=True)
@click.option("--brands", type=click.IntRange(1, 10_000), default=30, show_default=True)
@click.option("--campaigns", type=click.IntRange(0, 100_000), default=60, show_default=True)
@click.option("--local-stripe", is_flag=True,
              help="Also fund and pay out demo deals through the local Stripe at "
                   "STRIPE_API_BASE (what `make run` does).")
def seed(if_empty: bool, seed_value: int | None, creators: int, brands: int,
         campaigns: int, local_stripe: bool) -> None:
    """Fill the database with a reproducible demo marketplace (creators, brands, campaigns,
    matching history, deals in every state) and print demo log-ins."""
    run_seed(if_empty=if_empty, seed_value=seed_value, creators=creators, brands=brands,
             campaigns=campaigns, local_stripe=local_stripe)


def run_seed(*, if_empty: bool = True, seed_value: int | None = None, creators: int = 300,
             brands: int = 30, campaigns: int = 60, local_stripe: bool = False) -> None:
    if not inspect(db.engine).has_table("users"):
        raise click.ClickException("The database has no tables yet: run `flask db upgrade` "
                                   "first.")
    if not demo.database_is_empty():
        if if_empty:
            click.echo("The database already has accounts; not seeding.")
            return
        raise click.ClickException("The database already has accounts. Seed an empty "
                                   "database (or use --if-empty to skip quietly).")
    # The demo's deals move on only once their jobs (payouts, mails) ran: run them in-process.
    celery = current_app.extensions["celery"]
    eager, celery.conf.task_always_eager = celery.conf.task_always_eager, True
    try:
        _seed(seed_value, creators, brands, campaigns, local_stripe)
    finally:
        celery.conf.task_always_eager = eager


def _seed(seed_value: int | None, creators: int, brands: int, campaigns: int,
          local_stripe: bool) -> None:
    started = time.perf_counter()
    seed_value = demo.DEFAULT_SEED if seed_value is None else seed_value
    result = demo.seed_all(seed_value, creators=creators, brands=brands, campaigns=campaigns)
    click.echo(f"Seeded {len(result.creators)} creators, {len(result.brands)} brands, "
               f"{len(result.campaigns)} campaigns and {result.outcomes} matching outcomes "
               f"in {time.perf_counter() - started:.1f} s.")
    if "matcher" in current_app.extensions:
        version = build()
        click.echo(f"Matching model {version.id} trained on {version.n_outcomes} outcomes "
                   f"(learned ranker: {'yes' if version.learned else 'no'}).")
    made = seed_deals.seed_deals(random.Random(seed_value),
                                 seed_deals.LocalStripe() if local_stripe else None)
    click.echo(f"Deals: {', '.join(f'{n} {s}' for s, n in made.by_state.items())}; "
               f"{made.open_offers} open offers, {made.applications} applications.")
    if made.post_results is not None:
        r = made.post_results
        click.echo(f"Posts: {r.posts} live with {r.snapshots} snapshots, {r.taken_down} taken "
                   f"down early, {r.creator_reports} reported by the creator.")
    for reason in made.skipped:
        click.echo(f"  (skipped: {reason})")
    click.echo("Demo log-ins:")
    for role, (email, password) in demo.DEMO_LOGINS.items():
        click.echo(f"  {role.value:<8} {email:<20} {password}")
    click.echo(f"  (every other demo account: password {demo.OTHER_PASSWORD})")
