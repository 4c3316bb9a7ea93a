"""CSV and XLSX writers that keep memory flat, and the learner-level enrolment rows.

Statistics tables are small (one row per dimension value) but go through the same
writers as the learner-level export, which can be hundreds of thousands of rows: CSV is
produced row by row from a cursor read in batches (``yield_per``), XLSX is written by
openpyxl in write-only mode to a temporary file and then streamed in chunks.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Response
from flask_babel import lazy_gettext as _l
from sqlalchemy import Numeric, String, case, cast, func, select, type_coerce

from academy.auth.models import Tisc, User
from academy.core.enums import EnrollmentStatus
from academy.core.models import utcnow
from academy.courses.models import Course, Enrollment
from academy.extensions import db
from academy.stats import regions
from academy.stats.queries import Filters, counted_at, days_between, dimensions, facts
from academy.stats.tables import Table

FORMATS = ("csv", "xlsx")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BATCH = 2000
CHUNK = 64 * 1024
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """Stop spreadsheet formula injection: text that starts like a formula gets a quote.

    Names and TISC names are typed by people; a name such as ``=HYPERLINK(…)`` must
    reach the spreadsheet as text, not as a formula. Numbers pass unchanged.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def table_rows(table: Table) -> Iterator[list[Any]]:
    """The table as plain rows: header, body, total. What the page shows, cell for cell."""
    yield list(table.header)
    for row in table.all_rows():
        yield [safe_text(c) for c in row]


# ------------------------------------------------------------------------------- CSV


def csv_chunks(rows: Iterable[list[Any]], size: int = CHUNK) -> Iterator[bytes]:
    """CSV bytes (RFC 4180, CRLF, a BOM first so Excel reads UTF-8) in chunks of about
    ``size``: rows are written by the csv module in C, a few hundred at a time, into one
    buffer that is handed out and emptied whenever it is full."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    buf.write("\ufeff")
    it = iter(rows)
    while True:
        before = buf.tell()
        writer.writerows(itertools.islice(it, 256))  # None is written as an empty field
        if buf.tell() == before:
            break
        if buf.tell() >= size:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    if buf.tell():
        yield buf.getvalue().encode("utf-8")


def write_csv(rows: Iterable[list[Any]], path: str) -> int:
    n = 0
    with open(path, "wb") as fh:
        for chunk in csv_chunks(rows):
            fh.write(chunk)
            n += 1
    return n


# ------------------------------------------------------------------------------ XLSX


def write_xlsx(
    rows: Iterable[list[Any]],
    path: str,
    *,
    sheet: str = "Data",
    about: list[tuple[str, str]] | None = None,
) -> None:
    """Write rows to an XLSX file in openpyxl's write-only (constant memory) mode."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet[:31])
    for row in rows:
        ws.append([_xlsx_cell(c) for c in row])
    if about:
        info = wb.create_sheet(title=str(_l("About"))[:31])
        for key, value in about:
            info.append([key, value])
    wb.save(path)


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no time zones; every datetime here is UTC
    return value


def xlsx_tempfile(rows: Iterable[list[Any]], **kwargs) -> str:
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="academy-export-")
    os.close(fd)
    try:
        write_xlsx(rows, path, **kwargs)
    except BaseException:
        os.unlink(path)
        raise
    return path


def stream_file(path, size: int = CHUNK) -> Iterator[bytes]:
    """A file's bytes in chunks; opened on the first chunk, closed after the last."""
    with open(path, "rb") as fh:
        while chunk := fh.read(size):
            yield chunk


def stream_file_then_delete(path: str, size: int = CHUNK) -> Iterator[bytes]:
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(size):
                yield chunk
    finally:
        os.unlink(path)


def table_bytes(table: Table, fmt: str) -> bytes:
    """A whole table in memory: only for the small statistics tables (tests, CLI)."""
    if fmt == "csv":
        return b"".join(csv_chunks(table_rows(table)))
    path = xlsx_tempfile(table_rows(table), sheet=table.title, about=about_rows(table, as_of=counted_at()))
    return b"".join(stream_file_then_delete(path))


