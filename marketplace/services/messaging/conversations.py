"""Conversations between a brand and a creator: sending (idempotent against double submits),
system lines for negotiation steps (applications, offers), read marks and unread counts of
human messages, and who may read what. Deal steps are not chat messages: they are on the
deal's timeline (DealEvent) and reach people as notifications."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import Integer, and_, bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import (
    Application,
    BrandProfile,
    Campaign,
    CreatorProfile,
    Deal,
    DealState,
    OfferThread,
    User,
)
from marketplace.models.message import (
    MAX_BODY,
    Conversation,
    ConversationMember,
    Message,
    MessageKind,
)
from marketplace.pagination import BoundPage, bound_page
from marketplace.services.deals import event_parties as deal_parties
from marketplace.services.errors import DomainError, NotAllowed
from marketplace.services.messaging import attachments
from marketplace.services.messaging.attachments import Upload

log = logging.getLogger(__name__)

ATTACHMENT_FOLDER = "messages"
# Deal states in which money is held by the platform (or was paid through it): from then on,
# sharing contact details is no longer a sign of someone steering payment off the site.
FUNDED_STATES = frozenset({
    DealState.FUNDED, DealState.SUBMITTED, DealState.REVISION_REQUESTED, DealState.APPROVED,
    DealState.POSTED, DealState.PAID_OUT, DealState.COMPLETED, DealState.DISPUTED,
})

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_CANDIDATE = re.compile(r"\+?\(?\d[\d\s().-]{6,}\d")

OFF_SITE_WARNING = ("Payments agreed outside Duet are not protected. Keep the deal and the "
                    "payment here until the deal is funded.")


@dataclass(frozen=True)
class SendResult:
    message: Message
    created: bool  # False when the same client token was already used (a double submit)


# --------------------------------------------------------------------------- conversations

def _check_pair(a: User, b: User) -> tuple[User, User]:
    """(brand user, creator user), or NotAllowed when the two are not one of each."""
    if a.is_brand and b.is_creator:
        return a, b
    if a.is_creator and b.is_brand:
        return b, a
    raise NotAllowed("Conversations are between a brand and a creator.")


def conversation_between(a: User, b: User) -> Conversation:
    """Find or create the single conversation of this brand-creator pair (race-safe)."""
    brand_user, creator_user = _check_pair(a, b)
    query = select(Conversation).where(Conversation.brand_user_id == brand_user.id,
                                       Conversation.creator_user_id == creator_user.id)
    existing = db.session.scalar(query)
    if existing:
        return existing
    conversation = Conversation(brand_user_id=brand_user.id, creator_user_id=creator_user.id,
                                last_message_at=utcnow())
    conversation.members = [ConversationMember(user_id=brand_user.id, last_read_message_id=0),
                            ConversationMember(user_id=creator_user.id, last_read_message_id=0)]
    db.session.add(conversation)
    try:
        db.session.commit()
    except IntegrityError:  # the other party opened it at the same moment
        db.session.rollback()
        return db.session.scalars(query).one()
    return conversation


def start_with(me: User, other_user_id: int) -> Conversation:
    other = db.session.get(User, other_user_id)
    if other is None or other.id == me.id:
        raise DomainError("There is nobody to talk to at that address.")
    return conversation_between(me, other)


def parties_have_deal_in(conversation: Conversation, states: frozenset[DealState]) -> bool:
    brand_ids, creator_ids = _pair_profiles(conversation)
    return db.session.scalar(
        select(func.count(Deal.id)).where(Deal.brand_id.in_(brand_ids),
                                          Deal.creator_id.in_(creator_ids),
                                          Deal.state.in_(states))) > 0


def can_read(conversation: Conversation, user: User) -> bool:
    """The two parties always; an admin only while a deal between them is disputed."""
    if not user.is_authenticated:
        return False
    if conversation.has_party(user.id):
        return True
    return user.is_admin and parties_have_deal_in(conversation, frozenset({DealState.DISPUTED}))


def _pair_profiles(conversation: Conversation):
    brand_ids = select(BrandProfile.id).where(BrandProfile.user_id == conversation.brand_user_id)
    creator_ids = select(CreatorProfile.id).where(
        CreatorProfile.user_id == conversation.creator_user_id)
    return brand_ids, creator_ids


def deals_between(conversation: Conversation) -> list[Deal]:
    """Every deal between the two parties, newest first."""
    brand_ids, creator_ids = _pair_profiles(conversation)
    return list(db.session.scalars(
        select(Deal).where(Deal.brand_id.in_(brand_ids), Deal.creator_id.in_(creator_ids))
        .options(selectinload(Deal.campaign)).order_by(Deal.id.desc())))


def campaigns_between(conversation: Conversation) -> list[Campaign]:
    """Campaigns of this brand the creator applied to, negotiated on or has a deal for."""
    brand_ids, creator_ids = _pair_profiles(conversation)
    applied = (select(Application.campaign_id)
               .join(Campaign, Campaign.id == Application.campaign_id)
               .where(Application.creator_id.in_(creator_ids), Campaign.brand_id.in_(brand_ids)))
    negotiated = select(OfferThread.campaign_id).where(OfferThread.brand_id.in_(brand_ids),
                                                       OfferThread.creator_id.in_(creator_ids))
    dealt = select(Deal.campaign_id).where(Deal.brand_id.in_(brand_ids),
                                           Deal.creator_id.in_(creator_ids))
    return list(db.session.scalars(
        select(Campaign).where(or_(Campaign.id.in_(applied), Campaign.id.in_(negotiated),
                                   Campaign.id.in_(dealt)))
        .order_by(Campaign.created_at.desc())))


# --------------------------------------------------------------------------- sending

def has_contact_details(text: str) -> bool:
    """An e-mail address or something that reads like a phone number (9-15 digits)."""
    if _EMAIL.search(text):
        return True
    for candidate in _PHONE_CANDIDATE.findall(text):
        digits = sum(ch.isdigit() for ch in candidate)
        if 9 <= digits <= 15 or (candidate.startswith("+") and 8 <= digits <= 15):
            return True
    return False


def _valid_token(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return str(uuid.UUID(token))
    except ValueError as exc:
        raise DomainError("The form was damaged; reload the page and try again.") from exc


def _by_token(conversation_id: int, token: str) -> Message | None:
    return db.session.scalar(select(Message).where(Message.conversation_id == conversation_id,
                                                   Message.client_token == token))


def send(conversation: Conversation, sender: User, body: str, upload: Upload | None = None,
         client_token: str | None = None) -> SendResult:
    """Post a message from one of the two parties; the same client token never posts twice."""
    if not conversation.has_party(sender.id):
        raise NotAllowed("Only the two people in this conversation can write here.")
    body = (body or "").strip()
    if len(body) > MAX_BODY:
        raise DomainError(f"Messages can be at most {MAX_BODY} characters "
                          f"(this one has {len(body)}).", field="body")
    if upload is not None and not upload.data and not upload.filename:
        upload = None
    if not body and upload is None:
        raise DomainError("Write a message or attach a file.", field="body")
    token = _valid_token(client_token)
    if token and (earlier := _by_token(conversation.id, token)):
        return SendResult(earlier, created=False)
    stored = None
    if upload is not None:
        mime = attachments.validate(upload)
        stored = attachments.store(upload, mime, current_app.config["UPLOAD_DIR"],
                                   ATTACHMENT_FOLDER)
    warn = bool(body) and has_contact_details(body) and not parties_have_deal_in(
        conversation, FUNDED_STATES)
    message = Message(conversation_id=conversation.id, sender_user_id=sender.id,
                      kind=MessageKind.TEXT, body=body, client_token=token, contact_warning=warn)
    if stored:
        message.attachment_path = stored.path
        message.attachment_name = stored.name
        message.attachment_mime = stored.mime
        message.attachment_size = stored.size
    try:
        _append(conversation, message, reader_id=sender.id)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if stored:
            attachments.remove(current_app.config["UPLOAD_DIR"], stored.path)
        earlier = _by_token(conversation.id, token) if token else None
        if earlier is None:
            raise
        return SendResult(earlier, created=False)
    return SendResult(message, created=True)


def _append(conversation: Conversation, message: Message, reader_id: int | None = None) -> None:
    now = utcnow()
    message.created_at = now
    conversation.last_message_at = now
    db.session.add(message)
    db.session.flush()
    # Only ever forward: of two messages sent at once, the later id stays.
    moved = db.session.execute(
        update(Conversation).where(Conversation.id == conversation.id,
                                   or_(Conversation.last_message_id.is_(None),
                                       Conversation.last_message_id < message.id))
        .values(last_message_id=message.id).execution_options(synchronize_session=False))
    if moved.rowcount:
        set_committed_value(conversation, "last_message_id", message.id)
    else:
        db.session.expire(conversation, ["last_message_id"])
    if reader_id is not None:
        _move_read_mark(conversation.id, reader_id, message.id)


def post_system(brand_user: User, creator_user: User, text: str,
                deal_id: int | None = None) -> Message:
    """A line written by the platform in the pair's conversation (negotiation steps); it is
    context, never counted as unread."""
    conversation = conversation_between(brand_user, creator_user)
    message = Message(conversation_id=conversation.id, sender_user_id=None,
                      kind=MessageKind.SYSTEM, body=text[:MAX_BODY], deal_id=deal_id)
    _append(conversation, message)
    db.session.commit()
    return message


# --------------------------------------------------------------------------- reading

def _move_read_mark(conversation_id: int, user_id: int, message_id: int) -> None:
    member = db.session.get(ConversationMember, (conversation_id, user_id))
    if member is None:
        return  # admins reading during a dispute leave no marks
    if message_id > (member.last_read_message_id or 0):
        member.last_read_message_id = message_id


def mark_read(conversation: Conversation, user: User, upto_message_id: int | None = None) -> None:
    """Move the user's read mark to the given (or the latest) message of the conversation."""
    if upto_message_id is None:
        upto_message_id = db.session.scalar(
            select(func.max(Message.id)).where(Message.conversation_id == conversation.id))
    if upto_message_id:
        _move_read_mark(conversation.id, user.id, upto_message_id)
        db.session.commit()


