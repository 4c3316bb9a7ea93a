"""Pooled database connections checked before use when they have been idle.

SQLAlchemy's pool_pre_ping checks every connection the pool hands out: a round trip to
PostgreSQL (and a wake-up of a server process) on every page view, on a machine where
the database shares the cores with the app. A connection used a moment ago is alive
as far as a check could tell, so only one that has sat in the pool for longer than
``idle_seconds`` is checked; a dead one (the database restarted) is discarded with
every connection pooled before it, and the request gets a fresh one, as pre-ping does.
A connection that dies while in use fails that request (the friendly 503) and the
pool is renewed the same way for the next.
"""

from __future__ import annotations

import time

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

_RETURNED = "academy_returned_at"


def ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection, record) -> None:
        if record is not None:
            record.info[_RETURNED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check_if_idle(dbapi_connection, record, proxy) -> None:
        returned = record.info.get(_RETURNED)
        if returned is None or time.monotonic() - returned <= idle_seconds:
            return  # new, or in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                # The pool replaces this connection and every one pooled before now.
                raise exc.InvalidatePoolError(str(error)) from error
            raise
