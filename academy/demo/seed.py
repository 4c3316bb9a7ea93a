"""Demo data: DL177, the TISC directory of the pilot countries, staff and the pilot learners.

Idempotent: every record is looked up by a natural key first, so running it twice adds
nothing. The demo password is random per instance (kept in the instance folder) unless
ACADEMY_DEMO_PASSWORD is set, and printed with the accounts.
"""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from academy.auth.latin import suggest_latin
from academy.auth.models import NameChangeRequest, Tisc, User
from academy.auth.services import create_user, request_name_change
from academy.core.enums import EnrollmentStatus, Gender, Role
from academy.courses.models import Course, Enrollment, Lesson, LessonProgress
from academy.courses.package import load_package
from academy.courses.services import import_package, refresh_progress
from academy.demo.quizzes import take_demo_quizzes
from academy.extensions import db

PACKAGES_DIR = Path(__file__).resolve().parent.parent / "courses" / "packages"

TISCS = [
    ("CN", "TISC of Tongji University", "Tongji University", "Shanghai", "China TISC network"),
    ("CN", "TISC of the Wuhan Institute of Technology Information", "Wuhan Institute of Technology", "Wuhan", "China TISC network"),
    ("KE", "TISC at the Kenya Industrial Property Institute", "Kenya Industrial Property Institute", "Nairobi", "Kenya TISC network"),
    ("KE", "TISC of Jomo Kenyatta University of Agriculture and Technology", "JKUAT", "Juja", "Kenya TISC network"),
    ("MG", "CATI de l'Office Malgache de la Propriété Industrielle", "OMAPI", "Antananarivo", "Réseau CATI Madagascar"),
    ("MG", "CATI de l'Université d'Antananarivo", "Université d'Antananarivo", "Antananarivo", "Réseau CATI Madagascar"),
    ("PE", "CATI INDECOPI Lima", "INDECOPI", "Lima", "Red CATI Perú"),
    ("PE", "CATI de la Universidad Nacional de San Agustín", "UNSA", "Arequipa", "Red CATI Perú"),
    ("PH", "ITSO of the University of the Philippines Diliman", "University of the Philippines", "Quezon City", "ITSO network"),
    ("PH", "ITSO of Mindanao State University", "Mindanao State University", "Marawi", "ITSO network"),
    ("SA", "TISC at the Saudi Authority for Intellectual Property", "SAIP", "Riyadh", "Saudi TISC network"),
    ("SA", "TISC of King Abdulaziz University", "King Abdulaziz University", "Jeddah", "Saudi TISC network"),
]

# Eight pilot participants per country: (name, gender). Names in the script learners use.
PILOT = {
    "CN": ("zh", [("王芳", "woman"), ("李伟", "man"), ("张敏", "woman"), ("刘洋", "man"), ("陈静", "woman"),
                  ("杨磊", "man"), ("赵丽", "woman"), ("黄晓明", "undisclosed")]),
    "KE": ("en", [("Wanjiru Kamau", "woman"), ("Otieno Ochieng", "man"), ("Akinyi Odhiambo", "woman"),
                  ("Kiprono Cheruiyot", "man"), ("Njeri Mwangi", "woman"), ("Mutua Musyoka", "man"),
                  ("Chebet Korir", "woman"), ("Baraka Njoroge", "another")]),
    "MG": ("fr", [("Hery Rakotomalala", "man"), ("Voahangy Randrianarisoa", "woman"), ("Fanja Rasoanaivo", "woman"),
                  ("Tiana Andriamanantena", "man"), ("Lalao Razafindrakoto", "woman"), ("Mamy Rajaonarison", "man"),
                  ("Nirina Ravelojaona", "woman"), ("Haja Rakotondrabe", "man")]),
    "PE": ("es", [("María Quispe Mamani", "woman"), ("José Huamán Flores", "man"), ("Rosa Condori Ccama", "woman"),
                  ("Luis Ramírez Torres", "man"), ("Carmen Vargas Rojas", "woman"), ("Jorge Chávez Salazar", "man"),
                  ("Ana Gutiérrez Paredes", "woman"), ("Diego Mendoza Ríos", "undisclosed")]),
    "PH": ("en", [("Maria Cristina Santos", "woman"), ("Jose Miguel Reyes", "man"), ("Angelica Dela Cruz", "woman"),
                  ("Mark Anthony Garcia", "man"), ("Kristine Joy Mendoza", "woman"), ("Paolo Bautista", "man"),
                  ("Rowena Villanueva", "woman"), ("Jerome Aquino", "man")]),
    "SA": ("ar", [("نورة القحطاني", "woman"), ("محمد العتيبي", "man"), ("سارة الشهري", "woman"),
                  ("عبدالله الغامدي", "man"), ("ريم الدوسري", "woman"), ("فهد الحربي", "man"),
                  ("هند الزهراني", "woman"), ("خالد المطيري", "man")]),
}

