"""course.content_token: the key of each process's cache of a course's structure

Revision ID: 0600
Revises: 0310
Create Date: 2026-11-22 18:00:00

"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = '0600'
down_revision = '0310'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_token', sa.String(length=32), server_default='0', nullable=False))
    # A distinct token per existing course, so caches never mix two courses' states.
    course = sa.table('course', sa.column('id', sa.Integer), sa.column('content_token', sa.String))
    conn = op.get_bind()
    for (course_id,) in conn.execute(sa.select(course.c.id)).all():
        conn.execute(course.update().where(course.c.id == course_id).values(content_token=uuid.uuid4().hex))


def downgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('content_token')
