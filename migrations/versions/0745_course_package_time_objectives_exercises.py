"""course packages: computed study time per language version, learning objectives, hands-on exercises and their answers (issue 19)

Revision ID: 0745
Revises: 0700
Create Date: 2026-12-07 13:00:00

"""
import sqlalchemy as sa
from alembic import op

import academy.core.models

revision = '0745'
down_revision = '0740'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exercise',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('is_retired', sa.Boolean(), server_default='0', nullable=False),
    sa.CheckConstraint('minutes >= 1', name=op.f('ck_exercise_minutes_positive')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_exercise_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['module.id'], name=op.f('fk_exercise_module_id_module'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exercise')),
    sa.UniqueConstraint('course_id', 'key', name=op.f('uq_exercise_course_id_key'))
    )
    with op.batch_alter_table('exercise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exercise_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exercise_module_id'), ['module_id'], unique=False)
    op.create_table('exercise_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('spec', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['exercise_id'], ['exercise.id'], name=op.f('fk_exercise_text_exercise_id_exercise'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exercise_text')),
    sa.UniqueConstraint('exercise_id', 'language', name=op.f('uq_exercise_text_exercise_id_language'))
    )
    with op.batch_alter_table('exercise_text', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exercise_text_exercise_id'), ['exercise_id'], unique=False)
    op.create_table('exercise_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('response', sa.JSON(), nullable=True),
    sa.Column('score', sa.Numeric(precision=5, scale=4, asdecimal=False), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='1', nullable=False),
    sa.Column('answered_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score IS NULL OR (score >= 0 AND score <= 1)', name=op.f('ck_exercise_answer_score_range')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_exercise_answer_enrollment_id_enrollment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['exercise_id'], ['exercise.id'], name=op.f('fk_exercise_answer_exercise_id_exercise'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_exercise_answer_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exercise_answer')),
    sa.UniqueConstraint('enrollment_id', 'exercise_id', name=op.f('uq_exercise_answer_enrollment_id_exercise_id'))
    )
    with op.batch_alter_table('exercise_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exercise_answer_enrollment_id'), ['enrollment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exercise_answer_exercise_id'), ['exercise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exercise_answer_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('course_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('estimated_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('objectives', sa.JSON(), nullable=True))
    for table in ('module_text', 'lesson_text'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('objectives', sa.JSON(), nullable=True))


def downgrade():
    op.drop_table('exercise_answer')
    op.drop_table('exercise_text')
    op.drop_table('exercise')
    for table in ('lesson_text', 'module_text'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('objectives')
    with op.batch_alter_table('course_version', schema=None) as batch_op:
        batch_op.drop_column('objectives')
        batch_op.drop_column('estimated_minutes')
