"""Sign in and out, register, the account page (membership request, API tokens)."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from policyhub.accounts import bp, services
from policyhub.accounts.forms import LoginForm, MembershipForm, RegisterForm, TokenForm
from policyhub.accounts.models import ApiToken
from policyhub.errors import Invalid
from policyhub.extensions import db, limiter
from policyhub.parties import services as parties
from policyhub.permissions import Action, can, require
from policyhub.web import safe_next


def _login_limit() -> str:
    from flask import current_app
    return current_app.config["LOGIN_RATE_LIMIT"]


def _start_session(user: Any, remember: bool = False) -> None:
    session.clear()  # a fresh session on sign-in: nothing from before carries over
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Any:
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            _start_session(user, remember=form.remember.data)
            flash(f"Welcome back, {user.name}.", "success")
            return redirect(safe_next(form.next.data, url_for("documents.index")))
        form.form_errors.append("That email and password do not match an active account.")
    status = 401 if form.form_errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout() -> Any:
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("documents.index"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def register() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for(".account"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(form.email.data, form.name.data, form.password.data)
        except Invalid as error:
            form.apply(error)
        else:
            _start_session(user)
            flash("Welcome to PolicyHub. Ask to join your party below to start editing.", "success")
            return redirect(url_for(".account"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("accounts/register.html", form=form), status


def _membership_form() -> MembershipForm:
    form = MembershipForm()
    form.party.choices = {party.slug: party.name for party in parties.list_parties()}
    return form


@bp.get("/account")
@login_required
def account() -> str:
    return _account_page(TokenForm())


def _account_page(token_form: TokenForm, new_token: str | None = None) -> str:
    return render_template(
        "accounts/account.html", membership_form=_membership_form(), token_form=token_form,
        tokens=services.list_tokens(current_user), new_token=new_token,
        pending=parties.pending_requests(current_user),
    )


@bp.post("/account/membership")
@login_required
def request_membership() -> Any:
    require(current_user, Action.MEMBERSHIP_REQUEST)
    form = _membership_form()
    if not form.validate_on_submit():
        abort(400, "Choose one of the parties offered.")
    party = parties.get_party(form.party.data)
    parties.request_membership(current_user, party)
    flash(f"Your request to join {party.name} is waiting for one of its leads.", "success")
    return redirect(url_for(".account"))


@bp.post("/account/tokens")
@login_required
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
    flash(f"Token '{token.label or token.id}' revoked.", "success")
    return redirect(url_for(".account") + "#tokens")
