"""/library (brands), /library/campaigns/<id>/content.zip, /library/my-work (creators)."""

from __future__ import annotations

import tempfile

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from marketplace import taxonomy
from marketplace.access import brand_required, creator_required
from marketplace.extensions import db
from marketplace.library import bp
from marketplace.models import Campaign
from marketplace.request_args import page_number
from marketplace.services.deals import library
from marketplace.services.deals.parties import now_or

MAX_ID = 2**31 - 1


def _page(query):
    return db.paginate(query, page=page_number(),
                       per_page=current_app.config.get("PER_PAGE", 24), error_out=False,
                       max_per_page=100)


@bp.get("")
@brand_required
def index():
    brand = current_user.brand
    if brand is None:
        return render_template("library/index.html", brand=None)
    now = now_or(None)
    options = library.filter_options(brand)
    filters = library.parse_filters(request.args, options)
    page = _page(library.library_query(brand, filters, now))
    return render_template(
        "library/index.html", brand=brand, page=page, items=library.items_for(page.items, now),
        options=options, filters=filters, platforms=taxonomy.PLATFORMS,
        rights_labels=library.RIGHTS_STATUS_LABELS, badges=library.RIGHTS_STATUS_BADGES)


@bp.get("/campaigns/<int:campaign_id>/content.zip")
@brand_required
def campaign_zip(campaign_id: int):
    brand = current_user.brand
    if campaign_id > MAX_ID:  # the database would refuse the number: it is nobody's campaign
        abort(404)
    campaign = db.first_or_404(select(Campaign).where(
        Campaign.id == campaign_id, Campaign.brand_id == (brand.id if brand else -1)))
    items = library.campaign_items(brand, campaign, now_or(None))
    if not items:
        flash("This campaign has no approved content to download yet.", "info")
        return redirect(url_for("library.index"))
    # On disk, not in memory (videos can be large); the response closes (and so deletes) it.
    archive = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        library.write_campaign_archive(items, archive)
        archive.seek(0)
    except BaseException:
        archive.close()
        raise
    response = send_file(archive, mimetype="application/zip", as_attachment=True,
                         download_name=f"duet-campaign-{campaign.id}-content.zip")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/my-work")
@creator_required
def my_work():
    creator = current_user.creator
    if creator is None:
        return render_template("library/my_work.html", creator=None)
    now = now_or(None)
    page = _page(library.creator_work_query(creator))
    return render_template("library/my_work.html", creator=creator, page=page,
                           items=library.items_for(page.items, now),
                           rights_labels=library.RIGHTS_STATUS_LABELS,
                           badges=library.RIGHTS_STATUS_BADGES)