# Filters -> (the label the filter form shows, the dimension whose labels name the values).
FILTER_LABELS = (
    ("course_ids", _l("Course"), "course"),
    ("languages", _l("Course language"), "language"),
    ("genders", _l("Gender"), "gender"),
    ("countries", _l("Country"), "country"),
    ("regions", _l("Region"), "region"),
    ("tisc_ids", _l("TISC"), "tisc"),
    ("cohort_ids", _l("Cohort"), "cohort"),
)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def filter_rows(filters: Filters) -> list[tuple[str, str]]:
    """The filters as a reader of the file needs them: the labels of the filter form and
    the names of courses, languages, countries… rather than ids and codes."""
    rows: list[tuple[str, str]] = []
    if filters.date_from:
        rows.append((str(_l("From")), filters.date_from.isoformat()))
    if filters.date_to:
        rows.append((str(_l("To")), filters.date_to.isoformat()))
    basis = _l("Completion date") if filters.basis == "completion" else _l("Enrolment date")
    rows.append((str(_l("Dates refer to")), str(basis)))
    for attr, label, dimension in FILTER_LABELS:
        keys = list(getattr(filters, attr))
        if not keys:
            continue
        dim = dimensions().get(dimension)
        names = dim.labels(keys) if dim is not None else {}
        rows.append((str(label), ", ".join(str(names.get(k, k)) for k in keys)))
    if len(rows) == 1 and filters.basis != "completion":
        rows.append((str(_l("Filters")), str(_l("None: everything recorded is counted"))))
    return rows


def about_rows(
    table: Table | None,
    filters: Filters | None = None,
    *,
    as_of: datetime | None = None,
    generated_at: datetime | None = None,
    contents: str | None = None,
) -> list[tuple[str, str]]:
    """The "About" sheet: what the table is, when its data was read, when the file was
    made, and every filter applied, so a copy passed on still says what it counts."""
    generated_at = generated_at or utcnow()
    rows = [(str(_l("Table")), table.title if table is not None else str(contents or LEARNER_CONTENTS))]
    rows.append((str(_l("Data as of")), _utc(as_of or generated_at)))
    rows.append((str(_l("Generated")), _utc(generated_at)))
    rows += filter_rows(filters or Filters())
    if table is not None:
        rows += [("", note) for note in table.notes]
    return rows


# ------------------------------------------------------------------ learner-level rows

LEARNER_CONTENTS = _l("Enrolments, one row per enrolment")

LEARNER_COLUMNS = [
    ("enrolment_id", _l("Enrolment")),
    ("learner_ref", _l("Learner number")),
    ("course", _l("Course")),
    ("language", _l("Course language")),
    ("status", _l("Status")),
    ("enrolled_at", _l("Enrolled (UTC)")),
    ("completed_at", _l("Completed (UTC)")),
    ("days_to_complete", _l("Days to complete")),
    ("progress_percent", _l("Progress (%)")),
    ("final_score", _l("Final score")),
    ("gender", _l("Gender")),
    ("country", _l("Country")),
    ("region", _l("Region")),
    ("tisc", _l("TISC")),
]
PERSONAL_COLUMNS = [("full_name", _l("Name")), ("email", _l("Email"))]


def learner_header(include_personal: bool) -> list[str]:
    cols = LEARNER_COLUMNS + (PERSONAL_COLUMNS if include_personal else [])
    return [str(label) for _key, label in cols]


def _iso_text(column):
    """A UTC datetime column as ISO 8601 text, formatted by the database.

    The CSV export passes these strings through untouched: parsing 250,000 pairs of
    datetimes in Python only to print them again would triple the export's time.
    """
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    # SQLite stores "2024-01-10 09:00:00.000000" (UTC): re-cut it.
    return func.substr(column, 1, 10).op("||")("T").op("||")(func.substr(column, 12, 8)).op("||")("Z")


def learner_statement(filters: Filters, include_personal: bool, *, as_text: bool = True):
    """One row per enrolment. ``as_text``: dates as ISO text and enums as their stored
    strings, so rows go to CSV without any per-value conversion in Python."""
    completed = Enrollment.status == EnrollmentStatus.COMPLETED
    days = func.round(cast(days_between(Enrollment.enrolled_at, Enrollment.completed_at), Numeric), 1)
    if as_text:
        dates = [_iso_text(Enrollment.enrolled_at), _iso_text(Enrollment.completed_at)]
        status, gender = type_coerce(Enrollment.status, String), type_coerce(User.gender, String)
    else:
        dates = [Enrollment.enrolled_at, Enrollment.completed_at]
        status, gender = Enrollment.status, User.gender
    cols = [
        Enrollment.id,
        Enrollment.user_id,
        Course.code,
        Enrollment.language,
        status,
        *dates,
        case((completed, days), else_=None),
        Enrollment.progress_percent,
        Enrollment.final_score,
        gender,
        User.country_code,
        Tisc.name,
    ]
    if include_personal:
        cols += [User.full_name, User.email]
    stmt = (
        select(*cols)
        .select_from(Enrollment)
        .join(User, User.id == Enrollment.user_id)
        .join(Course, Course.id == Enrollment.course_id)
        .outerjoin(Tisc, Tisc.id == User.tisc_id)
    )
    stmt = facts()["enrolment"].where(stmt, filters)
    return stmt.order_by(Enrollment.id)


