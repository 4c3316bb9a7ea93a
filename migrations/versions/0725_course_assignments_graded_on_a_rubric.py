"""course assignments graded on a rubric (the DL177 worked case's search report)

A course package may declare assignments: work done outside the platform, uploaded by the
learner and graded by an instructor on a rubric written in the learner's course language.

Revision ID: 0725
Revises: 0700
Create Date: 2026-12-07 13:12:46.378324

"""
import sqlalchemy as sa
from alembic import op

import academy.core.models

revision = '0725'
down_revision = '0700'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('module_key', sa.String(length=64), nullable=False),
    sa.Column('is_retired', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('created_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_assignment_course_id_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_assignment')),
    sa.UniqueConstraint('course_id', 'key', name=op.f('uq_course_assignment_course_id_key'))
    )
    with op.batch_alter_table('course_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_assignment_course_id'), ['course_id'], unique=False)

    op.create_table('assignment_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('submitted_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('graded_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['course_assignment.id'], name=op.f('fk_assignment_submission_assignment_id_course_assignment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rubric_id'], ['rubric.id'], name=op.f('fk_assignment_submission_rubric_id_rubric'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_assignment_submission_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_submission')),
    sa.UniqueConstraint('assignment_id', 'user_id', name=op.f('uq_assignment_submission_assignment_id_user_id')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_assignment_submission_storage_key'))
    )
    with op.batch_alter_table('assignment_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_submission_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_submission_rubric_id'), ['rubric_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_submission_submitted_at'), ['submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_submission_user_id'), ['user_id'], unique=False)

    op.create_table('course_assignment_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('instructions_html', sa.Text(), nullable=False),
    sa.Column('template', sa.JSON(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('rubric_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['course_assignment.id'], name=op.f('fk_course_assignment_text_assignment_id_course_assignment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rubric_id'], ['rubric.id'], name=op.f('fk_course_assignment_text_rubric_id_rubric'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_assignment_text')),
    sa.UniqueConstraint('assignment_id', 'language', name=op.f('uq_course_assignment_text_assignment_id_language'))
    )
    with op.batch_alter_table('course_assignment_text', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_assignment_text_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_assignment_text_rubric_id'), ['rubric_id'], unique=False)

    op.create_table('assignment_grade',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('grader_id', sa.Integer(), nullable=True),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('total_points', sa.Integer(), nullable=False),
    sa.Column('max_points', sa.Integer(), nullable=False),
    sa.Column('is_passing', sa.Boolean(), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('submitted_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['grader_id'], ['user.id'], name=op.f('fk_assignment_grade_grader_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rubric_id'], ['rubric.id'], name=op.f('fk_assignment_grade_rubric_id_rubric'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['submission_id'], ['assignment_submission.id'], name=op.f('fk_assignment_grade_submission_id_assignment_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_grade'))
    )
    with op.batch_alter_table('assignment_grade', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_grade_submission_id'), ['submission_id'], unique=False)

    op.create_table('assignment_criterion_grade',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grade_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['rubric_criterion.id'], name=op.f('fk_assignment_criterion_grade_criterion_id_rubric_criterion'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grade_id'], ['assignment_grade.id'], name=op.f('fk_assignment_criterion_grade_grade_id_assignment_grade'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['level_id'], ['rubric_level.id'], name=op.f('fk_assignment_criterion_grade_level_id_rubric_level'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_criterion_grade')),
    sa.UniqueConstraint('grade_id', 'criterion_id', name=op.f('uq_assignment_criterion_grade_grade_id_criterion_id'))
    )
    with op.batch_alter_table('assignment_criterion_grade', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_criterion_grade_grade_id'), ['grade_id'], unique=False)



def downgrade():
    with op.batch_alter_table('assignment_criterion_grade', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_criterion_grade_grade_id'))

    op.drop_table('assignment_criterion_grade')
    with op.batch_alter_table('assignment_grade', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_grade_submission_id'))

    op.drop_table('assignment_grade')
    with op.batch_alter_table('course_assignment_text', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_assignment_text_rubric_id'))
        batch_op.drop_index(batch_op.f('ix_course_assignment_text_assignment_id'))

    op.drop_table('course_assignment_text')
    with op.batch_alter_table('assignment_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_submission_user_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_submission_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_assignment_submission_rubric_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_submission_assignment_id'))

    op.drop_table('assignment_submission')
    with op.batch_alter_table('course_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_assignment_course_id'))

    op.drop_table('course_assignment')
