"""Mail preferences and the outgoing mail queue

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 11:00:00.000000

No existing rows change: people without a preference row get the default cadence of each kind.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mail_preferences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('cadence', sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mail_preferences_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_preferences')),
        sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_mail_preferences_user_id_kind')),
    )
    op.create_index(op.f('ix_mail_preferences_user_id'), 'mail_preferences', ['user_id'], unique=False)
    op.create_table(
        'outgoing_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('to_address', sa.String(length=320), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('html', sa.Text(), nullable=False),
        sa.Column('headers', sa.JSON(), nullable=False),
        sa.Column('dedupe_key', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('failed_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.Text(), server_default='', nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outgoing_mail_user_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_mail')),
        sa.UniqueConstraint('dedupe_key', name=op.f('uq_outgoing_mail_dedupe_key')),
    )
    op.create_index(op.f('ix_outgoing_mail_user_id'), 'outgoing_mail', ['user_id'], unique=False)
    op.create_index(op.f('ix_outgoing_mail_next_attempt_at'), 'outgoing_mail', ['next_attempt_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_outgoing_mail_next_attempt_at'), table_name='outgoing_mail')
    op.drop_index(op.f('ix_outgoing_mail_user_id'), table_name='outgoing_mail')
    op.drop_table('outgoing_mail')
    op.drop_index(op.f('ix_mail_preferences_user_id'), table_name='mail_preferences')
    op.drop_table('mail_preferences')
