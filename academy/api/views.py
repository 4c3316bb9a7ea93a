"""The token screens (admin: integration tokens; a learner: their personal token) and the
API reference page, rendered on the server from the OpenAPI description (no CDN)."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, datetime, time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from academy.api.forms import IntegrationTokenForm, PersonalTokenForm, RevokeForm
from academy.api.models import ApiToken, TokenKind
from academy.api.services import SCOPES, TokenError, create_token, revoke_token
from academy.auth.access import admin_required, learner_required
from academy.extensions import db

bp = Blueprint("api_tokens", __name__, template_folder="templates")


def _expiry(form) -> datetime | None:
    day = form.expires_on.data
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC) if day else None


def _create(form, **kwargs) -> str | None:
    """The new token's secret, or None with the error on the form."""
    try:
        _token, secret = create_token(name=form.name.data, expires_at=_expiry(form), created_by=current_user,
                                      **kwargs)
    except TokenError as exc:
        target = getattr(form, "expires_on" if exc.field == "expires_at" else exc.field or "name", form.name)
        target.errors = [*target.errors, str(exc)]
        return None
    return secret


@bp.route("/admin/api-tokens/", methods=["GET", "POST"])
@admin_required
def integration_tokens():
    form = IntegrationTokenForm()
    secret = None
    if form.validate_on_submit():
        secret = _create(form, scopes=form.scopes.data, kind=TokenKind.INTEGRATION)
    tokens = db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).all()
    return render_template("api/admin_tokens.html", form=form, tokens=tokens, secret=secret,
                           revoke_form=RevokeForm(), scopes=SCOPES), (400 if form.errors else 200)


@bp.route("/admin/api-tokens/<int:token_id>/revoke", methods=["POST"])
@admin_required
def revoke_integration_token(token_id: int):
    token = db.session.get(ApiToken, token_id) or abort(404)
    if RevokeForm().validate_on_submit() and revoke_token(token, actor=current_user):
        flash(_("The token no longer works."), "success")
    return redirect(url_for("api_tokens.integration_tokens"), 303)


@bp.route("/account/api-token", methods=["GET", "POST"])
@learner_required
def personal_tokens():
    form = PersonalTokenForm()
    secret = None
    if form.validate_on_submit():
        secret = _create(form, kind=TokenKind.PERSONAL, owner=current_user)
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.owner_id == current_user.id)
                                .order_by(ApiToken.id.desc())).all()
    return render_template("api/personal_tokens.html", form=form, tokens=tokens, secret=secret,
                           revoke_form=RevokeForm()), (400 if form.errors else 200)


@bp.route("/account/api-token/<int:token_id>/revoke", methods=["POST"])
@learner_required
def revoke_personal_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.owner_id != current_user.id:
        abort(404)
    if RevokeForm().validate_on_submit() and revoke_token(token, actor=current_user):
        flash(_("The token no longer works."), "success")
    return redirect(url_for("api_tokens.personal_tokens"), 303)


@bp.route("/api/v1/docs")
def reference():
    """Every operation of the OpenAPI description, with its parameters, body and answers.

    The page's own words are in the reader's language; what comes from the description
    (summaries, field notes) stays in English, marked as such. No cookie reaches /api/v1, so
    the token screens link here with ``?lang=`` to keep the language the reader chose."""
    spec = current_app.extensions["academy.api"].spec.to_dict()
    lang = request.args.get("lang")
    with force_locale(lang) if lang in current_app.config["LANGUAGES"] else nullcontext():
        return render_template("api/reference.html", spec=spec, operations=_operations(spec),
                               schemas=_schemas(spec), scopes=SCOPES)


def _operations(spec: dict) -> list[dict]:
    out = []
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            body = (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
            out.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                        "description": op.get("description", ""), "tag": (op.get("tags") or [""])[0],
                        "scope": op.get("x-scope", ""), "personal": bool(op.get("x-personal-token")),
                        "parameters": op.get("parameters", []) + item.get("parameters", []),
                        "body": _ref_name(body), "responses": sorted((
                            (code, _ref_name((r.get("content") or {}).get("application/json", {}).get("schema"))
                             or next(iter(r.get("content") or {}), ""))
                            for code, r in op.get("responses", {}).items()), key=_status_order),
                        "anchor": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", "")})
    return out


def _status_order(response: tuple[str, str]) -> tuple[int, str]:
    code = response[0]
    return (int(code), "") if code.isdigit() else (1000, code)  # "default" after every status code


def _schemas(spec: dict) -> list[dict]:
    """Each schema's fields, with the type named (a schema name for a reference, the
    item type for an array) so the template only lays them out."""
    out = []
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        required = set(schema.get("required") or [])
        fields = []
        for field, prop in (schema.get("properties") or {}).items():
            items = prop.get("items") or {}
            fields.append({"name": field, "required": field in required,
                           "type": prop.get("type") or "", "ref": _ref_name(prop) or _ref_name(
                               (prop.get("allOf") or [{}])[0]),
                           "item_type": items.get("type") or "", "item_ref": _ref_name(items),
                           "format": prop.get("format") or "", "enum": prop.get("enum") or [],
                           "description": prop.get("description") or "", "nullable": bool(prop.get("nullable")),
                           "read_only": bool(prop.get("readOnly"))})
        out.append({"name": name, "fields": fields})
    return out


def _ref_name(schema: dict | None) -> str:
    if not schema:
        return ""
    ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref") or ""
    return ref.rsplit("/", 1)[-1]
