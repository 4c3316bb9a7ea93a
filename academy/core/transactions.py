"""The request is the transaction boundary: it commits once, at its end, or not at all.

Views call services; services add, flush and record audit events; nothing in a view
commits. When the view has answered, ``commit_or_rollback`` (an ``after_request``
handler registered after every other, so it runs first) commits if the answer is a
success or a redirect (status < 400) and rolls back otherwise: an error page, a form
sent back with its errors (4xx), an exception. A commit that fails (the database is
locked, a constraint refuses the row) becomes the error page the exception's own
handler gives (503 for an unavailable database), never a success page for lost work.

What must happen only once the work is committed hangs on the commit:

- tasks for the queue: ``Handle.after_commit`` (academy/core/queue.py): the consumer
  reads the rows from another connection, so it must not see them before the commit;
- files: ``put_on_commit`` (academy/core/storage.py) keeps a file only if its row is kept;
- anything else (deleting a file whose row is deleted): ``after_commit(callback)``.

Work that must be kept although the answer is an error status says so with
``keep_on_error()``, each time with its reason: a failed login's record, which must count
towards the per-account limit although the answer is a 401 (academy/auth/throttle.py); a
quiz attempt closed and graded by the answer that found its time up (a 409 to the page);
the audit event of a refused course package upload (a 422).

A streamed body (a download) is produced after the commit: it may read, not write.
Jobs and CLI commands run outside requests and commit themselves: they are their own
boundary.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from academy.extensions import db

log = logging.getLogger(__name__)
_KEEP = "academy_keep_on_error"
_CALLBACKS = "academy.after_commit"


def after_commit(callback: Callable[[], object]) -> None:
    """Call ``callback`` once the current transaction commits; never if it rolls back."""
    db.session().info.setdefault(_CALLBACKS, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    # SQLAlchemy fires after_commit for a released savepoint too: wait for the real commit.
    if session.in_nested_transaction():
        return
    for callback in session.info.pop(_CALLBACKS, ()):
        try:
            callback()
        except Exception:  # the work is committed: a failed follow-up must not turn it into an error
            log.exception("after-commit callback %r failed", callback)


@event.listens_for(Session, "after_soft_rollback")
def _drop_on_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_CALLBACKS, None)


def keep_on_error() -> None:
    """Commit this request's work even if it answers with an error status (4xx/5xx)."""
    if has_request_context():
        g.setdefault(_KEEP, True)


def commit_or_rollback(response):
    session = db.session
    if response.status_code < 400 or g.get(_KEEP):
        try:
            session.commit()
        except Exception as exc:
            session.rollback()
            # The handler registered for the error (503 for OperationalError) answers; with
            # none, the exception goes on to Flask's 500 handling.
            return current_app.make_response(current_app.handle_user_exception(exc))
    else:
        session.rollback()
    return response


def rollback_unfinished(exc: BaseException | None) -> None:
    # An exception no handler answered (tests propagate them): nothing of it is kept.
    if exc is not None:
        try:
            db.session.rollback()
        except Exception:  # the connection itself may be what failed
            db.session.remove()


def init_app(app: Flask) -> None:
    """Register last: after_request handlers run last-registered first, so the request
    log, security headers and compression see the final answer (a failed commit's 503)."""
    app.after_request(commit_or_rollback)
    app.teardown_request(rollback_unfinished)
