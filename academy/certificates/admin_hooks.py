"""What the certificates feature adds to the admin console's person pages: a section
listing the person's certificates, and after a name correction, links to re-issue the
certificates that still carry the old name."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from sqlalchemy import exists, select

from academy.certificates.models import Certificate, CertificateStatus
from academy.certificates.queries import user_certificates
from academy.extensions import db


def certificates_section(user, **_kw):
    """On ``admin-user-sections``: the person's certificates."""
    return (
        _("Certificates"),
        "certificates/_admin_user_section.html",
        {"certificates": user_certificates(user.id)},
    )


def carries_old_name(cert, user) -> bool:
    """A valid certificate printed with another name (or Latin form) than the person's now."""
    from academy.auth.latin import latin_form_of

    latin = latin_form_of(user.full_name, user.full_name_latin)
    return cert.status == CertificateStatus.VALID and (
        cert.learner_name != user.full_name or (cert.learner_name_latin or None) != latin)


def holds_certificates(user, **_kw) -> bool:
    """On ``printed-name-holders``: whether any certificate was issued to the person."""
    return bool(db.session.scalar(select(exists().where(Certificate.user_id == user.id))))


def reissue_after_name_change(user, *, reason: str, actor, **_kw):
    """On ``printed-name-changed``: a re-issue job, on the queue, of the person's valid
    certificates that carry the old name (each superseded by one with the new name)."""
    from academy.certificates.tasks import REISSUE
    from academy.jobs.services import create_job

    ids = [c.id for c in user_certificates(user.id) if carries_old_name(c, user)]
    if not ids:
        return None
    return create_job(REISSUE, {"certificate_ids": ids, "reason": reason, "design": None},
                      requested_by_id=actor.id if actor is not None else None, total=len(ids))


def name_correction_follow_ups(user, **_kw) -> list[Markup]:
    """On ``name-correction-follow-ups``: a link per valid certificate printed with
    another name than the current one, and a button that re-issues them all on the queue."""
    items = []
    for cert in user_certificates(user.id):
        if carries_old_name(cert, user):
            link = Markup('<a href="{}">{}</a>').format(
                url_for("certificates_admin.detail", cert_id=cert.id, _anchor="reissue"),
                _("Re-issue %(serial)s", serial=cert.serial),
            )
            items.append(Markup("{} · {} · {}").format(link, escape(cert.title), escape(cert.learner_name)))
    if len(items) > 1:
        items.append(Markup(
            '<form method="post" action="{}" class="inline"><input type="hidden" name="csrf_token" value="{}">'
            '<button type="submit">{}</button></form>'
        ).format(url_for("certificates_admin.reissue_renamed", user_id=user.id), generate_csrf(),
                 _("Re-issue all %(n)s with the new name", n=len(items))))
    return items
