"""A request whose transaction only read ends it with COMMIT, so psycopg keeps its prepared
statements (a ROLLBACK makes it forget them all); a request that wrote or failed is rolled
back as before, and nothing it did is kept."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, table, text, update

from marketplace.extensions import db
from marketplace.models import User
from tests.support.factories import make_brand


@pytest.fixture
def app(make_app):
    app = make_app()

    @app.get("/_test/read")
    def read():
        return str(db.session.scalar(select(User.email).order_by(User.id)))

    @app.get("/_test/flush")
    def flush_without_commit():
        db.session.scalar(select(User).order_by(User.id)).email = "flushed@example.com"
        db.session.flush()
        return "flushed"

    @app.get("/_test/update")
    def update_without_commit():
        db.session.execute(update(User).values(email="updated@example.com"))
        return "updated"

    @app.get("/_test/dirty")
    def dirty_without_flush():
        db.session.scalar(select(User).order_by(User.id)).email = "dirty@example.com"
        return "dirty"

    @app.get("/_test/text")
    def textual_statement():
        db.session.execute(text("UPDATE users SET email = 'text@example.com'"))
        return "text"

    @app.get("/_test/fails")
    def fails():
        db.session.scalar(select(User.email))
        raise RuntimeError("boom")

    @app.get("/_test/prepared")
    def prepared():
        db.session.scalar(select(User.email).where(User.id > 0).order_by(User.id))
        return str(db.session.scalar(select(func.count())
                                     .select_from(table("pg_prepared_statements"))))

    return app


@pytest.fixture
def ends(app):
    """How each database transaction ended during the test: "commit" or "rollback"."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    listeners = {"commit": lambda conn: seen.append("commit"),
                 "rollback": lambda conn: seen.append("rollback")}
    for name, fn in listeners.items():
        event.listen(engine, name, fn)
    yield seen
    for name, fn in listeners.items():
        event.remove(engine, name, fn)


@pytest.fixture
def someone(app_ctx):
    user = make_brand("reader").user
    db.session.commit()
    email = user.email
    db.session.remove()
    return email


def emails() -> set[str]:
    db.session.remove()
    return set(db.session.scalars(select(User.email)))


def test_a_request_that_only_read_commits(app, someone, ends):
    client = app.test_client()
    assert client.get("/_test/read").get_data(as_text=True) == someone
    assert ends == ["commit"]


@pytest.mark.parametrize("path", ["/_test/flush", "/_test/update", "/_test/text",
                                  "/_test/dirty"])
def test_a_request_that_wrote_is_rolled_back(app, someone, ends, path):
    client = app.test_client()
    assert client.get(path).status_code == 200
    assert "commit" not in ends
    assert emails() == {someone}


def test_a_failed_request_is_rolled_back(app, someone, ends):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    assert client.get("/_test/fails").status_code == 500
    assert "commit" not in ends


def test_prepared_statements_survive_from_request_to_request(app, someone):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("server-side prepared statements are PostgreSQL's")
    client = app.test_client()
    # psycopg prepares a statement on its 5th run on a connection; each request runs the
    # page's statement once, so only a connection that kept its cache across requests
    # (no ROLLBACK in between) ever prepares it.
    counts = [int(client.get("/_test/prepared").get_data(as_text=True)) for _ in range(8)]
    assert counts[-1] >= 1, counts
