"""Public verification: page and JSON for every status, lookup by serial, uploads, bad input."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from academy.certificates.services import pdf_bytes, reissue, revoke
from academy.core.models import utcnow
from academy.extensions import db


def _upload(client, url, data: bytes, name="c.pdf"):
    return client.post(url, data={"pdf": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_valid_certificate_page_and_json(client, make_user, issue):
    cert = issue(make_user(full_name="Wanjiku Mwangi"))
    page = client.get(f"/verify/{cert.verification_code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Valid certificate" in html and "Wanjiku Mwangi" in html and cert.serial in html
    assert cert.pdf_sha256 in html and "E-tutorial on Using Patent Information" in html
    data = client.get(f"/verify/{cert.verification_code}.json").get_json()
    assert data["status"] == "valid" and data["serial"] == cert.serial
    assert data["learner_name"] == "Wanjiku Mwangi" and data["pdf_sha256"] == cert.pdf_sha256
    assert data["verification_url"] == f"http://localhost/verify/{cert.verification_code}"


def test_lookup_by_serial_number(client, make_user, issue):
    cert = issue(make_user())
    assert client.get(f"/verify/{cert.serial}").status_code == 200
    assert client.get(f"/verify/{cert.serial.lower()}.json").get_json()["serial"] == cert.serial
    resp = client.get(f"/verify/?code={cert.serial}")
    # the serial's own page (status only: tests/certificates/test_verify_by_serial.py), not the code's
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/verify/{cert.serial}")


def test_revoked_certificate_shows_reason_and_date(client, make_user, issue):
    cert = issue(make_user())
    revoke(cert, reason="Plagiarised final exam", actor=make_user("admin"))
    db.session.commit()
    html = client.get(f"/verify/{cert.verification_code}").get_data(as_text=True)
    assert "Revoked certificate" in html and "Plagiarised final exam" in html
    data = client.get(f"/verify/{cert.verification_code}.json").get_json()
    assert data["status"] == "revoked" and data["revocation_reason"] == "Plagiarised final exam"
    assert data["revoked_at"].startswith(str(utcnow().year))


def test_superseded_certificate_links_the_new_one(client, make_user, issue):
    cert = issue(make_user())
    new = reissue(cert, reason="Name corrected")
    db.session.commit()
    html = client.get(f"/verify/{cert.verification_code}").get_data(as_text=True)
    assert "Superseded certificate" in html and f"/verify/{new.verification_code}" in html
    data = client.get(f"/verify/{cert.verification_code}.json").get_json()
    assert data["status"] == "superseded" and data["superseded_by"]["serial"] == new.serial


def test_expired_certificate_says_expired(client, make_user, issue):
    issued = utcnow() - timedelta(days=800)
    cert = issue(make_user(), issued_at=issued, expires_at=issued + timedelta(days=730))
    html = client.get(f"/verify/{cert.verification_code}").get_data(as_text=True)
    assert "Expired certificate" in html
    assert client.get(f"/verify/{cert.verification_code}.json").get_json()["status"] == "expired"


@pytest.mark.parametrize("code", ["A" * 32, "doesnotexist", "..%2E..", "x" * 300, "DL177-2026-999999",
                                  "%00", "' OR 1=1 --"])
def test_unknown_or_malformed_codes_get_one_plain_404(client, app_ctx, code):
    page = client.get(f"/verify/{code}")
    assert page.status_code == 404 and "No such certificate" in page.get_data(as_text=True)
    data = client.get(f"/verify/{code}.json")
    assert data.status_code == 404 and data.get_json() == {"error": "not_found", "message": "No such certificate."}


def test_paths_that_are_not_codes_are_plain_404s(client, app_ctx):
    assert client.get("/verify/../../etc/passwd").status_code == 404
    assert client.get("/verify/a/b.json").status_code == 404


def test_upload_of_the_issued_pdf_matches(client, make_user, issue):
    cert = issue(make_user())
    resp = _upload(client, f"/verify/{cert.verification_code}/check", pdf_bytes(cert))
    assert resp.status_code == 200 and "The PDF matches." in resp.get_data(as_text=True)
    resp = _upload(client, "/verify/check", pdf_bytes(cert))
    assert resp.status_code == 200 and cert.serial in resp.get_data(as_text=True)


def test_upload_of_an_altered_pdf_does_not_match(client, make_user, issue):
    cert = issue(make_user())
    data = bytearray(pdf_bytes(cert))
    data[len(data) // 2] ^= 0x01
    resp = _upload(client, f"/verify/{cert.verification_code}/check", bytes(data))
    assert resp.status_code == 200 and "No match." in resp.get_data(as_text=True)


def test_upload_of_another_of_our_certificates_says_which(client, make_user, issue):
    a, b = issue(make_user()), issue(make_user())
    resp = _upload(client, f"/verify/{a.verification_code}/check", pdf_bytes(b))
    html = resp.get_data(as_text=True)
    assert "a different certificate" in html and b.serial in html


def test_upload_that_is_not_a_pdf_is_refused(client, make_user, issue):
    cert = issue(make_user())
    resp = _upload(client, f"/verify/{cert.verification_code}/check", b"GIF89a not a pdf at all", name="fake.pdf")
    assert resp.status_code == 400 and "not a PDF" in resp.get_data(as_text=True)


def test_oversized_upload_is_refused(app, client, make_user, issue):
    cert = issue(make_user())
    limit = app.config["CERTIFICATE_UPLOAD_MAX_BYTES"]
    big = b"%PDF-1.7\n" + b"0" * (limit + 32 * 1024) + b"\n%%EOF\n"
    # A body this large is spooled to a temporary file: build the request by hand to close it.
    from flask.testing import EnvironBuilder

    builder = EnvironBuilder(app, path=f"/verify/{cert.verification_code}/check", method="POST",
                             data={"pdf": (io.BytesIO(big), "big.pdf")}, content_type="multipart/form-data")
    try:
        environ = builder.get_environ()
        resp = client.open(environ)
    finally:
        builder.close()
        environ["wsgi.input"].close()
    assert resp.status_code == 413 and "too large" in resp.get_data(as_text=True)


def test_verification_is_rate_limited(app, database_url, tmp_path, make_user, issue):
    from academy.extensions import limiter
    from tests.conftest import make_test_app

    cert = issue(make_user())
    limited = make_test_app(tmp_path, database_url, RATELIMIT_ENABLED=True,
                            CERTIFICATE_VERIFY_RATE_LIMIT="3 per minute")
    try:
        client = limited.test_client()
        codes = [client.get(f"/verify/{cert.verification_code}.json").status_code for _ in range(3)]
        codes += [client.get(f"/verify/{cert.verification_code}").status_code]
        codes += [client.get("/verify/unknown-code-unknown-code-123.json").status_code]
    finally:
        limiter.reset()
        limiter.enabled = False  # the shared extension object: back to the suite's setting
    assert codes == [200, 200, 200, 429, 429]


def test_learner_downloads_the_same_bytes_every_time(client, make_user, issue, login_as):
    learner = make_user()
    cert = issue(learner)
    login_as(learner)
    first = client.get(f"/certificates/{cert.serial}.pdf")
    second = client.get(f"/certificates/{cert.serial}.pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.data == second.data == pdf_bytes(cert)
    assert f'filename={cert.serial}.pdf' in first.headers["Content-Disposition"]


def test_my_certificates_page_has_download_credential_copy_and_linkedin(client, make_user, issue, login_as):
    learner = make_user()
    cert = issue(learner)
    login_as(learner)
    html = client.get("/certificates/").get_data(as_text=True)
    assert f"/certificates/{cert.serial}.pdf" in html
    assert f"/verify/{cert.verification_code}/credential.json?download=1" in html
    assert f'value="http://localhost/verify/{cert.verification_code}"' in html
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in html
    assert "certId=" + cert.serial in html


# The page's content is cached per certificate state (certificates/views.py): each test
# below visits first, so that the change it makes is checked against a warm cache.


def _page(client, cert) -> str:
    return client.get(f"/verify/{cert.verification_code}").get_data(as_text=True)


def test_a_revocation_shows_at_once_on_a_page_seen_before(client, make_user, issue):
    cert = issue(make_user())
    assert "Valid certificate" in _page(client, cert) and "Valid certificate" in _page(client, cert)
    revoke(cert, reason="Plagiarised final exam", actor=make_user("admin"))
    db.session.commit()
    html = _page(client, cert)
    assert "Revoked certificate" in html and "Plagiarised final exam" in html and "Valid certificate" not in html


def test_a_revocation_by_another_process_shows_at_once(client, make_user, issue):
    """Another worker or server revokes: nothing in this process hears of it, the page
    must still read the state from the database."""
    from sqlalchemy import text

    cert = issue(make_user())
    assert "Valid certificate" in _page(client, cert)
    db.session.commit()
    with db.engine.begin() as other_process:
        other_process.execute(text("UPDATE certificate SET status = 'revoked', revoked_at = :now, "
                                   "revocation_reason = 'Issued in error' WHERE id = :id"),
                              {"now": utcnow(), "id": cert.id})
    html = _page(client, cert)
    assert "Revoked certificate" in html and "Issued in error" in html and "Valid certificate" not in html


def test_expiry_and_reissue_show_at_once_on_a_page_seen_before(client, make_user, issue):
    from sqlalchemy import text

    cert = issue(make_user(), issued_at=utcnow() - timedelta(days=2), expires_at=utcnow() + timedelta(days=1))
    assert "Valid certificate" in _page(client, cert)
    db.session.commit()
    with db.engine.begin() as other_process:  # the expiry date passes (or is corrected) elsewhere
        other_process.execute(text("UPDATE certificate SET expires_at = :then WHERE id = :id"),
                              {"then": utcnow() - timedelta(seconds=1), "id": cert.id})
    assert "Expired certificate" in _page(client, cert)
    db.session.expire_all()
    new = reissue(db.session.get(type(cert), cert.id), reason="Name corrected")
    db.session.commit()
    html = _page(client, cert)
    assert "Superseded certificate" in html and f"/verify/{new.verification_code}" in html


def test_a_name_correction_in_place_shows_at_once(client, make_user, issue):
    cert = issue(make_user(full_name="Wanjiku Mwangi"))
    assert "Wanjiku Mwangi" in _page(client, cert)
    cert.learner_name = "Wanjiku Mwangi-Otieno"
    db.session.commit()
    assert "Wanjiku Mwangi-Otieno" in _page(client, cert)


def test_each_visitor_gets_their_own_csrf_token_in_the_cached_upload_form(app, make_user, issue, monkeypatch):
    from tests.conftest import csrf_token_from

    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    cert = issue(make_user())
    db.session.commit()
    url = f"/verify/{cert.verification_code}"
    first, second = app.test_client(), app.test_client()

    def page(client) -> str:
        # In a thread of its own: a request's own app context (``g`` holds the token), as in production.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(lambda: client.get(url).get_data(as_text=True)).result()

    pages = [page(first), page(second), page(first)]
    tokens = [csrf_token_from(p[p.index('class="cert-upload"'):]) for p in pages]
    header_tokens = [csrf_token_from(p) for p in pages]
    assert tokens == header_tokens  # the form's token is the visitor's own session's
    assert tokens[0] != tokens[1]
    resp = first.post(f"/verify/{cert.verification_code}/check", content_type="multipart/form-data",
                      data={"csrf_token": tokens[2], "pdf": (io.BytesIO(pdf_bytes(cert)), "c.pdf")})
    assert resp.status_code == 200 and "The PDF matches." in resp.get_data(as_text=True)
