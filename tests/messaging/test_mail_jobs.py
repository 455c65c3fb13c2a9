"""Every e-mail is a job: SMTP down never fails the action; the mail is retried with backoff,
then dead-lettered; once SMTP is back an admin's Retry delivers it (once)."""

from __future__ import annotations

from sqlalchemy import select

from devtools.mail_process import start_mail_server
from devtools.mail_server import free_port
from marketplace.extensions import db
from marketplace.models.job import FailedJob
from marketplace.models.notification import Notification
from marketplace.services.deals import state_machine as deals
from tests.support import factories
from tests.support.deals import make_deal
from tests.support.messaging import eml_files


def test_smtp_down_mail_is_retried_then_dead_lettered_and_retry_delivers(make_app, tmp_path,
                                                                         caplog):
    port = free_port()
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_ENABLED=True,
                   MAIL_SUPPRESS_SEND=False)
    with app.app_context():
        brand, creator = factories.make_brand(), factories.make_creator()
        admin = factories.make_user("admin@example.com", role="admin")
        deal = make_deal(brand, creator, state="agreed")
        deals.perform(deal, "fund", None)  # tells the creator, by e-mail too
        db.session.refresh(deal)
        assert deal.state == "funded"  # the action stands
        [note] = db.session.scalars(select(Notification)).all()
        assert note.user_id == creator.user.id
        [failed] = db.session.scalars(select(FailedJob)).all()
        assert failed.task_name == "duet.send_email" and failed.args[0] == creator.user.email
        assert failed.attempts == app.config["JOB_MAX_RETRIES"] + 1
        assert "Connection refused" in failed.error or "ConnectionRefused" in failed.error
        assert caplog.text.count("could not send e-mail") == failed.attempts
        admin_email, creator_email = admin.email, creator.user.email
        db.session.remove()
    outbox = tmp_path / "outbox"
    _, stop = start_mail_server(outbox, port)
    try:
        client = app.test_client()
        client.post("/auth/login", data={"email": admin_email,
                                         "password": factories.PASSWORD})
        page = client.get("/admin/jobs")
        assert b"E-mail" in page.data and creator_email.encode() in page.data
        assert client.post(f"/admin/jobs/{failed.id}/retry").status_code == 302
        client.post(f"/admin/jobs/{failed.id}/retry")  # a second click sends nothing
    finally:
        stop()
    [mail] = eml_files(outbox)
    assert creator_email in str(mail["To"]) and mail["Subject"] == failed.args[1]
