"""Clause pages: the list of a revision's clauses, one clause's story (text, provenance, history, who endorsed
it), and the readable change record between two revisions. Read-only pages, the same for every visitor."""
from __future__ import annotations

from flask import render_template, request

from policyhub.documents import bp, change_record as change_record_service, clauses, services
from policyhub.documents.clause_story import clause_story
from policyhub.documents.views import compared_numbers
from policyhub.pagecache import immutable_for_visitors, visitor_cached
from policyhub.text.excerpt import excerpt
from policyhub.web import int_arg

EXCERPT_CHARACTERS = 140


@bp.get("/documents/<slug>/clauses")
@visitor_cached
def clause_list(slug: str) -> str:
    document = services.get_document(slug)
    number = int_arg("revision", document.current_number) or document.current_number
    revision = services.get_revision(document, number)
    is_current = number == document.current_number
    if "revision" in request.args and not is_current:
        immutable_for_visitors()  # an old revision's clauses never change
    items = [(clause, excerpt(clause.text, EXCERPT_CHARACTERS)) for clause in clauses.clauses_of(revision)]
    return render_template("documents/clauses.html", document=document, revision=revision, items=items,
                           is_current=is_current)


@bp.get("/documents/<slug>/clauses/<key>")
@visitor_cached
def clause(slug: str, key: str) -> str:
    document = services.get_document(slug)
    story = clause_story(document, key)
    return render_template("documents/clause.html", document=document, story=story)


@bp.get("/documents/<slug>/changes")
@visitor_cached
def changes(slug: str) -> str:
    """Either order; ``to`` defaults to the current revision and ``from`` to the one before ``to``."""
    document = services.get_document(slug)
    old_number, new_number, both_named = compared_numbers(document)
    record = change_record_service.change_record(document, old_number, new_number)
    if both_named and record.new.number < document.current_number:
        # Both ends fixed and in the past: the events between them are all recorded (names may change: a day).
        immutable_for_visitors()
    return render_template("documents/changes.html", document=document, record=record,
                           summary=change_record_service.sentences(record))
