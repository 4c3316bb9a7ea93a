"""Where files live: a small storage interface with a local-directory default.

Features keep the *key* (a relative, slash-separated name such as
``certificates/2026/abc.pdf``) in the database and ask ``get_storage()`` for the bytes.
Writes are atomic (temporary file in the same directory, fsync, rename), so a reader never
sees half a file and a crash never leaves one behind under the final name. A full disk
(ENOSPC, or a quota: EDQUOT) raises ``StorageFullError`` with nothing left behind; the
app answers it with a clear 507 page. Several app servers share one ``STORAGE_DIR`` (a
shared mount).
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

_KEY_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_TMP_PREFIX = ".tmp-"
CHUNK = 1024 * 1024


class StorageError(ValueError):
    """A bad key, or a key that does not exist."""


class StorageFullError(OSError):
    """The storage device is full (or over quota): nothing was written."""


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
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_TMP_PREFIX, suffix=".part")
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
            os.replace(tmp, path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StorageFullError(exc.errno, f"storage full while writing {key}") from exc
            raise
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return size

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
