"""A national coordinator sees the statistics, the learners at risk and the certificates of
their country (or TISCs), and nothing of anyone else's."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from academy.auth.models import Tisc
from academy.certificates.models import Certificate, CertificateKind
from academy.certification import services as cert_services
from academy.coordinators import services
from academy.core.audit import AuditEvent
from academy.core.models import utcnow
from academy.extensions import db
from academy.stats.queries import Filters, crosstab
from tests.conftest import login


def _certificate(user, serial):
    return Certificate(user_id=user.id, kind=CertificateKind.COURSE, subject_code="MINI", title="Mini course",
                       titles={"en": "Mini course"}, language="en", learner_name=user.full_name,
                       serial=serial, verification_code=f"code-{serial}", issued_at=utcnow() - timedelta(days=3),
                       revision=0, pdf_sha256="0" * 64, pdf_size=1, storage_key=f"certificates/{serial}.pdf")


@pytest.fixture
def world(app_ctx, make_user):
    w = SimpleNamespace()
    w.tisc_ke = Tisc(name="TISC Nairobi", host_institution="KIPI", city="Nairobi", country_code="KE")
    w.tisc_pe = Tisc(name="CATI Lima", host_institution="INDECOPI", city="Lima", country_code="PE")
    db.session.add_all([w.tisc_ke, w.tisc_pe])
    db.session.commit()
    w.kenyan = make_user(full_name="Wanjiru Kamau", country_code="KE", tisc_id=w.tisc_ke.id, gender="woman")
    w.kenyan2 = make_user(full_name="Otieno Ochieng", country_code="KE", tisc_id=w.tisc_ke.id, gender="man")
    w.peruvian = make_user(full_name="María Quispe", country_code="PE", tisc_id=w.tisc_pe.id, gender="woman")
    w.coordinator = make_user("coordinator", full_name="Cora Coordinator", country_code="KE")
    services.assign(w.coordinator, countries=["ke"], tisc_ids=[])
    programme = cert_services.create_programme(code="TEST-F", titles={"en": "Test certification"})
    cohort = cert_services.create_cohort(programme, "Pilot")
    for u in (w.kenyan, w.kenyan2, w.peruvian):
        record = cert_services.enrol_learner(cohort, u)
        # The programme needs no course: phase 2 opened at once, 90 days ago, and stalled there.
        record.started_at = record.phase1_passed_at = utcnow() - timedelta(days=90)
    db.session.add_all([_certificate(w.kenyan, "KE-1"), _certificate(w.peruvian, "PE-1")])
    db.session.commit()
    return w


def test_the_coordinator_sees_the_learners_at_risk_of_their_country_only(world, client):
    login(client, world.coordinator)
    html = client.get("/coordinator/at-risk").get_data(as_text=True)
    assert "Wanjiru Kamau" in html and "Otieno Ochieng" in html
    assert "María Quispe" not in html
    assert "Your countries: Kenya" in html


def test_the_coordinator_sees_the_certificates_of_their_country_only(world, client):
    login(client, world.coordinator)
    html = client.get("/coordinator/certificates").get_data(as_text=True)
    assert "KE-1" in html and "PE-1" not in html


def test_the_coordinators_statistics_count_their_country_only(world, client):
    login(client, world.coordinator)
    html = client.get("/coordinator/").get_data(as_text=True)
    assert "Peru" not in html
    ke = crosstab("gender", None, Filters(countries=("KE",)), fact="certification").grand_total()["candidates"]
    assert ke == 2
    assert 'id="table-certification-cohort"' in html


def test_a_coordinator_of_tiscs_sees_those_tiscs(world, client, make_user):
    network = make_user("coordinator", full_name="Nico Network")
    services.assign(network, countries=[], tisc_ids=[world.tisc_pe.id])
    db.session.commit()
    login(client, network)
    html = client.get("/coordinator/at-risk").get_data(as_text=True)
    assert "María Quispe" in html and "Wanjiru Kamau" not in html
    assert "Your TISCs: CATI Lima" in html


def test_the_coordinator_has_no_admin_or_instructor_rights(world, client):
    login(client, world.coordinator)
    for url in ("/admin/", "/admin/stats/", "/admin/people", "/certification/teaching", "/admin/certificates/",
                "/admin/surveys/", "/admin/coordinators/"):
        assert client.get(url).status_code == 403, url


def test_admin_makes_and_unmakes_a_coordinator_and_both_are_audited(world, admin_client):
    resp = admin_client.post("/admin/coordinators/", data={"email": world.peruvian.email, "countries": "PE, BO"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert world.peruvian.has_role("coordinator")
    page = admin_client.get("/admin/coordinators/").get_data(as_text=True)
    assert "María Quispe" in page and "Bolivia, Peru" in page
    admin_client.post(f"/admin/coordinators/{world.peruvian.id}/revoke")
    db.session.expire_all()
    assert not world.peruvian.has_role("coordinator")
    assert [e.action for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("coordinator.%"), AuditEvent.target_id == str(world.peruvian.id)))] == [
        "coordinator.assign", "coordinator.revoke"]


def test_a_scope_of_both_countries_and_tiscs_or_of_nothing_is_refused(world, admin_client):
    resp = admin_client.post("/admin/coordinators/", data={"email": world.peruvian.email, "countries": "PE",
                                                           "tiscs": str(world.tisc_ke.id)})
    assert resp.status_code == 400 and "Assign either countries or TISCs to a coordinator." in resp.get_data(
        as_text=True)
    resp = admin_client.post("/admin/coordinators/", data={"email": "nobody@example.org", "countries": "PE"})
    assert "No account has this address." in resp.get_data(as_text=True)
    db.session.expire_all()
    assert not world.peruvian.has_role("coordinator")


def test_the_coordinators_statistics_include_the_follow_up_outcomes_of_their_country_only(app_ctx, make_user,
                                                                                          client):
    """Survey answers are a measure of the statistics: the coordinator sees their country's
    response rate and answers, suppressed like every other figure, and no one else's."""
    from academy.core.models import frozen_clock
    from academy.surveys import services as survey_services
    from academy.surveys.models import SurveyAnswer, SurveyInvitation
    from academy.surveys.tasks import send_surveys
    from tests.surveys.world import at, build

    kenyans = [make_user(gender="woman", country_code="KE") for _ in range(6)]
    peruvians = [make_user(gender="woman", country_code="PE") for _ in range(6)]
    w = build(kenyans + peruvians, awarded=[at(2024, 3, 15)] * 12)
    with frozen_clock(at(2024, 9, 16)):
        send_surveys()
    service = next(q for q in w.survey.questions if q.key == "service")
    answering = {u.id for u in kenyans[:5]} | {u.id for u in peruvians}
    for invitation in db.session.scalars(select(SurveyInvitation)):
        if invitation.user_id in answering:
            with frozen_clock(at(2024, 9, 20)):
                survey_services.save_answers(invitation, [SurveyAnswer(question_id=service.id, option_key="yes")],
                                             "en")
    coordinator = make_user("coordinator", full_name="Cora Coordinator", country_code="KE")
    services.assign(coordinator, countries=["KE"], tisc_ids=[])
    db.session.commit()
    login(client, coordinator)
    html = client.get("/coordinator/").get_data(as_text=True)
    section = html.split('id="figure-outcomes"', 1)[1].split("</section>", 1)[0]
    assert "Follow-up survey response rate (%)" in section
    assert 'data-value="83.3"' in section  # 5 of the 6 Kenyans; with Peru it would be 11 of 12
    assert 'data-value="91.7"' not in section and 'data-value="12"' not in section


def test_the_coordinator_downloads_each_of_their_tables_as_csv_and_xlsx_counting_their_country_only(world, client):
    login(client, world.coordinator)
    html = client.get("/coordinator/").get_data(as_text=True)
    assert 'href="/coordinator/export.csv?figure=certification-cohort"' in html
    assert 'href="/coordinator/export.xlsx?figure=certification-phase"' in html
    csv = client.get("/coordinator/export.csv?figure=certification-phase")
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert csv.get_data(as_text=True).splitlines()[-1] == "Total,<5"  # small counts hidden, as on the page
    xlsx = client.get("/coordinator/export.xlsx?figure=gender")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    after = db.session.scalar(select(AuditEvent.after).where(AuditEvent.action == "stats.export")
                              .order_by(AuditEvent.id.desc()))
    assert after["filters"]["countries"] == ["KE"] and after["coordinator"] == world.coordinator.id
    assert client.get("/coordinator/export.csv?figure=no-such-table").status_code == 404
