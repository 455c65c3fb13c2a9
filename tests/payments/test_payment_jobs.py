"""Money on the job queue: an approval queues the payout, which a worker performs (in the
PostgreSQL pass a real Celery worker on Redis; in the SQLite pass the job runs in-process
right after the commit); Stripe failures are retried, then dead-lettered for an admin whose
Retry pays exactly once; jobs wait for the commit of their cause and vanish with its
rollback; jobs queued while no worker runs are done when one starts."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from celery.signals import task_prerun
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.jobs.queue import enqueue
from marketplace.models import DealState
from marketplace.models.job import FailedJob
from marketplace.models.payment import LedgerEntry, LedgerKind, Transfer
from marketplace.services import payments
from marketplace.services.deals import state_machine as deals
from tests.payments.conftest import set_stripe_failing
from tests.support import factories
from tests.support.jobs import SESSION_QUEUE, uses_worker
from tests.support.payments import make_deal, ready_payout_account, refresh, saved_card

ROOT = Path(__file__).resolve().parents[2]
PRICE = 50000  # creator fee 10% (see conftest's app): the transfer is 45000


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def funded(app_ctx, brand, creator, brand_client):
    deal = make_deal(brand, creator, price_cents=PRICE)
    response = brand_client.post(f"/deals/{deal.id}/pay",
                                 data={"payment_method": saved_card(brand.user)})
    assert response.status_code == 302
    refresh(deal)
    assert deal.state == DealState.FUNDED
    return deal


def _submitted(deal):
    deal.state = DealState.SUBMITTED
    db.session.commit()
    return deal


@pytest.fixture
def job_runs():
    """(task name, ran in the test's own thread?, eager?) for every job that started."""
    runs: list[tuple[str, bool, bool]] = []
    me = threading.current_thread()

    def note(sender=None, task=None, **_):
        runs.append((task.name, threading.current_thread() is me, bool(task.request.is_eager)))

    task_prerun.connect(note, weak=False)
    yield runs
    task_prerun.disconnect(note)


def test_approval_queues_a_payout_that_the_worker_performs(app, funded, brand, creator,
                                                           brand_client, job_runs):
    ready_payout_account(creator)
    _submitted(funded)
    response = brand_client.post(f"/deals/{funded.id}/do/approve")
    assert response.status_code == 302
    refresh(funded)
    assert funded.state == DealState.COMPLETED
    [transfer] = db.session.scalars(select(Transfer)).all()
    assert transfer.amount_cents == 45000 and transfer.deal_id == funded.id
    assert count(LedgerEntry, LedgerEntry.kind == LedgerKind.TRANSFER) == 1
    assert payments.ledger_balance_ok(funded.id)
    payout_runs = [run for run in job_runs if run[0] == "duet.release_payout"]
    assert len(payout_runs) == 1
    if uses_worker(app.config["SQLALCHEMY_DATABASE_URI"]):
        assert payout_runs[0][1:] == (False, False)  # a worker thread, from Redis
    else:
        assert payout_runs[0][1:] == (True, True)  # in-process after the commit


def test_stripe_down_payout_is_retried_then_dead_lettered_and_admin_retry_pays_once(
        app, funded, brand, creator, stripe_server, admin_client):
    ready_payout_account(creator)
    set_stripe_failing(stripe_server, True, path="/v1/transfers")
    deals.perform(_submitted(funded), "approve", brand.user)
    refresh(funded)
    assert funded.state == DealState.APPROVED  # the approval stands
    assert payments.payment_for(funded.id).status == "held" and count(Transfer) == 0
    [failed] = db.session.scalars(select(FailedJob)).all()
    assert (failed.task_name, failed.args) == ("duet.release_payout", [funded.id])
    assert failed.attempts == app.config["JOB_MAX_RETRIES"] + 1
    assert failed.error.startswith("PaymentFailed: The payment provider")
    assert failed.retried_at is None
    page = admin_client.get("/admin/jobs")
    assert page.status_code == 200 and f"Deal #{funded.id}".encode() in page.data
    set_stripe_failing(stripe_server, False)
    response = admin_client.post(f"/admin/jobs/{failed.id}/retry")
    assert response.status_code == 302
    again = admin_client.post(f"/admin/jobs/{failed.id}/retry", follow_redirects=True)
    assert b"already sent again" in again.data
    db.session.expire_all()
    assert count(Transfer) == 1 and funded.state == DealState.COMPLETED
    assert count(FailedJob, FailedJob.retried_at.is_(None)) == 0
    assert b"No failed jobs" in admin_client.get("/admin/jobs").data


def test_cancellation_refund_is_a_job_too(app, funded, admin, stripe_api):
    deals.perform(funded, "cancel", admin)
    payment = payments.payment_for(funded.id)
    db.session.refresh(payment)
    assert payment.status == "refunded" and payment.refunded_cents == payment.amount_cents
    refunds = stripe_api.v1.refunds.list().data
    assert [r.amount for r in refunds] == [payment.amount_cents]


def test_a_job_waits_for_the_commit_and_a_rollback_drops_it(app, funded, brand, creator):
    ready_payout_account(creator)
    funded.state = DealState.APPROVED
    db.session.commit()
    funded.is_late = True  # an uncommitted write: the job must wait for its commit
    enqueue("duet.release_payout", funded.id)
    db.session.rollback()
    assert count(Transfer) == 0 and payments.payment_for(funded.id).status == "held"
    funded.is_late = False
    enqueue("duet.release_payout", funded.id)
    assert count(Transfer) == 0  # queued, not sent: the flush above is not a commit
    db.session.commit()
    assert count(Transfer) == 1


def _worker_env(app) -> dict[str, str]:
    config = app.config
    keys = ("STRIPE_API_BASE", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "CELERY_QUEUE",
            "CELERY_BROKER_URL", "CELERY_KEY_PREFIX", "CELERY_QUEUE_DIR")
    env = {**os.environ, **{k: str(config[k]) for k in keys if config.get(k)},
           "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "test-secret",
           "DUET_INSTANCE": config["INSTANCE_DIR"], "BRAND_FEE_BPS": "500",
           "CREATOR_FEE_BPS": "1000", "MAIL_ENABLED": "false", "MATCHING_ENABLED": "false"}
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    return env


def test_jobs_queued_while_no_worker_runs_are_done_when_one_starts(make_app, stripe_server,
                                                                   database_url, tmp_path):
    """The broker keeps the job (Redis in the PostgreSQL pass, the development default,
    kombu's filesystem transport, in the SQLite pass) until a worker process starts."""
    broker = ({"CELERY_QUEUE": f"{SESSION_QUEUE}-later"} if uses_worker(database_url)
              else {"CELERY_BROKER_URL": "filesystem://",
                    "CELERY_QUEUE_DIR": str(tmp_path / "queue")})
    app = make_app(STRIPE_API_BASE=stripe_server, STRIPE_SECRET_KEY="sk_test_duet",
                   BRAND_FEE_BPS=500, CREATOR_FEE_BPS=1000, MAIL_ENABLED=False,
                   CELERY_TASK_ALWAYS_EAGER=False, TEST_WAIT_FOR_JOBS=False, **broker)
    with app.app_context():
        brand, creator = factories.make_brand(), factories.make_creator()
        deal = make_deal(brand, creator, price_cents=PRICE)
        payments.fund(deal, brand.user, payment_method=saved_card(brand.user))
        ready_payout_account(creator)
        deals.perform(_submitted(deal), "approve", brand.user)
        refresh(deal)
        assert deal.state == DealState.APPROVED and count(Transfer) == 0  # nobody ran it
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "marketplace.jobs.worker", "worker",
             "-P", "solo", "--loglevel=WARNING", "--without-mingle", "--without-gossip"],
            cwd=ROOT, env=_worker_env(app))
        try:
            deadline = time.monotonic() + 60
            while count(Transfer) == 0 and time.monotonic() < deadline:
                db.session.rollback()
                time.sleep(0.2)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        db.session.expire_all()
        assert count(Transfer) == 1 and deal.state == DealState.COMPLETED
        db.session.remove()
