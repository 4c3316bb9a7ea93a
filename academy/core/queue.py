"""The task queue: Huey, one instance per app, built from the configuration.

Work that should not run inside a page view (e-mail, exports, bulk certificates, ZIPs,
re-rendering, schedules) is a task declared with ``@task`` or ``@periodic`` in a feature's
``tasks.py``. ``init_app`` registers every declared task on the app's Huey, wrapped so it
runs inside an app context of that app (its own database session), and a consumer
(``flask academy worker``) runs them.

Storage: ACADEMY_QUEUE_URL empty → SQLite, a file in the instance folder (one machine);
``redis://…`` → Redis (several machines, each running consumers). The testing profile
runs tasks at once in the calling process (Huey's immediate mode), except where a test
starts a real consumer.

Huey delivers a task at most once: a consumer killed mid-task loses it. Every task is
therefore idempotent and long ones keep their state in a ``Job`` row, which
``academy.jobs.services.recover_interrupted`` puts back on the queue (consumer start-up,
then every minute).

Requests enqueue with ``Handle.after_commit``: the task is sent when the request's
transaction commits, and not at all when it rolls back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
EXTENSION = "academy.queue"
_PENDING = "academy.queue.after_commit"
#: modules whose import declares tasks; init_app imports them so a consumer knows every task
TASK_MODULES = (
    "academy.core.mail",
    "academy.jobs.tasks",
    "academy.certificates.tasks",
    "academy.certification.tasks",
    "academy.stats.tasks",
    "academy.surveys.tasks",
    "academy.nudges.tasks",
    "academy.preferences.tasks",
    "academy.reports.tasks",
    "academy.offline.tasks",
    "academy.xapi.services",
)


@dataclass
class TaskSpec:
    func: Callable
    name: str
    retries: int
    retry_delay: int
    schedule: Callable | None = None  # a huey crontab for periodic tasks


REGISTRY: dict[str, TaskSpec] = {}


class Handle:
    """What ``@task`` returns: call it to run in-process, or enqueue it."""

    def __init__(self, spec: TaskSpec) -> None:
        self.spec = spec

    @property
    def name(self) -> str:
        return self.spec.name

    def __call__(self, *args: Any) -> Any:
        return self.spec.func(*args)

    def enqueue(self, *args: Any) -> None:
        """Send now (outside a request's transaction: the CLI, another task)."""
        huey_tasks(current_app)[self.name](*args)

    def after_commit(self, *args: Any) -> None:
        """Send when the current session commits; dropped if it rolls back."""
        from academy.extensions import db

        db.session().info.setdefault(_PENDING, []).append((self.name, args))


def task(*, retries: int = 2, retry_delay: int = 5) -> Callable[[Callable], Handle]:
    """Declare a task; a failing one is tried again ``retries`` times, ``retry_delay`` seconds apart."""

    def decorator(func: Callable) -> Handle:
        spec = TaskSpec(func, f"{func.__module__}.{func.__name__}", retries, retry_delay)
        REGISTRY[spec.name] = spec
        return Handle(spec)

    return decorator


def periodic(schedule: Callable, *, retries: int = 0) -> Callable[[Callable], Handle]:
    """Declare a periodic task; ``schedule`` is a ``huey.crontab``. It replaces the cron line."""

    def decorator(func: Callable) -> Handle:
        spec = TaskSpec(func, f"{func.__module__}.{func.__name__}", retries, 0, schedule)
        REGISTRY[spec.name] = spec
        return Handle(spec)

    return decorator


def crontab(**fields: str) -> Callable[[Any], bool]:
    """``huey.crontab(**fields)``, with Huey imported when a consumer first checks the schedule."""
    check: Callable[[Any], bool] | None = None

    def validate(timestamp: Any) -> bool:
        nonlocal check
        if check is None:
            from huey import crontab as huey_crontab

            check = huey_crontab(**fields)
        return check(timestamp)

    return validate


def make_huey(config: dict):
    from huey import RedisHuey, SqliteHuey  # (imports redis and psycopg: see AppQueue)

    url = config.get("QUEUE_URL") or ""
    immediate = bool(config.get("QUEUE_IMMEDIATE"))
    name = config.get("QUEUE_NAME") or "academy"
    # Results are never read: the Job rows hold what people see.
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False, immediate=immediate)
    if url and not url.startswith("sqlite:///"):
        raise ValueError(f"ACADEMY_QUEUE_URL: expected redis://… or sqlite:///…, got {url!r}")
    path = url[len("sqlite:///"):] if url else str(Path(config["INSTANCE_DIR"]) / "queue.db")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=path, results=False, immediate=immediate)


