"""Leases: a named lock with an expiry, held by one process at a time (the one beat, one
sweeper run). One conditional UPDATE takes a free or expired lease (or renews our own); the
first ever taker INSERTs the row and a concurrent second INSERT fails on the primary key. It
works on SQLite and PostgreSQL alike, and a holder that died frees it by expiring."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models.job import JobLease


def acquire(name: str, holder: str, seconds: float, now: datetime | None = None) -> bool:
    """Take (or renew) the lease `name` for `seconds`; False when someone else holds it."""
    now = now or utcnow()
    until = now + timedelta(seconds=seconds)
    taken = db.session.execute(
        update(JobLease).where(JobLease.name == name,
                               or_(JobLease.expires_at <= now, JobLease.holder == holder))
        .values(holder=holder, expires_at=until)).rowcount
    if taken:
        db.session.commit()
        return True
    db.session.add(JobLease(name=name, holder=holder, expires_at=until))
    try:
        db.session.commit()
    except IntegrityError:  # the row exists and someone else's lease is still running
        db.session.rollback()
        return False
    return True


def release(name: str, holder: str) -> None:
    db.session.execute(delete(JobLease).where(JobLease.name == name, JobLease.holder == holder))
    db.session.commit()


@contextmanager
def held(name: str, holder: str, seconds: float) -> Iterator[bool]:
    """`with held(...) as mine:` runs the block with `mine` True when the lease was taken
    (and releases it after the block, whatever happens), False when someone else holds it."""
    if not acquire(name, holder, seconds):
        yield False
        return
    try:
        yield True
    finally:
        release(name, holder)
