"""What every /api/v1 route shares: bearer-token authentication and scopes, the rate
limit and its headers, error objects, cursor pagination and UTC timestamps.

Only ``Authorization: Bearer …`` authenticates here. Cookies never reach the API (the
WSGI wrapper below removes them), so a logged-in browser has no more power over the API
than any other page, and CSRF, which guards cookie sessions, has nothing to guard.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from functools import wraps

import marshmallow as ma
from apispec import BasePlugin
from flask import Flask, current_app, g, jsonify, request
from flask_smorest import Api
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import QueryableAttribute
from werkzeug.exceptions import HTTPException

from academy.api.models import ApiToken, TokenKind
from academy.api.services import count_request, token_for_secret
from academy.extensions import db

PREFIX = "/api/v1"
ERROR_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid", 429: "rate_limited",
    500: "server_error", 503: "unavailable",
}


class ErrorSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "A stable machine-readable code"})
    message = ma.fields.String(required=True)
    field = ma.fields.String(allow_none=True, required=True,
                             metadata={"description": "The parameter or body field at fault, or null"})


class AcademyApi(Api):
    """flask-smorest's Api, answering errors in the API's own error object and leaving
    every other page's errors to the app (smorest registers its handler app-wide)."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        if not request.path.startswith(PREFIX + "/"):
            return error  # what Flask does when no handler is registered
        return error_response(error)


class StripCookies:
    """WSGI middleware: requests to the API arrive without their Cookie header, so neither
    the session nor a remember-me cookie can authenticate them."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if (environ.get("PATH_INFO") or "").startswith(PREFIX + "/"):
            environ.pop("HTTP_COOKIE", None)
        return self.wsgi_app(environ, start_response)


class ApiError(HTTPException):
    """An error with the field it concerns, answered as ``{code, message, field}``."""

    def __init__(self, status: int, message: str, field: str | None = None, code: str | None = None) -> None:
        super().__init__(description=message)
        self.code = status
        self.field = field
        self.error_code = code or ERROR_CODES.get(status, "error")


def _first_problem(messages) -> tuple[str | None, str]:
    """webargs' nested {location: {field: [message]}} → the first field (dotted) and its message."""
    path: list[str] = []
    node = messages
    while isinstance(node, dict) and node:
        key = next(iter(node))
        if key not in ("json", "query", "path", "form", "headers", "_schema") or path:
            path.append(str(key))
        node = node[key]
    while isinstance(node, list) and node:
        node = node[0]
    return (".".join(path) or None), str(node)


def error_response(error: HTTPException):
    code = error.code or 500
    field = getattr(error, "field", None)
    message = error.description or ""
    data = getattr(error, "data", None) or {}
    if "messages" in data or "errors" in data:
        field, message = _first_problem(data.get("errors") or data.get("messages"))
    body = {"code": getattr(error, "error_code", None) or ERROR_CODES.get(code, "error"), "message": message,
            "field": field}
    resp = jsonify(body)
    resp.status_code = code
    if code == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="academy"'
    for name, value in (data.get("headers") or {}).items():
        resp.headers[name] = value
    return resp


def database_unavailable(exc):
    """The database refused or is gone (locked, restarting): 503 with Retry-After, as the
    site's pages answer, in the API's error object. The driver's message is logged, never
    the statement, whose parameters may hold personal data."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.remove()
    current_app.logger.error("API: database unavailable: %s", str(getattr(exc, "orig", ""))[:200])
    resp = error_response(ApiError(503, "The service is briefly unavailable; try again shortly."))
    resp.headers["Retry-After"] = "30"
    return resp


# --- authentication and scopes ----------------------------------------------------------


def authenticate() -> None:
    """before_request of every API blueprint: find the token, count the request, refuse
    when the window's requests are used up."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "Send an API token as 'Authorization: Bearer <token>'.")
    token = token_for_secret(secret.strip())
    if token is None:
        raise ApiError(401, "The token is unknown, revoked or expired.")
    g.api_token = token
    usage = count_request(token, path=request.path, ip_address=request.remote_addr)
    # The count committed on a connection of its own: end the read the lookup opened, or on
    # SQLite this request's first write would find its snapshot stale (SQLITE_BUSY).
    db.session.rollback()
    g.api_usage = usage
    if usage.is_over:
        raise ApiError(429, "Too many requests for this token; try again after the reset time.")


