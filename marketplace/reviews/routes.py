from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from marketplace.extensions import db
from marketplace.forms import apply_domain_error
from marketplace.models import Deal
from marketplace.models.review import ReviewSide
from marketplace.reviews import bp
from marketplace.reviews.forms import ReviewForm
from marketplace.services.deals import reviews
from marketplace.services.errors import DomainError


@bp.app_template_global()
def rating_summary(subject) -> tuple[float | None, int]:
    return reviews.rating_summary(subject)


@bp.app_template_global()
def revealed_reviews(subject, limit: int = 10):
    return reviews.revealed_reviews(subject, limit)


@bp.app_template_global()
def brand_conduct(brand) -> dict:
    return reviews.brand_conduct(brand)


@bp.route("/deals/<int:deal_id>/review", methods=["GET", "POST"])
@login_required
def write(deal_id: int):
    deal = db.get_or_404(Deal, deal_id)
    side = reviews.side_of(deal, current_user)
    if side is None:
        abort(404)
    form = ReviewForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                reviews.write_review(deal, current_user, form.rating.data, form.comment.data)
            except DomainError as exc:
                db.session.rollback()
                if exc.field:
                    apply_domain_error(form, exc)
                    status = 400
                else:
                    flash(exc.message, "danger")
                    return redirect(url_for("reviews.write", deal_id=deal.id), code=303)
            else:
                flash("Thanks! Your review is saved. It becomes visible once the other side has "
                      "reviewed too, or when the review window closes.", "success")
                return redirect(url_for("reviews.write", deal_id=deal.id))
        else:
            status = 400
    written = reviews.reviews_of_deal(deal)
    mine = written.get(side)
    theirs = written.get(ReviewSide.CREATOR if side == ReviewSide.BRAND else ReviewSide.BRAND)
    try:
        reviews.check_can_write(deal, current_user)
        blocked = None
    except DomainError as exc:
        blocked = exc.message
    return render_template("reviews/write.html", deal=deal, form=form, side=side, mine=mine,
                           theirs=theirs, blocked=blocked, is_revealed=reviews.is_revealed,
                           closes=reviews.window_closes_at(deal)), status
