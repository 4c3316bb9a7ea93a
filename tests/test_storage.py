"""The storage interface: keys stay inside the root, writes are atomic."""

from __future__ import annotations

import pytest

from academy.core.storage import LocalStorage, StorageError


def test_put_get_exists_delete(tmp_path):
    s = LocalStorage(tmp_path)
    s.put("certificates/2026/a.pdf", b"one")
    s.put("certificates/2026/a.pdf", b"two")  # replaces
    assert s.get("certificates/2026/a.pdf") == b"two" and s.exists("certificates/2026/a.pdf")
    assert not list((tmp_path / "certificates" / "2026").glob(".tmp-*"))  # no leftovers
    assert s.delete("certificates/2026/a.pdf") and not s.delete("certificates/2026/a.pdf")
    with pytest.raises(StorageError):
        s.get("certificates/2026/a.pdf")


@pytest.mark.parametrize("key", ["../x", "/etc/passwd", "a//b", "a/../../b", "", ".hidden", "a/b\\c", "a/ b"])
def test_keys_cannot_escape_the_root(tmp_path, key):
    with pytest.raises(StorageError):
        LocalStorage(tmp_path).put(key, b"x")


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    import os

    s = LocalStorage(tmp_path)
    s.put("k.bin", b"old")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        s.put("k.bin", b"new")
    assert s.get("k.bin") == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["k.bin"]
