"""HTML pages for documents: load, check permission, validate, call one service, respond."""
from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from policyhub.documents import bp, panels, services
from policyhub.documents.forms import DocumentForm, EditForm, RevertForm, StatusForm
from policyhub.documents.models import STATUSES, Document
from policyhub.errors import N_, BadRequest, Conflict, EditConflict, Invalid
from policyhub.extensions import csrf
from policyhub.i18n import translated
from policyhub.pagecache import immutable_for_visitors, visitor_cached
from policyhub.parties.services import list_parties
from policyhub.permissions import Action, can, require
from policyhub.text.diff_html import inline_html, side_by_side
from policyhub.text.diffing import diff_words
from policyhub.web import int_arg


LIST_PAGE_SIZE = 100

# One whole sentence per status, so a translation can inflect the status as its grammar needs.
_NOW_IN_STATUS = {
    "draft": _l("'%(title)s' is now draft."),
    "consultation": _l("'%(title)s' is now consultation."),
    "archived": _l("'%(title)s' is now archived."),
}


@bp.get("/")
def index() -> tuple[str, int]:
    """Every document by policy area; with words or filters, the documents the search engine finds (the same
    engine and rules as /search, narrowed to documents), most relevant or most recent first."""
    # Imported here: search builds on documents (and amendments, which import documents' models), so a
    # module-level import would make importing documents import search half-way through.
    from policyhub.search import services as search
    from policyhub.search.forms import read_search_request
    parties = list_parties()
    try:
        asked = read_search_request(parties={party.slug for party in parties}, per_page=LIST_PAGE_SIZE,
                                    kind="document")
    except BadRequest as error:
        return _list_page(400, error=translated(error.message), parties=parties, asked=None, documents=[], total=0)
    query = asked.query
    if not (query.text or query.status or query.area or query.party):
        documents, total = services.list_documents(page=1, per_page=1000)
        return _list_page(parties=parties, asked=asked, documents=documents, total=total)
    results = search.search(query)
    documents = services.documents_by_slug([hit.slug for hit in results.hits])
    return _list_page(parties=parties, asked=asked, documents=documents, total=results.total,
                      message=results.message, pages=max(1, -(-results.total // LIST_PAGE_SIZE)))


def _list_page(status: int = 200, **context: Any) -> tuple[str, int]:
    from policyhub.search.query import MAX_QUERY_LENGTH  # imported here for the reason given in index()
    by_area: dict[str, list[Any]] = {}
    for document in context["documents"]:
        by_area.setdefault(document.policy_area, []).append(document)
    return render_template("documents/index.html", by_area=by_area, areas=services.policy_areas(),
                           statuses=STATUSES, typed=request.args.get("q", ""), max_query_length=MAX_QUERY_LENGTH,
                           **context), status


# Long-text forms check their CSRF token themselves so that an expired token shows the form again
# with everything typed, instead of an error page that loses it.
@bp.route("/documents/new", methods=["GET", "POST"])
@csrf.exempt
def new() -> Any:
    require(current_user, Action.DOCUMENT_CREATE)
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            document = services.create_document(
                current_user, title=form.title.data, body=form.body.data, policy_area=form.policy_area.data,
                summary=form.summary.data, slug=form.slug.data,
            )
        except Invalid as error:
            form.apply(error)
        else:
            flash(_("Created '%(title)s'.", title=document.title), "success")
            return redirect(url_for(".show", slug=document.slug))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("documents/new.html", form=form, areas=services.policy_areas()), status


@bp.get("/documents/<slug>")
@visitor_cached
def show(slug: str) -> str:
    document = services.get_document(slug)
    revision = services.get_revision(document, document.current_number)
    lines = request.args.get("lines", "")  # the page cache keys on the full URL: both forms are kept
    if lines not in ("", "0", "1"):
        raise BadRequest(N_("'lines' must be 1 (show line numbers) or 0."))
    # A form makes a CSRF token, which starts a session: only for someone who may use it (and so a
    # visitor's page stays the same for every visitor, and cacheable).
    may_set_status = can(current_user, Action.DOCUMENT_SET_STATUS, document)
    return render_template("documents/show.html", document=document, revision=revision, show_lines=lines == "1",
                           status_form=StatusForm(status=document.status) if may_set_status else None,
                           **panels.collect(document, current_user))


@bp.get("/documents/<slug>/history")
@visitor_cached
def history(slug: str) -> str:
    document = services.get_document(slug)
    per_page = current_app.config["REVISIONS_PER_PAGE"]
    page = int_arg("page", 1) or 1
    pages = max(1, -(-document.current_number // per_page))
    if page > pages:
        abort(404)
    revisions = services.revisions_page(document, page, per_page)
    return render_template("documents/history.html", document=document, revisions=revisions,
                           page=page, pages=pages)


@bp.get("/documents/<slug>/revisions/<int:number>")
@visitor_cached
def revision(slug: str, number: int) -> str:
    document = services.get_document(slug)
    revision = services.get_revision(document, number)
    if number < document.current_number:
        immutable_for_visitors()
    may_revert = can(current_user, Action.DOCUMENT_REVERT, document)  # the form starts a session: see show()
    form = RevertForm(to=number, base_revision=document.current_number) if may_revert else None
    return render_template("documents/revision.html", document=document, revision=revision, revert_form=form)


def compared_numbers(document: Document) -> tuple[int, int, bool]:
    """The ``from`` and ``to`` revision numbers of a comparison (either order): ``to`` defaults to the current
    revision and ``from`` to the one before ``to``; and whether both were named (then the answer is fixed)."""
    new_number = int_arg("to", document.current_number) or document.current_number
    old_number = int_arg("from", max(1, new_number - 1)) or 1
    return old_number, new_number, "from" in request.args and "to" in request.args


@bp.get("/documents/<slug>/diff")
@visitor_cached
def diff(slug: str) -> str:
    document = services.get_document(slug)
    old_number, new_number, both_named = compared_numbers(document)
    if both_named:  # the answer is fixed forever
        immutable_for_visitors()
    view = request.args.get("view", "inline")
    if view not in ("inline", "side"):
        abort(400, N_("view must be 'inline' or 'side'."))
    comparison = services.compare(document, old_number, new_number)
    return render_template(
        "documents/diff.html", document=document, comparison=comparison, view=view,
        inline=inline_html(comparison.ops) if view == "inline" else None,
        rows=side_by_side(comparison.ops) if view == "side" else None,
    )


@bp.route("/documents/<slug>/edit", methods=["GET", "POST"])
@csrf.exempt
def edit(slug: str) -> Any:
    document = services.get_document(slug)
    require(current_user, Action.DOCUMENT_EDIT, document)
    current = services.get_revision(document, document.current_number)
    form = EditForm(data=None if request.method == "POST" else
                    {"title": current.title, "body": current.body, "base_revision": current.number})
    if form.validate_on_submit():
        try:
            result = services.save_revision(current_user, document, title=form.title.data, body=form.body.data,
                                            base_number=form.base_revision.data, summary=form.summary.data)
        except EditConflict as conflict:
            return _conflict_page(conflict)
        except Invalid as error:
            form.apply(error)
        else:
            return _after_save(document, result)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("documents/edit.html", document=document, current=current, form=form), status


def _after_save(document: Any, result: services.SaveResult) -> Any:
    if not result.changed:
        flash(_("Nothing changed, so no new revision was made."), "info")
        return redirect(url_for(".show", slug=document.slug))
    number = result.revision.number
    if result.merged:
        flash(_("Someone saved while you were editing; your changes touched other passages and were merged "
                "into revision %(number)s.", number=number), "success")
        base = result.revision.base_number or number - 1
        return redirect(url_for(".diff", slug=document.slug, **{"from": base, "to": number}))
    flash(_("Saved as revision %(number)s.", number=number), "success")
    return redirect(url_for(".show", slug=document.slug))


def _conflict_page(conflict: EditConflict) -> tuple[str, int]:
    """Both texts side by side, what the person typed kept in an editable form based on the current revision."""
    current = conflict.current
    form = EditForm(formdata=None, data={"title": conflict.title, "body": conflict.body,
                                         "summary": conflict.summary, "base_revision": current.number})
    ops = diff_words(current.body, conflict.body)
    return render_template("documents/conflict.html", document=conflict.document, current=current,
                           conflict=conflict, form=form, rows=side_by_side(ops)), 409


@bp.post("/documents/<slug>/revert")
def revert(slug: str) -> Any:
    document = services.get_document(slug)
    require(current_user, Action.DOCUMENT_REVERT, document)
    form = RevertForm()
    if not form.validate_on_submit() or not (form.to.data or "").isdigit():
        abort(400, N_("The revert form was incomplete; go back to the revision and try again."))
    try:
        result = services.revert_document(current_user, document, to_number=int(form.to.data),
                                          base_number=form.base_revision.data, summary=form.summary.data)
    except Conflict as error:
        flash(translated(error.message), "error")
        return redirect(url_for(".history", slug=slug))
    return _after_save(document, result)


@bp.post("/documents/<slug>/status")
def set_status(slug: str) -> Any:
    document = services.get_document(slug)
    require(current_user, Action.DOCUMENT_SET_STATUS, document)
    form = StatusForm()
    if form.validate_on_submit():
        services.set_status(current_user, document, form.status.data)
        sentence = _NOW_IN_STATUS.get(document.status)
        flash(str(sentence) % {"title": document.title} if sentence is not None else
              _("'%(title)s' is now %(status)s.", title=document.title, status=document.status), "success")
    else:
        flash(_("Choose one of the statuses offered."), "error")
    return redirect(url_for(".show", slug=slug))
