"""The statistics query layer: facts, dimensions, measures and the cross-tab query.

A *fact* is what is counted (enrolments, registrations); it knows the SQL expression of
each dimension it supports and the additive *components* it sums (enrolments,
completions, days to complete, …). Every statistic is computed from those sums in
Python, so any two dimensions can be crossed, totals are exact, and a dimension such as
region can be folded from its base column (country) without a 250-way CASE in SQL.

One GROUP BY per table: the query groups by the base keys of the row and column
dimensions and returns at most a few thousand groups whatever the number of enrolments.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC as _UTC
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app, g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, extract, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.visitors import InternalTraversal

from academy.auth.models import Tisc, User
from academy.core import signals
from academy.core.enums import EnrollmentStatus, Gender
from academy.core.i18n import country_name, current_locale, language_name
from academy.core.models import utcnow
from academy.core.signals import values_from_signal
from academy.courses.models import Course, CourseVersion, Enrollment
from academy.extensions import cache, db
from academy.stats import regions


class StatsError(ValueError):
    """A statistics request that cannot be answered (unknown or unsupported dimension)."""


# ---------------------------------------------------------------------------- filters

BASES = ("enrolment", "completion")


@dataclass(frozen=True)
class Filters:
    """Restrictions on what is counted. Dates are inclusive calendar days in UTC.

    ``basis`` says which date the date range and the period dimensions refer to: the
    enrolment date, or the completion date (then only completed enrolments count).
    Registrations always use the registration date.
    """

    date_from: date | None = None
    date_to: date | None = None
    basis: str = "enrolment"
    course_ids: tuple[int, ...] = ()
    languages: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    tisc_ids: tuple[int, ...] = ()
    cohort_ids: tuple[int, ...] = ()

    def __post_init__(self):
        if self.basis not in BASES:
            raise StatsError(f"unknown date basis {self.basis!r}")

    def as_dict(self) -> dict:
        """A JSON-friendly description (for the audit log and export headers)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if value in (None, ()) or (name == "basis" and value == "enrolment"):
                continue
            out[name] = (
                value.isoformat() if isinstance(value, date) else (list(value) if isinstance(value, tuple) else value)
            )
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Filters:
        """The inverse of ``as_dict`` (jobs keep their filters as JSON)."""
        kwargs: dict[str, Any] = {}
        for name, value in data.items():
            if name not in cls.__dataclass_fields__:
                raise StatsError(f"unknown filter {name!r}")
            if name in ("date_from", "date_to"):
                kwargs[name] = date.fromisoformat(value)
            elif isinstance(value, list):
                kwargs[name] = tuple(value)
            else:
                kwargs[name] = value
        return cls(**kwargs)

    @property
    def needs_user(self) -> bool:
        return bool(self.genders or self.countries or self.regions or self.tisc_ids)


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=_UTC)


# ------------------------------------------------------------------------- SQL helpers


def _dialect() -> str:
    return db.engine.dialect.name


def month_expr(column) -> ColumnElement:
    """The month of a UTC datetime column, as ``grouped`` returns it: ``2024-03``.
    Quarters and years fold from it."""
    if _dialect() == "postgresql":
        # The first instant of the month, made text in Python (``_plain_key``): grouping
        # by to_char() formats every row and, with no estimate of how few months there
        # are, makes PostgreSQL sort instead of hash (4x slower at 250,000 enrolments).
        return func.date_trunc("month", func.timezone("UTC", column))
    # SQLite keeps UTC datetimes as ISO text ("2024-03-05 10:00:00.000000"): slicing the
    # text is both correct and much cheaper than strftime().
    return func.substr(column, 1, 7)


class NoIndex(ColumnElement):
    """A column SQLite must not search an index on: ``+column`` there, the column as
    it is elsewhere.

    SQLite's planner prefers an index on the filtered column (``enrolled_at``) even when
    the range holds a large share of the rows; it then reads the table row by row, which
    at 250,000 enrolments is three times slower than scanning a covering index in full.
    """

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column):
        self.column = column
        self.type = column.type


@compiles(NoIndex)
def _no_index(element, compiler, **kw):
    return compiler.process(element.column, **kw)


@compiles(NoIndex, "sqlite")
def _no_index_sqlite(element, compiler, **kw):
    return "+" + compiler.process(element.column, **kw)


