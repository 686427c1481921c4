"""Watch buttons, the notifications page, the header's unread count, and the Atom feeds.

Importing this module (the blueprint does) also connects the receiver that turns every saved revision into
watches and notifications, so it is connected in every app that is built.
"""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from policyhub.db import utcnow
from policyhub.documents import panels
from policyhub.documents import services as documents
from policyhub.documents.models import Document
from policyhub.documents.services import revision_created
from policyhub.errors import N_
from policyhub.notifications import bp, feeds, services
from policyhub.notifications.forms import ActionForm, MarkAllReadForm
from policyhub.notifications.models import KINDS
from policyhub.parties import services as parties
from policyhub.permissions import Action, require
from policyhub.web import int_arg, safe_next

PER_PAGE = 30
# The kinds' names, for pages only (lazy: read in each reader's language). A kind added to the models
# without a name here still shows up, named in English after its code.
_ONE = {"revision": _l("Revision"), "amendment": _l("Amendment"), "decision": _l("Decision"),
        "comment": _l("Comment"), "endorsement": _l("Endorsement"), "conflict": _l("Conflict"),
        "red_line": _l("Red line"), "stale": _l("Stale endorsement")}
_MANY = {"revision": _l("Revisions"), "amendment": _l("Amendments"), "decision": _l("Decisions"),
         "comment": _l("Comments"), "endorsement": _l("Endorsements"), "conflict": _l("Conflicts"),
         "red_line": _l("Red lines"), "stale": _l("Stale endorsements")}
# One notification's kind, as its list item shows it; and the filter's labels, in the models' order.
KIND_NAMES = {kind: _ONE.get(kind, kind.replace("_", " ").capitalize()) for kind in KINDS}
KIND_LABELS = {kind: _MANY.get(kind, f"{kind.replace('_', ' ').capitalize()}s") for kind in KINDS}

revision_created.connect(services.revision_saved)


# --- watching --------------------------------------------------------------------------------------------

@panels.provider
def _watch_panel(document: Document, viewer: Any) -> dict[str, Any]:
    return {"watching": services.is_watching(viewer, document)}


def _checked_post() -> None:
    if not ActionForm().validate_on_submit():
        abort(400, N_("This form could not be used. Reload the page and try again."))


@bp.post("/documents/<slug>/watch")
def watch(slug: str) -> Response:
    document = documents.get_document(slug)
    require(current_user, Action.DOCUMENT_WATCH, document)
    _checked_post()
    services.watch(current_user, document)
    flash(_("You are watching '%(title)s': its changes will appear in your notifications.", title=document.title),
          "success")
    return redirect(url_for("documents.show", slug=document.slug))


@bp.post("/documents/<slug>/unwatch")
def unwatch(slug: str) -> Response:
    document = documents.get_document(slug)
    require(current_user, Action.DOCUMENT_WATCH, document)
    _checked_post()
    services.unwatch(current_user, document)
    flash(_("You stopped watching '%(title)s'.", title=document.title), "success")
    return redirect(url_for("documents.show", slug=document.slug))


# --- notifications ---------------------------------------------------------------------------------------

@bp.app_context_processor
def _unread_notification_count() -> dict[str, Any]:
    # A callable, so that only pages that draw the header pay for the COUNT query (never the error page).
    return {"unread_notification_count": lambda: services.unread_count(current_user)}


def _kind_arg() -> str | None:
    kind = request.args.get("kind") or None
    if kind is not None and kind not in KINDS:
        abort(400, f"Unknown kind of notification '{kind}'.")
    return kind


@bp.get("/notifications")
@login_required
def index() -> str:
    kind = _kind_arg()
    page = int_arg("page", 1) or 1
    notifications, total = services.list_notifications(current_user, page, PER_PAGE, kind=kind)
    pages = max(1, -(-total // PER_PAGE))
    if page > pages:
        abort(404)
    fallback = url_for(".index")
    links = {n.id: safe_next(n.url, fallback) for n in notifications}
    newest = max((n.id for n in notifications), default=None) if page == 1 else None
    return render_template(
        "notifications/index.html", notifications=notifications, links=links, total=total, page=page,
        pages=pages, kind=kind, kinds=KIND_LABELS, kind_names=KIND_NAMES, unread=services.unread_count(current_user),
        mark_all_form=MarkAllReadForm(up_to=newest), parties=parties.list_parties(),
    )


def _back_to_list() -> str:
    """The notifications page the person came from (its page and filter), or the first page."""
    return safe_next(request.args.get("next"), url_for(".index"))


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int) -> Response:
    _checked_post()
    services.mark_read(current_user, notification_id)
    return redirect(_back_to_list())


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_notification(notification_id: int) -> Response:
    """Opening marks read, so it is a POST; the redirect goes only to a path on this site."""
    _checked_post()
    notification = services.mark_read(current_user, notification_id)
    return redirect(safe_next(notification.url, url_for(".index")))


@bp.post("/notifications/read-all")
@login_required
def mark_all_read() -> Response:
    form = MarkAllReadForm()
    if not form.validate_on_submit():
        abort(400, N_("This form could not be used. Reload the page and try again."))
    raw = (form.up_to.data or "").strip()
    if raw and not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        abort(400, N_("up_to must be a notification number."))
    count = services.mark_all_read(current_user, up_to=int(raw) if raw else None)
    flash(ngettext("Marked %(num)d notification as read.", "Marked %(num)d notifications as read.", count) if count
          else _("Nothing was unread."), "success" if count else "info")
    return redirect(_back_to_list())


# --- feeds -----------------------------------------------------------------------------------------------

@bp.get("/feeds/changes.atom")
def changes_feed() -> Response:
    revisions = services.recent_revisions(limit=services.FEED_LIMIT)
    # An empty site has no change to date its feed by; the moment of asking is the honest answer.
    return feeds.response(feeds.changes_feed(revisions, fallback_updated=utcnow()))


@bp.get("/documents/<slug>/changes.atom")
def document_feed(slug: str) -> Response:
    document = documents.get_document(slug)
    return feeds.response(feeds.document_feed(document, services.recent_revisions(document)))


@bp.get("/parties/<slug>/endorsements.atom")
def party_endorsements_feed(slug: str) -> Response:
    party = parties.get_party(slug)
    return feeds.response(feeds.party_endorsements_feed(party, services.party_endorsements(party)))

