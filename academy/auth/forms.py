from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from academy.auth.names import normalise_name, person_name
from academy.auth.passwords import MIN_LENGTH, is_common
from academy.core.enums import Gender
from academy.core.forms import AcademyForm


def strong_password(form, field) -> None:
    if field.data and is_common(field.data):
        raise ValidationError(_l("This password is too common. Choose a longer phrase only you would use."))


class LatinScript:
    """The Latin form of a name holds Latin letters only (accents allowed). ``message`` lets
    a form that edits someone else's name (the admin's) say "the name", not "your name"."""

    def __init__(self, message=None):
        self.message = message or _l("Write this form of your name in Latin letters (A–Z, with accents if needed).")

    def __call__(self, form, field) -> None:
        from academy.auth.latin import needs_latin_form

        if field.data and needs_latin_form(field.data):
            raise ValidationError(self.message)


latin_script = LatinScript()


def _latin_name_field():
    return StringField(
        _l("Your name in Latin letters, as in your passport"),
        filters=[normalise_name],
        validators=[Optional(), Length(max=200), person_name, latin_script],
    )


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _password_field(label):
    return PasswordField(
        label,
        validators=[
            DataRequired(),
            Length(min=MIN_LENGTH, max=200, message=_l("Use at least 12 characters.")),
            strong_password,
        ],
    )


class RegistrationForm(AcademyForm):
    full_name = StringField(
        _l("Full name, exactly as it should appear on your certificates"),
        filters=[normalise_name],
        validators=[DataRequired(), Length(min=1, max=200), person_name],
    )
    email = EmailField(_l("Email"), filters=[_strip], validators=[DataRequired(), Email(), Length(max=254)])
    password = _password_field(_l("Password (at least 12 characters)"))
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )
    gender = SelectField(_l("Gender"), choices=[], validators=[DataRequired()])
    country_code = SelectField(_l("Country"), choices=[], validators=[DataRequired()])
    tisc_id = SelectField(_l("TISC or institution"), choices=[], validate_choice=False, validators=[Optional()])
    institution_other = StringField(
        _l("Other institution (if not in the list)"), filters=[_strip], validators=[Optional(), Length(max=200)]
    )
    preferred_language = SelectField(_l("Preferred language"), choices=[], validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gender.choices = [("", "—")] + Gender.choices()


class LoginForm(AcademyForm):
    email = EmailField(_l("Email"), filters=[_strip], validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Remember me on this computer"))


class PasswordChangeForm(AcademyForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = _password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class ResetRequestForm(AcademyForm):
    email = EmailField(_l("Email"), filters=[_strip], validators=[DataRequired(), Email(), Length(max=254)])


class ResetPasswordForm(AcademyForm):
    password = _password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class ProfileForm(AcademyForm):
    full_name = StringField(
        _l("Full name, exactly as it should appear on your certificates"),
        filters=[normalise_name],
        validators=[DataRequired(), Length(min=1, max=200), person_name],
    )
    full_name_latin = _latin_name_field()
    gender = SelectField(_l("Gender"), choices=[], validators=[DataRequired()])
    country_code = SelectField(_l("Country"), choices=[], validators=[DataRequired()])
    tisc_id = SelectField(_l("TISC or institution"), choices=[], validate_choice=False, validators=[Optional()])
    institution_other = StringField(
        _l("Other institution (if not in the list)"), filters=[_strip], validators=[Optional(), Length(max=200)]
    )
    preferred_language = SelectField(_l("Preferred language"), choices=[], validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gender.choices = [("", "—")] + Gender.choices()


class NameChangeRequestForm(AcademyForm):
    requested_name = StringField(
        _l("New name, exactly as it should appear on your certificates"),
        filters=[normalise_name],
        validators=[DataRequired(), Length(min=1, max=200), person_name],
    )
    requested_name_latin = _latin_name_field()
    reason = TextAreaField(
        _l("Why should the name change?"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Say why your name should change.")), Length(max=2000)],
    )
