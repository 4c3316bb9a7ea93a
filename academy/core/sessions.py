"""Idle and absolute lifetimes for logged-in sessions.

A session records when it logged in (``_started``) and when it was last used
(``_seen``); a request past either limit drops the login from the session before
anything reads ``current_user``. A remember-me cookie, if the learner chose one, then
logs them back in with a fresh session: it has its own fixed lifetime
(``REMEMBER_COOKIE_DURATION``) and dies with ``User.session_version`` on logout, password change,
deactivation and "log out everywhere".
"""

from __future__ import annotations

import time

from flask import Flask, g, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import user_loaded_from_cookie, user_logged_in
from itsdangerous import BadSignature, URLSafeTimedSerializer

LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_started", "_seen")
# Writing _seen changes the cookie; once a minute is precise enough for an idle limit.
SEEN_RESOLUTION = 60


def _now() -> int:
    return int(time.time())


def _mark_started(sender, user, **_extra) -> None:
    now = _now()
    session["_started"] = now
    session["_seen"] = now


def register_session_lifetimes(app: Flask) -> None:
    app.session_interface = VerifiedCookieSessionInterface()
    user_logged_in.connect(_mark_started, app)
    user_loaded_from_cookie.connect(_mark_started, app)

    @app.before_request
    def _enforce_session_lifetimes():
        if "_user_id" not in session:
            return
        now = _now()
        started = session.get("_started")
        seen = session.get("_seen")
        idle = app.config["SESSION_IDLE_TIMEOUT"]
        absolute = app.config["PERMANENT_SESSION_LIFETIME"]
        absolute = absolute.total_seconds() if hasattr(absolute, "total_seconds") else absolute
        if started is None or seen is None:
            # A session from before these limits existed: start counting now.
            session["_started"] = started or now
            session["_seen"] = now
            return
        if now - seen > idle or now - started > absolute:
            for key in LOGIN_KEYS:
                session.pop(key, None)
            g.pop("_login_user", None)
            g.session_expired = True
            return
        if now - seen >= SEEN_RESOLUTION:
            session["_seen"] = now


class _PayloadText:
    """A stand-in serializer that hands back the verified JSON text unparsed."""

    @staticmethod
    def dumps(obj) -> str:  # itsdangerous asks whether a serializer is a text one
        return ""

    @staticmethod
    def loads(text: str) -> str:
        return text


class VerifiedCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, verifying each distinct cookie once per process.

    A learner sends the same cookie on every page until the session changes (the idle
    clock moves it once a minute), and Flask checked its signature, decoded and
    decompressed it on every request, with a signing serializer built anew each time.
    Here a cookie whose signature was verified is remembered with its JSON text and its
    signing time: a repeat only re-checks its age against the lifetime and parses the
    JSON into a fresh session, so nothing a request changes can leak into the next. A
    cookie never verified (forged, expired, signed with another key) goes the full way.
    Keyed by the exact cookie value, bounded, and per secret key."""

    CACHE_SIZE = 4096

    def __init__(self) -> None:
        self._serializers: dict = {}
        self._verified: dict[str, tuple[str, int]] = {}

    def _keys(self, app: Flask) -> tuple:
        return (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))

    def _serializer_pair(self, app: Flask):
        keys = self._keys(app)
        pair = self._serializers.get(keys)
        if pair is None:
            signing = super().get_signing_serializer(app)
            text = URLSafeTimedSerializer(
                [*keys[1], keys[0]], salt=self.salt, serializer=_PayloadText,
                signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method},
            )
            if len(self._serializers) > 4:  # a key rotation in a long-lived test process
                self._serializers.clear()
                self._verified.clear()
            pair = self._serializers[keys] = (signing, text)
        return pair

    def get_signing_serializer(self, app: Flask):
        if not app.secret_key:
            return None
        return self._serializer_pair(app)[0]

    def open_session(self, app: Flask, request):
        if not app.secret_key:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        cache_key = f"{id(self._serializer_pair(app))}:{value}"
        known = self._verified.get(cache_key)
        if known is None:
            try:
                text, signed_at = self._serializer_pair(app)[1].loads(value, max_age=max_age, return_timestamp=True)
            except BadSignature:  # forged, tampered with, or expired
                return self.session_class()
            known = (text, int(signed_at.timestamp()))
            if len(self._verified) >= self.CACHE_SIZE:
                self._verified.clear()
            self._verified[cache_key] = known
        else:
            age = int(time.time()) - known[1]
            if age > max_age or age < 0:  # as itsdangerous's TimestampSigner judges it
                return self.session_class()
        try:
            return self.session_class(self.serializer.loads(known[0]))
        except ValueError:
            return self.session_class()
