"""Messaging: one conversation per brand-creator pair, sending (with attachments, idempotent),
read marks and unread counts (of people's messages only), polling, party-only access,
off-site contact warnings, system lines for negotiation steps and none for deal steps (those
are on the deal page's timeline)."""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, update

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models.message import Conversation, Message, MessageKind
from marketplace.services.deals import state_machine as deals
from marketplace.services.deals.schedule import format_when
from marketplace.services.messaging import conversations as messaging
from marketplace.services.messaging.attachments import MAX_ATTACHMENT_BYTES
from marketplace.signals import deal_event
from tests.conftest import Auth
from tests.support import factories
from tests.support.deals import make_deal
from tests.support.library import QueryCounter
from tests.support.messaging import message_count, pdf_bytes, png_bytes


@pytest.fixture
def app(make_app):
    return make_app(MAIL_ENABLED=False)


@pytest.fixture
def convo(app_ctx, brand, creator):
    return messaging.conversation_between(brand.user, creator.user)


def url(conversation, suffix=""):
    return f"/messages/{conversation.id}{suffix}"


def post(client, conversation, body="", token=None, attachment=None):
    data = {"body": body, "client_token": token or str(uuid.uuid4())}
    if attachment is not None:
        data["attachment"] = attachment
    return client.post(url(conversation), data=data, content_type="multipart/form-data")


def upload_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"]) / "messages"
    return list(folder.glob("*")) if folder.exists() else []


# --------------------------------------------------------------------------- conversations

def test_conversation_with_finds_or_creates_one_per_pair(app_ctx, brand, creator, brand_client,
                                                         creator_client):
    r = brand_client.get(f"/messages/with/{creator.user.id}")
    assert r.status_code == 302
    r2 = creator_client.get(f"/messages/with/{brand.user.id}")
    assert r2.headers["Location"] == r.headers["Location"]
    assert db.session.scalar(select(func.count(Conversation.id))) == 1
    conversation = db.session.scalar(select(Conversation))
    assert (conversation.brand_user_id, conversation.creator_user_id) == (brand.user.id,
                                                                          creator.user.id)
    assert r.headers["Location"].endswith(f"/messages/{conversation.id}")


def test_conversation_with_needs_a_brand_and_a_creator(app_ctx, creator_client, creator):
    other = factories.make_creator()
    assert creator_client.get(f"/messages/with/{other.user.id}").status_code == 403
    assert creator_client.get(f"/messages/with/{creator.user.id}").status_code == 403
    assert creator_client.get("/messages/with/999999").status_code == 404
    assert db.session.scalar(select(func.count(Conversation.id))) == 0


def test_admin_cannot_start_conversations(app_ctx, admin_client, creator):
    assert admin_client.get(f"/messages/with/{creator.user.id}").status_code == 403


@pytest.mark.parametrize("path", ["/messages/", "/messages/with/1", "/messages/1",
                                  "/messages/1/since/0", "/messages/1/attachments/1"])
def test_anonymous_is_sent_to_login(client, path):
    r = client.get(path)
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]


# --------------------------------------------------------------------------- sending

def test_send_message(app_ctx, convo, brand_client, brand):
    before = convo.last_message_at
    r = post(brand_client, convo, "Hi! Loved your skincare routine video.")
    assert r.status_code == 302 and f"/messages/{convo.id}#m" in r.headers["Location"]
    message = db.session.scalar(select(Message))
    assert message.body == "Hi! Loved your skincare routine video."
    assert message.sender_user_id == brand.user.id and message.kind == MessageKind.TEXT
    assert not message.contact_warning
    db.session.refresh(convo)
    assert convo.last_message_at >= before
    page = brand_client.get(url(convo))
    assert b"Loved your skincare routine video." in page.data
    assert b'id="m%d"' % message.id in page.data


def test_double_submit_makes_one_message(app_ctx, convo, creator_client):
    token = str(uuid.uuid4())
    first = post(creator_client, convo, "Hello twice", token=token)
    second = post(creator_client, convo, "Hello twice", token=token)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert message_count() == 1


