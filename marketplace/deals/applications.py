"""Applications: a creator applies to a campaign and follows their applications; the brand
reviews applicants, shortlists, declines or makes an offer."""


from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace import taxonomy
from marketplace.access import brand_required, creator_required
from marketplace.deals import bp
from marketplace.deals.forms import (
    ApplyForm,
    TermsForm,
    application_decline_form,
)
from marketplace.deals.helpers import (
    application_to_me,
    fill_terms,
    my_application,
    my_campaign,
    parse_cents,
    refused,
    terms_from_form,
)
from marketplace.extensions import db
from marketplace.forms import EmptyForm, form_status
from marketplace.models import (
    Application,
    ApplicationStatus,
    Campaign,
    CampaignStatus,
    CreatorProfile,
    OfferThread,
)
from marketplace.request_args import page_number
from marketplace.services.deals import applications, offers
from marketplace.services.errors import DomainError


@bp.route("/campaigns/<int:campaign_id>/apply", methods=["GET", "POST"])
@creator_required
def apply(campaign_id: int):
    campaign = db.first_or_404(select(Campaign).where(Campaign.id == campaign_id,
                                                      Campaign.status != CampaignStatus.DRAFT))
    creator = current_user.creator
    if creator is None:
        flash("Create your creator profile before applying.", "info")
        return redirect(url_for("creators.edit_profile") or url_for("main.index"))
    existing = db.session.scalar(select(Application).where(
        Application.campaign_id == campaign.id, Application.creator_id == creator.id))
    form = ApplyForm()
    form.package_ids.choices = [
        (p.id, f"{p.title} · {taxonomy.PLATFORMS.get(p.platform, p.platform)} · "
               f"{p.price_cents / 100:,.2f} {p.currency}") for p in creator.packages]
    if existing is None and form.validate_on_submit():
        try:
            price = parse_cents(form, "proposed_price", required=False)
        except ValueError:
            price = None
        else:
            try:
                applications.apply(current_user, campaign, pitch=form.pitch.data or "",
                                   package_ids=form.package_ids.data or [],
                                   proposed_price_cents=price)
            except DomainError as exc:
                if not refused(form, exc):
                    flash(exc.message, "danger")
                    return redirect(url_for("deals.apply", campaign_id=campaign.id))
            else:
                flash("Application sent. You will hear back here and by notification.",
                      "success")
                return redirect(url_for("deals.my_applications"))
    return (render_template("deals/apply.html", campaign=campaign, form=form, existing=existing),
            form_status(form))


@bp.route("/deals/applications")
@creator_required
def my_applications():
    creator = current_user.creator
    query = (select(Application).where(Application.creator_id == (creator.id if creator else -1))
             .options(selectinload(Application.campaign).selectinload(Campaign.brand))
             .order_by(Application.created_at.desc()))
    page = db.paginate(query, page=page_number(),
                       per_page=current_app.config.get("PER_PAGE", 24), error_out=False)
    return render_template("deals/my_applications.html", page=page, form=EmptyForm())


@bp.route("/deals/applications/<int:application_id>/withdraw", methods=["POST"])
@creator_required
def withdraw_application(application_id: int):
    application = my_application(application_id)
    if EmptyForm().validate_on_submit():
        applications.withdraw(current_user, application)
        flash("Application withdrawn.", "success")
    return redirect(url_for("deals.my_applications"))


@bp.route("/campaigns/<int:campaign_id>/applicants")
@brand_required
def applicants(campaign_id: int):
    campaign = my_campaign(campaign_id)
    status = request.args.get("status") or None
    query = (select(Application).where(Application.campaign_id == campaign.id)
             .options(selectinload(Application.creator).selectinload(CreatorProfile.accounts),
                      selectinload(Application.creator).selectinload(CreatorProfile.niche_links))
             .order_by(Application.created_at.desc()))
    if status in {s.value for s in ApplicationStatus}:
        query = query.where(Application.status == status)
    page = db.paginate(query, page=page_number(),
                       per_page=current_app.config.get("PER_PAGE", 24), error_out=False)
    threads = {t.application_id: t for t in db.session.scalars(
        select(OfferThread).where(OfferThread.campaign_id == campaign.id,
                                  OfferThread.application_id.is_not(None)))}
    return render_template("deals/applicants.html", campaign=campaign, page=page, status=status,
                           statuses=list(ApplicationStatus), threads=threads,
                           decline_form=application_decline_form(), form=EmptyForm())


@bp.route("/deals/applications/<int:application_id>/shortlist", methods=["POST"])
@brand_required
def shortlist_application(application_id: int):
    application = application_to_me(application_id)
    if EmptyForm().validate_on_submit():
        applications.shortlist(current_user, application)
        flash(f"{application.creator.display_name} is on your shortlist.", "success")
    return redirect(url_for("deals.applicants", campaign_id=application.campaign_id))


@bp.route("/deals/applications/<int:application_id>/decline", methods=["POST"])
@brand_required
def decline_application(application_id: int):
    application = application_to_me(application_id)
    form = application_decline_form()
    if form.validate_on_submit():
        applications.decline(current_user, application, form.reason.data or "",
                             form.note.data or "")
        flash("Application declined; the creator sees your reason.", "success")
    return redirect(url_for("deals.applicants", campaign_id=application.campaign_id))


@bp.route("/deals/applications/<int:application_id>/offer", methods=["GET", "POST"])
@brand_required
def offer_to_applicant(application_id: int):
    application = application_to_me(application_id)
    campaign = application.campaign
    form = TermsForm()
    if request.method == "GET":
        prefill = offers.OfferTerms.from_campaign(campaign)
        prefill.price_cents = application.proposed_price_cents
        fill_terms(form, prefill)
    elif form.validate_on_submit():
        try:
            terms = terms_from_form(form, campaign.currency)
            thread = offers.make_offer(current_user, application, terms)
        except ValueError:
            pass
        except DomainError as exc:
            if not refused(form, exc):
                flash(exc.message, "danger")
                return redirect(url_for("deals.applicants", campaign_id=campaign.id))
        else:
            flash("Offer sent.", "success")
            return redirect(url_for("deals.thread", thread_id=thread.id))
    return render_template("deals/offer_form.html", form=form, campaign=campaign,
                           creator=application.creator, title="Make an offer",
                           action=url_for("deals.offer_to_applicant",
                                          application_id=application.id)), form_status(form)
