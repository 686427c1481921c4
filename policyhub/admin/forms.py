"""Administration forms."""
from __future__ import annotations

from wtforms import HiddenField, SelectField

from policyhub.forms import Form
from policyhub.parties.models import ROLES


class MembershipAdminForm(Form):
    party = SelectField("Party", choices={})
    role = SelectField("Role", choices={role: role.capitalize() for role in ROLES})


class ActiveForm(Form):
    active = HiddenField()  # "1" to reactivate, "0" to deactivate
