"""Home page and the role-specific dashboards."""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user, login_required
from markupsafe import Markup

from marketplace import impressions
from marketplace.fragments import Fragment, cached, cached_fragment, render_fragment
from marketplace.main import bp
from marketplace.main import dashboards as panels
from marketplace.models import CreatorProfile
from marketplace.models.deal import STATE_BADGES, STATE_LABELS
from marketplace.services.accounts.profiles import completeness
from marketplace.services.deals import dashboard as deal_panels
from marketplace.services.deals import library
from marketplace.services.deals.parties import now_or
from marketplace.services.matching import recommendations


@bp.route("/")
def index():
    return render_template("main/index.html")


@bp.route("/dashboard")
@login_required
def dashboard():
    if current_user.is_admin:
        return _admin_dashboard()
    if current_user.is_brand:
        return _brand_dashboard()
    return _creator_dashboard()


def _brand_dashboard():
    brand = current_user.brand
    if brand is None:
        return render_template("main/brand_dashboard.html", brand=None, counts=None,
                               campaigns=[])
    now = now_or(None)
    return render_template("main/brand_dashboard.html", brand=brand,
                           counts=panels.campaign_counts(brand),
                           campaigns=panels.recent_campaigns(brand),
                           overview=deal_panels.brand_overview(brand, now),
                           overview_month=now.strftime("%B %Y"),
                           worked_with=library.creators_worked_with(brand),
                           step_labels=STATE_LABELS, step_badges=STATE_BADGES)


def _creator_dashboard():
    profile, lists = panels.load_creator(current_user)
    score = completeness(profile, lists)
    niches = list(profile.niches) if profile else []
    for_you = None
    if profile is not None and "matcher" in current_app.extensions:
        for_you = _campaigns_for_you(profile)
    overview = deal_panels.creator_overview(profile) if profile is not None else None
    niche_campaigns = cached_fragment(
        "niche-campaigns", lambda: render_template(
            "main/_niche_campaigns.html", campaigns=panels.open_campaigns_in_niches(niches)),
        vary=",".join(sorted(niches))) if niches else None
    return render_template("main/creator_dashboard.html", profile=profile, score=score,
                           for_you=for_you, overview=overview,
                           todos=panels.todos(score.missing), niches=niches,
                           niche_campaigns=niche_campaigns)


def _campaigns_for_you(profile: CreatorProfile) -> Markup | None:
    """The "Campaigns for you" section (cached under everything the ranking reads), with
    its impressions noted; None while matches are being prepared."""
    inputs = recommendations.campaign_ranking_inputs(profile)
    if inputs is None:
        return None

    def build() -> Fragment:
        matches = recommendations.campaigns_for(profile, k=5, inputs=inputs)
        html = render_fragment("main/_campaigns_for_you.html",
                               for_you=matches) if matches else ""
        return Fragment(html, (recommendations.impression_pairs(matches, creator=profile),
                               [m.match.score for m in matches]))

    shown = cached("campaigns-for-you", build, vary=inputs.key)
    pairs, scores = shown.data
    impressions.note(pairs, recommendations.SURFACE_CREATOR, scores)
    return shown.markup


def _admin_dashboard():
    return render_template("main/admin_dashboard.html", users=panels.user_counts(),
                           profiles=panels.profile_counts(), campaigns=panels.campaign_counts())
