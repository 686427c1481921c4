"""JSON API v1 routes for endorsement receipts (API.md): an endorsement's receipt, and the public check of
a receipt or of a text against the record. The check needs no token: anyone holding a receipt may ask."""
from __future__ import annotations

from typing import Any

from policyhub.api import bp
from policyhub.api.parsing import json_body, optional_integer_field, text_field
from policyhub.endorsements import receipts
from policyhub.errors import BadRequest, Invalid


@bp.get("/endorsements/<int:id>/receipt")
def endorsement_receipt(id: int) -> dict[str, Any]:  # noqa: A002  (the path names it "id", as API.md does)
    return receipts.receipt(receipts.get_endorsement(id))


@bp.post("/receipts/verify")
def verify_receipt() -> dict[str, Any]:
    """``{"receipt": {...}}``, or ``{"document", "revision", "text"}`` (the text hashed exactly as sent)."""
    data = json_body()
    if data.get("receipt") is not None:
        if not isinstance(data["receipt"], dict):
            raise BadRequest("'receipt' must be a JSON object: the receipt as GET /endorsements/{id}/receipt "
                             "gives it.")
        return receipts.verify_receipt(data["receipt"]).as_json()
    document = text_field(data, "document")
    revision = optional_integer_field(data, "revision")
    text = text_field(data, "text")
    missing = {name: "Required when no receipt is given." for name, value in
               (("document", document), ("revision", revision), ("text", text)) if value is None}
    if missing:
        raise Invalid("Send a 'receipt', or a 'document', a 'revision' and the 'text' to check.", missing)
    return receipts.verify_text(document, revision, text).as_json()
