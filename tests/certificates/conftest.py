"""Fixtures for certificate tests: completed enrolments and issued certificates."""

from __future__ import annotations

import pytest

from academy.extensions import db


@pytest.fixture
def complete_course(app_ctx):
    """Enrol the user in a course and complete every lesson (the real completion path)."""
    from academy.courses.models import Lesson, Module
    from academy.courses.services import complete_lesson, enroll

    def do(user, course, language: str = "en"):
        enrollment = enroll(user, course, language)
        db.session.flush()
        lessons = db.session.scalars(
            db.select(Lesson).join(Module).where(Module.course_id == course.id)
            .order_by(Module.position, Lesson.position)
        ).all()
        for lesson in lessons:
            complete_lesson(enrollment, lesson)
        db.session.commit()
        return enrollment

    return do


@pytest.fixture
def issue(app_ctx):
    """Issue a certificate through the public service, with overridable defaults."""
    from academy.certificates.services import issue_certificate

    def do(user, **fields):
        data = {
            "kind": "course",
            "subject_code": "DL177",
            "titles": {"en": "E-tutorial on Using Patent Information",
                       "fr": "Tutoriel sur l’information en matière de brevets"},
            "language": "en",
            "hours": 12,
        }
        data.update(fields)
        cert = issue_certificate(user=user, **data)
        db.session.commit()
        return cert

    return do


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
