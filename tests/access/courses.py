from tests.access import Row, everyone, logged_in

ROWS = [
    Row("courses.catalogue", lambda w: "/", everyone(200)),
    Row("courses.course_page", lambda w: f"/courses/{w.course.slug}/", everyone(200)),
    Row("courses.media", lambda w: f"/courses/{w.course.slug}/media/diagram.png", everyone(200)),
    Row("courses.enrol", lambda w: f"/courses/{w.course.slug}/enrol", logged_in(302), method="POST",
        data=lambda w: {"language": "en"}),
    # The owner sees their course; another learner, not enrolled, is sent to the course page.
    Row("courses.course_home", lambda w: f"/learn/{w.course.slug}/", {**logged_in(302), "learner": 200}),
    Row("courses.lesson", lambda w: f"/learn/{w.course.slug}/one/first", {**logged_in(302), "learner": 200}),
    Row("courses.complete", lambda w: f"/learn/{w.course.slug}/one/first/complete", logged_in(302), method="POST"),
    Row("courses.switch_version", lambda w: f"/learn/{w.course.slug}/language",
        {**logged_in(400), "learner": 302}, method="POST", data=lambda w: {"language": "fr"}),
    Row("courses.dashboard", lambda w: "/dashboard", logged_in(200)),
]
