from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp

from academy.core.forms import AcademyForm


class SurveyForm(AcademyForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=64),
                                               Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                                                      message=_l("Letters, digits, dots, - and _ only."))])
    open_days = IntegerField(_l("Days open after sending"), default=30,
                             validators=[InputRequired(), NumberRange(min=2, max=365)])
    reminder_after_days = IntegerField(_l("Reminder after (days)"), default=14,
                                       validators=[InputRequired(), NumberRange(min=1, max=364)])
    definition = TextAreaField(_l("Questions (YAML)"), validators=[DataRequired(), Length(max=200_000)])
    submit = SubmitField(_l("Save survey"))


class SendPointForm(AcademyForm):
    target = SelectField(_l("Send after"), validators=[DataRequired()])
    months_after = IntegerField(_l("Months after"), default=6,
                                validators=[InputRequired(), NumberRange(min=1, max=120)])
    submit = SubmitField(_l("Add send point"))

    def set_targets(self, courses, programmes) -> None:
        self.target.choices = (
            [SelectChoice(value=f"programme:{p.id}", label=p.title()) for p in programmes]
            + [SelectChoice(value=f"course:{c.id}", label=c.code) for c in courses]
        )


class ResponsesExportForm(AcademyForm):
    format = SelectField(_l("Format"), choices=[SelectChoice(value="csv", label="CSV"),
                                                 SelectChoice(value="xlsx", label="XLSX")], default="csv")
    include_personal = BooleanField(_l("Include names and email addresses (personal data)"))
    submit = SubmitField(_l("Download the responses"))


class CsrfOnlyForm(AcademyForm):
    """Only the CSRF token: the object is in the URL."""
