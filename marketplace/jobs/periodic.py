"""Periodic jobs, scheduled by the one beat (`marketplace/jobs/beat.py`).

The deadline sweeper runs `services/deals/deadlines.run_all` under the `sweeper` lease, so
two sweeps never overlap even if two schedulers sent one each; inside, each due row is
claimed with `FOR UPDATE SKIP LOCKED`, so manual runs (`flask deals run-jobs`) beside it
never do a row twice either. Deadlines stay in the database: nothing waits days on the
broker. The matcher rebuild refits the ranker on the whole database; a second job fits one at
once when no model can be loaded (pages rank with the default weights and never ask)."""

from __future__ import annotations

import logging
import os
import socket

from celery import shared_task

from marketplace.services.deals import deadlines
from marketplace.services.jobs import leases
from marketplace.services.matching import evaluation, recommendations

log = logging.getLogger(__name__)

SWEEP_LEASE_SECONDS = 300
REBUILD_LEASE_SECONDS = 1800  # longer than a fit of the whole catalogue


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@shared_task(name="duet.sweep_deadlines")
def sweep_deadlines() -> dict[str, int] | None:
    """One pass of the time-driven deal work; None when another sweep holds the lease."""
    with leases.held("sweeper", holder_name(), SWEEP_LEASE_SECONDS) as mine:
        if not mine:
            log.info("another sweep is running: skipped")
            return None
        done = deadlines.run_all()
    if any(done.values()):
        log.info("sweep: %s", done)
    return done


@shared_task(name="duet.rebuild_matcher")
def rebuild_matcher() -> int:
    """Refit and deploy the matcher (every MATCHING_REBUILD_SECONDS); the new version's id."""
    return recommendations.build().id


@shared_task(name="duet.rebuild_matcher_if_missing")
def rebuild_matcher_if_missing() -> int | None:
    """No model to load (none saved, or its file gone): fit and save one now. Pages never fit
    nor write — they rank with the default weights until then —, so this job finds out by
    itself, every sweep. Under the `matcher_rebuild` lease, so two workers never fit the
    same missing model twice; None when there was nothing to do."""
    if recommendations.missing_model() is None:
        return None  # the usual minute: one query, no lease taken
    with leases.held("matcher_rebuild", holder_name(), REBUILD_LEASE_SECONDS) as mine:
        if not mine:
            log.info("another rebuild is running: skipped")
            return None
        version = recommendations.rebuild_if_missing()
    if version is not None:
        log.info("no model to load: fitted version %s", version.id)
    return version.id if version is not None else None


@shared_task(name="duet.retrain_matcher")
def retrain_matcher(holdout: float = 0.25, seed: int = 0) -> dict:
    """Learn from the outcome log and deploy (what `flask matching retrain` does), on demand."""
    return evaluation.retrain(holdout=holdout, seed=seed)
