"""Forms of the deals area. Business rules live in the services; the forms only shape input
(field names match the `field=` of the services' DomainErrors, so errors land beside them)."""

from __future__ import annotations

import re
from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import DateField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace import taxonomy
from marketplace.models.application import DECLINE_REASON_LABELS
from marketplace.services.deals.applications import BRAND_DECLINE_REASONS
from marketplace.services.deals.offers import OFFER_DECLINE_REASONS

DELIVERABLE_ROWS = 3
WATCH_SECONDS = re.compile(r"\d{1,6}(?:[.,]\d{1,3})?")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ApplyForm(FlaskForm):
    pitch = TextAreaField("Your pitch", description="20-2000 characters: your idea for this "
                          "campaign and why your audience fits.")
    package_ids = MultiCheckboxField("Packages from your rate card", coerce=int,
                                     validate_choice=False)
    proposed_price = StringField("Custom price (optional)",
                                 description="Leave empty to propose the packages' total.")


class DeliverableRow(Form):
    platform = SelectField("Platform", choices=[("", "—"), *taxonomy.choices(taxonomy.PLATFORMS)],
                           validate_choice=False)
    deliverable_type = SelectField("Content", choices=[
        ("", "—"), *taxonomy.choices(taxonomy.DELIVERABLE_TYPES)], validate_choice=False)
    quantity = StringField("Qty")


class TermsForm(FlaskForm):
    price = StringField("Price", validators=[InputRequired("Enter a price.")])
    deliverables = FieldList(FormField(DeliverableRow), "Deliverables",
                             min_entries=DELIVERABLE_ROWS, max_entries=10)
    content_due = DateField("Content due", validators=[InputRequired("Enter a due date.")])
    usage_rights = SelectField("Usage rights", choices=taxonomy.choices(taxonomy.USAGE_RIGHTS),
                               validate_choice=False)
    revisions_included = IntegerField("Revisions included", default=1, validators=[
        InputRequired("Enter a number from 0 to 10."),
        NumberRange(0, 10, "Enter a number from 0 to 10.")])
    message = TextAreaField("Message", validators=[Optional()])


class InviteForm(TermsForm):
    campaign = SelectField("Campaign", coerce=int, validate_choice=False)


class DeclineForm(FlaskForm):
    reason = SelectField("Reason", validate_choice=False)
    note = TextAreaField("Note (optional)", validators=[Optional()])


def application_decline_form(**kw) -> DeclineForm:
    form = DeclineForm(**kw)
    form.reason.choices = [("", "Choose a reason…")] + [
        (r.value, DECLINE_REASON_LABELS[r.value]) for r in BRAND_DECLINE_REASONS]
    return form


def offer_decline_form(**kw) -> DeclineForm:
    form = DeclineForm(**kw)
    form.reason.choices = [("", "Choose a reason…")] + [
        (r.value, DECLINE_REASON_LABELS[r.value]) for r in OFFER_DECLINE_REASONS]
    return form


class SubmitWorkForm(FlaskForm):
    post_links = TextAreaField("Post links", description="One link per line (1-6): the "
                               "published posts, or a private preview link.")
    caption = TextAreaField("Caption", description="Exactly as posted; the brief checklist "
                            "reads it.")
    notes = TextAreaField("Notes for the brand (optional)", validators=[Optional()])
    draft = FileField("Draft file (optional)", description="MP4, MOV, WebM video or PNG, "
                      "JPEG, WebP image.")
    keep_draft = BooleanField("Keep the draft of the previous version", default=True)


# One "Submit without it" box and one reason per brief item, named by the item's key. Only the
# keys of the deal's own checklist are read back, so unknown fields have no effect.
ACK_FIELD, REASON_FIELD = "ack-", "ack-reason-"


def read_acknowledgements(formdata: MultiDict, keys: list[str]) -> dict[str, str]:
    """{item key: reason} for each ticked item (the reason may be empty: the service says so)."""
    return {key: formdata.get(REASON_FIELD + key, "") for key in keys
            if formdata.get(ACK_FIELD + key)}


class NoteForm(FlaskForm):
    note = TextAreaField("Note", validators=[Optional()])


class DisputeResponseForm(FlaskForm):
    statement = TextAreaField("Your statement")


class ResolveForm(FlaskForm):
    outcome = RadioField("Decision", choices=[
        ("release", "Release: pay the creator in full"),
        ("refund", "Refund: return the money to the brand"),
        ("split", "Split: part to each side")], validate_choice=False)
    creator_amount = StringField("Creator gets (split)", validators=[Optional()])
    brand_refund = StringField("Brand gets back (split)", validators=[Optional()])
    note = TextAreaField("Explanation to both sides")


class ExtendDueDateForm(FlaskForm):
    """The brand gives the creator more time (rules: state_machine's extend_due_date)."""
    content_due = DateField("New due date", validators=[InputRequired("Choose the new due date.")])


class PostLinkForm(FlaskForm):
    """The live address of one posted deliverable (the service checks platform and handle)."""

    url = StringField("Live post link",
                      validators=[Optional(), Length(max=500)],
                      description="The address of the post on your own account.")


class MetricReportForm(FlaskForm):
    """The creator's own numbers for a post, with the screenshot they come from. An empty
    number stays missing (never 0)."""

    views = IntegerField("Views", validators=[Optional(), NumberRange(0, 10**12)])
    likes = IntegerField("Likes", validators=[Optional(), NumberRange(0, 10**12)])
    comments = IntegerField("Comments", validators=[Optional(), NumberRange(0, 10**12)])
    shares = IntegerField("Shares", validators=[Optional(), NumberRange(0, 10**12)])
    saves = IntegerField("Saves", validators=[Optional(), NumberRange(0, 10**12)])
    # Seconds as the apps show them ("8.4"); only video posts ask for it.
    avg_watch_time = StringField("Avg. watch time (seconds)",
                                 validators=[Optional(), Length(max=12)])
    screenshot = FileField("Screenshot of the numbers")

    def validate_avg_watch_time(self, field) -> None:
        if field.data and not WATCH_SECONDS.fullmatch(field.data.strip()):
            raise ValidationError("Enter seconds such as 8 or 8.4.")

    def numbers(self) -> dict[str, int | None]:
        numbers = {name: self[name].data for name in ("views", "likes", "comments", "shares",
                                                      "saves")}
        raw = (self.avg_watch_time.data or "").strip().replace(",", ".")
        numbers["avg_watch_time_ms"] = round(Decimal(raw) * 1000) if raw else None
        return numbers


class UsageCodeForm(FlaskForm):
    """A paid-usage code from the creator (the service checks the rules)."""

    platform = SelectField("Platform", choices=[("tiktok", "TikTok: Spark Ads code"),
                                                ("instagram", "Instagram: partnership ad")])
    code = StringField("Code", validators=[Optional(), Length(max=200)],
                       description="TikTok: the authorization code from the post's ad settings. "
                                   "Instagram: leave empty once you granted the permission in "
                                   "the app.")
    expires_on = DateField("Authorization ends on", validators=[Optional()])
