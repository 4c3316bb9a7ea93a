"""A certified learner opens the follow-up survey from the link in the e-mail, without
logging in, answers it, and finds the answers again when opening the link a second time."""

import re
from datetime import timedelta

import pytest

pytestmark = pytest.mark.browser


def test_learner_answers_the_survey_from_the_e_mail_link(page, make_user, app_ctx):
    from sqlalchemy import select

    from academy.core import mail
    from academy.core.models import utcnow
    from academy.extensions import db
    from academy.surveys.models import SurveyAnswer
    from academy.surveys.tasks import send_surveys
    from tests.surveys.world import build

    learner = make_user(full_name="Lea Learner")
    w = build([learner])
    w.records[0].awarded_at = utcnow() - timedelta(days=185)
    db.session.commit()
    send_surveys()
    [sent] = [m for m in mail.outbox if "questions about your training" in m["Subject"]]
    link = re.search(r"http://localhost(/surveys/\S+)", sent.get_content()).group(1)

    page.goto(link)
    page.get_by_label("How many patent searches have you done?").fill("7")
    page.get_by_label("Prior-art searching").check()
    page.get_by_label("Freedom to operate").check()
    page.get_by_role("group", name="Has your TISC started a new service?").get_by_label("Yes").check()
    page.get_by_label("Agree", exact=True).check()
    page.get_by_label("Tell us about one case.").fill("A patent landscape for a coffee cooperative.")
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("Thank you: your answers are saved.").wait_for()

    page.goto(link)
    assert page.get_by_label("How many patent searches have you done?").input_value() == "7"
    assert page.get_by_label("Freedom to operate").is_checked()
    assert page.get_by_role("button", name="Change my answers").is_visible()
    db.session.expire_all()
    stored = {(a.question.key, a.option_key) for a in db.session.scalars(select(SurveyAnswer))}
    assert ("skills", "fto") in stored and ("useful", "4") in stored
