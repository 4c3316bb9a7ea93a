from tests.access import Row


def _form(w):
    return {"language": "en", "subject_en": "Workshop moved", "body_en": "It starts on Tuesday."}


ROWS = [
    # Admins and the cohort's own instructors write to a cohort (the access world's
    # instructor teaches its cohort); learners cannot.
    Row("announcements.post", lambda w: f"/certification/cohorts/{w.cohort.id}/announcements",
        {"anon": 302, "learner": 403, "other": 403, "instructor": 302, "admin": 302}, method="POST", data=_form),
]
