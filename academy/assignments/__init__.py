"""Course assignments graded on a rubric (the DL177 worked case's search report)."""

from __future__ import annotations


def init_app(app) -> None:
    """Read assignments from course packages and write them on import; show them on the course
    home; the grading queue's header entry."""
    from academy.assignments import views
    from academy.assignments.package import load_assignments
    from academy.assignments.services import sync_assignments
    from academy.core import signals

    signals.course_package_loaded.connect(load_assignments)
    signals.course_imported.connect(sync_assignments)
    signals.course_home_sections.connect(views.home_section)
    signals.menu_items.connect(views.menu_items)
