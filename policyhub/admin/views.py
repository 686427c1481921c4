"""Administration: parties, people and their roles, the audit log."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from policyhub.accounts.models import User
from policyhub.admin import bp
from policyhub.admin.forms import ActiveForm, MembershipAdminForm
from policyhub.errors import Invalid
from policyhub.extensions import db
from policyhub.parties import audit, services as parties
from policyhub.parties.forms import PartyForm
from policyhub.permissions import Action, require
from policyhub.reauth import recent_auth_required
from policyhub.web import int_arg

USERS_PER_PAGE = 50


@bp.before_request
def _admins_only() -> None:
    require(current_user, Action.ADMIN_ACCESS)


@bp.get("/")
def index() -> str:
    return render_template("admin/index.html", parties=parties.list_parties(), party_form=PartyForm(),
                           pending=parties.pending_requests(current_user))


@bp.post("/parties")
def create_party() -> Any:
    require(current_user, Action.PARTY_MANAGE)
    form = PartyForm()
    if form.validate_on_submit():
        try:
            party = parties.create_party(current_user, form.slug.data, form.name.data, form.colour.data)
        except Invalid as error:
            form.apply(error)
        else:
            flash(_("Party %(name)s added.", name=party.name), "success")
            return redirect(url_for(".index"))
    return render_template("admin/index.html", parties=parties.list_parties(), party_form=form,
                           pending=parties.pending_requests(current_user)), 422


@bp.route("/parties/<slug>", methods=["GET", "POST"])
def edit_party(slug: str) -> Any:
    party = parties.get_party(slug)
    require(current_user, Action.PARTY_MANAGE, party)
    form = PartyForm(obj=party)
    if form.validate_on_submit():
        try:
            parties.update_party(current_user, party, form.name.data, form.colour.data)
        except Invalid as error:
            form.apply(error)
        else:
            flash(_("Party %(name)s updated.", name=party.name), "success")
            return redirect(url_for(".index"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("admin/party.html", party=party, form=form), status


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _membership_form(user: User | None = None) -> MembershipAdminForm:
    membership = user.membership if user is not None else None
    form = MembershipAdminForm(party=membership.party.slug if membership else None,
                               role=membership.role if membership else "member")
    form.party.choices = {party.slug: party.name for party in parties.list_parties()}
    return form


@bp.get("/users")
def users() -> str:
    query_text = (request.args.get("q") or "").strip()[:100]
    page = int_arg("page", 1) or 1
    query = select(User)
    if query_text:
        pattern = f"%{query_text.lower()}%"
        query = query.where(or_(func.lower(User.email).like(pattern), func.lower(User.name).like(pattern)))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    people = list(db.session.scalars(query.order_by(User.name).offset((page - 1) * USERS_PER_PAGE)
                                      .limit(USERS_PER_PAGE)))
    return render_template("admin/users.html", users=people, total=total, page=page, q=query_text,
                           pages=max(1, -(-total // USERS_PER_PAGE)), active_form=ActiveForm())


@bp.get("/users/<int:user_id>")
def user(user_id: int) -> str:
    person = _user(user_id)
    return render_template("admin/user.html", person=person, form=_membership_form(person),
                           active_form=ActiveForm())


@bp.post("/users/<int:user_id>/membership")
@recent_auth_required
def set_membership(user_id: int) -> Any:
    person = _user(user_id)
    require(current_user, Action.ROLE_ASSIGN, person)
    form = _membership_form()
    if not form.validate_on_submit():
        abort(400, _("Choose a party and a role from those offered."))
    party = parties.get_party(form.party.data)
    membership = person.membership
    if membership is not None and membership.is_approved and membership.party_id == party.id:
        parties.set_role(current_user, membership, form.role.data)
    else:
        parties.add_member(current_user, person, party, form.role.data)
    if form.role.data == "lead":
        flash(_("%(name)s is now lead of %(party)s.", name=person.name, party=party.name), "success")
    else:
        flash(_("%(name)s is now member of %(party)s.", name=person.name, party=party.name), "success")
    return redirect(url_for(".user", user_id=user_id))


@bp.post("/users/<int:user_id>/membership/remove")
@recent_auth_required
def remove_membership(user_id: int) -> Any:
    person = _user(user_id)
    require(current_user, Action.ROLE_ASSIGN, person)
    if person.membership is None:
        abort(404)
    parties.remove_membership(current_user, person.membership)
    flash(_("%(name)s no longer belongs to a party.", name=person.name), "success")
    return redirect(url_for(".user", user_id=user_id))


@bp.post("/users/<int:user_id>/active")
@recent_auth_required
def set_active(user_id: int) -> Any:
    person = _user(user_id)
    require(current_user, Action.USER_MANAGE, person)
    form = ActiveForm()
    if not form.validate_on_submit() or form.active.data not in ("0", "1"):
        abort(400)
    parties.set_user_active(current_user, person, form.active.data == "1")
    if person.is_active:
        flash(_("%(name)s is active again.", name=person.name), "success")
    else:
        flash(_("%(name)s is deactivated.", name=person.name), "success")
    return redirect(url_for(".user", user_id=user_id))


@bp.get("/audit")
def audit_log() -> str:
    require(current_user, Action.AUDIT_READ)
    page = int_arg("page", 1) or 1
    per_page = 50
    events, total = audit.list_events(page, per_page, action_prefix=request.args.get("action") or None)
    return render_template("admin/audit.html", events=events, total=total, page=page,
                           pages=max(1, -(-total // per_page)))
