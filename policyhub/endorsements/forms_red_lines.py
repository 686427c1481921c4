"""Forms of the red lines page. The party is deliberately not a field: a red line is always the lead's own
party's, taken from their membership."""
from __future__ import annotations

from wtforms import SelectField

from policyhub.documents.clauses import Clause
from policyhub.forms import Form
from policyhub.text.excerpt import excerpt


class MarkRedLineForm(Form):
    clause = SelectField("Clause", validate_choice=False,
                         description="The clause of the current text that your party cannot give up.")

    def offer(self, clauses: list[Clause], taken: set[str]) -> "MarkRedLineForm":
        """Offer the current clauses not already red lines of the party, by label and excerpt."""
        self.clause.choices = [(clause.key, f"{clause.label} ({clause.kind}): {excerpt(clause.text, 80)}")
                               for clause in clauses if clause.key not in taken]
        return self


class ClearRedLineForm(Form):
    """Only the CSRF token: which red line is in the address."""
