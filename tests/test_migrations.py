"""The migrations build, from an empty database, exactly the schema the models describe."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from policyhub.extensions import db


def migrate_empty_database() -> None:
    """Drop everything, alembic's own table included (PostgreSQL keeps one database per session)."""
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()


def test_migrations_from_empty_database_match_the_models(app):
    migrate_empty_database()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
    assert "alembic_version" in inspect(db.engine).get_table_names()


def test_demo_loads_on_a_migrated_database(app):
    migrate_empty_database()
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0 and "Demo loaded" in result.output
