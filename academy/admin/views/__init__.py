"""The admin console under /admin: people, courses, TISC directory, audit log.

One module per part of the URL after /admin/, so a screen's code is found by its address:
overview.py (/admin/), people.py (/admin/people…), courses.py (/admin/courses…),
tiscs.py (/admin/tiscs…), audit.py (/admin/audit…); helpers.py holds what several share.

Every route is ``admin_required``; every change goes through services.py, which writes
the audit event. Pages work without JavaScript.
"""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from academy.admin.views.helpers import args_with
from academy.core.enums import Role
from academy.core.nav import NavItem

# The templates stay beside the package (academy/admin/templates), one level above this one.
bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="../templates")


def menu_items(sender, **_kw):
    """On ``menu-items``: this feature's header entries."""
    yield NavItem("admin.index", _l("Admin"), (Role.ADMIN,), order=90)


@bp.context_processor
def _helpers():
    return {"args_with": args_with}


# Importing the screens' modules registers their routes on ``bp``; they import ``bp`` from here,
# so this comes after it is defined.
from academy.admin.views import audit, courses, name_requests, overview, people, tiscs  # noqa: E402, F401
