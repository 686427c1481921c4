"""Clauses with stable keys, scoped and graded endorsements, decision rules, red lines

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 10:00:00.000000

Every existing revision gets its clause keys, matched revision by revision exactly as saves do
(policyhub.text.clause_keys), with the clause events that make each clause's history; each document's head
is rendered again with its clause anchors; each endorsement gets the SHA-256 of the text it endorsed.
Staleness grades are derived data and are computed when first read.
"""
import hashlib

from alembic import op
import sqlalchemy as sa

from policyhub.text import delta
from policyhub.text.clause_keys import plan_keys
from policyhub.text.clauses import split_blocks
from policyhub.text.rendering import render


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

BATCH = 200


def upgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clause_counter', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('rule_kind', sa.String(length=8), server_default='all', nullable=False))
        batch_op.add_column(sa.Column('rule_k', sa.Integer(), nullable=True))
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clause_keys', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('endorsements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('staleness', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('graded_number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('changed_keys', sa.JSON(), nullable=True))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('diff', sa.JSON(), nullable=True))

    op.create_table(
        'clause_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=12), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('origin', sa.String(length=12), nullable=True),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_clause_events_document_id_documents'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_clause_events')),
        sa.UniqueConstraint('document_id', 'key', 'number', name=op.f('uq_clause_events_document_id_key_number')),
    )
    op.create_index('ix_clause_events_document_number', 'clause_events', ['document_id', 'number'], unique=False)
    op.create_table(
        'endorsement_stances',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('endorsement_id', sa.Integer(), nullable=False),
        sa.Column('clause_key', sa.String(length=12), nullable=False),
        sa.Column('stance', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['endorsement_id'], ['endorsements.id'],
                                name=op.f('fk_endorsement_stances_endorsement_id_endorsements'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_endorsement_stances')),
        sa.UniqueConstraint('endorsement_id', 'clause_key', name=op.f('uq_endorsement_stances_endorsement_id_clause_key')),
    )
    op.create_index(op.f('ix_endorsement_stances_endorsement_id'), 'endorsement_stances', ['endorsement_id'],
                    unique=False)
    op.create_table(
        'red_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('party_id', sa.Integer(), nullable=False),
        sa.Column('clause_key', sa.String(length=12), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_red_lines_document_id_documents'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_red_lines_party_id_parties'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_red_lines_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_red_lines')),
        sa.UniqueConstraint('document_id', 'party_id', 'clause_key',
                            name=op.f('uq_red_lines_document_id_party_id_clause_key')),
    )
    op.create_index(op.f('ix_red_lines_document_id'), 'red_lines', ['document_id'], unique=False)
    op.create_index(op.f('ix_red_lines_party_id'), 'red_lines', ['party_id'], unique=False)
    op.create_index(op.f('ix_red_lines_created_by_id'), 'red_lines', ['created_by_id'], unique=False)

    _backfill(op.get_bind())


def _backfill(connection):
    documents = sa.table('documents', sa.column('id', sa.Integer), sa.column('current_number', sa.Integer),
                         sa.column('clause_counter', sa.Integer), sa.column('html', sa.Text))
    revisions = sa.table('revisions', sa.column('id', sa.Integer), sa.column('document_id', sa.Integer),
                         sa.column('number', sa.Integer), sa.column('snapshot', sa.Text),
                         sa.column('delta', sa.Text), sa.column('clause_keys', sa.Text))
    events = sa.table('clause_events', sa.column('document_id', sa.Integer), sa.column('key', sa.String),
                      sa.column('number', sa.Integer), sa.column('kind', sa.String), sa.column('text', sa.Text),
                      sa.column('origin', sa.String))
    endorsements = sa.table('endorsements', sa.column('id', sa.Integer), sa.column('document_id', sa.Integer),
                            sa.column('revision_number', sa.Integer), sa.column('content_sha256', sa.String))
    store_keys = (revisions.update().where(revisions.c.id == sa.bindparam('revision_id'))
                  .values(clause_keys=sa.bindparam('keys')))

    for document_id in list(connection.scalars(sa.select(documents.c.id).order_by(documents.c.id))):
        wanted = {}
        for row in connection.execute(sa.select(endorsements.c.id, endorsements.c.revision_number)
                                      .where(endorsements.c.document_id == document_id)):
            wanted.setdefault(row.revision_number, []).append(row.id)
        body, old, counter, retired = '', [], 0, {}
        key_rows, event_rows = [], []
        after = 0
        while True:
            rows = connection.execute(
                sa.select(revisions.c.id, revisions.c.number, revisions.c.snapshot, revisions.c.delta)
                .where(revisions.c.document_id == document_id, revisions.c.number > after)
                .order_by(revisions.c.number).limit(BATCH)
            ).all()
            for row in rows:
                body = row.snapshot if row.snapshot is not None else delta.apply(body, row.delta)
                blocks = split_blocks(body)
                plan = plan_keys(old, blocks, counter, [(k, t) for k, t in retired.items()
                                                         if k not in {key for key, _b in old}])
                counter = plan.counter
                for event in plan.events:
                    if event.kind in ('removed', 'merged'):
                        retired[event.key] = event.text
                    event_rows.append({'document_id': document_id, 'key': event.key, 'number': row.number,
                                       'kind': event.kind, 'text': event.text, 'origin': event.origin})
                key_rows.append({'revision_id': row.id, 'keys': ' '.join(plan.keys)})
                old = list(zip(plan.keys, blocks))
                for endorsement_id in wanted.get(row.number, ()):
                    connection.execute(endorsements.update().where(endorsements.c.id == endorsement_id).values(
                        content_sha256=hashlib.sha256(body.encode('utf-8')).hexdigest()))
                if len(key_rows) >= BATCH:
                    connection.execute(store_keys, key_rows)
                    key_rows = []
                if len(event_rows) >= BATCH:
                    connection.execute(events.insert(), event_rows)
                    event_rows = []
            if len(rows) < BATCH:
                break
            after = rows[-1].number
        if key_rows:
            connection.execute(store_keys, key_rows)
        if event_rows:
            connection.execute(events.insert(), event_rows)
        if old:
            html = render(body, clause_keys=[key for key, _block in old]).html
            connection.execute(documents.update().where(documents.c.id == document_id)
                               .values(clause_counter=counter, html=html))


def downgrade():
    op.drop_index(op.f('ix_red_lines_created_by_id'), table_name='red_lines')
    op.drop_index(op.f('ix_red_lines_party_id'), table_name='red_lines')
    op.drop_index(op.f('ix_red_lines_document_id'), table_name='red_lines')
    op.drop_table('red_lines')
    op.drop_index(op.f('ix_endorsement_stances_endorsement_id'), table_name='endorsement_stances')
    op.drop_table('endorsement_stances')
    op.drop_index('ix_clause_events_document_number', table_name='clause_events')
    op.drop_table('clause_events')
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ and PostgreSQL): batch mode would copy and drop the
    # documents table on SQLite, and with foreign keys on, dropping it deletes every row that cascades from it.
    for table, column in (('notifications', 'diff'), ('endorsements', 'changed_keys'),
                          ('endorsements', 'graded_number'), ('endorsements', 'staleness'),
                          ('endorsements', 'content_sha256'), ('revisions', 'clause_keys'),
                          ('documents', 'rule_k'), ('documents', 'rule_kind'), ('documents', 'clause_counter')):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
