"""Certificates: issue on completion or award, PDF designs, verification, revocation,
Open Badges 3.0 credentials."""

from __future__ import annotations


def init_app(app) -> None:
    """Config defaults and the hook that issues a certificate when a course is completed."""
    import logging

    from academy.certificates import admin_hooks
    from academy.certificates.services import DEFAULTS, on_course_completed
    from academy.courses.signals import course_completed

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    # blinker keeps one connection per receiver, so several apps in one process are fine
    course_completed.connect(on_course_completed)
    admin_hooks.register()
    # WeasyPrint logs every rendering step at INFO; keep its warnings and errors only.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
