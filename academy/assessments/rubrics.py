"""Rubric building (validated) and scoring.

``build_rubric`` turns a plain description (from YAML, a form, the demo data) into rows,
refusing rubrics that could not be graded fairly: no criteria, a criterion without
levels, levels whose points do not rise with their order, a threshold above the maximum.
``score`` computes the total for a set of picked levels and says whether it passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from academy.assessments.rubric_models import Rubric, RubricCriterion, RubricLevel
from academy.extensions import db


class RubricError(ValueError):
    """The rubric description is not usable; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def validate_spec(spec: dict) -> list[str]:
    """Every problem with a rubric description, as English sentences (empty: fine)."""
    problems: list[str] = []
    title = str(spec.get("title") or "").strip()
    if not title:
        problems.append("The rubric needs a title.")
    criteria = spec.get("criteria") or []
    if not isinstance(criteria, list) or not criteria:
        problems.append("The rubric needs at least one criterion.")
        return problems
    maximum = 0
    seen_titles: set[str] = set()
    for ci, crit in enumerate(criteria, start=1):
        if not isinstance(crit, dict):
            problems.append(f"Criterion {ci} is not a mapping.")
            continue
        ctitle = str(crit.get("title") or "").strip()
        if not ctitle:
            problems.append(f"Criterion {ci} needs a title.")
        elif ctitle.lower() in seen_titles:
            problems.append(f"Criterion {ci} repeats the title “{ctitle}”.")
        seen_titles.add(ctitle.lower())
        levels = crit.get("levels") or []
        if not isinstance(levels, list) or not levels:
            problems.append(f"Criterion “{ctitle or ci}” has no levels.")
            continue
        if len(levels) < 2:
            problems.append(f"Criterion “{ctitle or ci}” needs at least two levels.")
        previous = None
        level_titles: set[str] = set()
        for li, level in enumerate(levels, start=1):
            if not isinstance(level, dict):
                problems.append(f"Level {li} of “{ctitle or ci}” is not a mapping.")
                continue
            ltitle = str(level.get("title") or "").strip()
            if not ltitle:
                problems.append(f"Level {li} of “{ctitle or ci}” needs a title.")
            elif ltitle.lower() in level_titles:
                problems.append(f"Criterion “{ctitle or ci}” repeats the level “{ltitle}”.")
            level_titles.add(ltitle.lower())
            points = level.get("points")
            if not isinstance(points, int) or isinstance(points, bool) or points < 0:
                problems.append(f"Level {li} of “{ctitle or ci}” needs whole, non-negative points.")
                continue
            if previous is not None and points <= previous:
                problems.append(f"The levels of “{ctitle or ci}” must be ordered by rising points.")
            previous = points
        if previous is not None:
            maximum += max(lv.get("points", 0) for lv in levels if isinstance(lv, dict)
                           and isinstance(lv.get("points"), int))
        min_level = crit.get("min_level")
        if min_level is not None and not any(
            isinstance(lv, dict) and str(lv.get("title", "")).strip().lower() == str(min_level).strip().lower()
            for lv in levels
        ):
            problems.append(f"The minimum level “{min_level}” of “{ctitle or ci}” is not one of its levels.")
    threshold = spec.get("pass_threshold")
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 0:
        problems.append("The pass threshold must be a whole, non-negative number of points.")
    elif not problems and threshold > maximum:
        problems.append(f"The pass threshold ({threshold}) is above the maximum total ({maximum}).")
    return problems


def build_rubric(spec: dict) -> Rubric:
    """Create a rubric (added and flushed) from a description; raises RubricError.

    ``spec``: {title, pass_threshold, criteria: [{title, description?, min_level?,
    levels: [{title, points, descriptor?}, …] lowest first]}}.
    """
    problems = validate_spec(spec)
    if problems:
        raise RubricError(problems)
    rubric = Rubric(title=spec["title"].strip(), pass_threshold=spec["pass_threshold"])
    for ci, crit in enumerate(spec["criteria"], start=1):
        criterion = RubricCriterion(position=ci, title=crit["title"].strip(),
                                    description=str(crit.get("description") or "").strip())
        for li, level in enumerate(crit["levels"], start=1):
            criterion.levels.append(RubricLevel(position=li, title=level["title"].strip(), points=level["points"],
                                                descriptor=str(level.get("descriptor") or "").strip()))
            if crit.get("min_level") and level["title"].strip().lower() == str(crit["min_level"]).strip().lower():
                criterion.min_level_position = li
        rubric.criteria.append(criterion)
    db.session.add(rubric)
    db.session.flush()
    return rubric


