"""The /api/v1 routes. Thin: they read through the session with select(), write through the
same services as the screens, and leave the transaction to ``core.finish_request``."""

from __future__ import annotations

import secrets

import marshmallow as ma
from flask import Response, request
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from academy.api import schemas as s
from academy.api.core import (
    ERROR_CODES,
    ApiError,
    ErrorSchema,
    acting_user,
    authenticate,
    database_unavailable,
    error_response,
    finish_request,
    is_personal,
    owner_filter,
    page_of,
    requires,
)
from academy.api.services import audit_write
from academy.extensions import db

BLUEPRINTS: list[Blueprint] = []


def api_blueprint(name: str, path: str, description: str) -> Blueprint:
    bp = Blueprint(f"api_{name}", __name__, url_prefix=f"/api/v1/{path}", description=description)
    bp.before_request(authenticate)
    bp.after_request(finish_request)
    # Handlers on the blueprint answer before the app's own (HTML) error pages. Flask looks
    # a handler up by status code before it looks by class, so the site's pages for 400,
    # 413, 500 … would win over the HTTPException handler alone: each code gets one too.
    bp.register_error_handler(HTTPException, error_response)
    for code in ERROR_CODES:
        bp.register_error_handler(code, error_response)
    bp.register_error_handler(OperationalError, database_unavailable)
    BLUEPRINTS.append(bp)
    return bp


def access(bp: Blueprint, scope: str | None, *codes: int, personal: bool = False):
    """Who may call a route (``core.requires``), written into its OpenAPI operation as
    ``x-scope``, with the error answers it may give (every route: 401, 403 and 429)."""

    def decorator(view):
        view = requires(scope, personal=personal)(view)
        view = bp.doc(**{"x-scope": scope or "any token", "x-personal-token": personal})(view)
        for code in (401, 403, 429, *codes):
            view = bp.alt_response(code, schema=ErrorSchema, description="Error")(view)
        return view

    return decorator


def list_route(bp: Blueprint, scope: str | None, args_schema: type[ma.Schema], page: type[ma.Schema], *,
               personal: bool = False):
    """A blueprint's list endpoint, GET /: the query's filters and paging (``args_schema``;
    an unknown parameter is an error, 422), answered as a ``page``."""

    def decorator(view):
        view = bp.response(200, page)(view)
        view = bp.arguments(args_schema, location="query", as_kwargs=False, unknown=ma.RAISE)(view)
        view = access(bp, scope, 422, personal=personal)(view)
        return bp.route("/")(view)

    return decorator


def _get_or_404(model, object_id: int, *, user_field: str = "user_id"):
    obj = db.session.get(model, object_id)
    # A personal token is told another learner's record does not exist, not that it is forbidden.
    if obj is None or (is_personal() and getattr(obj, user_field) != owner_filter(None)):
        raise ApiError(404, "No such record.")
    return obj


# --- users ------------------------------------------------------------------------------

users = api_blueprint("users", "users", "People's accounts (admin scope).")


@list_route(users, "read:users", s.UserArgs, s.UserPage)
def list_users(args):
    """List people, by id"""
    from academy.auth.models import User, UserRole

    return page_of(select(User), User.id, args,
                   country=lambda code: User.country_code == code.upper(),
                   tisc_id=User.tisc_id,
                   email=lambda email: User.email == email.strip().lower(),
                   external_id=User.external_id,
                   role=lambda role: User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))


@users.route("/<int:user_id>")
@access(users, "read:users", 404)
@users.response(200, s.UserSchema)
def get_user(user_id: int):
    """One person"""
    from academy.auth.models import User

    return _get_or_404(User, user_id, user_field="id")


learners = api_blueprint("learners", "learners", "Learners kept in step with a staff registry.")


@learners.route("/<external_id>", methods=["PUT"])
@access(learners, "write:learners", 409, 422)
@learners.arguments(s.LearnerIn)
@learners.response(200, s.UserSchema, description="Updated (or unchanged)")
@learners.alt_response(201, schema=s.UserSchema, description="Created")
def put_learner(data, external_id: str):
    """Create or update a learner by their staff-registry id

    Idempotent: the same body sent again changes nothing. A new account has an unusable
    random password; the learner sets one with "Forgot your password?".
    """
    from academy.api.learners import upsert_learner

    if not external_id.strip() or len(external_id) > 100:
        raise ApiError(422, "The registry id must have 1 to 100 characters.", field="external_id")
    user, created = upsert_learner(external_id, data, actor=acting_user(), token_id=request_token_id())
    return user, 201 if created else 200


# --- directory and catalogue ------------------------------------------------------------

tiscs = api_blueprint("tiscs", "tiscs", "The TISC directory.")


@list_route(tiscs, None, s.TiscArgs, s.TiscPage)
def list_tiscs(args):
    """List TISCs"""
    from academy.auth.models import Tisc

    return page_of(select(Tisc), Tisc.id, args, country=lambda code: Tisc.country_code == code.upper())