class AppQueue:
    """An app's Huey and its tasks, built on first use: importing Huey imports the Redis and
    PostgreSQL clients its storages may need (some 30 MB per process), which a web worker
    that never enqueues, or a one-off command, need not carry."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._built: tuple | None = None

    def _build(self) -> tuple:
        with self._lock:
            if self._built is None:
                huey = make_huey(self.app.config)
                delay = self.app.config.get("QUEUE_RETRY_DELAY", -1)
                wrappers = {}
                for spec in REGISTRY.values():
                    runner = _runner(self.app, spec)
                    if spec.schedule is not None:
                        wrappers[spec.name] = huey.periodic_task(spec.schedule, retries=spec.retries,
                                                                 name=spec.func.__name__)(runner)
                    else:
                        retry_delay = spec.retry_delay if delay is None or delay < 0 else delay
                        wrappers[spec.name] = huey.task(retries=spec.retries, retry_delay=retry_delay, context=True,
                                                        name=spec.func.__name__)(runner)
                self._built = (huey, wrappers)
            return self._built

    @property
    def huey(self):
        return self._build()[0]

    @property
    def tasks(self) -> dict:
        return self._build()[1]


def init_app(app: Flask) -> None:
    import importlib

    for module in TASK_MODULES:
        importlib.import_module(module)
    app.extensions[EXTENSION] = AppQueue(app)


def get_huey(app: Flask | None = None):
    return (app or current_app).extensions[EXTENSION].huey


def huey_tasks(app: Flask) -> dict:
    return app.extensions[EXTENSION].tasks


def _runner(app: Flask, spec: TaskSpec) -> Callable:
    """The function Huey runs: the task inside a fresh app context of ``app``. ``task`` (Huey's
    task object) is handed on to tasks that ask for it, so they know whether a retry follows."""
    from academy.extensions import db

    wants_task = "task" in spec.func.__code__.co_varnames[: spec.func.__code__.co_argcount]

    def run(*args: Any, task: Any = None) -> Any:
        with app.app_context():
            try:
                if wants_task:
                    return spec.func(*args, task=task)
                return spec.func(*args)
            except BaseException:
                db.session.rollback()
                raise

    run.__module__ = spec.func.__module__
    run.__name__ = run.__qualname__ = spec.func.__name__
    run.__doc__ = spec.func.__doc__
    return run


def retries_left(task: Any) -> int:
    """How many more times Huey will run this task after a failure now (0 in-process)."""
    return int(getattr(task, "retries", 0) or 0)


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    # SQLAlchemy fires after_commit for a released savepoint too: wait for the real commit.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    tasks = huey_tasks(current_app)
    for name, args in pending:
        try:
            tasks[name](*args)
        except Exception:
            # The work is committed (an outbox row, a queued Job): the periodic sweep sends it later.
            log.exception("could not enqueue %s; the periodic sweep will", name)


@event.listens_for(Session, "after_soft_rollback")
def _drop_on_rollback(session: Session, previous_transaction) -> None:
    # Only the outermost transaction: a savepoint rolled back inside a request that goes
    # on to commit keeps what was enqueued outside it (each task re-reads its rows anyway).
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)
