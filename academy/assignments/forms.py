from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import HiddenField, TextAreaField
from wtforms.validators import InputRequired, Length

from academy.core.forms import AcademyForm


class ReportForm(AcademyForm):
    report = FileField(_l("Your search report (PDF, DOCX or XLSX)"))
    note = TextAreaField(_l("Note for the instructor (optional)"), validators=[Length(max=2000)])


class GradeForm(AcademyForm):
    """The rubric levels (level-<criterion id>) and per-criterion feedback are read by the view."""

    version = HiddenField(validators=[InputRequired()])
    feedback = TextAreaField(_l("Overall feedback"), validators=[Length(max=20_000)])
