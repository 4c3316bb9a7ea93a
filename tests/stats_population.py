"""A small hand-counted population for the statistics tests.

Eight enrolments of seven learners in two courses; every expected number in the tests
is worked out by hand from the table below (days to complete in brackets).

  enrolment  learner  gender       country  TISC     course  lang  enrolled     completed
  e1         u1       woman        KE       Nairobi  MINI1   en    2024-01-10   2024-01-20 (10)
  e2         u2       woman        KE       -        MINI1   fr    2024-02-05   -
  e3         u3       man          KE       Nairobi  MINI1   en    2024-02-15   2024-03-01 (15)
  e4         u4       man          PE       -        MINI1   en    2024-04-01   -
  e5         u5       woman        PE       -        ADV1    es    2024-04-10   2024-05-10 (30)
  e6         u6       undisclosed  SA       -        ADV1    en    2025-01-05   -
  e7         u7       man          FR       -        MINI1   fr    2025-03-01   2025-03-06 (5)
  e8         u1       woman        KE       Nairobi  ADV1    en    2025-06-30   -
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from academy.auth.models import Tisc
from academy.core.enums import EnrollmentStatus
from academy.courses.models import Course, CourseVersion, Enrollment
from academy.extensions import db


def at(y, m, d, h=9):
    return datetime(y, m, d, h, 0, tzinfo=UTC)


def build_population(make_user, import_course) -> SimpleNamespace:
    p = SimpleNamespace()
    p.mini = import_course()
    p.adv = Course(code="ADV1", slug="adv", default_language="en")
    p.adv.versions = [
        CourseVersion(language="en", title="Advanced patent search"),
        CourseVersion(language="es", title="Búsqueda avanzada de patentes"),
    ]
    db.session.add(p.adv)
    p.tisc = Tisc(name="TISC Nairobi", host_institution="KIPI", city="Nairobi", country_code="KE")
    db.session.add(p.tisc)
    db.session.commit()
    u = {}
    people = {
        "u1": ("woman", "KE", p.tisc.id, "Wanjiru Kamau"),
        "u2": ("woman", "KE", None, "Akinyi Odhiambo"),
        "u3": ("man", "KE", p.tisc.id, "Otieno Ochieng"),
        "u4": ("man", "PE", None, "José Huamán"),
        "u5": ("woman", "PE", None, "María Quispe"),
        "u6": ("undisclosed", "SA", None, "Sara Alshehri"),
        "u7": ("man", "FR", None, "Jean Dupont"),
    }
    for key, (gender, country, tisc_id, name) in people.items():
        u[key] = make_user(gender=gender, country_code=country, tisc_id=tisc_id, full_name=name,
                           email=f"{key}@example.org")
    rows = [
        ("e1", "u1", p.mini, "en", at(2024, 1, 10), at(2024, 1, 20)),
        ("e2", "u2", p.mini, "fr", at(2024, 2, 5), None),
        ("e3", "u3", p.mini, "en", at(2024, 2, 15), at(2024, 3, 1)),
        ("e4", "u4", p.mini, "en", at(2024, 4, 1), None),
        ("e5", "u5", p.adv, "es", at(2024, 4, 10), at(2024, 5, 10)),
        ("e6", "u6", p.adv, "en", at(2025, 1, 5), None),
        ("e7", "u7", p.mini, "fr", at(2025, 3, 1), at(2025, 3, 6)),
        ("e8", "u1", p.adv, "en", at(2025, 6, 30), None),
    ]
    p.enrolments = {}
    for key, user, course, lang, enrolled, completed in rows:
        e = Enrollment(
            user_id=u[user].id, course_id=course.id, language=lang, enrolled_at=enrolled,
            completed_at=completed, progress_percent=100 if completed else 40,
            status=EnrollmentStatus.COMPLETED if completed else EnrollmentStatus.IN_PROGRESS,
        )
        db.session.add(e)
        p.enrolments[key] = e
    db.session.commit()
    p.users = u
    return p


def add_certification(p: SimpleNamespace) -> SimpleNamespace:
    """Certification records of the population above, in two cohorts of programme TISC-F:

      record  learner  gender       cohort   attempt  started     phase 1     phase 2     phase 3, award  certificate
      r1      u1       woman        Pilot    1        2024-01-05  2024-02-01  2024-03-01  2024-04-01       valid
      r2      u2       woman        Pilot    1        2024-01-05  2024-02-10  -           -                -
      r3      u3       man          Pilot    1        2024-01-05  2024-02-15  2024-03-15  -                -
      r4      u4       man          Second   1        2025-01-10  -           -           -                -
      r5      u5       woman        Second   1        2025-01-10  2025-02-01  2025-03-01  2025-05-01       revoked
      r6      u6       undisclosed  Pilot    1        2023-03-01  2023-04-01  2023-05-01  2023-06-01       re-issued
      r7      u6       undisclosed  Second   2        2025-02-01  -           -           -                -
      (u7 has no record.)

    Phase each record stands in: phase 1 r4 r7; phase 2 r2; phase 3 r3; certified r1 r5 r6.
    A learner's cohort is the cohort of their latest record: u1 u2 u3 Pilot; u4 u5 u6
    Second (r7 is later than r6); u7 none.
    """
    from academy.certificates.models import Certificate, CertificateKind, CertificateStatus
    from academy.certification.models import CertificationProgramme, CertificationRecord, Cohort

    programme = CertificationProgramme(code="TISC-F", titles={"en": "TISC foundation"})
    db.session.add(programme)
    db.session.flush()
    p.pilot = Cohort(programme_id=programme.id, name="Pilot")
    p.second = Cohort(programme_id=programme.id, name="Second")
    db.session.add_all([p.pilot, p.second])
    db.session.flush()
    specs = [
        ("r1", "u1", p.pilot, 1, at(2024, 1, 5), at(2024, 2, 1), at(2024, 3, 1), at(2024, 4, 1)),
        ("r2", "u2", p.pilot, 1, at(2024, 1, 5), at(2024, 2, 10), None, None),
        ("r3", "u3", p.pilot, 1, at(2024, 1, 5), at(2024, 2, 15), at(2024, 3, 15), None),
        ("r4", "u4", p.second, 1, at(2025, 1, 10), None, None, None),
        ("r5", "u5", p.second, 1, at(2025, 1, 10), at(2025, 2, 1), at(2025, 3, 1), at(2025, 5, 1)),
        ("r6", "u6", p.pilot, 1, at(2023, 3, 1), at(2023, 4, 1), at(2023, 5, 1), at(2023, 6, 1)),
        ("r7", "u6", p.second, 2, at(2025, 2, 1), None, None, None),
    ]
    p.records = {}
    for key, user, cohort, attempt, started, p1, p2, awarded in specs:
        r = CertificationRecord(
            user_id=p.users[user].id, programme_id=programme.id, cohort_id=cohort.id, attempt=attempt,
            started_at=started, phase1_passed_at=p1, phase2_passed_at=p2, phase3_passed_at=awarded,
            awarded_at=awarded,
        )
        db.session.add(r)
        db.session.flush()
        p.records[key] = r
    certs = [
        ("k1", "r1", "u1", at(2024, 4, 1), 0, CertificateStatus.VALID),
        ("k5", "r5", "u5", at(2025, 5, 1), 0, CertificateStatus.REVOKED),
        ("k6", "r6", "u6", at(2023, 6, 1), 0, CertificateStatus.SUPERSEDED),
        ("k6b", "r6", "u6", at(2023, 6, 1), 1, CertificateStatus.VALID),
    ]
    for key, record, user, issued, revision, status in certs:
        db.session.add(Certificate(
            user_id=p.users[user].id, kind=CertificateKind.CERTIFICATION, subject_code="TISC-F",
            title="TISC foundation", titles={"en": "TISC foundation"}, language="en",
            learner_name=p.users[user].full_name, issued_at=issued, serial=f"TISC-F-{key}",
            verification_code=f"code-{key}", status=status, certification_record_id=p.records[record].id,
            revision=revision, pdf_sha256="0" * 64, pdf_size=1, storage_key=f"{key}.pdf",
            revoked_at=at(2025, 6, 1) if status == CertificateStatus.REVOKED else None,
        ))
    db.session.commit()
    return p