courses = api_blueprint("courses", "courses", "Courses and their language versions.")


@list_route(courses, None, s.PageArgs, s.CoursePage)
def list_courses(args):
    """List courses with their language versions"""
    from academy.courses.models import Course

    return page_of(select(Course), Course.id, args)


@courses.route("/<int:course_id>")
@access(courses, None, 404)
@courses.response(200, s.CourseSchema)
def get_course(course_id: int):
    """One course"""
    from academy.courses.models import Course

    course = db.session.get(Course, course_id)
    if course is None:
        raise ApiError(404, "No such course.")
    return course


# --- enrolments and progress ------------------------------------------------------------

enrolments = api_blueprint("enrolments", "enrolments", "Enrolments and progress.")


@list_route(enrolments, "read:progress", s.EnrolmentArgs, s.EnrolmentPage, personal=True)
def list_enrolments(args):
    """List enrolments and their progress (a personal token: its owner's)"""
    from academy.courses.models import Enrollment

    return page_of(select(Enrollment), Enrollment.id, args, owner=Enrollment.user_id,
                   course_id=Enrollment.course_id, language=Enrollment.language, status=Enrollment.status,
                   completed_after=lambda when: Enrollment.completed_at >= when,
                   active_after=lambda when: Enrollment.last_activity_at >= when)


@enrolments.route("/<int:enrolment_id>")
@access(enrolments, "read:progress", 404, personal=True)
@enrolments.response(200, s.EnrolmentSchema)
def get_enrolment(enrolment_id: int):
    """One enrolment"""
    from academy.courses.models import Enrollment

    return _get_or_404(Enrollment, enrolment_id)


@enrolments.route("/", methods=["POST"])
@access(enrolments, "write:enrolments", 404, 422)
@enrolments.arguments(s.EnrolmentIn)
@enrolments.response(201, s.EnrolmentSchema, description="Enrolled")
@enrolments.alt_response(200, schema=s.EnrolmentSchema, description="Enrolled already (in the language given now)")
def create_enrolment(data):
    """Enrol a learner in a course's language version

    An existing enrolment in the course switches to the language given (as on the course page)
    and is answered with 200: sending the same enrolment again is harmless.
    """
    from academy.auth.models import User
    from academy.courses.models import Course
    from academy.courses.queries import enrollment_for
    from academy.courses.services import EnrollmentError, enroll

    if data.get("user_id") is not None:
        user = db.session.get(User, data["user_id"])
    else:
        user = db.session.scalar(select(User).where(User.external_id == data["external_id"]))
    if user is None:
        raise ApiError(422, "No such learner.", field="user_id" if data.get("user_id") is not None else "external_id")
    if data.get("course_id") is not None:
        course = db.session.get(Course, data["course_id"])
    else:
        course = db.session.scalar(select(Course).where(Course.code == data["course_code"]))
    if course is None:
        field = "course_id" if data.get("course_id") is not None else "course_code"
        raise ApiError(422, "No such course.", field=field)
    existed = enrollment_for(user.id, course.id) is not None
    try:
        enrollment = enroll(user, course, data["language"])
        db.session.flush()
    except EnrollmentError as exc:
        raise ApiError(422, str(exc), field="language") from None
    audit_write("api.enrolment", "enrollment", enrollment.id,
                {"user_id": user.id, "course": course.code, "language": data["language"]})
    return enrollment, 200 if existed else 201


def request_token_id() -> int:
    from academy.api.core import current_token

    return current_token().id


quiz_results = api_blueprint("quiz_results", "quiz-results", "Submitted quiz attempts and their scores.")


@list_route(quiz_results, "read:progress", s.QuizResultArgs, s.QuizResultPage, personal=True)
def list_quiz_results(args):
    """List graded quiz attempts (scores only, never answers)"""
    from academy.assessments.models import Quiz, QuizAttempt

    return page_of(select(QuizAttempt).where(QuizAttempt.graded_at.is_not(None)), QuizAttempt.id, args,
                   owner=QuizAttempt.user_id, graded_after=lambda when: QuizAttempt.graded_at >= when,
                   course_id=lambda course_id: QuizAttempt.quiz_id.in_(
                       select(Quiz.id).where(Quiz.course_id == course_id)))


certification = api_blueprint("certification", "certification-records", "Certification records and their phases.")


@list_route(certification, "read:progress", s.CertificationArgs, s.CertificationPage, personal=True)
def list_certification_records(args):
    """List certification records with the dates each phase was passed"""
    from academy.certification.models import CertificationProgramme, CertificationRecord

    return page_of(select(CertificationRecord), CertificationRecord.id, args, owner=CertificationRecord.user_id,
                   programme_code=lambda code: CertificationRecord.programme_id.in_(
                       select(CertificationProgramme.id).where(CertificationProgramme.code == code)))


