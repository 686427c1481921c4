"""Pages of consensus clause by clause: a document's clauses × parties matrix with its decision rule (and
the form leads and admins set it with), and the common ground of a document and of the whole agenda, as
printable pages and as Markdown downloads. Views load, check ``require``, validate, call one service."""
from __future__ import annotations

from datetime import timezone
from typing import Any

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from policyhub.db import utcnow
from policyhub.documents.models import Document
from policyhub.documents.services import get_document
from policyhub.endorsements import bp, consensus
from policyhub.endorsements.forms_consensus import RuleForm
from policyhub.errors import BadRequest, Invalid
from policyhub.i18n import translated
from policyhub.pagecache import visitor_cached
from policyhub.permissions import Action, can, require
from policyhub.text.rendering import render


def _consensus_page(document: Document, form: RuleForm | None, status: int = 200) -> tuple[str, int]:
    return render_template("endorsements/consensus.html", document=document, view=consensus.consensus(document),
                           form=form), status


@bp.get("/documents/<slug>/consensus")
@visitor_cached
def consensus_page(slug: str) -> tuple[str, int]:
    """The clauses × parties matrix. The rule form is built only for those who may use it: its CSRF token
    would start a session, and a visitor's page must stay the same for every visitor."""
    document = get_document(slug)
    may_set = can(current_user, Action.DOCUMENT_SET_RULE, document)
    return _consensus_page(document, RuleForm.for_rule(consensus.Rule.of(document)) if may_set else None)


# The global CSRF check guards this form (a choice and a number: nothing typed at length to keep).
@bp.post("/documents/<slug>/rule")
def set_rule(slug: str) -> Any:
    """Set the decision rule; redirects to the matrix with a message, or shows the form again with its
    errors and what was sent (422 for a rule that breaks the rules, 400 for malformed input)."""
    document = get_document(slug)
    require(current_user, Action.DOCUMENT_SET_RULE, document)
    form = RuleForm()
    if not form.validate_on_submit():
        return _consensus_page(document, form, 400)
    try:
        rule = consensus.set_rule(current_user, document, form.kind.data, form.k.data)
    except Invalid as error:
        form.apply(error)
        return _consensus_page(document, form, 422)
    except BadRequest as error:
        form.form_errors.append(translated(error.message))
        return _consensus_page(document, form, 400)
    flash(_rule_set_message(document, rule), "success")
    return redirect(url_for(".consensus_page", slug=document.slug))


def _rule_set_message(document: Document, rule: consensus.Rule) -> str:
    """The flash after a rule change, in the reader's language. ``Rule.describe`` stays English: the audit log
    and notifications store its words."""
    if rule.kind == "k_of_n" and rule.k:
        return ngettext("'%(title)s' is now agreed when at least %(num)d party endorses and no party objects.",
                        "'%(title)s' is now agreed when at least %(num)d parties endorse and no party objects.",
                        rule.k, title=document.title)
    return _("'%(title)s' is now agreed when every party endorses.", title=document.title)


# --- common ground ---------------------------------------------------------------------------------------

def _today() -> str:
    return utcnow().astimezone(timezone.utc).date().isoformat()


def _markdown_download(text: str, filename: str) -> Response:
    """``text`` as a Markdown attachment. ``filename`` is made of a slug and a date: nothing to escape."""
    response = Response(text, mimetype="text/markdown")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/documents/<slug>/common-ground")
@visitor_cached
def common_ground(slug: str) -> str:
    """The document's common ground, printable: its Markdown rendered (safely, as every text is)."""
    document = get_document(slug)
    ground = consensus.common_ground(document)
    return render_template("endorsements/common_ground.html", document=document, ground=ground,
                           html=render(ground.markdown).html)


@bp.get("/documents/<slug>/common-ground.md")
def common_ground_markdown(slug: str) -> Response:
    document = get_document(slug)
    return _markdown_download(consensus.common_ground(document).markdown,
                              f"common-ground-{document.slug}-{_today()}.md")


@bp.get("/agenda/common-ground")
@visitor_cached
def agenda_common_ground() -> str:
    view = consensus.agenda_common_ground()
    return render_template("endorsements/agenda_common_ground.html", view=view, html=render(view.markdown).html)


@bp.get("/agenda/common-ground.md")
def agenda_common_ground_markdown() -> Response:
    return _markdown_download(consensus.agenda_common_ground().markdown, f"common-ground-agenda-{_today()}.md")
