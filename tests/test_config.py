"""Configuration layers, the instance secret, database URLs."""
from __future__ import annotations

from policyhub import create_app
from policyhub.config import normalise_database_url


def test_secret_key_is_generated_once_and_kept_in_the_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYHUB_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.delenv("POLICYHUB_SECRET_KEY", raising=False)
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second and len(first) == 64
    secret_file = tmp_path / "inst" / "secret_key"
    assert secret_file.read_text() == first and (secret_file.stat().st_mode & 0o777) == 0o600


def test_environment_overrides_instance_file_and_defaults(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text("SEARCH_BACKEND = 'from-file'\nLOGIN_RATE_LIMIT = '3/minute'\n")
    monkeypatch.setenv("POLICYHUB_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("POLICYHUB_SEARCH_BACKEND", "postgres")
    app = create_app()
    assert app.config["SEARCH_BACKEND"] == "postgres"
    assert app.config["LOGIN_RATE_LIMIT"] == "3/minute"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'policyhub.db'}"


def test_database_url_from_environment_with_plain_fallback(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYHUB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("POLICYHUB_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/ph")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/ph"
    monkeypatch.setenv("POLICYHUB_DATABASE_URL", "sqlite:////tmp/x.db")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/x.db"


def test_test_config_wins_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYHUB_DATABASE_URL", "postgresql://prod.example/policyhub")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/t.db",
                      "SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/t.db"


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgresql://a@b/c") == "postgresql+psycopg://a@b/c"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_cookies_are_secure_and_host_prefixed_unless_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYHUB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("POLICYHUB_SECURE_COOKIES", raising=False)
    production = create_app().config
    assert production["SECURE_COOKIES"] is True
    assert production["SESSION_COOKIE_NAME"] == "__Host-session" and production["SESSION_COOKIE_SECURE"]
    assert production["REMEMBER_COOKIE_NAME"].startswith("__Host-") and production["REMEMBER_COOKIE_SECURE"]
    assert production["REMEMBER_COOKIE_DURATION"].days == 14  # weeks, not flask-login's year

    monkeypatch.setenv("POLICYHUB_SECURE_COOKIES", "0")  # `make run` on plain HTTP
    development = create_app().config
    assert development["SECURE_COOKIES"] is False
    assert development["SESSION_COOKIE_NAME"] == "session" and not development["SESSION_COOKIE_SECURE"]
    assert create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path)}).config["SECURE_COOKIES"] is False
