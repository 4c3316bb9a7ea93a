"""Issuing, re-issuing and revoking certificates. They add and flush; the caller commits.

Other features call ``issue_certificate`` (course completion does so through the
``course_completed`` signal; certification awards call it directly). The PDF is rendered
once here, stored, and its SHA-256 kept: it is never regenerated.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import unicodedata
from datetime import datetime

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal
from flask import current_app
from flask_babel import force_locale, npgettext, pgettext
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from academy.auth.latin import latin_form_of
from academy.certificates.models import Certificate, CertificateKind, CertificateStatus
from academy.certificates.pdf import DesignError, get_design, qr_svg_uri, render_pdf, size_class, text_dir
from academy.config import RTL_LANGUAGES
from academy.core import signals
from academy.core.audit import record
from academy.core.models import utcnow
from academy.core.storage import get_storage, put_on_commit
from academy.extensions import db

log = logging.getLogger(__name__)


#: 32 URL-safe characters from 24 random bytes: 192 bits from the OS CSPRNG
VERIFICATION_CODE_BYTES = 24
SERIAL_RE = re.compile(r"^[A-Z0-9]{1,16}-\d{4}-\d{6,}$")
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")

DEFAULTS = {
    "CERTIFICATE_ISSUER_NAME": "Academy · TISC Training and Certification",
    "CERTIFICATE_ISSUER_URL": None,  # defaults to BASE_URL
    "CERTIFICATE_SIGNATORY_NAME": "Director of Training",
    "CERTIFICATE_SIGNATORY_TITLE": "Academy",
    # Per certificate language: {"fr": {"issuer_name": …, "signatory_name": …, "signatory_title": …}};
    # a language or a key not listed falls back to the three settings above.
    "CERTIFICATE_ISSUER_BY_LANGUAGE": {},
    "CERTIFICATE_PAPER": "a4",
    "CERTIFICATE_DESIGN": "classic",
    "CERTIFICATE_VERIFY_RATE_LIMIT": "60 per minute",
    # Answers to "the holder's surname or the verification code" on a serial's page: per
    # client, and per serial whoever asks (so many addresses cannot guess one serial's name).
    "CERTIFICATE_HOLDER_RATE_LIMIT": "10 per 10 minutes",
    "CERTIFICATE_HOLDER_SERIAL_RATE_LIMIT": "30 per day",
    "CERTIFICATE_UPLOAD_MAX_BYTES": 5 * 1024 * 1024,
}


#: type size classes by display width (CJK counts double): long names shrink, then wrap
NAME_SIZES = ((28, "name-xl"), (40, "name-l"), (56, "name-m"), (10**6, "name-s"))
TITLE_SIZES = ((50, "title-l"), (90, "title-m"), (10**6, "title-s"))
HEADING_SIZES = ((34, "heading-l"), (10**6, "heading-m"))


class CertificateError(ValueError):
    """The request cannot be carried out (already revoked, unknown design, …)."""


def new_verification_code() -> str:
    return secrets.token_urlsafe(VERIFICATION_CODE_BYTES)


def make_serial(subject_code: str, issued_at: datetime, number: int) -> str:
    """``DL177-2026-000123``: subject code, year of issue, a running number for the two."""
    return f"{serial_prefix(subject_code)}-{issued_at.year:04d}-{number:06d}"


def verify_url(code: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/verify/{code}"


def _comparable(text: str) -> str:
    """Case, accents, compatibility forms and spacing set aside: what a verifier types from
    a CV ("mwangi", "Dubois" for "Dubóis") is the same answer."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFC", bare).casefold().split())


def names_the_holder(learner_name: str, answer: str, learner_name_latin: str | None = None) -> bool:
    """True if ``answer`` is the holder's surname as printed (the name's last word) or the
    whole printed name, in the script it is written in or in its printed Latin form. Only
    the last word: accepting any part would let a caller try the commonest given names; a
    name written without spaces (Chinese, a single name) can only be answered whole."""
    given = _comparable(answer)
    if not given:
        return False
    candidates = set()
    for printed in (learner_name, learner_name_latin):
        name = _comparable(printed or "")
        if name:
            candidates |= {name, name.split(" ")[-1]}
    if not candidates:
        return False
    # compare_digest on every candidate: the time taken does not say which one was close
    return sum(secrets.compare_digest(given.encode(), c.encode()) for c in candidates) > 0


def _check_language(language: str) -> str:
    try:
        Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        raise CertificateError(f"unknown language: {language!r}") from None
    return language


