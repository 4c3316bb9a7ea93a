"""The statistics dashboard's figures as of a moment, shared by every worker and server.

Counting the whole population (250,000 enrolments and more) takes most of a second of
database work; doing it for each view of the dashboard, in each worker, made the page the
slowest of the app. The dashboard therefore shows a *snapshot*: the grouped rows behind
its figures for one set of filters, kept as JSON in the app's storage
(``STORAGE_DIR/stats-snapshots/<sha256 of the filters>.json``, which every worker and every
server sharing the mount read) and labelled with the moment they were counted.

- A snapshot older than ``STATS_SNAPSHOT_SECONDS`` is recounted by the first request that
  finds it stale. That request first marks the file as claimed, so the other workers keep
  showing the previous figures meanwhile instead of all recounting at once (two requests
  racing on the claim both recount: harmless, and rare).
- The very first count of a filter set is claimed the same way; other requests wait for
  it (up to ``WAIT_SECONDS``) instead of counting the same thing at the same time.
- An admin can recount at once ("Refresh now", a POST).
- ``STATS_SNAPSHOT_SECONDS = 0`` (the tests' default) counts on every view.
- The CSV and XLSX exports do not read snapshots: they stay live.

On top, each process keeps the rendered HTML of the figures per snapshot, locale and
query string: rendering a dozen tables and charts costs more than reading the file, and
nothing in it belongs to the viewer (no CSRF token, no names of people).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time as _time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g

from academy.core.models import utcnow
from academy.core.storage import StorageError, get_storage
from academy.stats.queries import Filters

log = logging.getLogger(__name__)
FORMAT = 1  # bump when the stored shape changes: older files are then ignored
PREFIX = "stats-snapshots"
CLAIM_SECONDS = 120  # a claim older than this is from a request that died: recount
WAIT_SECONDS = 10  # how long a request waits for another's first count of a filter set
KEEP = timedelta(days=2)  # unread filter sets are deleted by the daily job after this


@dataclass
class Snapshot:
    key: str
    computed_at: datetime
    claimed_at: datetime | None = None
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
                                for fact, bases, filters, rows in json.loads(self.body)}
            except (ValueError, TypeError):
                log.exception("statistics snapshot %s unreadable: counting live", self.key)
                self._groups = {}
            _remember(_GROUPS, self.version, self._groups)
        return self._groups


def max_age() -> int:
    app = current_app
    return int(app.config.get("STATS_SNAPSHOT_SECONDS", 0 if app.testing else 600))


def key_for(filters: Filters) -> str:
    described = json.dumps({"format": FORMAT, "filters": filters.as_dict()}, sort_keys=True)
    return hashlib.sha256(described.encode()).hexdigest()


def _storage_key(key: str) -> str:
    return f"{PREFIX}/{key}.json"


# The file: one line of header (small, read on every view), then one line of groups (read
# once per process and snapshot).
def _dump(snap: Snapshot) -> bytes:
    header = {"format": FORMAT, "computed_at": snap.computed_at.isoformat(),
              "claimed_at": snap.claimed_at.isoformat() if snap.claimed_at else None}
    groups = [[fact, list(bases), filters, [[list(k), list(v)] for k, v in rows]]
              for (fact, bases, filters), rows in snap.groups.items()]
    return (json.dumps(header) + "\n" + json.dumps(groups, separators=(",", ":"))).encode()


_GROUPS: OrderedDict[str, dict] = OrderedDict()  # version -> groups, this process's copy
_HTML: OrderedDict[tuple, str] = OrderedDict()  # (what, version, locale, query) -> HTML
_LOCK = threading.Lock()
# Bounds on memory per worker: decoded groups are ~2 MB at 250,000 enrolments (and only
# needed to render), a rendered page of figures ~0.3 MB.
_SIZES = {id(_GROUPS): 4, id(_HTML): 32}


def _remember(cache: OrderedDict, key, value) -> None:
    with _LOCK:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > _SIZES[id(cache)]:
            cache.popitem(last=False)


def _read(key: str) -> tuple[Snapshot | None, datetime | None]:
    """The stored snapshot, or (None, when another request claimed its first count)."""
    try:
        data = get_storage().get(_storage_key(key))
    except StorageError:
        return None, None
    head, _sep, body = data.partition(b"\n")
    try:
        header = json.loads(head)
        if header.get("format") != FORMAT:
            return None, None
        claimed_at = datetime.fromisoformat(header["claimed_at"]) if header.get("claimed_at") else None
        if header["computed_at"] is None:
            return None, claimed_at
        return Snapshot(key, datetime.fromisoformat(header["computed_at"]), claimed_at, body=body), None
    except (ValueError, KeyError, TypeError):
        return None, None  # a damaged or foreign header: recount and overwrite it


def _claim_first_count(key: str, now: datetime) -> None:
    """Say that this request is counting a snapshot nobody has stored yet."""
    header = {"format": FORMAT, "computed_at": None, "claimed_at": now.isoformat()}
    try:
        get_storage().put(_storage_key(key), json.dumps(header).encode())
    except OSError:
        log.exception("statistics snapshot %s: claim not stored", key)


def _wait_for_first_count(key: str) -> Snapshot | None:
    """Another request is counting: wait for its snapshot rather than count the same
    thing at the same time (a sync worker would spend as long counting)."""
    give_up = _time.monotonic() + WAIT_SECONDS
    while _time.monotonic() < give_up:
        _time.sleep(0.2)
        snap, claimed_at = _read(key)
        if snap is not None:
            return snap
        if claimed_at is None:
            return None
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
    return Snapshot(key_for(filters), at, None, groups)


def current(filters: Filters, build: Callable[[], object]) -> Snapshot:
    """The snapshot to show for ``filters``: the stored one while fresh (or while another
    request recounts it), else counted now and stored."""
    seconds = max_age()
    if not seconds:
        return count(filters, build)
    key = key_for(filters)
    snap, first_count_claimed = _read(key)
    now = utcnow()
    if snap is None:
        if first_count_claimed is not None and now - first_count_claimed < timedelta(seconds=CLAIM_SECONDS):
            snap = _wait_for_first_count(key)
            if snap is not None:
                return snap
        else:
            _claim_first_count(key, now)
    else:
        if now - snap.computed_at < timedelta(seconds=seconds):
            return snap
        if snap.claimed_at is not None and now - snap.claimed_at < timedelta(seconds=CLAIM_SECONDS):
            return snap  # another request is recounting: show these meanwhile
        snap.claimed_at = now
        _write(snap)
    return refresh(filters, build)


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


def rendered(key: tuple, render: Callable[[], str]) -> str:
    """HTML rendered once per process for ``key`` (which must name everything it shows:
    the snapshot's version, the locale, the query string)."""
    with _LOCK:
        html = _HTML.get(key)
    if html is None:
        html = render()
        _remember(_HTML, key, html)
    return html


def clear_process_cache() -> None:
    with _LOCK:
        _GROUPS.clear()
        _HTML.clear()


def purge_old(now: datetime | None = None) -> int:
    """Delete snapshot files nobody has recounted for ``KEEP`` (filter sets seldom used)."""
    from pathlib import Path

    now = now or utcnow()
    folder = Path(current_app.config["STORAGE_DIR"]) / PREFIX
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.glob("*.json"):
        try:
            if datetime.fromtimestamp(path.stat().st_mtime, now.tzinfo) < now - KEEP:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
