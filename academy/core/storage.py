"""Where files live: a small storage interface with a local-directory default.

Features keep the *key* (a relative, slash-separated name such as
``certificates/2026/abc.pdf``) in the database and ask ``get_storage()`` for the bytes.
Writes are atomic (temporary file in the same directory, fsync, rename), so a reader never
sees half a file and a crash never leaves one behind under the final name. A directory
that takes no files (full: ENOSPC, EDQUOT; read-only or refused: EROFS, EACCES, EPERM)
raises ``StorageFullError`` with nothing left behind; the app answers it with a clear 507
page. Files that a row names are written with ``put_on_commit``: kept if the row commits,
removed if it does not. Several app servers share one ``STORAGE_DIR`` (a shared mount).
"""

from __future__ import annotations

import errno
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

_KEY_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_TMP_PREFIX = ".tmp-"
CHUNK = 1024 * 1024
log = logging.getLogger(__name__)


class StorageError(ValueError):
    """A bad key, or a key that does not exist."""


class StorageFullError(OSError):
    """Files cannot be stored right now: the device is full (or over quota), or it is
    read-only or refuses the app's writes. Nothing was written."""


# Errors that say "no file can be written here now", as opposed to a bug or a bad key.
_CANNOT_STORE = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}


def _storage_error(exc: OSError, key: str) -> OSError:
    if exc.errno in _CANNOT_STORE:
        return StorageFullError(exc.errno, f"cannot store {key}: {os.strerror(exc.errno)}")
    return exc


class Storage(Protocol):
    def put(self, key: str, data: bytes | BinaryIO) -> int: ...
    def get(self, key: str) -> bytes: ...
    def head(self, key: str, size: int) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> bool: ...
    def keys(self) -> Iterator[str]: ...
    def check_writable(self) -> None: ...


def check_key(key: str) -> list[str]:
    """The key's parts; refuses absolute paths, ``..``, empty parts and odd characters."""
    parts = key.split("/")
    if not key or len(key) > 500 or not all(_KEY_PART.match(p) for p in parts):
        raise StorageError(f"invalid storage key: {key!r}")
    return parts


class LocalStorage:
    """Files under one root directory (``STORAGE_DIR``)."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root).resolve()
        self._checked: dict[str, Path] = {}  # key -> path, for head()

    def path(self, key: str) -> Path:
        path = self.root.joinpath(*check_key(key))
        # The key check already forbids "..", this guards against symlinked parts too.
        if not path.resolve().is_relative_to(self.root):
            raise StorageError(f"key escapes the storage root: {key!r}")
        return path

    def put(self, key: str, data: bytes | BinaryIO) -> int:
        """Write ``data`` (bytes or a readable binary stream) under ``key`` atomically,
        replacing any previous content; returns the size written."""
        tmp, size = self.write_aside(key, data)
        try:
            os.replace(tmp, self.path(key))
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise _storage_error(exc, key) from exc
        return size

    def write_aside(self, key: str, data: bytes | BinaryIO) -> tuple[Path, int]:
        """Write ``data`` to a temporary file beside where ``key`` goes (same directory,
        so a rename puts it in place atomically); returns its path and size. Nothing is
        left behind if the write fails. The name starts with the temporary prefix, so
        ``keys()`` and backups never see it."""
        path = self.path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_TMP_PREFIX, suffix=".part")
        except OSError as exc:
            raise _storage_error(exc, key) from exc
        size = 0
        try:
            with os.fdopen(fd, "wb") as fh:
                if isinstance(data, (bytes, bytearray, memoryview)):
                    fh.write(data)
                    size = len(data)
                else:
                    while chunk := data.read(CHUNK):
                        fh.write(chunk)
                        size += len(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o640)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise _storage_error(exc, key) from exc
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return Path(tmp), size

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            raise StorageError(f"no such stored file: {key!r}") from None

    def head(self, key: str, size: int) -> bytes:
        """The first ``size`` bytes of the file (all of it if it is shorter). For files
        read on every request (a statistics snapshot's header): the checked path of a key
        is kept, since checking it (resolving each part) cost several times the read."""
        path = self._checked.get(key)
        if path is None:
            path = self.path(key)
            if len(self._checked) >= 1024:
                self._checked.clear()
            self._checked[key] = path
        try:
            with path.open("rb") as fh:
                return fh.read(size)
        except FileNotFoundError:
            raise StorageError(f"no such stored file: {key!r}") from None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> bool:
        """Remove the file; False if it was not there."""
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            return False
        return True

    def check_writable(self) -> None:
        """Write and remove a one-byte file at the root; raises OSError if files cannot
        be stored (a read-only mount, a full disk, a root that cannot be created)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=_TMP_PREFIX, suffix=".health")
        try:
            os.write(fd, b"\n")
        finally:
            os.close(fd)
            Path(tmp).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        """Every stored key, sorted (temporary files of unfinished writes excluded)."""
        if not self.root.exists():
            return
        for p in sorted(self.root.rglob("*")):
            if p.is_file() and not p.name.startswith(_TMP_PREFIX):
                yield p.relative_to(self.root).as_posix()