def _check_design(design: str, paper: str) -> str:
    """``paper`` if the design exists and has a layout for it."""
    try:
        papers = get_design(design).papers
    except DesignError as exc:
        raise CertificateError(str(exc)) from None
    if paper not in papers:
        raise CertificateError(f"design {design} has no {paper} layout")
    return paper


def check_design(design: str | None, paper: str | None) -> None:
    """Raise CertificateError unless the design (default: configured) exists with that paper."""
    _check_design(design or default_design(), paper or default_paper())


def _pick_title(titles: dict[str, str], language: str) -> str:
    if not titles:
        raise CertificateError("a certificate needs a title")
    return titles.get(language) or titles.get("en") or next(iter(titles.values()))


ISSUER_KEYS = ("issuer_name", "signatory_name", "signatory_title")


def issuer_block(language: str) -> dict[str, str]:
    """Issuer name, signatory name and title as printed on a certificate in ``language``:
    the language's entry in CERTIFICATE_ISSUER_BY_LANGUAGE, key by key; else the setting
    (CERTIFICATE_ISSUER_NAME, CERTIFICATE_SIGNATORY_NAME, CERTIFICATE_SIGNATORY_TITLE) when
    an admin changed it; else the shipped default translated into ``language``."""
    cfg = current_app.config
    by_language = cfg.get("CERTIFICATE_ISSUER_BY_LANGUAGE") or {}
    entry = by_language.get(language) or by_language.get(language.split("_")[0]) or {}
    with force_locale(language):
        shipped = shipped_issuer_block()
    settings = {"issuer_name": "CERTIFICATE_ISSUER_NAME", "signatory_name": "CERTIFICATE_SIGNATORY_NAME",
                "signatory_title": "CERTIFICATE_SIGNATORY_TITLE"}
    block = {}
    for key, setting in settings.items():
        configured = cfg.get(setting)
        if entry.get(key):
            block[key] = entry[key]
        elif configured and configured != DEFAULTS[setting]:
            block[key] = configured
        else:
            block[key] = shipped[key]
    return block


def default_design() -> str:
    return current_app.config.get("CERTIFICATE_DESIGN") or "classic"


def default_paper() -> str:
    return current_app.config.get("CERTIFICATE_PAPER") or "a4"


#: the grammatical form a certificate's wording takes, from the learner's gender; "another
#: gender identity" and "prefer not to say" get the neutral wording, never a guess
WORDINGS = ("feminine", "masculine", "neutral")


def wording_for(gender) -> str:
    """The wording that agrees with a learner of ``gender`` (a Gender or its value)."""
    value = getattr(gender, "value", gender)
    return {"woman": "feminine", "man": "masculine"}.get(value, "neutral")


def _agreeing_text(wording: str, kind: CertificateKind) -> dict[str, str]:
    """The lines around the name, agreeing with the learner where the language needs it
    (Arabic, French, Spanish, Portuguese and Russian verbs and participles do). The neutral
    wording is phrased so that nothing agrees with the person ("awarded to … for completing"),
    not with "(e)" or "(а)" endings. Call inside ``force_locale``."""
    certification = kind == CertificateKind.CERTIFICATION
    if wording == "feminine":
        certify = pgettext("certificate, feminine", "This is to certify that")
        achievement = (pgettext("certificate, feminine", "has been awarded the professional certification")
                       if certification else
                       pgettext("certificate, feminine", "has successfully completed the course"))
    elif wording == "masculine":
        certify = pgettext("certificate, masculine", "This is to certify that")
        achievement = (pgettext("certificate, masculine", "has been awarded the professional certification")
                       if certification else
                       pgettext("certificate, masculine", "has successfully completed the course"))
    else:
        certify = pgettext("certificate", "This is to certify that")
        achievement = (pgettext("certificate", "has been awarded the professional certification")
                       if certification else
                       pgettext("certificate", "has successfully completed the course"))
    return {"certify": certify, "achievement": achievement}


def shipped_issuer_block() -> dict[str, str]:
    """The issuer and signatory printed when none is configured, in the current locale
    (English names on a French certificate read as a foreign document). Call inside
    ``force_locale``."""
    return {
        # i18n: the issuing body as printed at the top of a certificate
        "issuer_name": pgettext("certificate", "Academy · TISC Training and Certification"),
        # i18n: who signs when no person is configured: an office, not a person's name
        "signatory_name": pgettext("certificate", "Director of Training"),
        # i18n: printed under the signatory: the organisation they sign for
        "signatory_title": pgettext("certificate", "Academy"),
    }


