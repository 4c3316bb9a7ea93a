from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from academy.certification.enums import (
    AssessmentOutcome,
    GradeDecision,
    ModerationOutcome,
    SessionMode,
)
from academy.core.forms import AcademyForm


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value=v, label=lbl) for v, lbl in pairs]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CsrfOnlyForm(AcademyForm):
    """Only the CSRF token: the object is in the URL."""


class DraftForm(AcademyForm):
    text = TextAreaField(_l("Your report"), validators=[Length(max=100_000)])
    files = MultipleFileField(_l("Evidence files"))
    save = SubmitField(_l("Save draft"))
    submit_work = SubmitField(_l("Submit for grading"))


class GradeForm(AcademyForm):
    """The rubric levels (level-<criterion id>) and per-criterion feedback are read by the view."""

    version = HiddenField(validators=[InputRequired()])
    feedback = TextAreaField(_l("Overall feedback"), validators=[Length(max=20_000)])
    feedback_file = FileField(_l("Feedback file (optional)"))
    decision = RadioField(_l("Decision"), choices=options(GradeDecision.choices()), validators=[InputRequired()])


class ModerateForm(AcademyForm):
    version = HiddenField(validators=[InputRequired()])
    outcome = RadioField(_l("Moderation"), choices=options(ModerationOutcome.choices()), validators=[InputRequired()])
    decision = SelectField(_l("New decision (when overriding)"),
                           choices=options([("", "—"), *GradeDecision.choices()]), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Length(max=5000)])


class AssessmentForm(AcademyForm):
    session_id = SelectField(_l("Training session"), coerce=int, validators=[InputRequired()])
    outcome = RadioField(_l("Assessment"), choices=options(AssessmentOutcome.choices()), validators=[InputRequired()])
    score = IntegerField(_l("Score out of 100 (optional)"), validators=[Optional(), NumberRange(0, 100)])
    comments = TextAreaField(_l("Comments"), validators=[Length(max=10_000)])


class CohortForm(AcademyForm):
    programme_id = SelectField(_l("Programme"), coerce=int, validators=[InputRequired()])
    name = StringField(_l("Name"), filters=[_strip], validators=[DataRequired(), Length(max=200)])
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])


class EnrolForm(AcademyForm):
    email = EmailField(_l("Learner's e-mail"), filters=[_strip], validators=[DataRequired(), Email()])


class CsvEnrolForm(AcademyForm):
    file = FileField(_l("CSV file with an “email” column"))


class InstructorForm(AcademyForm):
    email = EmailField(_l("Instructor's e-mail"), filters=[_strip], validators=[DataRequired(), Email()])


class SessionForm(AcademyForm):
    title = StringField(_l("Title"), filters=[_strip], validators=[DataRequired(), Length(max=200)])
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])
    mode = SelectField(_l("Mode"), choices=options(SessionMode.choices()))
    place = StringField(_l("Place"), filters=[_strip], validators=[Length(max=300)])
    link = StringField(_l("Link for online sessions"), filters=[_strip],
                       validators=[Optional(), URL(require_tld=False), Length(max=500)])
    language = SelectField(_l("Language"), choices=[])


class ExtensionForm(AcademyForm):
    task_id = SelectField(_l("Task"), coerce=int)
    due_on = DateField(_l("New deadline"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), filters=[_strip], validators=[DataRequired(), Length(max=2000)])


