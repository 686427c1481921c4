"""The interface language a person chose

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 13:20:00.000000

NULL for everyone until they choose: their browser's Accept-Language decides meanwhile.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('locale', sa.String(length=8), nullable=True))


def downgrade():
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ and PostgreSQL): batch mode would copy and drop the
    # users table on SQLite, and with foreign keys on, dropping it deletes every row that cascades from it.
    op.execute('ALTER TABLE users DROP COLUMN locale')
