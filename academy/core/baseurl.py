"""Does BASE_URL point where this server listens?

Every absolute link the app hands out (e-mails, certificate QR codes and verification links,
LinkedIn links, Open Badges credentials) starts with BASE_URL, and certificates keep theirs
in the stored PDF for good. A development server started on another port than BASE_URL
names (``PORT=5101 make run`` with the old default of port 5000) issues links to where
nothing listens. In development the default follows the port (academy.config); here the
servers say at start-up when the two still disagree: ``flask run`` from its own options,
gunicorn from its bind addresses (gunicorn.conf.py).

Only a BASE_URL naming this machine (localhost, a loopback address) can be judged: a public
name normally reaches the app through a reverse proxy on another port.
"""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

import click

log = logging.getLogger(__name__)

_ALL_INTERFACES = {"", "0.0.0.0", "::"}  # noqa: S104  # nosec B104 - names compared with, not bound to


def _is_local(host: str) -> bool:
    if host in _ALL_INTERFACES or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def mismatch(base_url: str, host: str, port: int) -> str | None:
    """Why links built on ``base_url`` will not reach a server on ``host``:``port``, or None
    when they will (or when it cannot be told: a public name, behind a proxy)."""
    parts = urlsplit(base_url)
    url_host = parts.hostname or ""
    try:
        url_port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return f"ACADEMY_BASE_URL {base_url!r} has no valid port"
    if not _is_local(url_host):
        return None
    if url_port != port:
        return (f"ACADEMY_BASE_URL is {base_url} but the server listens on port {port}: links in e-mails, "
                f"certificates (QR codes, stored in the PDF) and credentials will point where nothing listens. "
                f"Set ACADEMY_BASE_URL=http://127.0.0.1:{port} (or leave it unset in development).")
    if host not in _ALL_INTERFACES and not _is_local(host):
        return (f"ACADEMY_BASE_URL is {base_url} but the server listens only on {host}: "
                f"links will not reach it. Set ACADEMY_BASE_URL to an address it answers on.")
    return None


def warn_if_unreachable(base_url: str, addresses: list[tuple[str, int]], logger=log) -> str | None:
    """Log a warning unless one of the listening ``addresses`` is reachable through BASE_URL;
    the message, or None."""
    if not addresses:
        return None
    problems = [mismatch(base_url, host, port) for host, port in addresses]
    if any(p is None for p in problems):
        return None
    logger.warning("%s", problems[0])
    return problems[0]


def gunicorn_addresses(binds: list[str]) -> list[tuple[str, int]]:
    """(host, port) of gunicorn's TCP binds ("127.0.0.1:8000", "[::1]:8000", ":8000"); unix
    sockets and file descriptors are left out (a proxy in front decides)."""
    out = []
    for bind in binds:
        if bind.startswith(("unix:", "fd://")):
            continue
        host, _sep, port = bind.rpartition(":")
        if not port.isdigit():
            continue
        out.append((host.strip("[]"), int(port)))
    return out


def flask_run_address() -> tuple[str, int] | None:
    """Where ``flask run`` is about to listen, read from the command's own options (which
    include FLASK_RUN_HOST / FLASK_RUN_PORT); None outside ``flask run``."""
    ctx = click.get_current_context(silent=True)
    if ctx is None or ctx.info_name != "run" or "port" not in ctx.params:
        return None
    return ctx.params.get("host") or "127.0.0.1", int(ctx.params["port"])


def check_flask_run(app) -> None:
    """Under ``flask run``: in development with no ACADEMY_BASE_URL, links follow the port
    given to the command; otherwise say (a warning in the log, on the console) when BASE_URL
    does not reach it."""
    address = flask_run_address()
    if address is None:
        return
    host, port = address
    if app.config.get("BASE_URL_IS_DEFAULT") and app.config["ACADEMY_ENV"] == "development":
        app.config["BASE_URL"] = f"http://127.0.0.1:{port}"
        return
    # app.logger prints to the console flask run writes to, just above its "Running on" line
    warn_if_unreachable(app.config["BASE_URL"], [address], app.logger)
