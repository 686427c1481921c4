"""Forms of the receipt check page: a pasted receipt, or a document, a revision and a pasted text. They
carry values; policyhub.endorsements.receipts decides."""
from __future__ import annotations

from wtforms import HiddenField, StringField, TextAreaField

from policyhub.forms import Form


class VerifyReceiptForm(Form):
    mode = HiddenField(default="receipt")
    receipt = TextAreaField("Receipt (JSON)",
                            description="Paste the whole receipt, from { to }, as downloaded or copied from its page.")


class VerifyTextForm(Form):
    mode = HiddenField(default="text")
    document = StringField("Document",
                           description="The document's short name as in its address: /documents/<short-name>.")
    revision = StringField("Revision number")
    text = TextAreaField("Text (Markdown)",
                         description="Paste the exact Markdown of that revision. Line endings are taken as LF.")
