"""Revision bodies as delta chains; the current text, HTML and headings kept on the document (its head)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 08:00:00.000000

Every revision keeps either a snapshot of its body or a delta from the previous revision's body, by the rule
of policyhub.text.delta.stored_form (the same one saves use). Old revisions' HTML is no longer stored: it is
rendered from the body when asked for. The conversion reads one document's revisions at a time.
"""
from alembic import op
import sqlalchemy as sa

from policyhub.text import delta
from policyhub.text.diffing import diff_words
from policyhub.text.rendering import render


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

CHECK = 'ck_revisions_snapshot_or_delta'
BATCH = 200


def _tables(*revision_columns):
    documents = sa.table('documents', sa.column('id', sa.Integer), sa.column('current_number', sa.Integer),
                         sa.column('body', sa.Text), sa.column('html', sa.Text), sa.column('headings', sa.JSON))
    revisions = sa.table('revisions', sa.column('id', sa.Integer), sa.column('document_id', sa.Integer),
                         sa.column('number', sa.Integer), *revision_columns)
    return documents, revisions


def _document_ids(connection, documents):
    return list(connection.scalars(sa.select(documents.c.id).order_by(documents.c.id)))


def _revisions_of(connection, revisions, document_id, *columns):
    """A document's revisions in order (id, number and ``columns``), read BATCH rows at a time so that a
    long history of long texts is never held whole."""
    after = 0
    while True:
        rows = connection.execute(
            sa.select(revisions.c.id, revisions.c.number, *columns)
            .where(revisions.c.document_id == document_id, revisions.c.number > after)
            .order_by(revisions.c.number).limit(BATCH)
        ).all()
        yield from rows
        if len(rows) < BATCH:
            return
        after = rows[-1].number


def _in_batches(connection, statement, rows, size=BATCH):
    """Execute ``statement`` for each of ``rows`` (an iterator), ``size`` rows at a time."""
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            connection.execute(statement, batch)
            batch = []
    if batch:
        connection.execute(statement, batch)


def upgrade():
    # Added NOT NULL with a default rather than altered afterwards: on SQLite, altering would copy and drop
    # the documents table, and with foreign keys on, dropping it deletes every row that cascades from it.
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('html', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('headings', sa.JSON(), server_default='[]', nullable=False))
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('snapshot', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('delta', sa.Text(), nullable=True))

    connection = op.get_bind()
    documents, revisions = _tables(sa.column('body', sa.Text), sa.column('html', sa.Text),
                                   sa.column('headings', sa.JSON), sa.column('snapshot', sa.Text),
                                   sa.column('delta', sa.Text))
    store = (revisions.update().where(revisions.c.id == sa.bindparam('revision_id'))
             .values(snapshot=sa.bindparam('stored_snapshot'), delta=sa.bindparam('stored_delta')))

    def stored_forms(document_id):
        previous = ''
        for row in _revisions_of(connection, revisions, document_id, revisions.c.body):
            form = delta.stored_form(row.number, row.body, diff_words(previous, row.body))
            yield {'revision_id': row.id, 'stored_snapshot': form.snapshot, 'stored_delta': form.delta}
            previous = row.body

    for document_id in _document_ids(connection, documents):
        _in_batches(connection, store, stored_forms(document_id))
        head = connection.execute(
            sa.select(revisions.c.body, revisions.c.html, revisions.c.headings)
            .select_from(revisions.join(documents, documents.c.id == revisions.c.document_id))
            .where(documents.c.id == document_id, revisions.c.number == documents.c.current_number)
        ).first()
        if head is not None:
            connection.execute(documents.update().where(documents.c.id == document_id)
                               .values(body=head.body, html=head.html, headings=head.headings or []))

    # Nothing refers to revisions rows, so SQLite may copy and drop that table safely.
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.drop_column('headings')
        batch_op.drop_column('html')
        batch_op.drop_column('body')
        batch_op.create_check_constraint(op.f(CHECK), sa.text('(snapshot IS NULL) <> (delta IS NULL)'))


def downgrade():
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('headings', sa.JSON(), nullable=True))

    connection = op.get_bind()
    documents, revisions = _tables(sa.column('body', sa.Text), sa.column('html', sa.Text),
                                   sa.column('headings', sa.JSON), sa.column('snapshot', sa.Text),
                                   sa.column('delta', sa.Text))
    fill = (revisions.update().where(revisions.c.id == sa.bindparam('revision_id'))
            .values(body=sa.bindparam('full_body'), html=sa.bindparam('full_html'),
                    headings=sa.bindparam('full_headings')))

    def full_texts(document_id):
        body = ''
        for row in _revisions_of(connection, revisions, document_id, revisions.c.snapshot, revisions.c.delta):
            body = row.snapshot if row.snapshot is not None else delta.apply(body, row.delta)
            rendered = render(body)
            yield {'revision_id': row.id, 'full_body': body, 'full_html': rendered.html,
                   'full_headings': [{'level': h.level, 'text': h.text, 'anchor': h.anchor}
                                     for h in rendered.headings]}

    for document_id in _document_ids(connection, documents):
        _in_batches(connection, fill, full_texts(document_id))

    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_='check')
        batch_op.drop_column('delta')
        batch_op.drop_column('snapshot')
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('html', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('headings', existing_type=sa.JSON(), nullable=False)
    # Not in batch mode: on SQLite that would copy and drop the documents table (see upgrade()); SQLite
    # 3.35+ drops a column in place.
    op.drop_column('documents', 'headings')
    op.drop_column('documents', 'html')
    op.drop_column('documents', 'body')
