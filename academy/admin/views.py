"""The admin console under /admin: people, courses, TISC directory, audit log.

Every route is ``admin_required``; every change goes through services.py, which writes
the audit event. Pages work without JavaScript.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select

from academy.admin import queries, quizzes, services, uploads
from academy.admin.csvfiles import CsvFileError, decode_upload, parse_invites, parse_tiscs
from academy.admin.forms import (
    ActionForm,
    AuditFilterForm,
    InviteForm,
    NameCorrectionForm,
    PackageUploadForm,
    PeopleFilterForm,
    RoleForm,
    TiscFilterForm,
    TiscForm,
    TiscImportForm,
    TiscMergeForm,
)
from academy.admin.services import AdminError
from academy.auth.access import admin_required
from academy.auth.models import Tisc, User
from academy.auth.services import make_reset_token
from academy.core import signals
from academy.core.audit import record
from academy.core.enums import Role
from academy.core.i18n import autonym, country_choices, language_name
from academy.core.mail import send_mail
from academy.core.nav import NavItem
from academy.core.signals import values_from_signal
from academy.core.urls import external_url
from academy.courses import queries as course_queries
from academy.courses.models import Course, Lesson, Module
from academy.courses.services import import_package
from academy.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


def menu_items(sender, **_kw):
    """On ``menu-items``: this feature's header entries."""
    yield NavItem("admin.index", _l("Admin"), (Role.ADMIN,), order=90)


PER_PAGE = 50


# --- helpers ------------------------------------------------------------------------------


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def paginate_rows(stmt, *, per_page: int = PER_PAGE) -> Page:
    """A page of rows of several columns (db.paginate returns the first column only)."""
    page = request.args.get("page", 1, type=int) or 1
    page = max(1, page)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    limited = stmt.limit(per_page).offset((page - 1) * per_page)
    return Page([tuple(r) for r in db.session.execute(limited)], total, page, per_page)


def args_with(**changes) -> dict:
    """The current query string with some values replaced (for sort and page links)."""
    args = {k: v for k, v in request.args.items() if v != ""}
    args.update({k: v for k, v in changes.items()})
    return {k: v for k, v in args.items() if v not in (None, "")}


@bp.context_processor
def _helpers():
    return {"args_with": args_with}


