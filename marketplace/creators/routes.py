"""The creator's own profile, edited in sections: basics, platforms, audience, samples."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage

from marketplace import taxonomy
from marketplace.access import creator_required
from marketplace.creators import bp
from marketplace.creators.forms import (
    AudienceForm,
    CreatorBasicsForm,
    PlatformsForm,
    SamplesForm,
)
from marketplace.extensions import db
from marketplace.forms import EmptyForm, apply_domain_error
from marketplace.models import CreatorProfile
from marketplace.services.accounts import profiles
from marketplace.services.errors import DomainError

FULL_PROFILE = (
    selectinload(CreatorProfile.niche_links), selectinload(CreatorProfile.accounts),
    selectinload(CreatorProfile.audience_countries), selectinload(CreatorProfile.samples),
    selectinload(CreatorProfile.packages),
)


def my_profile() -> CreatorProfile | None:
    """The logged-in creator's profile with its children loaded, or None before set-up."""
    return db.session.scalar(select(CreatorProfile).options(*FULL_PROFILE)
                             .where(CreatorProfile.user_id == current_user.id))


def uploaded(field) -> FileStorage | None:
    data = field.data
    return data if isinstance(data, FileStorage) and data.filename else None


def refused(form, exc: DomainError) -> None:
    """Undo anything half-done and show the service's message beside its field."""
    db.session.rollback()
    apply_domain_error(form, exc)


def render_section(template: str, profile: CreatorProfile | None, **context):
    return render_template(template, profile=profile,
                           completeness=profiles.completeness(profile), **context)


def _needs_profile():
    flash("Choose your handle and fill in the basics first.", "info")
    return redirect(url_for("creators.edit_profile"))


@bp.route("/me/profile", methods=["GET", "POST"])
@creator_required
def edit_profile():
    profile = my_profile()
    form = CreatorBasicsForm(obj=profile)
    if form.validate_on_submit():
        avatar = uploaded(form.avatar)
        try:
            profile = profiles.save_creator_basics(
                current_user, display_name=form.display_name.data, handle=form.handle.data,
                bio=form.bio.data, country=form.country.data or None,
                languages=form.languages.data, niches=form.niches.data,
                avatar=avatar.stream if avatar else None)
        except DomainError as exc:
            refused(form, exc)
        else:
            flash("Your profile is saved.", "success")
            return redirect(url_for("creators.edit_profile"))
    return render_section("creators/edit_basics.html", profile, form=form,
                          remove_form=EmptyForm(prefix="remove"))


@bp.route("/me/avatar/remove", methods=["POST"])
@creator_required
def remove_avatar():
    profile = my_profile()
    if profile is None:
        return _needs_profile()
    if EmptyForm().validate_on_submit() and profile.avatar:
        profiles.remove_avatar(profile)
        flash("Your profile photo is removed.", "info")
    return redirect(url_for("creators.edit_profile"))


@bp.route("/me/platforms", methods=["GET", "POST"])
@creator_required
def edit_platforms():
    profile = my_profile()
    if profile is None:
        return _needs_profile()
    form = PlatformsForm()
    if request.method == "GET":
        for account in profile.accounts:
            getattr(form, f"{account.platform}_handle").data = account.handle
            getattr(form, f"{account.platform}_followers").data = account.followers
            getattr(form, f"{account.platform}_avg_views").data = account.avg_views
            getattr(form, f"{account.platform}_engagement").data = account.engagement_rate
    if form.validate_on_submit():
        accounts = {
            slug: profiles.AccountInput(
                handle=getattr(form, f"{slug}_handle").data or "",
                followers=getattr(form, f"{slug}_followers").data,
                avg_views=getattr(form, f"{slug}_avg_views").data,
                engagement_rate=getattr(form, f"{slug}_engagement").data)
            for slug in taxonomy.PLATFORMS
        }
        try:
            profiles.save_platform_accounts(profile, accounts)
        except DomainError as exc:
            refused(form, exc)
        else:
            flash("Your platform accounts are saved.", "success")
            return redirect(url_for("creators.edit_platforms"))
    return render_section("creators/edit_platforms.html", profile, form=form)


@bp.route("/me/audience", methods=["GET", "POST"])
@creator_required
def edit_audience():
    profile = my_profile()
    if profile is None:
        return _needs_profile()
    form = AudienceForm()
    if request.method == "GET":
        _fill_audience(form, profile)
    if form.validate_on_submit():
        countries, error = _audience_countries(form)
        if error:
            getattr(form, error[0]).errors.append(error[1])
        else:
            try:
                profiles.save_audience(
                    profile, countries=countries,
                    ages={b: form[profiles.age_field(b)].data for b in taxonomy.AGE_BANDS},
                    gender={g: form[f"gender_{g}"].data for g in profiles.GENDERS})
            except DomainError as exc:
                refused(form, exc)
            else:
                flash("Your audience is saved.", "success")
                return redirect(url_for("creators.edit_audience"))
    return render_section("creators/edit_audience.html", profile, form=form)


def _fill_audience(form, profile: CreatorProfile) -> None:
    for i, row in enumerate(profile.audience_countries[:profiles.MAX_AUDIENCE_COUNTRIES], 1):
        form[f"country_{i}"].data, form[f"share_{i}"].data = row.country, row.share
    for band, share in (profile.audience_ages or {}).items():
        if band in taxonomy.AGE_BANDS:
            form[profiles.age_field(band)].data = share
    for gender, share in (profile.audience_gender or {}).items():
        if gender in profiles.GENDERS:
            form[f"gender_{gender}"].data = share


def _audience_countries(form) -> tuple[list[tuple[str, float]], tuple[str, str] | None]:
    """Filled country rows; a country without a share (or the reverse) is an error."""
    rows = []
    for i in range(1, profiles.MAX_AUDIENCE_COUNTRIES + 1):
        code, share = form[f"country_{i}"].data, form[f"share_{i}"].data
        if code and share is None:
            return [], (f"share_{i}", "Enter this country's share.")
        if share is not None and not code:
            return [], (f"country_{i}", "Choose the country for this share.")
        if code:
            rows.append((code, share))
    return rows, None


@bp.route("/me/samples", methods=["GET", "POST"])
@creator_required
def edit_samples():
    profile = my_profile()
    if profile is None:
        return _needs_profile()
    form = SamplesForm()
    if request.method == "GET":
        for i, sample in enumerate(profile.samples[:profiles.MAX_SAMPLES], 1):
            form[f"url_{i}"].data, form[f"caption_{i}"].data = sample.url, sample.caption
    if form.validate_on_submit():
        samples = [(form[f"url_{i}"].data, form[f"caption_{i}"].data or "")
                   for i in range(1, profiles.MAX_SAMPLES + 1) if form[f"url_{i}"].data]
        orphan = next((i for i in range(1, profiles.MAX_SAMPLES + 1)
                       if form[f"caption_{i}"].data and not form[f"url_{i}"].data), None)
        if orphan:
            form[f"url_{orphan}"].errors.append("Add the link this caption belongs to.")
        else:
            try:
                profiles.save_samples(profile, samples)
            except DomainError as exc:
                refused(form, exc)
            else:
                flash("Your sample posts are saved.", "success")
                return redirect(url_for("creators.edit_samples"))
    return render_section("creators/edit_samples.html", profile, form=form)
