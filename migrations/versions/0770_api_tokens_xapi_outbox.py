"""API tokens and their use counts, the xAPI statement outbox, and user.external_id

external_id is added with ALTER TABLE and a unique index rather than in batch mode: a
batch rebuild of "user" on SQLite would drop the table every other table refers to.

Revision ID: 0770
Revises: 0700
Create Date: 2026-12-07 12:52:02.553921

"""
import sqlalchemy as sa
from alembic import op

import academy.core.models

revision = '0770'
down_revision = '0760'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('integration', 'personal', name='api_token_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_api_token_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_api_token_owner_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_owner_id'), ['owner_id'], unique=False)

    op.create_table('xapi_statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('verb', sa.String(length=200), nullable=False),
    sa.Column('statement', sa.JSON(), nullable=False),
    sa.Column('created_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_xapi_statement_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xapi_statement')),
    sa.UniqueConstraint('statement_id', name=op.f('uq_xapi_statement_statement_id'))
    )
    with op.batch_alter_table('xapi_statement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_xapi_statement_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_xapi_statement_unsent', ['sent_at', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_xapi_statement_user_id'), ['user_id'], unique=False)

    op.create_table('api_usage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('window_start', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('request_count', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['api_token.id'], name=op.f('fk_api_usage_token_id_api_token'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_usage')),
    sa.UniqueConstraint('token_id', 'window_start', name=op.f('uq_api_usage_token_id_window_start'))
    )
    with op.batch_alter_table('api_usage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_usage_window_start'), ['window_start'], unique=False)

    op.add_column('user', sa.Column('external_id', sa.String(length=100), nullable=True))
    op.create_index(op.f('ix_user_external_id'), 'user', ['external_id'], unique=True)



def downgrade():
    op.drop_index(op.f('ix_user_external_id'), table_name='user')
    # SQLite 3.35+ and PostgreSQL both drop a column in place (no table rebuild).
    op.execute('ALTER TABLE "user" DROP COLUMN external_id')

    with op.batch_alter_table('api_usage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_usage_window_start'))

    op.drop_table('api_usage')
    with op.batch_alter_table('xapi_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xapi_statement_user_id'))
        batch_op.drop_index('ix_xapi_statement_unsent')
        batch_op.drop_index(batch_op.f('ix_xapi_statement_created_at'))

    op.drop_table('xapi_statement')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_owner_id'))

    op.drop_table('api_token')
