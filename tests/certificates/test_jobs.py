"""Long work on the queue as admins and learners see it, run in-process (Huey's immediate
mode): a bulk issue's progress page, the retry button, the certificate being prepared."""

from __future__ import annotations

from sqlalchemy import func, select

from academy.extensions import db


def test_a_bulk_issue_returns_at_once_and_shows_its_progress_then_the_result(
        client, make_user, mini_course, login_as, complete_course):
    from academy.certificates.models import Certificate
    from academy.jobs.models import Job, JobStatus

    admin = make_user("admin")
    learners = [make_user(full_name=n) for n in ("王小明", "فاطمة القحطاني", "Ana Quispe")]
    for learner in learners:
        complete_course(learner, mini_course)
    db.session.execute(Certificate.__table__.delete())  # completed before certificates existed
    db.session.commit()
    login_as(admin)
    resp = client.post("/admin/certificates/issue", data={"course_id": mini_course.id})
    assert resp.status_code == 302 and "/admin/jobs/" in resp.headers["Location"]
    job = db.session.scalars(select(Job)).one()
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "<progress" in page and "Ready" in page
    state = client.get(f"/admin/jobs/{job.id}.json").get_json()
    assert state["status"] == "done" and state["done"] == state["total"] == 3 and state["percent"] == 100
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 3
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == JobStatus.DONE


def test_an_admin_retries_a_failed_job_from_the_jobs_page(client, make_user, login_as, mini_course):
    from academy.certificates.tasks import BULK_ISSUE
    from academy.jobs.models import Job, JobStatus

    admin = make_user("admin")
    job = Job(kind=BULK_ISSUE, params={"course_id": mini_course.id, "group": None, "design": "classic",
                                       "paper": "a4"},
              status=JobStatus.FAILED, error="OSError: disk full", attempts=3, requested_by_id=admin.id)
    db.session.add(job)
    db.session.commit()
    login_as(admin)
    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert "OSError: disk full" in page and f"/admin/jobs/{job.id}/retry" in page
    assert client.post(f"/admin/jobs/{job.id}/retry").status_code == 302
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.DONE and job.error is None and job.attempts == 1
    # Only a failed job can be tried again.
    client.post(f"/admin/jobs/{job.id}/retry")
    db.session.expire_all()
    assert db.session.get(Job, job.id).attempts == 1


def test_a_learner_sees_their_certificate_being_prepared_until_the_queue_issues_it(
        client, make_user, mini_course, login_as, complete_course):
    from academy.certificates.models import Certificate

    learner = make_user()
    complete_course(learner, mini_course)
    db.session.execute(Certificate.__table__.delete())  # as if the queue had not got to it yet
    db.session.commit()
    login_as(learner)
    page = client.get("/certificates/").get_data(as_text=True)
    assert "is being prepared" in page and 'http-equiv="refresh"' in page


def test_a_design_change_reissues_the_searched_certificates_on_the_queue(client, make_user, issue, login_as):
    from academy.certificates.models import Certificate, CertificateStatus

    login_as(make_user("admin"))
    old = [issue(make_user()), issue(make_user())]
    resp = client.post("/admin/certificates/reissue?subject=DL177", data={"reason": "New design", "design": "modern"})
    assert resp.status_code == 302 and "/admin/jobs/" in resp.headers["Location"]
    db.session.expire_all()
    for cert in old:
        cert = db.session.get(Certificate, cert.id)
        assert cert.status == CertificateStatus.SUPERSEDED and cert.superseded_by.design == "modern"
    # The same job run again (a retry after a crash): nothing is re-issued twice.
    from academy.certificates.tasks import reissue_many
    from academy.jobs.models import Job

    assert reissue_many(db.session.scalars(select(Job)).one()) == {"reissued": 0}
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 4