class ProgrammeForm(AcademyForm):
    """Settings of a programme; ``programme_form(languages)`` adds a title field per language."""

    code = StringField(_l("Code"), filters=[_strip, lambda v: v.upper() if isinstance(v, str) else v],
                       validators=[DataRequired(), Length(max=32),
                                   Regexp(r"^[A-Z0-9][A-Z0-9-]*$", message=_l(
                                       "Use capital letters, digits and hyphens, for example TISC-F."))],
                       description=_l("Starts the serial number of the certificates."))
    min_attendance_percent = IntegerField(_l("Minimum attendance (%)"),
                                          validators=[InputRequired(), NumberRange(0, 100)])
    validity_months = IntegerField(_l("Validity of the certification (months)"),
                                   validators=[InputRequired(), NumberRange(1, 240)])
    resubmission_limit = IntegerField(_l("Resubmissions allowed per task"),
                                      validators=[InputRequired(), NumberRange(0, 10)])
    course_ids = SelectMultipleField(_l("Required courses (phase 1)"), coerce=int,
                                     widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    source_language = SelectField(_l("Language the practice tasks are written in"), validators=[Optional()],
                                  description=_l("Translations into the other languages are written beside it; "
                                                 "untranslated words are shown in it. Chosen before adding tasks."))
    certificate_second_language = SelectField(
        _l("Also print certification certificates in"), validators=[Optional()],
        description=_l("Beside the learner's language. Certificates already issued keep their languages."))


def programme_form(languages: list[str], language_name) -> type[ProgrammeForm]:
    """ProgrammeForm with a title per language: English required, the others optional."""

    class Form(ProgrammeForm):
        pass

    # Not sent (an older form, a script): the programme keeps its language; anything else is refused.
    Form.source_language = SelectField(ProgrammeForm.source_language.args[0], validators=[Optional()],
                                       choices=options((lg, language_name(lg)) for lg in languages),
                                       description=ProgrammeForm.source_language.kwargs["description"])
    # Not sent: the programme keeps its setting; "" prints one language; anything not listed is refused.
    Form.certificate_second_language = SelectField(
        ProgrammeForm.certificate_second_language.args[0], validators=[Optional()],
        # i18n: a certificate's second language: none, the certificate is in one language
        choices=options([("", _l("None: one language")), *((lg, language_name(lg)) for lg in languages)]),
        description=ProgrammeForm.certificate_second_language.kwargs["description"])
    for lang in ["en", *[lg for lg in languages if lg != "en"]]:
        validators = [DataRequired() if lang == "en" else Optional(), Length(max=200)]
        setattr(Form, f"title_{lang}", StringField(_l("Title in %(language)s", language=language_name(lang)),
                                                   filters=[_strip], validators=validators))
    return Form


class TaskForm(AcademyForm):
    """A practice task and its rubric; the rubric is written as text (see assessments.rubrics)."""

    title = StringField(_l("Title"), filters=[_strip], validators=[DataRequired(), Length(max=200)])
    instructions = TextAreaField(_l("Instructions"), filters=[_strip],
                                 validators=[DataRequired(), Length(max=20_000)], render_kw={"rows": 8})
    due_days = IntegerField(_l("Deadline (days after phase 3 opens)"),
                            validators=[InputRequired(), NumberRange(1, 730)])
    position = IntegerField(_l("Order"), validators=[InputRequired(), NumberRange(1, 100)])
    rubric_title = StringField(_l("Rubric title"), filters=[_strip], validators=[DataRequired(), Length(max=200)])
    rubric_text = TextAreaField(_l("Criteria and levels"), validators=[DataRequired(), Length(max=20_000)],
                                render_kw={"rows": 16, "spellcheck": "false", "class": "rubric-source"})
    pass_threshold = IntegerField(_l("Pass threshold (points)"), validators=[InputRequired(), NumberRange(0, 10_000)])

    def validate_rubric_text(self, field):
        from academy.assessments.rubrics import parse_rubric_text

        self.parsed = parse_rubric_text(field.data or "")
        if not self.parsed.criteria and not self.parsed.errors:
            raise ValidationError(_l("Add at least one criterion."))
        for number, message in self.parsed.errors:
            field.errors.append(_l("Line %(line)s: %(problem)s", line=number, problem=message))
        if self.parsed.errors:
            raise StopValidation()

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        parsed = getattr(self, "parsed", None)
        if ok and parsed is not None and self.pass_threshold.data > parsed.max_points:
            self.pass_threshold.errors.append(_l(
                "The pass threshold (%(threshold)s) is above the highest possible total (%(max)s).",
                threshold=self.pass_threshold.data, max=parsed.max_points))
            ok = False
        return ok

    def rubric_spec(self) -> dict:
        return {"title": self.rubric_title.data, "pass_threshold": self.pass_threshold.data,
                "criteria": self.parsed.criteria}


def task_translation_form(rubric, data=None):
    """A form for one task's words in another language: fixed fields for the task and the
    rubric title, and a title and description per criterion and per level of ``rubric``
    (named by their ids, so a field always belongs to the rubric version shown)."""

    class TaskTranslationForm(AcademyForm):
        title = StringField(_l("Title"), filters=[_strip], validators=[DataRequired(), Length(max=200)])
        instructions = TextAreaField(_l("Instructions"), filters=[_strip],
                                     validators=[DataRequired(), Length(max=20_000)], render_kw={"rows": 8})
        rubric_title = StringField(_l("Rubric title"), filters=[_strip], validators=[Optional(), Length(max=200)])

    for c in rubric.criteria:
        setattr(TaskTranslationForm, f"criterion_{c.id}_title",
                StringField(_l("Criterion"), filters=[_strip], validators=[Optional(), Length(max=200)]))
        setattr(TaskTranslationForm, f"criterion_{c.id}_description",
                TextAreaField(_l("Description"), filters=[_strip], validators=[Optional(), Length(max=5_000)],
                              render_kw={"rows": 2}))
        for lv in c.levels:
            setattr(TaskTranslationForm, f"level_{lv.id}_title",
                    StringField(_l("Level"), filters=[_strip], validators=[Optional(), Length(max=100)]))
            setattr(TaskTranslationForm, f"level_{lv.id}_descriptor",
                    TextAreaField(_l("Descriptor"), filters=[_strip], validators=[Optional(), Length(max=5_000)],
                                  render_kw={"rows": 2}))
    return TaskTranslationForm(data=data) if data is not None else TaskTranslationForm()