# The Latin forms the learners themselves entered, as in their passports (the suggestion for
# Arabic names lacks the short vowels, which Arabic script does not write).
LATIN = {
    "نورة القحطاني": "Noura Al-Qahtani", "محمد العتيبي": "Mohammed Al-Otaibi", "سارة الشهري": "Sarah Al-Shehri",
    "عبدالله الغامدي": "Abdullah Al-Ghamdi", "ريم الدوسري": "Reem Al-Dosari", "فهد الحربي": "Fahad Al-Harbi",
    "هند الزهراني": "Hind Al-Zahrani", "خالد المطيري": "Khalid Al-Mutairi",
}

INDEPENDENT = [
    ("Amina Diallo", "woman", "SN", "fr"), ("Carlos Oliveira", "man", "BR", "pt"),
    ("Елена Смирнова", "woman", "RU", "ru"), ("Kwame Mensah", "man", "GH", "en"),
    ("Lucía Fernández", "woman", "AR", "es"), ("Ahmed Benali", "prefer", "MA", "ar"),
]


def _demo_password() -> str:
    configured = current_app.config.get("DEMO_PASSWORD")
    if configured:
        return configured
    path = Path(current_app.config["INSTANCE_DIR"]) / "demo-password"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = "demo-" + secrets.token_urlsafe(12)
    path.write_text(password)
    path.chmod(0o600)
    return password


def _user(email, name, gender, country, language, password, roles, tisc=None, other=None) -> User:
    latin = LATIN.get(name) or suggest_latin(name)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None:
        if latin and not user.full_name_latin and user.full_name == name:  # demo data from before Latin names
            user.full_name_latin = latin
        return user
    return create_user(email=email, full_name=name, password=password, gender=gender, country_code=country,
                       tisc_id=tisc.id if tisc else None, institution_other=other, preferred_language=language,
                       roles=roles, full_name_latin=latin)


def _name_change_request() -> None:
    """One learner waiting for an admin's decision on a new name (the admin's queue)."""
    user = db.session.scalar(select(User).where(User.email == "pilot.mg02@tisc.example"))
    if user is None or db.session.scalar(select(NameChangeRequest.id).where(NameChangeRequest.user_id == user.id)):
        return
    request_name_change(user, name=f"{user.full_name}-Rakoto", latin=None,
                        reason="Mariage : nom d’usage dans mon nouveau passeport")


def import_builtin_courses() -> list[Course]:
    courses = []
    for folder in sorted(PACKAGES_DIR.iterdir()):
        if (folder / "course.yaml").is_file():
            pkg = load_package(folder)
            existing = db.session.scalar(select(Course).where(Course.code == pkg.code))
            if existing is not None and existing.package_sha256 == pkg.sha256:
                courses.append(existing)
                continue
            course, _summary = import_package(pkg)
            courses.append(course)
    return courses


def _set_progress(enrollment: Enrollment, lessons: list[Lesson], count: int, start: datetime, rng) -> None:
    when = start
    for lesson in lessons[:count]:
        when += timedelta(hours=rng.randint(2, 60))
        db.session.add(LessonProgress(enrollment_id=enrollment.id, lesson_id=lesson.id, first_opened_at=when,
                                      last_visited_at=when, completed_at=when))
    enrollment.last_activity_at = when if count else None
    if count:
        enrollment.status = EnrollmentStatus.IN_PROGRESS
        enrollment.last_lesson_id = lessons[count - 1].id


