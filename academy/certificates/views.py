"""Verification (public), the learner's certificates, and the admin's certificate screens."""

from __future__ import annotations

import hashlib
import io
import json
import secrets
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from academy.auth.access import admin_required, learner_required
from academy.auth.models import User
from academy.certificates import credentials, queries
from academy.certificates.admin_hooks import carries_old_name
from academy.certificates.forms import (
    BulkIssueForm,
    BulkReissueForm,
    CSRFOnlyForm,
    HolderForm,
    ReissueForm,
    RevokeForm,
    VerifyUploadForm,
    design_choices,
    paper_choices,
)
from academy.certificates.models import Certificate, CertificateKind, CertificateStatus
from academy.certificates.pdf import DESIGNS
from academy.certificates.services import (
    CertificateError,
    default_design,
    default_paper,
    names_the_holder,
    pdf_bytes,
    reissue,
    request_bulk_issue,
    request_reissue,
    request_zip,
    revoke,
    verify_url,
)
from academy.certificates.tasks import BULK_LIMIT, count_missing
from academy.core.audit import AuditEvent
from academy.core.enums import EnrollmentStatus, Role
from academy.core.i18n import current_locale
from academy.core.models import utcnow
from academy.core.nav import NavItem
from academy.courses.models import Course, Enrollment
from academy.extensions import db, limiter

bp = Blueprint("certificates", __name__, template_folder="templates")
admin_bp = Blueprint("certificates_admin", __name__, template_folder="templates", url_prefix="/admin/certificates")


def menu_items(sender, **_kw):
    """On ``menu-items``: this feature's header entries."""
    yield NavItem("certificates.mine", _l("My certificates"), (Role.LEARNER, Role.INSTRUCTOR, Role.ADMIN), order=30)
    yield NavItem("certificates_admin.index", _l("Certificates"), (Role.ADMIN,), order=80)


PAGE_SIZE = 50
#: certificate PDFs and ZIPs: no cache may keep them (the public verification documents,
#: meant to be shared, are "no-cache": kept but revalidated, so a revocation shows at once)
PRIVATE_FILE = "private, no-store"


def _verify_rate() -> str:
    return current_app.config["CERTIFICATE_VERIFY_RATE_LIMIT"]


# One budget per client across every verification endpoint: guessing codes is pointless
# (192 bits) but hammering the lookup should still be slowed down.
verify_limit = limiter.shared_limit(_verify_rate, scope="certificate-verify")


def _holder_serial_key() -> str:
    return "certificate-holder:" + str((request.view_args or {}).get("serial", "")).upper()


# Surnames are far easier to guess than codes: few tries per client, and few per serial
# from all clients together.
holder_limits = [
    limiter.limit(lambda: current_app.config["CERTIFICATE_HOLDER_RATE_LIMIT"], methods=["POST"],
                  error_message="too many answers"),
    limiter.limit(lambda: current_app.config["CERTIFICATE_HOLDER_SERIAL_RATE_LIMIT"], methods=["POST"],
                  key_func=_holder_serial_key, error_message="too many answers"),
]


def by_code(cert, value: str) -> bool:
    """Whether the visitor named the certificate by its verification code, not its serial."""
    return secrets.compare_digest((value or "").strip().encode(), cert.verification_code.encode())


# --- public verification ----------------------------------------------------------------


def status_facts(cert: Certificate) -> dict:
    """What the verification page and its JSON say about a certificate."""
    status = cert.effective_status()
    facts = {
        "serial": cert.serial,
        "status": status.value,
        "learner_name": cert.learner_name,
        "learner_name_latin": cert.learner_name_latin,
        "kind": cert.kind.value,
        "subject_code": cert.subject_code,
        "title": cert.title,
        "language": cert.language,
        "second_language": cert.second_language,
        "hours": cert.hours,
        "issued_at": credentials.iso(cert.issued_at),
        "expires_at": credentials.iso(cert.expires_at) if cert.expires_at else None,
        "pdf_sha256": cert.pdf_sha256,
        "verification_url": verify_url(cert.verification_code),
        "credential_url": verify_url(cert.verification_code) + "/credential.json",
        "issuer": current_app.config["CERTIFICATE_ISSUER_NAME"],
    }
    if cert.status == CertificateStatus.REVOKED:
        facts["revoked_at"] = credentials.iso(cert.revoked_at)
        facts["revocation_reason"] = cert.revocation_reason
    if cert.superseded_by is not None:
        facts["superseded_at"] = credentials.iso(cert.superseded_at) if cert.superseded_at else None
        facts["superseded_by"] = {
            "serial": cert.superseded_by.serial,
            "verification_url": verify_url(cert.superseded_by.verification_code),
        }
    return facts


