"""Demo search reports for DL177's worked case: one graded (French), one waiting for an instructor.

Idempotent: a learner who already has a report is left alone. The reports are the download
template with a few answers filled in, so what an instructor opens looks like real work.
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from academy.assignments import queries, services
from academy.assignments.template_xlsx import XLSX_TYPE, build_template
from academy.auth.models import User
from academy.certification.uploads import StoredUpload, random_key
from academy.core.i18n import text_direction
from academy.core.models import frozen_clock
from academy.core.storage import put_on_commit
from academy.courses.models import Course, Enrollment
from academy.extensions import db

REPORTS = [
    # learner, submitted, grader (None: still waiting), level per criterion (1 = lowest), feedback
    ("pilot.mg01@tisc.example", datetime(2024, 3, 4, 10, 0, tzinfo=UTC), "instructor1@academy.example",
     [3, 2, 3, 2, 2], "Rapport clair. Ajoutez la littérature non-brevet (Q5) et expliquez le choix du membre cité."),
    ("pilot.ke02@tisc.example", datetime(2024, 3, 11, 15, 30, tzinfo=UTC), None, [], ""),
]


def _report_bytes(text, answers: dict[str, str]) -> bytes:
    wb = load_workbook(io.BytesIO(build_template(text.title, text.template,
                                                 rtl=text_direction(text.language) == "rtl")))
    first = wb.worksheets[0]
    for row, value in enumerate(answers.values(), start=1):
        first.cell(row=row, column=2, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def seed_assignments(dl177: Course, echo=print) -> None:
    (assignment,) = [a for a in queries.course_assignments(dl177.id) if a.key == "search-report"] or [None]
    if assignment is None:
        return
    added = 0
    for email, when, grader_email, levels, feedback in REPORTS:
        user = db.session.scalar(select(User).where(User.email == email))
        enrollment = db.session.scalar(select(Enrollment).where(Enrollment.user_id == (user.id if user else None),
                                                                Enrollment.course_id == dl177.id))
        if enrollment is None or queries.submission_of(assignment.id, user.id) is not None:
            continue
        text = assignment.text_for(enrollment.language)
        data = _report_bytes(text, {"client": "—", "ref": f"TISC-{when:%Y}-017", "date": f"{when:%Y-%m-%d}",
                                    "searcher": user.full_name, "type": "Prior art / novelty"})
        key = random_key("assignment")
        put_on_commit(key, data)
        upload = StoredUpload(storage_key=key, filename=f"{text.template['filename']}-{user.id}.xlsx",
                              content_type=XLSX_TYPE, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
        with frozen_clock(when):
            sub, _replaced = services.submit_report(assignment, user, enrollment.language, upload,
                                                    "Cas de la pompe solaire." if enrollment.language == "fr" else "")
        if grader_email:
            grader = db.session.scalar(select(User).where(User.email == grader_email))
            picks = {c.id: c.levels[pos - 1].id for c, pos in zip(sub.rubric.criteria, levels, strict=True)}
            with frozen_clock(when + timedelta(days=3)):
                services.grade_report(sub, grader, expected_version=sub.version, picks=picks, criterion_feedback={},
                                      feedback=feedback)
        added += 1
    if added:
        echo(f"Worked-case search reports: {added} added.")
