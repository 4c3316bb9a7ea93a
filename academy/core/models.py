"""Shared model helpers: UTC timestamps and enum columns stored with a CHECK."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Enum, TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column

# The time every model default and service reads. Tests (expiry years later) and the demo
# seeder (a pilot run in 2023–24) move it with ``frozen_clock``; nothing else sets it.
_clock: Callable[[], datetime] | None = None


def utcnow() -> datetime:
    return _clock() if _clock is not None else datetime.now(UTC)


@contextmanager
def frozen_clock(when: datetime) -> Iterator[None]:
    """Make ``utcnow()`` return ``when`` (timezone-aware) inside the block; blocks nest."""
    global _clock
    if when.tzinfo is None:
        raise ValueError("frozen_clock needs a timezone-aware datetime")
    previous = _clock
    _clock = lambda: when  # noqa: E731
    try:
        yield
    finally:
        _clock = previous


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use academy.core.models.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A string column limited by a named CHECK constraint to the enum's values."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
