"""A follow-up survey attached 6 months after the award of a small certification programme."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from academy.certification import services as cert_services
from academy.core.models import frozen_clock
from academy.extensions import db
from academy.surveys import definitions, services

LANGS = ("en", "fr", "es", "pt", "ru", "zh", "ar")


def every(text: str) -> dict:
    return {lang: f"{text} [{lang}]" if lang != "en" else text for lang in LANGS}


def definition_yaml() -> str:
    import yaml

    return yaml.safe_dump({
        "title": every("Six months on"),
        "questions": [
            {"key": "searches", "kind": "number", "text": every("How many patent searches have you done?")},
            {"key": "skills", "kind": "multiple", "text": every("Which skills do you use?"),
             "options": [{"key": "prior-art", "labels": every("Prior-art searching")},
                         {"key": "fto", "labels": every("Freedom to operate")},
                         {"key": "drafting", "labels": every("Drafting")}]},
            {"key": "service", "kind": "single", "text": every("Has your TISC started a new service?"),
             "options": [{"key": "yes", "labels": every("Yes")}, {"key": "no", "labels": every("No")}]},
            {"key": "useful", "kind": "likert", "text": every("The training was useful in my work.")},
            {"key": "story", "kind": "text", "required": False, "text": every("Tell us about one case.")},
        ],
    }, allow_unicode=True)


def at(year, month, day, hour=10):
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


def build(learners, *, awarded=None, months=6) -> SimpleNamespace:
    """A programme with a cohort; each learner's record awarded at ``awarded[i]`` (or not)."""
    w = SimpleNamespace()
    with frozen_clock(at(2024, 1, 1)):
        w.programme = cert_services.create_programme(code="TEST-F", titles={"en": "Test certification"})
        w.cohort = cert_services.create_cohort(w.programme, "Pilot")
        w.records = [cert_services.enrol_learner(w.cohort, u) for u in learners]
        for record, when in zip(w.records, awarded or [], strict=False):
            record.awarded_at = when
        w.survey = services.save_survey(definitions.parse(definition_yaml()), code="follow-up-6",
                                        open_days=30, reminder_after_days=14)
        w.point = services.add_send_point(w.survey, months_after=months, programme_id=w.programme.id)
        db.session.commit()
    return w
