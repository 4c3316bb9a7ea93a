"""Filter and cross-tab forms (GET: bookmarkable, no JavaScript needed) and the export form."""

from __future__ import annotations

from functools import lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import literal_column, null, select, union_all
from wtforms import BooleanField, DateField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, ValidationError

from academy.core.enums import Gender
from academy.core.forms import AcademyForm
from academy.core.i18n import country_choices, language_name
from academy.courses.models import Course
from academy.extensions import cache, db
from academy.stats import regions
from academy.stats.queries import Filters, dimensions, fact_for_measure, facts
from academy.stats.tables import Suppression, default_suppression


def _choices(pairs) -> list:
    """Select options as SelectChoice objects (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


@lru_cache(maxsize=1)
def _course_and_cohort_statement():
    """Courses and cohorts in one statement (one round trip on every view): courses first
    by code, then cohorts by programme, start and name. Built once: it has no parameters,
    and building the union cost as much as running it."""
    from academy.certification.models import CertificationProgramme, Cohort

    courses = select(literal_column("0").label("kind"), Course.id, Course.code.label("label"),
                     null().label("programme"), Course.code.label("s1"), null().label("s2"), null().label("s3"))
    cohorts = (
        select(literal_column("1"), Cohort.id, Cohort.name, CertificationProgramme.code,
               CertificationProgramme.code, Cohort.starts_on, Cohort.name)
        .join(CertificationProgramme, CertificationProgramme.id == Cohort.programme_id)
    )
    union = union_all(courses, cohorts).subquery()
    return (select(union.c.kind, union.c.id, union.c.label, union.c.programme)
            .order_by(union.c.kind, union.c.s1, union.c.s2, union.c.s3))


def choice_rows() -> tuple[tuple, tuple]:
    """The courses (id, code) and cohorts (id, name, programme code) the filters offer, as
    plain tuples, kept in the shared cache for ``STATS_CHOICES_SECONDS`` (60; as the admin
    totals are): a course or cohort added in another process shows in the filters within a
    minute, as its figures do when the snapshot is recounted. Codes and names only."""
    seconds = int(current_app.config.get("STATS_CHOICES_SECONDS", 0 if current_app.testing else 60))
    key = f"stats-choices:{db.engine.url}"
    hit = cache.get(key) if seconds else None
    if hit is not None:
        return hit
    rows = db.session.execute(_course_and_cohort_statement()).all()
    fresh = (tuple((cid, label) for kind, cid, label, _p in rows if kind == 0),
             tuple((cid, label, programme) for kind, cid, label, programme in rows if kind == 1))
    if seconds:
        cache.set(key, fresh, timeout=seconds)
    return fresh


def _cohort_choices(rows) -> list[tuple[str, str]]:
    return [("", str(_l("All cohorts")))] + [(str(cid), f"{code} — {name}") for cid, name, code in rows]


def _course_choices(rows) -> list[tuple[str, str]]:
    return [("", str(_l("All courses")))] + [(str(cid), code) for cid, code in rows]


class FilterFields:
    """The filters every statistics page shares (mixed into the forms below)."""

    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    basis = SelectField(
        _l("Dates refer to"),
        choices=_choices([("enrolment", _l("Enrolment date")), ("completion", _l("Completion date"))]),
        default="enrolment",
    )
    course = SelectField(_l("Course"), choices=[], default="")
    language = SelectField(_l("Course language"), choices=[], default="")
    gender = SelectField(_l("Gender"), choices=[], default="")
    country = SelectField(_l("Country"), choices=[], default="")
    region = SelectField(_l("Region"), choices=[], default="")
    cohort = SelectField(_l("Cohort"), choices=[], default="")
    suppression = SelectField(
        _l("Small-cell suppression"),
        choices=_choices(
            [
                ("auto", _l("Automatic (on for gender by country, TISC or cohort)")),
                ("on", _l("On")),
                ("off", _l("Off")),
            ]
        ),
        default="auto",
    )
    threshold = IntegerField(_l("Hide counts below"), default=5, validators=[Optional(), NumberRange(2, 100)])

    def __init__(self, *args, choices: tuple[tuple, tuple] | None = None, **kwargs):
        super().__init__(*args, **kwargs)

        course_rows, cohort_rows = choices or choice_rows()
        self.course.choices = _choices(_course_choices(course_rows))
        self.language.choices = _choices(
            [("", str(_l("All languages")))] + [(code, language_name(code)) for code in current_app.config["LANGUAGES"]]
        )
        self.gender.choices = _choices([("", str(_l("All genders")))] + Gender.choices())
        self.country.choices = _choices([("", str(_l("All countries")))] + country_choices())
        self.region.choices = _choices(
            [("", str(_l("All regions")))] + [(r, regions.region_title(r)) for r in regions.region_order()]
        )
        self.cohort.choices = _choices(_cohort_choices(cohort_rows))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))

    def filters(self) -> Filters:
        return Filters(
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            basis=self.basis.data if self.basis.data in ("enrolment", "completion") else "enrolment",
            course_ids=(int(self.course.data),) if self.course.data else (),
            languages=(self.language.data,) if self.language.data else (),
            genders=(self.gender.data,) if self.gender.data else (),
            countries=(self.country.data,) if self.country.data else (),
            regions=(self.region.data,) if self.region.data else (),
            cohort_ids=(int(self.cohort.data),) if self.cohort.data else (),
        )

    def suppression_for(self, rows: str, cols: str | None) -> Suppression:
        threshold = self.threshold.data or 5
        mode = self.suppression.data
        enabled = default_suppression(rows, cols) if mode not in ("on", "off") else mode == "on"
        return Suppression(enabled=enabled, threshold=threshold)


class StatsFilterForm(FilterFields, AcademyForm):
    """Sent by GET, so it carries no CSRF token: it changes nothing, and its URL is a
    bookmark of the view."""

    class Meta:
        csrf = False

    def refuse_unknown(self, args, also: tuple[str, ...] = ()) -> bool:
        """Record a form error for each query parameter no field reads; False if any.

        A misspelt filter (``gendre=woman``) would otherwise be ignored without a word,
        and the page would show everyone's figures under a heading the reader takes for
        the filtered ones."""
        known = {f.name for f in self} | set(also)
        unknown = sorted({name for name in args if name not in known})
        for name in unknown:
            # i18n: a parameter in the page's address that the page does not know
            self.form_errors.append(_l("Unknown parameter “%(name)s” in the address.", name=name))
        return not unknown

    def problems(self) -> dict[str, list[str]]:
        """Every error by the name of the parameter it concerns ("" for the address as a whole)."""
        return {name: [str(e) for e in errors] for name, errors in self.errors.items()}


class CrossTabForm(StatsFilterForm):
    rows = SelectField(_l("Rows"), choices=[], default="gender")
    cols = SelectField(_l("Columns"), choices=[], default="language")
    measure = SelectField(_l("Show"), choices=[], default="enrolments")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        dims = [(name, str(d.label)) for name, d in dimensions().items()]
        self.rows.choices = _choices(dims)
        self.cols.choices = _choices([("", str(_l("(none)")))] + dims)
        self.measure.choices = _choices([(m.name, str(m.label)) for f in facts().values() for m in f.measures])

    def validate_cols(self, field):
        if field.data and field.data == self.rows.data:
            raise ValidationError(_l("Choose two different dimensions."))

    def validate_measure(self, field):
        if field.errors:  # not one of the measures: the choice check has said so already
            return
        fact = fact_for_measure(field.data)
        supported = set(fact.dimension_names())
        for dim in (self.rows.data, self.cols.data):
            if dim and dim not in supported:
                known = dimensions()
                labels = ", ".join(str(known[d].label) for d in known if d in supported)
                raise ValidationError(_l("This measure can be broken down by: %(dims)s.", dims=labels))


class LearnerExportForm(FilterFields, AcademyForm):
    """The learner-level export: POSTed with a CSRF token, since it can carry personal data."""

    include_personal = BooleanField(_l("Include names and email addresses"))
    format = SelectField(_l("Format"), choices=_choices([("csv", "CSV"), ("xlsx", "XLSX (Excel)")]), default="csv")


class RefreshForm(AcademyForm):
    """The dashboard's "Refresh now" button: a POST with its CSRF token, no fields."""
