"""Scheduled reports: a monthly or quarterly summary e-mailed to the people who fund the work."""

from __future__ import annotations


def init_app(app) -> None:
    """The admin's header entry; the report e-mails' attachments."""
    from academy.core import signals
    from academy.reports import services, views

    signals.menu_items.connect(views.menu_items)
    signals.mail_attachments.connect(services.mail_attachments)
