"""statistics indexes: covering indexes for the enrolment statistics (academy/stats/models.py)

Revision ID: 0400
Revises: 0100
Create Date: 2026-11-22 14:56:05.161017

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0400'
down_revision = '0100'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.create_index('ix_enrollment_stats', ['user_id', 'course_id', 'language', 'status', 'enrolled_at', 'completed_at'], unique=False)
        batch_op.create_index('ix_enrollment_stats_course', ['course_id', 'language', 'status', 'enrolled_at', 'completed_at'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index('ix_user_stats', ['gender', 'country_code', 'tisc_id', 'created_at'], unique=False)
        batch_op.create_index('ix_user_updated_at', ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index('ix_user_updated_at')
        batch_op.drop_index('ix_user_stats')

    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_index('ix_enrollment_stats_course')
        batch_op.drop_index('ix_enrollment_stats')