@certification.route("/<int:record_id>")
@access(certification, "read:progress", 404, personal=True)
@certification.response(200, s.CertificationRecordSchema)
def get_certification_record(record_id: int):
    """One certification record"""
    from academy.certification.models import CertificationRecord

    return _get_or_404(CertificationRecord, record_id)


# --- certificates -----------------------------------------------------------------------

certificates = api_blueprint("certificates", "certificates", "Certificates: status, PDF and credential links.")


@list_route(certificates, "read:certificates", s.CertificateArgs, s.CertificatePage, personal=True)
def list_certificates(args):
    """List certificates"""
    from academy.certificates.models import Certificate
    from academy.certificates.queries import status_is

    return page_of(select(Certificate), Certificate.id, args, owner=Certificate.user_id,
                   status=status_is, subject_code=Certificate.subject_code,
                   issued_after=lambda when: Certificate.issued_at >= when)


@certificates.route("/<int:cert_id>")
@access(certificates, "read:certificates", 404, personal=True)
@certificates.response(200, s.CertificateSchema)
def get_certificate(cert_id: int):
    """One certificate"""
    from academy.certificates.models import Certificate

    return _get_or_404(Certificate, cert_id)


@certificates.route("/<int:cert_id>/pdf")
@certificates.response(200, description="The certificate as issued (PDF)",
                       content_type="application/pdf")
@access(certificates, "read:certificates", 404, personal=True)
def certificate_pdf(cert_id: int):
    """The certificate's PDF"""
    from academy.certificates.models import Certificate
    from academy.certificates.services import pdf_bytes

    cert = _get_or_404(Certificate, cert_id)
    return Response(pdf_bytes(cert), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{cert.serial}.pdf"'})


@certificates.route("/", methods=["POST"])
@access(certificates, "write:certificates", 409, 422)
@certificates.arguments(s.IssueIn)
@certificates.response(201, s.CertificateSchema)
def issue_certificate(data):
    """Issue the course certificate of a completed enrolment (idempotent)"""
    from academy.certificates.services import CertificateError, issue_for_enrollment
    from academy.courses.models import Enrollment

    enrollment = db.session.get(Enrollment, data["enrolment_id"])
    if enrollment is None:
        raise ApiError(422, "No such enrolment.", field="enrolment_id")
    try:
        cert = issue_for_enrollment(enrollment)
    except CertificateError as exc:
        raise ApiError(409, str(exc), field="enrolment_id") from None
    audit_write("api.certificate_issue", "certificate", cert.id, {"serial": cert.serial})
    return cert


@certificates.route("/<int:cert_id>/revoke", methods=["POST"])
@access(certificates, "write:certificates", 404, 409, 422)
@certificates.arguments(s.RevokeIn)
@certificates.response(200, s.CertificateSchema)
def revoke_certificate(data, cert_id: int):
    """Revoke a certificate, with a reason"""
    from academy.certificates.models import Certificate
    from academy.certificates.services import CertificateError, revoke

    cert = _get_or_404(Certificate, cert_id)
    try:
        revoke(cert, reason=data["reason"], actor=acting_user())
    except CertificateError as exc:
        raise ApiError(409, str(exc), field="reason" if "reason" in str(exc) else None) from None
    audit_write("api.certificate_revoke", "certificate", cert.id, {"serial": cert.serial})
    return cert


# --- statistics -------------------------------------------------------------------------

stats = api_blueprint("stats", "stats", "The statistics dashboard's figures.")


@stats.route("/dashboard")
@access(stats, "read:stats", 422)
@stats.arguments(s.StatsArgs, location="query", as_kwargs=False, unknown=ma.RAISE)
@stats.response(200, s.StatsSchema)
def dashboard(args):
    """The dashboard's figures, with its filters and small-cell suppression"""
    from academy.stats import figures, snapshot
    from academy.stats.forms import StatsFilterForm, choice_rows

    form = StatsFilterForm(formdata=request.args or None, choices=choice_rows())
    if request.args and not form.validate():
        field, messages = next(iter(form.problems().items()))
        raise ApiError(422, " ".join(messages), field=field or None)
    filters = form.filters()
    supp = figures.auto_suppression(form.threshold.data or 5, form.suppression.data or "auto")

    def build() -> list:
        return [figures.build_figure(name, filters, supp) for name in figures.DASHBOARD]

    # The dashboard's own snapshot (shared by every worker, recounted when stale): the API
    # shows the figures the page shows, and a busy integration does not recount them.
    snap = snapshot.current(filters, build)
    with snapshot.using(snap):
        built = build()
    out = []
    for fig in built:
        table = fig.table
        out.append({"name": fig.name, "title": str(fig.title), "header": [str(h) for h in table.header],
                    "kinds": table.kinds, "rows": table.rows, "total": table.total,
                    "notes": [str(n) for n in table.notes], "suppressed": table.suppressed})
    return {"filters": filters.as_dict(), "counted_at": snap.computed_at, "figures": out}


def new_password() -> str:
    """A password nobody knows, for accounts the registry creates (they set their own)."""
    return secrets.token_urlsafe(32)