@dataclass
class RubricScore:
    total: int
    maximum: int
    threshold: int
    meets_threshold: bool
    #: criteria graded below their minimum level
    below_minimum: list[RubricCriterion] = field(default_factory=list)
    #: criteria without a picked level
    missing: list[RubricCriterion] = field(default_factory=list)

    @property
    def passes(self) -> bool:
        return self.meets_threshold and not self.below_minimum and not self.missing

    @property
    def shortfalls(self) -> list[str]:
        """Why the work does not meet the rubric, in the reader's language."""
        out = []
        if not self.meets_threshold:
            out.append(str(_l("The total (%(total)s) is below the pass threshold (%(threshold)s).",
                              total=self.total, threshold=self.threshold)))
        for c in self.below_minimum:
            out.append(str(_l("“%(criterion)s” is below the minimum level “%(level)s”.",
                              criterion=c.title, level=c.min_level.title if c.min_level else "")))
        for c in self.missing:
            out.append(str(_l("No level chosen for “%(criterion)s”.", criterion=c.title)))
        return out


def score(rubric: Rubric, picked: dict[int, int | None]) -> RubricScore:
    """Total and verdict for ``picked`` (criterion id → level id); unknown level ids count as missing."""
    total = 0
    below, missing = [], []
    for criterion in rubric.criteria:
        level_id = picked.get(criterion.id)
        level = next((lv for lv in criterion.levels if lv.id == level_id), None)
        if level is None:
            missing.append(criterion)
            continue
        total += level.points
        if criterion.min_level_position is not None and level.position < criterion.min_level_position:
            below.append(criterion)
    return RubricScore(total=total, maximum=rubric.max_points, threshold=rubric.pass_threshold,
                       meets_threshold=total >= rubric.pass_threshold, below_minimum=below, missing=missing)


def marks_from_form(rubric: Rubric, formdata) -> tuple[dict[int, int], dict[int, str]]:
    """What a grading form posted for ``rubric``: criterion id → the level id picked
    (``level-<id>``; absent when none was), and criterion id → its feedback
    (``criterion-feedback-<id>``, cut at 10,000 characters)."""
    picks: dict[int, int] = {}
    feedback: dict[int, str] = {}
    for c in rubric.criteria:
        raw = formdata.get(f"level-{c.id}", "")
        if raw.isdigit():
            picks[c.id] = int(raw)
        feedback[c.id] = formdata.get(f"criterion-feedback-{c.id}", "")[:10_000]
    return picks, feedback


# --- the rubric as text, for the authoring form -----------------------------------------
#
# One criterion per line, its levels below it, lowest first, each starting with "-":
#
#     Search strategy | Adequate            <- criterion | optional minimum level
#     - Insufficient | 0 | No documented strategy.
#     - Adequate | 2 | Keywords and one classification.
#
# A textarea works without JavaScript, keeps everything the admin typed when the form is
# refused, and lets each problem be reported with the line it is on.


@dataclass
class ParsedRubric:
    criteria: list[dict]
    #: (line number, message in the reader's language)
    errors: list[tuple[int, str]]

    @property
    def max_points(self) -> int:
        return sum(max((lv["points"] for lv in c["levels"]), default=0) for c in self.criteria)


def rubric_to_text(rubric: Rubric) -> str:
    """The rubric in the authoring format (what ``parse_rubric_text`` reads back)."""
    lines = []
    for c in rubric.criteria:
        lines.append(f"{c.title} | {c.min_level.title}" if c.min_level else c.title)
        for lv in c.levels:
            parts = [lv.title, str(lv.points)] + ([lv.descriptor] if lv.descriptor else [])
            lines.append("- " + " | ".join(parts))
        lines.append("")
    return "\n".join(lines).strip() + "\n"


