"""Backup and restore: one archive holding a consistent snapshot of the database and
every stored file.

The database goes in as a portable logical dump (one JSON-lines file per table, values
typed by the models), so a backup taken on SQLite restores into PostgreSQL and the
other way round: the way to move a growing instance off its SQLite file. The snapshot
is consistent: SQLite is copied first with its online backup API (writers carry on),
PostgreSQL is read in one REPEATABLE READ, READ ONLY transaction (what pg_dump does).
Files are copied after the snapshot, so every file a row refers to is in the archive.

Archive layout (tar.gz): ``manifest.json``, ``db/<table>.jsonl`` (a header line with the
column names, then one JSON array per row), ``storage/<key>``.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import enum
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from academy.core.models import utcnow
from academy.core.storage import StorageError, get_storage
from academy.extensions import db

FORMAT = "academy-backup/1"
# Storage areas that only hold work in progress (an admin's package between preview and
# apply): not worth restoring.
TRANSIENT_PREFIXES = ("package-uploads/",)
BATCH = 2000


class BackupError(RuntimeError):
    """The archive cannot be made or restored; the message says why."""


def _encode(value):
    if isinstance(value, dt.datetime):
        return {"$t": "datetime", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$t": "date", "v": value.isoformat()}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$t": "bytes", "v": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, decimal.Decimal):
        return {"$t": "decimal", "v": str(value)}
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _decode(value):
    if isinstance(value, dict) and "$t" in value:
        kind, raw = value["$t"], value["v"]
        if kind == "datetime":
            return dt.datetime.fromisoformat(raw)
        if kind == "date":
            return dt.date.fromisoformat(raw)
        if kind == "bytes":
            return base64.b64decode(raw)
        if kind == "decimal":
            return decimal.Decimal(raw)
    return value


def _tables():
    return [t for t in db.metadata.sorted_tables if t.name != "alembic_version"]


def code_head_revision() -> str:
    from alembic.script import ScriptDirectory
    from flask import current_app

    config = current_app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    return heads[0] if len(heads) == 1 else ",".join(sorted(heads))


@contextmanager
def _snapshot() -> Iterator[Connection]:
    """A connection that sees the database as of one instant."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        source_path = make_url(str(engine.url)).database
        tmp = Path(tempfile.mkdtemp(prefix="academy-snapshot-"))
        try:
            src = sqlite3.connect(source_path)
            dst = sqlite3.connect(tmp / "snapshot.db")
            try:
                src.backup(dst)  # the online backup API: a page-consistent copy
            finally:
                dst.close()
                src.close()
            snap = create_engine(f"sqlite:///{tmp / 'snapshot.db'}")
            try:
                with snap.connect() as conn:
                    yield conn
            finally:
                snap.dispose()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    else:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            yield conn
            conn.rollback()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(utcnow().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def create_backup(out: str | os.PathLike, echo: Callable[[str], None] = lambda _m: None) -> dict:
    """Write the archive to ``out`` (atomically: a temporary file renamed at the end).
    Changes nothing in the database or storage; returns the manifest."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=".backup-", suffix=".part")
    os.close(fd)
    manifest: dict = {"format": FORMAT, "created_at": utcnow().isoformat(), "tables": {}, "files": {}}
    try:
        with tarfile.open(tmp_name, "w:gz", compresslevel=6) as tar, _snapshot() as conn:
            manifest["dialect"] = conn.dialect.name
            manifest["revision"] = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            for table in _tables():
                columns = [c.name for c in table.columns]
                order = list(table.primary_key.columns) or list(table.columns)
                with tempfile.TemporaryFile() as buf:
                    buf.write(json.dumps({"table": table.name, "columns": columns}).encode() + b"\n")
                    count = 0
                    result = conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
                    for row in result:
                        buf.write(json.dumps([_encode(v) for v in row], ensure_ascii=False,
                                             separators=(",", ":")).encode() + b"\n")
                        count += 1
                    size = buf.tell()
                    buf.seek(0)
                    info = tarfile.TarInfo(f"db/{table.name}.jsonl")
                    info.size, info.mode, info.mtime = size, 0o600, int(utcnow().timestamp())
                    tar.addfile(info, buf)
                manifest["tables"][table.name] = count
                echo(f"  {table.name}: {count} rows")
            # Files after the snapshot: every file a snapshotted row names is already stored.
            store = get_storage()
            for key in store.keys():
                if key.startswith(TRANSIENT_PREFIXES):
                    continue
                try:
                    data = store.get(key)
                except StorageError:
                    echo(f"  skipped {key}: not a storage key (a stray file?)")
                    continue
                _add_bytes(tar, f"storage/{key}", data)
                manifest["files"][key] = hashlib.sha256(data).hexdigest()
            echo(f"  storage: {len(manifest['files'])} files")
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
        os.replace(tmp_name, out)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return manifest


def _read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.extractfile("manifest.json")
    except KeyError:
        raise BackupError("not an Academy backup: manifest.json is missing") from None
    manifest = json.load(member)
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unsupported backup format {manifest.get('format')!r} (expected {FORMAT})")
    return manifest


def _ensure_empty_schema(revision: str) -> None:
    """Migrate an empty database up to the code's head; refuse one that holds data."""
    from flask_migrate import upgrade

    head = code_head_revision()
    if revision != head:
        raise BackupError(
            f"the backup was made at schema revision {revision}, this code is at {head}: restore it with "
            "the Academy version that made it, then upgrade"
        )
    if "alembic_version" not in inspect(db.engine).get_table_names():
        upgrade()
    current = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    if current != head:
        raise BackupError(f"the database is at revision {current}, not {head}: run `flask db upgrade` first")
    busy = [t.name for t in _tables() if db.session.scalar(select(func.count()).select_from(t))]
    db.session.rollback()
    if busy:
        raise BackupError("restore needs an empty instance; these tables hold rows: " + ", ".join(busy))


def restore_backup(archive: str | os.PathLike, echo: Callable[[str], None] = lambda _m: None) -> dict:
    """Load the archive into this (empty) instance: every row, then every file. The database
    part is one transaction: on any error nothing is left half-restored."""
    store = get_storage()
    if any(True for _ in store.keys()):
        raise BackupError(f"restore needs an empty storage directory: {store.root}")
    with tarfile.open(archive, "r:gz") as tar:
        manifest = _read_manifest(tar)
        _ensure_empty_schema(manifest["revision"])
        tables = {t.name: t for t in _tables()}
        missing = set(manifest["tables"]) - set(tables)
        if missing:
            raise BackupError("the backup has tables this code does not know: " + ", ".join(sorted(missing)))
        with db.engine.begin() as conn:
            for name, table in tables.items():
                if name not in manifest["tables"]:
                    continue
                lines = tar.extractfile(f"db/{name}.jsonl")
                header = json.loads(lines.readline())
                columns = header["columns"]
                unknown = set(columns) - set(table.columns.keys())
                if unknown:
                    raise BackupError(f"{name}: unknown columns {sorted(unknown)}")
                batch, count = [], 0
                for line in lines:
                    batch.append(dict(zip(columns, (_decode(v) for v in json.loads(line)), strict=True)))
                    if len(batch) >= BATCH:
                        conn.execute(table.insert(), batch)
                        count += len(batch)
                        batch = []
                if batch:
                    conn.execute(table.insert(), batch)
                    count += len(batch)
                if count != manifest["tables"][name]:
                    raise BackupError(f"{name}: {count} rows in the archive, the manifest says "
                                      f"{manifest['tables'][name]}")
                echo(f"  {name}: {count} rows")
            if conn.dialect.name == "postgresql":
                _reset_sequences(conn, tables.values())
        for key, digest in manifest["files"].items():
            data = tar.extractfile(f"storage/{key}").read()
            if hashlib.sha256(data).hexdigest() != digest:
                raise BackupError(f"storage/{key} is damaged (checksum mismatch)")
            store.put(key, data)
        echo(f"  storage: {len(manifest['files'])} files")
    return manifest


def _reset_sequences(conn: Connection, tables) -> None:
    """Restored ids were inserted explicitly; move each id sequence past them."""
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement in (True, "auto") and pk[0].type.python_type is int:
            sequence = func.pg_get_serial_sequence(f'"{table.name}"', pk[0].name)
            next_id = select(func.coalesce(func.max(pk[0]), 0) + 1).scalar_subquery()
            conn.execute(select(func.setval(sequence, next_id, False)))
