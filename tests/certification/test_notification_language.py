"""Every notification, in-app and by e-mail, wholly in the recipient's language."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import delete, select

from academy.certification import services, translations
from academy.certification.enums import GradeDecision, NotificationKind
from academy.certification.models import Notification
from academy.certification.services import grading
from academy.core.mail import OutgoingMail, outbox
from academy.core.models import utcnow
from academy.extensions import db
from tests.certification.world import build

LANGUAGES = ["en", "fr", "es", "pt", "ru", "zh", "ar"]
PROGRAMME = {
    "en": "Test certification", "fr": "Certification d’essai", "es": "Certificación de prueba",
    "pt": "Certificação de teste", "ru": "Пробная сертификация", "zh": "测试认证", "ar": "شهادة تجريبية",
}
TASK = {
    "fr": "Recherche d’antériorités", "es": "Búsqueda del estado de la técnica", "pt": "Pesquisa do estado da técnica",
    "ru": "Поиск по уровню техники", "zh": "现有技术检索", "ar": "البحث في حالة التقنية الصناعية السابقة",
}
#: words an English sentence shares with a translation without being English in it:
#: names, the agreed untranslated terms, and words spelled alike in both languages
ALLOWED = {"pct", "tisc", "patentscope", "inid", "utc"}
COGNATES = {"fr": {"certification", "phase", "phases", "distance", "page", "instructions", "date", "message"},
            "es": {"instructor", "ignore"}, "pt": {"revise", "ignore", "link"}, "ru": set(), "zh": set(), "ar": set()}


#: the kinds the certification itself sends (the follow-up kinds of surveys, nudges and
#: announcements are checked in tests/nudges/test_notification_language.py)
CERTIFICATION_KINDS = {NotificationKind.PHASE_OPENED, NotificationKind.SUBMISSION_RETURNED,
                       NotificationKind.SUBMISSION_PASSED, NotificationKind.SUBMISSION_FAILED,
                       NotificationKind.DEADLINE_NEAR, NotificationKind.DEADLINE_EXTENDED, NotificationKind.CERTIFIED}


def words(text: str) -> set[str]:
    text = re.sub(r"https?://\S+", " ", text)
    return {w.lower() for w in re.findall(r"\w{3,}", text) if w.isascii() and w.isalpha()}


def send_every_kind(record, task, n: int) -> None:
    """One notification of each kind (and both kinds of extension) to the record's learner."""
    for phase in (1, 2, 3):
        services.notify_phase_opened(record, phase)
    sub = services.submission_for(record, task, create=True)
    for i, decision in enumerate(GradeDecision, start=1):
        grading._notify_decision(sub, SimpleNamespace(decision=decision, id=n * 10 + i))
    instructor = db.session.get(type(record.user), record.user_id)
    services.extend_deadline(record, task, utcnow() + timedelta(days=200), "PCT", instructor)
    services.extend_deadline(record, None, utcnow() + timedelta(days=300), "PCT", instructor)
    services.award(record)


def test_every_notification_kind_reads_in_each_of_the_seven_languages_with_no_english_left(
        app_ctx, make_user, mini_course):
    instructor = make_user("instructor", full_name="Ines Instructor")
    learners = {lang: make_user("learner", full_name=f"Learner {lang}", preferred_language=lang)
                for lang in LANGUAGES}
    w = build(mini_course, instructor, list(learners.values()))
    w.programme.titles = PROGRAMME
    # Enrolment announced phase 1 under the old titles: start the inboxes afresh.
    db.session.execute(delete(Notification))
    db.session.execute(delete(OutgoingMail))
    task = w.tasks[0]
    task.title = "Prior-art search"
    for lang, title in TASK.items():
        translations.save_task_translation(task, lang, title=title, instructions="…", rubric_title="",
                                           criteria={}, levels={})
    now = utcnow()
    for record in w.records:
        record.phase1_passed_at = now - timedelta(days=40)
        # The task is due in three days: a reminder is due.
        record.phase2_passed_at = now - timedelta(days=task.due_days - 3)
    db.session.flush()
    assert services.send_deadline_reminders(now) == len(LANGUAGES)
    for n, record in enumerate(w.records, start=1):
        send_every_kind(record, task, n)
    db.session.flush()

    texts: dict[str, list[str]] = {}
    for lang, user in learners.items():
        notes = db.session.scalars(select(Notification).where(Notification.user_id == user.id)).all()
        assert {n.kind for n in notes} == CERTIFICATION_KINDS, lang
        mails = db.session.scalars(select(OutgoingMail).where(OutgoingMail.to == user.email)).all()
        assert len(mails) == len(notes)
        texts[lang] = [n.message for n in notes] + [m.subject + "\n" + m.body for m in mails]
    english = set().union(*(words(t) for t in texts["en"])) - ALLOWED
    assert {"deadline", "extended", "practice", "tasks", "passed", "certified"} <= english
    for lang in LANGUAGES[1:]:
        left = {w for t in texts[lang] for w in words(t)} & english - COGNATES[lang]
        assert not left, (lang, sorted(left), [(sorted(words(t) & left), t) for t in texts[lang] if words(t) & left])
        assert any(TASK[lang] in t for t in texts[lang]), lang
        assert any(PROGRAMME[lang] in t for t in texts[lang]), lang


def test_password_reset_mail_reads_in_the_recipients_language(app_ctx, make_user, client):
    users = {lang: make_user("learner", preferred_language=lang) for lang in LANGUAGES}
    texts = {}
    for lang, user in users.items():
        assert client.post("/reset-password", data={"email": user.email}).status_code == 302
        # Sent at once (the test queue runs immediately), which empties the stored body: read what was sent.
        sent = [m for m in outbox if m["To"] == user.email]
        texts[lang] = sent[0]["Subject"] + "\n" + sent[0].get_content()
    english = words(texts["en"]) - ALLOWED - {"academy"}
    assert {"password", "link", "hour"} <= english
    for lang in LANGUAGES[1:]:
        assert not words(texts[lang]) & english - COGNATES[lang], (lang, words(texts[lang]) & english)
