"""Invitations and offer threads: the brand invites a creator, either side counters, accepts or
declines the latest version."""


from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.access import brand_required
from marketplace.deals import bp
from marketplace.deals.forms import (
    InviteForm,
    TermsForm,
    offer_decline_form,
)
from marketplace.deals.helpers import (
    fill_terms,
    my_thread,
    refused,
    terms_from_form,
    until,
)
from marketplace.extensions import db
from marketplace.forms import EmptyForm, form_status
from marketplace.models import (
    Campaign,
    CampaignStatus,
    CreatorProfile,
    Deal,
    Side,
    ThreadStatus,
)
from marketplace.services.deals import offers
from marketplace.services.deals.parties import now_or, side_of
from marketplace.services.errors import DomainError


def _hire_again_source(brand, creator: CreatorProfile) -> Deal | None:
    """The brand's earlier deal named by ?again= (its terms prefill the form); 404 when it
    is not this brand's deal with this creator."""
    raw = request.args.get("again") or ""
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10 and int(raw) < 2**31) \
            or brand is None:
        abort(404)
    return db.first_or_404(select(Deal).where(Deal.id == int(raw), Deal.brand_id == brand.id,
                                              Deal.creator_id == creator.id))


@bp.route("/deals/invite", methods=["GET", "POST"])
@brand_required
def invite():
    """Invite a creator with a first offer; with ?again=<deal id> ("Hire again") the offer
    starts from that deal's terms, on any open campaign the brand picks."""
    brand = current_user.brand
    creator = db.first_or_404(select(CreatorProfile).where(
        CreatorProfile.handle == (request.args.get("creator") or "")))
    again = _hire_again_source(brand, creator)
    campaigns = list(db.session.scalars(select(Campaign).where(
        Campaign.brand_id == (brand.id if brand else -1), Campaign.status == CampaignStatus.OPEN)
        .options(selectinload(Campaign.deliverables)).order_by(Campaign.created_at.desc())))
    form = InviteForm()
    form.campaign.choices = [(c.id, c.title) for c in campaigns]
    if again:
        form.campaign.description = "Any of your open campaigns: the same one or another."
    if not campaigns:
        return render_template("deals/invite.html", form=form, creator=creator, campaigns=[],
                               again=again)
    wanted = request.args.get("campaign", type=int) or (again.campaign_id if again else None)
    chosen = next((c for c in campaigns if c.id == wanted), campaigns[0])
    if request.method == "GET":
        form.campaign.data = chosen.id
        fill_terms(form, offers.OfferTerms.from_deal(again, chosen, now_or(None).date())
                   if again else offers.OfferTerms.from_campaign(chosen))
    elif form.validate_on_submit():
        campaign = next((c for c in campaigns if c.id == form.campaign.data), None)
        if campaign is None:
            form.campaign.errors = [*form.campaign.errors, "Choose one of your open campaigns."]
        else:
            try:
                terms = terms_from_form(form, campaign.currency)
                thread = offers.invite(current_user, campaign, creator, terms)
            except ValueError:
                pass
            except DomainError as exc:
                if not refused(form, exc):
                    form.campaign.errors = [*form.campaign.errors, exc.message]
            else:
                flash(f"Invitation sent to {creator.display_name}.", "success")
                return redirect(url_for("deals.thread", thread_id=thread.id))
    return (render_template("deals/invite.html", form=form, creator=creator,
                            campaigns=campaigns, again=again), form_status(form))


@bp.route("/deals/offers/<int:thread_id>")
@login_required
def thread(thread_id: int):
    thread = my_thread(thread_id)
    side = side_of(current_user, thread.brand_id, thread.creator_id)
    versions = thread.versions
    rows = [(v, offers.term_rows(v), offers.diff_versions(versions[i - 1] if i else None, v))
            for i, v in enumerate(versions)]
    my_turn = (thread.status == ThreadStatus.OPEN and thread.latest_author_side != side)
    counter_form = TermsForm()
    if thread.latest is not None:
        fill_terms(counter_form, offers.OfferTerms.from_version(thread.latest))
    other = thread.creator.user if side == Side.BRAND else thread.brand.user
    return render_template(
        "deals/thread.html", thread=thread, rows=rows, side=side, my_turn=my_turn,
        counter_form=counter_form, decline_form=offer_decline_form(), form=EmptyForm(),
        conversation_url=url_for("messages.conversation_with", user_id=other.id),
        expired=thread.expires_at is not None and thread.expires_at <= now_or(None), until=until)


@bp.route("/deals/offers/<int:thread_id>/accept", methods=["POST"])
@login_required
def accept_offer(thread_id: int):
    thread = my_thread(thread_id)
    if EmptyForm().validate_on_submit():
        deal = offers.accept(current_user, thread)
        flash("Offer accepted: the deal is agreed. The brand funds it next.", "success")
        return redirect(url_for("deals.detail", deal_id=deal.id))
    return redirect(url_for("deals.thread", thread_id=thread.id))


@bp.route("/deals/offers/<int:thread_id>/counter", methods=["POST"])
@login_required
def counter_offer(thread_id: int):
    thread = my_thread(thread_id)
    form = TermsForm()
    if form.validate_on_submit():
        try:
            terms = terms_from_form(form, thread.campaign.currency)
            offers.counter(current_user, thread, terms)
        except ValueError:
            pass
        except DomainError as exc:
            if not refused(form, exc):
                flash(exc.message, "danger")
                return redirect(url_for("deals.thread", thread_id=thread.id))
        else:
            flash("Counter-offer sent.", "success")
            return redirect(url_for("deals.thread", thread_id=thread.id))
    return render_template("deals/offer_form.html", form=form, campaign=thread.campaign,
                           creator=thread.creator, title="Counter-offer",
                           action=url_for("deals.counter_offer", thread_id=thread.id)), 400


@bp.route("/deals/offers/<int:thread_id>/decline", methods=["POST"])
@login_required
def decline_offer(thread_id: int):
    thread = my_thread(thread_id)
    form = offer_decline_form()
    if form.validate_on_submit():
        offers.decline(current_user, thread, form.reason.data or "", form.note.data or "")
        flash("Offer declined.", "success")
    return redirect(url_for("deals.thread", thread_id=thread.id))


@bp.route("/deals/offers/<int:thread_id>/withdraw", methods=["POST"])
@brand_required
def withdraw_offer(thread_id: int):
    thread = my_thread(thread_id)
    if EmptyForm().validate_on_submit():
        offers.withdraw(current_user, thread)
        flash("Offer withdrawn.", "success")
    return redirect(url_for("deals.thread", thread_id=thread.id))
