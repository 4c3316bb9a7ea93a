"""Reading the CSV files admins upload: invitations and TISC directory entries.

Each reader checks the whole file and returns every row with its own list of errors,
so the admin sees one report instead of fixing a file error by error.
"""

from __future__ import annotations

import csv
import io

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from academy.admin.services import InviteRow
from academy.auth.models import Tisc
from academy.auth.names import InvalidName, clean_name, normalise_name
from academy.auth.services import email_taken, normalise_email
from academy.core.enums import Gender, Role
from academy.core.i18n import is_country

MAX_ROWS = 5000

INVITE_COLUMNS = {
    "name": "name",
    "full_name": "name",
    "email": "email",
    "gender": "gender",
    "country": "country",
    "country_code": "country",
    "tisc": "tisc",
    "language": "language",
    "preferred_language": "language",
    "role": "role",
}
INVITE_REQUIRED = ("name", "email", "gender", "country")

TISC_COLUMNS = {
    "name": "name",
    "host_institution": "host_institution",
    "institution": "host_institution",
    "city": "city",
    "country": "country_code",
    "country_code": "country_code",
    "national_network": "national_network",
    "network": "national_network",
}
TISC_REQUIRED = ("name", "host_institution", "city", "country_code")


class CsvFileError(ValueError):
    """The file as a whole cannot be read (encoding, header, size)."""


def decode_upload(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvFileError(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")
        ) from None


def _read(text: str, columns: dict, required: tuple) -> list[tuple[int, dict]]:
    # Spreadsheets in many locales save with ";" or tabs: take the header's most common one.
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise CsvFileError(_("The file is empty.")) from None
    except csv.Error as exc:
        raise CsvFileError(_("The file is not valid CSV: %(error)s", error=str(exc))) from None
    mapping: dict[int, str] = {}
    unknown = []
    for i, name in enumerate(header):
        key = columns.get(name.strip().lower().replace(" ", "_"))
        if key is None:
            if name.strip():
                unknown.append(name.strip())
        elif key in mapping.values():
            raise CsvFileError(_("The column “%(name)s” appears twice.", name=name.strip()))
        else:
            mapping[i] = key
    missing = [c for c in required if c not in mapping.values()]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("missing columns: %(names)s", names=", ".join(missing)))
        if unknown:
            parts.append(_("unknown columns: %(names)s", names=", ".join(unknown)))
        raise CsvFileError(
            _(
                "The header row is not right (%(problems)s). Expected columns: %(expected)s.",
                problems="; ".join(parts),
                expected=", ".join(dict.fromkeys(columns.values())),
            )
        )
    rows = []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= MAX_ROWS:
                raise CsvFileError(
                    _("The file has more than %(n)s rows. Split it into smaller files.", n=MAX_ROWS)
                )
            values = {
                key: (record[i].strip() if i < len(record) else "") for i, key in mapping.items()
            }
            rows.append((reader.line_num, values))
    except csv.Error as exc:
        raise CsvFileError(_("The file is not valid CSV: %(error)s", error=str(exc))) from None
    if not rows:
        raise CsvFileError(_("The file has a header but no rows."))
    return rows


def _enum_value(enum_cls, raw: str):
    raw = raw.strip().lower()
    for member in enum_cls:
        if raw in (member.value, str(member.title).lower()):
            return member
    return None


