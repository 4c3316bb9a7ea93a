"""Unpacking uploaded ZIP files without trusting them.

Refuses anything that is not a ZIP, entries that would land outside the target folder
(``../``, absolute paths, drive letters), symlinks and other special files, encrypted
entries, too many entries, and archives that inflate beyond a total size or ratio
(ZIP bombs). Sizes are counted while inflating, not taken from the headers, which an
attacker controls.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


@dataclass(frozen=True)
class ZipLimits:
    max_files: int = 2000
    max_total_bytes: int = 200 * 1024 * 1024
    max_file_bytes: int = 20 * 1024 * 1024
    max_ratio: int = 100  # uncompressed / compressed, per entry and overall


class UnsafeArchive(ValueError):
    """The upload was refused; the message says why (in English, for logs and the admin)."""


_CHUNK = 64 * 1024


def _check_name(name: str) -> PurePosixPath:
    if "\\" in name or "\x00" in name:
        raise UnsafeArchive(
            f"{name!r}: backslashes and NUL characters are not allowed in entry names"
        )
    path = PurePosixPath(name)
    if path.is_absolute() or (path.parts and ":" in path.parts[0]):
        raise UnsafeArchive(f"{name!r}: absolute paths are not allowed")
    if any(part == ".." for part in path.parts):
        raise UnsafeArchive(f"{name!r}: entries may not point outside the package (..)")
    return path


def safe_extract(
    zip_path: str | Path, dest: str | Path, limits: ZipLimits = ZipLimits()
) -> list[str]:
    """Extract ``zip_path`` into the empty folder ``dest``; return the extracted file names."""
    dest = Path(dest).resolve()
    if not zipfile.is_zipfile(zip_path):
        raise UnsafeArchive("not a ZIP file")
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnsafeArchive(f"not a readable ZIP file: {exc}") from None
    written: list[str] = []
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_files:
            raise UnsafeArchive(f"too many entries ({len(infos)}; the limit is {limits.max_files})")
        declared = sum(i.file_size for i in infos)
        if declared > limits.max_total_bytes:
            raise UnsafeArchive(
                f"the files would take {declared} bytes unpacked; "
                f"the limit is {limits.max_total_bytes}"
            )
        total = 0
        compressed_total = sum(i.compress_size for i in infos) or 1
        # Check every entry before writing any, so a refused ZIP leaves nothing behind.
        checked = []
        for info in infos:
            path = _check_name(info.filename)
            kind = stat.S_IFMT(info.external_attr >> 16)
            if kind == stat.S_IFLNK:
                raise UnsafeArchive(f"{info.filename!r}: symbolic links are not allowed")
            if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
                raise UnsafeArchive(f"{info.filename!r}: special files are not allowed")
            if info.flag_bits & 0x1:
                raise UnsafeArchive(f"{info.filename!r}: encrypted entries are not allowed")
            checked.append((info, path))
        for info, path in checked:
            target = (dest / path).resolve()
            if target != dest and dest not in target.parents:
                raise UnsafeArchive(f"{info.filename!r}: entries may not point outside the package")
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            size = 0
            try:
                with archive.open(info) as src, open(target, "xb") as out:
                    while chunk := src.read(_CHUNK):
                        size += len(chunk)
                        total += len(chunk)
                        if size > limits.max_file_bytes:
                            raise UnsafeArchive(
                                f"{info.filename!r}: larger than "
                                f"{limits.max_file_bytes} bytes unpacked"
                            )
                        if total > limits.max_total_bytes:
                            raise UnsafeArchive(
                                f"the files take more than {limits.max_total_bytes} bytes unpacked"
                            )
                        if size > 1024 * 1024 and size > limits.max_ratio * max(
                            info.compress_size, 1
                        ):
                            raise UnsafeArchive(
                                f"{info.filename!r}: compressed more than {limits.max_ratio}:1 "
                                "(a ZIP bomb?)"
                            )
                        out.write(chunk)
            except FileExistsError:
                raise UnsafeArchive(f"{info.filename!r}: the same file appears twice") from None
            except (
                zipfile.BadZipFile,
                EOFError,
                NotImplementedError,
                RuntimeError,
                zlib.error,
            ) as exc:
                raise UnsafeArchive(f"{info.filename!r}: cannot be unpacked ({exc})") from None
            written.append(str(path))
        if total > 1024 * 1024 and total > limits.max_ratio * compressed_total:
            raise UnsafeArchive(
                f"the archive is compressed more than {limits.max_ratio}:1 (a ZIP bomb?)"
            )
    return written
