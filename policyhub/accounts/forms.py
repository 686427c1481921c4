"""Sign-in, registration, password, membership and token forms."""
from __future__ import annotations

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField

from policyhub.forms import Form


class LoginForm(Form):
    email = EmailField("Email")
    password = PasswordField("Password")
    remember = BooleanField("Keep me signed in on this device")
    next = HiddenField()


PASSWORD_HINT = "At least 12 characters. A few unrelated words work well."


class RegisterForm(Form):
    email = EmailField("Email", description="We send a link to this address to finish creating your account.")
    name = StringField("Display name", description="Shown beside everything you write.")
    password = PasswordField("Password", description=PASSWORD_HINT)


class ForgotPasswordForm(Form):
    email = EmailField("Email", description="The address you registered with.")


class ResetPasswordForm(Form):
    password = PasswordField("New password", description=PASSWORD_HINT)


class ChangePasswordForm(Form):
    current_password = PasswordField("Current password")
    new_password = PasswordField("New password", description=PASSWORD_HINT)


class MembershipForm(Form):
    party = SelectField("Party", choices={})


class TokenForm(Form):
    label = StringField("Label", description="What the token is for, e.g. 'campaign site sync'.")
