"""Statistics tables and indexes.

Indexes that make the statistics queries cheap at 250,000+ enrolments:

The tables belong to other features; the indexes are declared here, on those tables'
columns, so the metadata matches the database (migration 0400) and Alembic does not
propose to drop them.

- ``ix_enrollment_stats``: every enrolment column a statistic reads, led by user_id, so
  queries that join learners (gender, country, TISC) read enrolments learner by learner
  from the index alone, in the order the user table is scanned, and never touch the
  table itself.
- ``ix_enrollment_stats_course``: the same for course and course × language tables,
  which then group in index order without a sort.
- ``ix_user_stats``: the learner columns statistics group by, for registrations and for
  the learner side of the joins.
- ``ix_user_updated_at``: lets the statistics cache see an edited profile in one lookup.
"""

from __future__ import annotations

from sqlalchemy import Index

from academy.auth.models import User
from academy.courses.models import Enrollment

ENROLLMENT_STATS = Index(
    "ix_enrollment_stats",
    Enrollment.user_id,
    Enrollment.course_id,
    Enrollment.language,
    Enrollment.status,
    Enrollment.enrolled_at,
    Enrollment.completed_at,
)
ENROLLMENT_STATS_COURSE = Index(
    "ix_enrollment_stats_course",
    Enrollment.course_id,
    Enrollment.language,
    Enrollment.status,
    Enrollment.enrolled_at,
    Enrollment.completed_at,
)
USER_STATS = Index("ix_user_stats", User.gender, User.country_code, User.tisc_id, User.created_at)
# The statistics cache checks max(updated_at) so an edited profile shows at once.
USER_UPDATED = Index("ix_user_updated_at", User.updated_at)