def example_rubric_text() -> str:
    """A two-criterion rubric in the authoring format, in the reader's language, shown beside
    the form. Only the leading "-", the "|" separators and the points are syntax; the titles
    and descriptors are free text. The minimum level reuses its level's translated title, so
    the example parses in every language as it is shown."""
    from flask_babel import pgettext

    # Literal calls outside the f-strings, so that the extractor finds each text; the context
    # tells translators these are the words of a sample rubric.
    criterion_1 = pgettext("rubric example", "Search strategy")
    insufficient = pgettext("rubric example", "Insufficient")
    adequate = pgettext("rubric example", "Adequate")
    good = pgettext("rubric example", "Good")
    excellent = pgettext("rubric example", "Excellent")
    criterion_2 = pgettext("rubric example", "Report for the client")
    unclear = pgettext("rubric example", "Unclear")
    clear = pgettext("rubric example", "Clear")
    no_strategy = pgettext("rubric example", "No documented strategy.")
    keywords = pgettext("rubric example", "Keywords and one classification.")
    synonyms = pgettext("rubric example", "Synonyms, classes, citations.")
    complete = pgettext("rubric example", "Complete and reproducible.")
    conclusion = pgettext("rubric example", "A conclusion the client can act on.")
    lines = [
        f"{criterion_1} | {adequate}",
        f"- {insufficient} | 0 | {no_strategy}",
        f"- {adequate} | 2 | {keywords}",
        f"- {good} | 3 | {synonyms}",
        f"- {excellent} | 4 | {complete}",
        "",
        criterion_2,
        f"- {unclear} | 0",
        f"- {clear} | 2 | {conclusion}",
    ]
    return "\n".join(lines)


def parse_rubric_text(text: str) -> ParsedRubric:
    """Criteria and levels from the authoring format, with every problem and its line number."""
    from flask_babel import gettext as _

    criteria: list[dict] = []
    errors: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("-"):
            if not criteria:
                errors.append((number, _("A level must come after the criterion it belongs to.")))
                continue
            crit = criteria[-1]
            parts = [p.strip() for p in line[1:].split("|", 2)]
            if len(parts) < 2 or not parts[0]:
                errors.append((number, _("Write a level as “- title | points | descriptor”.")))
                continue
            title, points_text = parts[0], parts[1]
            if not points_text.isdigit():
                errors.append((number, _("The points must be a whole number of 0 or more.")))
                continue
            points = int(points_text)
            if len(title) > 100:
                errors.append((number, _("The level title is too long (at most %(max)s characters).", max=100)))
            if title.lower() in {lv["title"].lower() for lv in crit["levels"]}:
                errors.append((number, _("“%(criterion)s” already has a level “%(level)s”.",
                                         criterion=crit["title"], level=title)))
            if crit["levels"] and points <= crit["levels"][-1]["points"]:
                errors.append((number, _("The points must rise from one level to the next: %(points)s is not "
                                         "above %(previous)s.", points=points,
                                         previous=crit["levels"][-1]["points"])))
            crit["levels"].append({"title": title, "points": points,
                                   "descriptor": parts[2] if len(parts) > 2 else ""})
            continue
        title, _sep, minimum = (p.strip() for p in line.partition("|"))
        if not title:
            errors.append((number, _("Write a criterion as “title” or “title | minimum level”.")))
            continue
        if len(title) > 200:
            errors.append((number, _("The criterion title is too long (at most %(max)s characters).", max=200)))
        if title.lower() in {c["title"].lower() for c in criteria}:
            errors.append((number, _("The criterion “%(criterion)s” appears twice.", criterion=title)))
        criteria.append({"title": title, "min_level": minimum or None, "levels": [], "line": number})
    for crit in criteria:
        if len(crit["levels"]) < 2:
            errors.append((crit["line"], _("“%(criterion)s” needs at least two levels, each on a line starting "
                                           "with “-”.", criterion=crit["title"])))
        if crit["min_level"] and crit["min_level"].lower() not in {lv["title"].lower() for lv in crit["levels"]}:
            errors.append((crit["line"], _("The minimum level “%(level)s” is not one of the levels of "
                                           "“%(criterion)s”.", level=crit["min_level"], criterion=crit["title"])))
    errors.sort(key=lambda e: e[0])
    return ParsedRubric(criteria=[{k: v for k, v in c.items() if k != "line"} for c in criteria], errors=errors)
