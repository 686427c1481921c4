"""Every route that changes state is accounted for: each endpoint accepting POST, PUT, PATCH or DELETE (read
from the app's url_map, so a route added anywhere shows up here) is either covered by rows of the
authorization matrix (tests/test_permission_matrix.py), or public or self-scoped by design, for the reason
given. A new state-changing route fails this test until someone says who may use it and proves it there."""
from __future__ import annotations

from tests.test_permission_matrix import HTML_ONLY, MATRIX

from .world import is_api, state_changing_rules

PUBLIC = "public by design"

# endpoint -> the matrix actions whose rows prove its rule, or why it needs none.
INVENTORY: dict[str, tuple[str, ...] | str] = {
    # accounts
    "accounts.login": f"{PUBLIC}: signing in; rate-limited per address (LOGIN_RATE_LIMIT)",
    "accounts.logout": "ends the caller's own session, whoever they are; CSRF-protected so no other site can",
    "accounts.register": f"{PUBLIC}: registering; rate-limited, and the account waits for the emailed link",
    "accounts.confirm_email": f"{PUBLIC}: the emailed link's signed token is the authority (tests/accounts)",
    "accounts.forgot_password": f"{PUBLIC}: same answer for every address; rate-limited (tests/accounts)",
    "accounts.reset_password": f"{PUBLIC}: the emailed link's signed token is the authority (tests/accounts)",
    "accounts.change_password": "the caller's own password, behind their current one (tests/accounts)",
    "accounts.language": (f"{PUBLIC}: a visitor's GET sets only their own language cookie; a signed-in POST saves "
                          "their own choice (Action.ACCOUNT_SETTINGS), CSRF-protected (tests/test_i18n.py)"),
    "accounts.request_membership": ("request_membership",),
    "accounts.create_token": ("create_token",),
    "accounts.revoke_token": ("revoke_token",),
    # administration
    "admin.create_party": ("create_party",),
    "admin.edit_party": ("edit_party",),
    "admin.set_membership": ("set_membership",),
    "admin.remove_membership": ("remove_membership",),
    "admin.set_active": ("set_active",),
    # documents
    "documents.new": ("create",),
    "documents.edit": ("edit",),
    "documents.revert": ("revert",),
    "documents.set_status": ("set_status",),
    # amendments
    "amendments.new": ("propose",),
    "amendments.edit": ("update",),
    "amendments.support": ("support",),
    "amendments.unsupport": ("unsupport",),
    "amendments.comment": ("comment",),
    "amendments.withdraw": ("withdraw",),
    "amendments.accept": ("accept",),
    "amendments.reject": ("reject",),
    # endorsements
    "endorsements.endorse": ("endorse",),
    "endorsements.withdraw": ("withdraw_endorsement",),
    "endorsements.mark_red_line": ("mark_red_line",),
    "endorsements.clear_red_line": ("clear_red_line",),
    "endorsements.verify": f"{PUBLIC}: checks a pasted receipt or text against the record and changes nothing; "
                           "its POST carries a CSRF token like every form",
    "endorsements.set_rule": ("set_rule",),
    # mail
    "mailing.unsubscribe": f"{PUBLIC}: the mailed link's signed token (itsdangerous, the app's secret) is the "
                           "authority and can only turn that person's mail off; its POST is CSRF-exempt for "
                           "RFC 8058 one-click unsubscribes from mail clients (tests/mailing/test_unsubscribe.py)",
    "mailing.set_preferences": "self-scoped by design: changes only the signed-in person's own mail choices, "
                               "the service refuses anyone else's; CSRF-protected (tests/mailing)",
    # notifications
    "notifications.watch": ("watch",),
    "notifications.unwatch": ("unwatch",),
    "notifications.mark_read": ("read_notification",),
    "notifications.open_notification": ("open_notification",),
    "notifications.mark_all_read": ("read_all_notifications",),
    # parties
    "parties.decide": ("decide_membership",),
    # the JSON API (bearer tokens only; its cells are the matrix's "api" channel)
    "api.create_document": ("create",),
    "api.save_document": ("edit",),
    "api.set_status": ("set_status",),
    "api.propose_amendment": ("propose",),
    "api.support_amendment": ("support",),
    "api.unsupport_amendment": ("unsupport",),
    "api.withdraw_amendment": ("withdraw",),
    "api.accept_amendment": ("accept",),
    "api.reject_amendment": ("reject",),
    "api.endorse": ("endorse",),
    "api.withdraw_endorsement": ("withdraw_endorsement",),
    "api.mark_red_line": ("mark_red_line",),
    "api.clear_red_line": ("clear_red_line",),
    "api.verify_receipt": f"{PUBLIC}: checks a receipt or a text against the record and changes nothing "
                          "(API.md: anyone, no token)",
    "api.set_rule": ("set_rule",),
}


def test_every_state_changing_route_is_in_the_inventory(app):
    missing = sorted({f"{rule.endpoint} ({', '.join(sorted(rule.methods - {'HEAD', 'OPTIONS'}))} {rule.rule})"
                      for rule in state_changing_rules(app) if rule.endpoint not in INVENTORY})
    assert not missing, ("state-changing routes nobody has accounted for: add each to INVENTORY with the "
                         f"matrix rows that cover it, or the reason it needs none: {missing}")


def test_every_inventory_entry_is_still_a_state_changing_route(app):
    existing = {rule.endpoint for rule in state_changing_rules(app)}
    gone = sorted(set(INVENTORY) - existing)
    assert not gone, f"in INVENTORY but no longer a state-changing route: {gone}"


def test_covering_actions_have_rows_in_the_matrix_for_the_right_channel(app):
    actions = {action for action, _target in MATRIX}
    rules = {rule.endpoint: rule for rule in state_changing_rules(app)}
    problems = []
    for endpoint, cover in INVENTORY.items():
        if isinstance(cover, str) or endpoint not in rules:
            continue
        if not cover or not set(cover) <= actions:
            problems.append(f"{endpoint}: no matrix rows named {sorted(set(cover) - actions)}")
        elif is_api(rules[endpoint]) and set(cover) & HTML_ONLY:
            problems.append(f"{endpoint} is an API route, but the rows of {sorted(set(cover) & HTML_ONLY)} "
                            "run on the pages only")
    assert not problems, problems


def test_every_matrix_action_covers_some_route():
    covered = {action for cover in INVENTORY.values() if not isinstance(cover, str) for action in cover}
    assert {action for action, _target in MATRIX} <= covered


def test_reasons_are_stated():
    for endpoint, cover in INVENTORY.items():
        if isinstance(cover, str):
            assert len(cover) > 20, f"{endpoint}: say why no matrix row covers it"
