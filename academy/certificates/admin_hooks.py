"""What the certificates feature adds to the admin console's person pages: a section
listing the person's certificates, and after a name correction, links to re-issue the
certificates that still carry the old name."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from academy.certificates.models import CertificateStatus
from academy.certificates.queries import user_certificates


def certificates_section(user, **_kw):
    """On ``admin-user-sections``: the person's certificates."""
    return (
        _("Certificates"),
        "certificates/_admin_user_section.html",
        {"certificates": user_certificates(user.id)},
    )


def name_correction_follow_ups(user, **_kw) -> list[Markup]:
    """On ``name-correction-follow-ups``: a link per valid certificate printed with
    another name than the current one, and a button that re-issues them all on the queue."""
    items = []
    for cert in user_certificates(user.id):
        if cert.status == CertificateStatus.VALID and cert.learner_name != user.full_name:
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
