"""follow-up surveys (surveys, send points, invitations, answers), nudge thresholds per programme,
notification e-mail preferences and the weekly digest, cohort announcements, coordinators
and their scope, scheduled reports, and the notification kinds and role they need

Revision ID: 0750
Revises: 0700
Create Date: 2026-12-07 12:52:22.741335

"""
import sqlalchemy as sa
from alembic import op

import academy.core.models

revision = '0750'
down_revision = '0747'
branch_labels = None
depends_on = None


OLD_KINDS = ('phase_opened', 'submission_returned', 'submission_passed', 'submission_failed', 'deadline_near', 'deadline_extended', 'certified')
NEW_KINDS = OLD_KINDS + ('survey', 'survey_reminder', 'certification_expiring', 'inactivity_nudge',
                         'instructor_digest', 'announcement')


def _notification_kinds(kinds):
    # The kind column's CHECK lists the enum's values: replaced, as SQLite cannot alter one.
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notification_notification_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notification_notification_kind'),
                                         sa.column('kind').in_(kinds))


def _roles(roles):
    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_role_role'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_user_role_role'), sa.column('role').in_(roles))


def upgrade():
    op.create_table('survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('titles', sa.JSON(), nullable=False),
    sa.Column('open_days', sa.Integer(), server_default='30', nullable=False),
    sa.Column('reminder_after_days', sa.Integer(), server_default='14', nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('created_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('open_days >= 1', name=op.f('ck_survey_open_days_positive')),
    sa.CheckConstraint('reminder_after_days >= 1', name=op.f('ck_survey_reminder_after_days_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey')),
    sa.UniqueConstraint('code', name=op.f('uq_survey_code'))
    )
    op.create_table('survey_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('single', 'multiple', 'likert', 'number', 'text', name='survey_question_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('is_required', sa.Boolean(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_question_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_question')),
    sa.UniqueConstraint('survey_id', 'key', name=op.f('uq_survey_question_survey_id_key'))
    )
    with op.batch_alter_table('survey_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_question_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_send_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('months_after', sa.Integer(), nullable=False),
    sa.Column('created_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(course_id IS NULL) <> (programme_id IS NULL)', name=op.f('ck_survey_send_point_course_or_programme')),
    sa.CheckConstraint('months_after >= 1 AND months_after <= 120', name=op.f('ck_survey_send_point_months_after_range')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_survey_send_point_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['certification_programme.id'], name=op.f('fk_survey_send_point_programme_id_certification_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_send_point_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_send_point')),
    sa.UniqueConstraint('survey_id', 'course_id', 'programme_id', 'months_after', name=op.f('uq_survey_send_point_survey_id_course_id_programme_id_months_after'))
    )
    with op.batch_alter_table('survey_send_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_send_point_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_send_point_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_send_point_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('send_point_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('completed_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closes_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_survey_invitation_cohort_id_cohort'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['send_point_id'], ['survey_send_point.id'], name=op.f('fk_survey_invitation_send_point_id_survey_send_point'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_survey_invitation_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitation')),
    sa.UniqueConstraint('send_point_id', 'user_id', name=op.f('uq_survey_invitation_send_point_id_user_id'))
    )
    with op.batch_alter_table('survey_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_invitation_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index('ix_survey_invitation_open', ['submitted_at', 'reminded_at', 'closes_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_invitation_send_point_id'), ['send_point_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_invitation_user_id'), ['user_id'], unique=False)

    op.create_table('survey_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('option_key', sa.String(length=64), nullable=True),
    sa.Column('number', sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['invitation_id'], ['survey_invitation.id'], name=op.f('fk_survey_answer_invitation_id_survey_invitation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['survey_question.id'], name=op.f('fk_survey_answer_question_id_survey_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answer'))
    )
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answer_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_index('ix_survey_answer_question_option', ['question_id', 'option_key'], unique=False)

    op.create_table('programme_nudge_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('inactive_days', sa.Integer(), nullable=False),
    sa.Column('expiry_first_days', sa.Integer(), nullable=False),
    sa.Column('expiry_final_days', sa.Integer(), nullable=False),
    sa.Column('created_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('expiry_final_days >= 1 AND expiry_first_days > expiry_final_days', name=op.f('ck_programme_nudge_settings_expiry_days_ordered')),
    sa.CheckConstraint('inactive_days >= 1', name=op.f('ck_programme_nudge_settings_inactive_days_positive')),
    sa.ForeignKeyConstraint(['programme_id'], ['certification_programme.id'], name=op.f('fk_programme_nudge_settings_programme_id_certification_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_nudge_settings')),
    sa.UniqueConstraint('programme_id', name=op.f('uq_programme_nudge_settings_programme_id'))
    )
    op.create_table('notification_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('delivery', sa.Enum('immediate', 'weekly', 'off', name='notification_delivery', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_preference_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preference')),
    sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_notification_preference_user_id_kind'))
    )
    with op.batch_alter_table('notification_preference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_preference_user_id'), ['user_id'], unique=False)

    op.create_table('digest_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('created_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['notification_id'], ['notification.id'], name=op.f('fk_digest_item_notification_id_notification'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_digest_item_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_item')),
    sa.UniqueConstraint('notification_id', name=op.f('uq_digest_item_notification_id'))
    )
    with op.batch_alter_table('digest_item', schema=None) as batch_op:
        batch_op.create_index('ix_digest_item_unsent', ['sent_at', 'user_id'], unique=False)
    op.create_table('cohort_announcement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('created_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_cohort_announcement_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_cohort_announcement_cohort_id_cohort'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_announcement'))
    )
    with op.batch_alter_table('cohort_announcement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_announcement_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_announcement_created_at'), ['created_at'], unique=False)
    op.create_table('coordinator_scope',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('country_code', sa.String(length=2), nullable=True),
    sa.Column('tisc_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(country_code IS NULL) <> (tisc_id IS NULL)', name=op.f('ck_coordinator_scope_country_or_tisc')),
    sa.ForeignKeyConstraint(['tisc_id'], ['tisc.id'], name=op.f('fk_coordinator_scope_tisc_id_tisc'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_coordinator_scope_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coordinator_scope')),
    sa.UniqueConstraint('user_id', 'country_code', 'tisc_id', name=op.f('uq_coordinator_scope_user_id_country_code_tisc_id'))
    )
    with op.batch_alter_table('coordinator_scope', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coordinator_scope_user_id'), ['user_id'], unique=False)

    op.create_table('scheduled_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('frequency', sa.Enum('monthly', 'quarterly', name='report_frequency', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_scheduled_report_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled_report'))
    )
    op.create_table('report_send',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('sent_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['scheduled_report.id'], name=op.f('fk_report_send_report_id_scheduled_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_send')),
    sa.UniqueConstraint('report_id', 'period', name=op.f('uq_report_send_report_id_period'))
    )
    with op.batch_alter_table('report_send', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_send_report_id'), ['report_id'], unique=False)

    _notification_kinds(NEW_KINDS)
    _roles(('learner', 'instructor', 'admin', 'coordinator'))


def downgrade():
    with op.batch_alter_table('report_send', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_send_report_id'))

    op.drop_table('report_send')
    op.drop_table('scheduled_report')
    op.execute(sa.text("DELETE FROM user_role WHERE role = 'coordinator'"))
    _roles(('learner', 'instructor', 'admin'))
    with op.batch_alter_table('coordinator_scope', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coordinator_scope_user_id'))

    op.drop_table('coordinator_scope')

    with op.batch_alter_table('cohort_announcement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_announcement_created_at'))
        batch_op.drop_index(batch_op.f('ix_cohort_announcement_cohort_id'))

    op.drop_table('cohort_announcement')

    with op.batch_alter_table('digest_item', schema=None) as batch_op:
        batch_op.drop_index('ix_digest_item_unsent')

    op.drop_table('digest_item')
    with op.batch_alter_table('notification_preference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_preference_user_id'))

    op.drop_table('notification_preference')

    op.drop_table('programme_nudge_settings')
    op.execute(sa.text("DELETE FROM notification WHERE kind IN ('survey', 'survey_reminder', "
                       "'certification_expiring', 'inactivity_nudge', 'instructor_digest', 'announcement')"))
    _notification_kinds(OLD_KINDS)
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_answer_question_option')
        batch_op.drop_index(batch_op.f('ix_survey_answer_invitation_id'))

    op.drop_table('survey_answer')
    with op.batch_alter_table('survey_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_invitation_user_id'))
        batch_op.drop_index(batch_op.f('ix_survey_invitation_send_point_id'))
        batch_op.drop_index('ix_survey_invitation_open')
        batch_op.drop_index(batch_op.f('ix_survey_invitation_cohort_id'))

    op.drop_table('survey_invitation')
    with op.batch_alter_table('survey_send_point', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_send_point_survey_id'))
        batch_op.drop_index(batch_op.f('ix_survey_send_point_programme_id'))
        batch_op.drop_index(batch_op.f('ix_survey_send_point_course_id'))

    op.drop_table('survey_send_point')
    with op.batch_alter_table('survey_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_question_survey_id'))

    op.drop_table('survey_question')
    op.drop_table('survey')
