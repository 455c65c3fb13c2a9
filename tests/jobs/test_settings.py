"""Celery's settings from the Flask config: a job leaves the broker only once done, results
are not kept, the development broker needs no server and lives inside the instance folder."""

from __future__ import annotations

from marketplace import config
from marketplace.jobs.app import celery_settings


def _settings(tmp_path, **env):
    return celery_settings({**config.load({"DUET_INSTANCE": str(tmp_path), **env}),
                            "INSTANCE_DIR": str(tmp_path)})


def test_jobs_are_acknowledged_after_they_ran_and_results_are_not_kept(tmp_path):
    settings = _settings(tmp_path)
    assert settings["task_acks_late"] and settings["task_reject_on_worker_lost"]
    assert settings["task_ignore_result"] and settings["worker_prefetch_multiplier"] == 1
    assert settings["accept_content"] == ["json"]
    assert {e["task"] for e in settings["beat_schedule"].values()} == {
        "duet.sweep_deadlines", "duet.rebuild_matcher", "duet.rebuild_matcher_if_missing"}
    assert settings["beat_schedule"]["rebuild-matcher-if-missing"]["schedule"] == \
        settings["beat_schedule"]["sweep-deadlines"]["schedule"]
    assert settings["beat_schedule"]["sweep-deadlines"]["schedule"].total_seconds() == 60


def test_development_broker_is_a_folder_inside_the_instance(tmp_path):
    settings = _settings(tmp_path)
    assert settings["broker_url"] == "filesystem://"
    options = settings["broker_transport_options"]
    assert options["data_folder_in"] == options["data_folder_out"] == str(tmp_path / "queue")
    assert (tmp_path / "queue" / "processed").is_dir()


def test_redis_broker_outlives_the_longest_retry_and_can_be_prefixed(tmp_path):
    settings = _settings(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/1",
                         CELERY_KEY_PREFIX="shop-a:", JOB_RETRY_MAX_SECONDS="600")
    assert settings["broker_url"] == "redis://127.0.0.1:6379/1"
    assert settings["broker_transport_options"] == {"visibility_timeout": 4200,
                                                    "global_keyprefix": "shop-a:"}


def test_the_job_fits_a_model_when_none_can_be_loaded_and_only_then(make_app, tmp_path):
    """Pages never fit nor ask: the every-minute job finds out by itself."""
    from pathlib import Path

    from sqlalchemy import func, select

    from marketplace.extensions import db
    from marketplace.jobs.periodic import rebuild_matcher_if_missing
    from marketplace.models import MatcherVersion
    from marketplace.services.jobs import leases
    from tests.support import factories

    app = make_app(MATCHING_ENABLED=True, MATCHING_DIR=str(tmp_path / "matching"))
    with app.app_context():
        factories.make_creator()

        def versions() -> int:
            return db.session.scalar(select(func.count(MatcherVersion.id)))

        assert rebuild_matcher_if_missing.run() is not None  # no saved model: fitted
        assert versions() == 1
        assert rebuild_matcher_if_missing.run() is None  # a model is there: nothing
        assert versions() == 1
        newest = db.session.scalar(select(MatcherVersion).order_by(MatcherVersion.id.desc()))
        (Path(app.config["MATCHING_DIR"]) / newest.filename).unlink()  # its file is gone
        assert leases.acquire("matcher_rebuild", "another-worker", 300)
        assert rebuild_matcher_if_missing.run() is None  # another worker is fitting it
        leases.release("matcher_rebuild", "another-worker")
        assert rebuild_matcher_if_missing.run() is not None
        assert versions() == 2


def test_the_job_does_nothing_when_matching_is_off(app, app_ctx):
    from marketplace.jobs.periodic import rebuild_matcher_if_missing

    assert app.config["MATCHING_ENABLED"] is False
    assert rebuild_matcher_if_missing.run() is None
