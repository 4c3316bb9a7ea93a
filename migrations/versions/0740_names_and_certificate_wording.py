"""certificates that agree with the person: wording, Latin-script names, a second language,
and name changes through a request

- certificate.wording: the grammatical form the printed text agrees with (feminine,
  masculine, neutral); certificates issued before print the neutral wording if re-issued
  without a gender, so existing rows get "neutral".
- user.full_name_latin / certificate.learner_name_latin: the name in Latin script.
- certificate.second_language / course.certificate_second_language: bilingual certificates.
- name_change_request: a learner's request to change the printed name, and its decision.

Revision ID: 0740
Revises: 0700
Create Date: 2026-12-07 13:00:00

"""
import sqlalchemy as sa
from alembic import op

import academy.core.models

revision = '0740'
down_revision = '0725'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wording', sa.String(length=16), server_default='neutral', nullable=False))
        batch_op.add_column(sa.Column('learner_name_latin', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('second_language', sa.String(length=8), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_certificate_wording_known'),
                                         "wording IN ('feminine', 'masculine', 'neutral')")
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('full_name_latin', sa.String(length=200), nullable=True))
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_second_language', sa.String(length=8), nullable=True))
    op.create_table('name_change_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'refused', name='name_change_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('current_name', sa.String(length=200), nullable=False),
    sa.Column('current_name_latin', sa.String(length=200), nullable=True),
    sa.Column('requested_name', sa.String(length=200), nullable=False),
    sa.Column('requested_name_latin', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(status = 'pending') = (decided_at IS NULL)", name=op.f('ck_name_change_request_decided_has_date')),
    sa.CheckConstraint('length(reason) >= 1', name=op.f('ck_name_change_request_reason_given')),
    sa.CheckConstraint('length(requested_name) >= 1', name=op.f('ck_name_change_request_requested_name_not_empty')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_name_change_request_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_name_change_request_job_id_job'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_name_change_request_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_name_change_request'))
    )
    with op.batch_alter_table('name_change_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_name_change_request_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_name_change_request_status'), ['status'], unique=False)
        # one open request per person: a second would race the first's approval
        batch_op.create_index('uq_name_change_request_one_pending', ['user_id'], unique=True,
                              sqlite_where=sa.text("status = 'pending'"),
                              postgresql_where=sa.text("status = 'pending'"))


def downgrade():
    with op.batch_alter_table('name_change_request', schema=None) as batch_op:
        batch_op.drop_index('uq_name_change_request_one_pending')
        batch_op.drop_index(batch_op.f('ix_name_change_request_status'))
        batch_op.drop_index(batch_op.f('ix_name_change_request_user_id'))
    op.drop_table('name_change_request')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('certificate_second_language')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('full_name_latin')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_certificate_wording_known'), type_='check')
        batch_op.drop_column('second_language')
        batch_op.drop_column('learner_name_latin')
        batch_op.drop_column('wording')
