"""HTML pages for amendments: load, check permission, validate, call one service, respond.

Also registers the package's two hooks into the documents package: the re-check of open amendments after
every new revision (``revision_created``), and the amendments panel of the document page.
"""
from __future__ import annotations

from itertools import groupby
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from policyhub.amendments import bp, models, services
from policyhub.amendments.forms import AmendmentForm, CommentForm, DecisionForm
from policyhub.amendments.models import Amendment
from policyhub.documents import panels
from policyhub.documents import services as documents
from policyhub.documents.models import Document
from policyhub.errors import N_, EditConflict, Invalid
from policyhub.extensions import csrf
from policyhub.permissions import Action, require
from policyhub.text.diff_html import inline_html, side_by_side
from policyhub.text.diffing import DiffOp, diff_words
from policyhub.web import int_arg

documents.revision_created.connect(services.recheck_after_revision)

OPEN_PER_PAGE = 50


@panels.provider
def document_panel(document: Document, viewer: Any) -> dict[str, Any]:
    """For templates/amendments/_document_panel.html: the most-supported open amendments and the counts."""
    return {"open_amendments": services.top_open_amendments(document),
            "amendment_counts": services.amendment_counts(document)}


# --- lists -----------------------------------------------------------------------------------------------

@bp.get("/amendments")
def open_index() -> str:
    page = int_arg("page", 1) or 1
    amendments, total = services.list_open_amendments(page, OPEN_PER_PAGE)
    pages = max(1, -(-total // OPEN_PER_PAGE))
    if page > pages:
        abort(404)
    groups = [(document, list(group)) for document, group in groupby(amendments, key=lambda a: a.document)]
    return render_template("amendments/open.html", groups=[
        (document, items, services.overlaps(items)) for document, items in groups
    ], total=total, page=page, pages=pages)


@bp.get("/documents/<slug>/amendments")
def index(slug: str) -> str:
    document = documents.get_document(slug)
    status = request.args.get("status") or "open"
    amendments = services.list_amendments(document, status)  # BadRequest for an unknown status
    return render_template("amendments/index.html", document=document, amendments=amendments, status=status,
                           counts=services.amendment_counts(document), overlaps=services.overlaps(amendments),
                           filters=services.STATUS_FILTERS)


# --- one amendment ---------------------------------------------------------------------------------------

@bp.get("/documents/<slug>/amendments/<int:number>")
def show(slug: str, number: int) -> tuple[str, int]:
    document = documents.get_document(slug)
    return _show_page(services.get_amendment(document, number))


@bp.get("/documents/<slug>/amendments/<int:number>/versions/<int:version>")
def show_version(slug: str, number: int, version: int) -> str:
    document = documents.get_document(slug)
    amendment = services.get_amendment(document, number)
    shown = services.get_version(amendment, version)
    view = _view_arg()
    ops = services.amendment_diff(amendment, shown)
    return render_template("amendments/version.html", document=document, amendment=amendment, version=shown,
                           versions=services.versions(amendment), view=view, **_diff_context(ops, view))


def _show_page(amendment: Amendment, *, comment_form: CommentForm | None = None,
               accept_form: DecisionForm | None = None, reject_form: DecisionForm | None = None,
               status: int = 200) -> tuple[str, int]:
    """The amendment page; the forms given (with what was typed and their errors) replace empty ones."""
    document = amendment.document
    view = _view_arg()
    all_versions = services.versions(amendment)
    latest = all_versions[-1]
    is_open = amendment.status == "open"
    overlapping = services.overlaps(services.list_amendments(document, "open")).get(amendment.number, []) \
        if is_open else []
    preview = services.preview(amendment) if is_open else None
    # Not moved on, the preview's diff (current text -> amendment) is the diff against the base: reuse it.
    ops = preview.ops if preview is not None and not preview.moved_on else services.amendment_diff(amendment, latest)
    return render_template(
        "amendments/show.html", document=document, amendment=amendment, version=latest, versions=all_versions,
        view=view, preview=preview, overlapping=overlapping,
        preview_html=inline_html(preview.ops) if preview is not None and preview.moved_on else None,
        supporters=services.supporters(amendment), comments=services.comments(amendment),
        supporting=services.is_supporter(current_user, amendment),
        comment_form=comment_form or CommentForm(formdata=None),
        accept_form=accept_form or DecisionForm(formdata=None, prefix="accept"),
        reject_form=reject_form or DecisionForm(formdata=None, prefix="reject"),
        **_diff_context(ops, view),
    ), status


def _view_arg() -> str:
    view = request.args.get("view", "side")
    if view not in ("inline", "side"):
        abort(400, N_("view must be 'inline' or 'side'."))
    return view


def _diff_context(ops: list[DiffOp], view: str) -> dict[str, Any]:
    return {"inline": inline_html(ops) if view == "inline" else None,
            "rows": side_by_side(ops) if view == "side" else None}


# --- proposing and updating (long text: these forms check their own CSRF token, so that an expired token
# shows the form again with everything typed instead of an error page that loses it) -----------------------

@bp.route("/documents/<slug>/amendments/new", methods=["GET", "POST"])
@csrf.exempt
def new(slug: str) -> Any:
    document = documents.get_document(slug)
    require(current_user, Action.AMENDMENT_PROPOSE, document)
    current = documents.get_revision(document, document.current_number)
    form = AmendmentForm(data=None if request.method == "POST" else
                         {"body": current.body, "base_revision": current.number})
    if form.validate_on_submit():
        try:
            amendment = services.propose_amendment(
                current_user, document, title=form.title.data, rationale=form.rationale.data,
                body=form.body.data, base_number=form.base_revision.data,
            )
        except Invalid as error:
            form.apply(error)
        else:
            flash(_("Proposed as amendment %(number)s. Leads of every party can now see it.", number=amendment.number),
                  "success")
            return redirect(url_for(".show", slug=slug, number=amendment.number))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("amendments/new.html", document=document, current=current, form=form,
                           base_number=_base_shown(form, current.number)), status


@bp.route("/documents/<slug>/amendments/<int:number>/edit", methods=["GET", "POST"])
@csrf.exempt
def edit(slug: str, number: int) -> Any:
    document = documents.get_document(slug)
    amendment = services.get_amendment(document, number)
    require(current_user, Action.AMENDMENT_UPDATE, amendment)
    latest = services.latest_version(amendment)
    preview = services.preview(amendment)
    current = documents.get_revision(document, document.current_number)
    # The editor starts from the amendment merged into the current text; when it no longer merges, from
    # the author's last text, which is then compared with the current text (see the template's warning).
    form = AmendmentForm(data=None if request.method == "POST" else {
        "title": amendment.title, "rationale": amendment.rationale,
        "body": preview.merged_text if preview.applies else latest.body, "base_revision": current.number,
    })
    if form.validate_on_submit():
        try:
            services.update_amendment(current_user, amendment, title=form.title.data, rationale=form.rationale.data,
                                      body=form.body.data, base_number=form.base_revision.data)
        except Invalid as error:
            form.apply(error)
        else:
            flash(_("Amendment %(number)s updated.", number=number), "success")
            return redirect(url_for(".show", slug=slug, number=number))
    status = 422 if form.errors or form.form_errors else 200
    stale_rows = None if preview.applies else side_by_side(diff_words(current.body, latest.body))
    return render_template("amendments/edit.html", document=document, amendment=amendment, latest=latest,
                           current=current, preview=preview, form=form, stale_rows=stale_rows,
                           base_number=_base_shown(form, current.number)), status


def _base_shown(form: AmendmentForm, fallback: int) -> int:
    raw = form.base_revision.data
    return int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 10 else fallback


# --- actions ---------------------------------------------------------------------------------------------

def _load(slug: str, number: int, action: Action) -> Amendment:
    amendment = services.get_amendment(documents.get_document(slug), number)
    require(current_user, action, amendment)
    return amendment


def _back(amendment: Amendment, anchor: str | None = None) -> Any:
    return redirect(url_for(".show", slug=amendment.document.slug, number=amendment.number, _anchor=anchor))


@bp.post("/documents/<slug>/amendments/<int:number>/support")
def support(slug: str, number: int) -> Any:
    amendment = services.support(current_user, _load(slug, number, Action.AMENDMENT_SUPPORT))
    flash(_("You support amendment %(number)s.", number=number), "success")
    return _back(amendment, "supporters")


@bp.post("/documents/<slug>/amendments/<int:number>/unsupport")
def unsupport(slug: str, number: int) -> Any:
    amendment = services.unsupport(current_user, _load(slug, number, Action.AMENDMENT_SUPPORT))
    flash(_("You no longer support amendment %(number)s.", number=number), "info")
    return _back(amendment, "supporters")


@bp.post("/documents/<slug>/amendments/<int:number>/withdraw")
def withdraw(slug: str, number: int) -> Any:
    amendment = services.withdraw_amendment(current_user, _load(slug, number, Action.AMENDMENT_WITHDRAW))
    flash(_("Amendment %(number)s is withdrawn.", number=number), "success")
    return _back(amendment)


@bp.post("/documents/<slug>/amendments/<int:number>/accept")
def accept(slug: str, number: int) -> Any:
    amendment = _load(slug, number, Action.AMENDMENT_DECIDE)
    form = DecisionForm(prefix="accept")
    if form.validate_on_submit():
        try:
            amendment, revision = services.accept_amendment(current_user, amendment, form.note.data)
        except EditConflict as conflict:
            return _accept_conflict_page(amendment, conflict)
        except Invalid as error:
            form.apply(error)
        else:
            flash(_("Amendment %(number)s accepted: the text is now revision %(revision)s.", number=number,
                    revision=revision.number), "success")
            return _back(amendment)
    return _show_page(amendment, accept_form=form, status=422)


def _accept_conflict_page(amendment: Amendment, conflict: EditConflict) -> tuple[str, int]:
    return render_template("amendments/conflict.html", document=amendment.document, amendment=amendment,
                           conflict=conflict, current=conflict.current), 409


@bp.post("/documents/<slug>/amendments/<int:number>/reject")
def reject(slug: str, number: int) -> Any:
    amendment = _load(slug, number, Action.AMENDMENT_DECIDE)
    form = DecisionForm(prefix="reject")
    if form.validate_on_submit():
        try:
            amendment = services.reject_amendment(current_user, amendment, form.note.data)
        except Invalid as error:
            form.apply(error)
        else:
            flash(_("Amendment %(number)s rejected.", number=number), "success")
            return _back(amendment)
    return _show_page(amendment, reject_form=form, status=422)


@bp.post("/documents/<slug>/amendments/<int:number>/comments")
@csrf.exempt  # a long comment survives an expired token: the form checks it and comes back with the text
def comment(slug: str, number: int) -> Any:
    amendment = _load(slug, number, Action.AMENDMENT_COMMENT)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            posted = services.add_comment(current_user, amendment, form.body.data)
        except Invalid as error:
            form.apply(error)
        else:
            flash(_("Your comment is posted."), "success")
            return _back(amendment, f"comment-{posted.id}")
    return _show_page(amendment, comment_form=form, status=422)


@bp.context_processor
def _limits() -> dict[str, Any]:
    # Lengths for maxlength attributes, so that templates never restate a rule's number.
    return {"limits": {"title": models.TITLE_MAX, "rationale": models.RATIONALE_MAX, "note": models.NOTE_MAX,
                       "comment": models.COMMENT_MAX}}

