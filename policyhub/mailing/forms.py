"""The account page's mail preferences form: one choice per kind of event."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField

from policyhub.forms import Form
from policyhub.mailing.models import CADENCES, EVENT_KINDS
from policyhub.mailing.preferences import CADENCE_LABELS, KIND_LABELS

_CHOICES = [SelectChoice(cadence, CADENCE_LABELS[cadence]) for cadence in CADENCES]

# Kinds that concern only some people: shown to them alone (anyone may still store a choice for them).
ONLY_FOR = {"stale": "lead", "red_line": "member"}


class MailPreferencesForm(Form):
    """Field names are the event kinds. Unknown values are left to the service, which names the field."""

    revision = SelectField(KIND_LABELS["revision"], choices=_CHOICES, validate_choice=False)
    amendment = SelectField(KIND_LABELS["amendment"], choices=_CHOICES, validate_choice=False)
    decision = SelectField(KIND_LABELS["decision"], choices=_CHOICES, validate_choice=False)
    comment = SelectField(KIND_LABELS["comment"], choices=_CHOICES, validate_choice=False)
    stale = SelectField(KIND_LABELS["stale"], choices=_CHOICES, validate_choice=False,
                        description=_l("When text your party endorsed changes in substance."))
    red_line = SelectField(KIND_LABELS["red_line"], choices=_CHOICES, validate_choice=False,
                           description=_l("When a clause your party marked as a red line changes."))

    def kinds_for(self, user: Any) -> list[str]:
        """The kinds this person is offered, in order."""
        shown = []
        for kind in EVENT_KINDS:
            role = ONLY_FOR.get(kind)
            if role == "lead" and not getattr(user, "is_lead", False):
                continue
            if role == "member" and not getattr(user, "is_member", False):
                continue
            shown.append(kind)
        return shown

    def choices_for(self, user: Any) -> dict[str, object]:
        """What was sent for the kinds this person is offered (the others are not on their form)."""
        # A kind missing from what was sent keeps its cadence; one sent empty is the service's to refuse.
        return {kind: self._fields[kind].data for kind in self.kinds_for(user) if self._fields[kind].raw_data}


def preferences_form(preferences: dict[str, str], *, formdata: Any = None) -> MailPreferencesForm:
    """The form filled with ``preferences``, or with what was posted when ``formdata`` is given."""
    if formdata is None:
        return MailPreferencesForm(formdata=None, data=preferences)
    return MailPreferencesForm(formdata=formdata)
