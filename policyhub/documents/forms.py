"""Forms for creating, editing and reverting documents."""
from __future__ import annotations

from wtforms import HiddenField, SelectField, StringField, TextAreaField

from policyhub.documents.models import STATUSES
from policyhub.forms import Form


class DocumentForm(Form):
    title = StringField("Title")
    slug = StringField("Address (slug)", description="Lower-case letters, digits and hyphens. "
                       "Leave empty to make one from the title.")
    policy_area = StringField("Policy area")
    body = TextAreaField("Text (Markdown)")
    summary = StringField("Summary of your change")


class EditForm(Form):
    title = StringField("Title")
    body = TextAreaField("Text (Markdown)")
    summary = StringField("Summary of your change", description="Say what you changed and why; it is shown in the history.")
    base_revision = HiddenField()


class RevertForm(Form):
    to = HiddenField()
    base_revision = HiddenField()
    summary = StringField("Why revert?")


class StatusForm(Form):
    status = SelectField("Status", choices={s: s.capitalize() for s in STATUSES})
