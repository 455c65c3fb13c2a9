"""Inbox, one conversation (read, post, poll) and attachment downloads. Anyone who is not a
party (or an admin during a dispute) gets 404, as if the conversation did not exist."""

from __future__ import annotations

from pathlib import Path

from flask import (
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from marketplace.extensions import db
from marketplace.forms import apply_domain_error
from marketplace.messages import bp
from marketplace.messages.forms import MessageForm
from marketplace.models import User
from marketplace.models.message import Conversation, Message
from marketplace.request_args import page_number
from marketplace.services.errors import DomainError, NotAllowed
from marketplace.services.messaging import conversations as messaging
from marketplace.services.messaging import notifications
from marketplace.services.messaging.attachments import MAX_ATTACHMENT_BYTES, Upload


@bp.app_template_global()
def nav_counts() -> dict[str, int]:
    """Unread messages and notifications for the navbar, computed once per request. The
    notifications that point at the page being shown are not counted: showing it marks them
    read (marketplace/notifications/__init__.py); `here` tells that hook whether any do."""
    if "nav_counts" not in g:
        if not current_user.is_authenticated:
            return {"messages": 0, "notifications": 0, "here": 0}
        total, here = notifications.unread_counts(current_user, request.path)
        if request.method != "GET":
            here = 0
        g.nav_counts = {"messages": messaging.unread_total(current_user),
                        "notifications": total - here, "here": here}
    return g.nav_counts


@bp.app_template_global()
def deal_url(deal_id: int) -> str:
    return url_for("deals.detail", deal_id=deal_id)


@bp.app_template_filter("party_name")
def party_name(user: User | None) -> str:
    return messaging.display_name(user)


def _load(conversation_id: int) -> Conversation:
    conversation = db.get_or_404(Conversation, conversation_id)
    if not messaging.can_read(conversation, current_user):
        abort(404)
    return conversation


def _upload(file) -> Upload | None:
    if file is None or not getattr(file, "filename", ""):
        return None
    return Upload(file.filename, file.read(MAX_ATTACHMENT_BYTES + 1))


@bp.get("/")
@login_required
def inbox():
    page = messaging.inbox_page(current_user, page=page_number(),
                                per_page=current_app.config["PER_PAGE"])
    return render_template("messages/inbox.html", page=page)


@bp.get("/with/<int:user_id>")
@login_required
def conversation_with(user_id: int):
    other = db.get_or_404(User, user_id)
    try:
        conversation = messaging.conversation_between(current_user, other)
    except NotAllowed:
        abort(403)
    return redirect(url_for("messages.conversation", conversation_id=conversation.id))


@bp.route("/<int:conversation_id>", methods=["GET", "POST"])
@login_required
def conversation(conversation_id: int):
    conv = _load(conversation_id)
    is_party = conv.has_party(current_user.id)
    form = MessageForm()
    status = 200
    if request.method == "POST":
        if not is_party:
            abort(403)
        if form.validate_on_submit():
            try:
                result = messaging.send(conv, current_user, form.body.data or "",
                                        _upload(form.attachment.data), form.client_token.data)
            except DomainError as exc:
                db.session.rollback()
                apply_domain_error(form, exc, default="body")
                status = 400
            else:
                if result.created and result.message.contact_warning:
                    flash(messaging.OFF_SITE_WARNING, "warning")
                return redirect(url_for("messages.conversation", conversation_id=conv.id,
                                        _anchor=f"m{result.message.id}"))
        else:
            status = 400
    messages = messaging.thread(conv)
    if is_party and messages:
        messaging.mark_read(conv, current_user, messages[-1].id)
    return render_template("messages/conversation.html", conversation=conv, form=form,
                           messages=messages, is_party=is_party,
                           other=conv.other_user(current_user.id) if is_party else None,
                           deals=messaging.deals_between(conv),
                           campaigns=messaging.campaigns_between(conv)), status


def message_json(message: Message) -> dict:
    return {
        "id": message.id,
        "kind": str(message.kind),
        "body": message.body,
        "mine": message.sender_user_id == current_user.id,
        "sender": messaging.display_name(message.sender) if not message.is_system else "Duet",
        "created_at": message.created_at.isoformat(),
        "time": message.created_at.strftime("%d %b %H:%M"),
        "contact_warning": message.contact_warning,
        "attachment": None if not message.attachment_path else {
            "url": url_for("messages.attachment", conversation_id=message.conversation_id,
                           message_id=message.id),
            "name": message.attachment_name,
            "is_image": (message.attachment_mime or "").startswith("image/"),
        },
    }


@bp.get("/<int:conversation_id>/since/<int:message_id>")
@login_required
def since(conversation_id: int, message_id: int):
    """Polled by static/js/messages.js: messages after `message_id`, oldest first."""
    conv = _load(conversation_id)
    messages = messaging.since(conv, message_id)
    if messages and conv.has_party(current_user.id):
        messaging.mark_read(conv, current_user, messages[-1].id)
    return jsonify(messages=[message_json(m) for m in messages],
                   last_id=messages[-1].id if messages else message_id)


@bp.get("/<int:conversation_id>/attachments/<int:message_id>")
@login_required
def attachment(conversation_id: int, message_id: int):
    conv = _load(conversation_id)
    message = messaging.attachment_of(conv, message_id)
    if message is None:
        abort(404)
    path = Path(current_app.config["UPLOAD_DIR"]) / message.attachment_path
    if not path.is_file():
        abort(404)
    is_image = (message.attachment_mime or "").startswith("image/")
    response = send_file(path, mimetype=message.attachment_mime, as_attachment=not is_image,
                         download_name=message.attachment_name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
