"""HTML pages for endorsements and consensus: the document panel, a document's endorsement record, the
agenda matrix and the agreed agenda. Views load, check ``require``, validate, call one service, respond."""
from __future__ import annotations

from datetime import timezone
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from policyhub.db import utcnow
from policyhub.documents import panels
from policyhub.documents.clauses import clauses_of
from policyhub.documents.models import Document
from policyhub.documents.services import get_document, get_revision
from policyhub.endorsements import bp, services, staleness
from policyhub.endorsements.forms import EndorseForm, WithdrawForm, heading_title
from policyhub.errors import Conflict, Invalid
from policyhub.extensions import csrf
from policyhub.i18n import translated
from policyhub.pagecache import visitor_cached
from policyhub.parties.services import get_party, list_parties
from policyhub.permissions import Action, can, require
from policyhub.reauth import recent_auth_required
from policyhub.web import safe_next


# --- the panel on every document page --------------------------------------------------------------------

@panels.provider
def document_panel(document: Document, viewer: Any) -> dict[str, Any]:
    """Template variables for templates/endorsements/_document_panel.html. Two queries: the parties and
    the document's live endorsements (endorsers loaded with them).

    ``own_party_state`` is the viewer's party's state when the viewer may endorse this document (a lead),
    else None; ``endorse_form`` likewise. A stale endorsement's statement is offered again, visibly, in
    the form, so that re-endorsing after a review does not silently drop or silently repeat it. When the
    party's endorsement is substantively stale, ``review`` lists only the clauses to review again (old and
    new text, word diff); it costs its own queries, for that lead only.
    """
    parties = list_parties()
    live = services.live_endorsements(document)
    states = services.party_states(document, parties=parties, live=live)
    own_state = None
    form = None
    review: list[staleness.ClauseChange] = []
    if can(viewer, Action.ENDORSEMENT_GIVE, document):
        own_state = next((state for state in states if state.party.id == viewer.party.id), None)
        previous = own_state.endorsement.statement if own_state is not None and own_state.is_stale else ""
        form = EndorseForm(formdata=None, data={"statement": previous or "",
                                                "revision": str(document.current_number)})
        if own_state is not None and own_state.needs_review:
            review = staleness.review(own_state.endorsement, document, limit=REVIEW_LIMIT)
    return {
        "party_states": states,
        "agreed": services.is_agreed(document, live=live, parties=parties),
        "endorse_form": form,
        "own_party_state": own_state,
        "review": review,
    }


REVIEW_LIMIT = 20  # changed clauses shown in the review prompt; the full diff shows the rest


# --- a document's endorsements ---------------------------------------------------------------------------

def _endorse_form_class(document: Document) -> type[EndorseForm]:
    """The endorse form with a stance and a reason for each section (heading) of the current text."""
    return EndorseForm.for_sections(clauses_of(get_revision(document, document.current_number)))


def _scoped_data(endorsement: Any) -> dict[str, str]:
    """The form's values for a live scoped endorsement, so that a lead revising it starts from it."""
    if endorsement is None or not endorsement.is_scoped:
        return {}
    data = {"scope": "sections"}
    for stance in endorsement.stances:
        data[f"stance_{stance.clause_key}"] = stance.stance
        data[f"reason_{stance.clause_key}"] = stance.reason
    return data


def _record_page(document: Document, form: EndorseForm | None, status: int = 200) -> tuple[str, int]:
    record = services.endorsement_record(document)
    parties = list_parties()
    live = [endorsement for endorsement in record if endorsement.is_live]
    titles = {}
    if any(endorsement.is_scoped for endorsement in record):
        titles = _clause_titles(clauses_of(get_revision(document, document.current_number)))
    return render_template(
        "endorsements/record.html", document=document, record=record,
        states=services.party_states(document, parties=parties, live=live),
        agreed=services.is_agreed(document, live=live, parties=parties),
        form=form, withdraw_form=WithdrawForm(formdata=None),
        grades=staleness.grades(document, live), clause_titles=titles,
    ), status


def _clause_titles(clauses: list[Any]) -> dict[str, str]:
    """Clause key -> how the page names it: "§3 Principles" for a heading, "§4 Every vote…" otherwise."""
    titles = {}
    for clause in clauses:
        words = heading_title(clause.text) if clause.kind == "heading" else " ".join(clause.text.split())
        titles[clause.key] = f"{clause.label} {words if len(words) <= 60 else words[:59].rstrip() + '…'}"
    return titles


