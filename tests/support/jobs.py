"""The job queue in tests. The SQLite pass runs each job in the caller right after the commit
(Celery's eager mode). The PostgreSQL pass uses a real Celery worker (a thread of this test
process, `celery.contrib.testing.worker.start_worker`) consuming a Redis queue and key prefix
of this test session's own, so parallel sessions (pytest-xdist) never see each other's jobs.

`TRACKER` counts the messages this process published and that a worker has not finished
(retries included); after each batch of jobs a producer outside a worker waits until the
queue is drained, so tests read the outcome of mails and payouts as before, while every job
still crosses Redis and runs in the worker's own app context and database session."""

from __future__ import annotations

import os
import threading
import uuid
from collections import Counter
from contextlib import contextmanager

from celery._state import get_current_task
from celery.contrib.testing.worker import start_worker
from celery.signals import before_task_publish, task_postrun, task_prerun
from flask import current_app, has_app_context

from marketplace.jobs.queue import jobs_sent

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SESSION_TAG = uuid.uuid4().hex[:10]
SESSION_QUEUE = f"duet-test-{SESSION_TAG}"
DRAIN_TIMEOUT = 60.0


def uses_worker(database_url: str) -> bool:
    return database_url.startswith("postgresql")


def job_config(database_url: str) -> dict:
    """Test settings: quick retries; eager on SQLite, Redis + a real worker on PostgreSQL."""
    quick = {"JOB_MAX_RETRIES": 2, "JOB_RETRY_BASE_SECONDS": 0.05,
             "JOB_RETRY_MAX_SECONDS": 0.2}
    if uses_worker(database_url):
        return {**quick, "CELERY_BROKER_URL": REDIS_URL, "CELERY_QUEUE": SESSION_QUEUE,
                "CELERY_KEY_PREFIX": f"{SESSION_QUEUE}:", "CELERY_TASK_ALWAYS_EAGER": False,
                "TEST_WAIT_FOR_JOBS": True}
    return {**quick, "CELERY_BROKER_URL": "memory://", "CELERY_TASK_ALWAYS_EAGER": True}


class Tracker:
    """Messages published by this process and not yet run to the end, per queue; and which
    test app sent each one (the worker runs the job in that app's context)."""

    def __init__(self) -> None:
        self.pending: Counter[str] = Counter()
        self.apps: dict[str, object] = {}
        self.changed = threading.Condition()

    def register(self, app) -> None:
        self.apps[str(id(app))] = app

    def published(self, routing_key: str, headers: dict) -> None:
        if has_app_context():
            headers["duet_test_app"] = str(id(current_app._get_current_object()))
        with self.changed:
            self.pending[routing_key] += 1

    def starting(self, task) -> None:
        app = self.apps.get(getattr(task.request, "duet_test_app", None) or "")
        if app is not None:
            task.app.flask_app = app

    def finished(self, task) -> None:
        queue = (task.request.delivery_info or {}).get("routing_key", "")
        with self.changed:
            self.pending[queue] -= 1
            self.changed.notify_all()

    def wait(self, queue: str = SESSION_QUEUE, timeout: float = DRAIN_TIMEOUT) -> None:
        """Block until every job sent to `queue` (and the jobs those sent) has run."""
        with self.changed:
            if not self.changed.wait_for(lambda: self.pending[queue] <= 0, timeout):
                raise AssertionError(f"{self.pending[queue]} job(s) still queued on {queue} "
                                     f"after {timeout} s")


TRACKER = Tracker()


@before_task_publish.connect
def _published(sender=None, headers=None, routing_key="", **_):
    if headers is not None:
        TRACKER.published(routing_key, headers)


@task_prerun.connect
def _starting(sender=None, task=None, **_):
    if task is not None and not task.request.is_eager:
        TRACKER.starting(task)


@task_postrun.connect
def _finished(sender=None, task=None, **_):
    if task is not None and not task.request.is_eager:
        TRACKER.finished(task)


@jobs_sent.connect
def _wait_for_the_worker(app, **_):
    """A test (or a request it made) waits for its jobs; a job sending jobs does not."""
    if app.config.get("TEST_WAIT_FOR_JOBS") and get_current_task() is None:
        TRACKER.wait(app.config["CELERY_QUEUE"])


def forget_session_keys() -> None:
    """Delete what this session left on Redis (queue bindings, any leftover message)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{SESSION_QUEUE}*"))
    if keys:
        client.delete(*keys)
    client.close()


@contextmanager
def running_worker(flask_app):
    """A real Celery worker (one thread, solo pool) consuming `flask_app`'s queue."""
    celery = flask_app.extensions["celery"]
    celery.conf.worker_hijack_root_logger = False
    with start_worker(celery, pool="solo", concurrency=1, perform_ping_check=False,
                      shutdown_timeout=30, loglevel="WARNING") as worker:
        yield worker
