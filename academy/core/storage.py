"""Where files live: a small storage interface with a local-directory default.

Features keep the *key* (a relative, slash-separated name such as
``certificates/2026/abc.pdf``) in the database and ask ``get_storage()`` for the bytes.
Writes are atomic (temporary file in the same directory, fsync, rename), so a reader never
sees half a file and a crash never leaves one behind under the final name.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app

_KEY_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


class StorageError(ValueError):
    """A bad key, or a key that does not exist."""


class Storage(Protocol):
    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> bool: ...


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

    def path(self, key: str) -> Path:
        path = self.root.joinpath(*check_key(key))
        # The key check already forbids "..", this guards against symlinked parts too.
        if not path.resolve().is_relative_to(self.root):
            raise StorageError(f"key escapes the storage root: {key!r}")
        return path

    def put(self, key: str, data: bytes) -> None:
        """Write ``data`` under ``key`` atomically, replacing any previous content."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o640)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
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


def get_storage() -> Storage:
    """The app's storage (one instance per app, rooted at ``STORAGE_DIR``)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    storage = app.extensions.get("academy_storage")
    if storage is None or getattr(storage, "root", None) != Path(app.config["STORAGE_DIR"]).resolve():
        storage = LocalStorage(app.config["STORAGE_DIR"])
        app.extensions["academy_storage"] = storage
    return storage
