"""Every e-mail the app sends is a well-formed RFC 5322 message: Python's strict parser reads
it without a defect, with a Date, a Message-ID on the site's domain, valid addresses, a
charset, and subjects in any script encoded so that they decode to what was written."""

from __future__ import annotations

import email
import io
import logging
import re
from datetime import UTC, datetime, timedelta
from email import policy
from email.headerregistry import Address
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select

from academy.certification import queries, services
from academy.certification.enums import AssessmentOutcome, AttendanceStatus, GradeDecision
from academy.certification.models import Notification
from academy.core import mail
from academy.extensions import db
from tests.certificates.test_name_change_requests import NAME_CHANGE_KINDS
from tests.certification.test_notification_language import CERTIFICATION_KINDS
from tests.certification.world import build, complete_course, levels


def strictly_parsed(msg) -> email.message.EmailMessage:
    """The message as it leaves the app, read back by the strict parser (raises on any defect)."""
    raw = on_the_wire(msg)
    assert all(len(line) <= 998 for line in raw.split(b"\r\n")), "a line longer than RFC 5322 allows"
    return email.message_from_bytes(raw, policy=policy.strict)


def assert_well_formed(msg, domain: str = "localhost") -> email.message.EmailMessage:
    parsed = strictly_parsed(msg)
    assert parsed.defects == [] and all(part.defects == [] for part in parsed.walk())
    sent = parsedate_to_datetime(parsed["Date"])
    assert sent.tzinfo is not None and abs(datetime.now(UTC) - sent) < timedelta(minutes=5)
    assert re.fullmatch(rf"<[^<>@\s]+@{re.escape(domain)}>", parsed["Message-ID"]), parsed["Message-ID"]
    for header in ("From", "To"):
        addresses = parsed[header].addresses
        assert len(addresses) == 1 and isinstance(addresses[0], Address)
        assert addresses[0].username and addresses[0].domain
    assert parsed.get_content_type() == "text/plain" and parsed.get_content_charset() == "utf-8"
    assert parsed["Subject"] == msg["Subject"]  # decodes to exactly what was written
    if not str(msg["Subject"]).isascii():
        assert b"=?utf-8?" in raw_header(msg, b"Subject").lower()  # RFC 2047 encoded words on the wire
    return parsed


def on_the_wire(msg) -> bytes:
    """The bytes smtplib sends (CRLF line ends)."""
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


def raw_header(msg, name: bytes) -> bytes:
    head = on_the_wire(msg).split(b"\r\n\r\n", 1)[0]
    return b" ".join(re.findall(rb"^" + name + rb": (.*(?:\r\n[ \t].*)*)", head, re.M | re.I))


def test_a_message_carries_a_date_and_a_message_id_on_the_sites_domain(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://academy.example.org:8443/prefix")
    mail.send_mail("lea@example.org", "Réinitialisez votre mot de passe — 重置密码 — إعادة تعيين", "Bonjour,\n\nلا\n")
    db.session.commit()  # the queue sends it when the transaction commits
    first = assert_well_formed(mail.outbox[-1], domain="academy.example.org")
    mail.send_mail("lea@example.org", "Again", "Body")
    db.session.commit()  # the queue sends it when the transaction commits
    second = assert_well_formed(mail.outbox[-1], domain="academy.example.org")
    assert first["Message-ID"] != second["Message-ID"]


def test_the_smtp_backend_sends_the_same_headers(app, app_ctx, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port):
            self.host, self.port = host, port

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, msg):
            sent.append(msg)

    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    mail.send_mail("lea@example.org", "Паспорт", "Текст")
    db.session.commit()  # the queue sends it when the transaction commits
    assert len(sent) == 1 and mail.outbox == []
    assert_well_formed(sent[0])


