from tests.access import Row, admin_only


def _answers(w):
    return {"q_searches": "3", "q_skills": "prior-art", "q_service": "no", "q_useful": "5"}


ROWS = [
    # Admins define surveys, attach them and follow the response rates.
    Row("surveys.admin_index", lambda w: "/admin/surveys/", admin_only(200)),
    Row("surveys.admin_new", lambda w: "/admin/surveys/new", admin_only(200)),
    Row("surveys.admin_edit", lambda w: f"/admin/surveys/{w.survey_id}", admin_only(200)),
    Row("surveys.admin_send_point_add", lambda w: f"/admin/surveys/{w.survey_id}/send-points", admin_only(302),
        method="POST", data=lambda w: {"target": f"course:{w.course.id}", "months_after": "12"}),
    Row("surveys.admin_send_point_remove",
        lambda w: f"/admin/surveys/{w.survey_id}/send-points/{w.unsent_point_id}/remove", admin_only(302),
        method="POST"),
    # Answers, free text included, leave only for admins (audited).
    Row("surveys.admin_responses", lambda w: f"/admin/surveys/{w.survey_id}/responses", admin_only(200),
        method="POST", data=lambda w: {"format": "csv"}),
    # The signed link is the learner's key to their own response: it opens without logging in,
    # but not for anyone logged in as someone else.
    Row("surveys.answer", lambda w: f"/surveys/{w.survey_token}",
        {"anon": 200, "learner": 200, "other": 403, "instructor": 403, "admin": 403}),
    Row("surveys.answer", lambda w: f"/surveys/{w.survey_token}",
        {"anon": 302, "learner": 302, "other": 403, "instructor": 403, "admin": 403}, method="POST", data=_answers,
        id="POST surveys.answer"),
]


def extend_world(w):
    from datetime import timedelta

    from academy.core.models import utcnow
    from academy.extensions import db
    from academy.surveys import definitions, services
    from academy.surveys.models import SurveyInvitation
    from tests.surveys.world import definition_yaml

    survey = services.save_survey(definitions.parse(definition_yaml()), code="access", open_days=30,
                                  reminder_after_days=14)
    point = services.add_send_point(survey, months_after=6, course_id=w.course.id)
    unsent = services.add_send_point(survey, months_after=24, course_id=w.course.id)
    invitation = SurveyInvitation(send_point_id=point.id, user_id=w.learner.id, completed_at=utcnow(),
                                  closes_at=utcnow() + timedelta(days=30))
    db.session.add(invitation)
    db.session.flush()
    w.survey_id, w.unsent_point_id = survey.id, unsent.id
    w.survey_token = services.make_token(invitation)
