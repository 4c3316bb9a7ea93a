from tests.access import Row, admin_only

ROWS = [
    Row("stats.dashboard", lambda w: "/admin/stats/", admin_only(200)),
    # Recounting the dashboard's snapshot is for admins only (it costs a full count).
    Row("stats.refresh", lambda w: "/admin/stats/refresh", admin_only(302), method="POST"),
    Row("stats.crosstab", lambda w: "/admin/stats/crosstab?rows=gender&cols=language&measure=enrolments",
        admin_only(200)),
    Row("stats.export_table", lambda w: "/admin/stats/export.csv?figure=gender", admin_only(200),
        id="GET stats.export_table csv"),
    Row("stats.export_table", lambda w: "/admin/stats/export.xlsx?figure=crosstab&rows=gender&cols=country"
        "&measure=enrolments", admin_only(200), id="GET stats.export_table xlsx"),
    Row("stats.learner_export", lambda w: "/admin/stats/enrolments", admin_only(200)),
    # The export is prepared on the queue: the form redirects to the prepared exports.
    Row("stats.learner_export", lambda w: "/admin/stats/enrolments", admin_only(302), method="POST",
        data=lambda w: {"format": "csv", "include_personal": "y"}, id="POST stats.learner_export"),
    Row("stats.export_jobs", lambda w: "/admin/stats/exports", admin_only(200)),
    # Only the admin who asked for a prepared export may download it.
    Row("stats.download_export", lambda w: f"/admin/stats/exports/{w.stats_job_id}/download", admin_only(200)),
    Row("stats.download_export", lambda w: f"/admin/stats/exports/{w.stats_other_job_id}/download",
        admin_only(404), id="GET stats.download_export another admin's"),
]


def extend_world(w):
    from academy.auth.services import create_user
    from academy.core.enums import Role
    from academy.extensions import db
    from academy.jobs.models import Job, JobStatus
    from academy.jobs.services import job_path
    from academy.stats.tasks import LEARNER_EXPORT

    second = create_user(email="second-admin@example.org", full_name="Second Admin", password="x" * 16,
                         gender="woman", country_code="KE", institution_other="Office",
                         roles=[Role.ADMIN, Role.LEARNER])
    params = {"format": "csv", "filters": {}}
    mine = Job(kind=LEARNER_EXPORT, params=params, requested_by_id=w.admin.id, status=JobStatus.DONE,
               file_name="mine.csv", has_personal_data=True)
    theirs = Job(kind=LEARNER_EXPORT, params=params, requested_by_id=second.id, status=JobStatus.DONE,
                 file_name="theirs.csv", has_personal_data=True)
    db.session.add_all([mine, theirs])
    db.session.flush()
    for job in (mine, theirs):
        job_path(job).write_text("Enrolment\n")
    w.stats_job_id, w.stats_other_job_id = mine.id, theirs.id
