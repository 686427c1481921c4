"""Sign in and out, registration with a mailed link, password reset and change, the account page
(membership request, API tokens)."""
from __future__ import annotations

from typing import Any

from flask import (abort, current_app, flash, make_response, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE

from policyhub import i18n
from policyhub.accounts import bp, services
from policyhub.accounts.forms import (ChangePasswordForm, ForgotPasswordForm, LoginForm, MembershipForm,
                                      RegisterForm, ResetPasswordForm, TokenForm)
from policyhub.accounts.models import ApiToken, User
from policyhub.errors import Invalid
from policyhub.extensions import db, limiter
from policyhub.mailing import preferences as mail_preferences
from policyhub.mailing.forms import MailPreferencesForm, preferences_form
from policyhub.parties import services as parties
from policyhub.permissions import Action, can, require
from policyhub.reauth import mark_recent_auth
from policyhub.reauth import recent_auth_required
from policyhub.web import safe_next

JUST_REGISTERED_HINT = _l("Just registered? Follow the link we emailed you to finish creating your account.")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _start_session(user: User, remember: bool = False) -> None:
    session.clear()  # a fresh session on sign-in: nothing from before carries over
    login_user(user, remember=remember)
    mark_recent_auth(session)


def _form_status(form: Any) -> int:
    return 422 if form.errors or form.form_errors else 200


def _private(body: str, status: int = 200) -> Any:
    """A page reached through a mailed link: the link's token is in its address, so the page is never
    cached and never named in a Referer sent to another site."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _bad_link(error: services.BadLink) -> Any:
    return _private(render_template("accounts/invalid_link.html", message=i18n.translated(error.message), purpose=error.purpose,
                                    status=error.status), error.status)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Any:
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            _start_session(user, remember=form.remember.data)
            flash(_("Welcome back, %(name)s.", name=user.name), "success")
            return redirect(safe_next(form.next.data, url_for("documents.index")))
        # The same words for an unknown address, a wrong password and an unconfirmed account.
        form.form_errors.append(_("That email and password do not match an active account."))
    status = 401 if form.form_errors else 200
    return render_template("accounts/login.html", form=form, hint=JUST_REGISTERED_HINT), status


@bp.post("/logout")
def logout() -> Any:
    if current_user.is_authenticated:
        services.end_all_sessions(_me())  # a copied session or remember-me cookie dies with this one
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("documents.index"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def register() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for(".account"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            address = services.start_registration(form.email.data, form.name.data, form.password.data)
        except Invalid as error:
            form.apply(error)
        else:
            # The same page whether or not the address already has an account: only its inbox is told.
            return render_template("accounts/register_sent.html", address=address)
    return render_template("accounts/register.html", form=form), _form_status(form)


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def confirm_email(token: str) -> Any:
    """The mailed link opens a page whose button confirms: a mail scanner that fetches every link must not
    use it up, and a link from someone else's mail must not sign a visitor in without them asking."""
    try:
        if request.method == "GET":
            user = services.user_for_confirmation(token)
            return _private(render_template("accounts/confirm.html", user=user, token=token))
        user = services.confirm_email(token)
    except services.BadLink as error:
        return _bad_link(error)
    _start_session(user)
    flash(_("Your address is confirmed and you are signed in. Ask to join your party below to start editing."),
          "success")
    return redirect(url_for(".account"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password() -> Any:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            address = services.request_password_reset(form.email.data)
        except Invalid as error:
            form.apply(error)
        else:
            return render_template("accounts/forgot_password_sent.html", address=address)
    return render_template("accounts/forgot_password.html", form=form), _form_status(form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str) -> Any:
    form = ResetPasswordForm()
    try:
        user = services.user_for_reset(token)
        if form.validate_on_submit():
            user = services.reset_password(token, form.password.data)
            _start_session(user)
            flash(_("Your new password is set and you are signed in. Every other device was signed out."), "success")
            return redirect(url_for(".account"))
    except services.BadLink as error:
        return _bad_link(error)
    except Invalid as error:
        form.apply(error)
    return _private(render_template("accounts/reset_password.html", form=form, user=user, token=token),
                    _form_status(form))


def _membership_form() -> MembershipForm:
    form = MembershipForm()
    form.party.choices = {party.slug: party.name for party in parties.list_parties()}
    return form


@bp.get("/account")
@login_required
def account() -> str:
    return _account_page(TokenForm())


def _account_page(token_form: TokenForm, new_token: str | None = None,
                  password_form: ChangePasswordForm | None = None,
                  mail_form: MailPreferencesForm | None = None) -> str:
    mail_form = mail_form or preferences_form(mail_preferences.preferences_of(current_user))
    return render_template(
        "accounts/account.html", membership_form=_membership_form(), token_form=token_form,
        tokens=services.list_tokens(current_user), new_token=new_token,
        pending=parties.pending_requests(current_user),
        password_form=password_form or ChangePasswordForm(formdata=None),
        mail_form=mail_form, mail_kinds=mail_form.kinds_for(current_user),
    )


def account_page(*, mail_form: MailPreferencesForm) -> str:
    """The account page showing the mail preferences form as it was sent (policyhub.mailing.views)."""
    return _account_page(TokenForm(formdata=None), mail_form=mail_form)


@bp.route("/language", methods=["GET", "POST"])
def language() -> Any:
    """The footer's switcher and the account page's choice. Visitors' forms use GET, which sets only their
    ``lang`` cookie (a session, and so a CSRF token, would keep their pages out of the page cache); a
    signed-in person POSTs, CSRF-checked, and the choice is saved with their account too."""
    values = request.form if request.method == "POST" else request.args
    code = values.get("lang", "")
    if request.method == "POST" and current_user.is_authenticated:
        services.set_locale(current_user, _me(), code)
    else:
        services.check_locale(code)  # a visitor's cookie names a language; only an account may clear it
    response = redirect(safe_next(values.get("next"), url_for("documents.index")))
    if code:
        response.set_cookie(i18n.COOKIE, code, max_age=i18n.COOKIE_MAX_AGE, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False), httponly=True)
    else:
        response.delete_cookie(i18n.COOKIE)
    return response


@bp.post("/account/password")
@limiter.limit(_login_limit)
@login_required
def change_password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = _me()
        try:
            services.change_password(user, form.current_password.data, form.new_password.data)
        except Invalid as error:
            form.apply(error)
        else:
            # Every other session ended with the old session version; this one carries on under the new.
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE) in request.cookies
            login_user(user, remember=remembered)
            mark_recent_auth(session)
            flash(_("Your password is changed. Every other device was signed out."), "success")
            return redirect(url_for(".account") + "#password")
    return _account_page(TokenForm(formdata=None), password_form=form), 422


@bp.post("/account/membership")
@login_required
def request_membership() -> Any:
    require(current_user, Action.MEMBERSHIP_REQUEST)
    form = _membership_form()
    if not form.validate_on_submit():
        abort(400, _("Choose one of the parties offered."))
    party = parties.get_party(form.party.data)
    parties.request_membership(current_user, party)
    flash(_("Your request to join %(party)s is waiting for one of its leads.", party=party.name), "success")
    return redirect(url_for(".account"))


@bp.post("/account/tokens")
@login_required
@recent_auth_required  # a token outlives the session: minting one is as sensitive as the password
def create_token() -> Any:
    require(current_user, Action.TOKEN_MANAGE, current_user)
    form = TokenForm()
    if form.validate_on_submit():
        try:
            _token, raw = services.create_token(current_user, current_user, form.label.data)
        except Invalid as error:
            form.apply(error)
        else:
            # Shown once, in this response only (never in a cookie); only its hash is stored.
            form = TokenForm(formdata=None)
            return _account_page(form, new_token=raw)
    return _account_page(form), 422


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> Any:
    token = db.session.get(ApiToken, token_id)
    if token is None or not can(current_user, Action.TOKEN_MANAGE, token.user):
        abort(404)
    services.revoke_token(current_user, token)
    flash(_("Token '%(label)s' revoked.", label=token.label or token.id), "success")
    return redirect(url_for(".account") + "#tokens")
