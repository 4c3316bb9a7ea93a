"""Forms for verification uploads and the admin's revoke, re-issue and bulk issue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from academy.core.forms import AcademyForm


class VerifyUploadForm(AcademyForm):
    pdf = FileField(_l("Certificate PDF"), validators=[FileRequired(_l("Choose a PDF file."))])


class RevokeForm(AcademyForm):
    # i18n: why an administrator revokes a certificate; shown on the public verification page
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


class ReissueForm(AcademyForm):
    reason = TextAreaField(_l("Reason for the re-issue"), validators=[DataRequired(), Length(max=1000)])
    design = SelectField(_l("Design"), choices=[])


class BulkIssueForm(AcademyForm):
    course_id = SelectField(_l("Course"), coerce=int, choices=[])
