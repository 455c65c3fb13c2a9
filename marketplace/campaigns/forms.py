"""The campaign form: field-level checks here, business rules again in services.campaigns."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from marketplace import taxonomy
from marketplace.models import Campaign
from marketplace.money import to_cents
from marketplace.services.campaigns import lifecycle as svc
from marketplace.services.campaigns.lifecycle import CampaignData, DeliverableRow

BLANK = [("", "—")]


class DeliverableForm(Form):
    """One optional row; a row counts once platform, type and quantity are all filled in."""

    platform = SelectField("Platform", choices=BLANK + taxonomy.choices(taxonomy.PLATFORMS),
                           default="")
    deliverable_type = SelectField(
        "Type", choices=BLANK + taxonomy.choices(taxonomy.DELIVERABLE_TYPES), default="")
    quantity = IntegerField("Quantity", validators=[
        Optional(), NumberRange(svc.QUANTITY_MIN, svc.QUANTITY_MAX,
                                message="Quantity must be 1-20.")])

    def is_blank(self) -> bool:
        return not (self.platform.data or self.deliverable_type.data
                    or _raw_present(self.quantity))

    def is_complete(self) -> bool:
        return bool(self.platform.data and self.deliverable_type.data
                    and self.quantity.data is not None)


def _raw_present(field) -> bool:
    return bool(field.raw_data and str(field.raw_data[0]).strip())


class MoneyField(StringField):
    """An amount in major units ("1,250.50"); `cents` holds the parsed value or None."""

    cents: int | None = None

    def pre_validate(self, form) -> None:
        self.cents = None
        text = (self.data or "").strip()
        if not text:
            raise ValidationError("Enter an amount.")
        try:
            cents = to_cents(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        if cents <= 0:
            raise ValidationError("Enter an amount above zero.")
        if cents > svc.BUDGET_MAX_CENTS:
            raise ValidationError("The most a campaign can offer is 1,000,000.00.")
        self.cents = cents


def _count_between(low: int, high: int, noun: str, plural: str):
    def check(form, field) -> None:
        n = len(set(field.data or []))
        if n < low:
            raise ValidationError(f"Pick at least {low} {noun if low == 1 else plural}.")
        if n > high:
            raise ValidationError(f"Pick at most {high} {plural}.")
    return check


def _tokens(prefix: str):
    def check(form, field) -> None:
        try:
            svc.parse_tokens(field.data or "", prefix, field.name)
        except svc.DomainError as exc:
            raise ValidationError(exc.message) from exc
    return check


class CampaignForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Give the campaign a title."),
                                             Length(max=svc.TITLE_MAX)])
    brief = TextAreaField(
        "Brief", validators=[DataRequired("Write a short brief."),
                             Length(svc.BRIEF_MIN, svc.BRIEF_MAX)],
        description="What the video should show, the tone, and anything to avoid.")
    deliverables = FieldList(FormField(DeliverableForm), min_entries=svc.MAX_DELIVERABLE_ROWS,
                             max_entries=svc.MAX_DELIVERABLE_ROWS)
    niches = SelectMultipleField("Niches", choices=taxonomy.choices(taxonomy.NICHES),
                                 validators=[_count_between(svc.NICHES_MIN, svc.NICHES_MAX,
                                                            "niche", "niches")])
    countries = SelectMultipleField(
        "Audience or creator in", choices=taxonomy.choices(taxonomy.COUNTRIES),
        validators=[_count_between(0, svc.COUNTRIES_MAX, "country", "countries")],
        description=f"A creator qualifies if they are based in one of these countries or at "
                    f"least {svc.AUDIENCE_SHARE_MIN_PERCENT}% of their audience is there. "
                    f"Leave empty to accept creators from anywhere.")
    creator_in_country = BooleanField(
        "Creator must be based in one of these countries",
        description="Tick to leave out creators who qualify only through their audience.")
    platforms = SelectMultipleField("Platforms", choices=taxonomy.choices(taxonomy.PLATFORMS),
                                    validators=[_count_between(1, 3, "platform", "platforms")])
    min_followers = IntegerField(
        "Minimum followers", default=0,
        validators=[Optional(), NumberRange(0, svc.FOLLOWERS_MAX,
                                            message="Enter 0 to 100,000,000.")])
    budget_min = MoneyField("Budget per creator: from", description="In the currency below.")
    budget_max = MoneyField("up to")
    currency = SelectField("Currency", choices=[(c, c) for c in taxonomy.CURRENCIES],
                           default="USD")
    creators_wanted = IntegerField(
        "Creators wanted", default=1,
        validators=[InputRequired("How many creators do you want?"),
                    NumberRange(svc.CREATORS_WANTED_MIN, svc.CREATORS_WANTED_MAX,
                                message="Ask for 1-100 creators.")])
    application_deadline = DateField(
        "Application deadline", validators=[InputRequired("Pick a date.")])
    content_due = DateField("Content due", validators=[InputRequired("Pick a date.")])
    usage_rights = SelectField("Usage rights", choices=taxonomy.choices(taxonomy.USAGE_RIGHTS),
                               default="organic")
    required_disclosure = SelectField("Required disclosure",
                                      choices=taxonomy.choices(svc.DISCLOSURES), default="#ad")
    live_days = IntegerField(
        "Posts stay up for (days)", default=svc.LIVE_DAYS_DEFAULT,
        validators=[Optional(), NumberRange(svc.LIVE_DAYS_MIN, svc.LIVE_DAYS_MAX,
                                            message="Between 1 and 365 days.")],
        description="A post taken down sooner is flagged to you and the creator.")
    required_hashtags = StringField(
        "Required hashtags", validators=[Length(max=300), _tokens("#")],
        description="Up to 10, separated by spaces or commas, e.g. #glowup #spf")
    required_mentions = StringField(
        "Required @mentions", validators=[Length(max=300), _tokens("@")],
        description="Up to 10, e.g. @ourbrand")
    submit = SubmitField("Save campaign")

    def validate_deliverables(self, field) -> None:
        rows = [entry.form for entry in field.entries]
        if any(not row.is_blank() and not row.is_complete() for row in rows):
            raise ValidationError("Fill in platform, type and quantity for each deliverable "
                                  "(or leave the whole row empty).")
        if not any(row.is_complete() for row in rows):
            raise ValidationError("Add at least one deliverable.")

    def validate_budget_max(self, field) -> None:
        low, high = self.budget_min.cents, field.cents
        if low is not None and high is not None and low > high:
            raise ValidationError("The maximum must be at least the minimum.")

    def validate(self, extra_validators=None) -> bool:
        """Field checks first; then the date rules, which involve two fields and today."""
        valid = super().validate(extra_validators)
        deadline, due = self.application_deadline.data, self.content_due.data
        if deadline and due and not self.application_deadline.errors \
                and not self.content_due.errors:
            try:
                svc.check_dates(deadline, due)
            except svc.DomainError as exc:
                self._fields[exc.field].errors.append(exc.message)
                return False
        return valid

    def to_data(self) -> CampaignData:
        """The validated form as plain values for the service."""
        rows = [entry.form for entry in self.deliverables.entries]
        return CampaignData(
            title=self.title.data.strip(),
            brief=self.brief.data.strip(),
            deliverables=[DeliverableRow(r.platform.data, r.deliverable_type.data,
                                         r.quantity.data) for r in rows if r.is_complete()],
            niches=list(self.niches.data or []),
            countries=list(self.countries.data or []),
            creator_in_country=bool(self.creator_in_country.data),
            platforms=list(self.platforms.data or []),
            min_followers=self.min_followers.data or 0,
            budget_min_cents=self.budget_min.cents,
            budget_max_cents=self.budget_max.cents,
            currency=self.currency.data,
            creators_wanted=self.creators_wanted.data,
            application_deadline=self.application_deadline.data,
            content_due=self.content_due.data,
            usage_rights=self.usage_rights.data,
            required_disclosure=self.required_disclosure.data,
            live_days=self.live_days.data or svc.LIVE_DAYS_DEFAULT,
            required_hashtags=svc.parse_tokens(self.required_hashtags.data or "", "#",
                                               "required_hashtags"),
            required_mentions=svc.parse_tokens(self.required_mentions.data or "", "@",
                                               "required_mentions"),
        )


def form_data_for(campaign: Campaign) -> dict:
    """Initial values for editing an existing campaign."""
    return {
        "title": campaign.title,
        "brief": campaign.brief,
        "deliverables": [{"platform": d.platform, "deliverable_type": d.deliverable_type,
                          "quantity": d.quantity} for d in campaign.deliverables],
        "niches": list(campaign.niches),
        "countries": list(campaign.countries),
        "creator_in_country": campaign.creator_in_country,
        "platforms": list(campaign.platforms),
        "min_followers": campaign.min_followers,
        "budget_min": _major(campaign.budget_min_cents),
        "budget_max": _major(campaign.budget_max_cents),
        "currency": campaign.currency,
        "creators_wanted": campaign.creators_wanted,
        "application_deadline": campaign.application_deadline,
        "content_due": campaign.content_due,
        "usage_rights": campaign.usage_rights,
        "required_disclosure": campaign.required_disclosure,
        "live_days": campaign.live_days,
        "required_hashtags": campaign.required_hashtags,
        "required_mentions": campaign.required_mentions,
    }


def _major(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"
