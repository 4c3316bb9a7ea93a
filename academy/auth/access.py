"""Role checks for routes: every view states who may use it."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from academy.core.enums import Role


def roles_required(*roles: Role):
    """Logged-in users holding at least one of ``roles``; others get 403 (anonymous: login)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


learner_required = roles_required(Role.LEARNER, Role.INSTRUCTOR, Role.ADMIN)
admin_required = roles_required(Role.ADMIN)
instructor_required = roles_required(Role.INSTRUCTOR, Role.ADMIN)
