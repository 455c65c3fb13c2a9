"""Home page and the role-specific dashboards."""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user, login_required

from marketplace import impressions
from marketplace.fragments import cached_fragment
from marketplace.main import bp
from marketplace.main import dashboards as panels
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
    profile = panels.load_creator(current_user)
    score = completeness(profile)
    niches = list(profile.niches) if profile else []
    for_you = []
    if profile is not None and "matcher" in current_app.extensions:
        for_you = recommendations.campaigns_for(profile, k=5)
        impressions.note(recommendations.impression_pairs(for_you, creator=profile),
                         recommendations.SURFACE_CREATOR, [m.match.score for m in for_you])
    overview = deal_panels.creator_overview(profile) if profile is not None else None
    niche_campaigns = cached_fragment(
        "niche-campaigns", lambda: render_template(
            "main/_niche_campaigns.html", campaigns=panels.open_campaigns_in_niches(niches)),
        vary=",".join(sorted(niches))) if niches else None
    return render_template("main/creator_dashboard.html", profile=profile, score=score,
                           for_you=for_you, overview=overview,
                           todos=panels.todos(score.missing), niches=niches,
                           niche_campaigns=niche_campaigns)


def _admin_dashboard():
    return render_template("main/admin_dashboard.html", users=panels.user_counts(),
                           profiles=panels.profile_counts(), campaigns=panels.campaign_counts())