def test_the_console_backend_logs_the_message_id(app, app_ctx, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        mail.send_mail("lea@example.org", "Hello", "Body")
        db.session.commit()  # the queue sends it when the transaction commits
    assert re.search(r"Message-ID: <[^>]+@localhost>", caplog.text)


@pytest.fixture
def certification_mail(app_ctx, make_user, mini_course):
    """A cohort whose learners (Arabic and Chinese) go through every notification there is."""
    instructor = make_user("instructor", full_name="Ines Instructor")
    amal = make_user(full_name="أمل العلي", preferred_language="ar", country_code="SA")
    wang = make_user(full_name="王芳", preferred_language="zh", country_code="CN")
    w = build(mini_course, instructor, [amal, wang], resubmission_limit=1)
    amal_record, wang_record = w.records
    task = w.tasks[0]
    for learner in (amal, wang):
        complete_course(learner, mini_course)  # phase 1 passed: phase 2 opens
    services.record_attendance(w.session, {r.id: {d: AttendanceStatus.PRESENT for d in w.session.days}
                                           for r in w.records}, instructor)
    for record in w.records:
        services.assess(record, w.session, outcome=AssessmentOutcome.PASS, comments="Active.", score_value=80,
                        by=instructor)
    db.session.commit()  # phase 3 opens
    deadline = queries.deadline_for(wang_record, task)
    assert services.send_deadline_reminders(now=deadline - timedelta(days=3)) == 2
    services.extend_deadline(wang_record, task, deadline + timedelta(days=14), "Illness — مرض — 生病", instructor)
    db.session.commit()

    def submit(record, learner):
        sub = services.submission_for(record, task, create=True)
        services.save_draft(sub, "My search report.", [], learner)
        services.submit(sub)
        db.session.commit()
        return sub

    def grade(sub, decision, *picks):
        services.grade(sub, instructor, expected_version=sub.version, picks=levels(task, *picks),
                       criterion_feedback={}, feedback="Add the search strings.", decision=decision)
        db.session.commit()

    sub = submit(amal_record, amal)
    grade(sub, GradeDecision.REVISE, "Adequate", "Unclear")
    sub = submit(amal_record, amal)
    grade(sub, GradeDecision.PASS, "Good", "Clear")  # and certified
    grade(submit(wang_record, wang), GradeDecision.FAIL, "Insufficient", "Unclear")
    kinds = set(db.session.scalars(select(Notification.kind)))
    # The certification's own kinds; the follow-up kinds (surveys, nudges, announcements) are
    # sent and read in tests/nudges/test_notification_language.py.
    assert kinds == CERTIFICATION_KINDS, CERTIFICATION_KINDS - kinds
    return amal, wang


def test_every_kind_of_message_the_app_sends_is_well_formed(app, certification_mail, make_user, login_as):
    amal, wang = certification_mail
    admin = login_as(make_user("admin", email="admin@example.org"))
    # Account mail: a reset the learner asks for, one an admin sends, an invitation and its resend.
    assert app.test_client().post("/reset-password", data={"email": amal.email}).status_code == 302
    assert admin.post(f"/admin/people/{wang.id}/password-reset").status_code == 302
    from academy.auth.models import User

    invite = "name,email,gender,country,tisc,language,role\nИрина Иванова,irina@example.org,woman,RU,,ru,learner\n"
    admin.post("/admin/people/invite", data={"file": (io.BytesIO(invite.encode()), "people.csv"), "mode": "all"},
               content_type="multipart/form-data")
    irina = db.session.scalars(select(User).where(User.email == "irina@example.org")).one()
    assert admin.post(f"/admin/people/{irina.id}/resend-invitation").status_code == 302
    # The decisions on requests to change the printed name: one approved, one refused.
    from academy.auth.models import NameChangeRequest
    from academy.auth.services import request_name_change

    decisions = ((amal, "أمل العلي الحربي", "approve", ""), (wang, "王芳芳", "refuse", "证件不清晰"))
    for learner, name, verb, note in decisions:
        request_name_change(learner, name=name, latin="", reason="Marriage — زواج — 结婚")
        db.session.commit()
        req = db.session.scalars(select(NameChangeRequest).where(NameChangeRequest.user_id == learner.id)).one()
        assert admin.post(f"/admin/name-requests/{req.id}/{verb}", data={"note": note}).status_code == 302
    assert set(db.session.scalars(select(Notification.kind))) == CERTIFICATION_KINDS | NAME_CHANGE_KINDS

    notifications = db.session.scalar(select(db.func.count()).select_from(Notification))
    assert len(mail.outbox) == notifications + 4
    recipients = {amal.email, wang.email, "irina@example.org"}
    ids = set()
    for msg in mail.outbox:
        parsed = assert_well_formed(msg)
        assert parsed["To"].addresses[0].addr_spec in recipients
        assert parsed["From"].addresses[0].addr_spec == "no-reply@academy.localhost"
        assert parsed.get_content()  # the body decodes
        ids.add(parsed["Message-ID"])
    assert len(ids) == len(mail.outbox)
    assert any(not str(m["Subject"]).isascii() for m in mail.outbox)  # Arabic, Chinese and Russian subjects
