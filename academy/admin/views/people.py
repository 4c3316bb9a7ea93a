"""/admin/people…: the people list, a person's page and its actions, invitations."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from academy.admin import queries, services
from academy.admin.csvfiles import CsvFileError, decode_upload, parse_invites
from academy.admin.forms import ActionForm, InviteForm, NameCorrectionForm, PeopleFilterForm, RoleForm
from academy.admin.services import AdminError
from academy.admin.views import bp
from academy.admin.views.helpers import PER_PAGE, check_action_form, tisc_choices
from academy.auth.access import admin_required
from academy.auth.latin import suggest_latin
from academy.auth.models import User
from academy.auth.services import make_reset_token
from academy.core import signals
from academy.core.enums import Role
from academy.core.i18n import autonym, country_choices
from academy.core.mail import send_mail
from academy.core.signals import values_from_signal
from academy.core.urls import external_url
from academy.extensions import db


def _user_or_404(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    return user


def _language_choices() -> list[tuple[str, str]]:
    return [(code, autonym(code)) for code in current_app.config["LANGUAGES"]]


@bp.route("/people")
@admin_required
def people():
    # A search form read from the query string changes nothing, so it carries no CSRF token.
    form = PeopleFilterForm(request.args, meta={"csrf": False})
    form.country.choices = [("", _("Any"))] + country_choices()
    form.tisc.choices = [("", _("Any"))] + tisc_choices(include_inactive=True)
    form.language.choices = [("", _("Any"))] + _language_choices()
    filters = form.data if form.validate() else {}
    page = db.paginate(queries.people_query(filters), per_page=PER_PAGE, error_out=False)
    invited = queries.pending_invitation_ids([u.id for u in page.items])
    return render_template(
        "admin/people.html",
        form=form,
        page=page,
        invited=invited,
        sort=filters.get("sort") or "name",
        direction=filters.get("dir") or "asc",
    )


@bp.route("/people/<int:user_id>")
@admin_required
def user_detail(user_id: int):
    user = _user_or_404(user_id)
    role_form = RoleForm()
    role_form.role.choices = [c for c in Role.choices() if Role(c[0]) not in user.roles]
    return render_template(
        "admin/user.html",
        user=user,
        role_form=role_form,
        action_form=ActionForm(),
        enrollments=queries.user_enrollments(user.id),
        corrections=queries.name_corrections(user.id),
        invitation=services.pending_invitation(user),
        activity=queries.recent_activity(user.id),
        sections=values_from_signal(signals.admin_user_sections.send(user)),
    )


def _back_to_user(user: User):
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/people/<int:user_id>/roles/grant", methods=["POST"])
@admin_required
def grant_role(user_id: int):
    user = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    if services.grant_role(user, Role(form.role.data)):
        flash(
            _("%(name)s is now: %(role)s.", name=user.full_name, role=Role(form.role.data).title),
            "success",
        )
    return _back_to_user(user)


@bp.route("/people/<int:user_id>/roles/remove", methods=["POST"])
@admin_required
def remove_role(user_id: int):
    user = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = services.remove_role(user, Role(form.role.data), actor=current_user)
    except AdminError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back_to_user(user)
    if changed:
        flash(_("Role removed: %(role)s.", role=Role(form.role.data).title), "success")
    return _back_to_user(user)


@bp.route("/people/<int:user_id>/deactivate", methods=["POST"])
@admin_required
def deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.route("/people/<int:user_id>/reactivate", methods=["POST"])
@admin_required
def reactivate(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    user = _user_or_404(user_id)
    check_action_form()
    try:
        changed = services.set_active(user, active, actor=current_user)
    except AdminError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back_to_user(user)
    if changed:
        if active:
            flash(_("The account is active again; the person can log in."), "success")
        else:
            flash(
                _("The account is deactivated: the person cannot log in. Nothing was deleted."),
                "success",
            )
    return _back_to_user(user)


@bp.route("/people/<int:user_id>/password-reset", methods=["POST"])
@admin_required
def send_password_reset(user_id: int):
    user = _user_or_404(user_id)
    check_action_form()
    try:
        services.password_reset_sent(user)
    except AdminError as exc:
        flash(str(exc), "error")
        return _back_to_user(user)
    link = external_url("auth.reset_password", token=make_reset_token(user))
    with force_locale(user.preferred_language):  # the reader's language, not the administrator's
        subject = _("Reset your Academy password")
        body = _(
            "An Academy administrator sent you this link to choose a new password. "
            "Open it within one hour:\n\n%(link)s\n\n"
            "If you did not expect this, ignore this message.",
            link=link,
        )
    send_mail(user.email, subject, body)
    flash(_("A password reset link has been sent to %(email)s.", email=user.email), "success")
    return _back_to_user(user)


def _send_invitation(user: User) -> None:
    link = external_url("invitations.accept", token=services.make_invitation_token(user))
    with force_locale(user.preferred_language):  # the invitee's language (from the CSV), not the admin's
        subject = _("You are invited to Academy")
        body = _(
            "Hello %(name)s,\n\nAn administrator has created an Academy account for you: "
            "training and certification for TISC staff. "
            "Choose your password within 14 days to start:\n\n%(link)s\n\n"
            "Your login is this email address.",
            name=user.full_name,
            link=link,
        )
    send_mail(user.email, subject, body)


@bp.route("/people/<int:user_id>/resend-invitation", methods=["POST"])
@admin_required
def resend_invitation(user_id: int):
    user = _user_or_404(user_id)
    check_action_form()
    invitation = services.pending_invitation(user)
    if invitation is None or not user.is_active_account:
        flash(_("This person has no pending invitation."), "error")
        return _back_to_user(user)
    services.invitation_resent(invitation)
    _send_invitation(user)
    flash(_("The invitation has been sent again to %(email)s.", email=user.email), "success")
    return _back_to_user(user)


@bp.route("/people/<int:user_id>/name", methods=["GET", "POST"])
@admin_required
def correct_name(user_id: int):
    user = _user_or_404(user_id)
    form = NameCorrectionForm()
    latin_hint = None
    if request.method == "GET":
        form.full_name.data = user.full_name
        # Offered, not saved: the admin checks it against the person's passport.
        form.full_name_latin.data = user.full_name_latin or suggest_latin(user.full_name) or ""
        if form.full_name_latin.data and not user.full_name_latin:
            latin_hint = _("Suggested from the name: check it against the passport before saving.")
    if form.validate_on_submit():
        old_name, old_latin = user.full_name, user.full_name_latin
        try:
            # A post without the field (an older form, a script) keeps the Latin form as it is.
            latin = (form.full_name_latin.data or "") if form.full_name_latin.raw_data else None
            services.correct_name(user, form.full_name.data, form.reason.data, actor=current_user, latin=latin)
        except AdminError as exc:
            db.session.rollback()
            getattr(form, exc.field or "full_name").errors.append(str(exc))
        else:
            if user.full_name != old_name:
                flash(_("The name has been corrected from “%(old)s” to “%(new)s”.", old=old_name,
                        new=user.full_name), "success")
            else:
                flash(_("The name in Latin letters has been corrected from “%(old)s” to “%(new)s”.",
                        old=old_latin or "—", new=user.full_name_latin or "—"), "success")
            if any(values_from_signal(signals.name_correction_follow_ups.send(user))):
                # Something printed with the old name (a certificate) can be redone: show it.
                flash(_("Some documents still carry the old name; you can re-issue them below."), "info")
                return redirect(url_for("admin.correct_name", user_id=user.id))
            return _back_to_user(user)
    follow_ups = [item for items in values_from_signal(signals.name_correction_follow_ups.send(user))
                  for item in items]
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/name.html",
        user=user,
        form=form,
        follow_ups=follow_ups,
        latin_hint=latin_hint,
        corrections=queries.name_corrections(user.id),
    ), status


@bp.route("/people/invite", methods=["GET", "POST"])
@admin_required
def invite():
    form = InviteForm()
    rows = None
    file_error = None
    if form.validate_on_submit():
        try:
            if form.file.data:
                text = decode_upload(form.file.data.read())
            elif form.csv_text.data:
                text = form.csv_text.data
            else:
                raise CsvFileError(_("Choose a CSV file."))
            rows = parse_invites(text)
        except CsvFileError as exc:
            file_error = str(exc)
        else:
            good = [r for r in rows if not r.errors]
            bad = [r for r in rows if r.errors]
            if bad and form.mode.data == "all":
                form.csv_text.data = text
                return render_template(
                    "admin/invite.html", form=form, rows=rows, bad=bad, good=good, imported=False
                ), 422
            created = services.invite_users(good, actor=current_user)
            for user in created:
                _send_invitation(user)  # queued with the accounts: sent once they are committed
            flash(ngettext("%(num)s invitation sent.", "%(num)s invitations sent.", len(created)), "success")
            return render_template(
                "admin/invite.html",
                form=InviteForm(formdata=None),
                rows=rows,
                bad=bad,
                good=good,
                imported=True,
            )
    status = 422 if request.method == "POST" else 200
    return render_template("admin/invite.html", form=form, rows=None, file_error=file_error), status
