"""translatable practice tasks and rubrics; which source version each translation was made from

Practice tasks and their rubrics get per-language translation rows (a task's row keeps
the hash of the source words it was translated from); the programme says which language
its tasks are written in. Lesson and question texts record the default-language version
they were translated from, so the admin sees which translations are out of date.

Revision ID: 0747
Revises: 0700
Create Date: 2026-12-07 13:00:00

"""
import sqlalchemy as sa
from alembic import op

import academy.core.models

revision = '0747'
down_revision = '0745'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certification_programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_language', sa.String(length=8), server_default='en', nullable=False))
    with op.batch_alter_table('lesson_text', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translated_from', sa.String(length=64), nullable=True))
    with op.batch_alter_table('question_text', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translated_from', sa.String(length=64), nullable=True))

    op.create_table('practice_task_translation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('source_hash', sa.String(length=64), nullable=False),
    sa.Column('updated_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['task_id'], ['practice_task.id'],
                            name=op.f('fk_practice_task_translation_task_id_practice_task'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'],
                            name=op.f('fk_practice_task_translation_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_task_translation')),
    sa.UniqueConstraint('task_id', 'language', name=op.f('uq_practice_task_translation_task_id_language'))
    )
    with op.batch_alter_table('practice_task_translation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_task_translation_task_id'), ['task_id'], unique=False)

    op.create_table('rubric_translation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['rubric_id'], ['rubric.id'], name=op.f('fk_rubric_translation_rubric_id_rubric'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubric_translation')),
    sa.UniqueConstraint('rubric_id', 'language', name=op.f('uq_rubric_translation_rubric_id_language'))
    )
    with op.batch_alter_table('rubric_translation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rubric_translation_rubric_id'), ['rubric_id'], unique=False)

    op.create_table('rubric_criterion_translation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['rubric_criterion.id'],
                            name=op.f('fk_rubric_criterion_translation_criterion_id_rubric_criterion'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubric_criterion_translation')),
    sa.UniqueConstraint('criterion_id', 'language', name=op.f('uq_rubric_criterion_translation_criterion_id_language'))
    )
    with op.batch_alter_table('rubric_criterion_translation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rubric_criterion_translation_criterion_id'), ['criterion_id'],
                              unique=False)

    op.create_table('rubric_level_translation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('descriptor', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['level_id'], ['rubric_level.id'],
                            name=op.f('fk_rubric_level_translation_level_id_rubric_level'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubric_level_translation')),
    sa.UniqueConstraint('level_id', 'language', name=op.f('uq_rubric_level_translation_level_id_language'))
    )
    with op.batch_alter_table('rubric_level_translation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rubric_level_translation_level_id'), ['level_id'], unique=False)


def downgrade():
    for table, column in (('rubric_level_translation', 'level_id'),
                          ('rubric_criterion_translation', 'criterion_id'),
                          ('rubric_translation', 'rubric_id'),
                          ('practice_task_translation', 'task_id')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
        op.drop_table(table)
    with op.batch_alter_table('question_text', schema=None) as batch_op:
        batch_op.drop_column('translated_from')
    with op.batch_alter_table('lesson_text', schema=None) as batch_op:
        batch_op.drop_column('translated_from')
    with op.batch_alter_table('certification_programme', schema=None) as batch_op:
        batch_op.drop_column('source_language')