def _unread_query(user_id: int):
    member = ConversationMember
    return (select(Message.conversation_id, func.count(Message.id))
            .join(member, and_(member.conversation_id == Message.conversation_id,
                               member.user_id == user_id))
            .where(Message.id > member.last_read_message_id,
                   Message.kind != MessageKind.SYSTEM,  # only people's messages are "unread"
                   Message.sender_user_id != user_id)
            .group_by(Message.conversation_id))


def unread_by_conversation(user: User, conversation_ids: list[int] | None = None) -> dict[int, int]:
    query = _unread_query(user.id)
    if conversation_ids is not None:
        query = query.where(Message.conversation_id.in_(conversation_ids))
    return {cid: count for cid, count in db.session.execute(query)}


def unread_total(user: User) -> int:
    return sum(unread_by_conversation(user).values())


def unread_total_column(user_id: int):
    """The user's unread people's messages as a scalar subquery, so a caller can fetch it in
    the same statement as the user (the navbar count)."""
    member = ConversationMember
    return (select(func.count(Message.id))
            .join(member, and_(member.conversation_id == Message.conversation_id,
                               member.user_id == user_id))
            .where(Message.id > member.last_read_message_id,
                   Message.kind != MessageKind.SYSTEM, Message.sender_user_id != user_id)
            .scalar_subquery())


