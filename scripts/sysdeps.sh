#!/usr/bin/env bash
# Checks the Debian packages Academy needs and installs the missing ones when it can
# (root with apt-get); otherwise prints the one line that fixes it.
#   run:  fonts for Chinese and Arabic certificates, HarfBuzz subsetting (fast PDFs)
#   test: the same, plus Chromium (browser tests), PostgreSQL server, poppler-utils,
#         gettext (msgfmt --check on the catalogues), nginx (tests/test_nginx.py runs its
#         own nginx on free ports; under systemd the package also starts the stock site on
#         port 80, which no test uses: systemctl disable --now nginx), and Java and npm for
#         the Nu HTML Checker (tests/test_html_validity.py; npm only when no Node.js is installed)
#         and redis-server (tests/test_queue.py runs the queue on its own Redis on a free port)
set -euo pipefail
mode=${1:-run}
missing=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in fonts-noto-core fonts-noto-cjk libharfbuzz-subset0; do have_pkg "$p" || missing+=("$p"); done
if [ "$mode" = test ]; then
  for p in chromium poppler-utils postgresql gettext nginx redis-server; do have_pkg "$p" || missing+=("$p"); done
  command -v java >/dev/null || have_pkg default-jre-headless || missing+=(default-jre-headless)
  command -v npm >/dev/null || missing+=(nodejs npm)
  if [ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    missing=("${missing[@]/postgresql}")
  fi
fi
pkgs=$(printf '%s ' "${missing[@]}" | xargs || true)
[ -z "$pkgs" ] && exit 0
if ! command -v dpkg-query >/dev/null; then
  echo "sysdeps: not a Debian system; install the equivalents of: $pkgs"; exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "sysdeps: installing $pkgs"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
else
  echo "sysdeps: missing Debian packages. Fix with: sudo apt-get install -y $pkgs"
  exit 1
fi
