"""task queue: jobs people see (exports, bulk certificates, ZIPs) and the e-mail outbox

The learner-level exports move from stats_export_job (threads inside the web server) to
the generic job table the queue's tasks update. Export files are kept for a day only, so
the old table's rows are not carried over.

Revision ID: 0700
Revises: 0640
Create Date: 2026-12-07 10:40:00

"""
import sqlalchemy as sa
from alembic import op

import academy.core.models

revision = '0700'
down_revision = '0640'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='job_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('worker', sa.String(length=255), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('progress_done', sa.Integer(), server_default='0', nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('has_personal_data', sa.Boolean(), server_default='0', nullable=False),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_job_attempts_not_negative')),
    sa.CheckConstraint('progress_done >= 0', name=op.f('ck_job_progress_done_not_negative')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_job_requested_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job'))
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index('ix_job_requested', ['requested_by_id', 'created_at'], unique=False)
        batch_op.create_index('ix_job_status', ['status', 'heartbeat_at'], unique=False)

    op.create_table('outgoing_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=True),
    sa.Column('to', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.String(length=998), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_mail')),
    sa.UniqueConstraint('key', name=op.f('uq_outgoing_mail_key'))
    )
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.create_index('ix_outgoing_mail_unsent', ['sent_at', 'created_at'], unique=False)

    with op.batch_alter_table('stats_export_job', schema=None) as batch_op:
        batch_op.drop_index('ix_stats_export_job_requested')
    op.drop_table('stats_export_job')


def downgrade():
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

    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_index('ix_outgoing_mail_unsent')
    op.drop_table('outgoing_mail')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index('ix_job_status')
        batch_op.drop_index('ix_job_requested')
    op.drop_table('job')
