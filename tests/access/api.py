from tests.access import Row, admin_only, everyone, logged_in

# The API takes no cookies: whoever is logged in in the browser, every API route answers 401
# without a bearer token (the scopes × endpoints table is
# test_scopes_by_endpoint_each_token_reaches_only_what_its_scopes_allow in tests/api/test_api.py).
NO_COOKIE = everyone(401)

ROWS = [
    Row("api-docs.openapi_json", lambda w: "/api/v1/openapi.json", everyone(200)),
    Row("api_tokens.reference", lambda w: "/api/v1/docs", everyone(200)),
    Row("api_users.list_users", lambda w: "/api/v1/users/", NO_COOKIE),
    Row("api_users.get_user", lambda w: f"/api/v1/users/{w.learner.id}", NO_COOKIE),
    Row("api_learners.put_learner", lambda w: "/api/v1/learners/HR-1", NO_COOKIE, method="PUT"),
    Row("api_tiscs.list_tiscs", lambda w: "/api/v1/tiscs/", NO_COOKIE),
    Row("api_courses.list_courses", lambda w: "/api/v1/courses/", NO_COOKIE),
    Row("api_courses.get_course", lambda w: f"/api/v1/courses/{w.course.id}", NO_COOKIE),
    Row("api_enrolments.list_enrolments", lambda w: "/api/v1/enrolments/", NO_COOKIE),
    Row("api_enrolments.get_enrolment", lambda w: f"/api/v1/enrolments/{w.enrolment_id}", NO_COOKIE),
    Row("api_enrolments.create_enrolment", lambda w: "/api/v1/enrolments/", NO_COOKIE, method="POST"),
    Row("api_quiz_results.list_quiz_results", lambda w: "/api/v1/quiz-results/", NO_COOKIE),
    Row("api_certification.list_certification_records", lambda w: "/api/v1/certification-records/", NO_COOKIE),
    Row("api_certification.get_certification_record", lambda w: "/api/v1/certification-records/1", NO_COOKIE),
    Row("api_certificates.list_certificates", lambda w: "/api/v1/certificates/", NO_COOKIE),
    Row("api_certificates.get_certificate", lambda w: "/api/v1/certificates/1", NO_COOKIE),
    Row("api_certificates.certificate_pdf", lambda w: "/api/v1/certificates/1/pdf", NO_COOKIE),
    Row("api_certificates.issue_certificate", lambda w: "/api/v1/certificates/", NO_COOKIE, method="POST"),
    Row("api_certificates.revoke_certificate", lambda w: "/api/v1/certificates/1/revoke", NO_COOKIE, method="POST"),
    Row("api_stats.dashboard", lambda w: "/api/v1/stats/dashboard", NO_COOKIE),
    # Integration tokens are an admin's; a learner's personal token is theirs alone.
    Row("api_tokens.integration_tokens", lambda w: "/admin/api-tokens/", admin_only(200)),
    Row("api_tokens.revoke_integration_token", lambda w: f"/admin/api-tokens/{w.integration_token_id}/revoke",
        admin_only(303), method="POST"),
    Row("api_tokens.personal_tokens", lambda w: "/account/api-token", logged_in(200)),
    Row("api_tokens.revoke_personal_token", lambda w: f"/account/api-token/{w.personal_token_id}/revoke",
        {"anon": 302, "learner": 303, "other": 404, "instructor": 404, "admin": 404}, method="POST"),
    Row("xapi.index", lambda w: "/admin/xapi/", admin_only(200)),
    Row("xapi.download", lambda w: "/admin/xapi/statements.jsonl", admin_only(200)),
    Row("xapi_verbs.revoked", lambda w: "/xapi/verbs/revoked", everyone(200)),
]


def extend_world(w):
    from sqlalchemy import select

    from academy.api.models import TokenKind
    from academy.api.services import create_token
    from academy.courses.models import Enrollment
    from academy.extensions import db

    w.enrolment_id = db.session.scalar(select(Enrollment.id).where(Enrollment.user_id == w.learner.id))
    token, _ = create_token(name="HR sync", scopes=["read:users"], created_by=w.admin)
    personal, _ = create_token(name="Mine", kind=TokenKind.PERSONAL, owner=w.learner, created_by=w.learner)
    w.integration_token_id, w.personal_token_id = token.id, personal.id
