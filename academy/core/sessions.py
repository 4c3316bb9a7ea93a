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
from flask_login import user_loaded_from_cookie, user_logged_in

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
