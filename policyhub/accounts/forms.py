"""Sign-in, registration, membership and token forms."""
from __future__ import annotations

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField

from policyhub.forms import Form


class LoginForm(Form):
    email = EmailField("Email")
    password = PasswordField("Password")
    remember = BooleanField("Keep me signed in on this device")
    next = HiddenField()


class RegisterForm(Form):
    email = EmailField("Email")
    name = StringField("Display name", description="Shown beside everything you write.")
    password = PasswordField("Password", description="At least 12 characters. A few unrelated words work well.")


class MembershipForm(Form):
    party = SelectField("Party", choices={})


class TokenForm(Form):
    label = StringField("Label", description="What the token is for, e.g. 'campaign site sync'.")
