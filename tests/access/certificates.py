"""Certificates: public verification, the learner's own PDFs, admin screens."""

from tests.access import Row, admin_only, everyone, logged_in

_PDF = b"%PDF-1.7\n% access-table stand-in: rendering is tested in tests/certificates\n%%EOF\n"


def extend_world(w):
    """A certificate row with a stored stand-in PDF: the access table checks who may open
    what, so it skips the real rendering (hundreds of worlds are built)."""
    import hashlib

    from academy.certificates.models import Certificate, CertificateKind
    from academy.certificates.services import new_verification_code
    from academy.core.models import utcnow
    from academy.core.storage import get_storage
    from academy.extensions import db

    key = "certificates/access/MINI1-2026-000001.pdf"
    get_storage().put(key, _PDF)
    w.certificate = Certificate(
        user_id=w.learner.id, kind=CertificateKind.COURSE, subject_code=w.course.code, title="Mini course",
        titles={"en": "Mini course"}, language="en", learner_name=w.learner.full_name, hours=1,
        issued_at=utcnow(), serial="MINI1-2026-000001", verification_code=new_verification_code(),
        design="classic", paper="a4", revision=0, pdf_sha256=hashlib.sha256(_PDF).hexdigest(),
        pdf_size=len(_PDF), storage_key=key,
    )
    db.session.add(w.certificate)
    db.session.flush()


ROWS = [
    Row("certificates.verify_home", lambda w: "/verify/", everyone(200)),
    # No file attached: the form says so (400) to everyone.
    Row("certificates.verify_upload", lambda w: "/verify/check", everyone(400), method="POST"),
    Row("certificates.verify", lambda w: f"/verify/{w.certificate.verification_code}", everyone(200)),
    Row("certificates.verify_upload_for", lambda w: f"/verify/{w.certificate.verification_code}/check",
        everyone(400), method="POST"),
    # An empty answer: the form asks again (422), whoever asks.
    Row("certificates.verify_holder", lambda w: f"/verify/{w.certificate.serial}/holder", everyone(422),
        method="POST", data=lambda w: {"answer": ""}),
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
    # The ZIP is prepared on the queue: the button redirects to the job's page.
    Row("certificates_admin.export_zip", lambda w: "/admin/certificates/export.zip", admin_only(302),
        method="POST"),
    Row("certificates_admin.detail", lambda w: f"/admin/certificates/{w.certificate.id}", admin_only(200)),
    Row("certificates_admin.revoke_view", lambda w: f"/admin/certificates/{w.certificate.id}/revoke",
        admin_only(302), method="POST", data=lambda w: {"reason": "Issued in error"}),
    Row("certificates_admin.reissue_view", lambda w: f"/admin/certificates/{w.certificate.id}/reissue",
        admin_only(302), method="POST", data=lambda w: {"reason": "Name corrected", "design": "classic"}),
    Row("certificates_admin.bulk_issue", lambda w: "/admin/certificates/issue", admin_only(200)),
    # Re-issues run on the queue: the forms redirect to the job's page.
    Row("certificates_admin.reissue_search", lambda w: "/admin/certificates/reissue?subject=NONE", admin_only(302),
        method="POST", data=lambda w: {"reason": "New design", "design": "modern"}),
    Row("certificates_admin.reissue_renamed", lambda w: f"/admin/certificates/reissue/person/{w.certificate.user_id}",
        admin_only(302), method="POST"),
]
