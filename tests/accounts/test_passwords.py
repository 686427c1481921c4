"""Password rules: 12 to 1,024 characters, no composition rules, not a commonly used password (Django's list,
compared case-insensitively), not the email or name; hashed with the configured method."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from policyhub.accounts import passwords, services
from policyhub.demo.content import DEMO_PASSWORD
from policyhub.errors import Invalid
from policyhub.validation import Checker

from .conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def problem(password: str, *, email: str = "ann@example.org", name: str = "Ann Other") -> str | None:
    checker = Checker()
    passwords.check_new_password(checker, "password", password, email=email, user_name=name)
    return checker.errors.get("password")


@pytest.mark.parametrize("password", ["password1234", "PassWord1234", " QwertyAsdfgh ", "111111111111"])
def test_common_passwords_are_refused_whatever_their_case(app, password):
    assert "commonly used" in problem(password)


@pytest.mark.parametrize("password", ["ann@example.org", "ANN@Example.org", "ann other-person", " Ann Other-Person "])
def test_the_email_or_name_is_refused_as_a_password(app, password):
    assert "must not be your email address or your name" in problem(password, name="Ann Other-Person")


@pytest.mark.parametrize("password", [
    "a" * 12, "x" * 1024, "alllowercasewords", "no digits or symbols here", "🔒" * 12, PASSWORD, DEMO_PASSWORD,
])
def test_long_enough_uncommon_passwords_need_no_particular_characters(app, password):
    assert problem(password) is None


@pytest.mark.parametrize("password, message", [("a" * 11, "at least 12"), ("a" * 1025, "at most 1024")])
def test_length_limits(app, password, message):
    assert message in problem(password)


def test_the_passwords_used_by_the_demo_and_the_tests_are_not_on_the_list():
    common = passwords.common_passwords()
    assert len(common) > 19_000 and "password" in common
    assert DEMO_PASSWORD.lower() not in common and PASSWORD.lower() not in common


def test_the_list_is_read_once_when_first_needed(app, monkeypatch):
    passwords.common_passwords.cache_clear()
    reads = []
    real_open = passwords.gzip.open

    def counting_open(*args, **kwargs):
        reads.append(args[0])
        return real_open(*args, **kwargs)

    monkeypatch.setattr(passwords.gzip, "open", counting_open)
    assert "at least 12" in problem("too short")
    assert reads == []  # a password refused for its length never needs the list
    problem("first uncommon password")
    problem("second uncommon password")
    assert reads == [passwords.COMMON_PASSWORDS_FILE]


def test_the_list_ships_with_the_package():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = data["tool"]["setuptools"]["package-data"]["policyhub.accounts"]
    assert passwords.COMMON_PASSWORDS_FILE.name in shipped
    assert passwords.COMMON_PASSWORDS_FILE.is_file()


def test_registration_applies_the_rules(app):
    with pytest.raises(Invalid) as error:
        services.register_user("bea@example.org", "Bea", "Password1234", confirmed=True)
    assert "commonly used" in error.value.fields["password"]
    with pytest.raises(Invalid) as error:
        services.register_user("bea.long.address@example.org", "Bea", "BEA.LONG.ADDRESS@example.org",
                               confirmed=True)
    assert "email address" in error.value.fields["password"]


def test_passwords_are_hashed_with_the_configured_method(make_app, app_config):
    scrypt_app = make_app(PASSWORD_HASH_METHOD="scrypt")
    with scrypt_app.app_context():
        assert services.hash_password(PASSWORD).startswith("scrypt:")
    from policyhub.config import Defaults
    assert Defaults.PASSWORD_HASH_METHOD == "scrypt"
