"""Notifications: created by the deal_event subscriber for whoever the step waits on, e-mailed
through a REAL local SMTP server (aiosmtpd), respecting per-kind e-mail choices, and never
breaking the action when SMTP is down."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from devtools.mail_server import free_port
from marketplace.extensions import db
from marketplace.models.notification import KINDS, Notification, NotificationPreference
from marketplace.services.deals import state_machine as deals
from marketplace.services.messaging import notifications
from marketplace.signals import deal_event
from tests.support import factories
from tests.support.deals import make_deal
from tests.support.messaging import eml_files, smtp  # noqa: F401  (fixture)


@pytest.fixture
def app(make_app, smtp):  # noqa: F811
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp["port"], MAIL_ENABLED=True,
                    MAIL_SUPPRESS_SEND=False, MAIL_OUTBOX_DIR=str(smtp["outbox"]))


def notes_for(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def mails_to(smtp_info, user) -> list:  # noqa: F811
    return [m for m in eml_files(smtp_info["outbox"]) if user.email in str(m["To"])]


# --------------------------------------------------------------------------- deal events

def test_funding_tells_the_creator_to_start_and_emails_them(app_ctx, smtp, brand, creator):  # noqa: F811
    deal = make_deal(brand, creator, state="agreed")
    deals.perform(deal, "fund", None)
    [note] = notes_for(creator.user)
    assert note.kind == "deal_funded" and "start creating" in note.text
    assert note.read_at is None and note.url
    assert notes_for(brand.user) == []
    [mail] = mails_to(smtp, creator.user)
    assert "start creating" in str(mail["Subject"])
    assert "no-reply@duet.local" in str(mail["From"])
    assert note.url in mail.get_body(preferencelist=("plain",)).get_content()


def test_submission_asks_the_brand_to_review_by_a_date(app_ctx, smtp, brand, creator):  # noqa: F811
    deal = make_deal(brand, creator, state="funded")
    deals.perform(deal, "submit", creator.user, post_links=["https://www.tiktok.com/@a/video/1"],
                  caption="Loving it #ad")
    [note] = notes_for(brand.user)
    assert note.kind == "deal_submitted" and "review it by" in note.text
    assert len(mails_to(smtp, brand.user)) == 1


@pytest.mark.parametrize("event, who, kind", [
    ("application_submitted", "brand", "application_received"),
    ("offer_sent", "creator", "offer_received"),
    ("offer_countered", "creator", "offer_received"),
    ("offer_accepted", "creator", "offer_accepted"),
    ("revision_requested", "creator", "revision_requested"),
    ("deal_approved", "creator", "deal_approved"),
    ("deal_auto_approved", "creator", "deal_approved"),
    ("deal_paid_out", "creator", "deal_paid"),
])
def test_each_step_notifies_whoever_it_waits_on(app_ctx, brand, creator, event, who, kind):
    campaign = factories.make_campaign(brand, title="Glow drop")
    sender = SimpleNamespace(brand=brand, creator=creator, campaign=campaign, deal_id=None)
    deal_event.send(sender, event=event, actor=brand.user, note="")
    target, other = (brand, creator) if who == "brand" else (creator, brand)
    [note] = notes_for(target.user)
    assert note.kind == kind and "Glow drop" in note.text
    assert notes_for(other.user) == []


def test_late_and_review_window_notify_both(app_ctx, brand, creator):
    sender = SimpleNamespace(brand=brand, creator=creator, campaign=None, deal_id=None)
    deal_event.send(sender, event="deal_late", actor=None)
    deal_event.send(sender, event="deal_completed", actor=None)
    for user in (brand.user, creator.user):
        assert [n.kind for n in notes_for(user)] == ["deal_late", "review"]


def test_dispute_notifies_the_other_side_and_admins(app_ctx, admin, brand, creator):
    deal = make_deal(brand, creator, state="submitted")
    deals.perform(deal, "dispute", brand.user,
                  note="The video does not show the product at all, as agreed.")
    assert [n.kind for n in notes_for(creator.user)] == ["dispute"]
    assert [n.kind for n in notes_for(admin)] == ["dispute"]
    assert notes_for(brand.user) == []


# --------------------------------------------------------------------------- e-mail choices

def test_email_off_for_a_kind_is_respected(app_ctx, smtp, brand, creator, creator_client):  # noqa: F811
    kinds = [k for k in KINDS if k != "deal_funded"]
    r = creator_client.post("/notifications/settings", data={"email_kinds": kinds})
    assert r.status_code == 302
    assert notifications.email_enabled(creator.user, "deal_funded") is False
    assert notifications.email_enabled(creator.user, "deal_paid") is True
    deals.perform(make_deal(brand, creator, state="agreed"), "fund", None)
    assert len(notes_for(creator.user)) == 1  # in-app still there
    assert mails_to(smtp, creator.user) == []
    notifications.notify(creator.user, "deal_paid", "You were paid")
    assert len(mails_to(smtp, creator.user)) == 1


def test_settings_page_shows_a_checkbox_per_kind(app_ctx, creator_client):
    page = creator_client.get("/notifications/settings")
    assert page.status_code == 200
    for kind in KINDS:
        assert f'value="{kind}" checked'.encode() in page.data


@pytest.mark.parametrize("data", [{"email_kinds": ["deal_funded", "no_such_kind"]},
                                  {"email_kinds": ["x" * 500]}])
def test_settings_refuse_unknown_kinds(app_ctx, creator, creator_client, data):
    r = creator_client.post("/notifications/settings", data=data)
    assert r.status_code == 200 and b"not a valid choice" in r.data
    assert db.session.scalar(select(func.count(NotificationPreference.id))) == 0


def test_smtp_down_never_breaks_the_action(make_app, caplog):
    down = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_ENABLED=True)
    with down.app_context():
        brand, creator = factories.make_brand(), factories.make_creator()
        deal = make_deal(brand, creator, state="agreed")
        deals.perform(deal, "fund", None)
        db.session.refresh(deal)
        assert deal.state == "funded"
        assert [n.kind for n in notes_for(creator.user)] == ["deal_funded"]
        db.session.remove()
    assert "could not send e-mail" in caplog.text


# --------------------------------------------------------------------------- in-app list

def test_list_open_and_mark_all_read(app_ctx, creator, creator_client):
    first = notifications.notify(creator.user, "deal_paid", "You were paid for Glow",
                                 "/messages/")
    notifications.notify(creator.user, "deal_approved", "Approved!", "https://evil.example/")
    page = creator_client.get("/notifications/")
    assert b"You were paid for Glow" in page.data
    assert b'id="nav-unread-notifications">2<' in page.data
    r = creator_client.get(f"/notifications/{first.id}/open")
    assert r.status_code == 302 and r.headers["Location"].endswith("/messages/")
    assert notifications.unread_count(creator.user) == 1
    second = notes_for(creator.user)[1]
    r = creator_client.get(f"/notifications/{second.id}/open")
    assert "evil.example" not in r.headers["Location"]  # only local links are followed
    notifications.notify(creator.user, "deal_paid", "Another one")
    r = creator_client.post("/notifications/read-all")
    assert r.status_code == 302
    assert notifications.unread_count(creator.user) == 0
    assert b"nav-unread-notifications" not in creator_client.get("/notifications/").data


def test_someone_elses_notification_is_404(app_ctx, brand, creator, brand_client):
    note = notifications.notify(creator.user, "deal_paid", "Paid")
    assert brand_client.get(f"/notifications/{note.id}/open").status_code == 404
    db.session.refresh(note)
    assert note.read_at is None


def test_empty_list(app_ctx, brand_client):
    assert b"Nothing waiting on you" in brand_client.get("/notifications/").data


@pytest.mark.parametrize("path", ["/notifications/", "/notifications/settings",
                                  "/notifications/outbox", "/notifications/1/open"])
def test_anonymous_is_sent_to_login(client, path):
    r = client.get(path)
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]


# --------------------------------------------------------------------------- outbox

def test_outbox_page_and_cli_list_sent_mail(app, app_ctx, smtp, admin_client, creator, runner):  # noqa: F811
    notifications.notify(creator.user, "deal_paid", "You were paid for Glow drop")
    page = admin_client.get("/notifications/outbox")
    assert page.status_code == 200 and b"You were paid for Glow drop" in page.data
    result = runner.invoke(args=["mail", "outbox", "--body"])
    assert result.exit_code == 0
    assert creator.user.email in result.output and "You were paid for Glow drop" in result.output


def test_outbox_is_admin_only_outside_development(make_app, app_ctx, creator):
    prod = make_app(ENV_NAME="production")
    c = prod.test_client()
    c.post("/auth/login", data={"email": creator.user.email, "password": factories.PASSWORD})
    assert c.get("/notifications/outbox").status_code == 403


def test_mail_cli_with_empty_outbox(make_app, tmp_path):
    runner = make_app(MAIL_OUTBOX_DIR=str(tmp_path / "nothing")).test_cli_runner()
    result = runner.invoke(args=["mail", "outbox"])
    assert result.exit_code == 0 and "No mail" in result.output
