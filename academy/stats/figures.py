"""The dashboard's figures and the cross-tab: each a table plus the chart drawn from it.

A figure is built once per request from one cross-tab query; the page, the CSV and the
XLSX all read the same ``Table``, so their numbers cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from academy.core.i18n import text_direction
from academy.stats import charts
from academy.stats.queries import (
    CrossTab,
    Filters,
    crosstab,
    dimensions,
    fact_for_measure,
)
from academy.stats.tables import (
    Suppression,
    Table,
    default_suppression,
    one_way,
    two_way,
)

SUMMARY_MEASURES = ["enrolments", "completions", "completion_rate", "avg_days_to_complete"]


@dataclass
class Figure:
    name: str
    title: str
    table: Table
    chart: charts.Chart | None
    params: dict  # what the export link needs to rebuild it


def show(value, kind: str) -> str:
    """A cell as the page shows it (locale-formatted numbers; markers as they are)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind == "percent":
        return format_decimal(value, "#,##0.0") + " %"
    if kind == "days":
        return format_decimal(value, "#,##0.0")
    return format_decimal(value)


def _rtl() -> bool:
    try:
        return text_direction() == "rtl"
    except RuntimeError:
        return False


def _items(table: Table, col: int) -> list[tuple]:
    kind = table.kinds[col]
    return [(key, row[0], row[col], show(row[col], kind)) for key, row in zip(table.keys, table.rows, strict=True)]


def summary_figure(
    name: str,
    title: str,
    rows: str,
    filters: Filters,
    supp: Suppression,
    chart_measure: str = "enrolments",
    chart_kind: str = "bar",
    within: tuple[str, ...] | None = None,
) -> Figure:
    tab = crosstab(rows, None, filters, within=within)
    table = one_way(tab, SUMMARY_MEASURES, title, supp)
    col = 1 + SUMMARY_MEASURES.index(chart_measure)
    if chart_kind == "column":
        chart = charts.column_chart(name, title, _items(table, col), rtl=_rtl(), fmt=format_decimal)
    else:
        chart = charts.bar_chart(
            name,
            title,
            _items(table, col),
            rtl=_rtl(),
            max_value=100 if table.kinds[col] == "percent" else None,
        )
    return Figure(name, title, table, chart, {"figure": name})


def fact_figure(name: str, title: str, rows: str, fact: str, measures: list[str], filters: Filters,
                supp: Suppression, within: tuple[str, ...] | None = None, row_label: str | None = None) -> Figure:
    """A one-way table of several measures of another fact (quizzes, certificates, certification);
    ``row_label`` names the rows when the dimension's own label would not fit this fact."""
    tab = crosstab(rows, None, filters, fact=fact, within=within)
    table = one_way(tab, measures, title, supp)
    if row_label:
        table.header[0] = row_label
    chart = charts.bar_chart(name, title, _items(table, 1), rtl=_rtl())
    return Figure(name, title, table, chart, {"figure": name})


def registrations_figure(name: str, title: str, rows: str, filters: Filters, supp: Suppression) -> Figure:
    tab = crosstab(rows, None, filters, fact="registration")
    table = one_way(tab, ["registrations"], title, supp)
    chart = charts.bar_chart(name, title, _items(table, 1), rtl=_rtl())
    return Figure(name, title, table, chart, {"figure": name})


def cross_figure(
    name: str,
    title: str,
    rows: str,
    cols: str | None,
    measure: str,
    filters: Filters,
    supp: Suppression,
    within: tuple[str, ...] | None = None,
) -> Figure:
    fact = fact_for_measure(measure)
    tab: CrossTab = crosstab(rows, cols, filters, fact=fact.name, within=within)
    m = fact.measure(measure)
    if cols is None:
        table = one_way(tab, [measure], title, supp)
        chart = charts.bar_chart(
            name,
            title,
            _items(table, 1),
            rtl=_rtl(),
            max_value=100 if m.kind == "percent" else None,
        )
        return Figure(name, title, table, chart, {"figure": name})
    table = two_way(tab, measure, title, supp)
    groups = [(str(k), label) for k, label in zip(table.keys, table.column(0), strict=True)]
    series = [(str(c), tab.col_labels[c]) for c in tab.col_keys]
    values, texts = {}, {}
    for key, row in zip(table.keys, table.rows, strict=True):
        for (skey, _label), cell in zip(series, row[1:-1], strict=True):
            values[(str(key), skey)] = cell
            texts[(str(key), skey)] = show(cell, m.kind) if cell is not None else ""
    chart = charts.grouped_bar_chart(
        name,
        title,
        groups,
        series,
        values,
        texts,
        rtl=_rtl(),
        max_value=100 if m.kind == "percent" else None,
    )
    return Figure(name, title, table, chart, {"figure": name})


def period_grain(months: list[str | None]) -> str:
    """Months for up to two years of data, quarters up to eight, then years."""
    known = sorted(m for m in months if m)
    if not known:
        return "month"
    (y0, m0), (y1, m1) = (map(int, known[0].split("-")), map(int, known[-1].split("-")))
    span = (y1 - y0) * 12 + m1 - m0 + 1
    return "month" if span <= 24 else "quarter" if span <= 96 else "year"