def quarter_of(month: str | None) -> str | None:
    return f"{month[:4]}-Q{(int(month[5:7]) + 2) // 3}" if month else None


def year_of(month: str | None) -> str | None:
    return month[:4] if month else None


def days_between(start, end) -> ColumnElement:
    if _dialect() == "postgresql":
        return extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


# ------------------------------------------------------------------------- dimensions


@dataclass(frozen=True)
class Dimension:
    """A way of breaking counts down. ``base`` names the SQL key the facts provide;
    ``fold`` maps a base key to the displayed key (country → region). A dimension
    another feature offers (``stats-dimensions``) brings its ``labeler`` (keys -> labels)
    and, if it has one, its ``natural_order`` (a sort key)."""

    name: str
    label: Any
    base: str
    order: str = "value"  # "value" (largest first), "natural" (the dimension's own order)
    fold: Callable[[Any], Any] | None = None
    is_personal: bool = False
    labeler: Callable[[list], dict] | None = None
    natural_order: Callable | None = None

    def labels(self, keys: Iterable) -> dict:
        return (self.labeler or LABELERS[self.name])(list(keys))

    def natural_key(self, key) -> Any:
        order = self.natural_order or NATURAL_ORDER.get(self.name, lambda k: (k is None, str(k)))
        return order(key)


def _gender_order(key):
    members = list(Gender)
    try:
        return (0, members.index(Gender(key)))
    except ValueError:
        return (1, 0)


def _region_order(key):
    order = regions.region_order()
    return (order.index(key) if key in order else len(order), key)


NATURAL_ORDER: dict[str, Callable] = {
    "gender": _gender_order,
    "region": _region_order,
    "year": lambda k: (k is None, k or ""),
    "quarter": lambda k: (k is None, k or ""),
    "month": lambda k: (k is None, k or ""),
}

DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        Dimension("course", _l("Course"), "course"),
        Dimension("language", _l("Course language"), "language"),
        Dimension("gender", _l("Gender"), "gender", order="natural"),
        Dimension("country", _l("Country"), "country"),
        Dimension("region", _l("Region"), "country", order="natural", fold=regions.region_of),
        Dimension("tisc", _l("TISC"), "tisc"),
        Dimension("year", _l("Year"), "month", order="natural", fold=year_of),
        Dimension("quarter", _l("Quarter"), "month", order="natural", fold=quarter_of),
        Dimension("month", _l("Month"), "month", order="natural"),
    )
}


def dimensions() -> dict[str, Dimension]:
    """The built-in dimensions, then those other features offer (``stats-dimensions``)."""
    offered = values_from_signal(signals.stats_dimensions.send())
    return {**DIMENSIONS, **{d.name: d for d in offered}}


def display_locale() -> str:
    """The request's locale; English outside a request (CLI exports, the benchmark)."""
    return current_locale() if has_request_context() else "en"


def _none_label():
    return str(_l("Not recorded"))


def _course_labels(keys: list) -> dict:
    ids = [k for k in keys if k is not None]
    if not ids:
        return {k: _none_label() for k in keys}
    lang = display_locale()
    rows = db.session.execute(
        select(
            Course.id,
            Course.code,
            Course.default_language,
            CourseVersion.language,
            CourseVersion.title,
        )
        .join(CourseVersion, CourseVersion.course_id == Course.id)
        .where(Course.id.in_(ids))
    ).all()
    titles: dict[int, dict[str, str]] = {}
    codes: dict[int, tuple[str, str]] = {}
    for cid, code, default_lang, vlang, title in rows:
        titles.setdefault(cid, {})[vlang] = title
        codes[cid] = (code, default_lang)
    out = {}
    for k in keys:
        if k not in codes:
            out[k] = _none_label() if k is None else str(k)
            continue
        code, default_lang = codes[k]
        t = titles.get(k, {})
        title = t.get(lang) or t.get(default_lang) or next(iter(t.values()), "")
        out[k] = f"{code} — {title}" if title else code
    return out


def _tisc_labels(keys: list) -> dict:
    ids = [k for k in keys if k is not None]
    names = dict(db.session.execute(select(Tisc.id, Tisc.name).where(Tisc.id.in_(ids))).all()) if ids else {}
    return {k: names.get(k, str(_l("No TISC (other institution)")) if k is None else str(k)) for k in keys}