def parse_invites(text: str) -> list[InviteRow]:
    """Every row of an invitation CSV, cleaned, with its errors (empty when the row is good)."""
    languages = current_app.config["LANGUAGES"]
    seen_emails: dict[str, int] = {}
    result = []
    for line, raw in _read(text, INVITE_COLUMNS, INVITE_REQUIRED):
        row = InviteRow(line=line, values=dict(raw))
        errors = row.errors
        v = row.values
        v["name"] = normalise_name(raw.get("name", ""))
        if not raw.get("name"):
            errors.append(_("The name is missing."))
        elif len(v["name"]) > 200:
            errors.append(_("The name is longer than 200 characters."))
        else:
            try:
                v["name"] = clean_name(v["name"])
            except InvalidName as exc:
                errors.append(str(exc))
        try:
            v["email"] = normalise_email(
                validate_email(raw.get("email", ""), check_deliverability=False).normalized
            )
        except EmailNotValidError:
            errors.append(
                _("“%(email)s” is not a valid email address.", email=raw.get("email", ""))
            )
            v["email"] = normalise_email(raw.get("email", ""))
        else:
            if v["email"] in seen_emails:
                errors.append(
                    _("This email is also on line %(line)s.", line=seen_emails[v["email"]])
                )
            elif email_taken(v["email"]):
                errors.append(_("An account with this email already exists."))
            seen_emails.setdefault(v["email"], line)
        v["gender"] = _enum_value(Gender, raw.get("gender", ""))
        if v["gender"] is None:
            errors.append(
                _("Gender must be one of: %(values)s.", values=", ".join(g.value for g in Gender))
            )
        v["country"] = raw.get("country", "").upper()
        if not is_country(v["country"]):
            errors.append(
                _("“%(code)s” is not a two-letter country code.", code=raw.get("country", ""))
            )
        v["tisc_id"] = None
        if raw.get("tisc"):
            tisc = _find_tisc(raw["tisc"], v["country"])
            if tisc is None:
                errors.append(_("No active TISC “%(tisc)s” in this country.", tisc=raw["tisc"]))
            else:
                v["tisc_id"] = tisc.id
        v["language"] = (raw.get("language") or "en").lower()
        if v["language"] not in languages:
            errors.append(_("Language must be one of: %(values)s.", values=", ".join(languages)))
        v["role"] = _enum_value(Role, raw.get("role") or "learner")
        if v["role"] is None:
            errors.append(
                _("Role must be one of: %(values)s.", values=", ".join(r.value for r in Role))
            )
        elif v["role"] == Role.ADMIN:
            # A file is easy to get wrong (a copied column, a colleague's template) and its
            # rows are not reviewed one by one: administrators are made on the person's page,
            # one at a time, where the grant is confirmed and audited.
            errors.append(
                _(
                    "The administrator role cannot be given by an invitation file. Invite the "
                    "person as a learner or instructor, then make them an administrator on their page."
                )
            )
        result.append(row)
    return result


def _find_tisc(value: str, country: str) -> Tisc | None:
    from academy.extensions import db

    stmt = select(Tisc).where(Tisc.country_code == country, Tisc.is_active)
    if value.isdigit():
        return db.session.scalar(stmt.where(Tisc.id == int(value)))
    return db.session.scalar(stmt.where(func.lower(Tisc.name) == value.strip().lower()))


def parse_tiscs(text: str) -> list[tuple[int, dict, list[str]]]:
    """Every row of a TISC CSV as (line, cleaned values, errors)."""
    seen: dict[tuple[str, str], int] = {}
    result = []
    for line, raw in _read(text, TISC_COLUMNS, TISC_REQUIRED):
        errors = []
        v = {
            k: " ".join(raw.get(k, "").split())
            for k in ("name", "host_institution", "city", "national_network")
        }
        v["country_code"] = raw.get("country_code", "").upper()
        for key, label, limit in (
            ("name", _("name"), 200),
            ("host_institution", _("host institution"), 200),
            ("city", _("city"), 120),
        ):
            if not v[key]:
                errors.append(_("The %(field)s is missing.", field=label))
            elif len(v[key]) > limit:
                errors.append(
                    _("The %(field)s is longer than %(n)s characters.", field=label, n=limit)
                )
        if len(v["national_network"]) > 200:
            errors.append(_("The national network is longer than 200 characters."))
        if not is_country(v["country_code"]):
            errors.append(
                _("“%(code)s” is not a two-letter country code.", code=raw.get("country_code", ""))
            )
        key = (v["country_code"], v["name"].lower())
        if v["name"] and key in seen:
            errors.append(_("The same TISC is also on line %(line)s.", line=seen[key]))
        seen.setdefault(key, line)
        result.append((line, v, errors))
    return result
