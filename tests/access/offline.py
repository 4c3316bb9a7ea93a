"""Offline learning: the service worker and manifest are public; a course's offline copy
is for its enrolled learners; uploads in progress are their owner's alone (another
learner cannot resume or read one, whatever its token)."""

from tests.access import Row, everyone, logged_in

ENROLLED_ONLY = {"anon": 302, "learner": 200, "other": 404, "instructor": 404, "admin": 404}
OWNER_ONLY = {"anon": 302, "learner": 200, "other": 404, "instructor": 404, "admin": 404}


def extend_world(w):
    from academy.offline.services import start_upload

    w.upload = start_upload(w.learner, w.record, w.task, "report.pdf", 1000)


ROWS = [
    Row("offline.service_worker", lambda w: "/sw.js", everyone(200)),
    Row("offline.manifest", lambda w: "/manifest.webmanifest", everyone(200)),
    Row("offline.course_pack", lambda w: f"/learn/{w.course.slug}/offline.json", ENROLLED_ONLY),
    Row("offline.offline_home", lambda w: f"/learn/{w.course.slug}/offline/en/", ENROLLED_ONLY),
    Row("offline.offline_lesson", lambda w: f"/learn/{w.course.slug}/offline/en/one/first", ENROLLED_ONLY),
    Row("offline.download_module", lambda w: f"/learn/{w.course.slug}/modules/one/download", ENROLLED_ONLY),
    Row("offline.sync_token", lambda w: "/sync/token", logged_in(200)),
    # No list of actions: refused, for anyone logged in (each applies only to its sender).
    Row("offline.sync", lambda w: "/sync", logged_in(400), method="POST"),
    # The owner's work in this world is submitted (locked for grading): no new upload starts.
    Row("offline.upload_start", lambda w: f"/certification/records/{w.record.id}/tasks/{w.task.id}/uploads",
        {"anon": 302, "learner": 409, "other": 404, "instructor": 404, "admin": 404}, method="POST"),
    Row("offline.upload_status", lambda w: f"/certification/uploads/{w.upload.token}", OWNER_ONLY),
    # No Content-Range: refused for the owner; not found for anyone else.
    Row("offline.upload_chunk", lambda w: f"/certification/uploads/{w.upload.token}",
        {"anon": 302, "learner": 400, "other": 404, "instructor": 404, "admin": 404}, method="PUT"),
]
