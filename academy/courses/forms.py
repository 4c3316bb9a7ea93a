from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from academy.core.forms import AcademyForm


class EnrollForm(AcademyForm):
    language = SelectField(_l("Language version"), choices=[])


class CompleteLessonForm(AcademyForm):
    """Only the CSRF token: the lesson is in the URL."""
