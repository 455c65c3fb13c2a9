from flask_wtf import FlaskForm
from wtforms import SelectMultipleField

from marketplace.models.notification import KINDS


class PreferencesForm(FlaskForm):
    email_kinds = SelectMultipleField("E-mail me when…", choices=list(KINDS.items()),
                                      description="In-app notifications always appear; "
                                                  "these choose which also arrive by e-mail.")
