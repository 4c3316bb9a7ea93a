"""Forms for verification uploads and the admin's revoke, re-issue and bulk issue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from academy.core.forms import AcademyForm


class VerifyUploadForm(AcademyForm):
    pdf = FileField(_l("Certificate PDF"), validators=[FileRequired(_l("Choose a PDF file."))])


class HolderForm(AcademyForm):
    """On a page reached by serial number: who holds it is shown only to someone who can
    name them, or who has the verification code printed with the QR code."""

    # i18n: asked on a certificate's public page reached by its serial number
    answer = StringField(_l("Holder's surname or verification code"),
                         validators=[DataRequired(), Length(max=200)])


class RevokeForm(AcademyForm):
    # i18n: why an administrator revokes a certificate; shown on the public verification page
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


#: titles of the built-in designs in the interface language (a design added later shows
#: the title from its design.yaml)
DESIGN_TITLES = {
    # i18n: a certificate design: framed, serif type, centred
    "classic": _l("Classic"),
    # i18n: a certificate design: sans-serif type, a colour band, aligned to one side
    "modern": _l("Modern"),
}
PAPER_TITLES = {"a4": _l("A4 landscape"), "letter": _l("Letter landscape")}


def design_choices() -> list[tuple[str, str]]:
    from academy.certificates.pdf import DESIGNS

    return [(d.name, str(DESIGN_TITLES.get(d.name, d.title))) for d in DESIGNS.values()]


def paper_choices() -> list[tuple[str, str]]:
    return [(key, str(title)) for key, title in PAPER_TITLES.items()]


class DesignMixin:
    """Design and paper selects; the view sets their choices and defaults."""

    design = SelectField(_l("Design"), choices=[])
    paper = SelectField(_l("Paper size"), choices=[])

    def set_design_choices(self, design: str, paper: str) -> None:
        self.design.choices = design_choices()
        self.paper.choices = paper_choices()
        if not self.design.data:
            self.design.data = design
        if not self.paper.data:
            self.paper.data = paper


def second_language_choices() -> list[tuple[str, str]]:
    from flask import current_app

    from academy.core.i18n import language_name

    # i18n: a certificate's second language: none, the certificate is in one language
    return [("", str(_l("None: one language")))] + [
        (code, language_name(code)) for code in current_app.config["LANGUAGES"]]


class SecondLanguageMixin:
    """A bilingual certificate: the learner's language and this one on the same page."""

    second_language = SelectField(_l("Also print the certificate in"), choices=[])

    def set_second_language_choices(self, current: str | None) -> None:
        self.second_language.choices = second_language_choices()
        if self.second_language.data is None:
            self.second_language.data = current or ""


class ReissueForm(SecondLanguageMixin, DesignMixin, AcademyForm):
    reason = TextAreaField(_l("Reason for the re-issue"), validators=[DataRequired(), Length(max=1000)])


class BulkIssueForm(SecondLanguageMixin, DesignMixin, AcademyForm):
    course_id = SelectField(_l("Course"), coerce=int, choices=[])
    # i18n: limits a bulk issue to the learners of a cohort, a TISC or a country
    group = SelectField(_l("Learners"), choices=[], validate_choice=False)


class BulkReissueForm(DesignMixin, AcademyForm):
    reason = TextAreaField(_l("Reason for the re-issue"), validators=[DataRequired(), Length(max=1000)])


class CSRFOnlyForm(AcademyForm):
    """A button that changes something: its form carries only the CSRF token."""
