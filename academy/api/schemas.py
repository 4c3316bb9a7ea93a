"""The API's request and response bodies (marshmallow), from which its OpenAPI description is built."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from academy.api.core import PageArgs, Timestamp, page_schema, utc_z
from academy.api.models import TokenKind
from academy.api.services import SCOPES
from academy.certificates.models import CertificateKind
from academy.core.enums import EnrollmentStatus, Gender

# --- users ------------------------------------------------------------------------------


class UserSchema(ma.Schema):
    id = fields.Integer(required=True)
    external_id = fields.String(allow_none=True)
    email = fields.String(required=True)
    full_name = fields.String(required=True)
    gender = fields.Enum(Gender, by_value=True)
    country_code = fields.String(required=True)
    tisc_id = fields.Integer(allow_none=True)
    institution = fields.String(attribute="institution_name")
    preferred_language = fields.String()
    roles = fields.Method("role_values", metadata={"type": "array", "items": {"type": "string"}})
    is_active = fields.Boolean(attribute="is_active_account")
    created_at = Timestamp()
    last_login_at = Timestamp()

    def role_values(self, user) -> list[str]:
        return sorted(r.value for r in user.roles)


class UserArgs(PageArgs):
    country = fields.String(metadata={"description": "ISO 3166 country code"})
    tisc_id = fields.Integer()
    role = fields.String(validate=validate.OneOf(["learner", "instructor", "admin"]))
    email = fields.String()
    external_id = fields.String()


class LearnerIn(ma.Schema):
    """A learner as a staff registry describes them."""

    email = fields.Email(required=True)
    full_name = fields.String(required=True, validate=validate.Length(1, 200))
    gender = fields.String(required=True, validate=validate.OneOf([g.value for g in Gender]))
    country_code = fields.String(required=True, validate=validate.Length(2, 2))
    tisc_id = fields.Integer(allow_none=True, load_default=None)
    institution_other = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))
    preferred_language = fields.String(load_default="en")


# --- directory and catalogue ------------------------------------------------------------


class TiscSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    host_institution = fields.String()
    city = fields.String()
    country_code = fields.String()
    national_network = fields.String(allow_none=True)
    is_active = fields.Boolean()


class TiscArgs(PageArgs):
    country = fields.String()


class CourseVersionSchema(ma.Schema):
    language = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String()
    is_published = fields.Boolean()


class CourseSchema(ma.Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    slug = fields.String()
    default_language = fields.String()
    estimated_hours = fields.Integer()
    is_published = fields.Boolean()
    versions = fields.List(fields.Nested(CourseVersionSchema))


# --- progress ---------------------------------------------------------------------------


class EnrolmentSchema(ma.Schema):
    id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    course_id = fields.Integer(required=True)
    course_code = fields.Function(lambda e: e.course.code, metadata={"type": "string"})
    language = fields.String(required=True)
    status = fields.Enum(EnrollmentStatus, by_value=True)
    progress_percent = fields.Integer()
    final_score = fields.Float(allow_none=True)
    enrolled_at = Timestamp()
    last_activity_at = Timestamp()
    completed_at = Timestamp()


class EnrolmentArgs(PageArgs):
    user_id = fields.Integer()
    course_id = fields.Integer()
    language = fields.String()
    status = fields.String(validate=validate.OneOf(["enrolled", "in_progress", "completed"]))
    completed_after = fields.DateTime(metadata={"description": "Completed at or after this time (ISO 8601; "
                                                               "without an offset, UTC)"})
    active_after = fields.DateTime(metadata={"description": "The learner was last active in the course at or "
                                                            "after this time: what changed since a previous sync"})


class EnrolmentIn(ma.Schema):
    """The learner by id or by registry id, the course by id or code, and the language version."""

    user_id = fields.Integer(load_default=None)
    external_id = fields.String(load_default=None)
    course_id = fields.Integer(load_default=None)
    course_code = fields.String(load_default=None)
    language = fields.String(required=True)

    @ma.validates_schema
    def one_of_each(self, data, **_kw):
        if (data.get("user_id") is None) == (data.get("external_id") is None):
            raise ma.ValidationError("Give user_id or external_id (one of them).", field_name="user_id")
        if (data.get("course_id") is None) == (data.get("course_code") is None):
            raise ma.ValidationError("Give course_id or course_code (one of them).", field_name="course_id")


class QuizResultSchema(ma.Schema):
    id = fields.Integer(required=True)
    user_id = fields.Integer()
    enrolment_id = fields.Integer(attribute="enrollment_id")
    course_id = fields.Function(lambda a: a.quiz.course_id, metadata={"type": "integer"})
    quiz_key = fields.Function(lambda a: a.quiz.key, metadata={"type": "string"})
    quiz_kind = fields.Function(lambda a: a.quiz.kind.value, metadata={"type": "string"})
    number = fields.Integer()
    language = fields.String()
    score = fields.Float(allow_none=True)
    is_passed = fields.Boolean(allow_none=True)
    submitted_at = Timestamp()
    graded_at = Timestamp()


class QuizResultArgs(PageArgs):
    user_id = fields.Integer()
    course_id = fields.Integer()
    graded_after = fields.DateTime(metadata={"description": "Graded at or after this time (ISO 8601; "
                                                            "without an offset, UTC)"})


class PhaseSchema(ma.Schema):
    phase = fields.Integer(required=True)
    passed_at = Timestamp()


class CertificationRecordSchema(ma.Schema):
    id = fields.Integer(required=True)
    user_id = fields.Integer()
    programme_code = fields.Function(lambda r: r.programme.code, metadata={"type": "string"})
    cohort_id = fields.Integer(allow_none=True)
    attempt = fields.Integer()
    started_at = Timestamp()
    phases = fields.Function(
        lambda r: [{"phase": n, "passed_at": getattr(r, f"phase{n}_passed_at")} for n in (1, 2, 3)],
        metadata={"type": "array", "items": {"$ref": "#/components/schemas/Phase"}},
    )
    awarded_at = Timestamp()
    expires_at = Timestamp()
    certificate_id = fields.Integer(allow_none=True)

    @ma.post_dump
    def phase_times(self, data, **_kw):
        for phase in data.get("phases") or []:
            when = phase["passed_at"]
            phase["passed_at"] = utc_z(when) if when else None
        return data


class CertificationArgs(PageArgs):
    user_id = fields.Integer()
    programme_code = fields.String()


# --- certificates -----------------------------------------------------------------------


class CertificateLinks(ma.Schema):
    pdf = fields.String(required=True)
    verify = fields.String(required=True)
    credential = fields.String(required=True)


class CertificateSchema(ma.Schema):
    id = fields.Integer(required=True)
    user_id = fields.Integer()
    kind = fields.Enum(CertificateKind, by_value=True)
    subject_code = fields.String()
    title = fields.String()
    language = fields.String()
    learner_name = fields.String()
    hours = fields.Float(allow_none=True)
    serial = fields.String()
    verification_code = fields.String()
    status = fields.Function(lambda c: c.effective_status().value, metadata={
        "type": "string", "enum": ["valid", "revoked", "superseded", "expired"]})
    issued_at = Timestamp()
    expires_at = Timestamp()
    revoked_at = Timestamp()
    revocation_reason = fields.String(allow_none=True)
    enrolment_id = fields.Integer(attribute="enrollment_id", allow_none=True)
    links = fields.Method("make_links", metadata={"$ref": "#/components/schemas/CertificateLinks"})

    def make_links(self, cert) -> dict:
        from flask import url_for

        from academy.certificates.services import verify_url

        return {"pdf": url_for("api_certificates.certificate_pdf", cert_id=cert.id, _external=True),
                "verify": verify_url(cert.verification_code),
                "credential": verify_url(cert.verification_code) + "/credential.json"}


class CertificateArgs(PageArgs):
    user_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(["valid", "expired", "revoked", "superseded"]),
                           metadata={"description": "The status the certificates show: a valid one past its "
                                                    "expiry date is expired"})
    subject_code = fields.String()
    issued_after = fields.DateTime(metadata={"description": "ISO 8601; without an offset, UTC"})


class IssueIn(ma.Schema):
    enrolment_id = fields.Integer(required=True, metadata={"description": "A completed enrolment"})


class RevokeIn(ma.Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 2000))


# --- statistics -------------------------------------------------------------------------


class StatsArgs(ma.Schema):
    """The dashboard's filters, with the same names and rules as its address."""

    date_from = fields.Date()
    date_to = fields.Date()
    basis = fields.String(validate=validate.OneOf(["enrolment", "completion"]))
    course = fields.String(metadata={"description": "A course id"})
    language = fields.String()
    gender = fields.String()
    country = fields.String()
    region = fields.String()
    cohort = fields.String(metadata={"description": "A cohort id"})
    suppression = fields.String(validate=validate.OneOf(["auto", "on", "off"]))
    threshold = fields.Integer(validate=validate.Range(2, 100))