def add_rate_headers(response):
    usage = g.get("api_usage")
    if usage is not None:
        response.headers["X-RateLimit-Limit"] = str(usage.limit)
        response.headers["X-RateLimit-Remaining"] = str(max(usage.remaining, 0))
        response.headers["X-RateLimit-Reset"] = str(int(usage.reset_at.timestamp()))
        if usage.is_over:
            response.headers["Retry-After"] = str(max(int(usage.reset_at.timestamp() - _now_ts()), 1))
    response.headers["Cache-Control"] = "no-store"
    return response


def _now_ts() -> float:
    from academy.core.models import utcnow

    return utcnow().timestamp()


def finish_request(response):
    """Every answer carries the rate headers. (The request is the transaction, as everywhere:
    academy/core/transactions.py commits a successful call and rolls back the rest.)"""
    return add_rate_headers(response)


def current_token() -> ApiToken:
    return g.api_token


def is_personal() -> bool:
    return current_token().kind == TokenKind.PERSONAL


def acting_user():
    """Who the audit log names for a call: the token's owner, or the admin who created an
    integration token."""
    from academy.auth.models import User

    token = current_token()
    user_id = token.owner_id or token.created_by_id
    return db.session.get(User, user_id) if user_id else None


def requires(scope: str | None, *, personal: bool = False):
    """The scope a route needs (None: any valid token). ``personal`` says a learner's own
    token may call it (the route then answers with that learner's records only)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = current_token()
            if token.kind == TokenKind.PERSONAL and not personal and scope is not None:
                raise ApiError(403, "A personal token cannot use this endpoint.")
            if scope is not None and scope not in token.scopes:
                raise ApiError(403, f"This token lacks the scope '{scope}'.", code="insufficient_scope")
            return view(*args, **kwargs)

        wrapped.required_scope = scope
        wrapped.personal_allowed = personal
        return wrapped

    return decorator


def owner_filter(user_id: int | None) -> int | None:
    """The learner a listing is restricted to: a personal token sees only its owner."""
    if is_personal():
        owner = current_token().owner_id
        if user_id is not None and user_id != owner:
            raise ApiError(403, "A personal token reads only its owner's records.", field="user_id")
        return owner
    return user_id


# --- pagination -------------------------------------------------------------------------


class PageArgs(ma.Schema):
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, 500),
                              metadata={"description": "Items per page (1–500)"})
    cursor = ma.fields.String(load_default=None, metadata={"description": "next_cursor from the previous page"})

    @ma.post_load
    def times_in_utc(self, data: dict, **_kw) -> dict:
        # UTC is the API's only zone: a time sent without an offset (or a date alone, read as
        # its midnight) is a UTC time, comparable with the stored, timezone-aware ones.
        return {name: value.replace(tzinfo=UTC) if isinstance(value, datetime) and value.tzinfo is None else value
                for name, value in data.items()}


def _decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)).decode()
        kind, _, value = raw.partition(":")
        if kind != "id" or not value.isdigit():
            raise ValueError
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(422, "Not a cursor this API gave.", field="cursor") from None


def _encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def paginate(stmt, id_column, args: dict) -> dict:
    """One page of ``stmt`` in id order after the cursor: ``{data, next_cursor}``. Keyset
    pagination, so a page costs the same at row 10 and at row 10,000, and rows added
    meanwhile neither repeat nor vanish."""
    after = _decode_cursor(args.get("cursor"))
    limit = args.get("limit") or 50
    rows = db.session.scalars(stmt.where(id_column > after).order_by(id_column).limit(limit + 1)).unique().all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {"data": rows, "next_cursor": _encode_cursor(rows[-1].id) if more and rows else None}


def page_of(stmt, id_column, args: dict, *, owner=None, **filters) -> dict:
    """A list endpoint's answer: ``stmt`` narrowed by the query's filters, then ``paginate``d.
    ``owner`` is the column naming a row's learner (``owner_filter`` applies, and the
    ``user_id`` parameter); each of ``filters`` maps a parameter to a column (equal to the
    value) or to a function of the value giving a condition. A parameter left out or empty
    filters nothing."""
    if owner is not None:
        user_id = owner_filter(args.get("user_id"))
        if user_id is not None:
            stmt = stmt.where(owner == user_id)
    for name, condition in filters.items():
        value = args.get(name)
        if value is None or value == "":
            continue
        stmt = stmt.where(condition == value if isinstance(condition, QueryableAttribute) else condition(value))
    return paginate(stmt, id_column, args)


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    return type(name, (ma.Schema,), {
        "data": ma.fields.List(ma.fields.Nested(item_schema), required=True),
        "next_cursor": ma.fields.String(allow_none=True, required=True,
                                        metadata={"description": "Pass as cursor for the next page; null on the last"}),
    })


def utc_z(value) -> str:
    """2026-01-31T09:30:00Z: every stored time is timezone-aware UTC, written with a Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class UTCDateTime(ma.fields.DateTime):
    """An ISO 8601 date-time in UTC with a Z (marshmallow's "iso" writes +00:00)."""

    SERIALIZATION_FUNCS = {**ma.fields.DateTime.SERIALIZATION_FUNCS, "iso": utc_z}


