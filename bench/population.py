"""A benchmark population, used when `flask academy bench-data` is not available.

Shape (scale 1.0): 110,000 learners, 250,000 enrolments, 1,000,000 lesson-progress rows,
50 courses in 7 languages (DL177 plus 49 generated courses). Rows go in with bulk
INSERTs in large transactions; every learner shares one password hash (benchmarks mint
their sessions, see bench/common.py).
"""

from __future__ import annotations

import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

LANGUAGES = ["en", "fr", "es", "pt", "ru", "zh", "ar"]
COUNTRIES = ["CN", "KE", "MG", "PE", "PH", "SA", "BR", "IN", "EG", "MX", "NG", "RU", "FR", "AR", "VN"]
GENDERS = ["woman", "man", "another", "undisclosed"]


def write_course_package(root: Path, code: str, modules: int, lessons: int, languages=("en", "fr"),
                         words: int = 80) -> Path:
    """A generated course package: ``modules`` × ``lessons`` in each language."""
    slug = code.lower()
    lines = [f"code: {code}", f"slug: {slug}", f"default_language: {languages[0]}",
             f"languages: [{', '.join(languages)}]", "sequential_release: true",
             "title: {" + ", ".join(f'{lang}: "{code} {lang}"' for lang in languages) + "}",
             "description: {" + ", ".join(f'{lang}: "About {code}"' for lang in languages) + "}",
             "modules:"]
    for m in range(1, modules + 1):
        lines.append(f"  - key: m{m}")
        lines.append("    title: {" + ", ".join(f'{lang}: "Module {m} {lang}"' for lang in languages) + "}")
        lines.append("    lessons:")
        for les in range(1, lessons + 1):
            lines.append(f"      - {{key: m{m}l{les}}}")
            for lang in languages:
                path = root / lang / f"m{m}" / f"m{m}l{les}.md"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(f"---\ntitle: Lesson {m}.{les} {lang}\n---\n## Part {les}\n\n"
                                + "Patent information text. " * words)
    (root / "course.yaml").write_text("\n".join(lines) + "\n")
    return root


def generate(scale: float = 1.0, echo=print, seed: int = 177) -> None:
    """Fill the current app's (empty, migrated) database. Call inside an app context."""
    from sqlalchemy import insert, select

    from academy.auth.models import User, UserRole
    from academy.auth.passwords import hash_password
    from academy.core.enums import Role
    from academy.courses.models import Course, Enrollment, Lesson, LessonProgress, Module
    from academy.courses.package import load_package
    from academy.courses.services import import_package
    from academy.extensions import db

    rng = random.Random(seed)
    n_learners = int(110_000 * scale)
    n_enrollments = int(250_000 * scale)
    n_progress = int(1_000_000 * scale)
    now = datetime.now(UTC)

    builtin = Path(__file__).resolve().parent.parent / "academy" / "courses" / "packages" / "dl177"
    import_package(load_package(builtin))
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(1, 50):
            langs = [LANGUAGES[0]] + rng.sample(LANGUAGES[1:], rng.randint(1, 6))
            pkg = write_course_package(Path(tmp) / f"c{i}", f"BENCH{i:02d}", modules=3, lessons=rng.randint(3, 6),
                                       languages=langs, words=60)
            import_package(load_package(pkg))
    db.session.commit()
    courses = []
    for course in db.session.scalars(select(Course)):
        lesson_ids = list(db.session.scalars(
            select(Lesson.id).join(Module).where(Module.course_id == course.id).order_by(Module.position,
                                                                                       Lesson.position)))
        courses.append((course.id, [v.language for v in course.versions], lesson_ids))
    echo(f"  courses: {len(courses)}")

    password_hash = hash_password("bench password, never used to log in")
    batch = 10_000
    for start in range(0, n_learners, batch):
        rows = [{
            "email": f"learner{i}@bench.example", "full_name": f"Bench Learner {i}",
            "password_hash": password_hash, "gender": rng.choice(GENDERS),
            "country_code": rng.choice(COUNTRIES), "institution_other": "Bench institute",
            "preferred_language": rng.choice(LANGUAGES), "created_at": now, "updated_at": now,
        } for i in range(start, min(start + batch, n_learners))]
        db.session.execute(insert(User), rows)
    first_id = db.session.scalar(select(User.id).order_by(User.id).limit(1))
    user_ids = range(first_id, first_id + n_learners)
    for start in range(0, n_learners, batch):
        db.session.execute(insert(UserRole), [{"user_id": uid, "role": Role.LEARNER}
                                              for uid in user_ids[start:start + batch]])
    admin = User(email="admin@bench.example", full_name="Bench Admin", password_hash=password_hash,
                 gender="woman", country_code="KE", institution_other="Academy", preferred_language="en")
    admin.role_rows = [UserRole(role=Role.ADMIN), UserRole(role=Role.LEARNER)]
    db.session.add(admin)
    db.session.commit()
    echo(f"  learners: {n_learners}")

    pairs: set[tuple[int, int]] = set()
    while len(pairs) < n_enrollments:
        pairs.add((rng.choice(user_ids), rng.randrange(len(courses))))
    pairs_list = sorted(pairs)
    per_enrollment = max(1, n_progress // n_enrollments)
    enrollment_rows = []
    for uid, ci in pairs_list:
        course_id, langs, lessons = courses[ci]
        done = min(len(lessons), rng.randint(0, per_enrollment * 2))
        pct = int(100 * done / len(lessons)) if lessons else 0
        language = rng.choice(langs)
        enrolled_at = now - timedelta(days=rng.randint(1, 900))
        # Activity and completion come after the enrolment (the database refuses a completion before it).
        since = (now - enrolled_at).days
        enrollment_rows.append({
            "user_id": uid, "course_id": course_id, "language": language,
            "status": "completed" if pct == 100 else ("in_progress" if done else "enrolled"),
            "enrolled_at": enrolled_at, "progress_percent": pct,
            "last_activity_at": now - timedelta(days=rng.randint(0, min(300, since))) if done else None,
            "completed_at": now - timedelta(days=rng.randint(0, min(300, since))) if pct == 100 else None,
            "last_lesson_id": lessons[done - 1] if done else None,
        })
    for start in range(0, len(enrollment_rows), batch):
        db.session.execute(insert(Enrollment), enrollment_rows[start:start + batch])
    db.session.commit()
    echo(f"  enrolments: {len(enrollment_rows)}")

    ids = dict(((u, c), e) for e, u, c in db.session.execute(
        select(Enrollment.id, Enrollment.user_id, Enrollment.course_id)))
    lessons_by_course = {cid: lessons for cid, _langs, lessons in courses}
    progress, written = [], 0
    for row in enrollment_rows:
        lessons = lessons_by_course[row["course_id"]]
        done = int(round(row["progress_percent"] * len(lessons) / 100))
        eid = ids[(row["user_id"], row["course_id"])]
        for lesson_id in lessons[:done]:
            progress.append({"enrollment_id": eid, "lesson_id": lesson_id, "first_opened_at": now,
                             "last_visited_at": now, "completed_at": now})
        if len(progress) >= batch:
            db.session.execute(insert(LessonProgress), progress)
            written += len(progress)
            progress = []
    if progress:
        db.session.execute(insert(LessonProgress), progress)
        written += len(progress)
    db.session.commit()
    echo(f"  lesson progress rows: {written}")