def certificate_text(lang: str, kind: CertificateKind, wording: str, *, issued_at: datetime,
                     hours=None, expires_at: datetime | None = None) -> dict[str, str]:
    """Every printed line of a certificate in ``lang``, agreeing with ``wording``."""
    # The PDF's wording is in the main catalogues under the message context "certificate": a
    # certificate's formal phrasing may differ from the same English on a screen.
    with force_locale(lang):
        date = format_date(issued_at.date(), "long", locale=lang)
        if kind == CertificateKind.CERTIFICATION:
            heading = pgettext("certificate", "Professional Certificate")
            date_line = pgettext("certificate", "Awarded on %(date)s", date=date)
        else:
            heading = pgettext("certificate", "Certificate of Completion")
            date_line = pgettext("certificate", "Completed on %(date)s", date=date)
        hours_line = ""
        if hours:
            hours = float(hours)
            # the plural form follows the number; a fraction takes the "other" form
            plural_n = int(hours) if hours.is_integer() else 2
            hours_line = npgettext("certificate", "%(hours)s hour of study", "%(hours)s hours of study", plural_n,
                             hours=format_decimal(hours, locale=lang))
        expires_line = ""
        if expires_at is not None:
            expires_line = pgettext("certificate", "Valid until %(date)s",
                                    date=format_date(expires_at.date(), "long", locale=lang))
        return {
            "heading": heading,
            **_agreeing_text(wording, kind),
            "date": date,
            "date_line": date_line,
            "hours_line": hours_line,
            "expires_line": expires_line,
            "details_line": " · ".join(part for part in (date_line, hours_line, expires_line) if part),
            "serial_label": pgettext("certificate", "Serial number"),
            "verify_label": pgettext("certificate", "Verify this certificate at"),
        }


def certificate_context(cert: Certificate) -> dict:
    """The plain dict a design renders: every string already in the certificate's language."""
    lang = cert.language
    url = verify_url(cert.verification_code)
    text = certificate_text(lang, cert.kind, cert.wording or "neutral", issued_at=cert.issued_at,
                            hours=cert.hours, expires_at=cert.expires_at)
    date = text.pop("date")
    second = None
    if cert.second_language and cert.second_language != lang:
        other = cert.second_language
        other_title = (cert.titles or {}).get(other)
        second = {
            "lang": other,
            "dir": "rtl" if other in RTL_LANGUAGES else "ltr",
            "text": certificate_text(other, cert.kind, cert.wording or "neutral", issued_at=cert.issued_at,
                                     hours=cert.hours, expires_at=cert.expires_at),
            # a course without a version in that language keeps its one title
            "title": other_title if other_title and other_title != cert.title else None,
            "title_dir": text_dir(other_title or ""),
            **issuer_block(other),
        }
    return {
        "lang": lang,
        "dir": "rtl" if lang in RTL_LANGUAGES else "ltr",
        "learner_name": cert.learner_name,
        "name_dir": text_dir(cert.learner_name),
        "name_size": size_class(cert.learner_name, NAME_SIZES),
        # the name in Latin letters, printed under the name as written (None: not given)
        "learner_name_latin": cert.learner_name_latin,
        "title": cert.title,
        "title_dir": text_dir(cert.title),
        "title_size": size_class(cert.title, TITLE_SIZES),
        "heading_size": size_class(text["heading"], HEADING_SIZES),
        "kind": cert.kind.value,
        "date": date,
        "serial": cert.serial,
        "verify_url": url,
        # designs break the URL before the code: the part that varies from one certificate to the next
        "verify_prefix": url.removesuffix(cert.verification_code),
        "verification_code": cert.verification_code,
        # an SVG image (data: URI) in the design's colour, for the element id="qr"
        "qr_svg": qr_svg_uri(url, cert.design),
        **issuer_block(lang),
        "text": text,
        # a bilingual certificate: the same lines in a second language (None: one language)
        "second": second,
    }


def _store_pdf(cert: Certificate, pdf: bytes) -> None:
    """Store the PDF with the transaction: kept if the certificate's row commits, gone if not."""
    key = f"certificates/{cert.issued_at.year:04d}/{cert.serial}-{cert.verification_code[:12]}.pdf"
    put_on_commit(key, pdf)
    cert.storage_key = key
    cert.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    cert.pdf_size = len(pdf)


