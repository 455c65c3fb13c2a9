"""Forms for the creator's own profile sections and rate card.

Field names match the `field=` the profile service names in its errors, so a refusal from
the service lands beside the right input (see marketplace.forms.apply_domain_error).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from marketplace import taxonomy
from marketplace.money import to_cents
from marketplace.services.accounts.profiles import (
    GENDERS,
    MAX_AUDIENCE_COUNTRIES,
    MAX_COUNT,
    MAX_NICHES,
    MAX_PRICE_CENTS,
    MAX_SAMPLES,
    age_field,
)

HANDLE_HELP = ("3-30 lowercase letters, digits, '_' or '.'. "
               "Your page will be /creators/your_handle.")
HANDLE_RULES = [
    DataRequired(),
    Length(min=3, max=30),
    Regexp(r"^[A-Za-z0-9_.]+$", message="Use only letters, digits, '_' or '.'."),
]
BLANK = [("", "—")]


def country_choices() -> list[tuple[str, str]]:
    return BLANK + taxonomy.choices(taxonomy.COUNTRIES)


class CreatorBasicsForm(FlaskForm):
    display_name = StringField("Display name", validators=[DataRequired(), Length(max=80)])
    handle = StringField("Handle", validators=HANDLE_RULES, description=HANDLE_HELP)
    bio = TextAreaField("Bio", validators=[Optional(), Length(max=1000)],
                        description="Up to 1,000 characters: who you are and what you make.",
                        render_kw={"rows": 5})
    avatar = FileField("Profile photo", description="PNG, JPEG or WebP, up to 5 MB.",
                       render_kw={"accept": "image/png,image/jpeg,image/webp"})
    country = SelectField("Country", choices=country_choices(), validators=[Optional()])
    languages = SelectMultipleField("Languages", choices=taxonomy.choices(taxonomy.LANGUAGES),
                                    validators=[Optional()])
    niches = SelectMultipleField("Niches", choices=taxonomy.choices(taxonomy.NICHES),
                                 description=f"Pick 1 to {MAX_NICHES}.")
    submit = SubmitField("Save profile")

    def validate_niches(self, field):
        if not 1 <= len(field.data or []) <= MAX_NICHES:
            raise ValidationError(f"Choose between 1 and {MAX_NICHES} niches.")


def _platforms_form() -> type[FlaskForm]:
    """One handle/followers/views/engagement row per platform, with flat field names."""
    attrs = {"submit": SubmitField("Save accounts")}
    for slug, label in taxonomy.PLATFORMS.items():
        attrs[f"{slug}_handle"] = StringField(f"{label} handle",
                                              validators=[Optional(), Length(max=64)],
                                              render_kw={"placeholder": "@yourname"})
        attrs[f"{slug}_followers"] = IntegerField(
            "Followers", validators=[Optional(), NumberRange(min=0, max=MAX_COUNT)])
        attrs[f"{slug}_avg_views"] = IntegerField(
            "Average views", validators=[Optional(), NumberRange(min=0, max=MAX_COUNT)])
        attrs[f"{slug}_engagement"] = FloatField(
            "Engagement rate %", validators=[Optional(), NumberRange(min=0, max=100)])
    return type("PlatformsForm", (FlaskForm,), attrs)


PlatformsForm = _platforms_form()


def _audience_form() -> type[FlaskForm]:
    attrs = {"submit": SubmitField("Save audience")}
    for i in range(1, MAX_AUDIENCE_COUNTRIES + 1):
        attrs[f"country_{i}"] = SelectField(f"Country {i}", choices=country_choices(),
                                            validators=[Optional()])
        attrs[f"share_{i}"] = FloatField("Share %",
                                         validators=[Optional(), NumberRange(min=0, max=100)])
    for band in taxonomy.AGE_BANDS:
        attrs[age_field(band)] = FloatField(band, validators=[Optional(),
                                                               NumberRange(min=0, max=100)])
    for gender in GENDERS:
        attrs[f"gender_{gender}"] = FloatField(gender.title(), validators=[
            Optional(), NumberRange(min=0, max=100)])
    return type("AudienceForm", (FlaskForm,), attrs)


AudienceForm = _audience_form()


def _samples_form() -> type[FlaskForm]:
    attrs = {"submit": SubmitField("Save samples")}
    for i in range(1, MAX_SAMPLES + 1):
        attrs[f"url_{i}"] = URLField(f"Link {i}", validators=[Optional(), Length(max=500)],
                                     render_kw={"placeholder": "https://www.tiktok.com/@you/video/…"})
        attrs[f"caption_{i}"] = StringField("Caption", validators=[Optional(), Length(max=300)])
    return type("SamplesForm", (FlaskForm,), attrs)


SamplesForm = _samples_form()


class PackageForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=120)],
                        render_kw={"placeholder": "1 TikTok video, 30-60 s"})
    platform = SelectField("Platform", choices=taxonomy.choices(taxonomy.PLATFORMS))
    deliverable_type = SelectField("Deliverable",
                                   choices=taxonomy.choices(taxonomy.DELIVERABLE_TYPES))
    price = StringField("Price", validators=[DataRequired(), Length(max=20)],
                        render_kw={"placeholder": "250.00", "inputmode": "decimal"})
    currency = SelectField("Currency", choices=list(taxonomy.CURRENCIES))
    turnaround_days = IntegerField("Turnaround (days)", default=7,
                                   validators=[InputRequired(), NumberRange(min=1, max=90)])
    revisions = IntegerField("Revisions included", default=1,
                             validators=[InputRequired(), NumberRange(min=0, max=10)])
    usage_rights = SelectField("Usage rights", choices=taxonomy.choices(taxonomy.USAGE_RIGHTS))
    description = TextAreaField("Description", validators=[Optional(), Length(max=500)],
                                render_kw={"rows": 3})
    submit = SubmitField("Save package")

    price_cents: int | None = None

    def validate_price(self, field):
        try:
            cents = to_cents(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        if not 0 < cents <= MAX_PRICE_CENTS:
            raise ValidationError("Enter a price above 0 and at most 1,000,000.00.")
        self.price_cents = cents
