"""Outcome statistics: certificates issued, re-issued, revoked, against hand counts.

Certificates of the stats_population (see that module):
  c1  u1 woman KE  e1 MINI1  en  2024-01-20  rev 0  valid
  c2  u3 man   KE  e3 MINI1  en  2024-03-01  rev 0  superseded by c3
  c3  u3 man   KE  e3 MINI1  en  2024-04-01  rev 1  valid
  c4  u5 woman PE  e5 ADV1   es  2024-05-10  rev 0  revoked
  c5  u7 man   FR  e7 MINI1  fr  2025-03-06  rev 0  valid
"""

from __future__ import annotations

import pytest

from academy.extensions import db
from academy.stats.queries import Filters, crosstab
from tests.stats_population import at, build_population


@pytest.fixture
def pop(make_user, import_course):
    from academy.certificates.models import Certificate, CertificateKind, CertificateStatus

    p = build_population(make_user, import_course)
    specs = [
        ("c1", "u1", "e1", "MINI1", "en", at(2024, 1, 20), 0, CertificateStatus.VALID),
        ("c2", "u3", "e3", "MINI1", "en", at(2024, 3, 1), 0, CertificateStatus.SUPERSEDED),
        ("c3", "u3", "e3", "MINI1", "en", at(2024, 4, 1), 1, CertificateStatus.VALID),
        ("c4", "u5", "e5", "ADV1", "es", at(2024, 5, 10), 0, CertificateStatus.REVOKED),
        ("c5", "u7", "e7", "MINI1", "fr", at(2025, 3, 6), 0, CertificateStatus.VALID),
    ]
    p.certificates = {}
    for key, user, enrolment, code, lang, issued, revision, status in specs:
        c = Certificate(
            user_id=p.users[user].id, kind=CertificateKind.COURSE, subject_code=code, title=code,
            titles={lang: code}, language=lang, learner_name=p.users[user].full_name, issued_at=issued,
            serial=f"{code}-{key}", verification_code=f"code-{key}", status=status,
            enrollment_id=p.enrolments[enrolment].id, revision=revision, pdf_sha256="0" * 64, pdf_size=1,
            storage_key=f"{key}.pdf", revoked_at=at(2024, 6, 1) if status == CertificateStatus.REVOKED else None,
        )
        db.session.add(c)
        p.certificates[key] = c
    db.session.commit()
    return p


def counts(tab, key, col=None):
    return tuple(tab.value(m, key, col) for m in (
        "certificates_issued", "certificates_reissued", "certificates_revoked", "certificates_valid"))


def test_certificates_by_language(pop):
    tab = crosstab("language", None, Filters(), fact="certificate")
    assert counts(tab, "en") == (2, 1, 0, 2)
    assert counts(tab, "es") == (1, 0, 1, 0)
    assert counts(tab, "fr") == (1, 0, 0, 1)
    assert tab.value("revocation_rate", "es") == 100.0
    assert tab.fact.measure("revocation_rate").compute(tab.grand_total()) == 25.0


def test_certificates_by_gender_course_and_period(pop):
    gender = crosstab("gender", None, Filters(), fact="certificate")
    assert counts(gender, "woman") == (2, 0, 1, 1)
    assert counts(gender, "man") == (2, 1, 0, 2)
    course = crosstab("course", None, Filters(), fact="certificate")
    assert counts(course, pop.mini.id) == (3, 1, 0, 3)
    assert counts(course, pop.adv.id) == (1, 0, 1, 0)
    years = crosstab("year", "region", Filters(), fact="certificate")
    assert years.value("certificates_issued", "2024", "africa") == 2
    assert years.value("certificates_issued", "2025", "developed") == 1


def test_certificate_filters(pop):
    def issued(**f):
        return crosstab("gender", None, Filters(**f), fact="certificate").grand_total()["issued"]

    from datetime import date

    assert issued(course_ids=(pop.adv.id,)) == 1
    assert issued(countries=("KE",)) == 2
    assert issued(date_from=date(2024, 3, 1), date_to=date(2024, 12, 31)) == 2  # c2, c4 (c3 is a re-issue)
    assert issued(languages=("fr",)) == 1


