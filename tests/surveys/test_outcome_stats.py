"""Survey answers in the statistics: by gender, country, cohort and period, with the same
small-cell suppression, charts and exports as every other measure."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from academy.core.models import frozen_clock
from academy.extensions import db
from academy.stats.queries import Filters, crosstab
from academy.surveys import services
from academy.surveys.models import SurveyAnswer, SurveyInvitation
from academy.surveys.tasks import send_surveys
from tests.surveys.world import at, build


@pytest.fixture
def answered(app_ctx, make_user):
    """Eight certified learners: six women in Kenya, two men in Peru; seven answer."""
    women = [make_user(gender="woman", country_code="KE") for _ in range(6)]
    men = [make_user(gender="man", country_code="PE") for _ in range(2)]
    w = build(women + men, awarded=[at(2024, 3, 15)] * 8)
    with frozen_clock(at(2024, 9, 16)):
        send_surveys()
    q = {x.key: x for x in w.survey.questions}
    plans = {  # user -> (searches, skills, service)
        **{u.id: (10, ["prior-art", "fto"], "yes") for u in women[:3]},
        **{u.id: (4, ["prior-art"], "no") for u in women[3:5]},
        **{u.id: (1, ["drafting"], "no") for u in men},
    }
    for invitation in db.session.scalars(select(SurveyInvitation)):
        plan = plans.get(invitation.user_id)
        if plan is None:
            continue  # the sixth woman does not answer
        searches, skills, service = plan
        rows = [SurveyAnswer(question_id=q["searches"].id, number=searches),
                SurveyAnswer(question_id=q["service"].id, option_key=service)]
        rows += [SurveyAnswer(question_id=q["skills"].id, option_key=k) for k in skills]
        with frozen_clock(at(2024, 9, 20)):
            services.save_answers(invitation, rows, "en")
    db.session.commit()
    w.q = q
    return w


def measure(w, key, option=None):
    q = w.q[key]
    if option is None:
        return f"survey_q{q.id}_avg"
    index = [k for k, _label in q.option_labels()].index(option)
    return f"survey_q{q.id}_o{index}"


def test_response_rate_and_answers_by_gender(answered):
    tab = crosstab("gender", None, Filters(), fact="survey")
    assert tab.value("survey_sent", "woman") == 6 and tab.value("survey_answered", "woman") == 5
    assert tab.value("survey_response_rate", "woman") == 83.3
    assert tab.value(measure(answered, "service", "yes"), "woman") == 60.0  # 3 of 5 respondents
    assert tab.value(measure(answered, "skills", "prior-art"), "woman") == 100.0
    assert tab.value(measure(answered, "searches"), "woman") == 7.6  # (3×10 + 2×4) / 5
    assert tab.value(measure(answered, "searches"), "man") == 1.0


def test_answers_by_country_cohort_and_period(answered):
    country = crosstab("country", None, Filters(), fact="survey")
    assert country.value(measure(answered, "skills", "drafting"), "PE") == 100.0
    cohort = crosstab("cohort", None, Filters(), fact="survey")
    assert cohort.value("survey_answered", answered.cohort.id) == 7
    month = crosstab("month", None, Filters(), fact="survey")
    assert month.value("survey_sent", "2024-09") == 8
    assert crosstab("region", None, Filters(countries=("PE",)), fact="survey").grand_total()["sent"] == 2


def test_the_response_rate_by_language_counts_those_who_did_not_answer_in_their_language(app_ctx, make_user):
    """A survey goes out in each learner's language: by language, those who have not
    answered count in their language's response rate, not in an "unknown" row."""
    french = [make_user(preferred_language="fr") for _ in range(3)]
    w = build(french, awarded=[at(2024, 3, 15)] * 3)
    with frozen_clock(at(2024, 9, 16)):
        send_surveys()
    first = db.session.scalar(select(SurveyInvitation).where(SurveyInvitation.user_id == french[0].id))
    q = {x.key: x for x in w.survey.questions}
    with frozen_clock(at(2024, 9, 20)):
        services.save_answers(first, [SurveyAnswer(question_id=q["searches"].id, number=2),
                                      SurveyAnswer(question_id=q["service"].id, option_key="yes"),
                                      SurveyAnswer(question_id=q["skills"].id, option_key="fto")], "fr")
    db.session.commit()
    tab = crosstab("language", None, Filters(), fact="survey")
    assert tab.value("survey_sent", "fr") == 3 and tab.value("survey_answered", "fr") == 1
    assert tab.value("survey_response_rate", "fr") == 33.3
    assert None not in tab.row_keys