class FigureSchema(ma.Schema):
    name = fields.String(required=True)
    title = fields.String(required=True)
    header = fields.List(fields.String())
    kinds = fields.List(fields.String(), metadata={"description": "label, count, percent or days per column"})
    rows = fields.List(fields.List(fields.Raw(allow_none=True)),
                       metadata={"description": "Cells: numbers, labels, or a suppression marker"})
    total = fields.List(fields.Raw(allow_none=True), allow_none=True)
    notes = fields.List(fields.String())
    suppressed = fields.Boolean()


class StatsSchema(ma.Schema):
    filters = fields.Dict(required=True)
    counted_at = Timestamp(metadata={"description": "When the figures were counted (the dashboard's snapshot)"})
    figures = fields.List(fields.Nested(FigureSchema), required=True)


class TokenSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String()
    kind = fields.Enum(TokenKind, by_value=True)
    scopes = fields.List(fields.String(validate=validate.OneOf(list(SCOPES))))
    expires_at = Timestamp()
    user_id = fields.Integer(attribute="owner_id", allow_none=True)


UserPage = page_schema(UserSchema, "UserPage")
TiscPage = page_schema(TiscSchema, "TiscPage")
CoursePage = page_schema(CourseSchema, "CoursePage")
EnrolmentPage = page_schema(EnrolmentSchema, "EnrolmentPage")
QuizResultPage = page_schema(QuizResultSchema, "QuizResultPage")
CertificationPage = page_schema(CertificationRecordSchema, "CertificationRecordPage")
CertificatePage = page_schema(CertificateSchema, "CertificatePage")
