"""Answering from the signed link: the learner's own response, changed until it closes;
links that expired, were tampered with or belong to someone else open nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from academy.core.models import frozen_clock
from academy.extensions import db
from academy.surveys import services
from academy.surveys.models import SurveyAnswer, SurveyInvitation
from academy.surveys.tasks import send_surveys
from tests.conftest import login
from tests.surveys.world import at, build

ANSWERS = {"q_searches": "12", "q_skills": ["prior-art", "fto"], "q_service": "yes", "q_useful": "4",
           "q_story": "A farmer's irrigation valve."}


@pytest.fixture
def sent(app_ctx, make_user):
    learner = make_user(full_name="Lea Learner")
    w = build([learner], awarded=[at(2024, 3, 15)])
    with frozen_clock(at(2024, 9, 16)):
        send_surveys()
    w.learner = learner
    w.invitation = db.session.scalar(select(SurveyInvitation))
    with frozen_clock(at(2024, 9, 16)):
        w.path = services.answer_path(w.invitation)
    return w


def test_the_link_opens_the_survey_without_logging_in_and_takes_the_answers(client, sent):
    with frozen_clock(at(2024, 9, 18)):
        page = client.get(sent.path)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "How many patent searches have you done?" in html and "Strongly agree" in html
        assert client.post(sent.path, data=ANSWERS).status_code == 302
    db.session.expire_all()
    invitation = db.session.get(SurveyInvitation, sent.invitation.id)
    assert invitation.submitted_at == at(2024, 9, 18)
    answers = {(a.question.key, a.option_key, a.number, a.text) for a in invitation.answers}
    assert answers == {("searches", None, 12.0, None), ("skills", "prior-art", None, None),
                       ("skills", "fto", None, None), ("service", "yes", None, None), ("useful", "4", None, None),
                       ("story", None, None, "A farmer's irrigation valve.")}


def test_using_the_link_again_changes_the_one_response_instead_of_adding_another(client, sent):
    with frozen_clock(at(2024, 9, 18)):
        client.post(sent.path, data=ANSWERS)
    with frozen_clock(at(2024, 10, 1)):
        page = client.get(sent.path).get_data(as_text=True)
        assert 'value="12"' in page and "Change my answers" in page
        client.post(sent.path, data={**ANSWERS, "q_searches": "15", "q_skills": "drafting"})
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(SurveyInvitation)) == 1
    invitation = db.session.get(SurveyInvitation, sent.invitation.id)
    assert invitation.submitted_at == at(2024, 9, 18) and invitation.updated_at == at(2024, 10, 1)
    assert sorted((a.question.key, a.option_key or a.number) for a in invitation.answers
                  if a.question.key in ("searches", "skills")) == [("searches", 15.0), ("skills", "drafting")]


def test_a_missing_or_wrong_answer_is_named_and_nothing_is_saved(client, sent):
    with frozen_clock(at(2024, 9, 18)):
        resp = client.post(sent.path, data={**ANSWERS, "q_searches": "many", "q_service": ""})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "How many patent searches have you done?: Enter a number." in html
    assert "Has your TISC started a new service?: Please answer this question." in html
    assert 'value="prior-art" checked' in html  # what was given is kept
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswer)) == 0


def test_an_answer_outside_the_options_is_refused(client, sent):
    with frozen_clock(at(2024, 9, 18)):
        resp = client.post(sent.path, data={**ANSWERS, "q_service": "maybe"})
    assert "Choose from the options given." in resp.get_data(as_text=True)


def test_after_the_survey_closes_the_link_says_so_and_takes_nothing(client, sent):
    with frozen_clock(at(2024, 10, 17)):
        assert client.get(sent.path).status_code == 410
        resp = client.post(sent.path, data=ANSWERS)
    assert resp.status_code == 410 and "This survey closed on" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswer)) == 0


def test_an_expired_link_opens_nothing(app, client, sent):
    app.config["SURVEY_LINK_MAX_AGE"] = 7 * 86400
    try:
        with frozen_clock(at(2024, 9, 24)):
            resp = client.get(sent.path)
    finally:
        app.config.pop("SURVEY_LINK_MAX_AGE")
    assert resp.status_code == 410 and "This link has expired." in resp.get_data(as_text=True)


def test_a_tampered_link_opens_nothing(client, sent):
    with frozen_clock(at(2024, 9, 18)):
        assert client.get(sent.path[:-2] + ("AA" if not sent.path.endswith("AA") else "BB")).status_code == 404
        assert client.get("/surveys/not-a-token").status_code == 404


def test_someone_elses_link_does_not_open_for_another_learner(client, sent, make_user):
    other = make_user(full_name="Otto Other")
    login(client, other)
    with frozen_clock(at(2024, 9, 18)):
        assert client.get(sent.path).status_code == 403
        assert client.post(sent.path, data=ANSWERS).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswer)) == 0


def test_the_learners_own_link_works_when_logged_in(client, sent):
    login(client, sent.learner)
    with frozen_clock(at(2024, 9, 18)):
        assert client.get(sent.path).status_code == 200


def test_a_link_for_an_invitation_with_another_user_id_is_refused(client, sent, app):
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="academy.other").dumps(
        {"i": sent.invitation.id, "u": sent.learner.id})
    assert client.get(f"/surveys/{forged}").status_code == 404


def test_the_link_opens_the_survey_in_the_learners_language_on_any_browser(client, app_ctx, make_user):
    """The e-mail was French: the page it opens is French too, on a browser set to English,
    and the answers are counted as given in French."""
    learner = make_user(full_name="Fanny Française", preferred_language="fr")
    w = build([learner], awarded=[at(2024, 3, 15)])
    with frozen_clock(at(2024, 9, 16)):
        send_surveys()
        invitation = db.session.scalar(select(SurveyInvitation))
        path = services.answer_path(invitation)
    with frozen_clock(at(2024, 9, 18)):
        html = client.get(path, headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
        assert '<html lang="fr"' in html
        assert "How many patent searches have you done? [fr]" in html and "Tout à fait d" in html
        assert client.post(path, data=ANSWERS, headers={"Accept-Language": "en"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(SurveyInvitation, invitation.id).language == "fr"
    assert w.survey.title("fr") in html
