from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from marketplace.extensions import db
from marketplace.forms import EmptyForm, apply_domain_error, require_button_post
from marketplace.notifications import bp
from marketplace.notifications.forms import PreferencesForm
from marketplace.request_args import page_number
from marketplace.services.errors import DomainError
from marketplace.services.messaging import notifications
from marketplace.services.messaging.mailer import read_outbox


@bp.get("/")
@login_required
def index():
    page = db.paginate(notifications.list_query(current_user),
                       page=page_number(),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("notifications/index.html", page=page, form=EmptyForm())


def _local(url: str) -> str:
    """Only follow links to this site (notifications store paths)."""
    parts = urlsplit(url or "")
    if not url or parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//"):
        return url_for("notifications.index")
    return url


@bp.get("/<int:notification_id>/open", endpoint="open")
@login_required
def open_notification(notification_id: int):
    """Mark read, then go where the notification points."""
    note = notifications.open_notification(current_user, notification_id)
    if note is None:
        abort(404)
    return redirect(_local(note.url))


@bp.post("/read-all")
@login_required
def read_all():
    require_button_post()
    count = notifications.mark_all_read(current_user)
    flash(f"Marked {count} notification{'s' if count != 1 else ''} as read.", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = PreferencesForm()
    if request.method == "GET":
        form.email_kinds.data = [k for k, on in notifications.preferences(current_user).items()
                                 if on]
    elif form.validate_on_submit():
        try:
            notifications.set_preferences(current_user, form.email_kinds.data or [])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            flash("Your e-mail choices are saved.", "success")
            return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form)


@bp.get("/outbox")
@login_required
def outbox():
    """E-mail the local SMTP server received (devtools/mail_server.py): admins, or anyone in
    development."""
    if not (current_user.is_admin or current_app.config.get("ENV_NAME") == "development"):
        abort(403)
    mails = read_outbox(current_app.config["MAIL_OUTBOX_DIR"])
    return render_template("notifications/outbox.html", mails=mails,
                           directory=current_app.config["MAIL_OUTBOX_DIR"])