def get_storage() -> Storage:
    """The app's storage (one instance per app, rooted at ``STORAGE_DIR``). Matched by the
    setting as written: resolving it on every call cost ~50 µs (a system call per path
    part), and the statistics dashboard asks on every view."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    configured = os.fspath(app.config["STORAGE_DIR"])
    cached = app.extensions.get("academy_storage")
    if cached is None or cached[0] != configured:
        cached = (configured, LocalStorage(configured))
        app.extensions["academy_storage"] = cached
    return cached[1]


# --- files that belong to a database transaction ---------------------------------------

_STAGED = "academy_staged_files"


@dataclass
class _Staged:
    store: LocalStorage
    key: str
    tmp: Path
    transaction: SessionTransaction | None  # where it was staged: a savepoint's rollback discards it
    in_place: bool = False


def put_on_commit(key: str, data: bytes | BinaryIO, session: Session | scoped_session | None = None) -> int:
    """Store ``data`` under ``key`` as part of the session's transaction; returns its size.

    The file is written now under a temporary name, takes its key just before the
    database commits (so a committed row never names a missing file), and is deleted if
    the transaction (or the savepoint it was written in) rolls back or the commit fails.
    A crash in between leaves at most a temporary file, or a file no row names: never a
    row without its file. ``session`` defaults to the app's (``db.session``)."""
    from academy.extensions import db

    session = db.session if session is None else session
    if isinstance(session, scoped_session):
        session = session()  # this thread's Session: the proxy lacks the transaction getters
    store = get_storage()
    if not isinstance(store, LocalStorage):
        raise TypeError("put_on_commit needs a LocalStorage")
    tmp, size = store.write_aside(key, data)
    # A transaction must exist for its end to be seen (rolled back, or closed unused).
    transaction = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_STAGED, []).append(_Staged(store, key, tmp, transaction))
    return size


def _discard(files: list[_Staged]) -> None:
    for f in files:
        try:
            if f.in_place:
                f.store.delete(f.key)
            else:
                f.tmp.unlink(missing_ok=True)
        except OSError as exc:  # a file left over is harmless; the request must not fail for it
            log.warning("could not remove the uncommitted file %s: %s", f.key, exc)


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _before_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint is released, not committed: its files wait for the outer commit
    for f in session.info.get(_STAGED, ()):
        if not f.in_place:
            try:
                os.replace(f.tmp, f.store.path(f.key))
            except OSError as exc:
                raise _storage_error(exc, f.key) from exc
            f.in_place = True


def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is None:
        session.info.pop(_STAGED, None)  # committed with their rows: kept


def _after_soft_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    # A savepoint rolled back: the files written inside it go with its rows.
    staged = session.info.get(_STAGED)
    if staged:
        gone = [f for f in staged if _within(f.transaction, previous_transaction)]
        if gone:
            session.info[_STAGED] = [f for f in staged if not any(f is g for g in gone)]
            _discard(gone)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended without committing them
        _discard(session.info.pop(_STAGED, []))


_EVENTS = {"before_commit": _before_commit, "after_commit": _after_commit,
           "after_soft_rollback": _after_soft_rollback, "after_transaction_end": _after_transaction_end}


def track_transactions(session: scoped_session) -> None:
    """Tie the files written by ``put_on_commit`` to the session's transactions (once
    per session factory; every app made in one process shares Flask-SQLAlchemy's)."""
    for name, fn in _EVENTS.items():
        if not event.contains(session, name, fn):
            event.listen(session, name, fn)
