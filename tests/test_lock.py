"""The lock files say exactly what every install gets, and they agree with pyproject.toml.

`make lock` writes requirements/run.lock and requirements/dev.lock with uv from pyproject.toml
(and requirements/build.in); every make target installs from them with --require-hashes.
These checks need no network: they compare the files with each other and with the
dependency metadata of the packages installed from them.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
RUN_LOCK = ROOT / "requirements" / "run.lock"
DEV_LOCK = ROOT / "requirements" / "dev.lock"
BUILD_IN = ROOT / "requirements" / "build.in"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def read_lock(path: Path, here_only: bool = False) -> dict[str, tuple[Version, int]]:
    """{name: (version, number of hashes)} for each pinned package of a lock file; with
    ``here_only``, only those whose environment marker holds on this machine."""
    pins: dict[str, tuple[Version, int]] = {}
    name = None
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match and here_only and not wanted(Requirement(line.rstrip(" \\")), frozenset()):
            name = None
        elif match:
            name = canonicalize_name(match.group(1))
            assert name not in pins, f"{path.name}: {name} pinned twice"
            pins[name] = (Version(match.group(2)), 0)
        elif line.strip().startswith("--hash=sha256:") and name:
            version, hashes = pins[name]
            pins[name] = (version, hashes + 1)
    return pins


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def direct(extra_dev: bool) -> list[Requirement]:
    reqs = [Requirement(r) for r in project()["dependencies"]]
    reqs += [Requirement(line) for line in BUILD_IN.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    if extra_dev:
        reqs += [Requirement(r) for r in project()["optional-dependencies"]["dev"]]
    return reqs


# The locks are resolved for Python 3.11 from 3.11.0 on (`make lock`: --python-version 3.11;
# Debian 12 has 3.11.2), on this platform.
LOCK_PYTHON = {"python_version": "3.11", "python_full_version": "3.11.0"}


def wanted(req: Requirement, extras: frozenset[str]) -> bool:
    """Whether a dependency applies to the locks' target with the given extras asked for."""
    if req.marker is None:
        return True
    return any(req.marker.evaluate({**LOCK_PYTHON, "extra": extra}) for extra in extras | {""})


def closure(roots: list[Requirement]) -> set[str]:
    """The packages the roots need, transitively, read from the installed packages' metadata."""
    seen: set[str] = set()
    done: set[tuple[str, frozenset[str]]] = set()
    todo = [(canonicalize_name(r.name), frozenset(r.extras)) for r in roots]
    while todo:
        name, extras = todo.pop()
        if (name, extras) in done:
            continue
        done.add((name, extras))
        seen.add(name)
        for dep in metadata.requires(name) or []:
            sub = Requirement(dep)
            if wanted(sub, extras):
                todo.append((canonicalize_name(sub.name), frozenset(sub.extras)))
    return seen


@pytest.mark.parametrize("lock, with_dev", [(RUN_LOCK, False), (DEV_LOCK, True)], ids=["run", "dev"])
def test_every_direct_dependency_is_pinned_with_hashes_inside_its_bounds(lock, with_dev):
    pins = read_lock(lock)
    for req in direct(with_dev):
        name = canonicalize_name(req.name)
        assert name in pins, f"{lock.name} lacks {req}: run `make lock`"
        assert req.specifier.contains(pins[name][0], prereleases=True), (
            f"{lock.name} pins {name}=={pins[name][0]}, outside pyproject.toml's {req}: run `make lock`")
    unhashed = [name for name, (_, hashes) in pins.items() if hashes == 0]
    assert not unhashed, f"{lock.name}: no hashes for {unhashed}"


def test_the_dev_lock_extends_the_run_lock_with_the_same_versions():
    run, dev = read_lock(RUN_LOCK), read_lock(DEV_LOCK)
    differ = {name: (version, dev.get(name, (None,))[0]) for name, (version, _) in run.items()
              if dev.get(name, (None,))[0] != version}
    assert not differ, f"run and dev locks disagree: {differ}"


@pytest.mark.parametrize("lock, with_dev", [(RUN_LOCK, False), (DEV_LOCK, True)], ids=["run", "dev"])
def test_the_lock_holds_exactly_what_pyproject_needs(lock, with_dev):
    needed = closure(direct(with_dev))
    pinned = set(read_lock(lock, here_only=True))
    assert not needed - pinned, f"{lock.name} misses {sorted(needed - pinned)}: run `make lock`"
    assert not pinned - needed, f"{lock.name} holds what nothing needs: {sorted(pinned - needed)}: run `make lock`"


def test_this_environment_was_installed_from_the_lock():
    wrong = {}
    for name, (version, _) in read_lock(DEV_LOCK, here_only=True).items():
        try:
            installed = Version(metadata.version(name))
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (str(version), str(installed))
    assert not wrong, f"installed versions differ from requirements/dev.lock (locked, installed): {wrong}"
