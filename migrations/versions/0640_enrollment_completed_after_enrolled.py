"""enrollment: a CHECK that a course is not completed before the enrolment started

Revision ID: 0640
Revises: 0610
Create Date: 2026-12-07 10:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0640'
down_revision = '0610'
branch_labels = None
depends_on = None


def upgrade():
    # Earlier demo data completed some enrolments before they started; the CHECK would refuse
    # those rows, so they are taken as completed the moment they started (zero days, the
    # nearest date the data can support) rather than left to stop the upgrade.
    enrollment = sa.table('enrollment', sa.column('enrolled_at'), sa.column('completed_at'))
    op.execute(enrollment.update()
               .where(enrollment.c.completed_at < enrollment.c.enrolled_at)
               .values(completed_at=enrollment.c.enrolled_at))
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_enrollment_completed_after_enrolled'),
                                         'completed_at IS NULL OR completed_at >= enrolled_at')


def downgrade():
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_enrollment_completed_after_enrolled'), type_='check')
