from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length


class PayForm(FlaskForm):
    """Only the card: the amount always comes from the deal on the server."""

    payment_method = HiddenField("Card", validators=[
        DataRequired("Choose a saved card or add a new one."), Length(max=64)])
