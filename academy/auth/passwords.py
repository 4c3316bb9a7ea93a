"""Password hashing (argon2id) and the strength rule: 12+ characters, not a common one."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
_hasher = PasswordHasher()
# A valid hash to verify against when the account does not exist, so a login for an
# unknown email costs the same time as one for a known email. Made on first use, not at
# import: an argon2 hash takes 64 MB, which every CLI command and export would pay.
_DUMMY_HASH: str | None = None


def configure_hasher(fast: bool) -> None:
    """Tests use cheap argon2 parameters; everything else keeps the library's defaults."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if fast else PasswordHasher()
    _DUMMY_HASH = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash("academy-timing-equaliser")
    return _DUMMY_HASH


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    """True for passwords on the common list or made of one repeated short pattern."""
    p = password.lower()
    if p in _common_passwords():
        return True
    for size in range(1, 5):  # "aaaaaaaaaaaa", "abcabcabcabc", "12341234..."
        if len(p) % size == 0 and p == p[:size] * (len(p) // size):
            return True
    digits = "01234567890123456789"
    letters = "abcdefghijklmnopqrstuvwxyz"
    keyboard = "qwertyuiopasdfghjklzxcvbnm"
    return any(p in seq or p in seq[::-1] for seq in (digits, letters, keyboard))
