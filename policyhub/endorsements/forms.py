"""Forms for endorsing and withdrawing. They carry values; the rules (who, which revision, how long a
statement) live in ``endorsements.services``, whose field errors ``Form.apply`` puts back on the fields."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, TextAreaField

from policyhub.documents.clauses import Clause
from policyhub.documents.models import Document
from policyhub.endorsements.models import REASON_MAX, STATEMENT_MAX
from policyhub.errors import Invalid
from policyhub.forms import Form

SCOPES = [SelectChoice("whole", _l("The whole document")), SelectChoice("sections", _l("Section by section"))]
SECTION_STANCES = [
    SelectChoice("endorse", _l("Endorse")),
    SelectChoice("reservations", _l("Endorse with reservations")),
    SelectChoice("object", _l("Object")),
    SelectChoice("not_reviewed", _l("Not reviewed")),
]


class EndorseForm(Form):
    # The party is deliberately not a field: it always comes from the lead's own membership.
    revision = SelectField(_l("Revision to endorse"), validate_choice=False,
                           description=_l("Endorse the text you have read. The current revision is chosen for you."))
    statement = TextAreaField(_l("Public statement (optional)"),
                              description=_l("Shown with the endorsement, up to %(max)s characters.",
                                             max=f"{STATEMENT_MAX:,}"))
    scope = RadioField(_l("What do you endorse?"), choices=SCOPES, default="whole")
    next = HiddenField()
    # The sections offered (heading clauses of the text), set by ``for_sections``; one radio group
    # ("stance_<key>") and one reason ("reason_<key>") each.
    section_clauses: Sequence[Clause] = ()

    @classmethod
    def for_sections(cls, clauses: Sequence[Clause]) -> type["EndorseForm"]:
        """This form with a stance and a reason field for each heading clause of ``clauses``."""
        headings = [clause for clause in clauses if clause.kind == "heading"]
        fields: dict[str, Any] = {"section_clauses": headings}
        for clause in headings:
            fields[f"stance_{clause.key}"] = RadioField(
                f"{clause.label} {heading_title(clause.text)}", choices=SECTION_STANCES, default="not_reviewed")
            fields[f"reason_{clause.key}"] = TextAreaField(
                _l("Reason for %(label)s", label=clause.label),
                description=_l("Required for reservations and objections, up to %(max)s characters.",
                               max=f"{REASON_MAX:,}"))
        return type(cls.__name__, (cls,), fields)

    def stance_field(self, clause: Clause) -> Any:
        return self[f"stance_{clause.key}"]

    def reason_field(self, clause: Clause) -> Any:
        return self[f"reason_{clause.key}"]

    @property
    def by_section(self) -> bool:
        return self.scope.data == "sections"

    def scoped_input(self) -> tuple[dict[str, str] | None, dict[str, str] | None]:
        """(sections, reasons) for ``endorsements.services.endorse_revision``: both None for the whole
        document. Only sections given a stance are named, with the reasons typed for them."""
        if not self.by_section:
            return None, None
        sections: dict[str, str] = {}
        reasons: dict[str, str] = {}
        for clause in self.section_clauses:
            stance = self.stance_field(clause).data
            if stance and stance != "not_reviewed":
                sections[clause.key] = stance
                if (self.reason_field(clause).data or "").strip():
                    reasons[clause.key] = self.reason_field(clause).data
        return sections, reasons

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not self.by_section:
            return valid
        if not self.section_clauses:
            self.scope.errors = [*self.scope.errors, _("This text has no sections (headings): endorse the whole "
                                                       "document instead.")]
            return False
        chosen = [c for c in self.section_clauses if self.stance_field(c).data not in (None, "", "not_reviewed")]
        if not chosen:
            self.scope.errors = [*self.scope.errors, _("Choose endorse, reservations or object for at least one "
                                                       "section, or endorse the whole document.")]
            valid = False
        for clause in self.section_clauses:
            if self.stance_field(clause).data == "not_reviewed" and (self.reason_field(clause).data or "").strip():
                field = self.reason_field(clause)
                field.errors = [*field.errors, _("%(label)s is marked not reviewed: choose a stance for it, or "
                                                 "clear its reason.", label=clause.label)]
                valid = False
        return valid

    def apply(self, error: Invalid) -> None:
        """As ``Form.apply``, with the service's per-clause fields ("reasons.<key>") shown at their section."""
        fields = {}
        for name, message in error.fields.items():
            prefix, _dot, key = name.partition(".")
            fields[f"reason_{key}" if prefix == "reasons" and key else name] = message
        super().apply(Invalid(error.message, fields))

    def offer_revisions(self, document: Document) -> "EndorseForm":
        """Offer every revision of ``document``, newest first; revision numbers are gap-free."""
        current = document.current_number
        self.revision.choices = [
            (str(n), _("Revision %(number)s (current)", number=n) if n == current else _("Revision %(number)s", number=n))
            for n in range(current, 0, -1)
        ]
        if not self.revision.data:
            self.revision.data = str(current)
        return self


def heading_title(source: str) -> str:
    """A heading clause's words as a label: its first line without the "#" marks."""
    first = source.strip().split("\n", 1)[0].strip()
    return first.lstrip("#").strip().rstrip("#").strip() or first


class WithdrawForm(Form):
    """Only the CSRF token: which endorsement is in the address."""

    next = HiddenField()
