"""Forms for parties and membership decisions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField

from policyhub.forms import Form


class DecisionForm(Form):
    decision = HiddenField()  # "approve" or "decline", set by the button pressed


class PartyForm(Form):
    slug = StringField(_l("Slug"), description=_l("Short address name, e.g. 'plaid'. Cannot be changed later."))
    name = StringField(_l("Name"))
    colour = StringField(_l("Colour"), description=_l("Hex colour such as #005B54, used for badges and accents."))
