#!/usr/bin/env bash
# `make serve`: the production path. Applies migrations, then runs gunicorn (gunicorn.conf.py)
# and a queue consumer (`flask academy worker`) beside it; either stopping stops both.
# ACADEMY_QUEUE_CONSUMER=0 starts gunicorn alone (consumers run on other machines).
# SECRET_KEY comes from the environment, else from ACADEMY_SECRET_KEY_FILE, else from
# instance/secret-key (created once, mode 600). Several servers must share the same key.
# Behind nginx (deploy/nginx/academy.conf, the way to run it in production) set
# ACADEMY_PROXY_COUNT=1 so the app trusts that one hop's X-Forwarded-* headers.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
if [ -z "${SECRET_KEY:-}" ]; then
  keyfile=${ACADEMY_SECRET_KEY_FILE:-${ACADEMY_INSTANCE_DIR:-instance}/secret-key}
  if [ ! -s "$keyfile" ]; then
    mkdir -p "$(dirname "$keyfile")"
    (umask 077; "$bin/python" -c 'import secrets; print(secrets.token_urlsafe(48))' > "$keyfile")
    echo "serve: created a secret key in $keyfile (set SECRET_KEY or share this file between servers)" >&2
  fi
  SECRET_KEY=$(cat "$keyfile")
  export SECRET_KEY
fi
export ACADEMY_ENV=${ACADEMY_ENV:-production}
"$bin/flask" --app wsgi db upgrade
if [ "${ACADEMY_QUEUE_CONSUMER:-1}" = "0" ]; then
  exec "$bin/gunicorn" -c gunicorn.conf.py wsgi:app
fi
"$bin/flask" --app wsgi academy worker &
consumer=$!
"$bin/gunicorn" -c gunicorn.conf.py wsgi:app &
web=$!
# On SIGTERM/SIGINT (systemd, Ctrl-C) gunicorn finishes its requests and the consumer its tasks
# (SIGINT is Huey's graceful stop; its SIGTERM abandons running tasks).
trap 'kill -TERM "$web" 2>/dev/null; kill -INT "$consumer" 2>/dev/null' INT TERM
status=0
wait -n "$web" "$consumer" || status=$?
kill -TERM "$web" 2>/dev/null || true; kill -INT "$consumer" 2>/dev/null || true
wait "$web" "$consumer" 2>/dev/null || true
exit "$status"
