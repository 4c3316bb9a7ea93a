"""Demo data for follow-up surveys: the pilot's 6-month follow-up, in the seven languages,
sent to each certified pilot learner six months after the award and answered by most.

It runs as it would have happened: the queue's sending service on a frozen clock set to
each send date (notifications in the app, e-mail muted), the answers a few days later.
Idempotent: nothing is added once the survey exists.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from academy.certification.models import CertificationProgramme, CertificationRecord
from academy.certification.notifications import mail_muted
from academy.core.models import frozen_clock, utcnow
from academy.extensions import db
from academy.surveys import services
from academy.surveys.definitions import QuestionDef, SurveyDef
from academy.surveys.enums import QuestionKind
from academy.surveys.models import Survey, SurveyAnswer, SurveyInvitation

CODE = "pilot-6-months"
TITLE = {
    "en": "Six months after the TISC staff certification",
    "fr": "Six mois après la certification du personnel des CATI",
    "es": "Seis meses después de la certificación del personal de los CATI",
    "pt": "Seis meses após a certificação do pessoal dos CATI",
    "ru": "Через шесть месяцев после сертификации сотрудников ЦПТИ",
    "zh": "TISC员工认证六个月后",
    "ar": "بعد ستة أشهر من شهادة موظفي مراكز دعم التكنولوجيا والابتكار",
}
SEARCHES = {
    "en": "How many patent searches have you done for clients since the training?",
    "fr": "Combien de recherches de brevets avez-vous effectuées pour des clients depuis la formation ?",
    "es": "¿Cuántas búsquedas de patentes ha realizado para clientes desde la formación?",
    "pt": "Quantas pesquisas de patentes você fez para clientes desde a formação?",
    "ru": "Сколько патентных поисков вы провели для клиентов после обучения?",
    "zh": "培训以来，您为客户进行了多少次专利检索？",
    "ar": "كم عدد عمليات البحث عن البراءات التي أجريتها للعملاء منذ التدريب؟",
}
SKILLS = {
    "en": "Which skills do you use?",
    "fr": "Quelles compétences utilisez-vous ?",
    "es": "¿Qué competencias utiliza?",
    "pt": "Quais competências você utiliza?",
    "ru": "Какие навыки вы применяете?",
    "zh": "您在使用哪些技能？",
    "ar": "ما المهارات التي تستخدمها؟",
}
SKILL_OPTIONS = {
    "prior-art": {
        "en": "Prior-art searching", "fr": "Recherche d'antériorités", "es": "Búsqueda del estado de la técnica",
        "pt": "Pesquisa do estado da técnica", "ru": "Поиск по уровню техники", "zh": "现有技术检索",
        "ar": "البحث عن حالة التقنية الصناعية السابقة"},
    "reading": {
        "en": "Reading and analysing patent documents", "fr": "Lecture et analyse de documents de brevet",
        "es": "Lectura y análisis de documentos de patente", "pt": "Leitura e análise de documentos de patente",
        "ru": "Чтение и анализ патентных документов", "zh": "阅读和分析专利文献",
        "ar": "قراءة وثائق البراءات وتحليلها"},
    "landscape": {
        "en": "Patent landscapes and statistics", "fr": "Panoramas et statistiques de brevets",
        "es": "Panoramas y estadísticas de patentes", "pt": "Panoramas e estatísticas de patentes",
        "ru": "Патентные ландшафты и статистика", "zh": "专利态势分析和统计", "ar": "خرائط البراءات وإحصاءاتها"},
    "training": {
        "en": "Training others in patent information", "fr": "Former d'autres personnes à l'information brevets",
        "es": "Formar a otras personas en información sobre patentes",
        "pt": "Formar outras pessoas em informação de patentes", "ru": "Обучение других работе с патентной информацией",
        "zh": "培训他人使用专利信息", "ar": "تدريب الآخرين على معلومات البراءات"},
}
SERVICE = {
    "en": "Has your TISC started a new service?",
    "fr": "Votre CATI a-t-il lancé un nouveau service ?",
    "es": "¿Ha puesto en marcha su CATI un nuevo servicio?",
    "pt": "O seu CATI lançou um novo serviço?",
    "ru": "Запустил ли ваш ЦПТИ новую услугу?",
    "zh": "您的TISC是否推出了新服务？",
    "ar": "هل أطلق مركزك لدعم التكنولوجيا والابتكار خدمة جديدة؟",
}
SERVICE_OPTIONS = {
    "yes": {"en": "Yes", "fr": "Oui", "es": "Sí", "pt": "Sim", "ru": "Да", "zh": "是", "ar": "نعم"},
    "planned": {"en": "Not yet, one is planned", "fr": "Pas encore, un service est prévu",
                "es": "Todavía no, hay uno previsto", "pt": "Ainda não, há um previsto",
                "ru": "Пока нет, но запланирована", "zh": "尚未推出，但已在计划中",
                "ar": "ليس بعد، هناك خدمة مخطط لها"},
    "no": {"en": "No", "fr": "Non", "es": "No", "pt": "Não", "ru": "Нет", "zh": "否", "ar": "لا"},
}
#: of the certified pilot learners, these did not answer (the rest did)
SILENT = {"pilot.ph05", "pilot.cn04", "pilot.ke07"}


def _definition() -> SurveyDef:
    def options(table):
        return [{"key": key, "labels": labels} for key, labels in table.items()]

    return SurveyDef(TITLE, [
        QuestionDef("searches", QuestionKind.NUMBER, SEARCHES),
        QuestionDef("skills", QuestionKind.MULTIPLE, SKILLS, options(SKILL_OPTIONS)),
        QuestionDef("service", QuestionKind.SINGLE, SERVICE, options(SERVICE_OPTIONS)),
    ])


def seed_surveys(echo=print) -> None:
    """The pilot's 6-month follow-up and its answers, unless it exists."""
    if db.session.scalar(select(Survey.id).where(Survey.code == CODE)):
        return
    programme = db.session.scalar(select(CertificationProgramme).where(CertificationProgramme.code == "TISC-F"))
    if programme is None:
        return
    rng = random.Random(621)
    records = db.session.scalars(select(CertificationRecord).where(
        CertificationRecord.programme_id == programme.id, CertificationRecord.awarded_at.is_not(None))
        .order_by(CertificationRecord.awarded_at)).all()
    first = records[0].awarded_at if records else None
    with frozen_clock(first or utcnow()):
        survey = services.save_survey(_definition(), code=CODE, open_days=30, reminder_after_days=14)
        services.add_send_point(survey, months_after=6, programme_id=programme.id)
    questions = {q.key: q for q in survey.questions}
    with mail_muted():
        for rec in records:
            due = services.add_months(rec.awarded_at, 6) + timedelta(hours=1)
            with frozen_clock(due):
                services.send_due()
            invitation = db.session.scalar(select(SurveyInvitation).where(SurveyInvitation.user_id == rec.user_id))
            if invitation is None or invitation.submitted_at or rec.user.email.split("@")[0] in SILENT:
                continue
            with frozen_clock(invitation.sent_at + timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 8))):
                services.send_due()  # the reminder, for those who waited past 14 days
                searches = rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25])
                skills = [k for k, weight in (("prior-art", 0.85), ("reading", 0.7), ("landscape", 0.3),
                                              ("training", 0.45)) if rng.random() < weight] or ["reading"]
                service = rng.choices(["yes", "planned", "no"], weights=[4, 3, 3])[0]
                rows = [SurveyAnswer(question_id=questions["searches"].id, number=searches)]
                rows += [SurveyAnswer(question_id=questions["skills"].id, option_key=k) for k in skills]
                rows.append(SurveyAnswer(question_id=questions["service"].id, option_key=service))
                services.save_answers(invitation, rows, rec.user.preferred_language or "en")
    db.session.flush()
    echo("Surveys: the pilot's 6-month follow-up, answered by most certified learners.")
