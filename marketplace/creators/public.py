"""Public creator pages and the route that serves uploaded images.

Uploads (creator avatars and brand logos alike) are served at
GET /creators/media/<name> (endpoint `creators.media`); only names the upload service
generated are accepted, anything else is a 404.
"""

from __future__ import annotations

from flask import abort, current_app, render_template, send_from_directory
from flask_login import current_user
from sqlalchemy import select

from marketplace.creators import bp
from marketplace.creators.routes import FULL_PROFILE
from marketplace.extensions import db
from marketplace.models import CreatorProfile
from marketplace.services.accounts import uploads
from marketplace.services.deals import library
from marketplace.services.platforms import accounts as connected


@bp.route("/media/<path:name>")
def media(name: str):
    if not uploads.is_stored_name(name):
        abort(404)
    response = send_from_directory(current_app.config["UPLOAD_DIR"], name,
                                   mimetype="image/webp", max_age=60 * 60 * 24 * 30)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/<handle>")
def show(handle: str):
    profile = db.first_or_404(select(CreatorProfile).options(*FULL_PROFILE)
                              .where(CreatorProfile.handle == handle.lower()))
    viewer_is_brand = current_user.is_authenticated and current_user.is_brand
    is_owner = current_user.is_authenticated and current_user.id == profile.user_id
    hire_again = library.last_deal_with(current_user.brand, profile) if viewer_is_brand else None
    return render_template("creators/show.html", profile=profile,
                           viewer_is_brand=viewer_is_brand, is_owner=is_owner,
                           hire_again=hire_again,
                           verified=connected.verified_accounts(profile.id))
