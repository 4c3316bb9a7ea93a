"""login_failure: failed logins per account, shared by every worker and server

Revision ID: 0610
Revises: 0600
Create Date: 2026-12-07 10:30:00

"""
import sqlalchemy as sa
from alembic import op

from academy.core.models import UTCDateTime

revision = '0610'
down_revision = '0600'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_failure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_key', sa.String(length=254), nullable=False),
        sa.Column('failed_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure')),
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index('ix_login_failure_account_key_failed_at', ['account_key', 'failed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failure_failed_at'), ['failed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failure_failed_at'))
        batch_op.drop_index('ix_login_failure_account_key_failed_at')
    op.drop_table('login_failure')
