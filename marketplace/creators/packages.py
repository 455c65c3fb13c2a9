"""The creator's rate card: list, add, edit and delete packages."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import select

from marketplace.access import creator_required
from marketplace.creators import bp
from marketplace.creators.forms import PackageForm
from marketplace.creators.routes import my_profile, refused, render_section
from marketplace.extensions import db
from marketplace.forms import EmptyForm, form_status
from marketplace.models import CreatorProfile, Package
from marketplace.services.accounts import profiles
from marketplace.services.errors import DomainError


def _my_package(package_id: int) -> Package:
    """Another creator's package answers 404, as if it did not exist."""
    return db.first_or_404(
        select(Package).join(CreatorProfile)
        .where(Package.id == package_id, CreatorProfile.user_id == current_user.id))


def _package_input(form: PackageForm) -> profiles.PackageInput:
    return profiles.PackageInput(
        title=form.title.data, platform=form.platform.data,
        deliverable_type=form.deliverable_type.data, price_cents=form.price_cents,
        currency=form.currency.data, turnaround_days=form.turnaround_days.data,
        revisions=form.revisions.data, usage_rights=form.usage_rights.data,
        description=form.description.data or "")


@bp.route("/me/packages")
@creator_required
def packages():
    profile = my_profile()
    if profile is None:
        flash("Choose your handle and fill in the basics first.", "info")
        return redirect(url_for("creators.edit_profile"))
    return render_section("creators/packages.html", profile, max_packages=profiles.MAX_PACKAGES)


@bp.route("/me/packages/new", methods=["GET", "POST"])
@creator_required
def new_package():
    profile = my_profile()
    if profile is None:
        flash("Choose your handle and fill in the basics first.", "info")
        return redirect(url_for("creators.edit_profile"))
    form = PackageForm()
    if form.validate_on_submit():
        try:
            profiles.add_package(profile, _package_input(form))
        except DomainError as exc:
            refused(form, exc)
        else:
            flash("Package added to your rate card.", "success")
            return redirect(url_for("creators.packages"))
    return (render_section("creators/package_form.html", profile, form=form, package=None),
            form_status(form))


@bp.route("/me/packages/<int:package_id>/edit", methods=["GET", "POST"])
@creator_required
def edit_package(package_id: int):
    package = _my_package(package_id)
    profile = package.creator
    form = PackageForm(obj=package)
    if not form.is_submitted():
        form.price.data = f"{package.price_cents / 100:.2f}"
    if form.validate_on_submit():
        try:
            profiles.update_package(profile, package, _package_input(form))
        except DomainError as exc:
            refused(form, exc)
        else:
            flash("Package updated.", "success")
            return redirect(url_for("creators.packages"))
    return (render_section("creators/package_form.html", profile, form=form, package=package),
            form_status(form))


@bp.route("/me/packages/<int:package_id>/delete", methods=["POST"])
@creator_required
def delete_package(package_id: int):
    package = _my_package(package_id)
    if EmptyForm().validate_on_submit():
        profiles.delete_package(package.creator, package)
        flash("Package deleted.", "info")
    return redirect(url_for("creators.packages"))
