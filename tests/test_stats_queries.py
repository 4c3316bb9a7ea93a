"""The query layer's numbers against the hand-counted population in stats_population."""

from __future__ import annotations

from datetime import date

import pytest

from academy.stats.queries import Filters, StatsError, crosstab


def by(rows, cols=None, fact="enrolment", **filters):
    return crosstab(rows, cols, Filters(**filters), fact=fact)


def measures(tab, key, col=None):
    return (
        tab.value("enrolments", key, col),
        tab.value("completions", key, col),
        tab.value("completion_rate", key, col),
        tab.value("avg_days_to_complete", key, col),
    )


def test_by_language_counts_enrolments_completions_rate_and_days(pop):
    tab = by("language")
    assert tab.row_keys == ["en", "fr", "es"]  # largest first
    assert measures(tab, "en") == (5, 2, 40.0, 12.5)
    assert measures(tab, "fr") == (2, 1, 50.0, 5.0)
    assert measures(tab, "es") == (1, 1, 100.0, 30.0)
    total = tab.grand_total()
    assert (total["enrolments"], total["completions"]) == (8, 4)
    assert tab.fact.measure("avg_days_to_complete").compute(total) == 15.0
    assert tab.row_labels["fr"] == "French"


def test_by_course(pop):
    tab = by("course")
    assert tab.row_keys == [pop.mini.id, pop.adv.id]
    assert measures(tab, pop.mini.id) == (5, 3, 60.0, 10.0)
    assert measures(tab, pop.adv.id) == (3, 1, 33.3, 30.0)
    assert tab.row_labels[pop.adv.id] == "ADV1 — Advanced patent search"


def test_by_gender_in_the_enum_order(pop):
    tab = by("gender")
    assert tab.row_keys == ["woman", "man", "undisclosed"]
    assert measures(tab, "woman") == (4, 2, 50.0, 20.0)
    assert measures(tab, "man") == (3, 2, 66.7, 10.0)
    assert measures(tab, "undisclosed") == (1, 0, 0.0, None)
    assert tab.row_labels["undisclosed"] == "Prefer not to say"


def test_by_country_and_region(pop):
    tab = by("country")
    assert {k: tab.value("enrolments", k) for k in tab.row_keys} == {"KE": 4, "PE": 2, "SA": 1, "FR": 1}
    assert tab.row_keys[:2] == ["KE", "PE"]
    assert tab.value("completions", "KE") == 2
    regions = by("region")
    assert regions.row_keys == ["africa", "arab", "latin_america_caribbean", "developed"]
    assert [regions.value("enrolments", k) for k in regions.row_keys] == [4, 1, 2, 1]
    assert regions.row_labels["arab"] == "Arab region"


def test_by_tisc_counts_learners_without_one_apart(pop):
    tab = by("tisc")
    assert tab.value("enrolments", pop.tisc.id) == 3
    assert tab.value("enrolments", None) == 5
    assert tab.row_labels[pop.tisc.id] == "TISC Nairobi"
    assert tab.row_labels[None] == "No TISC (other institution)"


def test_periods_of_enrolment(pop):
    years = by("year")
    assert years.row_keys == ["2024", "2025"]
    assert measures(years, "2024")[:2] == (5, 3)
    assert measures(years, "2025")[:2] == (3, 1)
    quarters = by("quarter")
    assert {k: quarters.value("enrolments", k) for k in quarters.row_keys if quarters.value("enrolments", k)} == {
        "2024-Q1": 3, "2024-Q2": 2, "2025-Q1": 2, "2025-Q2": 1}
    assert quarters.row_keys == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
    months = by("month")
    assert {k: months.value("enrolments", k) for k in months.row_keys if months.value("enrolments", k)} == {
        "2024-01": 1, "2024-02": 2, "2024-04": 2, "2025-01": 1, "2025-03": 1, "2025-06": 1}


def test_periods_of_completion_count_completed_enrolments_only(pop):
    months = by("month", basis="completion")
    assert {k: months.value("completions", k) for k in months.row_keys if months.value("completions", k)} == {
        "2024-01": 1, "2024-03": 1, "2024-05": 1, "2025-03": 1}
    q = by("quarter", basis="completion", date_from=date(2024, 3, 1), date_to=date(2024, 12, 31))
    assert {k: q.value("completions", k) for k in q.row_keys} == {"2024-Q1": 1, "2024-Q2": 1}


