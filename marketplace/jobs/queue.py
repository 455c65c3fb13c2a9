"""enqueue(): send a job only once the database commit of its cause has happened.

Services call `enqueue("duet.send_email", ...)` by task name (so they never import the task
modules, which import services). When the session holds writes not yet committed, the job
waits on the session and is sent by its `after_commit`; a rollback drops it, so an action
that did not happen enqueues nothing and a task never runs before its rows exist. When the
session has nothing pending (the usual case: a signal subscriber after the service's commit),
the job is sent at once. A job that cannot be sent (broker down) becomes a dead letter an
admin can retry, instead of failing the action that was already committed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from blinker import Namespace
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from marketplace.extensions import db

log = logging.getLogger(__name__)

_PENDING = "duet_jobs"
_FLUSHED = "duet_jobs_flushed"

# Sent after each batch of jobs went to the broker (tests wait there for a real worker).
jobs_sent = Namespace().signal("jobs-sent")


@dataclass(frozen=True)
class Job:
    name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


def enqueue(name: str, *args, **kwargs) -> None:
    """Queue the task `name` with JSON-able arguments, after the current transaction commits."""
    job = Job(name, args, kwargs)
    session = db.session()
    if _writes_pending(session):
        session.info.setdefault(_PENDING, []).append((current_app._get_current_object(), job))
    else:
        _send(current_app._get_current_object(), [job])


def _writes_pending(session: Session) -> bool:
    return bool(session.new or session.dirty or session.deleted or session.info.get(_FLUSHED))


def _send(app, jobs: list[Job]) -> None:
    celery = app.extensions["celery"]
    for job in jobs:
        try:
            celery.tasks[job.name].apply_async(args=job.args, kwargs=job.kwargs)
        except Exception as exc:  # noqa: BLE001  (broker down: keep the job for an admin)
            log.exception("could not queue %s", job.name)
            _record_unsent(app, job, exc)
    jobs_sent.send(app, jobs=jobs)


def _record_unsent(app, job: Job, exc: Exception) -> None:
    from marketplace.services.jobs import dead_letters

    with app.app_context():
        dead_letters.record(job.name, list(job.args), dict(job.kwargs),
                            error=f"not queued: {type(exc).__name__}: {exc}", attempts=0)


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context) -> None:
    session.info[_FLUSHED] = True


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    session.info.pop(_FLUSHED, None)
    waiting = session.info.pop(_PENDING, [])
    by_app: dict = {}
    for app, job in waiting:
        by_app.setdefault(app, []).append(job)
    for app, jobs in by_app.items():
        _send(app, jobs)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_FLUSHED, None)
    dropped = session.info.pop(_PENDING, [])
    if dropped:
        log.info("rolled back: %d job(s) not sent", len(dropped))
