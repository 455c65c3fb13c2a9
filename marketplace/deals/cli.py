"""`flask deals ...` commands."""

from __future__ import annotations

import click

from marketplace.services.deals import deadlines as deal_jobs


@click.group("deals")
def deals_group() -> None:
    """Deals: time-driven jobs."""


@deals_group.command("run-jobs")
def run_jobs() -> None:
    """Auto-approve, expire unfunded deals and stale offers, apply decision dates, flag late
    deals now, by hand (the job queue's beat runs the same sweep every minute). Safe to run
    as often as you like, also beside the scheduled sweep (rows are claimed SKIP LOCKED)."""
    counts = deal_jobs.run_all()
    click.echo(", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in counts.items()))
