"""The admins' failed-jobs page: only admins see it (everyone else gets 404, as for a page
that does not exist), Retry is a CSRF-protected POST that re-queues the job once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models.job import FailedJob
from tests.support import factories


def dead_letter(**fields) -> FailedJob:
    job = FailedJob(**{"task_name": "duet.send_email", "args": [
        "ada@example.com", "Duet: your deal", "body", None, []],
        "kwargs": {}, "error": "ConnectionRefusedError: [Errno 111]", "attempts": 3, **fields})
    db.session.add(job)
    db.session.commit()
    return job


@pytest.fixture
def app(make_app):
    return make_app(MAIL_ENABLED=False)  # a retried mail job then sends nothing anywhere


def test_admin_sees_failed_jobs_newest_first_with_error_attempts_and_time(app_ctx,
                                                                         admin_client):
    dead_letter(failed_at=utcnow() - timedelta(hours=2))
    dead_letter(task_name="duet.release_payout", args=[42], error="PaymentFailed: down",
                attempts=7)
    page = admin_client.get("/admin/jobs")
    assert page.status_code == 200
    html = page.data.decode()
    assert html.index("Payout to the creator") < html.index("E-mail")
    assert "Deal #42" in html and "PaymentFailed: down" in html and ">7</span> attempts" in html
    assert "To ada@example.com: Duet: your deal" in html and html.count("Retry</button>") == 2


def test_empty_page_and_pagination(app_ctx, admin_client, app):
    assert b"No failed jobs" in admin_client.get("/admin/jobs").data
    for n in range(app.config["PER_PAGE"] + 1):
        dead_letter(args=[f"u{n}@example.com", f"Subject {n}", "", None, []])
    first = admin_client.get("/admin/jobs").data.decode()
    second = admin_client.get("/admin/jobs?page=2").data.decode()
    assert first.count("Retry</button>") == app.config["PER_PAGE"]
    assert second.count("Retry</button>") == 1 and "u0@example.com" in second


@pytest.mark.parametrize("who", ["stranger", "brand", "creator"])
def test_everyone_but_admins_gets_404(app_ctx, client, login_as, who):
    job = dead_letter()
    if who != "stranger":
        user = (factories.make_brand() if who == "brand" else factories.make_creator()).user
        client = login_as(user)
    assert client.get("/admin/jobs").status_code == 404
    assert client.post(f"/admin/jobs/{job.id}/retry").status_code == 404
    db.session.refresh(job)
    assert job.retried_at is None


def test_retry_requeues_once_and_unknown_ids_are_404(app_ctx, admin_client):
    job = dead_letter()
    assert admin_client.post("/admin/jobs/999/retry").status_code == 404
    response = admin_client.post(f"/admin/jobs/{job.id}/retry", follow_redirects=True)
    assert b"E-mail sent again to the queue." in response.data
    again = admin_client.post(f"/admin/jobs/{job.id}/retry", follow_redirects=True)
    assert b"already sent again" in again.data
    db.session.refresh(job)
    assert job.retried_at is not None
    assert db.session.scalars(select(FailedJob)).all() == [job]  # the job did not fail again


def test_retry_needs_the_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, MAIL_ENABLED=False)
    with app.app_context():
        admin = factories.make_user("admin@example.com", role="admin")
        job_id = dead_letter().id
        client = app.test_client()
        token = _token(client.get("/auth/login").data)
        assert client.post("/auth/login", data={"email": admin.email, "csrf_token": token,
                                                "password": factories.PASSWORD}
                           ).status_code == 302
        assert client.post(f"/admin/jobs/{job_id}/retry").status_code == 400
        assert db.session.get(FailedJob, job_id).retried_at is None
        token = _token(client.get("/admin/jobs").data)
        assert client.post(f"/admin/jobs/{job_id}/retry",
                           data={"csrf_token": token}).status_code == 302
        db.session.expire_all()
        assert db.session.get(FailedJob, job_id).retried_at is not None
        db.session.remove()


def _token(html: bytes) -> str:
    return re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1).decode()
