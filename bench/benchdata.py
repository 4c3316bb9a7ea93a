"""A realistic synthetic population for benchmarks: `flask academy bench-data`.

Learners spread over ~90 countries the way the TISC network is (many in Africa, Asia and
Latin America), with their countries' languages, genders as people report them, TISC
membership, 50 courses with 3 to 7 language versions each, enrolments skewed towards the
popular courses, progress and completions with realistic delays.

Rows are written with the driver's own bulk paths (``executemany`` on SQLite, ``COPY``
on PostgreSQL) in batches, so 250,000 enrolments and a million lesson-progress rows take
well under two minutes and memory stays bounded.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from academy.auth.models import User
from academy.extensions import db

BENCH_DOMAIN = "bench.invalid"
LANGUAGES = ["en", "fr", "es", "pt", "ru", "zh", "ar"]
START = datetime(2019, 1, 1, tzinfo=UTC)
END = datetime(2026, 10, 31, tzinfo=UTC)
BATCH = 20_000

# (country, relative weight, language learners there mostly choose)
COUNTRIES = [
    ("KE", 4, "en"),
    ("NG", 4, "en"),
    ("GH", 2, "en"),
    ("ET", 2, "en"),
    ("TZ", 2, "en"),
    ("UG", 2, "en"),
    ("ZA", 3, "en"),
    ("MG", 2, "fr"),
    ("SN", 2, "fr"),
    ("CI", 2, "fr"),
    ("CM", 2, "fr"),
    ("RW", 1, "en"),
    ("ZW", 1, "en"),
    ("ZM", 1, "en"),
    ("MZ", 1, "pt"),
    ("AO", 1, "pt"),
    ("BF", 1, "fr"),
    ("ML", 1, "fr"),
    ("BJ", 1, "fr"),
    ("CV", 0.3, "pt"),
    ("SA", 3, "ar"),
    ("EG", 4, "ar"),
    ("MA", 3, "ar"),
    ("DZ", 2, "ar"),
    ("TN", 2, "fr"),
    ("JO", 2, "ar"),
    ("AE", 1, "ar"),
    ("OM", 1, "ar"),
    ("LB", 1, "ar"),
    ("QA", 0.5, "ar"),
    ("SD", 1, "ar"),
    ("CN", 8, "zh"),
    ("IN", 6, "en"),
    ("PH", 4, "en"),
    ("ID", 3, "en"),
    ("VN", 2, "en"),
    ("TH", 2, "en"),
    ("MY", 2, "en"),
    ("PK", 2, "en"),
    ("BD", 2, "en"),
    ("LK", 1, "en"),
    ("MN", 1, "ru"),
    ("IR", 2, "en"),
    ("KR", 1, "en"),
    ("NP", 1, "en"),
    ("KH", 1, "en"),
    ("BR", 6, "pt"),
    ("MX", 5, "es"),
    ("PE", 3, "es"),
    ("CO", 3, "es"),
    ("AR", 3, "es"),
    ("CL", 2, "es"),
    ("EC", 2, "es"),
    ("CU", 1, "es"),
    ("DO", 1, "es"),
    ("GT", 1, "es"),
    ("PY", 1, "es"),
    ("UY", 1, "es"),
    ("CR", 1, "es"),
    ("PA", 1, "es"),
    ("BO", 1, "es"),
    ("JM", 0.5, "en"),
    ("TT", 0.5, "en"),
    ("RU", 4, "ru"),
    ("UA", 2, "ru"),
    ("KZ", 2, "ru"),
    ("UZ", 2, "ru"),
    ("KG", 1, "ru"),
    ("TJ", 1, "ru"),
    ("AZ", 1, "ru"),
    ("AM", 1, "ru"),
    ("GE", 1, "en"),
    ("BY", 1, "ru"),
    ("MD", 1, "ru"),
    ("PL", 1, "en"),
    ("RO", 1, "en"),
    ("TR", 2, "en"),
    ("RS", 1, "en"),
    ("US", 3, "en"),
    ("FR", 2, "fr"),
    ("ES", 2, "es"),
    ("IT", 1, "en"),
    ("DE", 1, "en"),
    ("GB", 1, "en"),
    ("CH", 1, "fr"),
    ("JP", 1, "en"),
    ("CA", 1, "en"),
    ("PT", 1, "pt"),
]
GENDERS = [("woman", 0.48), ("man", 0.45), ("another", 0.01), ("undisclosed", 0.06)]
TOPICS = [
    "Patent information search",
    "Using patent information",
    "Patent drafting",
    "IP management",
    "Trademarks",
    "Industrial designs",
    "Copyright and related rights",
    "Technology transfer",
    "Patent analytics",
    "Licensing",
    "Valuation of IP",
    "Innovation support services",
    "Geographical indications",
    "IP and genetic resources",
    "PCT for practitioners",
    "Patent landscapes",
    "IP for SMEs",
    "IP for universities",
    "Freedom to operate",
    "Legal status information",
    "Classification (IPC and CPC)",
    "Non-patent literature",
    "IP enforcement",
    "IP strategy",
    "Design searching",
]


class BenchDataError(RuntimeError):
    pass


def _weighted(rng: random.Random, items: list, weights: list[float]) -> Callable[[], object]:
    cum = list(itertools.accumulate(weights))
    total = cum[-1]

    def pick():
        return items[bisect.bisect(cum, rng.random() * total)]

    return pick


class Writer:
    """Bulk rows into a table with the driver's fastest path, bypassing the ORM."""

    def __init__(self, conn):
        self.conn = conn
        self.dialect = conn.dialect.name

    def dt(self, value: datetime | None):
        if value is None or self.dialect == "postgresql":
            return value
        # SQLAlchemy's SQLite storage format for DateTime, so the ORM reads these back.
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")

    def day(self, value):
        return value if self.dialect == "postgresql" else value.isoformat()

    def write(self, table: str, columns: list[str], rows: Iterable[tuple]) -> int:
        n = 0
        if self.dialect == "postgresql":
            raw = self.conn.connection.driver_connection
            cols = ", ".join(f'"{c}"' for c in columns)
            with raw.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
            return n
        marks = ", ".join("?" for _ in columns)
        cols = ", ".join(f'"{c}"' for c in columns)
        sql = f'INSERT INTO "{table}" ({cols}) VALUES ({marks})'  # noqa: S608 (names are constants here)  # nosec B608
        cursor = self.conn.connection.driver_connection.cursor()
        for batch in _batched(rows, BATCH):
            cursor.executemany(sql, batch)
            n += len(batch)
        cursor.close()
        return n


def _batched(rows: Iterable, size: int) -> Iterator[list]:
    it = iter(rows)
    while batch := list(itertools.islice(it, size)):
        yield batch


def check_target(force: bool) -> None:
    """Refuse a database that holds real people (anyone outside the bench domain)."""
    real = db.session.scalar(select(func.count()).select_from(User).where(~User.email.like(f"%@{BENCH_DOMAIN}")))
    if real and not force:
        raise BenchDataError(
            f"this database has {real} real user account(s); bench data goes into a separate "
            "database (set ACADEMY_DATABASE_URL), or pass --force"
        )
    bench = db.session.scalar(select(func.count()).select_from(User).where(User.email.like(f"%@{BENCH_DOMAIN}")))
    if bench:
        raise BenchDataError("this database already holds a bench population; use a new database")


def generate(
    learners: int,
    enrolments: int,
    *,
    courses: int = 50,
    seed: int = 177,
    echo: Callable[[str], None] = print,
) -> dict:
    """Write the population; returns row counts. Runs in one transaction."""
    if enrolments > learners * courses:
        raise BenchDataError("more enrolments than learner × course pairs")
    rng = random.Random(seed)
    t0 = time.perf_counter()
    counts: dict[str, int] = {}
    with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            # The default 2 MB page cache makes every index insert a disk read once the
            # tables outgrow it; 256 MB keeps the indexes of this population in memory.
            conn.exec_driver_sql("PRAGMA cache_size=-262144")
            conn.exec_driver_sql("PRAGMA temp_store=MEMORY")
        w = Writer(conn)
        ids = _next_ids(conn)
        now = datetime.now(UTC)

        # Courses, their language versions, modules and lessons.
        course_rows, version_rows, module_rows, module_text_rows, lesson_rows = [], [], [], [], []
        course_langs: dict[int, list[str]] = {}
        course_lessons: dict[int, list[int]] = {}
        module_id, lesson_id = ids["module"], ids["lesson"]
        for i in range(courses):
            cid = ids["course"] + i
            n_langs = 7 if i < 8 else rng.randint(3, 6)
            langs = ["en", *rng.sample(LANGUAGES[1:], n_langs - 1)]
            course_langs[cid] = langs
            topic = TOPICS[i % len(TOPICS)] + ("" if i < len(TOPICS) else " (advanced)")
            code = f"BX{100 + i}"
            course_rows.append((cid, code, f"bench-{code.lower()}", "en", 10, True, True, w.dt(now), w.dt(now)))
            for lang in langs:
                version_rows.append((cid, lang, f"{topic} [{lang}]", "", True))
            lessons = []
            for m in range(3):
                module_rows.append((module_id, cid, f"m{m + 1}", m + 1, False))
                for lang in langs:
                    module_text_rows.append((module_id, lang, f"Module {m + 1}"))
                for k in range(rng.randint(2, 3)):
                    lesson_rows.append((lesson_id, module_id, f"l{k + 1}", k + 1, 10, False))
                    lessons.append(lesson_id)
                    lesson_id += 1
                module_id += 1
            course_lessons[cid] = lessons
        counts["course"] = w.write(
            "course",
            [
                "id",
                "code",
                "slug",
                "default_language",
                "estimated_hours",
                "is_published",
                "has_sequential_release",
                "created_at",
                "updated_at",
            ],
            course_rows,
        )
        counts["course_version"] = w.write(
            "course_version",
            ["course_id", "language", "title", "description", "is_published"],
            version_rows,
        )
        w.write("module", ["id", "course_id", "key", "position", "is_retired"], module_rows)
        w.write("module_text", ["module_id", "language", "title"], module_text_rows)
        counts["lesson"] = w.write(
            "lesson",
            ["id", "module_id", "key", "position", "estimated_minutes", "is_retired"],
            lesson_rows,
        )
        text_rows = (
            (lid, lang, f"Lesson {lid}", "<p>Synthetic lesson.</p>", "0" * 64)
            for cid, lessons in course_lessons.items()
            for lid in lessons
            for lang in course_langs[cid]
        )
        w.write(
            "lesson_text",
            ["lesson_id", "language", "title", "body_html", "source_sha256"],
            text_rows,
        )

        # TISCs: about a dozen per unit of country weight.
        tisc_rows, tiscs_by_country = [], {}
        tid = ids["tisc"]
        for country, weight, _lang in COUNTRIES:
            for k in range(max(1, round(weight * 12))):
                tisc_rows.append(
                    (
                        tid,
                        f"TISC {country}-{k + 1}",
                        f"Host institution {k + 1}",
                        "City",
                        country,
                        None,
                        True,
                        w.dt(now),
                        w.dt(now),
                    )
                )
                tiscs_by_country.setdefault(country, []).append(tid)
                tid += 1
        counts["tisc"] = w.write(
            "tisc",
            [
                "id",
                "name",
                "host_institution",
                "city",
                "country_code",
                "national_network",
                "is_active",
                "created_at",
                "updated_at",
            ],
            tisc_rows,
        )

        # Learners.
        pick_country = _weighted(rng, COUNTRIES, [c[1] for c in COUNTRIES])
        pick_gender = _weighted(rng, [g for g, _ in GENDERS], [p for _, p in GENDERS])
        span = (END - START).total_seconds()
        users: list[tuple[str, str, str, float]] = []  # (gender, country, language, created offset)
        uid0 = ids["user"]

        def user_rows():
            for n in range(learners):
                country, _w, lang = pick_country()
                gender = pick_gender()
                # Registrations grow over the years (more recent = more people).
                offset = span * math.sqrt(rng.random())
                created = START + timedelta(seconds=offset)
                tisc = rng.choice(tiscs_by_country[country]) if rng.random() < 0.7 else None
                users.append((gender, country, lang if rng.random() < 0.85 else "en", offset))
                yield (
                    uid0 + n,
                    f"learner{uid0 + n}@{BENCH_DOMAIN}",
                    f"Learner {uid0 + n}",
                    "!bench",
                    gender,
                    country,
                    tisc,
                    None if tisc else "Other institution",
                    users[-1][2],
                    True,
                    1,
                    None,
                    w.dt(created),
                    w.dt(created),
                )

        counts["user"] = w.write(
            "user",
            [
                "id",
                "email",
                "full_name",
                "password_hash",
                "gender",
                "country_code",
                "tisc_id",
                "institution_other",
                "preferred_language",
                "is_active",
                "session_version",
                "last_login_at",
                "created_at",
                "updated_at",
            ],
            user_rows(),
        )
        w.write("user_role", ["user_id", "role"], ((uid0 + n, "learner") for n in range(learners)))
        echo(f"  {learners:,} learners, {courses} courses, {len(tisc_rows):,} TISCs ({time.perf_counter() - t0:.1f}s)")

        # Enrolments: popular courses first (Zipf-like), one per learner and course.
        course_ids = list(course_langs)
        pick_course = _weighted(rng, course_ids, [1 / (i + 1) ** 0.8 for i in range(len(course_ids))])
        # Some people take many courses: learners weighted by a long-tailed activity.
        activity = list(itertools.accumulate(rng.paretovariate(2.5) for _ in range(learners)))
        act_total = activity[-1]
        seen: set[int] = set()
        eid0 = ids["enrollment"]
        progress_rows: list = []
        enrolment_rows: list = []
        base_rate = {"woman": 0.40, "man": 0.36, "another": 0.35, "undisclosed": 0.30}
        lp_id = ids["lesson_progress"]
        n_enrol = n_progress = 0

        def flush():
            nonlocal enrolment_rows, progress_rows, n_enrol, n_progress
            n_enrol += w.write(
                "enrollment",
                [
                    "id",
                    "user_id",
                    "course_id",
                    "language",
                    "status",
                    "enrolled_at",
                    "last_activity_at",
                    "completed_at",
                    "final_score",
                    "progress_percent",
                    "last_lesson_id",
                ],
                enrolment_rows,
            )
            n_progress += w.write(
                "lesson_progress",
                [
                    "id",
                    "enrollment_id",
                    "lesson_id",
                    "first_opened_at",
                    "last_visited_at",
                    "completed_at",
                ],
                progress_rows,
            )
            enrolment_rows, progress_rows = [], []

        eid = eid0
        while eid - eid0 < enrolments:
            u = min(bisect.bisect(activity, rng.random() * act_total), learners - 1)
            cid = pick_course()
            pair = u * 100_000 + cid
            if pair in seen:
                continue
            seen.add(pair)
            gender, _country, ulang, created_offset = users[u]
            langs = course_langs[cid]
            lang = ulang if ulang in langs else "en"
            enrolled = START + timedelta(seconds=created_offset + (span - created_offset) * rng.random() ** 2)
            lessons = course_lessons[cid]
            r = rng.random()
            rate = base_rate[gender] - (0.05 if lang != ulang else 0)
            if r < rate:
                status, done = "completed", len(lessons)
                completed = enrolled + timedelta(days=rng.gammavariate(2.0, 12.0) + 0.2)
                if completed > END:
                    completed = END
                score = round(rng.uniform(60, 100), 2)
            elif r < rate + 0.38:
                status, done = "in_progress", rng.randint(1, len(lessons) - 1)
                completed, score = None, None
            else:
                status, done, completed, score = "enrolled", 0, None, None
            t = enrolled
            for k in range(done):
                t = t + timedelta(hours=rng.uniform(0.2, 72))
                when = min(t, completed or END)
                progress_rows.append((lp_id, eid, lessons[k], w.dt(when), w.dt(when), w.dt(when)))
                lp_id += 1
            percent = 100 if status == "completed" else round(100 * done / len(lessons))
            enrolment_rows.append(
                (
                    eid,
                    uid0 + u,
                    cid,
                    lang,
                    status,
                    w.dt(enrolled),
                    w.dt(completed or (t if done else None)),
                    w.dt(completed),
                    score,
                    percent,
                    lessons[done - 1] if done else None,
                )
            )
            eid += 1
            if len(progress_rows) >= BATCH * 5:
                flush()
        flush()
        counts["enrollment"], counts["lesson_progress"] = n_enrol, n_progress
        elapsed = time.perf_counter() - t0
        echo(f"  {n_enrol:,} enrolments, {n_progress:,} lesson-progress rows ({elapsed:.1f}s)")
        counts.update(_certification(w, ids, rng, learners, uid0, [u[3] for u in users], now))
        if w.dialect == "postgresql":
            for table in (
                "certification_programme",
                "cohort",
                "certification_record",
                "course",
                "module",
                "lesson",
                "tisc",
                "user",
                "enrollment",
                "lesson_progress",
            ):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608  # nosec B608
                        f'(SELECT MAX(id) FROM "{table}"))'
                    )
                )
    with db.engine.begin() as conn:
        # Planner statistics: without them SQLite guesses badly between indexes.
        conn.execute(text("ANALYZE"))
    echo(f"  planner statistics updated ({time.perf_counter() - t0:.1f}s)")
    counts["seconds"] = round(time.perf_counter() - t0, 1)
    return counts


def _next_ids(conn) -> dict[str, int]:
    out = {}
    for table in ("course", "module", "lesson", "tisc", "user", "enrollment", "lesson_progress",
                  "certification_programme", "cohort", "certification_record"):
        max_id = conn.execute(text(f'SELECT MAX(id) FROM "{table}"')).scalar()  # noqa: S608 (constant names)  # nosec B608
        out[table] = (max_id or 0) + 1
    return out


def _certification(w: Writer, ids: dict, rng: random.Random, learners: int, uid0: int,
                   created_offsets: list[float], now: datetime) -> dict[str, int]:
    """One certification programme with cohorts of about a hundred candidates each, and
    their records at every stage: phases pass in order, an award follows phase 3."""
    pid = ids["certification_programme"]
    w.write(
        "certification_programme",
        ["id", "code", "titles", "description", "min_attendance_percent", "validity_months",
         "resubmission_limit", "is_active", "created_at", "updated_at"],
        [(pid, "BENCH-TISC", '{"en": "TISC staff certification (bench)"}', "", 80, 36, 2, True,
          w.dt(START), w.dt(START))],
    )
    n_cohorts = max(1, min(60, learners // 2000))
    span_days = (END - START).days
    cohort_rows, cohort_start = [], {}
    for k in range(n_cohorts):
        cid = ids["cohort"] + k
        start = START + timedelta(days=span_days * k / n_cohorts)
        cohort_start[cid] = start
        cohort_rows.append((cid, pid, f"Cohort {k + 1:02d}", w.day(start.date()),
                            w.day((start + timedelta(days=180)).date()),
                            w.dt(start), w.dt(start)))
    counts = {"cohort": w.write("cohort", ["id", "programme_id", "name", "starts_on", "ends_on", "created_at",
                                           "updated_at"], cohort_rows)}
    members = rng.sample(range(learners), min(learners, n_cohorts * 100))
    record_rows = []
    for n, u in enumerate(members):
        cid = ids["cohort"] + n % n_cohorts
        started = max(cohort_start[cid], START + timedelta(seconds=created_offsets[u]))
        dates: list[datetime | None] = []
        t = started
        for p_pass in (0.75, 0.8, 0.7):
            if dates and dates[-1] is None or rng.random() >= p_pass:
                dates.append(None)
                continue
            t = t + timedelta(days=rng.uniform(20, 90))
            dates.append(t if t < END else None)
        awarded = dates[2]
        record_rows.append((ids["certification_record"] + n, uid0 + u, pid, cid, 1, w.dt(started),
                            *(w.dt(d) for d in dates), w.dt(awarded),
                            w.dt(awarded + timedelta(days=3 * 365)) if awarded else None, w.dt(started), w.dt(now)))
    counts["certification_record"] = w.write(
        "certification_record",
        ["id", "user_id", "programme_id", "cohort_id", "attempt", "started_at", "phase1_passed_at",
         "phase2_passed_at", "phase3_passed_at", "awarded_at", "expires_at", "created_at", "updated_at"],
        record_rows,
    )
    return counts
