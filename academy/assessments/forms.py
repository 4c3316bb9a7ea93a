"""Quiz forms. Answer fields vary by question, so the attempt form carries only the CSRF
token; each question type parses its own fields (see questions.py)."""

from __future__ import annotations

from academy.core.forms import AcademyForm


class StartAttemptForm(AcademyForm):
    """Start or resume an attempt: the quiz is in the URL."""


class AttemptForm(AcademyForm):
    """One page of an attempt: answers, the page number and the action are read by the view."""
