"""Forms for creating, editing and reverting documents."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField

from policyhub.documents.models import STATUSES
from policyhub.forms import Form

# Lazy: the labels are read when a page shows them, in that reader's language. The stored value stays the
# English key.
STATUS_NAMES = {"draft": _l("Draft"), "consultation": _l("Consultation"), "archived": _l("Archived")}


class DocumentForm(Form):
    title = StringField(_l("Title"))
    slug = StringField(_l("Address (slug)"), description=_l("Lower-case letters, digits and hyphens. "
                                                            "Leave empty to make one from the title."))
    policy_area = StringField(_l("Policy area"))
    body = TextAreaField(_l("Text (Markdown)"))
    summary = StringField(_l("Summary of your change"))


class EditForm(Form):
    title = StringField(_l("Title"))
    body = TextAreaField(_l("Text (Markdown)"))
    summary = StringField(_l("Summary of your change"),
                          description=_l("Say what you changed and why; it is shown in the history."))
    base_revision = HiddenField()


class RevertForm(Form):
    to = HiddenField()
    base_revision = HiddenField()
    summary = StringField(_l("Why revert?"))


class StatusForm(Form):
    # SelectChoice, not the {value: label} shorthand: WTForms takes only str labels there, and these are lazy.
    status = SelectField(_l("Status"),
                         choices=[SelectChoice(s, STATUS_NAMES.get(s, s.capitalize())) for s in STATUSES])
