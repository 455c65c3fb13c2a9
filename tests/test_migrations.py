"""The committed migrations build exactly the schema the models describe (on PostgreSQL)."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from marketplace import create_app
from marketplace.extensions import db
from tests.conftest import _postgres_database, _test_config

PG = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not PG.startswith("postgresql"),
    reason="model/migration agreement is checked in the PostgreSQL pass (TEST_DATABASE_URL)",
)


@pytest.fixture
def fresh_pg_app(tmp_path):
    url, drop = _postgres_database(PG)
    app = create_app(_test_config(url, tmp_path))
    yield app
    with app.app_context():
        db.engine.dispose()
    drop()


def test_migrations_match_models(fresh_pg_app):
    with fresh_pg_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"


def test_migrations_downgrade_to_base_and_back(fresh_pg_app):
    with fresh_pg_app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        with db.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []
