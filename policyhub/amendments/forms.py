"""Forms for proposing, updating, deciding and discussing amendments. They carry values; the rules (lengths,
required fields, the base revision) are checked by the services, whose errors ``Form.apply`` shows."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField

from policyhub.forms import Form


class AmendmentForm(Form):
    """Proposing, and the author's update (the same fields)."""

    title = StringField(_l("Title"),
                        description=_l("What the amendment does, in a line: it names the amendment in lists."))
    rationale = TextAreaField(_l("Rationale (Markdown)"),
                              description=_l("Why the text should change: the case you make to the other parties."))
    body = TextAreaField(_l("Proposed text (Markdown)"),
                         description=_l("The whole document as you propose it. "
                                        "Change only what your amendment is about."))
    base_revision = HiddenField()


class CommentForm(Form):
    body = TextAreaField(_l("Your comment (Markdown)"))


class DecisionForm(Form):
    """Accepting (the note is optional) or rejecting (it is required). Built with a prefix per action so
    both forms can stand on one page."""

    note = TextAreaField(_l("Note"))
