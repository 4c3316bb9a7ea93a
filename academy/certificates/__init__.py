"""Certificates: issue on completion or award, PDF designs, verification, revocation,
Open Badges 3.0 credentials."""

from __future__ import annotations


def init_app(app) -> None:
    """Config defaults; a certificate issued when a course is completed; the certificates
    section of the admin console's person page and re-issue after a name correction."""
    import logging

    from academy.certificates import admin_hooks, views
    from academy.certificates.services import DEFAULTS, on_course_completed
    from academy.core import signals

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    _config_from_environment(app)
    signals.course_completed.connect(on_course_completed)
    signals.admin_user_sections.connect(admin_hooks.certificates_section)
    signals.name_correction_follow_ups.connect(admin_hooks.name_correction_follow_ups)
    signals.printed_name_holders.connect(admin_hooks.holds_certificates)
    signals.printed_name_changed.connect(admin_hooks.reissue_after_name_change)
    signals.menu_items.connect(views.menu_items)
    # WeasyPrint logs every rendering step at INFO; keep its warnings and errors only.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def _config_from_environment(app) -> None:
    """ACADEMY_CERTIFICATE_DESIGN / _PAPER pick the defaults for new certificates, and
    ACADEMY_CERTIFICATE_ISSUER_BY_LANGUAGE (JSON) the printed issuer and signatory per
    language; a design or paper that does not exist stops the app at start-up."""
    import json
    import os

    from academy.certificates.pdf import PAPERS, get_design

    for key in ("CERTIFICATE_DESIGN", "CERTIFICATE_PAPER"):
        value = os.environ.get(f"ACADEMY_{key}")
        if value:
            app.config[key] = value.strip().lower()
    raw = os.environ.get("ACADEMY_CERTIFICATE_ISSUER_BY_LANGUAGE")
    if raw:
        mapping = json.loads(raw)
        if not isinstance(mapping, dict) or not all(isinstance(v, dict) for v in mapping.values()):
            raise ValueError("ACADEMY_CERTIFICATE_ISSUER_BY_LANGUAGE must map languages to objects")
        app.config["CERTIFICATE_ISSUER_BY_LANGUAGE"] = mapping
    design = get_design(app.config["CERTIFICATE_DESIGN"])
    if app.config["CERTIFICATE_PAPER"] not in PAPERS or app.config["CERTIFICATE_PAPER"] not in design.papers:
        raise ValueError(f"CERTIFICATE_PAPER {app.config['CERTIFICATE_PAPER']!r}: not a paper of design {design.name}")
