"""Notification preferences: per kind, e-mail at once, in a weekly digest, or not at all."""

from __future__ import annotations


def init_app(app) -> None:
    """Nothing to connect: ``notify`` asks ``services.route_mail`` before e-mailing."""
