"""The "who wrote what" page: a revision's Markdown source with each passage linked to the revision that
introduced it, coloured by party or by revision (plain links switch: no JavaScript needed)."""
from __future__ import annotations

from flask import render_template, request

from policyhub.documents import bp, provenance as provenance_service, services
from policyhub.errors import N_, BadRequest
from policyhub.pagecache import immutable_for_visitors, visitor_cached
from policyhub.web import int_arg

COLOURINGS = ("party", "revision")
SHADES = 6  # colour-by-revision cycles through this many shades (provenance.css)


@bp.get("/documents/<slug>/provenance")
@visitor_cached
def provenance(slug: str) -> str:
    document = services.get_document(slug)
    number = int_arg("revision", document.current_number) or document.current_number
    colour = request.args.get("colour") or "party"
    if colour not in COLOURINGS:
        raise BadRequest(N_("colour must be 'party' or 'revision'."))
    found = provenance_service.provenance(document, number)
    if "revision" in request.args and number < document.current_number:
        immutable_for_visitors()  # an old revision's text never changes (its authors' names may: a day)
    # Neighbouring contributions get different shades however far apart their numbers are.
    shades = {item.revision.number: index % SHADES for index, item in enumerate(found.contributions)}
    return render_template("documents/provenance.html", document=document, provenance=found,
                           revision=found.revision, colour=colour, shades=shades,
                           is_current=number == document.current_number)
