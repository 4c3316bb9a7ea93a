"""Name changes through a request: the name certificates print is the learner's to change
until a certificate exists; from then on they ask, with a reason, and an admin approves
(the certificates are re-issued with the new name, superseding the old ones, on the queue)
or refuses with a note. Every step is audited and the learner is told in the app and by e-mail."""

from __future__ import annotations

from sqlalchemy import select

from academy.admin.models import NameCorrection
from academy.auth.models import NameChangeRequest, NameChangeStatus, User
from academy.certificates.models import Certificate, CertificateStatus
from academy.certificates.services import pdf_bytes
from academy.certification.enums import NotificationKind
from academy.certification.models import Notification
from academy.core import mail
from academy.core.audit import AuditEvent
from academy.extensions import db
from tests.certificates.conftest import pdf_text
from tests.conftest import login

PROFILE = {"gender": "woman", "country_code": "SN", "tisc_id": "", "institution_other": "OAPI",
           "preferred_language": "fr"}


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _mail_to(address: str) -> list[str]:
    return [f"{m['Subject']}\n{m.get_content()}" for m in mail.outbox if m["To"] == address]


def _user(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def test_before_any_certificate_the_learner_changes_the_name_freely(client, make_user):
    user = make_user(full_name="Amina Dialo")
    login(client, user)
    resp = client.post("/account", data={**PROFILE, "full_name": "Amina Diallo", "full_name_latin": ""})
    assert resp.status_code == 302
    assert _user(user.id).full_name == "Amina Diallo"


def test_once_a_certificate_exists_the_profile_no_longer_renames_but_other_edits_stay_free(
        client, make_user, issue):
    user = make_user(full_name="Amina Diallo")
    issue(user)
    login(client, user)
    page = client.get("/account").get_data(as_text=True)
    assert 'name="full_name"' not in page and "/account/name" in page
    resp = client.post("/account", data={**PROFILE, "full_name": "Someone Else", "full_name_latin": ""})
    assert resp.status_code == 302
    user = _user(user.id)
    assert user.full_name == "Amina Diallo"  # ignored: not a field of the form any more
    assert user.preferred_language == "fr" and user.institution_other == "OAPI"  # saved


def _switch(client, user) -> None:
    client.post("/logout")
    login(client, user)


def _ask(client, **fields):
    data = {"requested_name": "Amina Diallo Sow", "requested_name_latin": "", "reason": "Marriage"}
    data.update(fields)
    return client.post("/account/name", data=data)


def test_a_learner_asks_for_a_change_with_a_reason_and_waits(client, make_user, issue):
    user = make_user(full_name="Amina Diallo")
    issue(user)
    login(client, user)
    resp = _ask(client, reason="")
    assert resp.status_code == 422 and "reason" in resp.get_data(as_text=True).lower()
    assert _ask(client).status_code == 302
    req = db.session.scalar(select(NameChangeRequest).where(NameChangeRequest.user_id == user.id))
    assert (req.status, req.current_name, req.requested_name, req.reason) == (
        NameChangeStatus.PENDING, "Amina Diallo", "Amina Diallo Sow", "Marriage")
    assert _user(user.id).full_name == "Amina Diallo"  # nothing changes before a decision
    assert [e.after["request"] for e in _events("user.name_change_requested")] == [req.id]
    page = client.get("/account/name").get_data(as_text=True)
    assert "Amina Diallo Sow" in page and 'id="name-change-form"' not in page  # one request at a time
    assert _ask(client, requested_name="Another Name").status_code == 422
    assert db.session.query(NameChangeRequest).count() == 1


def test_approval_reissues_the_certificates_with_the_new_name_superseding_the_old(
        client, make_user, issue):
    user = make_user(full_name="王芳", full_name_latin="Wang Fang")
    old = issue(user, language="zh", titles={"zh": "专利信息"})
    login(client, user)
    assert _ask(client, requested_name="王芳芳", requested_name_latin="Wang Fangfang",
                reason="护照上的名字").status_code == 302
    req = db.session.scalar(select(NameChangeRequest))
    admin = make_user("admin")
    _switch(client, admin)
    assert "王芳芳" in client.get("/admin/name-requests").get_data(as_text=True)
    resp = client.post(f"/admin/name-requests/{req.id}/approve", data={"note": ""})
    assert resp.status_code == 302 and "/jobs/" in resp.headers["Location"]  # the re-issue runs on the queue

    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.full_name, user.full_name_latin) == ("王芳芳", "Wang Fangfang")
    req = db.session.get(NameChangeRequest, req.id)
    assert req.status == NameChangeStatus.APPROVED and req.decided_by_id == admin.id and req.job_id
    old = db.session.get(Certificate, old.id)
    assert old.status == CertificateStatus.SUPERSEDED and old.superseded_by is not None
    new = old.superseded_by
    assert (new.learner_name, new.learner_name_latin, new.status) == ("王芳芳", "Wang Fangfang",
                                                                        CertificateStatus.VALID)
    assert "Wang Fangfang" in pdf_text(pdf_bytes(new))
    assert [c.new_name for c in db.session.scalars(select(NameCorrection))] == ["王芳芳"]
    approved = _events("user.name_change_approved")
    assert len(approved) == 1 and approved[0].actor_id == admin.id
    assert approved[0].before["full_name"] == "王芳" and approved[0].after["full_name"] == "王芳芳"
    assert len(_events("certificate.reissue")) == 1
    assert _mail_to(user.email) and "王芳芳" in _mail_to(user.email)[-1]


