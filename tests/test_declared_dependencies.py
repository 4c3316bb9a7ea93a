"""pyproject.toml declares every package the application imports, and the certificate
renderer, which uses its libraries' public APIs only, takes their new releases."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def declared() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {canonicalize_name(r.name): r for r in map(Requirement, project["dependencies"])}


def imported_modules(package: Path) -> dict[str, str]:
    """{top-level module: first file importing it} for absolute imports anywhere in the
    package (also those inside functions, which run later but must be installed all the same)."""
    found: dict[str, str] = {}
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_every_package_the_app_imports_is_declared_in_pyproject():
    distributions = metadata.packages_distributions()
    wanted = declared()
    missing = []
    for module, where in sorted(imported_modules(ROOT / "academy").items()):
        # bench/ is this repository's own (the bench-data command imports it from a checkout).
        if module in sys.stdlib_module_names or module in ("academy", "bench", "__future__"):
            continue
        names = {canonicalize_name(d) for d in distributions.get(module, [])}
        if not names & set(wanted):
            missing.append(f"{module} (imported in {where}; from {sorted(names) or 'no installed package'})")
    assert not missing, "not declared in pyproject.toml dependencies: " + "; ".join(missing)


def test_the_certificate_renderer_takes_new_weasyprint_and_segno_releases():
    wanted = declared()
    for name in ("weasyprint", "segno"):
        specifiers = wanted[name].specifier
        assert not [s for s in specifiers if s.operator in ("<", "<=", "==", "~=", "===")], (name, str(specifiers))
    assert "70" in wanted["weasyprint"].specifier