def inbox_page(user: User, page: int, per_page: int) -> BoundPage:
    """One page of the user's conversations, most recent activity first. Each item is a row
    (conversation, unread count) with both parties' profiles and the latest message loaded:
    one statement, plus a count only when the list goes past this page."""
    return bound_page(*_inbox_statements(), {"uid": user.id}, page=page, per_page=per_page)


@cache
def _inbox_statements():
    """The inbox's page and count statements, built once per process (`:uid` bound)."""
    uid, member = bindparam("uid", type_=Integer), ConversationMember
    mine = or_(Conversation.brand_user_id == uid, Conversation.creator_user_id == uid)
    unread = (select(func.count(Message.id))
              .join(member, and_(member.conversation_id == Message.conversation_id,
                                 member.user_id == uid))
              .where(Message.conversation_id == Conversation.id,
                     Message.id > member.last_read_message_id,
                     Message.kind != MessageKind.SYSTEM, Message.sender_user_id != uid)
              .correlate(Conversation).scalar_subquery())
    items = (select(Conversation, unread.label("unread")).where(mine)
             # both profiles of both sides, joined (all to-one): `display_name` looks at each
             .options(joinedload(Conversation.brand_user).joinedload(User.brand),
                      joinedload(Conversation.brand_user).joinedload(User.creator),
                      joinedload(Conversation.creator_user).joinedload(User.brand),
                      joinedload(Conversation.creator_user).joinedload(User.creator),
                      joinedload(Conversation.last_message))
             .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
             .limit(bindparam("limit", type_=Integer))
             .offset(bindparam("offset", type_=Integer)))
    return items, select(func.count(Conversation.id)).where(mine)


