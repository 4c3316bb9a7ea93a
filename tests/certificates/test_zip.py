"""ZIP downloads of a cohort's and a course's certificates, end to end: real completions,
a real certification award, the cohort group that certification registers, a re-issue
and a revocation; the ZIP holds exactly the valid PDFs, byte for byte as stored."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile

from sqlalchemy import select

from academy.certificates.models import Certificate, CertificateKind, CertificateStatus
from academy.certificates.services import pdf_bytes, reissue, revoke
from academy.extensions import db
from tests.certification import world


def _zip(client, query: str) -> tuple[dict[str, bytes], list[dict]]:
    from tests.certificates.test_admin_cli import zip_download

    resp, data = zip_download(client, query)
    assert resp.status_code == 200 and resp.mimetype == "application/zip", resp.status_code
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    rows = list(csv.DictReader(io.StringIO(files.pop("certificates.csv").decode())))
    return files, rows


def _valid(user) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.user_id == user.id,
                                                             Certificate.status == CertificateStatus.VALID)))


def test_cohort_and_course_zips_hold_exactly_the_valid_pdfs_as_stored(
        client, make_user, mini_course, login_as):
    from academy.certification import services as certification

    admin = make_user("admin")
    amani, rocio, chen = (make_user(full_name=n) for n in ("Amani Otieno", "Rocío Quispe", "陈静"))
    outsider = make_user(full_name="Outside Cohort")
    w = world.build(mini_course, make_user("instructor"), [amani, rocio, chen])
    for learner in (amani, rocio, chen, outsider):
        world.complete_course(learner, mini_course)  # issues the course certificate on completion
    certification.award(w.records[0])  # Amani is certified: a second certificate, of the programme
    db.session.commit()
    old = _valid(rocio)[0]
    renewed = reissue(old, reason="Name as in passport", design="modern")
    revoke(_valid(chen)[0], reason="Issued in error", actor=admin)
    db.session.commit()

    login_as(admin)
    page = client.get("/admin/certificates/").get_data(as_text=True)
    assert f"cohort:{w.cohort.id}" in page and "Test cohort" in page

    files, rows = _zip(client, f"group=cohort:{w.cohort.id}")
    expected = _valid(amani) + _valid(rocio)
    assert {c.kind for c in _valid(amani)} == {CertificateKind.COURSE, CertificateKind.CERTIFICATION}
    assert set(files) == {f"{c.serial}.pdf" for c in expected}
    assert renewed.serial + ".pdf" in files and old.serial + ".pdf" not in files
    for cert in expected:
        data = files[f"{cert.serial}.pdf"]
        assert data == pdf_bytes(cert) and hashlib.sha256(data).hexdigest() == cert.pdf_sha256
    assert {r["serial"] for r in rows} == {c.serial for c in expected}
    assert {r["pdf_sha256"] for r in rows} == {c.pdf_sha256 for c in expected}

    files, _rows = _zip(client, f"subject={mini_course.code}")
    expected = [c for u in (amani, rocio, outsider) for c in _valid(u) if c.kind == CertificateKind.COURSE]
    assert set(files) == {f"{c.serial}.pdf" for c in expected} and len(expected) == 3
    assert all(files[f"{c.serial}.pdf"] == pdf_bytes(c) for c in expected)

    # Asked for by status, the revoked and superseded ones come too.
    files, _rows = _zip(client, f"group=cohort:{w.cohort.id}&status=revoked")
    assert set(files) == {f"{c.serial}.pdf" for c in db.session.scalars(
        select(Certificate).where(Certificate.user_id == chen.id))}
