"""Party pages, membership decisions for leads, and the party colours stylesheet."""
from __future__ import annotations

import hashlib
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from policyhub.parties import bp, services
from policyhub.parties.forms import DecisionForm
from policyhub.permissions import Action, require
from policyhub.web import safe_next


@bp.get("/parties")
def index() -> str:
    parties = services.list_parties()
    return render_template("parties/index.html", parties=parties,
                           members={party.id: services.members_of(party) for party in parties})


@bp.get("/parties/<slug>")
def show(slug: str) -> str:
    party = services.get_party(slug)
    return render_template("parties/show.html", party=party, members=services.members_of(party))


@bp.get("/parties/requests")
@login_required
def requests() -> str:
    return render_template("parties/requests.html", pending=services.pending_requests(current_user),
                           form=DecisionForm())


@bp.post("/parties/requests/<int:membership_id>")
@login_required
def decide(membership_id: int) -> Any:
    membership = services.get_membership(membership_id)
    require(current_user, Action.MEMBERSHIP_DECIDE, membership)
    form = DecisionForm()
    if not form.validate_on_submit() or form.decision.data not in ("approve", "decline"):
        abort(400, "Choose approve or decline.")
    services.decide_membership(current_user, membership, approve=form.decision.data == "approve")
    if membership.is_approved:
        flash(_("%(name)s's request to join %(party)s approved.", name=membership.user.name,
                party=membership.party.name), "success")
    else:
        flash(_("%(name)s's request to join %(party)s declined.", name=membership.user.name,
                party=membership.party.name), "success")
    return redirect(safe_next(request.args.get("next"), url_for(".requests")))


@bp.app_context_processor
def _pending_request_count() -> dict[str, Any]:
    # A callable, so that only pages that show the navigation pay for the count (never the error page).
    return {"pending_request_count": lambda: services.pending_request_count(current_user)}


@bp.get("/parties.css")
def stylesheet() -> Response:
    """Party colours as CSS custom properties, so that pages need no inline styles."""
    rules = [f".party-{party.slug} {{ --party: {party.colour}; }}" for party in services.list_parties()]
    css = "\n".join(rules) + "\n"
    response = Response(css, mimetype="text/css")
    response.set_etag(hashlib.sha256(css.encode()).hexdigest()[:16])
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response.make_conditional(request)
