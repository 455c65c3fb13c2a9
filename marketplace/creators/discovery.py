"""The creator directory brands search (/creators/). Creators and visitors don't get it:
it exists to help brands shortlist, and rate cards are for brands' eyes."""

from __future__ import annotations

from flask import current_app, render_template, request, url_for

from marketplace.access import role_required
from marketplace.creators import bp
from marketplace.extensions import db
from marketplace.fragments import cached_fragment
from marketplace.models import CreatorProfile, Role
from marketplace.services.campaigns import discovery

MEDIA_ENDPOINT = "creators.media"  # serves stored uploads by file name (creators/public.py)


@bp.route("/")
@role_required(Role.BRAND, Role.ADMIN)
def index():
    filters = discovery.parse_creator_filters(request.args)

    def results() -> str:
        pagination = db.paginate(discovery.creator_query(filters), page=filters.page,
                                 per_page=current_app.config["PER_PAGE"], error_out=False)
        return render_template("creators/_results.html", pagination=pagination, filters=filters)

    return render_template("creators/index.html", filters=filters,
                           results=cached_fragment("creators", results),
                           sorts=discovery.CREATOR_SORTS,
                           share_min=int(discovery.AUDIENCE_SHARE_MIN))


@bp.app_template_global()
def creator_avatar_url(creator: CreatorProfile) -> str | None:
    """URL of a creator's stored avatar, or None (the avatar macro then shows an initial)."""
    return url_for(MEDIA_ENDPOINT, name=creator.avatar) if creator.avatar else None
