"""Certification records on the admin user page: programme, cohort, phases, award."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from academy.certification.models import CertificationRecord
from academy.extensions import db


def records_section(user, **_kw):
    records = list(db.session.scalars(
        select(CertificationRecord).where(CertificationRecord.user_id == user.id)
        .order_by(CertificationRecord.started_at.desc(), CertificationRecord.id.desc())))
    language = user.preferred_language or "en"
    rows = [{
        "record": r,
        "programme": r.programme.titles.get(language) or r.programme.titles.get("en") or r.programme.code,
        "url": url_for("certification.record", record_id=r.id),
    } for r in records]
    return _("Certification records"), "admin/_certification.html", {"rows": rows}
