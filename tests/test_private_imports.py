"""`make lint` refuses private names of third-party packages (scripts/check_private_imports.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scripts.check_private_imports import check_source

ROOT = Path(__file__).resolve().parent.parent


def test_private_imports_and_attributes_of_libraries_are_flagged():
    source = "\n".join([
        "import sqlalchemy.engine._py_row",
        "from flask_login.utils import _create_identifier",
        "from sqlalchemy.engine import _processors",
        "import sqlalchemy",
        "from sqlalchemy import orm as o",
        "x = sqlalchemy.engine._private_thing",
        "y = o._entity",
    ])
    problems = check_source(source, "example.py")
    assert [p.split(":")[1] for p in problems] == ["1", "2", "3", "6", "7"], problems


def test_our_own_and_the_standard_librarys_names_and_public_dunders_pass():
    source = "\n".join([
        "from academy.core.i18n import _countries",
        "from collections import _tuplegetter",
        "import flask",
        "v = flask.__version__",
        "from flask import current_app",
        "app = current_app._get_current_object()",  # documented by Werkzeug and Flask
        "def f(obj):\n    return obj._anything",  # not a module: a value we cannot judge
    ])
    assert check_source(source) == []


def test_the_codebase_passes_the_check():
    result = subprocess.run([sys.executable, "scripts/check_private_imports.py", "academy", "tests", "bench"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
