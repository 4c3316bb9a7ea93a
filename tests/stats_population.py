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