def test_double_submit_with_attachment_stores_one_file(app, app_ctx, convo, creator_client):
    token = str(uuid.uuid4())
    for _ in range(2):
        post(creator_client, convo, "", token=token, attachment=(io.BytesIO(pdf_bytes()), "a.pdf"))
    assert message_count() == 1
    assert len(upload_files(app)) == 1


BIG_PDF = pdf_bytes(padding=MAX_ATTACHMENT_BYTES)


@pytest.mark.parametrize("body, attachment, message", [
    ("", None, b"Write a message or attach a file."),
    ("   \n  ", None, b"Write a message or attach a file."),
    ("x" * 5001, None, b"at most 5000 characters"),
    ("", (b"MZ\x90\x00\x03" + b"\x00" * 200, "invoice.pdf"), b"Attach a PNG, JPEG or WebP"),
    ("", (b"just some text", "photo.png"), b"Attach a PNG, JPEG or WebP"),
    ("", (b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "broken.png"), b"damaged"),
    ("", (b"%PDF-1.4 never finished", "cut.pdf"), b"incomplete or damaged"),
    ("", (BIG_PDF, "huge.pdf"), b"at most 10 MB"),
    ("", (b"", "empty.pdf"), b"empty"),
])
def test_bad_messages_are_refused_and_nothing_changes(app, app_ctx, convo, brand_client, body,
                                                      attachment, message):
    before = convo.last_message_at
    file = (io.BytesIO(attachment[0]), attachment[1]) if attachment else None
    r = post(brand_client, convo, body, attachment=file)
    assert r.status_code == 400
    assert message in r.data
    assert message_count() == 0
    assert upload_files(app) == []
    db.session.refresh(convo)
    assert convo.last_message_at == before


def test_bad_client_token_is_refused(app_ctx, convo, brand_client):
    r = post(brand_client, convo, "hello", token="not-a-uuid")
    assert r.status_code == 400 and b"reload the page" in r.data
    assert message_count() == 0


@pytest.mark.parametrize("data, name, mime, disposition", [
    (png_bytes(), "../../etc/photo.PNG", "image/png", "inline"),
    (pdf_bytes(), "brief.pdf", "application/pdf", "attachment"),
])
def test_attachments_are_stored_and_served_to_parties(app, app_ctx, convo, brand_client,
                                                      creator_client, data, name, mime,
                                                      disposition):
    r = post(brand_client, convo, "see attached", attachment=(io.BytesIO(data), name))
    assert r.status_code == 302
    message = db.session.scalar(select(Message))
    assert message.attachment_mime == mime
    assert "/" not in message.attachment_name and ".." not in message.attachment_name
    stored = upload_files(app)
    assert len(stored) == 1 and stored[0].read_bytes() == data
    assert name.split("/")[-1].split(".")[0] not in stored[0].name  # random name on disk
    download = creator_client.get(url(convo, f"/attachments/{message.id}"))
    assert download.status_code == 200
    assert download.data == data and download.mimetype == mime
    assert download.headers["Content-Disposition"].startswith(disposition)


# --------------------------------------------------------------------------- access

def test_outsiders_get_404_everywhere(app_ctx, convo, brand_client, login_as):
    post(brand_client, convo, "", attachment=(io.BytesIO(png_bytes()), "a.png"))
    message = db.session.scalar(select(Message))
    outsiders = [factories.make_brand().user, factories.make_creator().user,
                 factories.make_user("admin2@example.com", role="admin")]
    for user in outsiders:
        c = login_as(user)
        assert c.get(url(convo)).status_code == 404
        assert c.get(url(convo, "/since/0")).status_code == 404
        assert c.get(url(convo, f"/attachments/{message.id}")).status_code == 404
        assert post(c, convo, "let me in").status_code == 404
    assert message_count() == 1