# One GROUP BY per fact and side: the figures by language, gender, gender × language and
# country read one GROUP BY gender, language, country (a few hundred groups: languages
# follow countries); those by course and over time read one GROUP BY course, month of
# the enrolments alone (see queries.crosstab's ``within``).
LEARNER_SIDE = ("gender", "language", "country")
ENROLMENT_SIDE = ("course", "month")
# The two certification figures read one GROUP BY cohort, phase.
COHORT_PHASE = ("cohort", "certification_phase")
CERTIFICATION_MEASURES = [
    "cert_candidates",
    "cert_phase1",
    "cert_phase2",
    "cert_phase3",
    "cert_awarded",
    "cert_award_rate",
    "cert_certificates_issued",
    "cert_certificates_revoked",
]


def _figure_builders() -> dict[str, Callable[[Filters, Callable], Figure]]:
    # Built per call so titles are translated in the request's language.
    return {
        "language": lambda f, s: summary_figure(
            "language",
            str(_l("Enrolments by course language")),
            "language",
            f,
            s("language", None),
            within=LEARNER_SIDE,
        ),
        "course": lambda f, s: summary_figure(
            "course", str(_l("Enrolments by course")), "course", f, s("course", None), within=ENROLMENT_SIDE
        ),
        "gender": lambda f, s: summary_figure(
            "gender",
            str(_l("Enrolments by gender")),
            "gender",
            f,
            s("gender", None),
            within=LEARNER_SIDE,
        ),
        "rate-gender-language": lambda f, s: cross_figure(
            "rate-gender-language",
            str(_l("Completion rate by gender and course language")),
            "gender",
            "language",
            "completion_rate",
            f,
            s("gender", "language"),
            within=LEARNER_SIDE,
        ),
        "over-time": lambda f, s: _over_time(f, s),
        "countries": lambda f, s: summary_figure(
            "countries", str(_l("Enrolments by country")), "country", f, s("country", None), within=LEARNER_SIDE
        ),
        "quizzes": lambda f, s: fact_figure(
            "quizzes", str(_l("Quiz attempts and pass rates by gender")), "gender", "quiz",
            ["quiz_attempts", "quiz_passed", "quiz_pass_rate", "quiz_first_pass_rate"], f, s("gender", None)),
        "certificates": lambda f, s: fact_figure(
            "certificates", str(_l("Certificates issued and revoked by certificate language")), "language",
            "certificate",
            ["certificates_issued", "certificates_reissued", "certificates_revoked", "certificates_valid"], f,
            # A certification's certificate is in the holder's language, not a course's.
            s("language", None), row_label=str(_l("Certificate language"))),
        "certification-phase": lambda f, s: fact_figure(
            "certification-phase", str(_l("Certification candidates by current phase")), "certification_phase",
            "certification", ["cert_candidates"], f, s("certification_phase", None), within=COHORT_PHASE),
        "certification-cohort": lambda f, s: fact_figure(
            "certification-cohort", str(_l("Certification progress and awards by cohort")), "cohort",
            "certification", CERTIFICATION_MEASURES, f, s("cohort", None), within=COHORT_PHASE),
        "registrations-gender": lambda f, s: registrations_figure(
            "registrations-gender",
            str(_l("Registered learners by gender")),
            "gender",
            f,
            s("gender", None),
        ),
    }


def _over_time(filters: Filters, supp) -> Figure:
    # Months from the course × month grouping; quarters and years fold from them.
    grain = period_grain(crosstab("month", None, filters, within=ENROLMENT_SIDE).row_keys)
    title = {
        "month": _l("Enrolments by month"),
        "quarter": _l("Enrolments by quarter"),
        "year": _l("Enrolments by year"),
    }[grain]
    if filters.basis == "completion":
        title = {
            "month": _l("Completions by month"),
            "quarter": _l("Completions by quarter"),
            "year": _l("Completions by year"),
        }[grain]
    fig = summary_figure(
        "over-time",
        str(title),
        grain,
        filters,
        supp(grain, None),
        chart_measure="completions" if filters.basis == "completion" else "enrolments",
        chart_kind="column",
        within=ENROLMENT_SIDE,
    )
    return fig


DASHBOARD = [
    "language",
    "course",
    "gender",
    "rate-gender-language",
    "over-time",
    "countries",
    "registrations-gender",
    "quizzes",
    "certificates",
    "certification-phase",
    "certification-cohort",
]
NO_CHART = {"countries"}  # a map-free country table: the table is the figure


def figure_names() -> list[str]:
    return list(DASHBOARD)


def build_figure(name: str, filters: Filters, supp_for: Callable[[str, str | None], Suppression]) -> Figure:
    builders = _figure_builders()
    if name not in builders:
        raise KeyError(name)
    fig = builders[name](filters, supp_for)
    if name in NO_CHART:
        fig.chart = None
    return fig


def crosstab_title(rows: str, cols: str | None, measure: str) -> str:
    m = fact_for_measure(measure).measure(measure)
    known = dimensions()
    if cols:
        return str(
            _l(
                "%(measure)s by %(rows)s and %(cols)s",
                measure=m.label,
                rows=str(known[rows].label).lower(),
                cols=str(known[cols].label).lower(),
            )
        )
    return str(_l("%(measure)s by %(rows)s", measure=m.label, rows=str(known[rows].label).lower()))


def auto_suppression(threshold: int = 5, mode: str = "auto") -> Callable[[str, str | None], Suppression]:
    def for_table(rows: str, cols: str | None) -> Suppression:
        enabled = default_suppression(rows, cols) if mode == "auto" else mode == "on"
        return Suppression(enabled=enabled, threshold=threshold)

    return for_table
