"""certification_programme.certificate_second_language: bilingual certification certificates

The per-programme twin of course.certificate_second_language (0740); nullable, so existing
programmes keep printing one language.

Revision ID: 0780
Revises: 0770
Create Date: 2026-12-07 14:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = '0780'
down_revision = '0770'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certification_programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_second_language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('certification_programme', schema=None) as batch_op:
        batch_op.drop_column('certificate_second_language')
