"""The follow-up notifications (surveys, nudges, the instructors' digest, announcements), in
the app and by e-mail, wholly in each recipient's language; with the certification's own
kinds (tests/certification/test_notification_language.py) and the name-change decisions
(tests/certificates/test_name_change_requests.py) every kind is checked."""

from __future__ import annotations

import yaml
from sqlalchemy import delete, select

from academy.announcements.services import post_announcement
from academy.certification import services as cert_services
from academy.certification import translations
from academy.certification.enums import NotificationKind
from academy.certification.models import CertificationRecord, Notification
from academy.core import mail
from academy.core.models import frozen_clock
from academy.extensions import db
from academy.nudges.tasks import send_nudges
from academy.surveys import definitions
from academy.surveys import services as survey_services
from academy.surveys.tasks import send_surveys
from tests.certification.test_notification_language import (
    ALLOWED,
    CERTIFICATION_KINDS,
    COGNATES,
    LANGUAGES,
    PROGRAMME,
    TASK,
    words,
)
from tests.certification.world import RUBRIC
from tests.surveys.world import at

FOLLOW_UP_KINDS = {NotificationKind.SURVEY, NotificationKind.SURVEY_REMINDER,
                   NotificationKind.CERTIFICATION_EXPIRING, NotificationKind.INACTIVITY_NUDGE,
                   NotificationKind.INSTRUCTOR_DIGEST, NotificationKind.ANNOUNCEMENT}
SURVEY = {"en": "Six months on", "fr": "Six mois après", "es": "Seis meses después", "pt": "Seis meses depois",
          "ru": "Полгода спустя", "zh": "六个月后", "ar": "بعد ستة أشهر"}
QUESTION = {"en": "How many patent searches have you done?",
            "fr": "Combien de recherches de brevets avez-vous faites ?",
            "es": "¿Cuántas búsquedas de patentes ha hecho?", "pt": "Quantas pesquisas de patentes fez?",
            "ru": "Сколько патентных поисков вы провели?", "zh": "您做过多少次专利检索？",
            "ar": "كم عدد عمليات البحث عن البراءات التي أجريتها؟"}
ANNOUNCEMENT = {
    "en": ("Workshop moved", "The workshop starts on Tuesday."),
    "fr": ("Atelier déplacé", "L’atelier commence mardi."),
    "es": ("Taller aplazado", "El taller empieza el martes."),
    "pt": ("Oficina adiada", "A oficina começa na terça-feira."),
    "ru": ("Семинар перенесён", "Семинар начнётся во вторник."),
    "zh": ("研讨会改期", "研讨会周二开始。"),
    "ar": ("تأجيل الورشة", "تبدأ الورشة يوم الثلاثاء."),
}
#: words of these messages spelled alike in English and the translation
FOLLOW_UP_COGNATES = {"fr": {"minutes", "questions", "recertification", "six"}, "es": set(), "pt": set(),
                      "ru": set(), "zh": set(), "ar": set()}
#: one name per language, none shared, so a name never passes for a left-over English word
LEARNER = {"en": "Ella Evans", "fr": "Fanny Faure", "es": "Sofia Sanz", "pt": "Joana Pires", "ru": "Rita Orlova",
           "zh": "Li Wei", "ar": "Amina Haddad"}
HOLDER = {"en": "Hugh Hart", "fr": "Hélène Roux", "es": "Pilar Gil", "pt": "Bruna Lopes", "ru": "Oleg Petrov",
          "zh": "Zhang Min", "ar": "Omar Saleh"}
TEACHER = {"en": "Ines Irving", "fr": "Odile Morel", "es": "Carmen Vega", "pt": "Tiago Neves", "ru": "Boris Volkov",
           "zh": "Wang Fang", "ar": "Karim Nasser"}


def survey_yaml() -> str:
    return yaml.safe_dump({"title": SURVEY,
                           "questions": [{"key": "searches", "kind": "number", "text": QUESTION}]},
                          allow_unicode=True)


