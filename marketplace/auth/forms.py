from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from marketplace.services.accounts.users import MIN_PASSWORD

PASSWORD_RULE = Length(min=MIN_PASSWORD, max=200,
                       message=f"Use at least {MIN_PASSWORD} characters (at most 200).")


class SignupForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), PASSWORD_RULE])
    role = RadioField(
        "I am a", choices=[("brand", "Brand — I want to hire creators"),
                           ("creator", "Creator — I make short videos")],
        validators=[DataRequired(message="Choose brand or creator.")],
    )
    submit = SubmitField("Create account")


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Remember me")
    submit = SubmitField("Log in")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField("New password", validators=[DataRequired(), PASSWORD_RULE])
    confirm = PasswordField("Repeat new password",
                            validators=[DataRequired(), EqualTo("new_password",
                                                                message="Passwords differ.")])
    submit = SubmitField("Change password")


class ChangeEmailForm(FlaskForm):
    email = EmailField("New email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired()])
    submit = SubmitField("Change email")