def test_small_cells_of_survey_answers_are_suppressed_on_the_page_and_in_the_export(answered, admin_client):
    m = measure(answered, "service", "no")
    args = f"rows=gender&cols=country&measure={m}&suppression=on&threshold=5"
    html = admin_client.get(f"/admin/stats/crosstab?{args}").get_data(as_text=True)
    assert "Has your TISC started a new service?: No (% of respondents) by gender and country" in html
    csv_text = admin_client.get(f"/admin/stats/export.csv?figure=crosstab&{args}").get_data(as_text=True)
    csv_text = csv_text.replace("\r", "")
    # Two men answered: their 100 % (2 of 2) is computed from a hidden count and hidden too.
    assert "Man,,–,–" in csv_text and "100.0" not in csv_text
    counts = admin_client.get("/admin/stats/export.csv?figure=crosstab&rows=gender&cols=country"
                              "&measure=survey_answered&suppression=on&threshold=5").get_data(as_text=True)
    assert "Man,0,<5,<5" in counts.replace("\r", "")
    xlsx = admin_client.get(f"/admin/stats/export.xlsx?figure=crosstab&{args}")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    plain = admin_client.get(f"/admin/stats/export.csv?figure=crosstab&rows=gender&measure={m}&suppression=off"
                             ).get_data(as_text=True).replace("\r", "")
    assert "Man,100.0" in plain



def test_the_admin_goes_from_the_survey_to_its_outcomes_in_the_statistics(answered, admin_client):
    """The survey's page links to its measures in the statistics, each opening a table."""
    import re

    html = admin_client.get(f"/admin/surveys/{answered.survey.id}").get_data(as_text=True)
    links = dict((label, href.replace("&amp;", "&")) for href, label in
                 re.findall(r'<a href="(/admin/stats/crosstab\?[^"]+)">([^<]+)</a>', html))
    rate = "Follow-up survey response rate (%) by "
    assert links[rate + "gender"] == "/admin/stats/crosstab?rows=gender&cols=&measure=survey_response_rate"
    assert len([label for label in links if label.startswith(rate)]) == 7  # gender, language, country, region, …
    yes = "Has your TISC started a new service?: Yes (% of respondents) by gender"
    page = admin_client.get(links[yes])
    assert page.status_code == 200 and yes in page.get_data(as_text=True)
    assert not [label for label in links if "Tell us about one case." in label]  # free text is not a measure
    for href in links.values():
        assert admin_client.get(href).status_code == 200, href


def test_the_responses_export_names_no_one_unless_personal_data_is_ticked(answered, admin_client):
    from academy.core.audit import AuditEvent

    url = f"/admin/surveys/{answered.survey.id}/responses"
    plain = admin_client.post(url, data={"format": "csv"}).get_data(as_text=True)
    names = [r.user.full_name for r in answered.records]
    emails = [r.user.email for r in answered.records]
    assert "Has your TISC started a new service?" in plain and "Prior-art searching; Freedom to operate" in plain
    assert not any(n in plain or e in plain for n, e in zip(names, emails, strict=True))
    personal = admin_client.post(url, data={"format": "csv", "include_personal": "y"}).get_data(as_text=True)
    assert all(e in personal for e in emails)
    xlsx = admin_client.post(url, data={"format": "xlsx"})
    assert xlsx.data[:2] == b"PK"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "survey.export_responses")
                                .order_by(AuditEvent.id)).all()
    assert [e.after["personal_data"] for e in events] == [False, True, False]


def test_free_text_stays_out_of_the_statistics_measures(answered):
    from academy.surveys.stats import SurveyFact

    names = [m.name for m in SurveyFact().measures]
    assert not any(f"q{answered.q['story'].id}_" in n for n in names)
