"""Forms of the receipt check page: a pasted receipt, or a document, a revision and a pasted text. They
carry values; policyhub.endorsements.receipts decides."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField

from policyhub.forms import Form


class VerifyReceiptForm(Form):
    mode = HiddenField(default="receipt")
    receipt = TextAreaField(_l("Receipt (JSON)"),
                            description=_l("Paste the whole receipt, from { to }, as downloaded or copied from its "
                                           "page."))


class VerifyTextForm(Form):
    mode = HiddenField(default="text")
    document = StringField(_l("Document"),
                           description=_l("The document's short name as in its address: /documents/<short-name>."))
    revision = StringField(_l("Revision number"))
    text = TextAreaField(_l("Text (Markdown)"),
                         description=_l("Paste the exact Markdown of that revision. Line endings are taken as LF."))