def _gender_labels(keys: list) -> dict:
    out = {}
    for k in keys:
        try:
            out[k] = Gender(k).title
        except ValueError:
            out[k] = _none_label()
    return out


LABELERS: dict[str, Callable[[list], dict]] = {
    "course": _course_labels,
    "language": lambda keys: {k: language_name(k, display_locale()) if k else _none_label() for k in keys},
    "gender": _gender_labels,
    "country": lambda keys: {k: country_name(k, display_locale()) if k else _none_label() for k in keys},
    "region": lambda keys: {k: regions.region_title(k) for k in keys},
    "tisc": _tisc_labels,
    "year": lambda keys: {k: k or _none_label() for k in keys},
    "quarter": lambda keys: {k: k or _none_label() for k in keys},
    "month": lambda keys: {k: k or _none_label() for k in keys},
}


# ---------------------------------------------------------------------------- measures


@dataclass(frozen=True)
class Measure:
    """A statistic computed from a fact's summed components.

    ``kind`` is "count", "percent" (0-100) or "days". ``counts`` names the components
    whose small values make this statistic disclosive (small-cell suppression).
    """

    name: str
    label: Any
    kind: str
    compute: Callable[[dict], float | int | None]
    counts: tuple[str, ...]


def _rate(num: str, den: str):
    def compute(c: dict):
        return round(100.0 * c[num] / c[den], 1) if c.get(den) else None

    return compute


def _average(total: str, n: str):
    def compute(c: dict):
        return round(c[total] / c[n], 1) if c.get(n) else None

    return compute


# -------------------------------------------------------------------------------- facts


class Fact:
    """What is counted. Subclasses provide the FROM clause, keys, components, filters."""

    name: str
    label: Any
    measures: tuple[Measure, ...]

    def dimension_names(self) -> list[str]:
        return [d.name for d in dimensions().values() if d.base in self.base_keys()]

    def base_keys(self) -> set[str]:
        raise NotImplementedError

    def key_expr(self, base: str, filters: Filters) -> tuple[ColumnElement, bool, Callable | None]:
        """(SQL expression, needs the user join, a function adding any other join or None)."""
        raise NotImplementedError

    def components(self, filters: Filters) -> dict[str, ColumnElement]:
        raise NotImplementedError

    def select_from(self, stmt: Select, needs_user: bool, filters: Filters | None = None) -> Select:
        raise NotImplementedError

    def where(self, stmt: Select, filters: Filters) -> Select:
        raise NotImplementedError

    def fingerprint(self) -> tuple:
        """Cheap facts about the tables that change whenever the counts could."""
        return _maxima(User.id, User.updated_at)

    def measure(self, name: str) -> Measure:
        for m in self.measures:
            if m.name == name:
                return m
        raise StatsError(f"{self.name} has no measure {name!r}")


def _maxima(*columns) -> tuple:
    """max() of each column as its own scalar subquery: SQLite answers a lone max() on an
    indexed column from one index entry, but scans the table for several in one SELECT."""
    return tuple(db.session.execute(select(*(select(func.max(c)).scalar_subquery() for c in columns))).one())


def _user_filters(stmt: Select, filters: Filters) -> Select:
    if filters.genders:
        stmt = stmt.where(User.gender.in_([Gender(g) for g in filters.genders]))
    countries = set(filters.countries)
    if filters.regions:
        in_regions = {c for r in filters.regions for c in regions.countries_in(r)}
        countries = (countries & in_regions) if filters.countries else in_regions
        if regions.UNKNOWN in filters.regions:
            stmt = stmt.where(User.country_code.in_(countries) | User.country_code.not_in(regions.mapped_countries()))
            countries = set()
    if countries or filters.countries:
        stmt = stmt.where(User.country_code.in_(sorted(countries) or ["--"]))
    if filters.tisc_ids:
        stmt = stmt.where(User.tisc_id.in_(filters.tisc_ids))
    return stmt


