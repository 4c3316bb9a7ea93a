"""The form base every form derives from: CSRF always on, translated messages."""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, g, request, session
from flask_babel import get_locale
from flask_wtf import FlaskForm
from itsdangerous import BadData, URLSafeTimedSerializer


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


#: Signed CSRF tokens by (signing key, the session's own token), bounded.
_signed_tokens: dict[tuple[str, str], str] = {}
_SIGNED_TOKENS_LIMIT = 4096
_PAGE_VIEWS = frozenset({"GET", "HEAD"})


def register_csrf_signatures(app: Flask) -> None:
    """Sign each session's CSRF token once per process instead of on every page.

    Flask-WTF signs the session's token afresh for every page that shows a form (every
    signed-in page: the header has the log-out form): a serializer, a key derivation and
    an HMAC, ~20 µs. Without a time limit on tokens (WTF_CSRF_TIME_LIMIT = None, our
    setting) any signature of the session's token is as good as a new one, so a page view
    starts with the one signed before (Flask-WTF then hands it to every form). Only page
    views (GET/HEAD), which never replace the session's token; a signature is remembered
    only after checking that it is the session's own."""
    field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")

    def applies() -> bool:
        return (field in session and request.method in _PAGE_VIEWS and request.endpoint != "static"
                and app.config.get("WTF_CSRF_TIME_LIMIT", 3600) is None)

    def signing_key() -> str:
        return app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key

    @app.before_request
    def _reuse_signed_csrf_token():
        if applies():
            raw = session.get(field)
            token = _signed_tokens.get((signing_key(), raw)) if isinstance(raw, str) else None
            if token is not None:
                setattr(g, field, token)

    @app.after_request
    def _remember_signed_csrf_token(response):
        token = g.get(field)
        if token is None or not applies():
            return response
        raw, key = session.get(field), signing_key()
        if not isinstance(raw, str) or (key, raw) in _signed_tokens:
            return response
        try:
            own = URLSafeTimedSerializer(key, salt="wtf-csrf-token").loads(token) == raw
        except BadData:
            own = False
        if own:
            if len(_signed_tokens) >= _SIGNED_TOKENS_LIMIT:
                _signed_tokens.clear()
            _signed_tokens[(key, raw)] = token
        return response