def thread(conversation: Conversation, limit: int = 200) -> list[Message]:
    """The latest `limit` messages, oldest first."""
    rows = db.session.scalars(select(Message).where(Message.conversation_id == conversation.id)
                              .order_by(Message.id.desc()).limit(limit))
    return list(reversed(list(rows)))


def since(conversation: Conversation, after_id: int, limit: int = 200) -> list[Message]:
    return list(db.session.scalars(
        select(Message).where(Message.conversation_id == conversation.id, Message.id > after_id)
        .order_by(Message.id).limit(limit)))


def attachment_of(conversation: Conversation, message_id: int) -> Message | None:
    return db.session.scalar(select(Message).where(Message.id == message_id,
                                                   Message.conversation_id == conversation.id,
                                                   Message.attachment_path.is_not(None)))


def display_name(user: User | None) -> str:
    if user is None:
        return "Duet"
    if user.brand is not None:
        return user.brand.company_name
    if user.creator is not None:
        return user.creator.display_name
    return "Duet team" if user.is_admin else user.email.split("@")[0]


# --------------------------------------------------------------------------- deal events

# Negotiation steps only: once there is a deal, its steps live on the deal page's timeline.
SYSTEM_TEXT = {
    "application_submitted": "{creator} applied to “{campaign}”.",
    "application_withdrawn": "{creator} withdrew the application to “{campaign}”.",
    "application_shortlisted": "{brand} shortlisted the application to “{campaign}”.",
    "application_declined": "{brand} declined the application to “{campaign}”.",
    "offer_sent": "{actor} sent an offer{about}.",
    "offer_countered": "{actor} made a counter-offer{about}.",
    "offer_declined": "{actor} declined the offer{about}.",
    "offer_accepted": "{actor} accepted the offer{about}. The deal is waiting for funding.",
    "offer_expired": "The offer{about} expired.",
}


def system_text(event: str, parties: deal_parties.Parties, actor: User | None,
                note: str = "") -> str | None:
    template = SYSTEM_TEXT.get(event)
    if template is None:
        return None
    campaign = parties.campaign.title if parties.campaign is not None else "the campaign"
    about = f" for “{parties.campaign.title}”" if parties.campaign is not None else ""
    text = template.format(
        creator=parties.creator.display_name if parties.creator else "The creator",
        brand=parties.brand.company_name if parties.brand else "The brand",
        actor=display_name(actor) if actor is not None else "Duet",
        campaign=campaign, about=about)
    if note:
        text += f" Note: {note.strip()[:1000]}"
    return text


def on_deal_event(sender: Any, event: str = "", actor: User | None = None, note: str = "",
                  **extra: Any) -> None:
    """deal_event subscriber: writes a negotiation step into the pair's conversation (deal
    steps are ignored: see SYSTEM_TEXT). Never raises, so a messaging problem cannot undo or
    break the step that already committed."""
    try:
        parties = deal_parties.parties_of(sender)
        text = system_text(event, parties, actor, note)
        if text is None or not parties.complete:
            return
        post_system(parties.brand.user, parties.creator.user, text, parties.deal_id)
    except Exception:  # noqa: BLE001  (logged; the deal step has already happened)
        db.session.rollback()
        log.exception("could not post system message for %s", event)