def test_certificates_in_the_crosstab_builder_and_export(pop, make_user, login_as):
    client = login_as(make_user("admin", email="cert-admin@example.org"))
    html = client.get("/admin/stats/crosstab?rows=gender&cols=language&measure=certificates_issued"
                      "&suppression=off").get_data(as_text=True)
    assert "Certificates issued by gender and course language" in html
    csv_text = client.get("/admin/stats/export.csv?figure=crosstab&rows=gender&cols=language"
                          "&measure=certificates_revoked&suppression=off").get_data(as_text=True)
    assert "Woman,0,0,1,1" in csv_text.replace("\r", "")  # columns: English, French, Spanish


def test_dashboard_shows_certificates(pop, make_user, login_as):
    client = login_as(make_user("admin", email="cert-admin2@example.org"))
    html = client.get("/admin/stats/").get_data(as_text=True)
    assert "Certificates issued and revoked by certificate language" in html


@pytest.fixture
def quizzes(pop):
    """Quiz attempts on MINI1's module quiz (a5 is unfinished and does not count):
      a1 u1 woman en #1 failed, a2 u1 woman en #2 passed, a3 u3 man en #1 passed,
      a4 u2 woman fr #1 failed, a5 u7 man fr #1 in progress
    """
    from academy.assessments.enums import AttemptState, QuizKind
    from academy.assessments.models import Quiz, QuizAttempt

    quiz = Quiz(course_id=pop.mini.id, key="stats-quiz", kind=QuizKind.MODULE, pass_mark=70)
    db.session.add(quiz)
    db.session.flush()
    specs = [
        ("u1", "e1", "en", 1, at(2024, 1, 15), False),
        ("u1", "e1", "en", 2, at(2024, 1, 16), True),
        ("u3", "e3", "en", 1, at(2024, 2, 20), True),
        ("u2", "e2", "fr", 1, at(2024, 2, 10), False),
        ("u7", "e7", "fr", 1, None, None),
    ]
    for user, enrolment, lang, number, graded, passed in specs:
        db.session.add(QuizAttempt(
            quiz_id=quiz.id, enrollment_id=pop.enrolments[enrolment].id, user_id=pop.users[user].id,
            number=number, language=lang, layout=[], started_at=graded or at(2025, 3, 2),
            state=AttemptState.GRADED if graded else AttemptState.IN_PROGRESS, graded_at=graded,
            submitted_at=graded, score=(80 if passed else 40) if graded else None, is_passed=passed,
        ))
    db.session.commit()
    return quiz


def quiz_numbers(tab, key):
    return tuple(tab.value(m, key) for m in ("quiz_attempts", "quiz_passed", "quiz_pass_rate", "quiz_first_pass_rate"))


def test_quiz_pass_rates_by_gender_and_language(quizzes):
    gender = crosstab("gender", None, Filters(), fact="quiz")
    assert quiz_numbers(gender, "woman") == (3, 1, 33.3, 0.0)
    assert quiz_numbers(gender, "man") == (1, 1, 100.0, 100.0)
    language = crosstab("language", None, Filters(), fact="quiz")
    assert quiz_numbers(language, "en") == (3, 2, 66.7, 50.0)
    assert quiz_numbers(language, "fr") == (1, 0, 0.0, 0.0)
    kind = crosstab("quiz_kind", "region", Filters(), fact="quiz")
    assert kind.value("quiz_attempts", "module", "africa") == 4
    assert kind.row_labels["module"] == "Module quiz"


def test_quiz_filters(quizzes, pop):
    from datetime import date

    def attempts(**f):
        return crosstab("gender", None, Filters(**f), fact="quiz").grand_total()["attempts"]

    assert attempts(course_ids=(pop.mini.id,)) == 4
    assert attempts(course_ids=(pop.adv.id,)) == 0
    assert attempts(date_from=date(2024, 2, 1)) == 2
    assert attempts(genders=("man",)) == 1


def test_dashboard_shows_quiz_pass_rates(quizzes, make_user, login_as):
    client = login_as(make_user("admin", email="quiz-admin@example.org"))
    html = client.get("/admin/stats/").get_data(as_text=True)
    assert "Quiz attempts and pass rates by gender" in html
    rows = client.get("/admin/stats/export.csv?figure=quizzes").get_data(as_text=True).replace("\r", "")
    assert "Woman,3,1,33.3,0.0" in rows and "Man,1,1,100.0,100.0" in rows
