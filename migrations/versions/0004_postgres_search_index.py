"""PostgreSQL search index: search_entries (tsvector + GIN) and search_words

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 10:12:40.118207

"""
import logging

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

log = logging.getLogger('alembic.runtime.migration')


def upgrade():
    op.create_table('search_entries',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('excerpt', sa.Text(), nullable=False),
    sa.Column('excerpt_folded', sa.Text(), nullable=False),
    sa.Column('area', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('parties', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('search_vector', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_search_entries'))
    )
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.create_index('ix_search_entries_search_vector', ['search_vector'], unique=False,
                              postgresql_using='gin')
        batch_op.create_index(batch_op.f('ix_search_entries_updated_at'), ['updated_at'], unique=False)

    op.create_table('search_words',
    sa.Column('word', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('word', name=op.f('pk_search_words'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        _try_create_extension('pg_trgm')


def _try_create_extension(name):
    """pg_trgm makes "did you mean" find misspelt first letters too; the backend works without it, so a
    database user who may not create it gets a warning, not a failed migration."""
    bind = op.get_bind()
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text(f'CREATE EXTENSION IF NOT EXISTS {name}'))
    except sa.exc.DBAPIError as error:
        savepoint.rollback()
        log.warning('could not create extension %s (search suggestions work without it): %s', name, error.orig)
    else:
        savepoint.commit()


def downgrade():
    # pg_trgm stays: other tables or databases may use it.
    op.drop_table('search_words')
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_entries_updated_at'))
        batch_op.drop_index('ix_search_entries_search_vector')

    op.drop_table('search_entries')
