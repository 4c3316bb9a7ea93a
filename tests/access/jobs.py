from tests.access import Row, admin_only

ROWS = [
    # Only admins see the queue's jobs, follow their progress and try failed ones again.
    Row("jobs.index", lambda w: "/admin/jobs/", admin_only(200)),
    Row("jobs.detail", lambda w: f"/admin/jobs/{w.zip_job_id}", admin_only(200)),
    Row("jobs.state", lambda w: f"/admin/jobs/{w.zip_job_id}.json", admin_only(200)),
    Row("jobs.retry_view", lambda w: f"/admin/jobs/{w.failed_job_id}/retry", admin_only(302), method="POST"),
    Row("jobs.download", lambda w: f"/admin/jobs/{w.zip_job_id}/download", admin_only(200)),
    # A file with names and e-mail addresses goes only to the admin who asked for it.
    Row("jobs.download", lambda w: f"/admin/jobs/{w.stats_other_job_id}/download", admin_only(404),
        id="GET jobs.download another admin's personal data"),
]


def extend_world(w):
    from academy.certificates.tasks import ZIP
    from academy.extensions import db
    from academy.jobs.models import Job, JobStatus
    from academy.jobs.services import job_path

    done = Job(kind=ZIP, params={"search": {}}, requested_by_id=w.admin.id, status=JobStatus.DONE,
               file_name="certificates.zip")
    failed = Job(kind=ZIP, params={"search": {}}, requested_by_id=w.admin.id, status=JobStatus.FAILED,
                 error="OSError: disk full", attempts=3)
    db.session.add_all([done, failed])
    db.session.flush()
    job_path(done).write_bytes(b"PK\x05\x06" + bytes(18))
    w.zip_job_id, w.failed_job_id = done.id, failed.id