def serial_facts(cert) -> dict:
    """What a serial number alone tells: whether the certificate stands, for what, since
    when. Not who holds it, why it was revoked, nor any verification code (serials run in
    sequence, so anyone can count through them)."""
    facts = {
        "serial": cert.serial,
        "status": cert.effective_status().value,
        "kind": cert.kind.value,
        "subject_code": cert.subject_code,
        "title": cert.title,
        "language": cert.language,
        "issued_at": credentials.iso(cert.issued_at),
        "expires_at": credentials.iso(cert.expires_at) if cert.expires_at else None,
        "issuer": current_app.config["CERTIFICATE_ISSUER_NAME"],
        "holder": "withheld: ask with the verification code printed on the certificate",
    }
    if cert.status == CertificateStatus.REVOKED:
        facts["revoked_at"] = credentials.iso(cert.revoked_at)
    if cert.superseded_by is not None:
        facts["superseded_by"] = {"serial": cert.superseded_by.serial}
    return facts


def _by_code_or_404(code: str) -> Certificate:
    cert = queries.by_code_or_serial(code)
    if cert is None or not by_code(cert, code):
        abort(404)
    return cert


def _not_found_page():
    return render_template("certificates/not_found.html", form=VerifyUploadForm()), 404


def looks_like_pdf(data: bytes) -> bool:
    """A PDF by content: the header in the first KiB and an end-of-file marker near the end."""
    return b"%PDF-" in data[:1024] and b"%%EOF" in data[-2048:]


def _check_upload(expected: Certificate | None) -> tuple[dict, int, VerifyUploadForm]:
    """Hash an uploaded PDF and say whether it is one we issued (and the expected one)."""
    limit = current_app.config["CERTIFICATE_UPLOAD_MAX_BYTES"]
    # Refuse before parsing the body: the multipart envelope adds a little to the file.
    if request.content_length is not None and request.content_length > limit + 16 * 1024:
        return {"outcome": "too_large", "limit": limit}, 413, VerifyUploadForm(formdata=None)
    form = VerifyUploadForm()
    if not form.validate_on_submit():
        return {"outcome": "invalid"}, 400, form
    data = form.pdf.data.read(limit + 1)
    if len(data) > limit:
        return {"outcome": "too_large", "limit": limit}, 413, form
    if not looks_like_pdf(data):
        return {"outcome": "not_pdf"}, 400, form
    digest = hashlib.sha256(data).hexdigest()
    found = queries.by_sha256(digest)
    if found is None:
        outcome = "no_match"
    elif expected is None or found.id == expected.id:
        outcome = "match"
    else:
        outcome = "other"
    return {"outcome": outcome, "sha256": digest, "found": found}, 200, form


@bp.route("/verify/")
@verify_limit
def verify_home():
    code = request.args.get("code", "").strip()
    if code:
        cert = queries.by_code_or_serial(code)
        if cert is None:
            return _not_found_page()
        # a serial leads to the serial's page, never to the code
        return redirect(url_for(".verify", code=cert.verification_code if by_code(cert, code) else cert.serial))
    return render_template("certificates/verify_home.html", form=VerifyUploadForm(), check=None)


@bp.post("/verify/check")
@verify_limit
def verify_upload():
    check, status, form = _check_upload(None)
    return render_template("certificates/verify_home.html", form=form, check=check), status


@bp.route("/verify/<code>")
@verify_limit
def verify(code: str):
    # Read now on every view: a revocation in another process shows at once.
    cert = queries.by_code_or_serial(code)
    if cert is None:
        return _not_found_page()
    return render_template("certificates/verify.html", cert=cert, body=_verify_body(cert, by_code(cert, code)))


def _serial_body(cert, *, form=None, holder_form=None, check=None) -> str:
    return render_template("certificates/_verify_serial_body.html", cert=cert, facts=serial_facts(cert),
                           form=form or VerifyUploadForm(), holder_form=holder_form or HolderForm(formdata=None),
                           check=check)


def _verify_body(cert: Certificate, full: bool) -> Markup:
    """The verification page's content: everything when the visitor gave the verification
    code, the status only when they gave the serial."""
    if full:
        html = render_template("certificates/_verify_body.html", cert=cert, facts=status_facts(cert),
                               form=VerifyUploadForm(), check=None)
    else:
        html = _serial_body(cert)
    return Markup(html)  # noqa: S704  # nosec B704 - our template's output