def _existing_for(enrollment_id: int | None, certification_record_id: int | None) -> Certificate | None:
    if enrollment_id is not None:
        cond = Certificate.enrollment_id == enrollment_id
    elif certification_record_id is not None:
        cond = Certificate.certification_record_id == certification_record_id
    else:
        return None
    return db.session.scalar(select(Certificate).where(cond).order_by(Certificate.revision.desc()).limit(1))


def serial_prefix(subject_code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", subject_code.upper())[:16] or "CERT"


def _next_serial(subject_code: str, issued_at: datetime) -> str:
    """The next free serial of this subject and year (the unique key catches a race)."""
    head = f"{serial_prefix(subject_code)}-{issued_at.year:04d}-"
    last = db.session.scalar(
        select(Certificate.serial)
        .where(Certificate.serial.startswith(head, autoescape=True))
        .order_by(func.length(Certificate.serial).desc(), Certificate.serial.desc())
        .limit(1)
    )
    number = int(last[len(head):]) + 1 if last else 1
    return make_serial(subject_code, issued_at, number)


def _issue(*, user, kind, subject_code, titles, language, hours, issued_at, expires_at, enrollment_id,
           certification_record_id, design, revision: int, paper: str | None = None,
           second_language: str | None = None) -> Certificate | None:
    """Render, store and insert one certificate; None if its enrolment / record already has
    this revision (another worker was quicker).

    The PDF is rendered before the row is written and stored with the transaction (see
    ``put_on_commit``), so a row never exists without its file nor a file without its
    row, and a short savepoint around the INSERT is all that a conflict rolls back.
    """
    kind = CertificateKind(kind)
    paper = _check_design(design, paper or default_paper())
    language = _check_language(language)
    second_language = _check_language(second_language) if second_language else None
    if second_language == language:
        second_language = None
    issued_at = issued_at or utcnow()
    if expires_at is not None and expires_at <= issued_at:
        raise CertificateError("the expiry date must come after the issue date")
    for _attempt in range(5):
        cert = Certificate(
            user_id=user.id,
            kind=kind,
            subject_code=subject_code,
            title=_pick_title(titles, language),
            titles=dict(titles),
            language=language,
            second_language=second_language,
            learner_name=user.full_name,
            learner_name_latin=latin_form_of(user.full_name, user.full_name_latin),
            wording=wording_for(user.gender),
            hours=hours,
            issued_at=issued_at,
            expires_at=expires_at,
            serial=_next_serial(subject_code, issued_at),
            verification_code=new_verification_code(),
            status=CertificateStatus.VALID,
            design=design,
            paper=paper,
            enrollment_id=enrollment_id,
            certification_record_id=certification_record_id,
            revision=revision,
        )
        pdf = render_pdf(certificate_context(cert), cert.design, cert.paper)
        try:
            with db.session.begin_nested():
                _store_pdf(cert, pdf)  # in the savepoint: a conflict discards the file with the row
                db.session.add(cert)
        except IntegrityError:
            existing = _existing_for(enrollment_id, certification_record_id)
            if existing is not None and existing.revision >= revision:
                return None
            continue  # the serial was taken a moment ago: number it again
        signals.certificate_issued.send(cert)
        return cert
    raise CertificateError("could not allocate a serial number; try again")


def issue_certificate(*, user, kind, subject_code: str, titles: dict[str, str], language: str,
                      hours=None, issued_at: datetime | None = None, expires_at: datetime | None = None,
                      enrollment_id: int | None = None, certification_record_id: int | None = None,
                      design: str | None = None, paper: str | None = None,
                      second_language: str | None = None) -> Certificate:
    """Issue a certificate and store its PDF; idempotent per enrolment / certification record.

    With ``enrollment_id`` or ``certification_record_id``, an existing certificate for it
    (the latest revision, whatever its status) is returned instead of a second one; the
    database's unique key settles a race between two workers. ``design`` and ``paper``
    default to CERTIFICATE_DESIGN and CERTIFICATE_PAPER; with ``second_language`` the
    certificate is bilingual (its wording also in that language).
    """
    existing = _existing_for(enrollment_id, certification_record_id)
    if existing is not None:
        return existing
    cert = _issue(user=user, kind=kind, subject_code=subject_code, titles=titles, language=language,
                  hours=hours, issued_at=issued_at, expires_at=expires_at, enrollment_id=enrollment_id,
                  certification_record_id=certification_record_id, design=design or default_design(),
                  revision=0, paper=paper, second_language=second_language)
    if cert is None:  # another transaction issued it a moment ago
        cert = _existing_for(enrollment_id, certification_record_id)
        if cert is None:  # the unique constraint fired, so the row exists (not stripped by python -O)
            raise RuntimeError("certificate vanished after a uniqueness conflict")
        return cert
    log.info("certificate %s issued to user %s", cert.serial, user.id)
    return cert


def _study_hours(course, language: str) -> float | None:
    """The computed study time of the language version the learner took (issue 19: the
    certificate prints what the content takes, not a hand-written figure)."""
    version = course.version(language) or course.version(course.default_language)
    hours = version.estimated_hours if version is not None else None
    return hours or course.estimated_hours or None


def issue_for_enrollment(enrollment, *, design: str | None = None, paper: str | None = None,
                         second_language: str | None = None) -> Certificate:
    """The course-completion certificate for a completed enrolment (idempotent); design and
    paper default to the configured ones, the second language to the course's setting."""
    course = enrollment.course
    if enrollment.completed_at is None:
        raise CertificateError("the enrolment is not completed")
    return issue_certificate(
        user=enrollment.user,
        kind=CertificateKind.COURSE,
        subject_code=course.code,
        titles={v.language: v.title for v in course.versions},
        language=enrollment.language,
        hours=_study_hours(course, enrollment.language),
        issued_at=enrollment.completed_at,
        enrollment_id=enrollment.id,
        design=design,
        paper=paper,
        second_language=second_language or course.certificate_second_language,
    )


def _snapshot(cert: Certificate) -> dict:
    return {"serial": cert.serial, "status": cert.status.value, "learner_name": cert.learner_name}


def _claim(certificate: Certificate, allowed: tuple[CertificateStatus, ...], **values) -> bool:
    """Conditional UPDATE: True if the certificate still had an allowed status (so two
    admins clicking at once change it once)."""
    result = db.session.execute(
        update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.status.in_(allowed))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(certificate)
    return result.rowcount == 1


#: ``reissue``'s second_language when the new certificate keeps the old one's
KEEP = "keep"


def reissue(certificate: Certificate, *, reason: str, design: str | None = None,
            language: str | None = None, paper: str | None = None,
            second_language: str | None = KEEP) -> Certificate:
    """Issue a new certificate (current name, same achievement and dates) that supersedes
    ``certificate``; the old verification page then links the new one. Design, paper and
    second language stay those of ``certificate`` unless given (None: one language)."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("a reason is required")
    design = design or certificate.design
    paper = _check_design(design, paper or certificate.paper)
    before = _snapshot(certificate)
    now = utcnow()
    if not _claim(certificate, (CertificateStatus.VALID,), status=CertificateStatus.SUPERSEDED,
                  superseded_at=now, supersede_reason=reason):
        raise CertificateError("only a valid or expired certificate can be re-issued")
    new = _issue(
        user=certificate.user, kind=certificate.kind, subject_code=certificate.subject_code,
        titles=certificate.titles, language=language or certificate.language, hours=certificate.hours,
        issued_at=certificate.issued_at, expires_at=certificate.expires_at,
        enrollment_id=certificate.enrollment_id, certification_record_id=certificate.certification_record_id,
        design=design, revision=certificate.revision + 1, paper=paper,
        second_language=certificate.second_language if second_language == KEEP else second_language,
    )
    if new is None:
        raise CertificateError("this certificate was re-issued a moment ago")
    certificate.superseded_by_id = new.id
    db.session.flush()
    record("certificate.reissue", "certificate", certificate.id, before=before,
           after={**_snapshot(certificate), "new_serial": new.serial, "reason": reason})
    return new


def revoke(certificate: Certificate, *, reason: str, actor) -> Certificate:
    """Revoke at once, with a reason; recorded in the audit log (who, when, why)."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("a reason is required")
    before = _snapshot(certificate)
    actor_id = actor.id if actor is not None else None
    allowed = (CertificateStatus.VALID, CertificateStatus.SUPERSEDED)
    if not _claim(certificate, allowed, status=CertificateStatus.REVOKED, revoked_at=utcnow(),
                  revocation_reason=reason, revoked_by_id=actor_id):
        raise CertificateError("the certificate is already revoked")
    record("certificate.revoke", "certificate", certificate.id, before=before,
           after={**_snapshot(certificate), "reason": reason}, actor_id=actor_id)
    signals.certificate_revoked.send(certificate)
    return certificate


def request_zip(search: dict, total: int, *, by_id: int):
    """Queue a job that gathers the stored PDFs the search finds into a ZIP; audited."""
    from academy.certificates.tasks import ZIP
    from academy.jobs.services import create_job

    job = create_job(ZIP, {"search": search}, requested_by_id=by_id, total=total)
    record("certificate.export", "certificate", None, after={"count": total, "filters": search, "job": job.id})
    return job


def request_reissue(certificate_ids: list[int], *, reason: str, design: str | None, by_id: int,
                    search: dict | None = None):
    """Queue a job that re-issues these certificates (in ``design``, or each one's own);
    audited when a search chose them (a person's renamed certificates are the other case)."""
    from academy.certificates.tasks import REISSUE
    from academy.jobs.services import create_job

    params = {"certificate_ids": certificate_ids, "reason": reason, "design": design}
    job = create_job(REISSUE, params, requested_by_id=by_id, total=len(certificate_ids))
    if search is not None:
        record("certificate.bulk_reissue", "certificate", None,
               after={"count": len(certificate_ids), "filters": search, "design": design, "job": job.id})
    return job


def request_bulk_issue(params: dict, total: int, *, by_id: int):
    """Queue a job that issues the missing certificates of a course (``params``); audited."""
    from academy.certificates.tasks import BULK_ISSUE
    from academy.jobs.services import create_job

    job = create_job(BULK_ISSUE, params, requested_by_id=by_id, total=total)
    record("certificate.bulk_issue", "course", params["course_id"], after={**params, "count": total, "job": job.id})
    return job


def pdf_bytes(certificate: Certificate) -> bytes:
    """The stored PDF, exactly as issued."""
    return get_storage().get(certificate.storage_key)


def on_course_completed(sender, enrollment, **_extra) -> None:
    """Issue the completion certificate on the queue once the completion commits: rendering
    stays out of the learner's request, and a failure cannot undo the completion (the task
    is retried; an admin's bulk issue catches what is left)."""
    from academy.certificates.tasks import issue_completion_certificate

    issue_completion_certificate.after_commit(enrollment.id)


#: names and titles for sample certificates (design checks, the benchmark)
SAMPLES = {
    "en": ("Jane Wanjiku Mwangi", "E-tutorial on Using Patent Information (DL177)"),
    "fr": ("Hérimanana Rakotomalala-Andriamanjato",
           "Tutoriel en ligne sur l’utilisation de l’information en matière de brevets"),
    "es": ("María Fernanda Quispe Huamán", "Tutorial electrónico sobre el uso de la información de patentes"),
    "pt": ("João Carlos Albuquerque", "Tutorial eletrônico sobre o uso da informação de patentes"),
    "ru": ("Екатерина Александровна Смирнова", "Электронное учебное пособие по использованию патентной информации"),
    "zh": ("王小明", "专利信息使用电子教程"),
    "ar": ("فاطمة عبد الرحمن القحطاني", "برنامج تعليمي إلكتروني بشأن استخدام المعلومات المتعلقة بالبراءات"),
}


def sample_certificate(language: str = "en", *, name: str | None = None, kind: str = "course",
                       design: str | None = None, paper: str | None = None,
                       expires_at: datetime | None = None, gender: str = "undisclosed",
                       second_language: str | None = None, name_latin: str | None = None) -> Certificate:
    """A certificate that is not saved, for looking at a design in a language (and wording)."""
    sample_name, title = SAMPLES.get(language, SAMPLES["en"])
    titles = {language: title}
    if second_language:
        _check_language(second_language)
        titles[second_language] = SAMPLES.get(second_language, SAMPLES["en"])[1]
    code = new_verification_code()
    issued_at = utcnow()
    return Certificate(
        kind=CertificateKind(kind), subject_code="DL177", title=title, titles=titles,
        language=_check_language(language), learner_name=name or sample_name, hours=12,
        learner_name_latin=name_latin, second_language=second_language, wording=wording_for(gender),
        issued_at=issued_at, expires_at=expires_at, serial=make_serial("DL177", issued_at, 123),
        verification_code=code, status=CertificateStatus.VALID, design=design or default_design(),
        paper=paper or default_paper(), revision=0,
    )


def render_certificate_pdf(certificate: Certificate) -> bytes:
    """Render without storing (samples and the benchmark; issued PDFs come from storage)."""
    return render_pdf(certificate_context(certificate), certificate.design, certificate.paper)
