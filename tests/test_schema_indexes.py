"""Every foreign key has an index that starts with its columns: deleting or looking up the parent row, and
every join along the key, then never scans the child table, however large it grows (a document's 10,000
revisions, a party's members)."""
from __future__ import annotations

from sqlalchemy import inspect

from policyhub.extensions import db


def leading_columns(inspector, table: str) -> list[tuple[str, ...]]:
    """Column lists that some index can be searched by: indexes, unique constraints and the primary key."""
    found = [tuple(index["column_names"]) for index in inspector.get_indexes(table)]
    found += [tuple(unique["column_names"]) for unique in inspector.get_unique_constraints(table)]
    found.append(tuple(inspector.get_pk_constraint(table)["constrained_columns"]))
    return found


def test_every_foreign_key_is_indexed(app):
    inspector = inspect(db.engine)
    unindexed = []
    for table in inspector.get_table_names():
        indexed = leading_columns(inspector, table)
        for key in inspector.get_foreign_keys(table):
            columns = tuple(key["constrained_columns"])
            if not any(candidate[:len(columns)] == columns for candidate in indexed):
                unindexed.append(f"{table}({', '.join(columns)}) -> {key['referred_table']}")
    assert unindexed == []
