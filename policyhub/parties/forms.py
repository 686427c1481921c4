"""Forms for parties and membership decisions."""
from __future__ import annotations

from wtforms import HiddenField, StringField

from policyhub.forms import Form


class DecisionForm(Form):
    decision = HiddenField()  # "approve" or "decline", set by the button pressed


class PartyForm(Form):
    slug = StringField("Slug", description="Short address name, e.g. 'plaid'. Cannot be changed later.")
    name = StringField("Name")
    colour = StringField("Colour", description="Hex colour such as #005B54, used for badges and accents.")
