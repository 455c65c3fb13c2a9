"""Fixtures: an app on a throw-away database (SQLite file, or PostgreSQL when
TEST_DATABASE_URL points at one), a client, and logged-in users of each role."""

from __future__ import annotations

import os
import sqlite3
import uuid
from functools import partial

import pytest
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from werkzeug.routing import Rule
from werkzeug.security import generate_password_hash

from marketplace import create_app
from marketplace.extensions import db, limiter
from marketplace.models import user as user_module
from tests.support import factories
from tests.support.jobs import (
    TRACKER,
    forget_session_keys,
    job_config,
    running_worker,
    uses_worker,
)

PASSWORD = factories.PASSWORD

# Cheap password hashes for the users tests create (factories and sign-up forms alike). The
# log-in form still checks them with werkzeug's check_password_hash, which reads the method
# from the stored hash; only the work factor differs from production's scrypt (~0.15 s per
# hash, which made hashing ~40% of the suite's time). The demo data of marketplace.seed and
# the browser tests (tests/e2e overrides the fixture below) keep the real scrypt hashes.
CHEAP_PASSWORD_HASH = "pbkdf2:sha256:1"


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(user_module, "generate_password_hash",
                   partial(generate_password_hash, method=CHEAP_PASSWORD_HASH))
        yield


def _sqlite_synchronous_off(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


@pytest.fixture(scope="session", autouse=True)
def _sqlite_without_fsync():
    """Test databases need no crash safety: SQLite files are written without fsync (as
    tests/test_deal_state_machine.py already did). Each commit otherwise waits for the disk,
    2-15 ms here, and the suite commits tens of thousands of times. Transactions, locking and
    what is read back are unchanged."""
    event.listen(Engine, "connect", _sqlite_synchronous_off)
    yield
    event.remove(Engine, "connect", _sqlite_synchronous_off)


@pytest.fixture(scope="session", autouse=True)
def _shared_url_builders():
    """Every test's new app compiles a URL builder for each of its ~70 routes (werkzeug
    generates and compiles Python source per rule: ~90% of create_app's 55 ms). A builder is a
    plain function of (rule, values); for rules without defaults its code depends only on the
    rule's text and parsed parts, so apps of a session reuse the one compiled for an equal
    rule. Rules with defaults are compiled as usual."""
    original = Rule._compile_builder
    builders: dict = {}

    def compile_builder(self, append_unknown: bool = True):
        if self.defaults:
            return original(self, append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        if key not in builders:
            builders[key] = original(self, append_unknown)
        return builders[key]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Rule, "_compile_builder", compile_builder)
        yield


class _TemplateBytecode(BytecodeCache):
    """Compiled templates kept in memory for the whole session (one per xdist worker).

    Every test builds a new app, hence a new Jinja environment that would otherwise lex, parse
    and compile each template again (about a quarter of the suite's time). Jinja checks each
    entry against a checksum of the template's source, so an edited template is recompiled."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self._code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_BYTECODE = _TemplateBytecode()


def _postgres_database(url: str):
    """Create a database of our own on the server in `url` (so parallel runs never clash)."""
    base = make_url(url)
    name = f"duet_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            # A throw-away database needs no crash safety: commits return without waiting for
            # the WAL to reach the disk (locks, constraints and isolation are unchanged).
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    except Exception as exc:  # server down or unreachable
        admin.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {url} is required under CI=true: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {url}: {exc.__class__.__name__}")
    admin.dispose()

    def drop():
        eng = create_engine(base, isolation_level="AUTOCOMMIT")
        with eng.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        eng.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url and url.startswith("postgresql"):
        own_url, drop = _postgres_database(url)
        yield own_url
        drop()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    app = create_app(_test_config(database_url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return database_url


def _test_config(database_url: str, instance) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "INSTANCE_DIR": str(instance),
        "UPLOAD_DIR": str(instance / "uploads"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": "localhost",
        "MATCHING_ENABLED": False,
        # Rankings follow every change at once (tests/matching/test_cached_matches.py
        # checks the production interval).
        "MATCHING_CHECK_SECONDS": 0,
        # Pages always show the data as it is now (tests/test_fragment_cache.py opts in).
        "CACHE_TYPE": "NullCache",
        "CACHE_NO_NULL_WARNING": True,
        **job_config(database_url),
    }


# The sequences that TRUNCATE ... RESTART IDENTITY would restart: those owned by (serial) or
# part of (identity) a column of the given tables; each goes back to its start value.
_RESTART_SEQUENCES = text("""
    SELECT setval(s.seqrelid, s.seqstart, false)
    FROM pg_sequence s
    JOIN pg_depend d ON d.objid = s.seqrelid AND d.classid = 'pg_class'::regclass
     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
    WHERE d.refobjid = ANY(CAST(:tables AS regclass[]))
""")


def _clear_tables() -> None:
    """Empty every table (children first) and, on PostgreSQL, restart the id sequences, so each
    test starts from ids 1, 2, ... on both backends. On PostgreSQL this is DELETE, not TRUNCATE:
    TRUNCATE swaps the files of all 36 tables (~1 s a test on a busy disk), DELETE of a
    test's few rows takes milliseconds."""
    tables = list(reversed(db.metadata.sorted_tables))
    for table in tables:
        db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        db.session.execute(_RESTART_SEQUENCES, {"tables": [f'"{t.name}"' for t in tables]})
    db.session.commit()


class IsolatedClient(FlaskClient):
    """Each request runs in an app context of its own (fresh `g`, fresh database session), as
    in production, even while the test body holds a context for its own queries."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def job_worker(_schema, tmp_path_factory):
    """On PostgreSQL, one real Celery worker for the session (on this session's own Redis
    queue); on SQLite, None: jobs run in the caller right after the commit (eager)."""
    if not uses_worker(_schema):
        yield None
        return
    app = create_app(_test_config(_schema, tmp_path_factory.mktemp("worker")))
    with running_worker(app) as worker:
        yield worker
    with app.app_context():
        db.engine.dispose()
    forget_session_keys()


@pytest.fixture
def make_app(_schema, job_worker, tmp_path):
    """Factory for an app with extra config; tables are emptied after the test (once the
    jobs the test queued have run)."""
    apps = []

    def factory(**overrides):
        app = create_app({**_test_config(_schema, tmp_path), **overrides})
        app.test_client_class = IsolatedClient
        app.jinja_env.bytecode_cache = TEMPLATE_BYTECODE
        limiter.reset()
        TRACKER.register(app)
        apps.append(app)
        return app

    yield factory
    if job_worker is not None and apps:
        TRACKER.wait()
    for app in apps:
        app.extensions["celery"].close()
        TRACKER.apps.pop(str(id(app)), None)
    if apps:
        with apps[0].app_context():
            db.session.remove()
            _clear_tables()
            db.session.remove()
        for app in apps:
            with app.app_context():
                db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def app_ctx(app):
    """An app context for the test body's own queries (requests get their own: IsolatedClient)."""
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app, app_ctx):
    return app.test_cli_runner()


