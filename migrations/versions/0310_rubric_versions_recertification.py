"""certification: rubric versions pinned by submissions, recertification linked to the expired record

Revision ID: 0310
Revises: 0300
Create Date: 2026-11-22 17:50:00

Editing a rubric that has graded work makes a new version (rubric.version, previous_id);
each submission keeps the version it was submitted against (practice_submission.rubric_id,
filled here for work already submitted). A recertification record points at the record
whose expired award it renews (certification_record.previous_record_id).
"""
from alembic import op
import sqlalchemy as sa


revision = '0310'
down_revision = '0300'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rubric', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('previous_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_rubric_previous_id'), ['previous_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_rubric_previous_id_rubric'), 'rubric', ['previous_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_check_constraint(batch_op.f('ck_rubric_version_positive'), 'version >= 1')

    with op.batch_alter_table('practice_submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rubric_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_practice_submission_rubric_id'), ['rubric_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_practice_submission_rubric_id_rubric'), 'rubric', ['rubric_id'],
                                    ['id'], ondelete='RESTRICT')
    # Work already submitted was graded (or will be) on its task's current rubric.
    op.execute("UPDATE practice_submission SET rubric_id = (SELECT rubric_id FROM practice_task "
               "WHERE practice_task.id = practice_submission.task_id) WHERE submitted_at IS NOT NULL")

    with op.batch_alter_table('certification_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_record_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_certification_record_previous_record_id'), ['previous_record_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_certification_record_previous_record_id_certification_record'),
                                    'certification_record', ['previous_record_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('certification_record', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_certification_record_previous_record_id_certification_record'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_certification_record_previous_record_id'))
        batch_op.drop_column('previous_record_id')

    with op.batch_alter_table('practice_submission', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_practice_submission_rubric_id_rubric'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_practice_submission_rubric_id'))
        batch_op.drop_column('rubric_id')

    with op.batch_alter_table('rubric', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_rubric_version_positive'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_rubric_previous_id_rubric'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_rubric_previous_id'))
        batch_op.drop_column('previous_id')
        batch_op.drop_column('version')