@bp.post("/verify/<code>/check")
@verify_limit
def verify_upload_for(code: str):
    cert = queries.by_code_or_serial(code)
    if cert is None:
        return _not_found_page()
    check, status, form = _check_upload(cert)
    if by_code(cert, code):
        body = render_template("certificates/_verify_body.html", cert=cert, facts=status_facts(cert), form=form,
                               check=check)
    else:
        body = _serial_body(cert, form=form, check=check)
    return render_template("certificates/verify.html", cert=cert,
                           body=Markup(body)), status  # noqa: S704  # nosec B704 - our template's output


@bp.post("/verify/<serial>/holder")
@verify_limit
@holder_limits[0]
@holder_limits[1]
def verify_holder(serial: str):
    """A serial's page asked for the holder's surname or the verification code. The code
    leads to the full page; the surname shows the holder on this response only (the code
    stays unknown to who did not have it); anything else gets the same answer whatever was
    wrong about it."""
    cert = queries.by_code_or_serial(serial)
    if cert is None or by_code(cert, serial):
        return _not_found_page()
    form = HolderForm()
    if form.validate_on_submit():
        answer = form.answer.data.strip()
        if by_code(cert, answer):
            return redirect(url_for(".verify", code=cert.verification_code), 303)
        if names_the_holder(cert.learner_name, answer, cert.learner_name_latin):
            body = render_template("certificates/_verify_body.html", cert=cert, facts=status_facts(cert),
                                   form=VerifyUploadForm(), check=None, by_code=False)
            resp = Response(render_template("certificates/verify.html", cert=cert,
                                            body=Markup(body)))  # noqa: S704  # nosec B704 - our template's output
            resp.headers["Cache-Control"] = PRIVATE_FILE  # it names the holder
            return resp
        form.answer.errors.append(_("This does not match the certificate. Enter the holder's surname as printed "
                                    "on it, or the verification code printed beside its QR code."))
    body = _serial_body(cert, holder_form=form)
    return render_template("certificates/verify.html", cert=cert,
                           body=Markup(body)), 422  # noqa: S704  # nosec B704 - our template's output


@bp.route("/verify/<code>.json")
@verify_limit
def verify_json(code: str):
    cert = queries.by_code_or_serial(code)
    if cert is None:
        return jsonify(error="not_found", message="No such certificate."), 404
    resp = jsonify(status_facts(cert) if by_code(cert, code) else serial_facts(cert))
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Cache-Control"] = "no-cache"
    return resp


def _json(document: dict, *, download_name: str | None = None) -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=2)
    resp = Response(body, mimetype="application/json")
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Cache-Control"] = "no-cache"
    if download_name:
        resp.headers["Content-Disposition"] = f'attachment; filename="{download_name}"'
    return resp


@bp.route("/verify/<code>/credential.json")
@verify_limit
def credential_json(code: str):
    cert = _by_code_or_404(code)  # it names the holder: never by serial
    name = f"{cert.serial}-credential.json" if request.args.get("download") else None
    return _json(credentials.credential(cert), download_name=name)


@bp.route("/credentials/issuer")
def issuer_profile():
    return _json(credentials.issuer_profile())


@bp.route("/credentials/status/revocation")
def status_list():
    return _json(credentials.status_list_credential(queries.revoked_ids(), utcnow()))


# --- the learner's certificates -----------------------------------------------------------


def linkedin_url(cert: Certificate) -> str:
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": cert.title,
        "organizationName": current_app.config["CERTIFICATE_ISSUER_NAME"],
        "issueYear": cert.issued_at.year,
        "issueMonth": cert.issued_at.month,
        "certUrl": verify_url(cert.verification_code),
        "certId": cert.serial,
    }
    if cert.expires_at is not None:
        params.update(expirationYear=cert.expires_at.year, expirationMonth=cert.expires_at.month)
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


@bp.route("/certificates/")
@learner_required
def mine():
    certs = queries.user_certificates(current_user.id)
    items = [
        {"cert": c, "status": c.effective_status(), "verify_url": verify_url(c.verification_code),
         "linkedin_url": linkedin_url(c)}
        for c in certs
    ]
    return render_template("certificates/mine.html", items=items,
                           preparing=queries.certificates_in_preparation(current_user.id))


