"""Forms of the red lines page. The party is deliberately not a field: a red line is always the lead's own
party's, taken from their membership."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from policyhub.documents.clauses import Clause
from policyhub.forms import Form
from policyhub.text.excerpt import excerpt

# A clause's kind as the choices name it (Block.kind stays English: it is data).
_KINDS = {"heading": _l("heading"), "paragraph": _l("paragraph"), "item": _l("item")}


class MarkRedLineForm(Form):
    clause = SelectField(_l("Clause"), validate_choice=False,
                         description=_l("The clause of the current text that your party cannot give up."))

    def offer(self, clauses: list[Clause], taken: set[str]) -> "MarkRedLineForm":
        """Offer the current clauses not already red lines of the party, by label and excerpt."""
        self.clause.choices = [(clause.key, _("%(label)s (%(kind)s): %(excerpt)s", label=clause.label,
                                              kind=_KINDS.get(clause.kind, clause.kind),
                                              excerpt=excerpt(clause.text, 80)))
                               for clause in clauses if clause.key not in taken]
        return self


class ClearRedLineForm(Form):
    """Only the CSRF token: which red line is in the address."""
