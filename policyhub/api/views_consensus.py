"""JSON API v1 routes for consensus clause by clause (API.md): a document's clauses × parties stances with
its decision rule and whether it is agreed under it, setting the rule, and its common ground."""
from __future__ import annotations

from typing import Any

from policyhub.api import bp, serializers
from policyhub.api.auth import acting
from policyhub.api.parsing import json_body, optional_integer_field, text_field
from policyhub.documents.services import get_document
from policyhub.endorsements import consensus
from policyhub.pagecache import visitor_cached
from policyhub.permissions import Action


@bp.get("/documents/<slug>/consensus")
@visitor_cached
def document_consensus(slug: str) -> dict[str, Any]:
    """The rule, whether the document is agreed under it, and each party's stance on each current clause."""
    view = consensus.consensus(get_document(slug))
    return {"rule": view.rule.as_dict(), "agreed": view.agreed,
            "clauses": [{"id": row.clause.key, "stances": dict(row.stances)} for row in view.rows]}


@bp.put("/documents/<slug>/rule")
def set_rule(slug: str) -> dict[str, Any]:
    """Set the decision rule (leads, admins): ``{"kind": "all"}`` or ``{"kind": "k_of_n", "k": n}``."""
    document = get_document(slug)
    user = acting(Action.DOCUMENT_SET_RULE, document)
    data = json_body()
    rule = consensus.set_rule(user, document, text_field(data, "kind"), optional_integer_field(data, "k"))
    return rule.as_dict()


@bp.get("/documents/<slug>/common-ground")
@visitor_cached
def common_ground(slug: str) -> dict[str, Any]:
    """The current revision's clauses that every party endorses at the current text, and them as Markdown."""
    ground = consensus.common_ground(get_document(slug))
    return {"revision": ground.revision, "clauses": [serializers.clause(clause) for clause in ground.clauses],
            "markdown": ground.markdown}
