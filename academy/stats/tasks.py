"""Statistics work on the queue: learner-level exports (CSV and XLSX) and the dashboard's
snapshot, recounted on a schedule so the first admin of the day does not wait for it.

Export files hold learner data: only the admin who asked can download them, and they are
deleted with their job after academy.jobs.services.RETENTION.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from academy.core.audit import record
from academy.core.queue import crontab, periodic, task
from academy.jobs.models import Job
from academy.jobs.services import create_job, job_kind, progress, write_file
from academy.stats import exports
from academy.stats.queries import Filters

LEARNER_EXPORT = "stats.learner_export"
PROGRESS_EVERY = 5000


def queue_learner_export(user_id: int, filters: Filters, include_personal: bool, fmt: str) -> Job:
    """Add the export job and its audit event; the queue builds the file after the commit."""
    job = create_job(LEARNER_EXPORT, {"format": fmt, "filters": filters.as_dict()}, requested_by_id=user_id,
                     has_personal_data=include_personal)
    record("stats.export_enrolments", "job", job.id,
           after={"format": fmt, "filters": filters.as_dict(), "personal_data": include_personal, "via": "job"})
    return job


@job_kind(LEARNER_EXPORT, _l("Enrolments export"))
def build_learner_export(job: Job) -> dict:
    """Write the file row by row (constant memory); a retry writes it again from the start."""
    fmt = job.params["format"]
    filters = Filters.from_dict(job.params.get("filters") or {})
    counted = {"rows": 0}

    def counting(rows):
        for n, row in enumerate(rows):
            if n and n % PROGRESS_EVERY == 0:
                counted["rows"] = n
                progress(job, n)
            yield row
        counted["rows"] = max(n, 0)

    def write(path):
        rows = counting(exports.learner_rows(filters, job.has_personal_data, for_xlsx=fmt == "xlsx"))
        if fmt == "xlsx":
            about = exports.about_rows(None, filters, as_of=job.started_at)
            exports.write_xlsx(rows, str(path), sheet="Enrolments", about=about)
        else:
            exports.write_csv(rows, str(path))

    stamp = job.created_at.strftime("%Y%m%d-%H%M")
    write_file(job, f"academy-enrolments-{stamp}.{fmt}", write)
    job.progress_total = counted["rows"]
    return {"rows": counted["rows"]}


@periodic(crontab(minute="*/15"))
def refresh_dashboard() -> None:
    """Recount the unfiltered dashboard every quarter of an hour."""
    recount(Filters().as_dict())


@task(retries=1, retry_delay=30)
def recount_dashboard(filters: dict, threshold: int | None = None, suppression: str | None = None) -> None:
    """The "Refresh now" button's recount, for the filters it was pressed with. The request
    claimed the snapshot's lock (so a second press meanwhile queues nothing); this releases it."""
    recount(filters, threshold, suppression, claimed=True)


def recount(filters: dict, threshold: int | None = None, suppression: str | None = None, *,
            claimed: bool = False) -> None:
    """Count the dashboard's figures for ``filters`` (as ``Filters.as_dict`` gives them) and
    store the snapshot every worker and server shows."""
    from academy.stats import figures, snapshot

    parsed = Filters.from_dict(filters)
    supp = figures.auto_suppression(threshold or 5, suppression or "auto")  # the dashboard's defaults
    try:
        snapshot.refresh(parsed, lambda: [figures.build_figure(name, parsed, supp) for name in figures.DASHBOARD])
    finally:
        if claimed:
            snapshot.release(parsed)