@bp.route("/certificates/<serial>.pdf")
@learner_required
def download_pdf(serial: str):
    cert = queries.by_serial(serial)
    # Another learner's serial gets the same answer as a serial that does not exist.
    if cert is None or (cert.user_id != current_user.id and not current_user.has_role(Role.ADMIN)):
        abort(404)
    data = pdf_bytes(cert)
    if hashlib.sha256(data).hexdigest() != cert.pdf_sha256:
        current_app.logger.error("stored PDF of certificate %s does not match its hash", cert.serial)
        abort(500)
    resp = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{cert.serial}.pdf", etag=cert.pdf_sha256, max_age=0)
    # One person's document: no cache keeps a copy (a shared computer's disk cache, a proxy).
    # Nothing public serves PDFs; verifiers hash the copy they were sent.
    resp.headers["Cache-Control"] = PRIVATE_FILE
    return resp


# --- admin ------------------------------------------------------------------------------


def _filters_from_args() -> tuple[queries.SearchFilters, dict]:
    return queries.filters_from(request.args)


@admin_bp.route("/")
@admin_required
def index():
    filters, args = _filters_from_args()
    found = db.paginate(queries.search(filters), per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "certificates/admin_list.html",
        certs=found.items, total=found.total, page=found.page, pages=max(1, found.pages), args=args,
        subjects=queries.subject_codes(), groups=queries.group_choices(), reissue_form=_reissue_form(),
        statuses=list(CertificateStatus), kinds=list(CertificateKind),
    )


@admin_bp.post("/export.zip")
@admin_required
def export_zip():
    """Prepare, on the queue, a ZIP of the stored PDFs (byte for byte) of the certificates
    the search finds, with a CSV index. Without a status filter only the valid ones: what a
    cohort's or a course's learners hold today, not the revoked and superseded PDFs."""
    if not CSRFOnlyForm().validate_on_submit():
        abort(400)
    filters, args = _filters_from_args()
    if not filters.status:
        filters.status = CertificateStatus.VALID.value
    total = db.session.scalar(select(func.count()).select_from(queries.search(filters).order_by(None).subquery()))
    if total > BULK_LIMIT:
        flash(_("Narrow the search: a download holds at most %(n)s certificates.", n=BULK_LIMIT), "error")
        return redirect(url_for(".index", **args))
    job = request_zip(args, total, by_id=current_user.id)
    return redirect(url_for("jobs.detail", job_id=job.id))


def _reissue_form() -> BulkReissueForm:
    form = BulkReissueForm(formdata=None)
    form.set_design_choices(default_design(), default_paper())
    return form


@admin_bp.post("/reissue")
@admin_required
def reissue_search():
    """Re-issue, on the queue, the valid certificates the search finds in another design (or
    the same one, to print names corrected since)."""
    form = BulkReissueForm()
    form.set_design_choices(default_design(), default_paper())
    filters, args = _filters_from_args()
    filters.status = CertificateStatus.VALID.value
    if not form.validate_on_submit():
        flash(_("Give a reason for the re-issue."), "error")
        return redirect(url_for(".index", **args))
    ids = list(db.session.scalars(queries.search(filters).with_only_columns(Certificate.id).limit(BULK_LIMIT + 1)))
    if len(ids) > BULK_LIMIT:
        flash(_("At most %(n)s certificates can be issued at once: choose a group.", n=BULK_LIMIT), "error")
        return redirect(url_for(".index", **args))
    job = request_reissue(ids, reason=form.reason.data, design=form.design.data, by_id=current_user.id,
                          search=args)
    return redirect(url_for("jobs.detail", job_id=job.id))


@admin_bp.post("/reissue/person/<int:user_id>")
@admin_required
def reissue_renamed(user_id: int):
    """Re-issue, on the queue, a person's valid certificates that carry an old name."""
    if not CSRFOnlyForm().validate_on_submit():
        abort(400)
    user = db.get_or_404(User, user_id)
    ids = [c.id for c in queries.user_certificates(user.id) if carries_old_name(c, user)]
    job = request_reissue(ids, reason="Name corrected", design=None, by_id=current_user.id)
    return redirect(url_for("jobs.detail", job_id=job.id))


def _cert_or_404(cert_id: int) -> Certificate:
    cert = db.get_or_404(Certificate, cert_id)
    return cert


