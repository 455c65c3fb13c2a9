"""Catch writes: the SQL statements that change rows, and session commits, inside a block."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from marketplace.read_transactions import READ_ONLY_COMMIT

WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")


class WriteWatch:
    """Records every INSERT/UPDATE/DELETE run on `engine` and every ORM session commit
    (except the one that ends a request which only read)."""

    def __init__(self, engine):
        self.engine, self.writes, self.commits = engine, [], 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(Session, "after_commit", self._commit)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(Session, "after_commit", self._commit)

    def _statement(self, conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(WRITE_VERBS):
            self.writes.append(statement)

    def _commit(self, session):
        # Ending a transaction that only read (marketplace/read_transactions.py) writes
        # nothing; that module refuses to commit a transaction that wrote.
        if not session.info.get(READ_ONLY_COMMIT):
            self.commits += 1