def test_every_follow_up_notification_reads_in_each_of_the_seven_languages_with_no_english_left(
        app_ctx, make_user, mini_course):
    with frozen_clock(at(2024, 1, 1)):
        programme = cert_services.create_programme(code="TEST-F", titles=PROGRAMME)
        cert_services.set_required_courses(programme, [mini_course])
        task = cert_services.add_task(programme, key="search", title="Prior-art search", instructions="Search.",
                                      due_days=35, rubric=RUBRIC)
        for lang, title in TASK.items():
            translations.save_task_translation(task, lang, title=title, instructions="…", rubric_title="",
                                               criteria={}, levels={})
        recipients = {}
        for lang in LANGUAGES:
            learner = make_user(full_name=LEARNER[lang], preferred_language=lang)
            holder = make_user(full_name=HOLDER[lang], preferred_language=lang)
            teacher = make_user("instructor", full_name=TEACHER[lang], preferred_language=lang)
            # Cohort names are the programme team's own: a code that reads the same in every language.
            cohort = cert_services.create_cohort(programme, f"TISC-{lang}")
            cert_services.assign_instructor(cohort, teacher)
            record = cert_services.enrol_learner(cohort, learner)
            # In practice work since August, untouched: nudged, and the task is due in 3 days.
            record.phase1_passed_at, record.phase2_passed_at = at(2024, 6, 1), at(2024, 8, 15)
            # Certified in March: the 6-month survey is due in September, and the certification
            # expires within 90 days of then.
            db.session.add(CertificationRecord(user_id=holder.id, programme_id=programme.id,
                                               started_at=at(2023, 1, 1), awarded_at=at(2024, 3, 15),
                                               expires_at=at(2024, 11, 1)))
            recipients[lang] = (learner, holder, teacher, cohort)
        survey = survey_services.save_survey(definitions.parse(survey_yaml()), code="follow-up-6",
                                             open_days=30, reminder_after_days=14)
        survey_services.add_send_point(survey, months_after=6, programme_id=programme.id)
        # Enrolment announced phase 1, a certification kind: start the inboxes afresh.
        db.session.execute(delete(Notification))
        db.session.execute(delete(mail.OutgoingMail))  # its keys name the notifications' ids, used again
        db.session.commit()
    mail.outbox.clear()

    with frozen_clock(at(2024, 9, 16)):
        send_surveys()
        send_nudges()  # the learners have been quiet since January: nudged, and their instructors told
        for lang, (_learner, _holder, teacher, cohort) in recipients.items():
            post_announcement(cohort, teacher, {code: {"subject": s, "body": b}
                                                for code, (s, b) in ANNOUNCEMENT.items()}, lang)
        db.session.commit()
    with frozen_clock(at(2024, 10, 1)):
        send_surveys()  # the reminder, 14 days on

    texts: dict[str, list[str]] = {}
    for lang, (learner, holder, teacher, _cohort) in recipients.items():
        users = (learner, holder, teacher)
        notes = db.session.scalars(select(Notification).where(
            Notification.user_id.in_([u.id for u in users]))).all()
        assert {n.kind for n in notes} == FOLLOW_UP_KINDS, lang
        sent = [m for m in mail.outbox if m["To"] in {u.email for u in users}]
        assert len(sent) == len(notes), lang
        texts[lang] = [n.message for n in notes] + [m["Subject"] + "\n" + m.get_content() for m in sent]
    english = set().union(*(words(t) for t in texts["en"])) - ALLOWED
    assert {"questions", "reminder", "expires", "recertify", "activity", "workshop"} <= english
    for lang in LANGUAGES[1:]:
        left = {w for t in texts[lang] for w in words(t)} & english - COGNATES[lang] - FOLLOW_UP_COGNATES[lang]
        assert not left, (lang, sorted(left), [(sorted(words(t) & left), t) for t in texts[lang] if words(t) & left])
        for title in (PROGRAMME[lang], SURVEY[lang], ANNOUNCEMENT[lang][0], LEARNER[lang], TASK[lang]):
            assert any(title in t for t in texts[lang]), (lang, title)


def test_every_notification_kind_is_checked_for_english_left_in_some_language_test():
    from tests.certificates.test_name_change_requests import NAME_CHANGE_KINDS

    assert CERTIFICATION_KINDS | FOLLOW_UP_KINDS | NAME_CHANGE_KINDS == set(NotificationKind)
    assert not CERTIFICATION_KINDS & FOLLOW_UP_KINDS and not NAME_CHANGE_KINDS & (CERTIFICATION_KINDS | FOLLOW_UP_KINDS)
