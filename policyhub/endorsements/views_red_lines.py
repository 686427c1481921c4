"""HTML pages for red lines: a document's red lines by party (with, for a lead, marking and clearing their
party's), and a party's Atom feed of red-line changes. Importing this module (the blueprint does) connects
the receiver that notifies a party's members when a red-line clause changes, so every app has it.
"""
from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from policyhub.documents.clauses import clauses_of
from policyhub.documents.models import Document
from policyhub.documents.services import get_document, revision_created
from policyhub.endorsements import bp, red_lines
from policyhub.endorsements.forms_red_lines import ClearRedLineForm, MarkRedLineForm
from policyhub.errors import Invalid
from policyhub.notifications import feeds
from policyhub.pagecache import visitor_cached
from policyhub.parties.models import Party
from policyhub.parties.services import get_party
from policyhub.permissions import Action, can, require
from policyhub.text.diff_html import inline_html
from policyhub.text.excerpt import excerpt

revision_created.connect(red_lines.notify_red_lines)

_CHANGE_IDS = re.compile(r' id="change-[0-9]+"')


@bp.app_template_filter("inline_diff")
def inline_diff(ops: Any) -> Markup:
    """Word diff ops as inline HTML (escaped text, <ins>/<del> with classes), without the change-N ids that
    a diff page uses for navigation: several diffs share a page here."""
    if not ops:
        return Markup("")
    return Markup(_CHANGE_IDS.sub("", str(inline_html([(op, text) for op, text in ops]))))


# --- a document's red lines ------------------------------------------------------------------------------

def _page(document: Document, form: MarkRedLineForm | None = None, status: int = 200) -> tuple[str, int]:
    clauses = clauses_of(document.current_revision)
    groups = red_lines.red_lines_by_party(document, clauses)
    manages = can(current_user, Action.RED_LINE_MANAGE, document)
    own_party = current_user.party if manages else None
    clear_form = None
    if manages:
        taken = {item.red_line.clause_key for group in groups if group.party.id == own_party.id
                 for item in group.items}
        form = (form or MarkRedLineForm(formdata=None)).offer(clauses, taken)
        clear_form = ClearRedLineForm(formdata=None)
    return render_template("endorsements/red_lines.html", document=document, groups=groups, form=form,
                           clear_form=clear_form, own_party=own_party), status


@bp.get("/documents/<slug>/red-lines")
@visitor_cached
def red_lines_page(slug: str) -> tuple[str, int]:
    return _page(get_document(slug))


@bp.post("/documents/<slug>/red-lines")
def mark_red_line(slug: str) -> Any:
    document = get_document(slug)
    require(current_user, Action.RED_LINE_MANAGE, document)
    form = MarkRedLineForm()
    if not form.validate_on_submit():
        return _page(document, form, 400)
    try:
        red_line = red_lines.mark_red_line(current_user, document, form.clause.data)
    except Invalid as error:
        form.apply(error)
        return _page(document, form, 422)
    flash(_("That clause is a red line of %(party)s: its members will be told whenever its words change.",
            party=red_line.party.name), "success")
    return redirect(url_for(".red_lines_page", slug=document.slug))


@bp.post("/documents/<slug>/red-lines/<key>/clear")
def clear_red_line(slug: str, key: str) -> Response:
    document = get_document(slug)
    require(current_user, Action.RED_LINE_MANAGE, document)
    if not ClearRedLineForm().validate_on_submit():
        abort(400, "This form could not be used. Reload the page and try again.")
    red_lines.clear_red_line(current_user, document, key)
    flash(_("The red line was cleared; %(party)s will no longer be told when that clause changes.",
            party=current_user.party.name), "success")
    return redirect(url_for(".red_lines_page", slug=document.slug))


# --- a party's feed --------------------------------------------------------------------------------------

def _entry(event: red_lines.RedLineEvent, party: Party) -> feeds.Entry:
    document, revision = event.document, event.revision
    what = {"removed": "removed", "merged": "merged into another clause"}.get(event.kind, "changed")
    quoted = excerpt(event.old_text or event.new_text, 80)
    author = revision.author
    by = f"{author.name} ({author.party.name})" if author.party is not None else author.name
    return feeds.Entry(
        id=feeds.tag_uri(f"red-line/{party.slug}/{document.slug}/{event.key}/{revision.number}"),
        title=f"Red line {what} in revision {revision.number} of {document.title}: “{quoted}”",
        updated=revision.created_at,
        published=revision.created_at,
        author=by,
        link=feeds.external("documents.diff", {"slug": document.slug, "from": revision.number - 1,
                                               "to": revision.number}, _anchor=f"c-{event.key}"),
        summary=f"{red_lines.possessive(party.name)} red line “{quoted}” was {what} in revision "
                f"{revision.number} of '{document.title}'.",
        categories=(document.policy_area,),
        content_html=str(Markup('<p class="red-line-diff">{}</p>').format(inline_diff(event.ops()))),
    )


@bp.get("/feeds/parties/<slug>/red-lines.atom")
def red_lines_feed(slug: str) -> Response:
    party = get_party(slug)
    entries = [_entry(event, party) for event in red_lines.recent_red_line_changes(party)]
    return feeds.response(feeds.Feed(
        id=feeds.tag_uri(f"party/{party.slug}/red-lines"),
        title=f"Red lines of {party.name}",
        subtitle=f"Changes to the clauses {party.name} marked as red lines, with their word diffs, newest first.",
        alternate=feeds.external("parties.show", slug=party.slug),
        self_url=feeds.external("endorsements.red_lines_feed", slug=party.slug),
        updated=max((entry.updated for entry in entries), default=party.created_at),
        entries=entries,
    ))
