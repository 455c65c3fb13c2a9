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
        "duet.sweep_deadlines", "duet.rebuild_matcher", "duet.rebuild_matcher_if_requested"}
    assert settings["beat_schedule"]["rebuild-matcher-if-requested"]["schedule"] == \
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


def test_a_requested_rebuild_is_fitted_by_the_job_and_only_once(app, app_ctx):
    """Pages never fit: they record a request, which the every-minute job consumes."""
    from sqlalchemy import func, select

    from marketplace.extensions import db
    from marketplace.jobs.periodic import rebuild_matcher_if_requested
    from marketplace.models import MatcherRebuildRequest, MatcherVersion
    from tests.support import factories

    factories.make_creator()
    assert rebuild_matcher_if_requested.run() is None  # nobody asked
    db.session.add(MatcherRebuildRequest())
    db.session.commit()
    before = db.session.scalar(select(func.count(MatcherVersion.id)))
    assert rebuild_matcher_if_requested.run() is not None
    assert db.session.scalar(select(func.count(MatcherVersion.id))) == before + 1
    assert rebuild_matcher_if_requested.run() is None  # the request is done
