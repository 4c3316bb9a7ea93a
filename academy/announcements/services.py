"""Writing to a cohort: the announcement is kept with the cohort and reaches each of its
learners in the app and by e-mail (as their notification preferences say), in their own
language when the author wrote it in that language, else in the author's main language.
Learners read it on their own record page (the notification's link), staff on the cohort page."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from academy.announcements.models import CohortAnnouncement
from academy.certification import queries as cert_queries
from academy.certification.enums import NotificationKind
from academy.certification.models import Cohort
from academy.certification.notifications import notify
from academy.core.audit import record
from academy.core.i18n import language_name
from academy.extensions import db


class AnnouncementError(ValueError):
    pass


def post_announcement(cohort: Cohort, author, texts: dict, language: str) -> CohortAnnouncement:
    """Keep the announcement and notify every learner of ``cohort``; ``texts`` is
    {language: {"subject", "body"}} with ``language``'s text required."""
    texts = {lang: {"subject": t["subject"].strip(), "body": t["body"].strip()} for lang, t in texts.items()
             if t.get("subject", "").strip() or t.get("body", "").strip()}
    for lang, t in texts.items():
        if not t["subject"] or not t["body"]:
            raise AnnouncementError(_("The %(language)s version needs both a subject and a message.",
                                      language=language_name(lang)))
    if language not in texts:
        raise AnnouncementError(_("Write the announcement at least in its main language (%(language)s).",
                                  language=language_name(language)))
    ann = CohortAnnouncement(cohort_id=cohort.id, author_id=author.id, texts=texts, language=language)
    db.session.add(ann)
    db.session.flush()
    records = cert_queries.cohort_records(cohort.id)
    for rec in records:
        chosen = texts.get(rec.user.preferred_language or "en") or texts[language]
        notify(rec.user, NotificationKind.ANNOUNCEMENT, lambda chosen=chosen: (chosen["subject"], chosen["body"]),
               link=f"/certification/records/{rec.id}#announcements", dedupe_key=f"announcement:{ann.id}")
    record("cohort.announcement", "cohort", cohort.id,
           after={"announcement": ann.id, "languages": sorted(texts), "recipients": len(records)})
    return ann


def announcements(cohort_id: int) -> list[CohortAnnouncement]:
    return list(db.session.scalars(select(CohortAnnouncement).where(CohortAnnouncement.cohort_id == cohort_id)
                                   .order_by(CohortAnnouncement.created_at.desc(), CohortAnnouncement.id.desc())))