def test_gender_by_language_cross(pop):
    tab = by("gender", "language")
    assert tab.col_keys == ["en", "fr", "es"]
    assert tab.value("enrolments", "woman", "en") == 2
    assert tab.value("enrolments", "woman", "fr") == 1
    assert tab.value("enrolments", "woman", "es") == 1
    assert tab.value("enrolments", "man", "en") == 2
    assert tab.value("enrolments", "man", "fr") == 1
    assert tab.value("enrolments", "man", "es") == 0
    assert tab.value("completion_rate", "woman", "en") == 50.0
    assert tab.value("completion_rate", "woman", "fr") == 0.0
    assert tab.value("completion_rate", "woman", "es") == 100.0
    assert tab.value("completion_rate", "man", "fr") == 100.0
    assert tab.value("completion_rate", "undisclosed", "en") == 0.0
    assert tab.value("completion_rate", "man", "es") is None
    assert tab.row_total("woman")["enrolments"] == 4
    assert tab.col_total("en")["enrolments"] == 5
    assert tab.fact.measure("completion_rate").compute(tab.col_total("en")) == 40.0


@pytest.mark.parametrize(("rows", "cols", "cell", "expected"), [
    ("course", "year", ("mini", "2024"), 4),
    ("course", "year", ("adv", "2025"), 2),
    ("region", "gender", ("africa", "woman"), 3),
    ("region", "gender", ("latin_america_caribbean", "man"), 1),
    ("country", "course", ("KE", "adv"), 1),
    ("tisc", "language", (None, "fr"), 2),
    ("quarter", "region", ("2024-Q2", "latin_america_caribbean"), 2),
    ("language", "month", ("en", "2024-02"), 1),
])
def test_any_two_dimensions_cross(pop, rows, cols, cell, expected):
    tab = by(rows, cols)
    resolve = {"mini": pop.mini.id, "adv": pop.adv.id}
    r, c = (resolve.get(k, k) for k in cell)
    assert tab.value("enrolments", r, c) == expected
    assert tab.grand_total()["enrolments"] == 8


@pytest.mark.parametrize(("filters", "expected"), [
    ({"course_ids": "adv"}, 3),
    ({"countries": ("KE",)}, 4),
    ({"regions": ("africa", "arab")}, 5),
    ({"regions": ("africa",), "countries": ("PE",)}, 0),
    ({"genders": ("woman",)}, 4),
    ({"languages": ("fr",)}, 2),
    ({"tisc_ids": "tisc"}, 3),
    ({"date_from": date(2025, 1, 1)}, 3),
    ({"date_to": date(2024, 2, 15)}, 3),
    ({"date_from": date(2024, 2, 1), "date_to": date(2024, 4, 1)}, 3),
])
def test_filters(pop, filters, expected):
    if filters.get("course_ids") == "adv":
        filters["course_ids"] = (pop.adv.id,)
    if filters.get("tisc_ids") == "tisc":
        filters["tisc_ids"] = (pop.tisc.id,)
    assert by("gender", **filters).grand_total()["enrolments"] == expected


def test_registrations_count_people_once(pop, make_user):
    tab = by("gender", fact="registration")
    assert {k: tab.value("registrations", k) for k in tab.row_keys} == {"woman": 3, "man": 3, "undisclosed": 1}
    in_adv = by("country", fact="registration", course_ids=(pop.adv.id,))
    assert {k: in_adv.value("registrations", k) for k in in_adv.row_keys} == {"KE": 1, "PE": 1, "SA": 1}


def test_registrations_cannot_be_broken_down_by_course(pop):
    with pytest.raises(StatsError):
        by("course", fact="registration")


def test_unknown_or_repeated_dimension_is_refused(app_ctx):
    with pytest.raises(StatsError):
        by("shoe_size")
    with pytest.raises(StatsError):
        by("gender", "gender")


def test_empty_data_gives_an_empty_table(app_ctx):
    tab = by("gender", "language")
    assert tab.is_empty
    assert tab.row_keys == [] and tab.grand_total()["enrolments"] == 0
    assert tab.fact.measure("completion_rate").compute(tab.grand_total()) is None


def test_time_axes_have_no_gaps(pop):
    months = by("month")
    assert months.row_keys[:4] == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert len(months.row_keys) == 18  # 2024-01 … 2025-06
    assert months.value("enrolments", "2024-03") == 0
    quarters = by("gender", "quarter")
    assert quarters.col_keys == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
