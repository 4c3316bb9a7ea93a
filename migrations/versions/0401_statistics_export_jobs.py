"""statistics export jobs: background learner-level XLSX exports (academy/stats/jobs.py)

Revision ID: 0401
Revises: 0400
Create Date: 2026-11-22 15:32:10.114208

"""
from alembic import op
import sqlalchemy as sa

import academy.core.models


# revision identifiers, used by Alembic.
revision = '0401'
down_revision = '0400'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stats_export_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='stats_export_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('has_personal_data', sa.Boolean(), nullable=False),
    sa.Column('row_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint('row_count >= 0', name=op.f('ck_stats_export_job_row_count_not_negative')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_stats_export_job_requested_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_export_job'))
    )
    with op.batch_alter_table('stats_export_job', schema=None) as batch_op:
        batch_op.create_index('ix_stats_export_job_requested', ['requested_by_id', 'created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('stats_export_job', schema=None) as batch_op:
        batch_op.drop_index('ix_stats_export_job_requested')

    op.drop_table('stats_export_job')
