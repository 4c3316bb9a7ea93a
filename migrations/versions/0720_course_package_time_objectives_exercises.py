"""course packages: computed study time per language version (issue 19)

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


def downgrade():
    with op.batch_alter_table('course_version', schema=None) as batch_op:
        batch_op.drop_column('estimated_minutes')
