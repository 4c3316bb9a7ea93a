"""Inside a question, the course version's language; around it, the interface language."""

from __future__ import annotations

from academy.courses.services import enroll
from academy.extensions import db
from tests.assessments.conftest import set_quiz


def test_french_enrolment_with_an_english_interface_reads_vrai_faux_inside_the_question(
        make_user, quizzed, login_as):
    learner = make_user("learner", preferred_language="en")
    enroll(learner, quizzed, "fr")
    db.session.commit()
    set_quiz("one", questions_per_page=20)
    client = login_as(learner)
    resp = client.post("/learn/quizzed/quiz/one/start")
    assert resp.status_code == 302, resp.status_code
    page = client.get(resp.location).get_data(as_text=True)
    questions = page[page.index('<fieldset class="question'):page.rindex("</fieldset>")]
    assert "Vrai" in questions and "Faux" in questions
    assert ">True<" not in questions and ">False<" not in questions
    assert "Sélectionnez toutes les réponses qui conviennent." in questions
    assert "Select all that apply." not in questions
    assert "Question 1" in questions  # "Question %(n)s" is the same word in French
    # The page around the questions stays in the interface language.
    chrome = page.replace(questions, "")
    assert 'lang="en"' in chrome and "Vrai" not in chrome
    assert "Submit" in chrome or "Save" in chrome
