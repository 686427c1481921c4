"""The base of every HTML form: Flask-WTF for CSRF, domain errors mapped back onto fields.

Rules live in the services; a form only carries values and shows the errors a service raised.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm

from policyhub.errors import Invalid, N_
from policyhub.i18n import translated
from policyhub.request_checks import invalid_utf8_fields

# English, as tests compare it; translated where it is shown.
EXPIRED_MESSAGE = N_("Your session expired before this form was sent, so nothing was saved. "
                     "Everything you typed is still here: check it and send it again.")


class Form(FlaskForm):
    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        bad = invalid_utf8_fields()
        for name in bad:
            field = self._fields.get(name)
            message = _("This contained bytes that are not valid UTF-8 (shown as \ufffd). Correct it and send again.")
            if field is not None:
                field.errors = [*field.errors, message]
            else:
                self.form_errors.append(message)
        if "csrf_token" in self.errors:
            self.form_errors.append(_(EXPIRED_MESSAGE))
        return valid and not bad

    def apply(self, error: Invalid) -> None:
        """Show a service's field errors on the matching fields, the rest above the form, in the reader's
        language where the catalogue has the message (services write English, marked with N_)."""
        for name, message in error.fields.items():
            field = self._fields.get(name)
            if field is not None:
                field.errors = [*field.errors, translated(message)]
            else:
                self.form_errors.append(translated(message))
        if not error.fields:
            self.form_errors.append(translated(error.message))
