"""HTML pages for endorsement receipts: the printable receipt, its JSON download, and the page that checks
a receipt or a pasted text against the record. The rules are in policyhub.endorsements.receipts."""
from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from flask import Response, render_template, request
from flask_babel import gettext as _

from policyhub.endorsements import bp, receipts
from policyhub.endorsements.forms_receipts import VerifyReceiptForm, VerifyTextForm
from policyhub.errors import BadRequest
from policyhub.i18n import translated
from policyhub.pagecache import visitor_cached

_NUMBER = re.compile(r"[0-9]{1,9}")
_DOCUMENT_PATH = re.compile(r"/documents/([^/?#\s]+)")


def _receipt_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@bp.get("/endorsements/<int:endorsement_id>/receipt")
@visitor_cached
def receipt(endorsement_id: int) -> str:
    endorsement = receipts.get_endorsement(endorsement_id)
    data = receipts.receipt(endorsement)
    return render_template("endorsements/receipt.html", endorsement=endorsement, document=endorsement.document,
                           receipt=data, receipt_json=_receipt_json(data))


@bp.get("/endorsements/<int:endorsement_id>/receipt.json")
def receipt_download(endorsement_id: int) -> Response:
    endorsement = receipts.get_endorsement(endorsement_id)
    data = receipts.receipt(endorsement)
    response = Response(_receipt_json(data), mimetype="application/json")
    name = f"receipt-{data['document']}-r{data['revision']}-{data['party']}-{endorsement.id}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _document_slug(raw: str) -> str:
    """A slug, or the slug in a pasted address of a document's page."""
    raw = raw.strip()
    found = _DOCUMENT_PATH.search(raw)
    return found.group(1) if found else raw


def _check_receipt(form: VerifyReceiptForm) -> receipts.Verdict | None:
    raw = (form.receipt.data or "").strip()
    if not raw:
        form.receipt.errors = [*form.receipt.errors, _("Paste a receipt.")]
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as error:
        if isinstance(error, json.JSONDecodeError):
            return receipts.Verdict(False, _("This is not a receipt: it is not valid JSON (line %(line)s, column "
                                             "%(column)s).", line=error.lineno, column=error.colno))
        return receipts.Verdict(False, _("This is not a receipt: it is not valid JSON."))
    try:
        return receipts.verify_receipt(data)
    except BadRequest as error:
        return receipts.Verdict(False, error.message)


def _check_text(form: VerifyTextForm) -> receipts.Verdict | None:
    slug = _document_slug(form.document.data or "")
    number = (form.revision.data or "").strip()
    if not slug:
        form.document.errors = [*form.document.errors, _("Name the document.")]
    if not _NUMBER.fullmatch(number) or int(number) < 1:
        form.revision.errors = [*form.revision.errors, _("Give a revision number (1 or more).")]
    if form.document.errors or form.revision.errors:
        return None
    # Browsers send a textarea's line breaks as CR LF; documents are stored with LF.
    text = (form.text.data or "").replace("\r\n", "\n")
    return receipts.verify_text(slug, int(number), text)


@bp.route("/receipts/verify", methods=["GET", "POST"])
def verify() -> tuple[str, int]:
    """Check a pasted receipt, or a pasted text against a revision. Open to everyone; the POST carries a
    CSRF token like every form (so a visitor gets a session here), and the page is never visitor-cached."""
    receipt_form = VerifyReceiptForm(prefix="receipt", formdata=None)
    text_form = VerifyTextForm(prefix="text", formdata=None,
                               data={"document": request.args.get("document", ""),
                                     "revision": request.args.get("revision", "")})
    verdict = None
    mode = None
    status = 200
    if request.method == "POST":
        mode = "text" if request.form.get("text-mode") == "text" else "receipt"
        if mode == "text":
            text_form = VerifyTextForm(prefix="text")
            form: Any = text_form
        else:
            receipt_form = VerifyReceiptForm(prefix="receipt")
            form = receipt_form
        if not form.validate_on_submit():
            status = 400
        else:
            verdict = _check_text(text_form) if mode == "text" else _check_receipt(receipt_form)
            if verdict is None:
                status = 422
            else:  # the receipts module answers in English (the API's language); the page in the reader's
                verdict = dataclasses.replace(verdict, reason=translated(verdict.reason))
    return render_template("endorsements/verify.html", receipt_form=receipt_form, text_form=text_form,
                           verdict=verdict, mode=mode), status