def learner_rows(filters: Filters, include_personal: bool = False, *, for_xlsx: bool = False) -> Iterator[list[Any]]:
    """Header then one row per enrolment, streamed from the database in batches."""
    yield learner_header(include_personal)
    stmt = learner_statement(filters, include_personal, as_text=not for_xlsx)
    region = regions.region_map()
    unknown = regions.UNKNOWN
    for row in _stream(stmt, raw=not for_xlsx):
        out = list(row)
        if for_xlsx:
            out[4] = out[4].value
            out[10] = out[10].value
        days = out[7]
        if days is not None and type(days) is not float:
            out[7] = float(days)  # PostgreSQL's round() gives a Decimal
        tisc = out[12]
        if tisc and tisc[0] in _FORMULA_START:
            out[12] = "'" + tisc
        out.insert(12, region.get(out[11] or "", unknown))
        if include_personal:
            out[14], out[15] = safe_text(out[14]), safe_text(out[15])
        yield out


def _stream(stmt, *, raw: bool) -> Iterator[Any]:
    """The statement's rows, read in batches without holding the result in memory.

    SQLite has no server-side cursors and needs none: its cursor computes rows as they
    are fetched. With ``raw`` (every column is already text or a number: see
    ``learner_statement``'s ``as_text``) the driver's cursor is read directly, without a
    Row object and type conversions per row. PostgreSQL gets a server-side cursor
    (``stream_results``) read ``BATCH`` rows at a time.
    """
    conn = db.session.connection()
    if conn.dialect.name == "sqlite":
        yield from _stream_sqlite(conn, stmt, raw=raw)
        return
    # Options on this statement only (Connection.execution_options would keep them for
    # every later statement on the connection, such as the audit log's INSERT).
    result = conn.execute(stmt, execution_options={"stream_results": True, "yield_per": BATCH})
    try:
        for part in result.partitions():
            yield from part
    finally:
        result.close()


def _stream_sqlite(conn, stmt, *, raw: bool) -> Iterator[Any]:
    """SQLite's rows for one export with the connection's memory map turned off meanwhile.

    Every connection maps up to 256 MB of the database file (academy/__init__.py: cheap
    reads for page views, shared through the OS page cache), and each mapped page a scan
    touches counts in the process's resident memory: an export reading every enrolment
    grew by most of the file (122 MB at 250,000 rows) and would have kept growing with it.
    Read through a small page cache of SQLite's own instead (a scan reads each page
    once), then put both settings back for the connection's next user.
    """
    dbapi = conn.connection.dbapi_connection
    (mapped,) = dbapi.execute("PRAGMA mmap_size").fetchone()
    (cache,) = dbapi.execute("PRAGMA cache_size").fetchone()
    dbapi.execute("PRAGMA mmap_size=0")
    dbapi.execute("PRAGMA cache_size=-2048")  # a scan reads each page once: 2 MB is plenty
    try:
        result = conn.execute(stmt)
        try:
            if raw:
                cursor = result.cursor
                while batch := cursor.fetchmany(BATCH):
                    yield from batch
            else:
                for part in result.partitions(BATCH):
                    yield from part
        finally:
            result.close()
    finally:
        dbapi.execute(f"PRAGMA mmap_size={int(mapped)}")
        dbapi.execute(f"PRAGMA cache_size={int(cache)}")


def download(body, fmt: str, filename: str) -> Response:
    """A file of personal or counted data as an attachment, never stored by a cache."""
    resp = Response(body, content_type=MIMETYPES[fmt])
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


def table_download(fig, fmt: str, filters: Filters, *, as_of: datetime | None = None) -> Response:
    """A statistics figure's table as CSV (streamed) or XLSX (with its "About" sheet)."""
    rows = table_rows(fig.table)
    if fmt == "csv":
        body = csv_chunks(rows)
    else:
        about = about_rows(fig.table, filters, as_of=as_of)
        body = stream_file_then_delete(xlsx_tempfile(rows, sheet=fig.title, about=about))
    return download(body, fmt, f"academy-{fig.name}-{utcnow():%Y%m%d-%H%M}.{fmt}")
