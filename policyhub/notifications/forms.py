"""Forms for watching and for marking notifications read: they carry a CSRF token and little else."""
from __future__ import annotations

from wtforms import HiddenField

from policyhub.forms import Form


class ActionForm(Form):
    """A POST button (watch, unwatch, mark read, open): nothing to fill in but the CSRF token."""


class MarkAllReadForm(Form):
    # The newest notification id on the page the person saw, so that one arriving meanwhile stays unread.
    up_to = HiddenField()
