"""course packages: computed study time per language version, learning objectives (issue 19)

Revision ID: 0720
Revises: 0700
Create Date: 2026-12-07 13:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0720'
down_revision = '0700'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('estimated_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('objectives', sa.JSON(), nullable=True))
    for table in ('module_text', 'lesson_text'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('objectives', sa.JSON(), nullable=True))


def downgrade():
    for table in ('lesson_text', 'module_text'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('objectives')
    with op.batch_alter_table('course_version', schema=None) as batch_op:
        batch_op.drop_column('objectives')
        batch_op.drop_column('estimated_minutes')