def test_missing_conversation_and_attachment_are_404(app_ctx, convo, brand_client):
    post(brand_client, convo, "text only")
    message = db.session.scalar(select(Message))
    assert brand_client.get("/messages/999999").status_code == 404
    assert brand_client.get(url(convo, f"/attachments/{message.id}")).status_code == 404


def test_admin_reads_only_while_a_deal_is_disputed(app_ctx, brand, creator, convo, admin_client,
                                                   brand_client):
    post(brand_client, convo, "", attachment=(io.BytesIO(pdf_bytes()), "brief.pdf"))
    message = db.session.scalar(select(Message))
    deal = make_deal(brand, creator, state="submitted")
    assert admin_client.get(url(convo)).status_code == 404
    deal.state = "disputed"
    db.session.commit()
    page = admin_client.get(url(convo))
    assert page.status_code == 200 and b"as an admin" in page.data
    assert admin_client.get(url(convo, "/since/0")).status_code == 200
    assert admin_client.get(url(convo, f"/attachments/{message.id}")).status_code == 200
    assert post(admin_client, convo, "admin note").status_code == 403
    assert message_count() == 1
    deal.state = "paid_out"
    db.session.commit()
    assert admin_client.get(url(convo)).status_code == 404


# --------------------------------------------------------------------------- read marks

def test_unread_counts_and_read_marks(app_ctx, convo, brand, creator, brand_client,
                                      creator_client):
    post(creator_client, convo, "one")
    post(creator_client, convo, "two")
    assert messaging.unread_total(brand.user) == 2
    assert messaging.unread_total(creator.user) == 0  # own messages are never unread
    inbox = brand_client.get("/messages/")
    assert b'id="nav-unread-messages">2<' in inbox.data
    assert b"2 unread" in inbox.data
    brand_client.get(url(convo))
    assert messaging.unread_total(brand.user) == 0
    assert b"nav-unread-messages" not in brand_client.get("/messages/").data


