from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField

from marketplace.models.review import MAX_COMMENT

STARS = [(str(n), f"{n} ★") for n in range(1, 6)]


class ReviewForm(FlaskForm):
    # Checked by the service (one place for the rule), so bad values get its clear message.
    rating = RadioField("Rating", choices=STARS, validate_choice=False)
    comment = TextAreaField("Comment", render_kw={"rows": 5, "maxlength": MAX_COMMENT},
                            description=f"Optional, up to {MAX_COMMENT} characters. Hidden until "
                                        "the other side has reviewed too or the window closes.")
