"""Certificates: public verification, the learner's own PDFs, admin screens."""

from tests.access import Row, admin_only, everyone, logged_in


def extend_world(w):
    from academy.certificates.services import issue_certificate

    w.certificate = issue_certificate(user=w.learner, kind="course", subject_code=w.course.code,
                                      titles={"en": "Mini course"}, language="en", hours=1)


ROWS = [
    Row("certificates.verify_home", lambda w: "/verify/", everyone(200)),
    # No file attached: the form says so (400) to everyone.
    Row("certificates.verify_upload", lambda w: "/verify/check", everyone(400), method="POST"),
    Row("certificates.verify", lambda w: f"/verify/{w.certificate.verification_code}", everyone(200)),
    Row("certificates.verify_upload_for", lambda w: f"/verify/{w.certificate.verification_code}/check",
        everyone(400), method="POST"),
    Row("certificates.verify_json", lambda w: f"/verify/{w.certificate.verification_code}.json", everyone(200)),
    Row("certificates.credential_json", lambda w: f"/verify/{w.certificate.verification_code}/credential.json",
        everyone(200)),
    Row("certificates.issuer_profile", lambda w: "/credentials/issuer", everyone(200)),
    Row("certificates.status_list", lambda w: "/credentials/status/revocation", everyone(200)),
    Row("certificates.mine", lambda w: "/certificates/", logged_in(200)),
    # Someone else's PDF looks exactly like one that does not exist.
    Row("certificates.download_pdf", lambda w: f"/certificates/{w.certificate.serial}.pdf",
        {"anon": 302, "learner": 200, "other": 404, "instructor": 404, "admin": 200}),
    Row("certificates_admin.index", lambda w: "/admin/certificates/", admin_only(200)),
    Row("certificates_admin.export_zip", lambda w: "/admin/certificates/export.zip", admin_only(200)),
    Row("certificates_admin.detail", lambda w: f"/admin/certificates/{w.certificate.id}", admin_only(200)),
    Row("certificates_admin.revoke_view", lambda w: f"/admin/certificates/{w.certificate.id}/revoke",
        admin_only(302), method="POST", data=lambda w: {"reason": "Issued in error"}),
    Row("certificates_admin.reissue_view", lambda w: f"/admin/certificates/{w.certificate.id}/reissue",
        admin_only(302), method="POST", data=lambda w: {"reason": "Name corrected", "design": "classic"}),
    Row("certificates_admin.bulk_issue", lambda w: "/admin/certificates/issue", admin_only(200)),
]