def test_polling_returns_later_messages_and_marks_them_read(app_ctx, convo, brand, brand_client,
                                                            creator_client):
    post(brand_client, convo, "first")
    first = db.session.scalar(select(Message))
    post(creator_client, convo, "call me at +44 20 7946 0958")
    r = brand_client.get(url(convo, f"/since/{first.id}"), headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.is_json
    data = r.get_json()
    assert [m["body"] for m in data["messages"]] == ["call me at +44 20 7946 0958"]
    latest = data["messages"][0]
    assert latest["mine"] is False and latest["contact_warning"] is True
    assert latest["sender"] == creator_display(convo)
    assert data["last_id"] == latest["id"]
    assert messaging.unread_total(brand.user) == 0
    empty = brand_client.get(url(convo, f"/since/{latest['id']}")).get_json()
    assert empty == {"messages": [], "last_id": latest["id"]}


def creator_display(conversation):
    return conversation.creator_user.creator.display_name


def test_inbox_orders_by_last_activity(app_ctx, brand, brand_client):
    creators = [factories.make_creator(display_name=f"Person {n}") for n in range(3)]
    conversations = [messaging.conversation_between(brand.user, c.user) for c in creators]
    for conversation in conversations:
        post(brand_client, conversation, "hello")
    post(brand_client, conversations[0], "bumping the oldest one")
    html = brand_client.get("/messages/").get_data(as_text=True)
    positions = [html.index(f"Person {n}") for n in (0, 2, 1)]
    assert positions == sorted(positions)


def inbox_lines(html: str) -> list[str]:
    """Each inbox line's text after the avatar's initial, whitespace collapsed."""
    chunks = html.split('class="list-group-item')[1:]
    return [" ".join(re.sub(r"<[^>]+>", " ", c.split(">", 1)[1].split("</a>")[0]).split()[1:])
            for c in chunks]


def test_inbox_line_shows_latest_message_and_unread_count(app_ctx, brand, brand_client,
                                                           creator_client):
    quiet, busy = (factories.make_creator(display_name=name) for name in ("Quiet", "Busy"))
    quiet_talk = messaging.conversation_between(brand.user, quiet.user)
    busy_talk = messaging.conversation_between(brand.user, busy.user)
    post(brand_client, quiet_talk, "Are you free in March?")
    post(brand_client, busy_talk, "first question")
    for text in ("one", "two", "three, the latest"):
        messaging.send(busy_talk, busy.user, text)
    lines = inbox_lines(brand_client.get("/messages/").get_data(as_text=True))
    assert lines[0].startswith("Busy") and "three, the latest" in lines[0]
    assert lines[0].endswith("3 unread") and "first question" not in lines[0]
    assert lines[1].startswith("Quiet") and "You: Are you free in March?" in lines[1]
    assert "unread" not in lines[1]
    # A platform line is the latest too, shown as context and never counted as unread.
    messaging.post_system(brand.user, quiet.user, "Quiet applied to the campaign.")
    lines = inbox_lines(brand_client.get("/messages/").get_data(as_text=True))
    assert lines[0].startswith("Quiet") and "Quiet applied to the campaign." in lines[0]
    assert "You:" not in lines[0] and "unread" not in lines[0]


def test_latest_message_only_moves_forward(app_ctx, convo, brand):
    first = messaging.send(convo, brand.user, "first").message
    later = messaging.send(convo, brand.user, "later").message
    assert convo.last_message_id == later.id
    # A send whose commit lands after a later one's leaves the later message in place.
    db.session.execute(update(Conversation).where(Conversation.id == convo.id)
                       .values(last_message_id=later.id + 10))
    db.session.commit()
    messaging.send(convo, brand.user, "slow")
    db.session.expire_all()
    assert db.session.get(Conversation, convo.id).last_message_id == later.id + 10
    assert first.id < later.id


@pytest.mark.parametrize("page, shown, counted", [(1, ["P4", "P3"], True),
                                                  (3, ["P0"], False), (4, [], True)])
def test_inbox_pages_count_only_when_the_page_does_not_show_the_end(
        make_app, page, shown, counted):
    app = make_app(MAIL_ENABLED=False, PER_PAGE=2)
    with app.app_context():
        brand = factories.make_brand("pager")
        for n in range(5):
            talk = messaging.conversation_between(
                brand.user, factories.make_creator(f"p{n}", display_name=f"P{n}").user)
            messaging.send(talk, brand.user, f"hello {n}")
        client = app.test_client()
        Auth(client).login(brand.user)
        with QueryCounter(db.engine) as counter:
            html = client.get(f"/messages/?page={page}").get_data(as_text=True)
        assert [line.split()[0] for line in inbox_lines(html)] == shown
        assert "5 results · page" in html or not shown
        assert any(" ".join(s.split()).startswith("SELECT count(conversations.id) ")
                   for s in counter.statements) is counted


def test_empty_inbox(app_ctx, creator_client):
    r = creator_client.get("/messages/")
    assert r.status_code == 200 and b"No conversations yet" in r.data


# --------------------------------------------------------------------------- contact warning

@pytest.mark.parametrize("text, expected", [
    ("write to me at jane.doe+work@gmail.com", True),
    ("my number is 555-123-4567", True),
    ("whatsapp +44 20 7946 0958", True),
    ("(415) 555 0199 anytime", True),
    ("budget is 1,250.50 USD", False),
    ("post goes live on 2026-11-25", False),
    ("I have 120000 followers", False),
    ("see you @ 5pm", False),
])
def test_contact_detail_detection(text, expected):
    assert messaging.has_contact_details(text) is expected


def test_contact_details_before_funding_are_flagged_but_sent(app_ctx, brand, creator, convo,
                                                             creator_client):
    make_deal(brand, creator, state="agreed")
    r = post(creator_client, convo, "email me: jane@example.org")
    assert r.status_code == 302
    message = db.session.scalar(select(Message))
    assert message.contact_warning is True
    page = creator_client.get(r.headers["Location"])
    assert b"Payments agreed outside Duet are not protected" in page.data  # the flash
    assert b"payments outside Duet are not protected</span>" in page.data  # the badge


def test_contact_details_after_funding_are_not_flagged(app_ctx, brand, creator, convo,
                                                       creator_client):
    make_deal(brand, creator, state="funded")
    post(creator_client, convo, "email me: jane@example.org")
    assert db.session.scalar(select(Message)).contact_warning is False


# --------------------------------------------------------------------------- deal events

DEAL_STEPS = ["deal_funded", "deal_submitted", "revision_requested", "deal_approved",
              "deal_auto_approved", "deal_paid_out", "deal_completed", "deal_cancelled",
              "cancel_proposed", "deal_disputed", "dispute_resolved", "deal_expired",
              "deal_late", "review_revealed", "due_date_extended"]


def test_deal_steps_are_on_the_timeline_not_in_the_chat(app_ctx, brand, creator, brand_client,
                                                        creator_client):
    """Defect: every deal step was also a chat message (17 "unread" with no human message)."""
    deal = make_deal(brand, creator, state="agreed")
    conversation = messaging.conversation_between(brand.user, creator.user)
    deals.perform(deal, "fund", None)
    deals.perform(deal, "submit", creator.user, post_links=["https://www.tiktok.com/@a/v/1"],
                  caption="#ad Morning routine")
    deals.perform(deal, "request_revision", brand.user, note="Please show the bottle first.")
    assert message_count() == 0
    assert messaging.unread_total(brand.user) == messaging.unread_total(creator.user) == 0
    page = brand_client.get(f"/messages/{conversation.id}")
    assert b"is funded" not in page.data
    assert deal.campaign.title.encode() in page.data  # deals between them in the sidebar
    # The deal page's timeline lists the same steps with their dates.
    detail = creator_client.get(f"/deals/{deal.id}").get_data(as_text=True)
    timeline = detail[detail.index("Timeline"):]
    for label in ("Funded", "Content submitted", "Revision requested"):
        assert label in timeline
    assert "Please show the bottle first." in timeline
    for event in deal.events:
        assert format_when(event.created_at) in timeline


@pytest.mark.parametrize("event", DEAL_STEPS)
def test_no_system_message_for_any_deal_step(app_ctx, brand, creator, event):
    campaign = factories.make_campaign(brand, title="Glow drop")
    sender = SimpleNamespace(brand=brand, creator=creator, campaign=campaign, deal_id=None)
    deal_event.send(sender, event=event, actor=brand.user, note="")
    assert message_count() == 0


def test_unread_counts_only_human_messages(app_ctx, brand, creator, convo, creator_client):
    messaging.post_system(brand.user, creator.user, "An offer was sent.")
    assert messaging.unread_total(creator.user) == 0
    post(creator_client, convo, "Hello!")
    assert messaging.unread_total(brand.user) == 1


@pytest.mark.parametrize("event, text", [
    ("offer_sent", "sent an offer"), ("offer_countered", "counter-offer"),
    ("offer_accepted", "accepted the offer"), ("offer_declined", "declined the offer"),
])
def test_signal_contract_with_a_fake_sender(app_ctx, brand, creator, event, text):
    campaign = factories.make_campaign(brand, title="Glow drop")
    sender = SimpleNamespace(brand=brand, creator=creator, campaign=campaign, deal_id=None)
    deal_event.send(sender, event=event, actor=brand.user, note="")
    message = db.session.scalar(select(Message))
    assert text in message.body and "Glow drop" in message.body
    assert message.kind == MessageKind.SYSTEM


def test_unknown_events_and_incomplete_senders_are_ignored(app_ctx, brand):
    deal_event.send(SimpleNamespace(brand=brand, creator=None), event="deal_funded", actor=None)
    deal_event.send(SimpleNamespace(), event="something_new", actor=None)
    assert message_count() == 0


def test_system_message_moves_conversation_up(app_ctx, brand, creator, convo):
    old = utcnow() - timedelta(days=3)
    convo.last_message_at = old
    db.session.commit()
    messaging.post_system(brand.user, creator.user, "Deal funded")
    db.session.refresh(convo)
    assert convo.last_message_at > old
