"""Offline learning: receipts of synced actions, evidence uploads in progress

Revision ID: 0760
Revises: 0700
Create Date: 2026-12-07 13:00:00

"""
import sqlalchemy as sa
from alembic import op

from academy.core.models import UTCDateTime

revision = '0760'
down_revision = '0750'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sync_receipt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('client_key', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sync_receipt_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_receipt')),
        sa.UniqueConstraint('user_id', 'client_key', name=op.f('uq_sync_receipt_user_id_client_key')),
    )
    with op.batch_alter_table('sync_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_receipt_user_id'), ['user_id'], unique=False)
    op.create_table(
        'partial_upload',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('received_bytes', sa.Integer(), server_default='0', nullable=False),
        sa.Column('is_complete', sa.Boolean(), server_default='0', nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint('received_bytes >= 0 AND received_bytes <= size_bytes',
                           name=op.f('ck_partial_upload_received_within_size')),
        sa.ForeignKeyConstraint(['record_id'], ['certification_record.id'],
                                name=op.f('fk_partial_upload_record_id_certification_record'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['task_id'], ['practice_task.id'],
                                name=op.f('fk_partial_upload_task_id_practice_task'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_partial_upload_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_partial_upload')),
        sa.UniqueConstraint('token', name=op.f('uq_partial_upload_token')),
    )
    with op.batch_alter_table('partial_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partial_upload_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_partial_upload_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('partial_upload')
    op.drop_table('sync_receipt')
