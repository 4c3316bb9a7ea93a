"""Fail when a view commits or writes an audit event (house rule: one transaction boundary).

The request commits once, at its end (academy/core/transactions.py); services add, flush
and record audit events. A view module here is one that makes a ``Blueprint`` or declares
routes (``@x.route``, ``@x.get``, ``@x.post``…). Flagged in it:

- ``….session.commit()`` (``db.session.commit()``, ``session.commit()``);
- a call of ``academy.core.audit.record``, under whatever name it was imported.

``ALLOWED`` lists the documented exceptions, as "path:function" with the reason; it is
empty while none is needed (a failed login keeps its record with ``keep_on_error()``).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}
AUDIT_MODULE = "academy.core.audit"
#: "path:function" -> why this view may commit or record by itself
ALLOWED: dict[str, str] = {}
DEFAULT_PATHS = ("academy",)


def _is_view_module(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Blueprint":
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):  # a MethodView too
            for dec in node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                if isinstance(target, ast.Attribute) and target.attr in ROUTE_DECORATORS:
                    return True
    return False


def _receiver_is_session(node: ast.expr) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr == "session"
    if isinstance(node, ast.Name):
        return node.id == "session"
    if isinstance(node, ast.Call):  # db.session().commit()
        return _receiver_is_session(node.func)
    return False


def check_source(source: str, filename: str = "<source>") -> list[str]:
    """The commits and audit writes of a view module, one message each (empty when clean)."""
    tree = ast.parse(source, filename)
    if not _is_view_module(tree):
        return []
    audit_names = {alias.asname or alias.name for node in ast.walk(tree)
                   if isinstance(node, ast.ImportFrom) and node.module == AUDIT_MODULE
                   for alias in node.names if alias.name == "record"}
    audit_modules = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for alias in node.names if alias.name == AUDIT_MODULE}
    problems: list[str] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            if isinstance(child, ast.Call):
                what = None
                func = child.func
                if isinstance(func, ast.Attribute) and func.attr == "commit" and _receiver_is_session(func.value):
                    what = "commits (the request commits once, at its end)"
                elif isinstance(func, ast.Name) and func.id in audit_names:
                    what = "records an audit event (services record them)"
                elif (isinstance(func, ast.Attribute) and func.attr == "record"
                      and ast.unparse(func.value) in audit_modules):
                    what = "records an audit event (services record them)"
                if what and f"{filename}:{name}" not in ALLOWED:
                    problems.append(f"{filename}:{child.lineno}: {name}() {what}")
            visit(child, name)

    visit(tree, "<module>")
    return problems


def main(paths: list[str]) -> int:
    root = Path.cwd()
    problems: list[str] = []
    for base in paths or DEFAULT_PATHS:
        for path in sorted(Path(base).rglob("*.py")):
            rel = path.resolve().relative_to(root.resolve()) if path.is_absolute() else path
            problems += check_source(path.read_text(encoding="utf-8"), rel.as_posix())
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
