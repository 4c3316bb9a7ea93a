from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from academy.api.services import MAX_NAME, SCOPES
from academy.core.forms import AcademyForm


class PersonalTokenForm(AcademyForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=MAX_NAME)])
    expires_on = DateField(_l("Expires on"), validators=[Optional()])


class IntegrationTokenForm(PersonalTokenForm):
    scopes = SelectMultipleField(_l("Scopes"), choices=[], widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput(), validators=[InputRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request: the descriptions are translated into the reader's language. The
        # label is the description alone; the template prints the scope code beside it, left
        # to right, so "read:users" never runs into a right-to-left sentence.
        self.scopes.choices = [SelectChoice(k, str(v)) for k, v in SCOPES.items()]


class RevokeForm(AcademyForm):
    pass
