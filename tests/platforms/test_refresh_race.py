"""Two workers find the same expired token at once: TikTok rotates refresh tokens, so only one
may spend it. The row lock (PostgreSQL) makes the second wait and reuse the new token."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta

import pytest

from marketplace.extensions import db
from marketplace.models import SocialAccount
from marketplace.services.platforms import accounts
from tests.platforms.conftest import connect
from tests.platforms.test_connections import account_row

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="row locks need PostgreSQL (the PostgreSQL pass runs this)")


def test_concurrent_refreshes_spend_the_refresh_token_once(app, creator, creator_client,
                                                           social):
    social.add_account("tiktok", "mia.moves")
    connect(creator_client, "tiktok", "mia.moves")
    row = account_row(creator)
    row.access_expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    account_id = row.id
    before = social.requests_served()["tiktok"]
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        with app.app_context():
            try:
                mine = db.session.get(SocialAccount, account_id)
                barrier.wait(timeout=10)
                results.append(accounts.fresh_tokens(mine).access_token)
            except Exception as exc:  # noqa: BLE001 (reported below)
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(results) == 4 and len(set(results)) == 1
    assert social.requests_served()["tiktok"] - before == 1  # one call to /v2/oauth/token/
    assert account_row(creator).needs_reconnect_at is None
