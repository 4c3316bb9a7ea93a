"""What several admin screens share: paging, sort links, the action-form check, the TISC list."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import abort, request
from sqlalchemy import func, select

from academy.admin.forms import ActionForm
from academy.auth.models import Tisc
from academy.extensions import db

PER_PAGE = 50


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def paginate_rows(stmt, *, per_page: int = PER_PAGE) -> Page:
    """A page of rows of several columns (db.paginate returns the first column only)."""
    page = request.args.get("page", 1, type=int) or 1
    page = max(1, page)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    limited = stmt.limit(per_page).offset((page - 1) * per_page)
    return Page([tuple(r) for r in db.session.execute(limited)], total, page, per_page)


def args_with(**changes) -> dict:
    """The current query string with some values replaced (for sort and page links)."""
    args = {k: v for k, v in request.args.items() if v != ""}
    args.update({k: v for k, v in changes.items()})
    return {k: v for k, v in args.items() if v not in (None, "")}


def check_action_form() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def tisc_choices(
    country: str | None = None, *, include_inactive: bool = False
) -> list[tuple[str, str]]:
    stmt = select(Tisc).order_by(Tisc.country_code, Tisc.name)
    if country:
        stmt = stmt.where(Tisc.country_code == country)
    if not include_inactive:
        stmt = stmt.where(Tisc.is_active)
    return [(str(t.id), f"{t.name} ({t.country_code})") for t in db.session.scalars(stmt)]


def published_flag() -> bool:
    value = request.form.get("published")
    if value not in ("0", "1"):
        abort(400)
    return value == "1"
