"""`flask --app wsgi academy certificates …`: issue, revoke, verify, render a sample."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from academy.extensions import db

certificates_cli = AppGroup("certificates", help="Certificates: issue, revoke, verify, render samples.")


@certificates_cli.command("issue")
@click.option("--enrollment", "enrollment_id", type=int, required=True, help="Id of a completed enrolment.")
@click.option("--design", default=None, help="Certificate design (default: CERTIFICATE_DESIGN).")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default=None,
              help="Paper size (default: CERTIFICATE_PAPER).")
def issue_command(enrollment_id: int, design: str | None, paper: str | None) -> None:
    """Issue the completion certificate of an enrolment (prints the existing one if issued)."""
    from academy.certificates.services import CertificateError, issue_for_enrollment, verify_url
    from academy.courses.models import Enrollment

    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None:
        raise click.ClickException(f"no enrolment {enrollment_id}")
    try:
        cert = issue_for_enrollment(enrollment, design=design, paper=paper)
    except CertificateError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"{cert.serial} {cert.effective_status().value} {verify_url(cert.verification_code)}")


@certificates_cli.command("revoke")
@click.argument("serial")
@click.option("--reason", required=True, help="Shown on the public verification page.")
def revoke_command(serial: str, reason: str) -> None:
    """Revoke a certificate by serial number (recorded in the audit log)."""
    from academy.certificates.queries import by_serial
    from academy.certificates.services import CertificateError, revoke

    cert = by_serial(serial.strip().upper())
    if cert is None:
        raise click.ClickException(f"no certificate {serial}")
    try:
        revoke(cert, reason=reason, actor=None)
    except CertificateError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"{cert.serial} revoked")


@certificates_cli.command("verify")
@click.argument("code")
def verify_command(code: str) -> None:
    """Print a certificate's status (by verification code or serial). Exit 1 unless valid."""
    from academy.certificates.queries import by_code_or_serial

    cert = by_code_or_serial(code)
    if cert is None:
        click.echo("unknown: no such certificate")
        sys.exit(2)
    status = cert.effective_status().value
    line = f"{status}: {cert.serial} · {cert.learner_name} · {cert.subject_code} · issued {cert.issued_at:%Y-%m-%d}"
    if cert.status.value == "revoked":
        line += f" · revoked {cert.revoked_at:%Y-%m-%d}: {cert.revocation_reason}"
    if cert.superseded_by is not None:
        line += f" · superseded by {cert.superseded_by.serial}"
    click.echo(line)
    sys.exit(0 if status == "valid" else 1)


@certificates_cli.command("render-sample")
@click.option("--lang", default="en", show_default=True, help="Certificate language.")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--name", default=None, help="Learner name to print (default: a sample in the language).")
@click.option("--kind", type=click.Choice(["course", "certification"]), default="course", show_default=True)
@click.option("--design", default=None, help="Certificate design (default: CERTIFICATE_DESIGN).")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default=None,
              help="Paper size (default: CERTIFICATE_PAPER).")
@click.option("--gender", type=click.Choice(["woman", "man", "another", "undisclosed"]), default="undisclosed",
              show_default=True, help="The learner's gender, which the wording agrees with.")
@click.option("--latin", default=None, help="The name in Latin letters, printed under it.")
@click.option("--also", "second_language", default=None, help="A second language (a bilingual certificate).")
def render_sample_command(lang: str, out: str, name: str | None, kind: str, design: str | None,
                          paper: str | None, gender: str, latin: str | None, second_language: str | None) -> None:
    """Render a sample certificate (nothing is stored) to check a design in a language."""
    from academy.certificates.pdf import DesignError
    from academy.certificates.services import CertificateError, render_certificate_pdf, sample_certificate

    try:
        pdf = render_certificate_pdf(sample_certificate(lang, name=name, kind=kind, design=design, paper=paper,
                                                        gender=gender, name_latin=latin,
                                                        second_language=second_language))
    except (CertificateError, DesignError) as exc:
        raise click.ClickException(str(exc)) from None
    Path(out).write_bytes(pdf)
    click.echo(f"{out}: {len(pdf)} bytes")
