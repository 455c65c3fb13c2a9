"""The brand's own profile form; field names match the profile service's error fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, SubmitField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from marketplace import taxonomy


class BrandProfileForm(FlaskForm):
    company_name = StringField("Company name", validators=[DataRequired(), Length(max=120)])
    handle = StringField(
        "Handle",
        validators=[DataRequired(), Length(min=3, max=30),
                    Regexp(r"^[A-Za-z0-9_.]+$", message="Use only letters, digits, '_' or '.'.")],
        description="3-30 lowercase letters, digits, '_' or '.'. Your page will be "
                    "/brands/your_handle.")
    website = URLField("Website", validators=[Optional(), Length(max=300)],
                       render_kw={"placeholder": "https://yourbrand.com"})
    industry = SelectField("Industry", choices=taxonomy.choices(taxonomy.INDUSTRIES),
                           default="other")
    logo = FileField("Logo", description="PNG, JPEG or WebP, up to 5 MB.",
                     render_kw={"accept": "image/png,image/jpeg,image/webp"})
    description = TextAreaField("About the brand", validators=[Optional(), Length(max=2000)],
                                description="Up to 2,000 characters.", render_kw={"rows": 6})
    country = SelectField("Country", choices=[("", "—")] + taxonomy.choices(taxonomy.COUNTRIES),
                          validators=[Optional()])
    submit = SubmitField("Save brand profile")


class BillingForm(FlaskForm):
    """What the brand's invoices print (services.payments.invoices.save_billing_details)."""

    billing_name = StringField("Legal name on invoices", validators=[Optional(), Length(max=120)],
                               description="Leave empty to use your company name.")
    billing_address = TextAreaField("Billing address", validators=[Optional(), Length(max=500)],
                                    render_kw={"rows": 4,
                                               "placeholder": "Street\nPostcode City\nCountry"})
    tax_id = StringField("Tax / VAT id", validators=[Optional(), Length(max=40)],
                         render_kw={"placeholder": "e.g. DE123456789"})
    submit = SubmitField("Save billing details")
