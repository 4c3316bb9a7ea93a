"""Admin screens (search, revoke, re-issue, bulk issue, ZIP) and the CLI."""

from __future__ import annotations

import io
import re
import zipfile

from sqlalchemy import func, select

from academy.certificates.models import Certificate, CertificateStatus
from academy.certificates.services import pdf_bytes
from academy.core.audit import AuditEvent
from academy.extensions import db


def zip_download(client, query: str):
    """Ask for the search's ZIP, which the queue prepares (at once in the tests), and download
    it from its job's page."""
    resp = client.post(f"/admin/certificates/export.zip?{query}")
    assert resp.status_code == 302 and "/admin/jobs/" in resp.headers["Location"], resp.status_code
    job_page = client.get(resp.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(/admin/jobs/\d+/download)"', job_page).group(1)
    download = client.get(link)
    data = download.get_data()
    download.close()  # a send_file response holds its file open until closed
    return download, data

def test_admin_searches_by_name_serial_course_and_status(client, make_user, issue, login_as):
    login_as(make_user("admin"))
    a = issue(make_user(full_name="Amani Otieno"))
    b = issue(make_user(full_name="Rocío Quispe"), subject_code="DL318", titles={"en": "Advanced search"})
    html = client.get("/admin/certificates/?q=otieno").get_data(as_text=True)
    assert a.serial in html and b.serial not in html
    html = client.get(f"/admin/certificates/?q={b.serial}").get_data(as_text=True)
    assert b.serial in html and a.serial not in html
    html = client.get("/admin/certificates/?subject=DL318").get_data(as_text=True)
    assert b.serial in html and a.serial not in html
    html = client.get("/admin/certificates/?status=revoked").get_data(as_text=True)
    assert a.serial not in html and b.serial not in html
    html = client.get("/admin/certificates/?from=2000-01-01&to=2999-01-01&kind=course").get_data(as_text=True)
    assert a.serial in html and b.serial in html


def test_admin_revokes_with_a_reason(client, make_user, issue, login_as):
    admin = make_user("admin")
    login_as(admin)
    cert = issue(make_user())
    resp = client.post(f"/admin/certificates/{cert.id}/revoke", data={"reason": ""})
    assert resp.status_code == 400
    resp = client.post(f"/admin/certificates/{cert.id}/revoke", data={"reason": "Identity fraud"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert cert.status == CertificateStatus.REVOKED and cert.revoked_by_id == admin.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.revoke"))
    assert event.actor_id == admin.id
    html = client.get(f"/admin/certificates/{cert.id}").get_data(as_text=True)
    assert "Identity fraud" in html


def test_admin_reissues_after_a_name_correction(client, make_user, issue, login_as):
    login_as(make_user("admin"))
    learner = make_user(full_name="Fatma Al-Qahtani")
    cert = issue(learner)
    learner.full_name = "Fatima Al-Qahtani"
    db.session.commit()
    resp = client.post(f"/admin/certificates/{cert.id}/reissue",
                       data={"reason": "Spelling of first name", "design": "classic"})
    assert resp.status_code == 302
    db.session.expire_all()
    new = db.session.get(Certificate, cert.superseded_by_id)
    assert new.learner_name == "Fatima Al-Qahtani" and cert.status == CertificateStatus.SUPERSEDED
    assert resp.headers["Location"].endswith(f"/admin/certificates/{new.id}")


def test_bulk_issue_fills_in_missing_certificates_once(client, make_user, mini_course, login_as):
    from academy.core.enums import EnrollmentStatus
    from academy.core.models import utcnow
    from academy.courses.services import enroll

    login_as(make_user("admin"))
    for _ in range(3):  # completions recorded without the hook (e.g. before certificates existed)
        e = enroll(make_user(), mini_course, "fr")
        e.status, e.completed_at = EnrollmentStatus.COMPLETED, utcnow()
    db.session.commit()
    assert client.get("/admin/certificates/issue").status_code == 200
    client.post("/admin/certificates/issue", data={"course_id": mini_course.id})
    client.post("/admin/certificates/issue", data={"course_id": mini_course.id})
    certs = db.session.scalars(select(Certificate)).all()
    assert len(certs) == 3 and {c.language for c in certs} == {"fr"}


def test_zip_download_of_a_course_holds_the_issued_pdfs(client, make_user, issue, login_as):
    login_as(make_user("admin"))
    a, b = issue(make_user()), issue(make_user())
    other = issue(make_user(), subject_code="DL318", titles={"en": "Advanced"})
    resp, data = zip_download(client, "subject=DL177")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        assert names == {f"{a.serial}.pdf", f"{b.serial}.pdf", "certificates.csv"}
        assert zf.read(f"{a.serial}.pdf") == pdf_bytes(a)
        assert other.serial not in zf.read("certificates.csv").decode()


def test_zip_download_of_a_group_offered_by_another_feature(client, make_user, issue, login_as):
    from academy.certificates import queries
    from academy.core.signals import learner_groups

    login_as(make_user("admin"))
    in_cohort, outside = make_user(), make_user()
    a, b = issue(in_cohort), issue(outside)

    def pilot(sender, **_kw):
        return "pilot", queries.LearnerGroups(
            label="Pilot", choices=lambda: [("1", "Pilot 2026")],
            members=lambda key: [in_cohort.id] if key == "1" else [])

    # connected for this test only: the other tests see the groups the features offer
    with learner_groups.connected_to(pilot):
        assert "Pilot: Pilot 2026" in client.get("/admin/certificates/").get_data(as_text=True)
        _resp, data = zip_download(client, "group=pilot:1")  # prepared on the queue inside the block
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert f"{a.serial}.pdf" in zf.namelist() and f"{b.serial}.pdf" not in zf.namelist()


def test_cli_issue_revoke_verify_and_render_sample(app, make_user, mini_course, complete_course, tmp_path):
    from academy.core.enums import EnrollmentStatus
    from academy.core.models import utcnow
    from academy.courses.services import enroll

    runner = app.test_cli_runner()
    e = enroll(make_user(full_name="CLI Learner"), mini_course, "en")
    db.session.commit()
    result = runner.invoke(args=["academy", "certificates", "issue", "--enrollment", str(e.id)])
    assert result.exit_code != 0 and "not completed" in result.output
    e.status, e.completed_at = EnrollmentStatus.COMPLETED, utcnow()
    db.session.commit()
    result = runner.invoke(args=["academy", "certificates", "issue", "--enrollment", str(e.id)])
    assert result.exit_code == 0, result.output
    serial = result.output.split()[0]
    again = runner.invoke(args=["academy", "certificates", "issue", "--enrollment", str(e.id)])
    assert again.output.split()[0] == serial
    assert db.session.scalar(select(func.count(Certificate.id))) == 1

    result = runner.invoke(args=["academy", "certificates", "verify", serial])
    assert result.exit_code == 0 and result.output.startswith("valid:")
    result = runner.invoke(args=["academy", "certificates", "revoke", serial, "--reason", "Test revocation"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["academy", "certificates", "verify", serial])
    assert result.exit_code == 1 and "revoked" in result.output and "Test revocation" in result.output
    result = runner.invoke(args=["academy", "certificates", "verify", "nope-nope"])
    assert result.exit_code == 2 and "unknown" in result.output

    out = tmp_path / "sample-ar.pdf"
    result = runner.invoke(args=["academy", "certificates", "render-sample", "--lang", "ar", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    from tests.certificates.conftest import pdf_text

    assert "شهادة إتمام" in pdf_text(out.read_bytes())

    # a bilingual sample for a woman, with her name in Latin letters
    result = runner.invoke(args=["academy", "certificates", "render-sample", "--lang", "ar", "--also", "en",
                                 "--gender", "woman", "--latin", "Fatima Al-Qahtani", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes())
    assert "قد أتمّت" in text and "Certificate of Completion" in text and "Fatima Al-Qahtani" in text
    result = runner.invoke(args=["academy", "certificates", "render-sample", "--also", "xx", "--out", str(out)])
    assert result.exit_code != 0 and "unknown language" in result.output


def test_after_a_name_correction_the_admin_is_offered_the_reissue(client, make_user, issue, login_as):
    login_as(make_user("admin"))
    learner = make_user(full_name="Wang Xiao Ming")
    cert = issue(learner)
    resp = client.post(f"/admin/people/{learner.id}/name",
                       data={"full_name": "王小明 (Wang Xiaoming)", "reason": "Name as in passport"})
    assert resp.status_code == 302
    page = client.get(f"/admin/people/{learner.id}/name").get_data(as_text=True)
    assert f"/admin/certificates/{cert.id}#reissue" in page and f"Re-issue {cert.serial}" in page
    person = client.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    assert cert.serial in person and "printed as Wang Xiao Ming" in person
    client.post(f"/admin/certificates/{cert.id}/reissue", data={"reason": "Name as in passport", "design": "classic"})
    db.session.expire_all()
    assert db.session.get(Certificate, cert.superseded_by_id).learner_name == "王小明 (Wang Xiaoming)"
    page = client.get(f"/admin/people/{learner.id}/name").get_data(as_text=True)
    assert "Re-issue" not in page
