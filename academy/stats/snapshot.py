"""The statistics dashboard's figures as of a moment, shared by every worker and server.

Counting the whole population (250,000 enrolments and more) takes most of a second of
database work; doing it for each view of the dashboard, in each worker, made the page the
slowest of the app. The dashboard therefore shows a *snapshot*: the grouped rows behind
its figures for one set of filters, kept as JSON in the app's storage
(``STORAGE_DIR/stats-snapshots/<sha256 of the filters>.json``, which every worker and every
server sharing the mount read) and labelled with the moment they were counted.

- A snapshot older than ``STATS_SNAPSHOT_SECONDS`` is recounted by one request: the one
  that creates ``<key>.lock`` next to it (an exclusive create, so exactly one wins even
  when every worker finds the snapshot stale in the same millisecond, as they do under
  load). The others keep showing the previous figures meanwhile; for a filter set never
  counted they wait for the winner's (up to ``WAIT_SECONDS``). A lock older than
  ``CLAIM_SECONDS`` is from a request that died and is taken over.
- An admin can ask for a recount ("Refresh now", a POST): it is queued (stats/tasks.py) and
  the page shows the current snapshot meanwhile; the lock keeps a second press from queuing
  another while one is pending or running.
- ``STATS_SNAPSHOT_SECONDS = 0`` (the tests' default) counts on every view.
- The CSV and XLSX exports do not read snapshots: they stay live.

The figures' rendered HTML is kept in the shared cache (stats/views.py), keyed by the
snapshot's version, the locale and the query string: nothing in it belongs to the viewer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time as _time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from flask import current_app, g

from academy.core.models import utcnow
from academy.core.storage import StorageError, get_storage
from academy.stats.queries import Filters

log = logging.getLogger(__name__)
T = TypeVar("T")
FORMAT = 1  # bump when the stored shape changes: older files are then ignored
PREFIX = "stats-snapshots"
CLAIM_SECONDS = 120  # a claim older than this is from a request that died: recount
WAIT_SECONDS = 10  # how long a request waits for another's first count of a filter set
KEEP = timedelta(days=2)  # unread filter sets are deleted by the daily job after this


@dataclass
class Snapshot:
    key: str
    computed_at: datetime
    # (fact name, grouping bases, filters as JSON) -> [(base keys, component sums)], as
    # queries.grouped returns them (a figure may narrow the page's filters); read from
    # ``body`` only when the figures are rendered (the HTML is usually cached already).
    _groups: dict[tuple[str, tuple[str, ...], str], list[tuple[tuple, tuple]]] | None = None
    body: bytes = b""

    @property
    def version(self) -> str:
        return f"{self.key}@{self.computed_at.isoformat()}"

    @property
    def groups(self) -> dict:
        if self._groups is None:
            with _LOCK:
                self._groups = _GROUPS.get(self.version)
        if self._groups is None:
            try:
                self._groups = {(fact, tuple(bases), filters): [(tuple(k), tuple(v)) for k, v in rows]
                                for fact, bases, filters, rows in json.loads(self.body or self._stored_body())}
            except (ValueError, TypeError):
                log.exception("statistics snapshot %s unreadable: counting live", self.key)
                self._groups = {}
            _remember(_GROUPS, self.version, self._groups)
        return self._groups

    def _stored_body(self) -> bytes:
        """The groups line of the stored file, read only when the figures must be rendered
        (``_read`` reads the header alone); b"" if the file is gone or was recounted since
        the header was read (its groups are not this snapshot's)."""
        stored = _read(self.key, whole=True)
        if stored is None or stored.computed_at != self.computed_at:
            return b""
        return stored.body


def max_age() -> int:
    app = current_app
    return int(app.config.get("STATS_SNAPSHOT_SECONDS", 0 if app.testing else 600))


@lru_cache(maxsize=256)
def key_for(filters: Filters) -> str:
    described = json.dumps({"format": FORMAT, "filters": filters.as_dict()}, sort_keys=True)
    return hashlib.sha256(described.encode()).hexdigest()


def _storage_key(key: str) -> str:
    return f"{PREFIX}/{key}.json"


# The file: one line of header (small, read on every view), then one line of groups (read
# once per process and snapshot).
def _dump(snap: Snapshot) -> bytes:
    header = {"format": FORMAT, "computed_at": snap.computed_at.isoformat()}
    groups = [[fact, list(bases), filters, [[list(k), list(v)] for k, v in rows]]
              for (fact, bases, filters), rows in snap.groups.items()]
    return (json.dumps(header) + "\n" + json.dumps(groups, separators=(",", ":"))).encode()


_GROUPS: OrderedDict[str, dict] = OrderedDict()  # version -> groups, this process's copy
_LOCK = threading.Lock()
# Bounds on memory per worker: decoded groups are ~2 MB at 250,000 enrolments (and only
# needed to render).
_SIZES = {id(_GROUPS): 4}


def _remember(cache: OrderedDict, key, value) -> None:
    with _LOCK:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > _SIZES[id(cache)]:
            cache.popitem(last=False)


HEADER_BYTES = 4096  # the header is some 70 bytes; the groups after it are hundreds of KB


def _read(key: str, whole: bool = False) -> Snapshot | None:
    """The stored snapshot's header (its moment), or with ``whole`` its groups too. Every
    view of the dashboard reads the header, to see whether the snapshot is fresh; the
    groups are needed only to render figures not rendered yet in this process."""
    storage = get_storage()
    try:
        data = storage.get(_storage_key(key)) if whole else storage.head(_storage_key(key), HEADER_BYTES)
    except StorageError:
        return None
    head, sep, body = data.partition(b"\n")
    if not sep and not whole:
        return _read(key, whole=True)  # no line end in the first bytes: an odd file, read it all
    try:
        header = json.loads(head)
        if header.get("format") != FORMAT:
            return None
        return Snapshot(key, datetime.fromisoformat(header["computed_at"]), body=body if whole else b"")
    except (ValueError, KeyError, TypeError):
        return None  # a damaged or foreign header: recount and overwrite it


def _lock_path(key: str) -> Path:
    return Path(current_app.config["STORAGE_DIR"]) / PREFIX / f"{key}.lock"


def _try_claim(key: str, now: datetime) -> bool:
    """Whether this request may (re)count ``key``: it created the lock file, or took over
    one older than ``CLAIM_SECONDS``."""
    path = _lock_path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        log.exception("statistics snapshot %s: no folder for its lock", key)
        return True  # no shared lock to be had: count, as without snapshots
    for _attempt in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o640)
        except FileExistsError:
            try:
                since = datetime.fromisoformat(path.read_text())
            except (OSError, ValueError):
                since = None  # being written, or just removed: look again
            if since is not None and now - since < timedelta(seconds=CLAIM_SECONDS):
                return False
            if since is not None:
                path.unlink(missing_ok=True)  # a dead request's: the next create decides
            continue
        except OSError:
            log.exception("statistics snapshot %s: cannot create its lock", key)
            return True  # no shared lock to be had: count, as without snapshots
        with os.fdopen(fd, "w") as fh:
            fh.write(now.isoformat())
        return True
    return False


