"""Sign-in, registration, password, membership and token forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField

from policyhub.forms import Form


class LoginForm(Form):
    email = EmailField(_l("Email"))
    password = PasswordField(_l("Password"))
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()


PASSWORD_HINT = _l("At least 12 characters. A few unrelated words work well.")


class RegisterForm(Form):
    email = EmailField(_l("Email"), description=_l("We send a link to this address to finish creating your account."))
    name = StringField(_l("Display name"), description=_l("Shown beside everything you write."))
    password = PasswordField(_l("Password"), description=PASSWORD_HINT)


class ForgotPasswordForm(Form):
    email = EmailField(_l("Email"), description=_l("The address you registered with."))


class ResetPasswordForm(Form):
    password = PasswordField(_l("New password"), description=PASSWORD_HINT)


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"))
    new_password = PasswordField(_l("New password"), description=PASSWORD_HINT)


class MembershipForm(Form):
    party = SelectField(_l("Party"), choices={})


class TokenForm(Form):
    label = StringField(_l("Label"), description=_l("What the token is for, e.g. 'campaign site sync'."))