def seed(echo=print) -> dict:
    """Create whatever demo data is missing; returns the accounts for printing."""
    rng = random.Random(177)
    courses = import_builtin_courses()
    dl177 = next(c for c in courses if c.code == "DL177")
    languages = {v.language for v in dl177.versions}
    tiscs = {}
    for country, name, host, city, network in TISCS:
        t = db.session.scalar(select(Tisc).where(Tisc.country_code == country, Tisc.name == name))
        if t is None:
            t = Tisc(country_code=country, name=name, host_institution=host, city=city, national_network=network)
            db.session.add(t)
        tiscs.setdefault(country, []).append(t)
    db.session.flush()

    password = _demo_password()
    _user("admin@academy.example", "Academy Administrator", "undisclosed", "CH", "en", password,
          [Role.ADMIN, Role.LEARNER], other="WIPO Academy")
    _user("instructor1@academy.example", "Dr. Ngozi Adeyemi", "woman", "NG", "en", password,
          [Role.INSTRUCTOR, Role.LEARNER], other="WIPO Academy")
    _user("instructor2@academy.example", "Pablo Herrera", "man", "CO", "es", password,
          [Role.INSTRUCTOR, Role.LEARNER], other="WIPO Academy")
    coordinator = _user("coordinator.ke@academy.example", "Grace Wambui", "woman", "KE", "en", password,
                        [Role.COORDINATOR], other="Kenya Industrial Property Institute")

    lessons = [les for m in sorted(dl177.modules, key=lambda m: m.position) if not m.is_retired
               for les in m.lessons if not les.is_retired]
    base = datetime(2023, 9, 1, 8, 0, tzinfo=UTC)
    created = 0
    for country, (lang, people) in PILOT.items():
        for i, (name, gender) in enumerate(people, start=1):
            email = f"pilot.{country.lower()}{i:02d}@tisc.example"
            if db.session.scalar(select(User.id).where(User.email == email)):
                continue
            user = _user(email, name, gender, country, lang, password, [Role.LEARNER], tisc=tiscs[country][i % 2])
            version = lang if lang in languages else ("fr" if lang == "fr" and "fr" in languages else "en")
            enrolled_at = base + timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 23))
            enrollment = Enrollment(user_id=user.id, course_id=dl177.id, language=version, enrolled_at=enrolled_at)
            db.session.add(enrollment)
            db.session.flush()
            # A realistic spread: some not started, most mid-course, a third finished the lessons.
            state = rng.choices(["none", "some", "all"], weights=[2, 4, 3])[0]
            count = {"none": 0, "some": rng.randint(1, len(lessons) - 1), "all": len(lessons)}[state]
            _set_progress(enrollment, lessons, count, enrolled_at, rng)
            db.session.flush()
            refresh_progress(enrollment)
            take_demo_quizzes(enrollment, rng)
            created += 1
    for i, (name, gender, country, lang) in enumerate(INDEPENDENT, start=1):
        g = gender if gender in {x.value for x in Gender} else "undisclosed"
        _user(f"learner{i}@example.org", name, g, country, lang, password, [Role.LEARNER],
              other="Independent inventor support office")
    db.session.flush()
    from academy.demo.certification import seed_certification

    seed_certification(dl177, echo=echo)
    from academy.demo.assignments import seed_assignments

    seed_assignments(dl177, echo=echo)
    _name_change_request()
    from academy.demo.surveys import seed_surveys

    seed_surveys(echo=echo)
    from academy.demo.announcements import seed_announcements

    seed_announcements(echo=echo)
    from academy.coordinators.queries import scope_of
    from academy.coordinators.services import assign

    if scope_of(coordinator.id).is_empty:
        assign(coordinator, countries=["KE"], tisc_ids=[])
    db.session.commit()
    accounts = [
        ("admin", "admin@academy.example"),
        ("instructor", "instructor1@academy.example"),
        ("instructor", "instructor2@academy.example"),
        ("coordinator (Kenya)", "coordinator.ke@academy.example"),
        ("learner (pilot, China)", "pilot.cn01@tisc.example"),
        ("learner (pilot, Saudi Arabia)", "pilot.sa01@tisc.example"),
        ("learner (pilot, Madagascar)", "pilot.mg01@tisc.example"),
        ("learner (independent)", "learner1@example.org"),
    ]
    echo("Demo data ready" + (f" ({created} pilot learners added)" if created else " (nothing new to add)") + ".")
    echo(f"Demo accounts (password for all: {password}):")
    for role, email in accounts:
        echo(f"  {role:32} {email}")
    echo("  … and 47 more pilot learners: pilot.<cn|ke|mg|pe|ph|sa><01-08>@tisc.example")
    return {"password": password, "accounts": accounts}
