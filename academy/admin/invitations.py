"""The public end of an invitation: the invited person chooses a password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from academy.admin.services import accept_invitation, user_from_invitation_token
from academy.auth.forms import ResetPasswordForm
from academy.extensions import limiter

bp = Blueprint("invitations", __name__, template_folder="templates")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit("20 per 10 minutes", methods=["POST"])
def accept(token: str):
    if current_user.is_authenticated:
        flash(
            _("You are logged in already. Log out to accept an invitation for another account."),
            "info",
        )
        return redirect(url_for("courses.dashboard"))
    user = user_from_invitation_token(token)
    if user is None:
        flash(
            _(
                "This invitation link is invalid, has expired or was used already. "
                "If you chose a password, log in; otherwise ask for a password reset."
            ),
            "error",
        )
        return redirect(url_for("auth.login"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        accept_invitation(user, form.password.data)
        flash(_("Your password is set. Log in with your email address to start."), "success")
        return redirect(url_for("auth.login"))
    return render_template("admin/accept_invitation.html", form=form, user=user)