def _detail(cert: Certificate, revoke_form=None, reissue_form=None, status: int = 200):
    reissue_form = reissue_form or ReissueForm(formdata=None)
    reissue_form.set_design_choices(cert.design, cert.paper)
    reissue_form.set_second_language_choices(cert.second_language)
    events = list(db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "certificate", AuditEvent.target_id == str(cert.id))
        .order_by(AuditEvent.created_at.desc())
    ))
    chain = list(db.session.scalars(
        select(Certificate).where(
            Certificate.user_id == cert.user_id, Certificate.subject_code == cert.subject_code,
            Certificate.kind == cert.kind, Certificate.id != cert.id,
        ).order_by(Certificate.issued_at, Certificate.id)
    ))
    return render_template(
        "certificates/admin_detail.html", cert=cert, facts=status_facts(cert), events=events, related=chain,
        design_title=dict(design_choices()).get(cert.design, cert.design),
        paper_title=dict(paper_choices()).get(cert.paper, cert.paper),
        revoke_form=revoke_form or RevokeForm(formdata=None), reissue_form=reissue_form,
    ), status


@admin_bp.route("/<int:cert_id>")
@admin_required
def detail(cert_id: int):
    return _detail(_cert_or_404(cert_id))


@admin_bp.post("/<int:cert_id>/revoke")
@admin_required
def revoke_view(cert_id: int):
    cert = _cert_or_404(cert_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _detail(cert, revoke_form=form, status=400)
    try:
        revoke(cert, reason=form.reason.data, actor=current_user)
    except CertificateError:
        db.session.rollback()
        flash(_("This certificate is already revoked."), "error")
        return redirect(url_for(".detail", cert_id=cert.id))
    flash(_("Certificate %(serial)s revoked.", serial=cert.serial), "success")
    return redirect(url_for(".detail", cert_id=cert.id))


@admin_bp.post("/<int:cert_id>/reissue")
@admin_required
def reissue_view(cert_id: int):
    cert = _cert_or_404(cert_id)
    form = ReissueForm()
    form.set_design_choices(cert.design, cert.paper)
    form.set_second_language_choices(cert.second_language)
    if not form.validate_on_submit():
        return _detail(cert, reissue_form=form, status=400)
    if form.paper.data not in DESIGNS[form.design.data].papers:
        form.paper.errors.append(_("This design has no layout for that paper size."))
        return _detail(cert, reissue_form=form, status=400)
    try:
        new = reissue(cert, reason=form.reason.data, design=form.design.data, paper=form.paper.data,
                      second_language=form.second_language.data or None)
    except CertificateError:
        db.session.rollback()
        flash(_("Only a valid or expired certificate can be re-issued."), "error")
        return redirect(url_for(".detail", cert_id=cert.id))
    flash(_("Certificate re-issued as %(serial)s; the old one now points to it.", serial=new.serial), "success")
    return redirect(url_for(".detail", cert_id=new.id))


@admin_bp.route("/issue", methods=["GET", "POST"])
@admin_required
def bulk_issue():
    form = BulkIssueForm()
    form.set_design_choices(default_design(), default_paper())
    form.set_second_language_choices(None)
    form.group.choices = [("", _("Every learner"))] + queries.group_choices()
    courses = list(db.session.scalars(select(Course).order_by(Course.code)))
    form.course_id.choices = [
        (c.id, f"{c.code} · {(c.version(current_locale()) or c.version('en') or c.versions[0]).title}")
        for c in courses if c.versions
    ]
    missing = dict(db.session.execute(
        select(Enrollment.course_id, func.count(Enrollment.id))
        .outerjoin(Certificate, Certificate.enrollment_id == Enrollment.id)
        .where(Enrollment.status == EnrollmentStatus.COMPLETED, Certificate.id.is_(None))
        .group_by(Enrollment.course_id)
    ).all())
    valid = form.validate_on_submit()
    if valid and form.paper.data not in DESIGNS[form.design.data].papers:
        form.paper.errors.append(_("This design has no layout for that paper size."))
        valid = False
    user_ids = None
    if valid and form.group.data:
        user_ids = queries.group_members(form.group.data)
        if user_ids is None:
            form.group.errors.append(_("Choose a group from the list."))
            valid = False
    if valid:
        total = count_missing(form.course_id.data, user_ids)
        if total > BULK_LIMIT:
            form.group.errors.append(_("At most %(n)s certificates can be issued at once: choose a group.",
                                       n=BULK_LIMIT))
        else:
            params = {"course_id": form.course_id.data, "group": form.group.data or None,
                      "design": form.design.data, "paper": form.paper.data,
                      "second_language": form.second_language.data or None}
            job = request_bulk_issue(params, total, by_id=current_user.id)
            return redirect(url_for("jobs.detail", job_id=job.id))
    return render_template("certificates/admin_issue.html", form=form, courses=courses, missing=missing,
                           limit=BULK_LIMIT)
