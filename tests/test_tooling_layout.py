"""Tooling stays out of the features: the demo data is one package, academy/demo/, and the
benchmark population generator is under bench/, imported only by the command that runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_demo_seeding_is_one_package_and_no_feature_carries_a_demo_module():
    assert sorted(p.name for p in (ROOT / "academy" / "demo").glob("*.py")) == [
        "__init__.py", "announcements.py", "assignments.py", "certification.py", "quizzes.py", "seed.py", "surveys.py",
        "task_translations.py"]
    stray = [str(p.relative_to(ROOT)) for p in (ROOT / "academy").rglob("demo*.py")
             if p.parent.name != "demo"]
    assert stray == []


def test_the_benchmark_population_generator_is_bench_tooling():
    assert (ROOT / "bench" / "benchdata.py").is_file()
    assert not list((ROOT / "academy").rglob("benchdata.py"))


def test_building_the_app_imports_neither_the_demo_nor_the_bench_tooling(tmp_path):
    code = (
        "import sys\n"
        "from academy import create_app\n"
        f"create_app({{'ACADEMY_ENV': 'testing', 'INSTANCE_DIR': {str(tmp_path)!r}}})\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('academy.demo', 'bench')))\n"
        "print(loaded)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_bench_data_runs_from_the_source_checkout(app):
    result = app.test_cli_runner().invoke(args=["academy", "bench-data", "--help"])
    assert result.exit_code == 0 and "synthetic population" in result.output