class Auth:
    """Logs a test client in and out through the real log-in form."""

    def __init__(self, client):
        self.client = client

    def login(self, user_or_email, password: str = PASSWORD, remember: bool = False):
        email = getattr(user_or_email, "email", user_or_email)
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self.client.post("/auth/login", data=data)

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def brand(app_ctx):
    return factories.make_brand()


@pytest.fixture
def creator(app_ctx):
    return factories.make_creator()


@pytest.fixture
def admin(app_ctx):
    return factories.make_user("admin@example.com", role="admin")


def _logged_in(app, user):
    c = app.test_client()
    response = Auth(c).login(user)
    assert response.status_code == 302, response.data[:500]
    return c


@pytest.fixture
def brand_client(app, brand):
    return _logged_in(app, brand.user)


@pytest.fixture
def creator_client(app, creator):
    return _logged_in(app, creator.user)


@pytest.fixture
def admin_client(app, admin):
    return _logged_in(app, admin)


@pytest.fixture
def login_as(app):
    """Return a new client logged in as the given user."""
    return lambda user: _logged_in(app, user)


@pytest.fixture(scope="session")
def social_base():
    """One local social-platform server (devtools/social_server.py) per test session."""
    from devtools.social_process import start_social_server

    base, stop = start_social_server()
    yield base
    stop()


@pytest.fixture
def social(social_base):
    """The local TikTok / Instagram / YouTube, emptied before each test."""
    from tests.support.social import SocialServer

    server = SocialServer(social_base)
    server.reset()
    return server


@pytest.fixture
def social_settings(social_base) -> dict:
    """App settings pointing the platform adapters at the local server (no backoff waits)."""
    from devtools.social_process import platform_settings

    return {**platform_settings(social_base), "PLATFORM_RETRY_BACKOFF": 0,
            "PLATFORM_HTTP_TIMEOUT": 5}
