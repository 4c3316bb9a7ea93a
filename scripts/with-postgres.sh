#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster: initdb + pg_ctl in a temp dir
# on a free port, ACADEMY_TEST_DATABASE_URL pointing at it, stopped and removed after.
# Without the PostgreSQL server binaries it skips (one line), except under CI=true.
set -euo pipefail
bindir=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bindir=$d; done
if [ -z "$bindir" ] && command -v initdb >/dev/null; then bindir=$(dirname "$(command -v initdb)"); fi
if [ -z "$bindir" ]; then
  if [ "${CI:-}" = true ]; then echo "PostgreSQL server binaries not found (CI=true: failing)"; exit 1; fi
  echo "PostgreSQL server binaries not found: skipping the PostgreSQL leg (apt-get install postgresql)"; exit 0
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dir=$(mktemp -d /tmp/academy-pg.XXXXXX)
as_pg=()
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; as_pg=(runuser -u postgres --); fi
cleanup() { "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
"${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -A trust -U academy -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
export ACADEMY_TEST_DATABASE_URL="postgresql+psycopg://academy@127.0.0.1:$port/postgres"
export ACADEMY_TEST_PG_BINDIR="$bindir"
"$@"
