"""Cohort announcements: instructors and admins write to a cohort's learners."""

from __future__ import annotations


def init_app(app) -> None:
    """The cohort page shows its announcements through a template global (views.py)."""