def _release(key: str) -> None:
    _lock_path(key).unlink(missing_ok=True)


def claim(filters: Filters) -> bool:
    """Whether a recount of ``filters`` may be queued now: none is queued or running (a
    claim taken by a recount that died is taken over after ``CLAIM_SECONDS``)."""
    return _try_claim(key_for(filters), utcnow())


def release(filters: Filters) -> None:
    """The queued recount of ``filters`` is done (or failed): the next one may start."""
    _release(key_for(filters))


def _wait_for_first_count(key: str) -> Snapshot | None:
    """Another request is counting a filter set nobody has counted yet: wait for its
    snapshot rather than count the same thing at the same time."""
    give_up = _time.monotonic() + WAIT_SECONDS
    while _time.monotonic() < give_up:
        _time.sleep(0.2)
        snap = _read(key)
        if snap is not None or not _lock_path(key).exists():
            return snap
    return None


def _write(snap: Snapshot) -> None:
    """Store ``snap``; a failure (a full disk, a key JSON cannot hold) is logged and the
    page goes on with the figures it has: the next request tries again."""
    try:
        get_storage().put(_storage_key(snap.key), _dump(snap))
    except (OSError, TypeError, ValueError):
        log.exception("statistics snapshot %s not stored", snap.key)


def count(filters: Filters, build: Callable[[], object]) -> Snapshot:
    """Count afresh: ``build()`` makes every figure of the dashboard, and the groupings it
    ran (``queries.grouped`` keeps them in ``g`` for the request) become the snapshot."""
    from academy.stats.queries import clear_request_memo

    clear_request_memo()
    at = utcnow()
    build()
    groups = {(fact, bases, _filters_json(f)): rows
              for (_url, fact, bases, f), rows in g.get("_stats_grouped", {}).items()}
    clear_request_memo()
    return Snapshot(key_for(filters), at, groups)


def current(filters: Filters, build: Callable[[], object]) -> Snapshot:
    """The snapshot to show for ``filters``: the stored one while fresh (or while another
    request recounts it), else counted now and stored."""
    seconds = max_age()
    if not seconds:
        return count(filters, build)
    key = key_for(filters)
    snap = _read(key)
    now = utcnow()
    if snap is not None and now - snap.computed_at < timedelta(seconds=seconds):
        return snap
    if _try_claim(key, now):
        try:
            return refresh(filters, build)
        finally:
            _release(key)
    if snap is not None:
        return snap  # another request is recounting: show these meanwhile
    return _wait_for_first_count(key) or refresh(filters, build)


def refresh(filters: Filters, build: Callable[[], object]) -> Snapshot:
    """Count now and store the result for every worker and server (the "Refresh now" button)."""
    snap = count(filters, build)
    _write(snap)
    _remember(_GROUPS, snap.version, snap.groups)
    return snap


def _filters_json(filters: Filters) -> str:
    return json.dumps(filters.as_dict(), sort_keys=True)


@contextmanager
def using(snap: Snapshot) -> Iterator[None]:
    """Inside the block, the figures read ``snap`` instead of the database; after it, the
    request reads live again (an export in the same request must not see the snapshot)."""
    from academy.extensions import db
    from academy.stats.queries import clear_request_memo

    clear_request_memo()
    memo = g.setdefault("_stats_grouped", {})
    url = str(db.engine.url)
    for (fact, bases, filters), rows in snap.groups.items():
        memo[(url, fact, bases, Filters.from_dict(json.loads(filters)))] = rows
    try:
        yield
    finally:
        clear_request_memo()


def clear_process_cache() -> None:
    with _LOCK:
        _GROUPS.clear()


def purge_old(now: datetime | None = None) -> int:
    """Delete snapshot files nobody has recounted for ``KEEP`` (filter sets seldom used),
    and locks left behind by requests that died."""
    now = now or utcnow()
    folder = Path(current_app.config["STORAGE_DIR"]) / PREFIX
    if not folder.is_dir():
        return 0
    removed = 0
    for path in [*folder.glob("*.json"), *folder.glob("*.lock")]:
        try:
            if datetime.fromtimestamp(path.stat().st_mtime, now.tzinfo) < now - KEEP:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
