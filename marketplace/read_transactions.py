"""A request whose transaction only read ends it with COMMIT, not ROLLBACK.

psycopg forgets every prepared statement of a connection when a transaction is rolled back
(`Connection.rollback` clears its prepare cache), and Flask-SQLAlchemy ends each request by
closing the session, which rolls back. So no statement ever reached psycopg's
`prepare_threshold`, and PostgreSQL planned every statement of every page afresh: 1.8 ms
of planning for the inbox's statement, which then runs in 0.1 ms. Committing a transaction
that only read changes nothing in the database and keeps the prepared statements, so a
busy worker runs its pages on cached plans.

A request that failed, or whose transaction wrote anything (a flush, or any statement
through the session that is not a SELECT), is left to the usual rollback.
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from marketplace.extensions import db

log = logging.getLogger(__name__)

WROTE = "duet_wrote"  # session.info: this transaction flushed or ran a non-SELECT
READ_ONLY_COMMIT = "duet_read_only_commit"  # session.info, during the commit made here


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context) -> None:
    session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if not state.is_select:  # INSERT/UPDATE/DELETE, and any textual statement
        state.session.info[WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(WROTE, None)


def only_read(session: Session) -> bool:
    """The session's transaction is open and has written nothing, nor holds anything to."""
    return (session.in_transaction() and not session.info.get(WROTE)
            and not (session.new or session.dirty or session.deleted))


def register(app: Flask) -> None:
    @app.teardown_request
    def commit_if_only_read(exc: BaseException | None) -> None:
        # Runs before Flask-SQLAlchemy's own teardown (app context) closes the session.
        if exc is not None or not db.session.registry.has():
            return
        session = db.session()
        if not only_read(session):
            return
        # Nothing changed, so nothing loaded is stale: objects keep their values, as when
        # the session is simply closed, rather than being expired by the commit.
        session.info[READ_ONLY_COMMIT], expire = True, session.expire_on_commit
        session.expire_on_commit = False
        try:
            session.commit()
        except SQLAlchemyError:  # the connection went away: the close below cleans up
            log.warning("could not end a read-only transaction", exc_info=True)
            session.rollback()
        finally:
            session.expire_on_commit = expire
            session.info.pop(READ_ONLY_COMMIT, None)
