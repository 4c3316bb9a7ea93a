"""Demo data, `flask academy seed-demo`: DL177 and its pilot learners (seed.py), their quiz
attempts (quizzes.py) and the TISC staff certification's pilot cohort (certification.py).

Seeding is tooling, not a feature: nothing in the app imports this package; the command
does, when it runs.
"""

from academy.demo.seed import PACKAGES_DIR, seed

__all__ = ["PACKAGES_DIR", "seed"]
