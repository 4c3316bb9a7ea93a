"""Forms of the admin console. Filter forms are read from the query string."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from academy.auth.forms import LatinScript
from academy.auth.names import normalise_name, person_name
from academy.core.enums import Gender, Role
from academy.core.forms import AcademyForm


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ActionForm(AcademyForm):
    """A button that changes something: only the CSRF token."""


class PeopleFilterForm(AcademyForm):
    q = StringField(_l("Name or email"), filters=[_strip], validators=[Optional(), Length(max=200)])
    country = SelectField(_l("Country"), choices=[], validators=[Optional()])
    tisc = SelectField(_l("TISC"), choices=[], validators=[Optional()])
    role = SelectField(_l("Role"), choices=[], validators=[Optional()])
    gender = SelectField(_l("Gender"), choices=[], validators=[Optional()])
    language = SelectField(_l("Preferred language"), choices=[], validators=[Optional()])
    status = SelectField(_l("Status"), choices=[], validators=[Optional()])
    sort = SelectField(_l("Sort by"), choices=[], validators=[Optional()])
    dir = SelectField(_l("Order"), choices=[], validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dir.choices = [("asc", _l("Ascending")), ("desc", _l("Descending"))]
        self.role.choices = [("", _l("Any"))] + Role.choices()
        self.gender.choices = [("", _l("Any"))] + Gender.choices()
        self.status.choices = [
            ("", _l("Any")),
            ("active", _l("Active")),
            ("deactivated", _l("Deactivated")),
            ("invited", _l("Invited, password not yet set")),
        ]
        self.sort.choices = [
            ("name", _l("Name")),
            ("email", _l("Email")),
            ("country", _l("Country")),
            ("created", _l("Registered")),
            ("last_login", _l("Last login")),
        ]


class RoleForm(AcademyForm):
    role = SelectField(_l("Role"), choices=[], validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = Role.choices()


class NameCorrectionForm(AcademyForm):
    full_name = StringField(
        _l("Corrected full name, exactly as it should appear on certificates"),
        filters=[normalise_name],
        validators=[DataRequired(), Length(min=1, max=200), person_name],
    )
    full_name_latin = StringField(
        _l("The name in Latin letters, as in the passport"),
        filters=[normalise_name],
        validators=[Optional(), Length(max=200), person_name, LatinScript(
            _l("Write this form of the name in Latin letters (A–Z, with accents if needed)."))],
    )
    reason = TextAreaField(
        _l("Reason for the correction"),
        filters=[_strip],
        validators=[DataRequired(), Length(min=3, max=1000)],
    )


class InviteForm(AcademyForm):
    file = FileField(
        _l("CSV file"),
        validators=[Optional(), FileAllowed(["csv", "txt"], _l("Upload a .csv file."))],
    )
    # After a failed all-or-nothing check the report page sends the same text back,
    # so "import the valid rows" needs no second upload (and no JavaScript).
    csv_text = HiddenField()
    mode = RadioField(
        _l("If some rows have errors"), choices=[], default="all", validators=[DataRequired()]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode.choices = [
            ("all", _l("Import nothing (fix the file and upload it again)")),
            ("valid", _l("Import the valid rows and list the others")),
        ]


class PackageUploadForm(AcademyForm):
    file = FileField(
        _l("Course package (ZIP)"),
        validators=[
            FileRequired(_l("Choose a ZIP file.")),
            FileAllowed(["zip"], _l("Upload a .zip file.")),
        ],
    )


class TiscForm(AcademyForm):
    name = StringField(_l("Name"), filters=[_strip], validators=[DataRequired(), Length(max=200)])
    host_institution = StringField(
        _l("Host institution"), filters=[_strip], validators=[DataRequired(), Length(max=200)]
    )
    city = StringField(_l("City"), filters=[_strip], validators=[DataRequired(), Length(max=120)])
    country_code = SelectField(_l("Country"), choices=[], validators=[DataRequired()])
    national_network = StringField(
        _l("National TISC network (optional)"),
        filters=[_strip],
        validators=[Optional(), Length(max=200)],
    )


class TiscMergeForm(AcademyForm):
    survivor = SelectField(
        _l("Merge into (the TISC to keep)"), choices=[], validators=[DataRequired()]
    )


class TiscImportForm(AcademyForm):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(_l("Choose a CSV file.")),
            FileAllowed(["csv", "txt"], _l("Upload a .csv file.")),
        ],
    )


class TiscFilterForm(AcademyForm):
    q = StringField(
        _l("Name, institution or city"), filters=[_strip], validators=[Optional(), Length(max=200)]
    )
    country = SelectField(_l("Country"), choices=[], validators=[Optional()])
    status = SelectField(_l("Status"), choices=[], validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [
            ("", _l("Any")),
            ("active", _l("Active")),
            ("inactive", _l("Deactivated")),
        ]


class AuditFilterForm(AcademyForm):
    action = SelectField(_l("Action"), choices=[], validate_choice=False, validators=[Optional()])
    actor = StringField(
        _l("Done by (name or email)"), filters=[_strip], validators=[Optional(), Length(max=200)]
    )
    target_type = SelectField(
        _l("Object type"), choices=[], validate_choice=False, validators=[Optional()]
    )
    target_id = StringField(
        _l("Object id"), filters=[_strip], validators=[Optional(), Length(max=64)]
    )
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])


class NameDecisionForm(AcademyForm):
    """Approve or refuse a name change request; refusing needs a note for the learner."""

    note = TextAreaField(_l("Note to the learner (required to refuse)"), validators=[Optional(), Length(max=2000)])
