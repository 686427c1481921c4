"""Administration forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, SelectField

from policyhub.forms import Form
from policyhub.parties.models import ROLES

# The roles as the form names them, in the reader's language (ROLES holds the stored values).
ROLE_LABELS = {"member": _l("Member"), "lead": _l("Lead")}


class MembershipAdminForm(Form):
    party = SelectField(_l("Party"), choices={})
    role = SelectField(_l("Role"), choices=[SelectChoice(role, ROLE_LABELS.get(role, role.capitalize()))
                                            for role in ROLES])


class ActiveForm(Form):
    active = HiddenField()  # "1" to reactivate, "0" to deactivate
