"""the in-app notice of a name-change decision (a notification kind), and the Latin-script
forms a name correction changed

Revision ID: 0820
Revises: 0780
Create Date: 2026-12-07 16:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = '0820'
down_revision = '0780'
branch_labels = None
depends_on = None


OLD_KINDS = ('phase_opened', 'submission_returned', 'submission_passed', 'submission_failed', 'deadline_near',
             'deadline_extended', 'certified', 'survey', 'survey_reminder', 'certification_expiring',
             'inactivity_nudge', 'instructor_digest', 'announcement')
NEW_KINDS = OLD_KINDS + ('name_change_decided',)


def _notification_kinds(kinds):
    # The kind column's CHECK lists the enum's values: replaced, as SQLite cannot alter one.
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notification_notification_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notification_notification_kind'),
                                         sa.column('kind').in_(kinds))


def upgrade():
    _notification_kinds(NEW_KINDS)
    with op.batch_alter_table('name_correction', schema=None) as batch_op:
        batch_op.add_column(sa.Column('old_name_latin', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('new_name_latin', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('name_correction', schema=None) as batch_op:
        batch_op.drop_column('new_name_latin')
        batch_op.drop_column('old_name_latin')
    op.execute(sa.text("DELETE FROM digest_item WHERE notification_id IN "
                       "(SELECT id FROM notification WHERE kind = 'name_change_decided')"))
    op.execute(sa.text("DELETE FROM notification WHERE kind = 'name_change_decided'"))
    _notification_kinds(OLD_KINDS)
