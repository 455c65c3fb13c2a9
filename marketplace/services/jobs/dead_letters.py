"""Dead letters: jobs whose retries ran out (or that could not be queued), kept for admins,
who can send one again. Recorded in a session of its own so that whatever the failing job
left half-done in its session is never committed along with the record."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.jobs.queue import enqueue
from marketplace.models.job import FailedJob
from marketplace.services.errors import DomainError

log = logging.getLogger(__name__)

MAX_ERROR = 2000


def record(task_name: str, args: list, kwargs: dict, *, error: str, attempts: int,
           task_id: str = "") -> None:
    """Store one dead letter (never raises: a failure to record is logged)."""
    try:
        with Session(db.engine) as session:
            session.add(FailedJob(task_name=task_name, task_id=task_id, args=args,
                                  kwargs=kwargs, error=error[:MAX_ERROR], attempts=attempts))
            session.commit()
    except Exception:  # noqa: BLE001  (the database itself is down: the log keeps it)
        log.exception("could not record the failed job %s %r %r", task_name, args, kwargs)
    log.error("job %s%r failed after %d attempt(s): %s", task_name, tuple(args), attempts, error)


def open_query():
    """Dead letters not yet sent again, newest first."""
    return (select(FailedJob).where(FailedJob.retried_at.is_(None))
            .order_by(FailedJob.failed_at.desc(), FailedJob.id.desc()))


def retry(job_id: int) -> FailedJob:
    """Send a dead letter's job again with its arguments (the task's own guards make a
    second run harmless) and mark it retried; a second click is refused."""
    job = db.session.execute(select(FailedJob).where(FailedJob.id == job_id)
                             .with_for_update()).scalar()
    if job is None:
        raise DomainError("No such failed job.")
    if job.retried_at is not None:
        db.session.rollback()
        raise DomainError("This job was already sent again.")
    job.retried_at = utcnow()
    enqueue(job.task_name, *job.args, **job.kwargs)  # sent once this commit is done
    db.session.commit()
    return job
