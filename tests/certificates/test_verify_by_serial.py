"""A serial number alone says whether a certificate stands, never who holds it.

Serials run in sequence (DL177-2026-000001, -000002, …), so anyone can count through them.
Who holds a certificate is shown to whoever has its verification code (printed with the QR
code) or can name the holder's surname, asked on a small rate-limited form."""

from __future__ import annotations

import re

from academy.certificates.services import make_serial, reissue, revoke
from academy.extensions import db


def _answer(client, cert, answer: str):
    return client.post(f"/verify/{cert.serial}/holder", data={"answer": answer})


def _without_echo(html: str, answer: str) -> str:
    return html.replace(answer, "")


def test_a_serial_alone_shows_the_status_course_and_date_but_not_the_holder(client, make_user, issue):
    cert = issue(make_user(full_name="Wanjiku Mwangi"))
    page = client.get(f"/verify/{cert.serial}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Valid certificate" in html and "E-tutorial on Using Patent Information" in html and cert.serial in html
    assert "Wanjiku" not in html and "Mwangi" not in html
    assert cert.verification_code not in html
    assert "holder&#39;s surname" in html or "holder's surname" in html


def test_the_json_of_a_serial_has_the_status_only(client, make_user, issue):
    cert = issue(make_user(full_name="Wanjiku Mwangi"))
    resp = client.get(f"/verify/{cert.serial}.json")
    data = resp.get_json()
    assert resp.status_code == 200 and data["status"] == "valid" and data["serial"] == cert.serial
    assert data["subject_code"] == "DL177" and data["issued_at"]
    assert "learner_name" not in data and "verification_url" not in data and "credential_url" not in data
    assert "Mwangi" not in resp.get_data(as_text=True) and cert.verification_code not in resp.get_data(as_text=True)
    # with the code, everything as before
    full = client.get(f"/verify/{cert.verification_code}.json").get_json()
    assert full["learner_name"] == "Wanjiku Mwangi" and full["verification_url"].endswith(cert.verification_code)


def test_counting_through_serials_lists_no_one(client, make_user, issue):
    people = ["Wanjiku Mwangi", "Chloé Dubois", "王小明", "Ольга Иванова"]
    certs = [issue(make_user(full_name=name)) for name in people]
    seen = ""
    for number in range(1, len(people) + 3):
        serial = make_serial("DL177", certs[0].issued_at, number)
        for url in (f"/verify/{serial}", f"/verify/{serial}.json", f"/verify/{serial}/credential.json",
                    f"/verify/?code={serial}"):
            resp = client.get(url, follow_redirects=True)
            seen += resp.get_data(as_text=True)
    for cert, name in zip(certs, people, strict=True):
        assert cert.serial in seen  # the statuses were there to see
        assert name not in seen and name.split()[-1] not in seen
        assert cert.verification_code not in seen


def test_looking_up_a_serial_on_the_home_page_leads_to_the_serials_page(client, make_user, issue):
    cert = issue(make_user())
    resp = client.get(f"/verify/?code={cert.serial.lower()}")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/verify/{cert.serial}")
    resp = client.get(f"/verify/?code={cert.verification_code}")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/verify/{cert.verification_code}")


def test_the_credential_is_reached_by_its_code_only(client, make_user, issue):
    cert = issue(make_user(full_name="Wanjiku Mwangi"))
    assert client.get(f"/verify/{cert.serial}/credential.json").status_code == 404
    assert client.get(f"/verify/{cert.verification_code}/credential.json").status_code == 200


def test_an_employer_with_the_serial_and_surname_from_a_cv_sees_the_holder(client, make_user, issue):
    cert = issue(make_user(full_name="Chloé Dubóis-Martin"))
    for answer in ("Dubóis-Martin", "dubois-martin", "  DUBOIS-MARTIN ", "Chloé Dubóis-Martin"):
        resp = _answer(client, cert, answer)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200, answer
        assert "Chloé Dubóis-Martin" in html and "Valid certificate" in html and cert.pdf_sha256 in html
        # the code stays with those who were given it
        assert cert.verification_code not in html
        assert "no-store" in resp.headers["Cache-Control"]


def test_a_name_without_spaces_must_be_given_whole(client, make_user, issue):
    cert = issue(make_user(full_name="王小明"))
    assert _answer(client, cert, "王").status_code == 422
    assert "王小明" in _answer(client, cert, "王小明").get_data(as_text=True)


def test_the_verification_code_in_the_form_opens_the_full_page(client, make_user, issue):
    cert = issue(make_user(full_name="Wanjiku Mwangi"))
    resp = _answer(client, cert, cert.verification_code)
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/verify/{cert.verification_code}")


def test_a_wrong_surname_reveals_nothing(client, make_user, issue):
    """Not the name, not whether it was close: every wrong answer gets the same page."""
    cert = issue(make_user(full_name="Wanjiku Mwangi"))
    pages = {}
    for answer in ("Smith", "Wanjiku", "Mwang", "Mwangii", "x" * 200, "DL177-2026-999999"):
        resp = _answer(client, cert, answer)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422, answer
        assert "Mwangi" not in _without_echo(html, answer) and cert.verification_code not in html
        assert "does not match" in html
        pages[answer] = re.sub(r'value="[^"]*"', "", _without_echo(html, answer))
    assert len(set(pages.values())) == 1


def test_an_empty_answer_is_asked_for_again(client, make_user, issue):
    cert = issue(make_user(full_name="Wanjiku Mwangi"))
    resp = _answer(client, cert, "   ")
    assert resp.status_code == 422 and "Mwangi" not in resp.get_data(as_text=True)


def test_a_revoked_or_replaced_certificate_by_serial_says_so_without_details(client, make_user, issue):
    revoked = issue(make_user(full_name="Mallory Smith"))
    revoke(revoked, reason="Plagiarised final exam", actor=make_user("admin"))
    old = issue(make_user(full_name="Jon Smiht"))
    old.user.full_name = "Jon Smith"
    new = reissue(old, reason="Name corrected")
    db.session.commit()
    html = client.get(f"/verify/{revoked.serial}").get_data(as_text=True)
    assert "Revoked certificate" in html and "Plagiarised" not in html and "Mallory" not in html
    data = client.get(f"/verify/{revoked.serial}.json").get_json()
    assert data["status"] == "revoked" and "revocation_reason" not in data
    html = client.get(f"/verify/{old.serial}").get_data(as_text=True)
    assert "Superseded certificate" in html and f'href="/verify/{new.serial}"' in html
    assert new.verification_code not in html and old.verification_code not in html and "Smith" not in html
    assert client.get(f"/verify/{old.serial}.json").get_json()["superseded_by"] == {"serial": new.serial}


def test_checking_a_pdf_on_a_serials_page_does_not_name_the_holder(client, make_user, issue):
    import io

    from academy.certificates.services import pdf_bytes

    a, b = issue(make_user(full_name="Wanjiku Mwangi")), issue(make_user(full_name="Ama Mensah"))
    resp = client.post(f"/verify/{a.serial}/check", content_type="multipart/form-data",
                       data={"pdf": (io.BytesIO(b"%PDF-1.7\nnot ours\n%%EOF\n"), "x.pdf")})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "No match." in html and "Mwangi" not in html
    assert a.verification_code not in html
    # whoever holds a certificate's PDF holds its code (the QR code): a match may link it
    resp = client.post(f"/verify/{a.serial}/check", content_type="multipart/form-data",
                       data={"pdf": (io.BytesIO(pdf_bytes(b)), "b.pdf")})
    assert "a different certificate" in resp.get_data(as_text=True)


def test_surname_answers_are_rate_limited_per_client_and_per_serial(database_url, tmp_path, make_user, issue):
    from academy.extensions import limiter
    from tests.conftest import make_test_app

    cert = issue(make_user(full_name="Wanjiku Mwangi"))
    limited = make_test_app(tmp_path, database_url, RATELIMIT_ENABLED=True,
                            CERTIFICATE_HOLDER_RATE_LIMIT="3 per minute",
                            CERTIFICATE_HOLDER_SERIAL_RATE_LIMIT="5 per day")
    try:
        one = limited.test_client()
        per_client = [_answer(one, cert, guess).status_code for guess in ("Smith", "Jones", "Brown", "Mwangi")]
        # from many addresses, the serial's own budget runs out (two left after the three above)
        others = [limited.test_client() for _ in range(3)]
        for n, other in enumerate(others):
            other.environ_base["REMOTE_ADDR"] = f"192.0.2.{n + 10}"
        per_serial = [_answer(other, cert, "Mwangi").status_code for other in others]
        # the page itself (GET) is not part of the answers' budget
        page = others[0].get(f"/verify/{cert.serial}").status_code
    finally:
        limiter.reset()
        limiter.enabled = False  # the shared extension object: back to the suite's setting
    assert per_client == [422, 422, 422, 429]
    assert per_serial == [200, 200, 429]
    assert page == 200
