"""Fail on any use of a third-party package's private names (``_x``) in our code.

House rule: public APIs only. A private name can change in any release, so code that
uses one pins its library to the versions it was tried with. Flagged, in academy/,
tests/ and bench/ (or the paths given):

- ``from pkg import _x`` and ``from pkg._x import y``, ``import pkg._x``;
- ``mod._x`` where ``mod`` is a third-party module imported in the same file.

"Third-party" is anything not in the standard library and not ours (academy, tests,
bench, scripts). Dunder names (``__version__``) are public.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

OURS = {"academy", "tests", "bench", "scripts"}
# Underscored but public: Werkzeug documents LocalProxy._get_current_object(), and Flask's
# docs tell you to call it on current_app (signals, threads).
DOCUMENTED = {"_get_current_object"}
DEFAULT_PATHS = ("academy", "tests", "bench")


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__")) and name not in DOCUMENTED


def _third_party(module: str | None) -> bool:
    if not module:
        return False  # a relative import: ours
    top = module.split(".")[0]
    return top not in OURS and top not in sys.stdlib_module_names


def check_source(source: str, filename: str = "<source>") -> list[str]:
    """The private uses in ``source``, one message each (empty when clean)."""
    tree = ast.parse(source, filename)
    problems: list[str] = []
    modules: dict[str, str] = {}  # local name -> third-party module it is bound to

    def flag(node: ast.AST, what: str) -> None:
        problems.append(f"{filename}:{node.lineno}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not _third_party(alias.name):
                    continue
                if any(_is_private(part) for part in alias.name.split(".")):
                    flag(node, f"import {alias.name}")
                modules[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _third_party(node.module):
            if any(_is_private(part) for part in node.module.split(".")):
                flag(node, f"from {node.module} import ...")
            for alias in node.names:
                if _is_private(alias.name):
                    flag(node, f"from {node.module} import {alias.name}")
                else:
                    # ``from sqlalchemy import orm``: orm may be a module; checking its
                    # attributes costs nothing when it is a function or class instead.
                    modules.setdefault(alias.asname or alias.name, f"{node.module}.{alias.name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            base = node.value
            while isinstance(base, ast.Attribute) and not _is_private(base.attr):
                base = base.value
            if isinstance(base, ast.Name) and base.id in modules:
                flag(node, f"{ast.unparse(node)} ({modules[base.id]} is third-party)")
    return problems


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in (argv or DEFAULT_PATHS)]
    problems: list[str] = []
    for root in paths:
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for path in files:
            problems += check_source(path.read_text(encoding="utf-8"), str(path))
    for line in problems:
        print(line)
    if problems:
        print(f"\n{len(problems)} use(s) of private names of third-party packages", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