def Timestamp(**kwargs) -> ma.fields.DateTime:  # noqa: N802 - used like a field class
    kwargs.setdefault("allow_none", True)
    metadata = {"example": "2026-01-31T09:30:00Z", **kwargs.pop("metadata", {})}
    return UTCDateTime(metadata=metadata, **kwargs)


RATE_HEADERS = {
    "X-RateLimit-Limit": {"description": "Requests this token may make in the current window",
                          "schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"description": "Requests left in the current window", "schema": {"type": "integer"}},
    "X-RateLimit-Reset": {"description": "When the window ends (Unix time, seconds)", "schema": {"type": "integer"}},
}
RETRY_AFTER = {"description": "Seconds to wait before the next request", "schema": {"type": "integer"}}


class RateLimitHeaders(BasePlugin):
    """An apispec plugin: every answer of every operation documents the rate-limit headers
    (a 429 also Retry-After), which ``add_rate_headers`` sends on each of them."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            for code, response in (operation.get("responses") or {}).items():
                if not isinstance(response, dict) or str(code) == "401":  # no token, nothing counted
                    continue
                headers = response.setdefault("headers", {})
                headers.update(RATE_HEADERS)
                if str(code) == "429":
                    headers["Retry-After"] = RETRY_AFTER


def install(app: Flask) -> AcademyApi:
    """Create the app's Api (the description at /api/v1/openapi.json) and keep cookies off the API."""
    app.config.setdefault("API_TITLE", "Academy API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "Read learners' progress, certificates and statistics; enrol learners, keep "
                                "them in step with a staff registry, issue and revoke certificates. "
                                "Authenticate with an API token: `Authorization: Bearer <token>`.\n\n"
                                "Each token may make a number of requests per window (an hour unless the "
                                "site says otherwise), counted across all of the site's servers. Every "
                                "answer says where the token stands: `X-RateLimit-Limit`, "
                                "`X-RateLimit-Remaining` and `X-RateLimit-Reset` (Unix time). Past the limit "
                                "the answer is 429 with `Retry-After` (seconds).\n\n"
                                "Times are ISO 8601 in UTC (`2026-01-31T09:30:00Z`); a time sent without an "
                                "offset is read as UTC, a date alone as its midnight UTC. Lists are paged "
                                "with `limit` and the `next_cursor` of the previous page. Errors are "
                                "`{code, message, field}`."},
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    })
    api = AcademyApi(app, spec_kwargs={"extra_plugins": [RateLimitHeaders()]})
    app.wsgi_app = StripCookies(app.wsgi_app)  # type: ignore[method-assign]
    for code in (404, 405):
        answer_routing_errors_in_json(app, code)
    return api


def answer_routing_errors_in_json(app: Flask, code: int) -> None:
    """An unknown API address (or method) belongs to no blueprint, so the app's own error
    page would answer it: answer with the API's error object there, and leave the page to
    every other address."""
    site_handler = next(iter(app.error_handler_spec[None][code].values()), None)

    def handler(exc):
        if request.path.startswith(PREFIX + "/"):
            return error_response(exc)
        return site_handler(exc) if site_handler else exc

    app.register_error_handler(code, handler)
