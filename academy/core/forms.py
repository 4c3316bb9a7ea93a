"""The form base every form derives from: CSRF always on, translated messages."""

from __future__ import annotations

from flask_babel import get_locale
from flask_wtf import FlaskForm


class AcademyForm(FlaskForm):
    class Meta:
        # CSRF comes from FlaskForm (on unless WTF_CSRF_ENABLED is false, which only
        # the test configuration does); forms never turn it off themselves.
        def get_translations(self, form):  # WTForms' own messages in the page's language
            from wtforms.i18n import get_translations

            return get_translations([str(get_locale() or "en")])