@bp.get("/documents/<slug>/endorsements")
def record(slug: str) -> tuple[str, int]:
    document = get_document(slug)
    form = None
    if can(current_user, Action.ENDORSEMENT_GIVE, document):
        own = services.live_endorsements(document)
        own_live = next((e for e in own if e.party_id == current_user.party.id), None)
        form = _endorse_form_class(document)(formdata=None, data=_scoped_data(own_live)).offer_revisions(document)
    return _record_page(document, form)


# A statement can be long: the form checks its own CSRF token so that an expired one shows the form again
# with the statement kept, instead of an error page that loses it.
@bp.post("/documents/<slug>/endorsements")
@csrf.exempt
@recent_auth_required
def endorse(slug: str) -> Any:
    """Endorse for the signed-in lead's own party (any "party" in the form is ignored: there is no such
    field). Redirects on success; the form comes back with errors as 422, or 409 on a lost race."""
    document = get_document(slug)
    require(current_user, Action.ENDORSEMENT_GIVE, document)
    form = _endorse_form_class(document)().offer_revisions(document)
    status = 422
    if form.validate_on_submit():
        sections, reasons = form.scoped_input()
        try:
            outcome = services.endorse_revision(current_user, document, revision=form.revision.data,
                                                statement=form.statement.data, sections=sections,
                                                reasons=reasons)
        except Invalid as error:
            form.apply(error)
        except Conflict as error:
            form.form_errors.append(translated(error.message))
            status = 409
        else:
            _flash_endorsed(document, outcome)
            return redirect(safe_next(form.next.data, url_for("documents.show", slug=document.slug)))
    return _record_page(document, form, status)


def _flash_endorsed(document: Document, outcome: services.EndorseOutcome) -> None:
    endorsement = outcome.endorsement
    party, number = endorsement.party.name, endorsement.revision_number
    if not outcome.created:
        flash(_("%(party)s already endorses revision %(number)s of '%(title)s'; nothing changed.",
                party=party, number=number, title=document.title), "info")
        return
    if outcome.superseded is not None and outcome.superseded.revision_number != number:
        flash(_("%(party)s now endorses revision %(number)s of '%(title)s' in place of its endorsement of "
                "revision %(previous)s.", party=party, number=number, title=document.title,
                previous=outcome.superseded.revision_number), "success")
    else:
        flash(_("%(party)s now endorses revision %(number)s of '%(title)s'.",
                party=party, number=number, title=document.title), "success")
    if number != document.current_number:
        flash(_("Revision %(number)s is not the current text (now revision %(current)s), so this endorsement is "
                "already stale. Review what changed and endorse again when ready.",
                number=number, current=document.current_number), "info")


@bp.post("/documents/<slug>/endorsements/<party_slug>/withdraw")
@recent_auth_required
def withdraw(slug: str, party_slug: str) -> Any:
    document = get_document(slug)
    endorsement = services.get_live_endorsement(document, get_party(party_slug))
    require(current_user, Action.ENDORSEMENT_WITHDRAW, endorsement)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400, _("The withdrawal form was incomplete; go back, reload the page and try again."))
    services.withdraw_endorsement(current_user, endorsement)
    flash(_("%(party)s's endorsement of revision %(number)s was withdrawn. It stays in the record.",
            party=endorsement.party.name, number=endorsement.revision_number), "success")
    return redirect(safe_next(form.next.data, url_for(".record", slug=document.slug)))


# --- the agenda ------------------------------------------------------------------------------------------

@bp.get("/agenda")
@visitor_cached
def agenda() -> str:
    """The consensus matrix. ``?area=`` keeps one policy area; ``?archived=1`` adds archived documents."""
    area = (request.args.get("area") or "").strip() or None
    archived = request.args.get("archived", "")
    if archived not in ("", "0", "1"):
        abort(400, _("'archived' must be 1 (include archived documents) or 0."))
    return render_template("endorsements/agenda.html",
                           agenda=services.agenda(area, include_archived=archived == "1"))


@bp.get("/agenda/agreed")
def agreed() -> str:
    return render_template("endorsements/agreed.html", items=services.agreed_documents(), compiled_at=utcnow())


@bp.get("/agenda/agreed.md")
def agreed_markdown() -> Response:
    """The agreed agenda as a Markdown download, named with today's date."""
    day = utcnow().astimezone(timezone.utc).date().isoformat()
    response = Response(services.agreed_markdown(), mimetype="text/markdown")
    response.headers["Content-Disposition"] = f'attachment; filename="agreed-agenda-{day}.md"'
    return response