@bp.app_template_filter("audit_value")
def audit_value(value) -> str:
    """A before/after value as JSON (true, ["learner"]), strings as they are."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _user_or_404(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    return user


def _check_action_form() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def _tisc_choices(
    country: str | None = None, *, include_inactive: bool = False
) -> list[tuple[str, str]]:
    stmt = select(Tisc).order_by(Tisc.country_code, Tisc.name)
    if country:
        stmt = stmt.where(Tisc.country_code == country)
    if not include_inactive:
        stmt = stmt.where(Tisc.is_active)
    return [(str(t.id), f"{t.name} ({t.country_code})") for t in db.session.scalars(stmt)]


def _language_choices() -> list[tuple[str, str]]:
    return [(code, autonym(code)) for code in current_app.config["LANGUAGES"]]


# --- overview -----------------------------------------------------------------------------


@bp.route("/")
@admin_required
def index():
    counts, counted_at = queries.dashboard_counts()
    return render_template("admin/index.html", counts=counts, counted_at=counted_at)


# --- people -------------------------------------------------------------------------------


@bp.route("/people")
@admin_required
def people():
    # A search form read from the query string changes nothing, so it carries no CSRF token.
    form = PeopleFilterForm(request.args, meta={"csrf": False})
    form.country.choices = [("", _("Any"))] + country_choices()
    form.tisc.choices = [("", _("Any"))] + _tisc_choices(include_inactive=True)
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
        db.session.commit()
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
        db.session.commit()
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
    _check_action_form()
    try:
        changed = services.set_active(user, active, actor=current_user)
    except AdminError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back_to_user(user)
    if changed:
        db.session.commit()
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
    _check_action_form()
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
    db.session.commit()
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
    _check_action_form()
    invitation = services.pending_invitation(user)
    if invitation is None or not user.is_active_account:
        flash(_("This person has no pending invitation."), "error")
        return _back_to_user(user)
    services.invitation_resent(invitation)
    _send_invitation(user)
    db.session.commit()
    flash(_("The invitation has been sent again to %(email)s.", email=user.email), "success")
    return _back_to_user(user)


@bp.route("/people/<int:user_id>/name", methods=["GET", "POST"])
@admin_required
def correct_name(user_id: int):
    user = _user_or_404(user_id)
    form = NameCorrectionForm(
        data={"full_name": user.full_name} if request.method == "GET" else None
    )
    if form.validate_on_submit():
        old_name = user.full_name
        try:
            services.correct_name(user, form.full_name.data, form.reason.data, actor=current_user)
        except AdminError as exc:
            db.session.rollback()
            form.full_name.errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                _(
                    "The name has been corrected from “%(old)s” to “%(new)s”.",
                    old=old_name,
                    new=user.full_name,
                ),
                "success",
            )
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
            db.session.commit()
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


# --- courses ------------------------------------------------------------------------------


def _course_or_404(course_id: int) -> Course:
    course = db.get_or_404(Course, course_id)
    return course


@bp.route("/courses")
@admin_required
def courses():
    return render_template(
        "admin/courses.html", rows=queries.course_rows(), action_form=ActionForm()
    )


@bp.route("/courses/<int:course_id>")
@admin_required
def course_detail(course_id: int):
    course = _course_or_404(course_id)
    outline = course_queries.course_outline(course, None, course.default_language)
    row = next(r for r in queries.course_rows() if r.course.id == course.id)
    module_quizzes, final_exam = quizzes.course_quizzes(course)
    return render_template(
        "admin/course.html", course=course, outline=outline, row=row, action_form=ActionForm(),
        module_quizzes=module_quizzes, final_exam=final_exam,
    )


def _published_flag() -> bool:
    value = request.form.get("published")
    if value not in ("0", "1"):
        abort(400)
    return value == "1"


@bp.route("/courses/<int:course_id>/published", methods=["POST"])
@admin_required
def set_course_published(course_id: int):
    course = _course_or_404(course_id)
    _check_action_form()
    published = _published_flag()
    if services.set_course_published(course, published):
        db.session.commit()
        flash(
            _("The course is published.")
            if published
            else _("The course is unpublished: learners no longer see it."),
            "success",
        )
    return redirect(
        request.form.get("back") == "list"
        and url_for("admin.courses")
        or url_for("admin.course_detail", course_id=course.id)
    )


@bp.route("/courses/<int:course_id>/versions/<lang>/published", methods=["POST"])
@admin_required
def set_version_published(course_id: int, lang: str):
    course = _course_or_404(course_id)
    version = course.version(lang)
    if version is None:
        abort(404)
    _check_action_form()
    published = _published_flag()
    if services.set_version_published(version, published):
        db.session.commit()
        flash(
            _("The %(language)s version is published.", language=language_name(lang))
            if published
            else _("The %(language)s version is unpublished.", language=language_name(lang)),
            "success",
        )
    return redirect(url_for("admin.course_detail", course_id=course.id))


@bp.route("/courses/upload", methods=["GET", "POST"])
@admin_required
def upload_package():
    form = PackageUploadForm()
    problems = []
    if form.validate_on_submit():
        data = form.file.data.read()
        token = uploads.store(data, form.file.data.filename or "package.zip", current_user.id)
        zip_path, _meta = uploads.find(token, current_user.id)
        pkg, problems = uploads.check(zip_path)
        if pkg is not None:
            return redirect(url_for("admin.upload_preview", token=token))
        uploads.discard(token)
        record(
            "course.upload_rejected",
            "course_package",
            None,
            after={
                "filename": form.file.data.filename,
                "problems": [str(p) for p in problems[:50]],
            },
        )
        db.session.commit()
    status = 422 if request.method == "POST" else 200
    return render_template("admin/upload.html", form=form, problems=problems), status


def _upload_or_404(token: str):
    found = uploads.find(token, current_user.id)
    if found is None:
        abort(404)
    return found


@bp.route("/courses/upload/<token>")
@admin_required
def upload_preview(token: str):
    zip_path, meta = _upload_or_404(token)
    try:
        with uploads.unpacked(zip_path) as pkg:
            changes = uploads.changes_for(pkg)
            summary = {
                "code": pkg.code,
                "slug": pkg.slug,
                "languages": pkg.languages,
                "title": pkg.title.get(pkg.default_language),
                "modules": len(pkg.modules),
                "lessons": sum(len(m.lessons) for m in pkg.modules),
                "sha256": pkg.sha256,
            }
    except (uploads.UnsafeArchive, uploads.PackageError):
        uploads.discard(token)
        abort(404)
    unchanged = changes.course is not None and changes.course.package_sha256 == summary["sha256"]
    return render_template(
        "admin/upload_preview.html",
        token=token,
        meta=meta,
        changes=changes,
        summary=summary,
        unchanged=unchanged,
        action_form=ActionForm(),
    )


@bp.route("/courses/upload/<token>/apply", methods=["POST"])
@admin_required
def upload_apply(token: str):
    zip_path, meta = _upload_or_404(token)
    _check_action_form()
    problems = []
    try:
        with uploads.unpacked(zip_path) as pkg:
            changes = uploads.changes_for(pkg)
            if changes.slug_conflict is not None:
                problems = [
                    uploads.Problem(
                        "course.yaml",
                        None,
                        f"slug {pkg.slug!r} is already used by course {changes.slug_conflict.code}",
                    )
                ]
            else:
                before = (
                    {"package_sha256": changes.course.package_sha256} if changes.course else None
                )
                course, summary = import_package(pkg)
                record(
                    "course.imported",
                    "course",
                    course.id,
                    before=before,
                    after={
                        "code": course.code,
                        "filename": meta.get("filename"),
                        "package_sha256": pkg.sha256,
                        **summary,
                    },
                )
    except (uploads.UnsafeArchive, uploads.PackageError) as exc:
        db.session.rollback()
        problems = (
            exc.problems
            if isinstance(exc, uploads.PackageError)
            else [uploads.Problem("(zip)", None, str(exc))]
        )
    except Exception:
        db.session.rollback()
        raise
    if problems:
        return render_template(
            "admin/upload.html", form=PackageUploadForm(formdata=None), problems=problems
        ), 422
    db.session.commit()
    uploads.discard(token)
    flash(
        _(
            "The course package has been imported. Lessons added: %(added)s; "
            "updated: %(updated)s; retired: %(retired)s.",
            added=summary["lessons_added"],
            updated=summary["lessons_updated"],
            retired=summary["lessons_retired"],
        ),
        "success",
    )
    return redirect(url_for("admin.course_detail", course_id=course.id))


@bp.route("/courses/upload/<token>/discard", methods=["POST"])
@admin_required
def upload_discard(token: str):
    _upload_or_404(token)
    _check_action_form()
    uploads.discard(token)
    flash(_("The upload has been discarded; nothing was changed."), "info")
    return redirect(url_for("admin.courses"))


@bp.route("/courses/<int:course_id>/preview/<lang>/<module_key>/<lesson_key>")
@admin_required
def preview_lesson(course_id: int, lang: str, module_key: str, lesson_key: str):
    course = _course_or_404(course_id)
    if course.version(lang) is None:
        abort(404)
    module = db.session.scalar(
        select(Module).where(Module.course_id == course.id, Module.key == module_key)
    )
    lesson = (
        db.session.scalar(
            select(Lesson).where(Lesson.module_id == module.id, Lesson.key == lesson_key)
        )
        if module
        else None
    )
    if lesson is None:
        abort(404)
    outline = course_queries.course_outline(course, None, lang)
    text = course_queries.lesson_text(lesson.id, lang, course.default_language)
    flat = [(m, les) for m in outline for les in m.lessons]
    idx = next((i for i, (_m, les) in enumerate(flat) if les.lesson.id == lesson.id), None)
    prev_item = flat[idx - 1] if idx else None
    next_item = flat[idx + 1] if idx is not None and idx + 1 < len(flat) else None
    return render_template(
        "admin/lesson_preview.html",
        course=course,
        lang=lang,
        module=module,
        lesson=lesson,
        text=text,
        prev_item=prev_item,
        next_item=next_item,
        module_title=module.title(lang, course.default_language),
    )


@bp.route("/courses/<int:course_id>/preview/<lang>/quiz/<quiz_key>")
@admin_required
def preview_quiz(course_id: int, lang: str, quiz_key: str):
    from academy.assessments import queries as quiz_queries

    course = _course_or_404(course_id)
    quiz = quiz_queries.quiz_by_key(course.id, quiz_key)
    if course.version(lang) is None or quiz is None:
        abort(404)
    reveal = request.args.get("answers") == "1"
    return render_template(
        "admin/quiz_preview.html", course=course, lang=lang, quiz=quiz, reveal=reveal,
        title=quizzes.quiz_title(quiz, lang), questions=quizzes.preview_questions(quiz, lang, reveal=reveal),
    )


# --- TISC directory -------------------------------------------------------------------------


def _tisc_or_404(tisc_id: int) -> Tisc:
    tisc = db.get_or_404(Tisc, tisc_id)
    return tisc


@bp.route("/tiscs")
@admin_required
def tiscs():
    form = TiscFilterForm(request.args, meta={"csrf": False})
    form.country.choices = [("", _("Any"))] + country_choices()
    f = form.data if form.validate() else {}
    learners = (
        select(func.count()).select_from(User).where(User.tisc_id == Tisc.id).scalar_subquery()
    )
    stmt = select(Tisc, learners)
    if f.get("q"):
        stmt = stmt.where(
            or_(
                queries._contains(Tisc.name, f["q"]),
                queries._contains(Tisc.host_institution, f["q"]),
                queries._contains(Tisc.city, f["q"]),
            )
        )
    if f.get("country"):
        stmt = stmt.where(Tisc.country_code == f["country"])
    if f.get("status") == "active":
        stmt = stmt.where(Tisc.is_active)
    elif f.get("status") == "inactive":
        stmt = stmt.where(~Tisc.is_active)
    page = paginate_rows(stmt.order_by(Tisc.country_code, Tisc.name))
    return render_template("admin/tiscs.html", form=form, page=page, action_form=ActionForm())


def _tisc_form(tisc: Tisc | None):
    form = TiscForm(obj=tisc) if request.method == "GET" else TiscForm()
    form.country_code.choices = [("", "—")] + country_choices()
    if form.validate_on_submit():
        try:
            saved = services.save_tisc(tisc, form.data)
        except AdminError as exc:
            db.session.rollback()
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The TISC “%(name)s” has been saved.", name=saved.name), "success")
            return redirect(url_for("admin.tiscs", country=saved.country_code))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/tisc_form.html", form=form, tisc=tisc), status


@bp.route("/tiscs/new", methods=["GET", "POST"])
@admin_required
def tisc_new():
    return _tisc_form(None)


@bp.route("/tiscs/<int:tisc_id>/edit", methods=["GET", "POST"])
@admin_required
def tisc_edit(tisc_id: int):
    return _tisc_form(_tisc_or_404(tisc_id))


@bp.route("/tiscs/<int:tisc_id>/active", methods=["POST"])
@admin_required
def tisc_set_active(tisc_id: int):
    tisc = _tisc_or_404(tisc_id)
    _check_action_form()
    active = _published_flag()
    if services.set_tisc_active(tisc, active):
        db.session.commit()
        flash(
            _("“%(name)s” is active again.", name=tisc.name)
            if active
            else _(
                "“%(name)s” is deactivated: new learners can no longer choose it.", name=tisc.name
            ),
            "success",
        )
    return redirect(url_for("admin.tiscs", country=tisc.country_code))


@bp.route("/tiscs/<int:tisc_id>/merge", methods=["GET", "POST"])
@admin_required
def tisc_merge(tisc_id: int):
    tisc = _tisc_or_404(tisc_id)
    form = TiscMergeForm()
    form.survivor.choices = [c for c in _tisc_choices(tisc.country_code) if c[0] != str(tisc.id)]
    learners = db.session.scalar(
        select(func.count()).select_from(User).where(User.tisc_id == tisc.id)
    )
    if form.validate_on_submit():
        survivor = _tisc_or_404(int(form.survivor.data))
        try:
            moved = services.merge_tiscs(tisc, survivor)
        except AdminError as exc:
            db.session.rollback()
            form.survivor.errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                _(
                    "“%(old)s” has been merged into “%(new)s”. Learners moved: %(n)s.",
                    old=tisc.name,
                    new=survivor.name,
                    n=moved,
                ),
                "success",
            )
            return redirect(url_for("admin.tiscs", country=tisc.country_code))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/tisc_merge.html", form=form, tisc=tisc, learners=learners), status


@bp.route("/tiscs/import", methods=["GET", "POST"])
@admin_required
def tisc_import():
    form = TiscImportForm()
    rows = None
    file_error = None
    if form.validate_on_submit():
        try:
            rows = parse_tiscs(decode_upload(form.file.data.read()))
        except CsvFileError as exc:
            file_error = str(exc)
        else:
            if not any(errors for _line, _v, errors in rows):
                created, updated = services.import_tiscs([v for _line, v, _e in rows])
                db.session.commit()
                flash(
                    _(
                        "TISC directory imported: %(created)s added, %(updated)s updated.",
                        created=created,
                        updated=updated,
                    ),
                    "success",
                )
                return redirect(url_for("admin.tiscs"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/tisc_import.html", form=form, rows=rows, file_error=file_error
    ), status


# --- audit log ----------------------------------------------------------------------------


def _audit_filters() -> tuple[AuditFilterForm, dict]:
    form = AuditFilterForm(request.args, meta={"csrf": False})
    form.action.choices = [("", _("Any"))] + [(a, a) for a in queries.audit_actions()]
    form.target_type.choices = [("", _("Any"))] + [(t, t) for t in queries.audit_target_types()]
    return form, (form.data if form.validate() else {})


@bp.route("/audit")
@admin_required
def audit():
    form, filters = _audit_filters()
    page = paginate_rows(queries.audit_query(filters))
    return render_template("admin/audit.html", form=form, page=page)


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells starting with these as formulas.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.route("/audit.csv")
@admin_required
def audit_export():
    form, filters = _audit_filters()
    rows = db.session.execute(queries.audit_query(filters)).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "id",
            "created_at",
            "actor_id",
            "actor_email",
            "action",
            "target_type",
            "target_id",
            "before",
            "after",
            "ip_address",
        ]
    )
    for event, actor in rows:
        writer.writerow(
            [
                _csv_cell(v)
                for v in (
                    event.id,
                    event.created_at.isoformat(),
                    event.actor_id,
                    actor.email if actor else "",
                    event.action,
                    event.target_type,
                    event.target_id,
                    json.dumps(event.before, ensure_ascii=False, sort_keys=True)
                    if event.before is not None
                    else "",
                    json.dumps(event.after, ensure_ascii=False, sort_keys=True)
                    if event.after is not None
                    else "",
                    event.ip_address,
                )
            ]
        )
    record(
        "audit.exported",
        "audit_event",
        None,
        after={"rows": len(rows), "filters": {k: str(v) for k, v in filters.items() if v}},
    )
    db.session.commit()
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=academy-audit.csv"},
    )
