"""Results pages: a deal's results (its brand and creator), the campaign report (the
campaign's brand only) with its CSV and PDF exports, and the read-only share links of the
report (created and revoked by the brand, opened by anyone holding a valid one). Strangers,
and tokens that are wrong, expired or revoked, get 404.

The PDF is asked for with a POST: the report's print HTML goes to the job queue
(`marketplace/services/documents/pdfs.py`) and the brand is led to the file when the same
report was printed before, else to its "Preparing your PDF" page (`marketplace/documents/`).
The shared read-only report offers no PDF (its visitors have no account to own one); they
can print the page from the browser."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from marketplace.deals import bp
from marketplace.deals.helpers import my_campaign, my_deal
from marketplace.downloads import after_pdf_request, attachment
from marketplace.extensions import db
from marketplace.forms import EmptyForm, require_button_post
from marketplace.models import Campaign
from marketplace.models.document import DocumentKind
from marketplace.services.deals import report_shares, result_charts, results
from marketplace.services.deals.parties import now_or
from marketplace.services.documents import request_pdf
from marketplace.services.errors import DomainError


def _report_context(campaign: Campaign, *, shared: bool = False) -> dict:
    report = results.campaign_report(campaign)
    return {"report": report, "campaign": campaign, "shared": shared,
            "views_chart": result_charts.views_chart(report.posts),
            "creators_chart": result_charts.creators_chart(report.creators, report.currency),
            "reported_label": results.REPORTED_LABEL, "now": now_or(None)}


@bp.get("/deals/<int:deal_id>/results", endpoint="results")
@login_required
def deal_results(deal_id: int):
    deal = my_deal(deal_id)
    result = results.deal_results(deal)
    return render_template("deals/results/deal.html", deal=deal, result=result,
                           views_chart=result_charts.views_chart(result.posts),
                           reported_label=results.REPORTED_LABEL, now=now_or(None),
                           is_brand=bool(current_user.brand)
                           and current_user.brand.id == deal.brand_id)


@bp.get("/campaigns/<int:campaign_id>/report")
@login_required
def campaign_report(campaign_id: int):
    campaign = my_campaign(campaign_id)
    return render_template("deals/results/report.html", **_report_context(campaign),
                           shares=report_shares.shares_of(campaign),
                           form=EmptyForm(), share_days=report_shares.SHARE_DAYS,
                           token_for=report_shares.token_for)


@bp.get("/campaigns/<int:campaign_id>/report.csv")
@login_required
def campaign_report_csv(campaign_id: int):
    campaign = my_campaign(campaign_id)
    return attachment(results.report_csv(results.campaign_report(campaign)),
                     f"duet-campaign-{campaign.id}-report.csv", "text/csv; charset=utf-8")


@bp.post("/campaigns/<int:campaign_id>/report.pdf")
@login_required
def campaign_report_pdf(campaign_id: int):
    campaign = my_campaign(campaign_id)
    require_button_post()
    html = render_template("deals/results/report_document.html", **_report_context(campaign))
    return after_pdf_request(request_pdf(
        current_user, DocumentKind.CAMPAIGN_REPORT, campaign.id, html=html,
        filename=f"duet-campaign-{campaign.id}-report.pdf",
        title=f"Campaign report · {campaign.title}"))


@bp.get("/campaigns/<int:campaign_id>/report.pdf")
@login_required
def campaign_report_pdf_link(campaign_id: int):
    """Old links to the PDF: the report page, which has the PDF button."""
    campaign = my_campaign(campaign_id)
    return redirect(url_for("deals.campaign_report", campaign_id=campaign.id))


@bp.post("/campaigns/<int:campaign_id>/report/shares")
@login_required
def create_report_share(campaign_id: int):
    campaign = my_campaign(campaign_id)
    require_button_post()
    try:
        days = int(request.form.get("days", ""))
        report_shares.create(campaign, current_user, days)
    except ValueError:
        flash("Choose 7 or 30 days.", "danger")
    except DomainError as exc:
        flash(exc.message, "danger")
    else:
        flash(f"Share link created: it opens the report read-only for {days} days.",
              "success")
    return redirect(url_for("deals.campaign_report", campaign_id=campaign.id) + "#share")


@bp.post("/campaigns/<int:campaign_id>/report/shares/<int:share_id>/revoke")
@login_required
def revoke_report_share(campaign_id: int, share_id: int):
    campaign = my_campaign(campaign_id)
    require_button_post()
    try:
        report_shares.revoke(campaign, current_user, share_id)
    except DomainError:
        abort(404)
    flash("The link is revoked: it no longer opens the report.", "success")
    return redirect(url_for("deals.campaign_report", campaign_id=campaign.id) + "#share")


@bp.get("/reports/shared/<token>")
def shared_report(token: str):
    share = report_shares.open_share(token)
    if share is None:
        abort(404)
    campaign = db.get_or_404(Campaign, share.campaign_id)
    response = Response(render_template("deals/results/report_shared.html",
                                        **_report_context(campaign, shared=True),
                                        share=share))
    # Not indexed, not cached, and the address is not sent on to other sites.
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
