"""The admin defines a survey with every question in every language, attaches it to a
programme or a course, and follows the response rate of each send point."""

from __future__ import annotations

import yaml
from sqlalchemy import select

from academy.core.audit import AuditEvent
from academy.core.models import frozen_clock
from academy.extensions import db
from academy.surveys import services
from academy.surveys.models import Survey, SurveyInvitation
from academy.surveys.tasks import send_surveys
from tests.surveys.world import at, build, definition_yaml


def _form(definition: str, code: str = "six-months") -> dict:
    return {"code": code, "open_days": "30", "reminder_after_days": "14", "definition": definition}


def test_admin_defines_a_survey_with_every_kind_of_question(admin_client, app_ctx):
    resp = admin_client.post("/admin/surveys/new", data=_form(definition_yaml()))
    assert resp.status_code == 302
    survey = db.session.scalar(select(Survey))
    assert [(q.key, q.kind.value) for q in survey.questions] == [
        ("searches", "number"), ("skills", "multiple"), ("service", "single"), ("useful", "likert"), ("story", "text")]
    assert survey.questions[1].option_labels("fr")[0] == ("prior-art", "Prior-art searching [fr]")
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.target_type == "survey")) == "survey.save"
    page = admin_client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "key: searches" in page  # the definition comes back for editing


def test_a_missing_translation_is_named_by_question_and_language_and_nothing_is_saved(admin_client, app_ctx):
    data = yaml.safe_load(definition_yaml())
    del data["questions"][2]["options"][1]["labels"]["zh"]
    resp = admin_client.post("/admin/surveys/new", data=_form(yaml.safe_dump(data, allow_unicode=True)))
    assert resp.status_code == 200
    assert "Question 3 (service), option 2: the translation in zh is missing." in resp.get_data(as_text=True)
    assert db.session.scalar(select(Survey.id)) is None


def test_an_unknown_question_kind_is_refused_with_the_kinds_allowed(admin_client, app_ctx):
    data = yaml.safe_load(definition_yaml())
    data["questions"][0]["kind"] = "slider"
    html = admin_client.post("/admin/surveys/new", data=_form(yaml.safe_dump(data))).get_data(as_text=True)
    assert "Question 1 (searches): the kind must be one of single, multiple, likert, number, text." in html


def test_broken_yaml_names_the_line(admin_client, app_ctx):
    html = admin_client.post("/admin/surveys/new", data=_form("title:\n  en: [unclosed\n")).get_data(as_text=True)
    assert "The definition is not valid YAML (line" in html


def test_once_answered_the_questions_may_be_reworded_but_not_changed(admin_client, app_ctx, make_user):
    w = build([make_user()], awarded=[at(2024, 3, 15)])
    with frozen_clock(at(2024, 9, 16)):
        send_surveys()
        services.save_answers(db.session.scalar(select(SurveyInvitation)), [], "en")
        db.session.commit()
    data = yaml.safe_load(definition_yaml())
    data["questions"][0]["text"]["en"] = "How many searches for clients have you done?"
    assert admin_client.post(f"/admin/surveys/{w.survey.id}", data=_form(yaml.safe_dump(data), "follow-up-6")
                             ).status_code == 302
    data["questions"].pop()
    html = admin_client.post(f"/admin/surveys/{w.survey.id}", data=_form(yaml.safe_dump(data), "follow-up-6")
                             ).get_data(as_text=True)
    assert "Learners have answered this survey" in html
    db.session.expire_all()
    assert len(db.session.get(Survey, w.survey.id).questions) == 5


def test_admin_attaches_a_send_point_and_sees_the_response_rate(admin_client, app_ctx, make_user):
    learners = [make_user(), make_user(), make_user()]
    w = build(learners, awarded=[at(2024, 3, 15)] * 3, months=12)
    resp = admin_client.post(f"/admin/surveys/{w.survey.id}/send-points",
                             data={"target": f"programme:{w.programme.id}", "months_after": "6"})
    assert resp.status_code == 302
    with frozen_clock(at(2024, 9, 16)):
        assert send_surveys()["sent"] == 3
        services.save_answers(db.session.scalars(select(SurveyInvitation)).first(), [], "en")
        db.session.commit()
    html = admin_client.get("/admin/surveys/").get_data(as_text=True)
    assert "Test certification, months after the award: 6" in html
    assert "Test certification, months after the award: 12" in html
    assert "<td>33%</td>" in html  # one of three answered


def test_a_send_point_already_sent_cannot_be_removed(admin_client, app_ctx, make_user):
    w = build([make_user()], awarded=[at(2024, 3, 15)])
    with frozen_clock(at(2024, 9, 16)):
        send_surveys()
    resp = admin_client.post(f"/admin/surveys/{w.survey.id}/send-points/{w.point.id}/remove", follow_redirects=True)
    assert "This send point has been sent already" in resp.get_data(as_text=True)
    assert db.session.scalar(select(SurveyInvitation.id)) is not None


def test_a_survey_cannot_stay_open_longer_than_its_links_work(admin_client, app_ctx):
    """The e-mailed link stops working after 120 days: a survey open for 200 would turn its
    learners away as "expired" while it still takes answers, so it is refused, by name."""
    data = _form(definition_yaml()) | {"open_days": "200", "reminder_after_days": "14"}
    resp = admin_client.post("/admin/surveys/new", data=data)
    assert resp.status_code == 200
    assert "A survey can stay open for at most 120 days (as long as its links work)." in resp.get_data(as_text=True)
    assert db.session.scalar(select(Survey)) is None
