"""Settings from environment variables, with safe development defaults.

ACADEMY_ENV selects the profile: ``production`` (the default, so a forgotten variable
fails closed), ``development`` (``make run``) or ``testing`` (the test suite).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

INSTANCE_DIR = Path(os.environ.get("ACADEMY_INSTANCE_DIR", Path(__file__).resolve().parent.parent / "instance"))
MIN_SECRET_KEY_LENGTH = 32
LANGUAGES = ["en", "fr", "es", "pt", "ru", "zh", "ar"]
RTL_LANGUAGES = {"ar"}
RESET_LINK_SECONDS = 3600
DEFAULT_PORT = 5000


class ConfigError(RuntimeError):
    """The environment does not describe a safe configuration."""


def _dev_secret_key(instance_dir: Path) -> str:
    """A random key kept in the instance folder so development sessions survive restarts."""
    path = instance_dir / "dev-secret-key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


# Mimetypes worth compressing; images, PDFs and archives are compressed already.
COMPRESSIBLE = [
    "text/html", "text/css", "text/plain", "text/csv", "text/javascript", "text/xml",
    "application/javascript", "application/json", "application/xml", "image/svg+xml",
    "application/manifest+json",
]


def _cache_config() -> dict:
    redis_url = os.environ.get("ACADEMY_CACHE_REDIS_URL") or os.environ.get("ACADEMY_REDIS_URL")
    common = {"CACHE_DEFAULT_TIMEOUT": _int("ACADEMY_CACHE_SECONDS", 24 * 3600), "CACHE_KEY_PREFIX": "academy:"}
    if redis_url:
        return {**common, "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url}
    return {**common, "CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": _int("ACADEMY_CACHE_ENTRIES", 5000)}


def default_base_url(env: str) -> str:
    """BASE_URL when ACADEMY_BASE_URL is unset. In development, the port the server listens
    on: PORT (`PORT=5101 make run` passes it on, as FLASK_RUN_PORT too), so links in the
    certificates and e-mails of that run reach it; `flask run --port` typed by hand is
    followed at start-up (academy.core.baseurl). Elsewhere port 5000, and the servers warn
    when that is not where they listen."""
    port = DEFAULT_PORT
    if env == "development":
        for name in ("PORT", "FLASK_RUN_PORT"):
            value = (os.environ.get(name) or "").strip()
            if value:
                if not value.isdigit() or not 0 < int(value) < 65536:
                    raise ConfigError(f"{name} must be a port number (1-65535), not {value!r}")
                port = int(value)
                break
    return f"http://127.0.0.1:{port}"


def _list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def trusted_hosts(base_url: str, extra: list[str]) -> list[str]:
    """The Host headers production answers: the base URL's host, the loopback names (local
    health checks) and ACADEMY_TRUSTED_HOSTS. Any other gets a 400 before a view runs, so
    nothing can be cached or built on a host an attacker chose."""
    host = urlsplit(base_url).hostname
    return list(dict.fromkeys([*([host] if host else []), "localhost", "127.0.0.1", *extra]))


def load_config(override: dict | None = None) -> dict:
    """Build the Flask config mapping from the environment and an optional override."""
    override = dict(override or {})
    env = override.get("ACADEMY_ENV") or os.environ.get("ACADEMY_ENV", "production")
    instance_dir = Path(override.get("INSTANCE_DIR") or INSTANCE_DIR)
    database_url = os.environ.get("ACADEMY_DATABASE_URL") or f"sqlite:///{instance_dir / 'academy.db'}"
    cfg: dict = {
        "ACADEMY_ENV": env,
        "INSTANCE_DIR": str(instance_dir),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "STORAGE_DIR": os.environ.get("ACADEMY_STORAGE_DIR", str(instance_dir / "storage")),
        # Evidence uploads still arriving in chunks; on a shared mount when several servers run.
        "PARTIAL_UPLOAD_DIR": os.environ.get("ACADEMY_PARTIAL_UPLOAD_DIR", str(instance_dir / "partial-uploads")),
        "PARTIAL_UPLOAD_TTL_HOURS": float(os.environ.get("ACADEMY_PARTIAL_UPLOAD_TTL_HOURS", "24")),
        "BASE_URL": os.environ.get("ACADEMY_BASE_URL") or default_base_url(env),
        "BASE_URL_IS_DEFAULT": not os.environ.get("ACADEMY_BASE_URL"),
        "MAIL_BACKEND": os.environ.get("ACADEMY_MAIL_BACKEND", "console"),
        "MAIL_FROM": os.environ.get("ACADEMY_MAIL_FROM", "Academy <no-reply@academy.localhost>"),
        "SMTP_HOST": os.environ.get("ACADEMY_SMTP_HOST", "localhost"),
        "SMTP_PORT": int(os.environ.get("ACADEMY_SMTP_PORT", "25")),
        "RATELIMIT_STORAGE_URI": os.environ.get("ACADEMY_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool("ACADEMY_RATELIMIT_ENABLED", True),
        "LOGIN_RATE_LIMIT_IP": os.environ.get("ACADEMY_LOGIN_RATE_LIMIT_IP", "30 per 5 minutes"),
        "LOGIN_RATE_LIMIT_ACCOUNT": os.environ.get("ACADEMY_LOGIN_RATE_LIMIT_ACCOUNT", "8 per 5 minutes"),
        # Per API token, counted in the database (academy/api/services.py), so shared by every worker.
        "API_RATE_LIMIT": os.environ.get("ACADEMY_API_RATE_LIMIT", "3600 per hour"),
        # The Learning Record Store xAPI statements go to (academy/xapi); empty: kept in the outbox only.
        "XAPI_LRS_URL": os.environ.get("ACADEMY_XAPI_LRS_URL", ""),
        "XAPI_LRS_KEY": os.environ.get("ACADEMY_XAPI_LRS_KEY", ""),
        "XAPI_LRS_SECRET": os.environ.get("ACADEMY_XAPI_LRS_SECRET", ""),
        # Statements name the learner by account id; their e-mail only when this is on.
        "XAPI_ACTOR_EMAIL": _bool("ACADEMY_XAPI_ACTOR_EMAIL", False),
        "PASSWORD_RESET_MAX_AGE": RESET_LINK_SECONDS,
        "MAX_CONTENT_LENGTH": int(os.environ.get("ACADEMY_MAX_UPLOAD_BYTES", str(12 * 1024 * 1024))),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
        "LANGUAGES": LANGUAGES,
        # A form's token lasts a working day: a learner on a slow link may read a lesson for
        # hours before pressing "Mark as complete".
        "WTF_CSRF_TIME_LIMIT": _int("ACADEMY_CSRF_HOURS", 8) * 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("ACADEMY_SECURE_COOKIES", env == "production"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("ACADEMY_SECURE_COOKIES", env == "production"),
        "REMEMBER_COOKIE_DURATION": 14 * 24 * 3600,
        # Absolute lifetime of a login session, and how long it may sit unused.
        "PERMANENT_SESSION_LIFETIME": _int("ACADEMY_SESSION_HOURS", 12) * 3600,
        "SESSION_IDLE_TIMEOUT": _int("ACADEMY_SESSION_IDLE_MINUTES", 120) * 60,
        # Flask re-signs a permanent session's cookie on every response by default, only
        # to push its expiry forward; the idle clock (_seen, academy.core.sessions) already
        # rewrites it once a minute while the learner is active, and both limits are
        # checked on the server. Re-signing per request cost every page view a JSON dump,
        # a compression, an HMAC and a Set-Cookie.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # Reverse proxies in front that set X-Forwarded-* (nginx: 1); 0 trusts none.
        "PROXY_COUNT": _int("ACADEMY_PROXY_COUNT", 0),
        "HSTS_SECONDS": _int("ACADEMY_HSTS_SECONDS", 63072000),
        "REQUEST_LOG": _bool("ACADEMY_REQUEST_LOG", env != "testing"),
        # Flask-Compress: Brotli for browsers that take it, else gzip; off with ACADEMY_COMPRESS=0
        # (a reverse proxy that compresses itself). Streamed downloads are left as they are
        # (static text files are read whole first, academy.core.serving).
        "COMPRESS_REGISTER": _bool("ACADEMY_COMPRESS", True),
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_STREAMS": False,
        "COMPRESS_MIMETYPES": COMPRESSIBLE,
        # gzip level 5, as the shipped nginx (deploy/nginx/academy.conf): 2 % more bytes than
        # level 6 on the statistics dashboard (150 kB of HTML) for a quarter less CPU, which
        # every request pays.
        "COMPRESS_LEVEL": _int("ACADEMY_COMPRESS_LEVEL", 5),
        # Flask-Caching, for content that is the same for every visitor (academy/core/cache.py):
        # one cache per process, or Redis shared by several servers.
        **_cache_config(),
        "SQLITE_BUSY_TIMEOUT": float(os.environ.get("ACADEMY_SQLITE_BUSY_TIMEOUT", "15")),
        # A pooled PostgreSQL connection unused for longer than this is checked (a round
        # trip) before a request gets it (academy.core.dbping).
        "DB_PING_IDLE_SECONDS": float(os.environ.get("ACADEMY_DB_PING_IDLE_SECONDS", "1")),
        "DEMO_PASSWORD": os.environ.get("ACADEMY_DEMO_PASSWORD"),
        # The certificates' Ed25519 signing key: one file every app server reads (default:
        # instance/keys/, created on first use, so several servers must point here at one key).
        "CREDENTIAL_SIGNING_KEY_PATH": os.environ.get("ACADEMY_CREDENTIAL_KEY_PATH") or None,
        # The task queue (academy.core.queue): empty → SQLite in the instance folder; redis://…
        # when consumers run on several machines. The tests run tasks at once in-process.
        "QUEUE_URL": os.environ.get("ACADEMY_QUEUE_URL") or os.environ.get("ACADEMY_REDIS_URL") or "",
        "QUEUE_IMMEDIATE": _bool("ACADEMY_QUEUE_IMMEDIATE", env == "testing"),
        # Worker processes per consumer (`flask academy worker`); 0: one per CPU.
        "QUEUE_WORKERS": _int("ACADEMY_QUEUE_WORKERS", 0),
        # Seconds before a failed task is tried again; unset: each task's own delay. The tests
        # retry at once, so a task run in-process goes through its retries before the request ends.
        "QUEUE_RETRY_DELAY": _int("ACADEMY_QUEUE_RETRY_DELAY", 0 if env == "testing" else -1),
    }
    cfg.update(override)
    if "TRUSTED_HOSTS" not in override and cfg["ACADEMY_ENV"] == "production":
        # Development and tests answer any host (127.0.0.1, localhost, a LAN address).
        cfg["TRUSTED_HOSTS"] = trusted_hosts(cfg["BASE_URL"], _list("ACADEMY_TRUSTED_HOSTS"))
    if cfg["ACADEMY_ENV"] == "development" and not cfg["SECRET_KEY"]:
        cfg["SECRET_KEY"] = _dev_secret_key(instance_dir)
    if cfg["ACADEMY_ENV"] not in {"development", "testing"}:
        if len(cfg["SECRET_KEY"] or "") < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                f"SECRET_KEY must be set to at least {MIN_SECRET_KEY_LENGTH} random characters "
                "outside development (python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite: wait for a writer instead of failing at once; connections per thread.
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {"timeout": cfg["SQLITE_BUSY_TIMEOUT"]}, **cfg["SQLALCHEMY_ENGINE_OPTIONS"]
        }
    else:
        # A connection dropped by a database restart is replaced, not handed out: checked
        # before use when it has been idle (academy.core.dbping), not on every request
        # as pool_pre_ping would (a round trip to the server per page view).
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_size": 5, "max_overflow": 5, "pool_recycle": 1800,
            **cfg["SQLALCHEMY_ENGINE_OPTIONS"],
        }
    return cfg
