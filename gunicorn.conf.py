"""gunicorn settings for `make serve` (gunicorn -c gunicorn.conf.py wsgi:app).

Every value can be changed through the environment, so one file serves a laptop, a
single VM on SQLite and several servers behind a load balancer on PostgreSQL.
"""

import multiprocessing
import os

from academy.core.serving import default_workers

# Behind nginx (deploy/nginx/academy.conf): 127.0.0.1:8000, or unix:/run/academy/gunicorn.sock.
bind = os.environ.get("ACADEMY_BIND", "127.0.0.1:8000")
# Sync workers: short, CPU-bound requests. A sync worker reads one request at the client's
# pace, so a few half-sent requests would hold every worker until `timeout`: production
# runs them behind a proxy that buffers whole requests and responses (nginx, as shipped in
# deploy/nginx/; tests/test_nginx.py shows both sides). One worker per core (at least 2)
# when the database shares this host's cores (SQLite, or PostgreSQL on localhost): more only
# take turns on them; 2×CPU+1 when PostgreSQL is another machine and workers wait on it
# (academy.core.serving.default_workers, with the measurements).
workers = int(os.environ.get("ACADEMY_WORKERS") or default_workers(
    os.environ.get("ACADEMY_DATABASE_URL"), multiprocessing.cpu_count()))
threads = int(os.environ.get("ACADEMY_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("ACADEMY_WORKER_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so no slow leak grows unbounded; jitter avoids all at once.
# Not often: a new worker starts with empty per-process caches (course structure, pages,
# quiz definitions), and at 1,000 requests/s over five workers 5,000 requests was a
# recycle every 25 s. Every cache is bounded, so memory stays flat between recycles.
max_requests = int(os.environ.get("ACADEMY_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10
# Load the app once in the master (fast start, shared memory); each worker then opens its
# own database connections (post_fork below).
preload_app = True
# The app writes one JSON line per request itself (academy.core.serving); gunicorn's own
# access log would duplicate it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("ACADEMY_LOG_LEVEL", "info")
# Where the proxy connects from (nginx on this host; a unix socket is always trusted).
# gunicorn then takes X-Forwarded-Proto from it; the app's own trust in X-Forwarded-* is
# ACADEMY_PROXY_COUNT (Werkzeug's ProxyFix, academy.core.serving.wrap_proxy).
forwarded_allow_ips = os.environ.get("ACADEMY_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "academy"
# gunicorn's runtime control socket lives at one fixed path per user, so two instances on
# one host would fight over it; nothing here uses it.
control_socket_disable = True


def post_fork(server, worker):
    """Connections must never cross a fork: a pooled socket or SQLite handle inherited from
    the master would be shared by two processes. Drop the master's pool (without closing
    the connections the master may still use) so the worker opens its own."""
    from academy.extensions import db
    from wsgi import app

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def when_ready(server):
    """Warm the preloaded app, then freeze its objects: workers' garbage collections (and
    their exit) skip that inherited heap instead of touching, and so copying, every page."""
    import gc

    from academy.core.serving import warm_up
    from wsgi import app

    warm_up(app)
    gc.collect()
    gc.freeze()
    # Links in e-mails, certificates and credentials start with BASE_URL: say so at start-up
    # when it names this machine but not a port gunicorn listens on.
    from academy.core.baseurl import gunicorn_addresses, warn_if_unreachable

    warn_if_unreachable(app.config["BASE_URL"], gunicorn_addresses(server.cfg.bind), server.log)
