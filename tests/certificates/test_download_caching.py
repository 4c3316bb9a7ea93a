"""Certificate PDFs and ZIPs are one person's (or an admin's) private files: no cache may keep
a copy (``no-store``), not a shared proxy, not the browser's disk cache on a shared computer.

The public verification documents (the page and JSON reached with a verification code, the
credential, the issuer profile and the status list) are meant to be passed around: a cache
may keep them but must ask again before use (``no-cache``), so a revocation shows at once.
No PDF is served publicly: a verifier checks a PDF they were sent against its SHA-256."""

from __future__ import annotations


def _directives(resp) -> set[str]:
    return {d.strip() for d in resp.headers.get("Cache-Control", "").split(",") if d.strip()}


def test_a_learners_own_pdf_is_never_stored_by_a_cache(client, make_user, issue, login_as):
    learner = make_user()
    cert = issue(learner)
    login_as(learner)
    resp = client.get(f"/certificates/{cert.serial}.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert {"private", "no-store"} <= _directives(resp)


def test_an_admins_pdf_download_is_never_stored_by_a_cache(client, make_user, issue, login_as):
    cert = issue(make_user())
    login_as(make_user("admin"))
    resp = client.get(f"/certificates/{cert.serial}.pdf")
    assert resp.status_code == 200 and {"private", "no-store"} <= _directives(resp)


def test_a_zip_of_certificates_is_never_stored_by_a_cache(client, make_user, issue, login_as):
    issue(make_user())
    login_as(make_user("admin"))
    from tests.certificates.test_admin_cli import zip_download

    resp, _data = zip_download(client, "")  # prepared on the queue, downloaded from its job
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    assert {"private", "no-store"} <= _directives(resp)


def test_public_verification_documents_are_revalidated_not_forbidden(client, make_user, issue):
    cert = issue(make_user())
    for url in (f"/verify/{cert.verification_code}.json", f"/verify/{cert.verification_code}/credential.json",
                "/credentials/issuer", "/credentials/status/revocation"):
        resp = client.get(url)
        assert resp.status_code == 200 and "no-cache" in _directives(resp), url
