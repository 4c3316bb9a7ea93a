"""Demo data for cohort announcements and scheduled reports: what the pilot cohort's
instructor wrote to it when phase 3 opened, and the quarterly summary the admin sends to
the programme's funder (an address without an account). Idempotent: nothing is added
once the cohort has an announcement or the schedule exists."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from academy.announcements.models import CohortAnnouncement
from academy.announcements.services import post_announcement
from academy.auth.models import User
from academy.certification.models import Cohort
from academy.certification.notifications import mail_muted
from academy.core.models import frozen_clock
from academy.extensions import db
from academy.reports.models import Frequency, ScheduledReport
from academy.reports.services import create_schedule

PILOT_COHORT = "2023–24 pilot"
INSTRUCTOR = "instructor1@academy.example"
#: in the pilot's languages; the Russian- and Portuguese-speaking get the English text
TEXTS = {
    "en": ("Phase 3: on-the-job practice is open",
           "Well done on the workshop. Phase 3 is open: submit three real search reports from your TISC's work "
           "before the deadline shown on your certification page. Ask me if a request does not fit a task."),
    "fr": ("Phase 3 : la pratique en situation de travail est ouverte",
           "Bravo pour l'atelier. La phase 3 est ouverte : soumettez trois rapports de recherche réels issus du "
           "travail de votre CATI avant la date limite indiquée sur votre page de certification. Écrivez-moi si une "
           "demande ne correspond à aucune tâche."),
    "es": ("Fase 3: la práctica en el puesto de trabajo está abierta",
           "Enhorabuena por el taller. La fase 3 está abierta: presente tres informes de búsqueda reales del "
           "trabajo de su CATI antes de la fecha límite que figura en su página de certificación. Escríbame si "
           "una solicitud no encaja en ninguna tarea."),
    "zh": ("第三阶段：在岗实践现已开放",
           "祝贺您完成研讨会。第三阶段现已开放：请在认证页面所示的截止日期前，提交三份来自您所在技术与创新支持中心"
           "实际工作的检索报告。如有咨询请求与任务不符，请与我联系。"),
    "ar": ("المرحلة 3: الممارسة في أثناء العمل مفتوحة الآن",
           "أحسنتم في حلقة العمل. المرحلة 3 مفتوحة الآن: قدّموا ثلاثة تقارير بحث حقيقية من عمل مركزكم لدعم "
           "التكنولوجيا والابتكار قبل الموعد النهائي المبيّن في صفحة الشهادة. راسلوني إذا لم يتوافق طلب ما مع أي مهمة."),
}


def seed_announcements(echo=print) -> None:
    """The pilot instructor's announcement when phase 3 opened, and a quarterly report schedule."""
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == PILOT_COHORT))
    instructor = db.session.scalar(select(User).where(User.email == INSTRUCTOR))
    if cohort is not None and instructor is not None and db.session.scalar(
            select(CohortAnnouncement.id).where(CohortAnnouncement.cohort_id == cohort.id).limit(1)) is None:
        with frozen_clock(datetime(2024, 3, 15, 9, 0, tzinfo=UTC)), mail_muted():
            post_announcement(cohort, instructor, {lang: {"subject": s, "body": b} for lang, (s, b) in TEXTS.items()},
                              "en")
        echo("Announcements: the pilot cohort's instructor wrote to it when phase 3 opened.")
    name = "Quarterly summary for the funder"
    if db.session.scalar(select(ScheduledReport.id).where(ScheduledReport.name == name)) is None:
        admin = db.session.scalar(select(User).where(User.email == "admin@academy.example"))
        create_schedule(name=name, frequency=Frequency.QUARTERLY, recipients=["funder@example.org"], language="en",
                        created_by_id=admin.id if admin else None)
        echo("Reports: a quarterly summary is scheduled for funder@example.org.")
    db.session.flush()
