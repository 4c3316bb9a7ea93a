"""A small course with one assignment, for the assignment tests and the access table."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
DL177 = Path(__file__).resolve().parent.parent / "academy" / "courses" / "packages" / "dl177"

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def assignment_spec(lang: str = "en", **changes) -> dict:
    """DL177's search-report assignment in ``lang``, moved to the mini course's module 'two'."""
    spec = yaml.safe_load((DL177 / lang / "assignments" / "search-report.yaml").read_text(encoding="utf-8"))
    spec["module"] = "two"
    spec.update(changes)
    return spec


def mini_with_assignment(specs: dict[str, dict] | None = None, root: Path | None = None) -> Path:
    """A copy of the mini package with ``assignments/search-report.yaml`` in each of its languages."""
    root = Path(root or tempfile.mkdtemp(prefix="mini-assignment-")) / "mini"
    shutil.copytree(MINI, root)
    specs = specs or {lang: assignment_spec(lang) for lang in ("en", "fr")}
    for lang, spec in specs.items():
        (root / lang / "assignments").mkdir(exist_ok=True)
        (root / lang / "assignments" / "search-report.yaml").write_text(
            yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root
