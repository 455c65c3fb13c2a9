from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import Length, Optional, Regexp

NEW_CARD = "new"


class PayForm(FlaskForm):
    """Only the card: the amount always comes from the deal on the server. `card_choice` is
    the radio the brand picked (a saved card's id, or "new"); for a new card the browser puts
    the PaymentMethod it created in `payment_method`."""

    card_choice = HiddenField("Pay with", validators=[
        Optional(), Length(max=64), Regexp(r"^(new|pm_\w+)$", message="Choose a card.")])
    payment_method = HiddenField("Card", validators=[
        Optional(), Length(max=64, message="Choose a saved card or add a new one.")])

    def chosen_payment_method(self, saved_ids: set[str]) -> str | None:
        """The card to charge: the saved card the radio names, else the new card's
        PaymentMethod. None (with an error on the field) when nothing usable was chosen."""
        choice = self.card_choice.data or NEW_CARD
        if choice != NEW_CARD:
            if choice in saved_ids:
                return choice
            self.payment_method.errors = ["Choose one of your saved cards or add a new one."]
            return None
        if not self.payment_method.data:
            self.payment_method.errors = ["Enter your card details, or choose a saved card."]
            return None
        return self.payment_method.data


class BonusForm(FlaskForm):
    """A thank-you bonus: amount (parsed by `parse_money`), a note, one of the saved cards."""

    amount = StringField("Bonus", validators=[Length(max=32)],
                         description="What the creator is given, before Duet's fee.")
    note = TextAreaField("Note to the creator (optional)", validators=[Optional(),
                                                                        Length(max=500)])
    card = RadioField("Pay with", choices=[], validate_choice=False)
    token = HiddenField(validators=[Length(max=64)])
