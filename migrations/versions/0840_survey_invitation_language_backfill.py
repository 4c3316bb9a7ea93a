"""survey invitations sent before they carried a language get the learner's language

Invitations now record the learner's language when they are sent, so the outcome statistics
by language count those who have not answered in their own language's row. Invitations sent
before that had a language only once answered: without this, every learner who had not yet
answered stayed in the "unknown" row and each language showed a 100 % response rate.

Revision ID: 0840
Revises: 0820
Create Date: 2026-12-07 19:50:00.000000

"""
from alembic import op

revision = '0840'
down_revision = '0820'
branch_labels = None
depends_on = None


def upgrade():
    # The learner's language today is the best record of the one the invitation was sent in:
    # the e-mail went out in their preferred language.
    op.execute(
        'UPDATE survey_invitation SET language = '
        '(SELECT "user".preferred_language FROM "user" WHERE "user".id = survey_invitation.user_id) '
        'WHERE language IS NULL'
    )


def downgrade():
    # Nothing to undo: the column stays, and a language filled in is as true before this
    # revision as after it.
    pass
