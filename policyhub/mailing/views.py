"""The unsubscribe link's page, and the account page's mail preferences form."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from policyhub.errors import BadRequest, Invalid, NotFound
from policyhub.extensions import csrf
from policyhub.i18n import translated
from policyhub.mailing import preferences, unsubscribe as unsubscribing
from policyhub.mailing.forms import MailPreferencesForm

bp = Blueprint("mailing", __name__)


def _private(body: str, status: int = 200) -> Any:
    """The link's token is in the address: never cached, never named in a Referer sent elsewhere."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail clients POST here without a page (RFC 8058 one-click); the signed token is the authority
def unsubscribe(token: str) -> Any:
    """GET shows what the link stops, with a button, and changes nothing (mail scanners open every link);
    POST stops it. No sign-in needed."""
    try:
        if request.method == "GET":
            found = unsubscribing.read_token(token)
            return _private(render_template(
                "mailing/unsubscribe.html", found=found, token=token,
                address=unsubscribing.masked_address(found.user)))
        found = unsubscribing.unsubscribe(token)
    except (BadRequest, NotFound) as error:
        return _private(render_template("mailing/unsubscribe_invalid.html", message=translated(error.message),
                                        status=error.status), error.status)
    return _private(render_template("mailing/unsubscribed.html", found=found,
                                    address=unsubscribing.masked_address(found.user)))


@bp.post("/account/mail")
@login_required
def set_preferences() -> Any:
    """Self-scoped: changes only the signed-in person's own choices (the service refuses anyone else's)."""
    from policyhub.accounts.views import account_page  # the account page owns the rest of the page

    form = MailPreferencesForm()
    if form.validate_on_submit():
        try:
            preferences.set_preferences(current_user, current_user, form.choices_for(current_user))
        except Invalid as error:
            form.apply(error)
        else:
            flash(_("Your email choices are saved."), "success")
            return redirect(url_for("accounts.account") + "#mail")
    return account_page(mail_form=form), 422
