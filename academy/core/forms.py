"""The form base every form derives from: CSRF always on, translated messages."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import get_locale
from flask_wtf import FlaskForm


@lru_cache(maxsize=64)
def _wtforms_translations(locale: str):
    # gettext looks for the catalogue on disk (a stat per candidate file) on every call:
    # about 0.1 ms per form built. The catalogues change only with a deploy.
    from wtforms.i18n import get_translations

    return get_translations([locale])


class AcademyForm(FlaskForm):
    class Meta:
        # CSRF comes from FlaskForm (on unless WTF_CSRF_ENABLED is false, which only
        # the test configuration does); forms never turn it off themselves.
        def get_translations(self, form):  # WTForms' own messages in the page's language
            return _wtforms_translations(str(get_locale() or "en"))