def _user_subset(stmt: Select, user_id, filters: Filters) -> Select:
    """Keep the rows whose learner (``user_id`` column) is in every subset the filters ask
    for: restrictions to learners other features group (``stats-user-subsets``: cohorts)."""
    for sub in values_from_signal(signals.stats_user_subsets.send(filters)):
        stmt = stmt.where(user_id.in_(sub))
    return stmt


def _date_range(stmt: Select, column, filters: Filters) -> Select:
    if filters.date_from:
        stmt = stmt.where(column >= _day_start(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(column < _day_start(filters.date_to + timedelta(days=1)))
    return stmt


class EnrolmentFact(Fact):
    name = "enrolment"
    label = _l("Enrolments")
    measures = (
        Measure("enrolments", _l("Enrolments"), "count", lambda c: c["enrolments"], ("enrolments",)),
        Measure("completions", _l("Completions"), "count", lambda c: c["completions"], ("completions",)),
        Measure(
            "completion_rate",
            _l("Completion rate (%)"),
            "percent",
            _rate("completions", "enrolments"),
            ("enrolments", "completions"),
        ),
        Measure(
            "avg_days_to_complete",
            _l("Average days to complete"),
            "days",
            _average("days_total", "days_n"),
            ("completions",),
        ),
    )

    @staticmethod
    def extra_keys() -> dict[str, Callable]:
        """Keys other features offer (``stats-enrolment-keys``: cohort): base -> fn(filters)
        -> (expr, needs_user, join fn or None)."""
        keys: dict[str, Callable] = {}
        for offered in values_from_signal(signals.stats_enrolment_keys.send()):
            keys.update(offered)
        return keys

    def fingerprint(self) -> tuple:
        return (
            *_maxima(Enrollment.id, Enrollment.completed_at, Enrollment.enrolled_at),
            *super().fingerprint(),
        )

    def _date_column(self, filters: Filters):
        return Enrollment.completed_at if filters.basis == "completion" else Enrollment.enrolled_at

    def base_keys(self) -> set[str]:
        return {
            "course",
            "language",
            "gender",
            "country",
            "tisc",
            "month",
            *self.extra_keys(),
        }

    def key_expr(self, base: str, filters: Filters):
        extra = self.extra_keys().get(base)
        if extra is not None:
            return extra(filters)  # nosec B610 - a dimension's key function, not Django's extra()
        if base == "month":
            return month_expr(self._date_column(filters)), False, None
        expr, needs_user = {
            "course": (Enrollment.course_id, False),
            "language": (Enrollment.language, False),
            "gender": (User.gender, True),
            "country": (User.country_code, True),
            "tisc": (User.tisc_id, True),
        }[base]
        return expr, needs_user, None

    def components(self, filters: Filters) -> dict[str, ColumnElement]:
        completed = Enrollment.status == EnrollmentStatus.COMPLETED
        return {
            "enrolments": func.count(Enrollment.id),
            "completions": func.coalesce(func.sum(case((completed, 1), else_=0)), 0),
            "days_total": func.coalesce(
                func.sum(
                    case(
                        (completed, days_between(Enrollment.enrolled_at, Enrollment.completed_at)),
                        else_=None,
                    )
                ),
                0,
            ),
            "days_n": func.count(case((completed, Enrollment.completed_at), else_=None)),
        }

    def select_from(self, stmt: Select, needs_user: bool, filters: Filters | None = None) -> Select:
        stmt = stmt.select_from(Enrollment)
        if needs_user:
            user_id = Enrollment.user_id
            if not (filters and filters.needs_user):
                # Every enrolment is counted: read them in the order of a covering index
                # and look each learner up by primary key. SQLite's statistics favour the
                # other order (learners, then an index search for their enrolments),
                # 1.5-2x slower here; with a filter on the learners it is the right one.
                user_id = NoIndex(user_id)
            stmt = stmt.join(User, User.id == user_id)
        return stmt

    def where(self, stmt: Select, filters: Filters) -> Select:
        if filters.basis == "completion":
            stmt = stmt.where(Enrollment.status == EnrollmentStatus.COMPLETED)
        stmt = _date_range(stmt, NoIndex(self._date_column(filters)), filters)
        if filters.course_ids:
            stmt = stmt.where(Enrollment.course_id.in_(filters.course_ids))
        if filters.languages:
            stmt = stmt.where(Enrollment.language.in_(filters.languages))
        stmt = _user_filters(stmt, filters)
        return _user_subset(stmt, Enrollment.user_id, filters)


class RegistrationFact(Fact):
    """User accounts, counted by who they are and when they registered."""

    name = "registration"
    label = _l("Registrations")
    measures = (
        Measure(
            "registrations",
            _l("Registrations"),
            "count",
            lambda c: c["registrations"],
            ("registrations",),
        ),
    )

    def base_keys(self) -> set[str]:
        return {"gender", "country", "tisc", "month"}

    def key_expr(self, base: str, filters: Filters):
        if base == "month":
            return month_expr(User.created_at), True, None
        return (
            {"gender": User.gender, "country": User.country_code, "tisc": User.tisc_id}[base],
            True,
            None,
        )

    def components(self, filters: Filters) -> dict[str, ColumnElement]:
        return {"registrations": func.count(User.id)}

    def select_from(self, stmt: Select, needs_user: bool, filters: Filters | None = None) -> Select:
        return stmt.select_from(User)

    def where(self, stmt: Select, filters: Filters) -> Select:
        if filters.course_ids or filters.languages:
            # Registrations restricted to a course: the people enrolled in it.
            sub = select(Enrollment.user_id)
            if filters.course_ids:
                sub = sub.where(Enrollment.course_id.in_(filters.course_ids))
            if filters.languages:
                sub = sub.where(Enrollment.language.in_(filters.languages))
            stmt = stmt.where(User.id.in_(sub))
        stmt = _date_range(stmt, User.created_at, filters)
        stmt = _user_subset(stmt, User.id, filters)
        return _user_filters(stmt, filters)


FACTS: dict[str, Fact] = {f.name: f for f in (EnrolmentFact(), RegistrationFact())}


def facts() -> dict[str, Fact]:
    """Enrolments and registrations, then the facts other features offer (``stats-facts``)."""
    offered = values_from_signal(signals.stats_facts.send())
    return {**FACTS, **{f.name: f for f in offered}}


def measure_choices() -> list[tuple[str, str, str]]:
    """(fact name, measure name, label) for every measure of every fact."""
    return [(f.name, m.name, str(m.label)) for f in facts().values() for m in f.measures]


def fact_for_measure(measure: str) -> Fact:
    for fact in facts().values():
        if any(m.name == measure for m in fact.measures):
            return fact
    raise StatsError(f"unknown measure {measure!r}")


# ---------------------------------------------------------------------------- cross-tab


@dataclass
class CrossTab:
    """Summed components per (row key, column key), with labels and order.

    ``cols`` is None for a one-dimensional table; then column keys are all ``None``.
    """

    fact: Fact
    rows: Dimension
    cols: Dimension | None
    filters: Filters
    row_keys: list = field(default_factory=list)
    col_keys: list = field(default_factory=list)
    row_labels: dict = field(default_factory=dict)
    col_labels: dict = field(default_factory=dict)
    cells: dict = field(default_factory=dict)  # (row key, col key) -> components
    _names: list | None = field(default=None, repr=False)
    _sums: tuple | None = field(default=None, repr=False)  # totals, once the cells are complete

    def component_names(self) -> list[str]:
        if self._names is None:
            self._names = list(self.fact.components(self.filters))
        return self._names

    def _totals(self) -> tuple[dict, dict, dict]:
        """Row, column and grand totals, summed in one pass over the cells (and kept:
        ordering and suppression ask for each total many times)."""
        if self._sums is None:
            names = self.component_names()
            rows: dict = {}
            cols: dict = {}
            grand = dict.fromkeys(names, 0)
            for (r, c), comps in self.cells.items():
                row = rows.setdefault(r, dict.fromkeys(names, 0))
                col = cols.setdefault(c, dict.fromkeys(names, 0))
                for k, v in comps.items():
                    row[k] += v
                    col[k] += v
                    grand[k] += v
            self._sums = (rows, cols, grand)
        return self._sums

    def cell(self, r, c=None) -> dict:
        return self.cells.get((r, c)) or dict.fromkeys(self.component_names(), 0)

    def row_total(self, r) -> dict:
        return dict(self._totals()[0].get(r) or dict.fromkeys(self.component_names(), 0))

    def col_total(self, c) -> dict:
        return dict(self._totals()[1].get(c) or dict.fromkeys(self.component_names(), 0))

    def grand_total(self) -> dict:
        return dict(self._totals()[2])

    def value(self, measure: str, r, c=None) -> Any:
        return self.fact.measure(measure).compute(self.cell(r, c))

    @property
    def is_empty(self) -> bool:
        return not self.cells


def crosstab(
    rows: str,
    cols: str | None = None,
    filters: Filters | None = None,
    fact: str = "enrolment",
    *,
    within: tuple[str, ...] | None = None,
) -> CrossTab:
    """Count ``fact`` broken down by ``rows`` (and ``cols``) under ``filters``.

    ``within`` names a wider set of dimensions to group by in SQL; the table is then
    folded from those groups. Pages showing several tables over the same dimensions
    (language, gender, gender × language) pass the same ``within`` and share one query.
    """
    filters = filters or Filters()
    the_fact = facts().get(fact)
    if the_fact is None:
        raise StatsError(f"unknown fact {fact!r}")
    row_dim, col_dim = (_dimension(the_fact, name) if name else None for name in (rows, cols))
    if row_dim is None:
        raise StatsError("choose a dimension for the rows")
    if col_dim is not None and col_dim.name == row_dim.name:
        raise StatsError("choose two different dimensions")
    wanted = [row_dim.base] + ([col_dim.base] if col_dim else [])
    known = dimensions()
    bases = tuple(dict.fromkeys([known[d].base if d in known else d for d in within] if within else wanted))
    if not set(wanted) <= set(bases):
        raise StatsError("within must include the table's dimensions")
    names = list(the_fact.components(filters))
    ri = bases.index(row_dim.base)
    ci = bases.index(col_dim.base) if col_dim else None
    tab = CrossTab(fact=the_fact, rows=row_dim, cols=col_dim, filters=filters, _names=names)
    for keys, values in grouped(the_fact, bases, filters):
        rk = _key(row_dim, keys[ri])
        ck = _key(col_dim, keys[ci]) if col_dim is not None else None
        target = tab.cells.setdefault((rk, ck), dict.fromkeys(names, 0))
        for name, v in zip(names, values, strict=True):
            target[name] += v
    _order(tab)
    return tab


def _dimension(fact: Fact, name: str) -> Dimension:
    dim = dimensions().get(name)
    if dim is None:
        raise StatsError(f"unknown dimension {name!r}")
    if dim.base not in fact.base_keys():
        raise StatsError(f"{fact.name} cannot be broken down by {name}")
    return dim


def grouped_statement(fact: Fact, bases: tuple[str, ...], filters: Filters) -> Select:
    """The one GROUP BY behind a table: base keys, then the fact's summed components."""
    needs_user = filters.needs_user
    key_cols, joins = [], []
    for i, base in enumerate(bases):
        expr, user, join = fact.key_expr(base, filters)
        if join is not None:
            joins.append(join)
        needs_user = needs_user or user
        key_cols.append(expr.label(f"k{i}"))
    comps = fact.components(filters)
    stmt = select(*key_cols, *(expr.label(name) for name, expr in comps.items()))
    stmt = fact.select_from(stmt, needs_user, filters)
    for join in joins:
        stmt = join(stmt)
    stmt = fact.where(stmt, filters)
    if key_cols:
        stmt = stmt.group_by(*(c.element for c in key_cols))
    return stmt


def grouped(fact: Fact, bases: tuple[str, ...], filters: Filters) -> list[tuple[tuple, tuple]]:
    """[(base keys, component sums)] for ``fact`` grouped by ``bases``, kept briefly in the
    shared cache (totals, no person's data).

    The cache is keyed by what was asked and checked against a fingerprint of the
    tables (newest ids and timestamps, each read from one index entry), so a new
    enrolment, a completion or an edited profile shows at once; the time limit bounds
    what the fingerprint cannot see (a learner switching language version, a deletion).
    """
    key = (str(db.engine.url), fact.name, bases, filters)
    memo = g.setdefault("_stats_grouped", {})  # one query per grouping within a request
    if key in memo:
        return memo[key]
    ttl = _cache_seconds()
    fingerprint = None
    if ttl:
        prints = g.setdefault("_stats_fingerprints", {})
        if fact.name not in prints:
            prints[fact.name] = fact.fingerprint()
        fingerprint = prints[fact.name]
    cache_key = "stats-grouped:" + hashlib.sha256(repr(key).encode()).hexdigest()
    if ttl:
        hit = cache.get(cache_key)
        if hit and hit[0] == fingerprint:
            _note_counted_at(hit[2])
            memo[key] = hit[1]
            return hit[1]
    counted_at = utcnow()
    _note_counted_at(counted_at)
    names = list(fact.components(filters))
    n = len(bases)
    out = []
    for row in db.session.execute(grouped_statement(fact, bases, filters)):
        values = row[n:]
        if all(not v for v in values):
            continue  # an aggregate over no rows (no GROUP BY) or nothing counted
        keys = tuple(_plain_key(k) for k in row[:n])
        out.append(
            (
                keys,
                tuple(
                    float(v or 0) if name == "days_total" else int(v or 0)
                    for name, v in zip(names, values, strict=True)
                ),
            )
        )
    if ttl:
        cache.set(cache_key, (fingerprint, out, counted_at), timeout=ttl)
    memo[key] = out
    return out


def _note_counted_at(when: datetime) -> None:
    oldest = g.get("stats_counted_at")
    if oldest is None or when < oldest:
        g.stats_counted_at = when


def counted_at() -> datetime | None:
    """When the oldest counts this request used were read from the database (a cached
    grouping may be up to ``STATS_CACHE_SECONDS`` old): the exports' "data as of"."""
    return g.get("stats_counted_at")


def _plain_key(key):
    """A group key as the dimensions know it: an enum's value, a month as ``2024-03``."""
    if isinstance(key, enum.Enum):
        return key.value
    if isinstance(key, datetime):
        return f"{key.year:04d}-{key.month:02d}"
    return key


def _cache_seconds() -> int:
    app = current_app._get_current_object()  # noqa: SLF001
    return int(app.config.get("STATS_CACHE_SECONDS", 0 if app.testing else 300))


def clear_cache() -> None:
    """Forget the grouped rows kept in the shared cache (with the rest of its content,
    which is rebuilt as it is asked for)."""
    cache.clear()


def clear_request_memo() -> None:
    """Forget the groupings and fingerprints this request has read (a recount starts clean)."""
    g.pop("_stats_grouped", None)
    g.pop("_stats_fingerprints", None)
    g.pop("stats_counted_at", None)


def _key(dim: Dimension, raw):
    return dim.fold(raw) if dim.fold else raw


def period_range(dim: str, keys: set) -> set:
    """Every period from the first to the last key, so a time axis has no silent gaps."""
    known = sorted(k for k in keys if k)
    if dim not in ("month", "quarter", "year") or len(known) < 2:
        return keys
    y, last_y = int(known[0][:4]), int(known[-1][:4])
    out = set(keys)
    if dim == "year":
        out |= {str(v) for v in range(y, last_y + 1)}
        return out
    step_max = 12 if dim == "month" else 4
    n = int(known[0][-2:] if dim == "month" else known[0][-1])
    while True:
        key = f"{y}-{n:02d}" if dim == "month" else f"{y}-Q{n}"
        out.add(key)
        if key == known[-1]:
            return out
        n += 1
        if n > step_max:
            y, n = y + 1, 1


def _order(tab: CrossTab) -> None:
    row_keys = period_range(tab.rows.name, {r for r, _c in tab.cells})
    col_keys = period_range(tab.cols.name, {c for _r, c in tab.cells}) if tab.cols else {None}
    tab.row_labels = tab.rows.labels(row_keys)
    tab.col_labels = tab.cols.labels(col_keys) if tab.cols else {None: ""}
    primary = tab.fact.measures[0].counts[0]

    def ordered(dim, keys, labels, total):
        if dim.order == "natural":
            return sorted(keys, key=dim.natural_key)
        return sorted(keys, key=lambda k: (-total(k)[primary], k is None, labels[k].casefold()))

    tab.row_keys = ordered(tab.rows, row_keys, tab.row_labels, tab.row_total)
    tab.col_keys = ordered(tab.cols, col_keys, tab.col_labels, tab.col_total) if tab.cols else [None]
