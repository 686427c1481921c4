"""Forms for endorsing and withdrawing. They carry values; the rules (who, which revision, how long a
statement) live in ``endorsements.services``, whose field errors ``Form.apply`` puts back on the fields."""
from __future__ import annotations

from wtforms import HiddenField, SelectField, TextAreaField

from policyhub.documents.models import Document
from policyhub.endorsements.models import STATEMENT_MAX
from policyhub.forms import Form


class EndorseForm(Form):
    # The party is deliberately not a field: it always comes from the lead's own membership.
    revision = SelectField("Revision to endorse", validate_choice=False,
                           description="Endorse the text you have read. The current revision is chosen for you.")
    statement = TextAreaField("Public statement (optional)",
                              description=f"Shown with the endorsement, up to {STATEMENT_MAX:,} characters.")
    next = HiddenField()

    def offer_revisions(self, document: Document) -> "EndorseForm":
        """Offer every revision of ``document``, newest first; revision numbers are gap-free."""
        current = document.current_number
        self.revision.choices = [
            (str(n), f"Revision {n} (current)" if n == current else f"Revision {n}") for n in range(current, 0, -1)
        ]
        if not self.revision.data:
            self.revision.data = str(current)
        return self


class WithdrawForm(Form):
    """Only the CSRF token: which endorsement is in the address."""

    next = HiddenField()
