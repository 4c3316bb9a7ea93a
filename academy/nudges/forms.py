from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from academy.core.forms import AcademyForm


class NudgeSettingsForm(AcademyForm):
    inactive_days = IntegerField(_l("Nudge after days without activity"),
                                 validators=[InputRequired(), NumberRange(min=1, max=365)])
    expiry_first_days = IntegerField(_l("First expiry reminder (days before)"),
                                     validators=[InputRequired(), NumberRange(min=2, max=730)])
    expiry_final_days = IntegerField(_l("Final expiry reminder (days before)"),
                                     validators=[InputRequired(), NumberRange(min=1, max=729)])
    submit = SubmitField(_l("Save"))
