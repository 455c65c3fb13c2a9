from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from marketplace import impressions
from marketplace.access import brand_required
from marketplace.extensions import db
from marketplace.forms import EmptyForm
from marketplace.matches import bp
from marketplace.models import Campaign, CreatorProfile
from marketplace.services.matching import recommendations


def own_campaign_or_404(campaign_id: int, *, targeting: bool = False) -> Campaign:
    """The brand's own campaign or 404; with `targeting`, its niches, platforms and
    countries joined in (what ranking reads)."""
    brand = current_user.brand
    stmt = select(Campaign).where(Campaign.id == campaign_id,
                                  Campaign.brand_id == (brand.id if brand else -1))
    if targeting:
        stmt = stmt.options(*recommendations.CAMPAIGN_TARGETING)
    return db.first_or_404(stmt)


@bp.route("/campaigns/<int:campaign_id>/matches")
@brand_required
def campaign_matches(campaign_id: int):
    campaign = own_campaign_or_404(campaign_id, targeting=True)
    hidden = recommendations.hidden_creators(campaign.brand_id)
    matches = (recommendations.top_creators(campaign, k=20, hidden_ids={c.id for c in hidden})
               if campaign.status == "open" else [])
    impressions.note(recommendations.impression_pairs(matches, campaign=campaign),
                     recommendations.SURFACE_CAMPAIGN, [m.match.score for m in matches])
    return render_template("matches/campaign.html", campaign=campaign, matches=matches,
                           hidden=hidden, preparing=recommendations.preparing())


@bp.route("/campaigns/<int:campaign_id>/matches/<int:creator_id>/<any(hide, unhide):action>",
          methods=["POST"])
@brand_required
def hide(campaign_id: int, creator_id: int, action: str):
    campaign = own_campaign_or_404(campaign_id)
    creator = db.get_or_404(CreatorProfile, creator_id)
    if EmptyForm().validate_on_submit():
        if action == "hide":
            recommendations.hide_creator(campaign.brand, creator)
            flash(f"{creator.display_name} will no longer appear in your matches.", "info")
        else:
            recommendations.unhide_creator(campaign.brand, creator)
            flash(f"{creator.display_name} can appear in your matches again.", "info")
    target = request.form.get("back")
    if target != "campaign":
        return redirect(url_for("matches.campaign_matches", campaign_id=campaign.id))
    return redirect(url_for("campaigns.show", campaign_id=campaign.id))
