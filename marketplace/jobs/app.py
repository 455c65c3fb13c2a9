"""Celery set up from the Flask app (the app-factory pattern of Flask's documentation)."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from celery import Celery, Task
from flask import Flask

TASK_MODULES = ("marketplace.jobs.mail", "marketplace.jobs.payments",
                "marketplace.jobs.periodic", "marketplace.jobs.documents")


class FlaskTask(Task):
    """Runs the task inside an app context of the Flask app the Celery app belongs to (so
    `db.session` and `current_app` work as in a request); failures of tasks marked
    `dead_letter` after their last retry are recorded for admins."""

    dead_letter = False

    def __call__(self, *args, **kwargs):
        with self.app.flask_app.app_context():
            return self.run(*args, **kwargs)

    def retry_later(self, exc: Exception):
        """Retry with exponential backoff and jitter (base * 2**attempt, capped); past
        JOB_MAX_RETRIES the exception is raised and the job fails for good."""
        config = self.app.flask_app.config
        delay = min(config["JOB_RETRY_MAX_SECONDS"],
                    config["JOB_RETRY_BASE_SECONDS"] * 2 ** self.request.retries)
        return self.retry(exc=exc, countdown=random.uniform(delay / 2, delay),
                          max_retries=config["JOB_MAX_RETRIES"])

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        if not self.dead_letter:
            return
        from marketplace.services.jobs import dead_letters

        with self.app.flask_app.app_context():
            dead_letters.record(self.name, list(args or ()), dict(kwargs or {}),
                                error=f"{type(exc).__name__}: {exc}",
                                attempts=self.request.retries + 1, task_id=task_id or "")


def celery_settings(config: dict) -> dict:
    """Celery's settings from the Flask config (see README, Production)."""
    broker = config["CELERY_BROKER_URL"]
    transport: dict = {}
    if broker.startswith("filesystem://"):
        folder = Path(config.get("CELERY_QUEUE_DIR") or Path(config["INSTANCE_DIR"]) / "queue")
        (folder / "processed").mkdir(parents=True, exist_ok=True)
        transport = {"data_folder_in": str(folder), "data_folder_out": str(folder),
                     "processed_folder": str(folder / "processed"), "store_processed": False}
    if broker.startswith(("redis://", "rediss://")):
        # A job taken by a worker that died is given to another after this long; longer
        # than the longest retry countdown (JOB_RETRY_MAX_SECONDS), so a waiting retry is
        # never delivered twice.
        transport["visibility_timeout"] = int(config["JOB_RETRY_MAX_SECONDS"]) + 3600
    if config.get("CELERY_KEY_PREFIX"):
        transport["global_keyprefix"] = config["CELERY_KEY_PREFIX"]
    queue = config["CELERY_QUEUE"]
    return {
        "broker_url": broker,
        "broker_transport_options": transport,
        "broker_connection_retry_on_startup": True,
        "task_default_queue": queue,
        "task_ignore_result": True,
        "result_backend": None,
        "result_expires": None,  # no results kept: no backend_cleanup job
        # A job is acknowledged when it has run, not when it was received: a worker stopped
        # (or killed) mid-job leaves it on the broker, and the next worker runs it.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_always_eager": bool(config.get("CELERY_TASK_ALWAYS_EAGER")),
        "task_serializer": "json",
        "accept_content": ["json"],
        "timezone": "UTC",
        "beat_max_interval": 10,
        "beat_schedule": {
            "sweep-deadlines": {"task": "duet.sweep_deadlines",
                                "schedule": timedelta(seconds=config["SWEEP_SECONDS"])},
            "rebuild-matcher-if-missing": {"task": "duet.rebuild_matcher_if_missing",
                                           "schedule": timedelta(
                                               seconds=config["SWEEP_SECONDS"])},
            "rebuild-matcher": {"task": "duet.rebuild_matcher",
                                "schedule": timedelta(seconds=config["MATCHING_REBUILD_SECONDS"])},
        },
        "beat_schedule_filename": str(Path(config["INSTANCE_DIR"]) / "celerybeat-schedule"),
    }


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app of this Flask app, keep it in `app.extensions["celery"]`."""
    celery = Celery(app.name, task_cls=FlaskTask)
    celery.config_from_object(celery_settings(app.config))
    celery.flask_app = app
    celery.set_default()
    celery.loader.import_default_modules()
    for module in TASK_MODULES:
        __import__(module)
    app.extensions["celery"] = celery
    return celery
