from tests.access import Row, logged_in

ENROLLED_ONLY = {**logged_in(302), "learner": 200}


def extend_world(w):
    """An exercise under module one of the world's course (the learner is enrolled there)."""
    from sqlalchemy import select

    from academy.assessments.exercise_models import Exercise, ExerciseText
    from academy.courses.models import Module
    from academy.extensions import db

    module = db.session.scalar(select(Module).where(Module.course_id == w.course.id, Module.key == "one"))
    w.exercise = Exercise(course_id=w.course.id, module_id=module.id, key="ex-one", type="numeric", position=1,
                          minutes=5, url="https://example.org/", texts=[ExerciseText(language="en", spec={
                              "key": "ex-one", "type": "numeric", "answer": 31, "tolerance": 0, "database": "Example",
                              "task": "Look it up.", "task_html": "<p>Look it up.</p>", "prompt": "How many months?",
                              "explanation": "31 months."})])
    db.session.add(w.exercise)
    db.session.flush()


ROWS = [
    Row("exercises.exercise", lambda w: f"/learn/{w.course.slug}/exercises/ex-one", ENROLLED_ONLY),
    Row("exercises.exercise", lambda w: f"/learn/{w.course.slug}/exercises/ex-one", logged_in(302), method="POST",
        data=lambda w: {"answer": "31 months"}, id="answer"),
]
