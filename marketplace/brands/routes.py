"""The brand's own profile and its public page."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from marketplace.access import brand_required
from marketplace.brands import bp
from marketplace.brands.forms import BillingForm, BrandProfileForm
from marketplace.extensions import db
from marketplace.forms import apply_domain_error, form_status
from marketplace.models import BrandProfile, Campaign, CampaignStatus
from marketplace.services import payments
from marketplace.services.accounts import profiles
from marketplace.services.errors import DomainError


@bp.route("/me/profile", methods=["GET", "POST"])
@brand_required
def edit_profile():
    profile = db.session.scalar(select(BrandProfile).where(BrandProfile.user_id == current_user.id))
    form = BrandProfileForm(obj=profile)
    if form.validate_on_submit():
        logo = form.logo.data if isinstance(form.logo.data, FileStorage) else None
        try:
            profile = profiles.save_brand_profile(
                current_user, company_name=form.company_name.data, handle=form.handle.data,
                website=form.website.data or "", industry=form.industry.data,
                description=form.description.data or "", country=form.country.data or None,
                logo=logo.stream if logo and logo.filename else None)
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            flash("Your brand profile is saved.", "success")
            return redirect(url_for("brands.edit_profile"))
    return render_template("brands/edit_profile.html", form=form, profile=profile)


@bp.route("/me/billing", methods=["GET", "POST"])
@brand_required
def billing():
    """Billing details for invoices (new invoices only: an issued one keeps its snapshot)."""
    profile = current_user.brand
    if profile is None:
        flash("Set up your brand profile first; billing details come next.", "info")
        return redirect(url_for("brands.edit_profile"))
    form = BillingForm(obj=profile)
    if form.validate_on_submit():
        try:
            payments.save_billing_details(profile, payments.BillingDetails(
                form.billing_name.data or "", form.billing_address.data or "",
                form.tax_id.data or ""))
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            flash("Billing details saved: your next invoices use them.", "success")
            return redirect(url_for("brands.billing"))
    return render_template("brands/billing.html", form=form, profile=profile), form_status(form)


@bp.route("/<handle>")
def show(handle: str):
    profile = db.first_or_404(select(BrandProfile).where(BrandProfile.handle == handle.lower()))
    campaigns = db.session.scalars(
        select(Campaign)
        .where(Campaign.brand_id == profile.id, Campaign.status == CampaignStatus.OPEN)
        .order_by(Campaign.published_at.desc(), Campaign.id.desc())).all()
    return render_template("brands/show.html", profile=profile, campaigns=campaigns,
                           is_owner=current_user.is_authenticated
                           and current_user.id == profile.user_id)
