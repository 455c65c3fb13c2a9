"""Campaign pages: the public directory, a brand's own list, the form, detail and status moves."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from marketplace import impressions
from marketplace.access import brand_required
from marketplace.campaigns import bp
from marketplace.campaigns.forms import CampaignForm, form_data_for
from marketplace.extensions import db
from marketplace.forms import apply_domain_error, form_status, require_button_post
from marketplace.fragments import Fragment, cached, cached_fragment, render_fragment
from marketplace.models import BrandProfile, Campaign, CampaignStatus
from marketplace.request_args import page_number
from marketplace.services.campaigns import discovery
from marketplace.services.campaigns import lifecycle as svc
from marketplace.services.errors import DomainError
from marketplace.services.matching import recommendations

ACTION_DONE = {
    "publish": "Campaign published: creators can now find and apply to it.",
    "pause": "Campaign paused: it stays visible but takes no new applications.",
    "resume": "Campaign reopened.",
    "close": "Campaign closed.",
}


def _my_brand() -> BrandProfile | None:
    return current_user.brand


def _needs_profile():
    flash("Set up your brand profile first.", "warning")
    return redirect(url_for("brands.edit_profile"))


def _my_campaign_or_404(campaign_id: int, brand: BrandProfile | None) -> Campaign:
    if brand is None:
        abort(404)
    return db.first_or_404(
        select(Campaign).where(Campaign.id == campaign_id, Campaign.brand_id == brand.id)
    )


@bp.route("/")
def index():
    """Open campaigns for creators to browse (public, so it can be shared)."""
    filters = discovery.parse_campaign_filters(request.args)

    def results() -> str:
        pagination = db.paginate(discovery.campaign_query(filters), page=filters.page,
                                 per_page=current_app.config["PER_PAGE"], error_out=False)
        return render_template("campaigns/_results.html", pagination=pagination, filters=filters)

    return render_template("campaigns/index.html", filters=filters,
                           results=cached_fragment("campaigns", results),
                           sorts=discovery.CAMPAIGN_SORTS)


@bp.route("/mine")
@brand_required
def mine():
    brand = _my_brand()
    if brand is None:
        return _needs_profile()
    stmt = (select(Campaign).where(Campaign.brand_id == brand.id)
            .order_by(Campaign.created_at.desc(), Campaign.id.desc())
            .options(selectinload(Campaign.deliverables)))
    pagination = db.paginate(stmt, page=page_number(), per_page=current_app.config["PER_PAGE"],
                             error_out=False)
    return render_template("campaigns/mine.html", pagination=pagination,
                           allowed_actions=svc.allowed_actions)


@bp.route("/new", methods=["GET", "POST"])
@brand_required
def new():
    brand = _my_brand()
    if brand is None:
        return _needs_profile()
    form = CampaignForm()
    if form.validate_on_submit():
        try:
            campaign = svc.create_campaign(brand, form.to_data())
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            flash("Draft saved. Publish it when you're ready for creators to apply.", "success")
            return redirect(url_for("campaigns.show", campaign_id=campaign.id))
    return render_template("campaigns/form.html", form=form, campaign=None), form_status(form)


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@brand_required
def edit(campaign_id: int):
    campaign = _my_campaign_or_404(campaign_id, _my_brand())
    if campaign.status not in svc.EDITABLE:
        flash("A closed campaign can no longer be edited.", "warning")
        return redirect(url_for("campaigns.show", campaign_id=campaign.id))
    form = CampaignForm(data=None if request.method == "POST" else form_data_for(campaign))
    if form.validate_on_submit():
        try:
            svc.update_campaign(campaign, form.to_data())
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            flash("Campaign saved.", "success")
            return redirect(url_for("campaigns.show", campaign_id=campaign.id))
    return (render_template("campaigns/form.html", form=form, campaign=campaign),
            form_status(form))


def _top_matches(campaign: Campaign) -> Markup | None:
    """The Top matches card's list (cached under everything the ranking reads), with its
    impressions noted; None while matches are being prepared."""
    inputs = recommendations.creator_ranking_inputs(campaign)
    if inputs is None:
        return None

    def build() -> Fragment:
        matches = recommendations.top_creators(campaign, k=5, inputs=inputs)
        html = render_fragment("campaigns/_top_matches.html", campaign=campaign,
                               matches=matches) if matches else ""
        return Fragment(html, (recommendations.impression_pairs(matches, campaign=campaign),
                               [m.match.score for m in matches]))

    shown = cached("top-matches", build, vary=inputs.key)
    pairs, scores = shown.data
    impressions.note(pairs, recommendations.SURFACE_CAMPAIGN, scores)
    return shown.markup


@bp.route("/<int:campaign_id>")
def show(campaign_id: int):
    campaign = db.first_or_404(
        select(Campaign).where(Campaign.id == campaign_id)
        .options(joinedload(Campaign.brand), selectinload(Campaign.deliverables),
                 *recommendations.CAMPAIGN_TARGETING)
    )
    is_owner = (current_user.is_authenticated and current_user.is_brand
                and current_user.brand is not None and current_user.brand.id == campaign.brand_id)
    if campaign.status == CampaignStatus.DRAFT and not is_owner:
        abort(404)
    top_matches = None
    if is_owner and campaign.status == CampaignStatus.OPEN and "matcher" in current_app.extensions:
        top_matches = _top_matches(campaign)
    return render_template("campaigns/show.html", campaign=campaign, is_owner=is_owner,
                           top_matches=top_matches,
                           actions=svc.allowed_actions(campaign) if is_owner else [],
                           editable=is_owner and campaign.status in svc.EDITABLE,
                           disclosures=svc.DISCLOSURES,
                           audience_share_min=svc.AUDIENCE_SHARE_MIN_PERCENT)


@bp.route("/<int:campaign_id>/<action>", methods=["POST"])
@brand_required
def transition(campaign_id: int, action: str):
    if action not in svc.ACTIONS:
        abort(404)
    campaign = _my_campaign_or_404(campaign_id, _my_brand())
    require_button_post()
    try:
        svc.transition(campaign, action)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash(ACTION_DONE[action], "success")
    return redirect(url_for("campaigns.show", campaign_id=campaign.id))
