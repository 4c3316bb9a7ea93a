"""Every admin route refuses learners and instructors; the invitation page is public."""

from tests.access import Row, admin_only, everyone

BOGUS_TOKEN = "A" * 32


def extend_world(w):
    from academy.auth.models import Tisc
    from academy.extensions import db

    w.tisc = Tisc(
        name="Access TISC", host_institution="University", city="Nairobi", country_code="KE"
    )
    w.tisc2 = Tisc(
        name="Access TISC Two", host_institution="Institute", city="Mombasa", country_code="KE"
    )
    db.session.add_all([w.tisc, w.tisc2])
    db.session.flush()
    from academy.auth.services import create_user, request_name_change
    from tests.conftest import TEST_PASSWORD

    renamer = create_user(email="renamer@example.org", full_name="Amina Diallo", password=TEST_PASSWORD,
                          gender="woman", country_code="SN", institution_other="OAPI")
    db.session.flush()
    w.name_request = request_name_change(renamer, name="Amina Diallo Sow", latin=None, reason="Marriage")


def _uid(w):
    return w.other.id


ROWS = [
    Row("admin.index", lambda w: "/admin/", admin_only(200)),
    Row("admin.name_requests", lambda w: "/admin/name-requests", admin_only(200)),
    Row("admin.set_certificate_language", lambda w: f"/admin/courses/{w.course.id}/certificate-language",
        admin_only(302), method="POST", data=lambda w: {"second_language": "en"}),
    Row("admin.approve_name_request", lambda w: f"/admin/name-requests/{w.name_request.id}/approve",
        admin_only(302), method="POST", data=lambda w: {"note": ""}),
    Row("admin.refuse_name_request", lambda w: f"/admin/name-requests/{w.name_request.id}/refuse",
        admin_only(302), method="POST", data=lambda w: {"note": "Send a copy of the marriage certificate."}),
    Row("admin.people", lambda w: "/admin/people?q=user&sort=email&dir=desc", admin_only(200)),
    Row("admin.user_detail", lambda w: f"/admin/people/{_uid(w)}", admin_only(200)),
    Row(
        "admin.grant_role",
        lambda w: f"/admin/people/{_uid(w)}/roles/grant",
        admin_only(302),
        method="POST",
        data=lambda w: {"role": "instructor"},
    ),
    Row(
        "admin.remove_role",
        lambda w: f"/admin/people/{w.instructor.id}/roles/remove",
        admin_only(302),
        method="POST",
        data=lambda w: {"role": "instructor"},
    ),
    Row(
        "admin.deactivate",
        lambda w: f"/admin/people/{_uid(w)}/deactivate",
        admin_only(302),
        method="POST",
    ),
    Row(
        "admin.reactivate",
        lambda w: f"/admin/people/{_uid(w)}/reactivate",
        admin_only(302),
        method="POST",
    ),
    Row(
        "admin.send_password_reset",
        lambda w: f"/admin/people/{_uid(w)}/password-reset",
        admin_only(302),
        method="POST",
    ),
    Row(
        "admin.resend_invitation",
        lambda w: f"/admin/people/{_uid(w)}/resend-invitation",
        admin_only(302),
        method="POST",
    ),
    Row("admin.correct_name", lambda w: f"/admin/people/{_uid(w)}/name", admin_only(200)),
    Row(
        "admin.correct_name",
        lambda w: f"/admin/people/{_uid(w)}/name",
        admin_only(302),
        method="POST",
        data=lambda w: {"full_name": "Corrected Name", "reason": "Passport copy"},
        id="POST admin.correct_name",
    ),
    Row("admin.invite", lambda w: "/admin/people/invite", admin_only(200)),
    Row("admin.courses", lambda w: "/admin/courses", admin_only(200)),
    Row("admin.course_detail", lambda w: f"/admin/courses/{w.course.id}", admin_only(200)),
    Row(
        "admin.set_course_published",
        lambda w: f"/admin/courses/{w.course.id}/published",
        admin_only(302),
        method="POST",
        data=lambda w: {"published": "0"},
    ),
    Row(
        "admin.set_version_published",
        lambda w: f"/admin/courses/{w.course.id}/versions/fr/published",
        admin_only(302),
        method="POST",
        data=lambda w: {"published": "0"},
    ),
    Row("admin.upload_package", lambda w: "/admin/courses/upload", admin_only(200)),
    Row("admin.upload_preview", lambda w: f"/admin/courses/upload/{BOGUS_TOKEN}", admin_only(404)),
    Row(
        "admin.upload_apply",
        lambda w: f"/admin/courses/upload/{BOGUS_TOKEN}/apply",
        admin_only(404),
        method="POST",
    ),
    Row(
        "admin.upload_discard",
        lambda w: f"/admin/courses/upload/{BOGUS_TOKEN}/discard",
        admin_only(404),
        method="POST",
    ),
    Row(
        "admin.preview_lesson",
        lambda w: f"/admin/courses/{w.course.id}/preview/fr/one/first",
        admin_only(200),
    ),
    # w.quiz_course comes from the assessments access module's extend_world.
    Row("admin.preview_quiz", lambda w: f"/admin/courses/{w.quiz_course.id}/preview/fr/quiz/one", admin_only(200)),
    Row("admin.tiscs", lambda w: "/admin/tiscs?country=KE", admin_only(200)),
    Row("admin.tisc_new", lambda w: "/admin/tiscs/new", admin_only(200)),
    Row("admin.tisc_edit", lambda w: f"/admin/tiscs/{w.tisc.id}/edit", admin_only(200)),
    Row(
        "admin.tisc_set_active",
        lambda w: f"/admin/tiscs/{w.tisc.id}/active",
        admin_only(302),
        method="POST",
        data=lambda w: {"published": "0"},
    ),
    Row("admin.tisc_merge", lambda w: f"/admin/tiscs/{w.tisc.id}/merge", admin_only(200)),
    Row(
        "admin.tisc_merge",
        lambda w: f"/admin/tiscs/{w.tisc.id}/merge",
        admin_only(302),
        method="POST",
        data=lambda w: {"survivor": str(w.tisc2.id)},
        id="POST admin.tisc_merge",
    ),
    Row("admin.tisc_import", lambda w: "/admin/tiscs/import", admin_only(200)),
    Row("admin.audit", lambda w: "/admin/audit?action=user", admin_only(200)),
    Row("admin.audit_export", lambda w: "/admin/audit.csv", admin_only(200)),
    Row("invitations.accept", lambda w: f"/invitation/{BOGUS_TOKEN}", everyone(302)),
]