def test_a_refusal_needs_a_note_keeps_the_name_and_tells_the_learner(client, make_user, issue):
    user = make_user(full_name="Amina Diallo", preferred_language="fr")
    cert = issue(user)
    login(client, user)
    _ask(client)
    req = db.session.scalar(select(NameChangeRequest))
    _switch(client, make_user("admin"))
    assert client.post(f"/admin/name-requests/{req.id}/refuse", data={"note": ""}).status_code == 422
    assert db.session.get(NameChangeRequest, req.id).status == NameChangeStatus.PENDING
    resp = client.post(f"/admin/name-requests/{req.id}/refuse", data={"note": "Joignez l’acte de mariage."})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(NameChangeRequest, req.id).status == NameChangeStatus.REFUSED
    assert _user(user.id).full_name == "Amina Diallo"
    assert db.session.get(Certificate, cert.id).status == CertificateStatus.VALID
    assert len(_events("user.name_change_refused")) == 1
    told = _mail_to(user.email)
    assert told and "Joignez l’acte de mariage." in told[-1] and "refusée" in told[-1]  # in the learner's French
    # decided once: a second click (another admin) changes nothing
    again = client.post(f"/admin/name-requests/{req.id}/approve", data={"note": ""})
    assert again.status_code == 302 and _user(user.id).full_name == "Amina Diallo"
    # the learner may ask again
    _switch(client, user)
    assert _ask(client, reason="Acte de mariage joint").status_code == 302


#: the kinds a name-change decision sends (every kind is listed in some language test:
#: tests/nudges/test_notification_language.py checks that none is forgotten)
NAME_CHANGE_KINDS = {NotificationKind.NAME_CHANGE_DECIDED}


def _notes(user_id: int) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user_id)
                                   .order_by(Notification.id)))


def test_the_learner_finds_the_decision_in_the_app_too_in_their_language(client, make_user, issue):
    user = make_user(full_name="Amina Diallo", preferred_language="fr")
    issue(user)
    login(client, user)
    _ask(client)
    req = db.session.scalar(select(NameChangeRequest))
    _switch(client, make_user("admin"))
    client.post(f"/admin/name-requests/{req.id}/refuse", data={"note": "Joignez l’acte de mariage."})
    [refused] = _notes(user.id)
    assert refused.kind == NotificationKind.NAME_CHANGE_DECIDED and refused.read_at is None
    assert refused.message == "Votre demande de changement de nom a été refusée" and refused.link == "/account/name"

    _switch(client, user)
    _ask(client, reason="Acte de mariage joint")
    req = db.session.scalar(select(NameChangeRequest).where(NameChangeRequest.status == NameChangeStatus.PENDING))
    _switch(client, make_user("admin"))
    client.post(f"/admin/name-requests/{req.id}/approve", data={"note": ""})
    approved = _notes(user.id)[-1]
    assert approved.kind == NotificationKind.NAME_CHANGE_DECIDED and approved.link == "/certificates/"
    _switch(client, user)
    page = client.get("/certification/notifications").get_data(as_text=True)
    assert approved.message in page and refused.message in page
    # The e-mails say the same, with the link where to look.
    told = _mail_to(user.email)
    assert len(told) == 2 and "http://localhost/certificates/" in told[-1] and "/account/name" in told[0]


def test_the_decision_is_e_mailed_even_to_a_learner_who_chose_the_weekly_summary(client, make_user, issue):
    from academy.preferences.services import save_preferences

    user = make_user(full_name="Amina Diallo")
    issue(user)
    save_preferences(user, {k.value: "weekly" for k in NotificationKind})
    login(client, user)
    _ask(client)
    req = db.session.scalar(select(NameChangeRequest))
    _switch(client, make_user("admin"))
    client.post(f"/admin/name-requests/{req.id}/approve", data={"note": ""})
    assert len(_mail_to(user.email)) == 1 and len(_notes(user.id)) == 1


def test_the_decisions_read_wholly_in_each_of_the_seven_languages(app_ctx, make_user, issue):
    from academy.admin.services import approve_name_change, refuse_name_change
    from academy.auth.services import request_name_change
    from tests.certification.test_notification_language import ALLOWED, COGNATES, LANGUAGES, words

    admin = make_user("admin")
    texts: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        people = [make_user(full_name=f"Zora Quist {lang}", preferred_language=lang) for _ in range(2)]
        for person, decide in zip(people, (approve_name_change, refuse_name_change), strict=True):
            issue(person)
            req = request_name_change(person, name=f"Zora Quist-Yelm {lang}", latin="", reason="Mariage")
            decide(req, actor=admin, note="Pièce jointe illisible")
        notes = [n for p in people for n in _notes(p.id)]
        assert {n.kind for n in notes} == NAME_CHANGE_KINDS and len(notes) == 2
        texts[lang] = [n.message for n in notes] + [m for p in people for m in _mail_to(p.email)]
    names = {"zora", "quist", "yelm", "mariage", "pièce", "jointe", "illisible"}
    english = set().union(*(words(t) for t in texts["en"])) - ALLOWED - names
    assert {"approved", "refused", "request", "certificates"} <= english
    for lang in LANGUAGES[1:]:
        left = {w for t in texts[lang] for w in words(t)} & english - COGNATES[lang]
        assert not left, (lang, sorted(left))
