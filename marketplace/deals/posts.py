"""Posting after approval: the creator links each live post; the brand confirms they are live
(or says nothing, and they count as confirmed after POST_CONFIRM_DAYS)."""

from __future__ import annotations

from flask import abort, flash, redirect, send_file, url_for
from flask_login import current_user, login_required

from marketplace.access import creator_required
from marketplace.database import utcnow
from marketplace.deals import bp
from marketplace.deals.deal_pages import _render_detail_with
from marketplace.deals.forms import MetricReportForm, PostLinkForm
from marketplace.deals.helpers import my_deal, refused
from marketplace.extensions import db
from marketplace.forms import EmptyForm
from marketplace.models.deliverable import MetricSnapshot, SnapshotSource
from marketplace.services.deals import reported_metrics
from marketplace.services.deals import state_machine as deals
from marketplace.services.errors import DomainError


@bp.route("/deals/<int:deal_id>/posts/<int:item_id>/link", methods=["POST"])
@creator_required
def link_post(deal_id: int, item_id: int):
    deal = my_deal(deal_id)
    form = PostLinkForm()
    if form.validate_on_submit():
        try:
            deals.perform(deal, deals.Action.ADD_POST_LINK, current_user,
                          deliverable_id=item_id, url=form.url.data)
        except DomainError as exc:
            if not refused(form, exc):
                flash(exc.message, "danger")
                return redirect(url_for("deals.detail", deal_id=deal.id, _anchor="posts"))
        else:
            everything = deal.posts_linked_at is not None
            flash("Link saved. " + ("Every post is linked: the brand checks them next, and "
                                    "you are paid once they are confirmed live."
                                    if everything else "Add the links of the other posts too."),
                  "success")
            return redirect(url_for("deals.detail", deal_id=deal.id, _anchor="posts"))
    return _render_detail_with(deal, link_form=form, link_item_id=item_id), 400


@bp.route("/deals/<int:deal_id>/posts/confirm", methods=["POST"])
@login_required
def confirm_live(deal_id: int):
    deal = my_deal(deal_id)
    if EmptyForm().validate_on_submit():
        deals.perform(deal, deals.Action.CONFIRM_LIVE, current_user)  # refusals: flashed
        flash("Thanks: the posts are confirmed live and the creator's payout is released.",
              "success")
    return redirect(url_for("deals.detail", deal_id=deal.id))


@bp.route("/deals/<int:deal_id>/posts/<int:item_id>/metrics", methods=["POST"])
@creator_required
def report_metrics(deal_id: int, item_id: int):
    """The creator reports a post's numbers with a screenshot (no connected account, or a
    number the platform does not give)."""
    deal = my_deal(deal_id)
    form = MetricReportForm()
    if form.validate_on_submit():
        upload = form.screenshot.data
        try:
            reported_metrics.report(current_user, deal, item_id, form.numbers(),
                                    upload.stream if upload else None, utcnow())
        except DomainError as exc:
            if not refused(form, exc):
                flash(exc.message, "danger")
        else:
            flash("Thanks: your numbers are saved, labelled as reported by you.", "success")
            return redirect(url_for("deals.detail", deal_id=deal.id, _anchor="posts"))
    return _render_detail_with(deal, report_form=form, report_item_id=item_id), 400


@bp.route("/deals/<int:deal_id>/posts/<int:item_id>/metrics/<int:snapshot_id>/screenshot")
@login_required
def metric_screenshot(deal_id: int, item_id: int, snapshot_id: int):
    deal = my_deal(deal_id)
    snapshot = db.session.get(MetricSnapshot, snapshot_id)
    if (snapshot is None or snapshot.deliverable_id != item_id
            or snapshot.source != SnapshotSource.CREATOR
            or snapshot.deliverable.deal_id != deal.id):
        abort(404)
    path = reported_metrics.screenshot_path(snapshot)
    if path is None:
        abort(404)
    return send_file(path, mimetype="image/webp", max_age=0)
