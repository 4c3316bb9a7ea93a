"""From a cross-tab to a table of cells: the one shape the page, the CSV and the XLSX share.

Small-cell suppression happens here, so every output shows the same hidden cells:
a count below the threshold (but above zero) becomes "<5"; when a row or column then
has exactly one hidden cell, the next smallest count in it is hidden too ("x"), or the
total would give the small one away; statistics computed from a hidden count (a rate, an
average) are hidden as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from academy.stats.queries import CrossTab

SMALL = "small"  # below the threshold
COMPLEMENTARY = "complementary"  # hidden so that a small one cannot be worked out


@dataclass(frozen=True)
class Suppression:
    enabled: bool = False
    threshold: int = 5

    @property
    def marker(self) -> str:
        return f"<{self.threshold}"


COMPLEMENTARY_MARKER = "x"
DERIVED_MARKER = "–"  # a rate or average computed from a hidden count


def default_suppression(rows: str, cols: str | None) -> bool:
    """On by default where few people share a cell: gender crossed with a place or a
    cohort (a cohort is a few dozen people)."""
    dims = {rows, cols}
    return "gender" in dims and bool(dims & {"country", "tisc", "cohort"})


@dataclass
class Table:
    """A rectangular table: header, body rows, and an optional total row.

    Cells hold int, float, str (a label or a suppression marker) or None (no value).
    ``kinds`` says per column what the numbers are: label, count, percent or days.
    """

    title: str
    header: list[str]
    kinds: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    keys: list[Any] = field(default_factory=list)  # the row keys (for charts and tests)
    total: list[Any] | None = None
    notes: list[str] = field(default_factory=list)
    suppressed: bool = False

    def all_rows(self) -> list[list[Any]]:
        return self.rows + ([self.total] if self.total else [])

    def column(self, index: int) -> list[Any]:
        return [r[index] for r in self.rows]


def _suppress_matrix(matrix: dict, lines: list[list], threshold: int) -> dict:
    """Mark cells of ``matrix`` (key -> count) as SMALL or COMPLEMENTARY.

    ``lines`` are the groups of keys that add up to a published total (rows, columns).
    """
    hidden = {k: SMALL for k, v in matrix.items() if 0 < v < threshold}
    changed = True
    while changed:
        changed = False
        for line in lines:
            in_line = [k for k in line if k in hidden]
            if len(in_line) != 1:
                continue
            candidates = sorted((matrix.get(k, 0), str(k)) for k in line if k not in hidden and matrix.get(k, 0) > 0)
            if not candidates:
                continue
            # The smallest other count in the line, found again by key.
            count, _ = candidates[0]
            key = next(k for k in line if k not in hidden and matrix.get(k, 0) == count)
            hidden[key] = COMPLEMENTARY
            changed = True
    return hidden


def _marker(state: str, supp: Suppression) -> str:
    return supp.marker if state == SMALL else COMPLEMENTARY_MARKER


def one_way(tab: CrossTab, measures: list[str], title: str, supp: Suppression | None = None) -> Table:
    """Rows = the row dimension's values; columns = several measures; a total row."""
    supp = supp or Suppression()
    fact = tab.fact
    ms = [fact.measure(m) for m in measures]
    table = Table(
        title=title,
        header=[str(tab.rows.label), *(str(m.label) for m in ms)],
        kinds=["label", *(m.kind for m in ms)],
        keys=list(tab.row_keys),
        suppressed=supp.enabled,
    )
    hidden: dict[str, dict] = {}
    if supp.enabled:
        total_key = ("__total__",)
        for comp in {c for m in ms for c in m.counts}:
            matrix = {r: tab.cell(r)[comp] for r in tab.row_keys}
            matrix[total_key] = tab.grand_total()[comp]
            hidden[comp] = _suppress_matrix(matrix, [list(tab.row_keys)], supp.threshold)

    def cells(key, comps):
        out = []
        for m in ms:
            states = [hidden.get(c, {}).get(key) for c in m.counts]
            if m.kind == "count" and states[0]:
                out.append(_marker(states[0], supp))
            elif m.kind != "count" and any(states):
                out.append(DERIVED_MARKER)
            else:
                out.append(m.compute(comps))
        return out

    for r in tab.row_keys:
        table.rows.append([tab.row_labels[r], *cells(r, tab.cell(r))])
    if tab.row_keys:
        table.total = [str(_l("Total")), *cells(("__total__",), tab.grand_total())]
    _add_notes(table, supp)
    return table


def two_way(tab: CrossTab, measure: str, title: str, supp: Suppression | None = None) -> Table:
    """Rows × columns of one measure, with row and column totals."""
    supp = supp or Suppression()
    m = tab.fact.measure(measure)
    col_keys = list(tab.col_keys)
    table = Table(
        title=title,
        header=[
            f"{tab.rows.label} / {tab.cols.label}",
            *(tab.col_labels[c] for c in col_keys),
            str(_l("Total")),
        ],
        kinds=["label", *([m.kind] * (len(col_keys) + 1))],
        keys=list(tab.row_keys),
        suppressed=supp.enabled,
    )
    T = "__total__"
    hidden: dict[str, dict] = {}
    if supp.enabled:
        for comp in m.counts:
            matrix = {}
            for r in tab.row_keys:
                for c in col_keys:
                    matrix[(r, c)] = tab.cell(r, c)[comp]
                matrix[(r, T)] = tab.row_total(r)[comp]
            for c in col_keys:
                matrix[(T, c)] = tab.col_total(c)[comp]
            matrix[(T, T)] = tab.grand_total()[comp]
            rows = [r for r in tab.row_keys] + [T]
            cols = col_keys + [T]
            lines = [[(r, c) for c in cols] for r in rows] + [[(r, c) for r in rows] for c in cols]
            hidden[comp] = _suppress_matrix(matrix, lines, supp.threshold)

    def value(key, comps):
        states = [hidden.get(c, {}).get(key) for c in m.counts]
        if m.kind == "count" and states[0]:
            return _marker(states[0], supp)
        if m.kind != "count" and any(states):
            return DERIVED_MARKER
        return m.compute(comps)

    for r in tab.row_keys:
        row = [tab.row_labels[r]]
        row += [value((r, c), tab.cell(r, c)) for c in col_keys]
        row.append(value((r, T), tab.row_total(r)))
        table.rows.append(row)
    if tab.row_keys:
        total = [str(_l("Total"))]
        total += [value((T, c), tab.col_total(c)) for c in col_keys]
        total.append(value((T, T), tab.grand_total()))
        table.total = total
    _add_notes(table, supp)
    return table


def _add_notes(table: Table, supp: Suppression) -> None:
    if not supp.enabled:
        return
    flat = [c for row in table.all_rows() for c in row[1:]]
    if supp.marker in flat:
        table.notes.append(
            str(
                _l(
                    "%(marker)s: fewer than %(n)d people, hidden so nobody can be singled out.",
                    marker=supp.marker,
                    n=supp.threshold,
                )
            )
        )
    if COMPLEMENTARY_MARKER in flat:
        table.notes.append(
            str(
                _l(
                    "%(marker)s: hidden so a small count cannot be worked out from the totals.",
                    marker=COMPLEMENTARY_MARKER,
                )
            )
        )
    if DERIVED_MARKER in flat:
        table.notes.append(
            str(
                _l(
                    "%(marker)s: not shown because it is computed from a hidden count.",
                    marker=DERIVED_MARKER,
                )
            )
        )
