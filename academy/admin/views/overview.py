"""/admin/: the console's front page with the headline counts."""

from __future__ import annotations

from flask import render_template

from academy.admin import queries
from academy.admin.views import bp
from academy.auth.access import admin_required


@bp.route("/")
@admin_required
def index():
    counts, counted_at = queries.dashboard_counts()
    return render_template("admin/index.html", counts=counts, counted_at=counted_at)
