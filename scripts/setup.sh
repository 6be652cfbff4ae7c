#!/usr/bin/env bash
# Idempotent set-up used by `make run` and `make test`:
#   1. system packages (PostgreSQL, Chromium, wkhtmltopdf) with apt when missing;
#   2. the Odoo source of the series ($ODOO_VERSION, 18.0 by default, or 19.0): from $ODOO_SRC (a
#      tree or a tarball) or the per-user cache, else downloaded from Odoo's official nightly source;
#      remembered in the cache, per series;
#   3. a virtualenv of the series with Odoo's requirements and ours (re-installed only when they change);
#   4. the OCA addons of the series (queue_job; delivery_sendcloud_oca on 18.0 only: no 19.0 release);
#   5. a running PostgreSQL with a role for the current user;
#   6. moto's server (the local Amazon SQS) in a virtualenv of its own.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
mkdir -p "$CACHE_DIR"

ODOO_DOWNLOAD_URL="${ODOO_DOWNLOAD_URL:-https://nightly.odoo.com/$ODOO_VERSION/nightly/src/odoo_$ODOO_VERSION.latest.tar.gz}"

apt_install() {
  # apt_install PKG...: install Debian packages when apt is there and we are root.
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    die "Missing system packages: $*. Install them with your package manager and run again."
  fi
  log "Installing system packages: $*"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_system_packages() {
  local missing=()
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || command -v postgres >/dev/null \
    || missing+=(postgresql)
  command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
    || command -v google-chrome >/dev/null || missing+=(chromium)
  command -v wkhtmltopdf >/dev/null || missing+=(wkhtmltopdf)
  command -v psql >/dev/null || missing+=(postgresql-client)
  if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}" fonts-dejavu-core; fi
}

is_series_tree() {
  # is_series_tree DIR: DIR is an Odoo source tree of the selected series.
  [ -f "$1/odoo-bin" ] && grep -q "^version_info = (${ODOO_VERSION%%.*}, 0," "$1/odoo/release.py" 2>/dev/null
}

copy_odoo_tree() {
  # copy_odoo_tree SRC: copy an Odoo tree into the cache (atomically: a half copy is never used).
  local tmp="$ODOO_DIR.partial"
  rm -rf "$tmp" && mkdir -p "$tmp"
  (cd "$1" && tar --exclude=.git -cf - .) | (cd "$tmp" && tar -xf -)
  rm -rf "$ODOO_DIR" && mv "$tmp" "$ODOO_DIR"
}

extract_odoo_tarball() {
  # extract_odoo_tarball FILE: unpack a tarball whose single top folder is an Odoo tree.
  local tmp="$CACHE_DIR/odoo-extract"
  rm -rf "$tmp" && mkdir -p "$tmp"
  tar -xf "$1" -C "$tmp"
  local top
  top="$(dirname "$(find "$tmp" -maxdepth 3 -name odoo-bin | head -n 1)")"
  [ -n "$top" ] && is_series_tree "$top" || die "$1 does not contain an Odoo $ODOO_VERSION source tree."
  rm -rf "$ODOO_DIR" && mv "$top" "$ODOO_DIR" && rm -rf "$tmp"
}

ensure_odoo_source() {
  if [ -n "${ODOO_SRC:-}" ]; then
    local src; src="$(cd "$(dirname "$ODOO_SRC")" && pwd)/$(basename "$ODOO_SRC")"
    if [ "$(cat "$ODOO_ORIGIN" 2>/dev/null)" = "$src" ] && is_series_tree "$ODOO_DIR"; then
      return
    fi
    log "Taking Odoo $ODOO_VERSION from $src into $ODOO_DIR"
    if [ -d "$src" ]; then
      is_series_tree "$src" || die "ODOO_SRC=$src is not an Odoo $ODOO_VERSION source tree (no odoo-bin or not version $ODOO_VERSION)."
      copy_odoo_tree "$src"
    elif [ -f "$src" ]; then
      extract_odoo_tarball "$src"
    else
      die "ODOO_SRC=$src does not exist."
    fi
    echo "$src" > "$ODOO_ORIGIN"
    return
  fi
  is_series_tree "$ODOO_DIR" && return
  log "No Odoo $ODOO_VERSION in the cache; downloading it from $ODOO_DOWNLOAD_URL"
  if curl -fsSL --connect-timeout 15 -o "$CACHE_DIR/odoo.tar.gz" "$ODOO_DOWNLOAD_URL"; then
    extract_odoo_tarball "$CACHE_DIR/odoo.tar.gz"
    echo "$ODOO_DOWNLOAD_URL" > "$ODOO_ORIGIN"
  else
    die "Odoo $ODOO_VERSION could not be obtained. Run again with ODOO_SRC=<an Odoo $ODOO_VERSION source tree or tarball>, e.g. 'ODOO_SRC=~/src/odoo-$ODOO_VERSION ODOO_VERSION=$ODOO_VERSION make test' (it is copied to $ODOO_DIR and remembered)."
  fi
}

quiet_pip() {
  # quiet_pip ARGS...: pip, without the machine's notes about absent local mirrors.
  "$PY" -m pip "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
}

ensure_virtualenv() {
  local stamp
  [ -x "$PY" ] || python3 -m venv "$VENV_DIR"
  quiet_pip install -q --upgrade pip packaging >/dev/null
  "$PY" "$REPO_DIR/scripts/odoo_requirements.py" "$ODOO_DIR/requirements.txt" > "$CACHE_DIR/odoo-requirements$SERIES_SUFFIX.txt"
  stamp="$(cat "$CACHE_DIR/odoo-requirements$SERIES_SUFFIX.txt" "$REPO_DIR/requirements.txt" | sha256sum | cut -c1-16)"
  if [ "$(cat "$VENV_DIR/.stamp" 2>/dev/null)" != "$stamp" ]; then
    log "Installing Python requirements into $VENV_DIR (first time takes a few minutes)"
    quiet_pip install -q -r "$CACHE_DIR/odoo-requirements$SERIES_SUFFIX.txt" -r "$REPO_DIR/requirements.txt"
    echo "$stamp" > "$VENV_DIR/.stamp"
  fi
  "$PY" -c "import websocket" || die "websocket-client is missing: Odoo would silently skip browser tours."
}

oca_versions() {
  # oca_versions: print the pip requirement of each OCA addon this Odoo tree can run.
  if [ "$ODOO_VERSION" = 19.0 ]; then
    # delivery_sendcloud_oca has no 19.0 release: the Sendcloud glue is not installed on 19.0.
    echo "odoo-addon-queue-job>=19.0,<19.1"
    return
  fi
  # queue_job 18.0.1.7.1 and later import odoo.api.private, which older 18.0 trees lack.
  if grep -q "^def private" "$ODOO_DIR/odoo/api.py"; then
    echo "odoo-addon-queue-job>=18.0,<18.1"
  else
    echo "odoo-addon-queue-job==18.0.1.7.0"
  fi
  echo "odoo-addon-delivery-sendcloud-oca>=18.0,<18.1"
}

ensure_oca_addons() {
  # The OCA addons' wheels pin odoo==<series>.*, which no registry has: install them --no-deps into
  # a folder of their own on the addons path; ensure_oca_python_needs installs their Python needs.
  local wanted stamp
  wanted="$(oca_versions)"
  stamp="$(echo "$wanted" | sha256sum | cut -c1-16)"
  [ "$(cat "$OCA_DIR/.stamp" 2>/dev/null)" = "$stamp" ] && [ -d "$OCA_DIR/odoo/addons/queue_job" ] && return
  log "Installing OCA addons: $(echo "$wanted" | tr '\n' ' ')"
  rm -rf "$OCA_DIR.partial"
  local reqs; mapfile -t reqs <<<"$wanted"
  quiet_pip install -q --no-deps --target "$OCA_DIR.partial" "${reqs[@]}"
  rm -rf "$OCA_DIR" && mv "$OCA_DIR.partial" "$OCA_DIR"
  echo "$stamp" > "$OCA_DIR/.stamp"
}

ensure_moto() {
  # moto's server is the local Amazon SQS of tests and `make run`. It wants a newer cryptography
  # than Odoo pins, so it lives in a virtualenv of its own, never imported by Odoo.
  local wanted="moto[server]==5.2.5"
  [ "$(cat "$MOTO_VENV/.stamp" 2>/dev/null)" = "$wanted" ] && [ -x "$MOTO_VENV/bin/python" ] && return
  log "Installing $wanted into $MOTO_VENV"
  rm -rf "$MOTO_VENV.partial"
  python3 -m venv "$MOTO_VENV.partial"
  "$MOTO_VENV.partial/bin/python" -m pip install -q "$wanted" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
  # Moved whole: `bin/python -m moto.server` finds its packages from pyvenv.cfg's location.
  rm -rf "$MOTO_VENV" && mv "$MOTO_VENV.partial" "$MOTO_VENV"
  echo "$wanted" > "$MOTO_VENV/.stamp"
}

ensure_oca_python_needs() {
  # The OCA wheels' own Python needs (e.g. openupgradelib for queue_job 19.0), less Odoo and
  # other addons, into the virtualenv; once per set of OCA wheels.
  local needs
  needs="$(sed -n 's/^Requires-Dist: //p' "$OCA_DIR"/*.dist-info/METADATA | grep -viE '^odoo([-=<>~ ]|$)' | sort -u || true)"
  [ -n "$needs" ] || return 0
  local reqs; mapfile -t reqs <<<"$needs"
  # Nothing to do (and the virtualenv untouched) when every one is installed already.
  "$PY" - "${reqs[@]}" <<'PYEOF' && return 0
import sys
from importlib.metadata import PackageNotFoundError, version
from packaging.requirements import Requirement
try:
    for line in sys.argv[1:]:
        requirement = Requirement(line)
        if not requirement.specifier.contains(version(requirement.name), prereleases=True):
            sys.exit(1)
except PackageNotFoundError:
    sys.exit(1)
PYEOF
  log "Installing the OCA addons' Python needs: ${reqs[*]}"
  quiet_pip install -q "${reqs[@]}"
}

ensure_postgres() {
  if [ "$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null; then
    # Debian's cluster, run by the postgres user; a superuser role for root.
    local version; version="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
    pg_lsclusters -h | grep -q "^$version main" || pg_createcluster "$version" main >/dev/null
    pg_lsclusters -h | grep -q "^$version main .* online" || pg_ctlcluster "$version" main start
    echo "unset PGHOST PGPORT" > "$CACHE_DIR/pg.env"
    for _ in $(seq 1 30); do su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1 && break; sleep 0.5; done
    su postgres -c "psql -qtAc \"select 1 from pg_roles where rolname='$(id -un)'\"" | grep -q 1 \
      || su postgres -c "createuser -s $(id -un)"
  else
    # Anyone else: a private cluster in the cache, reachable by a socket there.
    local bin; bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    export PATH="${bin:+$bin:}$PATH"
    local data="$CACHE_DIR/pgdata" sock="$CACHE_DIR/pgsock"
    mkdir -p "$sock"
    [ -f "$data/PG_VERSION" ] || initdb -D "$data" -A trust -U "$(id -un)" >/dev/null
    pg_ctl -D "$data" status >/dev/null 2>&1 \
      || pg_ctl -D "$data" -l "$CACHE_DIR/postgres.log" -w \
           -o "-k $sock -p 5439 -c listen_addresses=''" start >/dev/null
    printf 'export PGHOST=%q PGPORT=5439\n' "$sock" > "$CACHE_DIR/pg.env"
  fi
}

ensure_system_packages
ensure_odoo_source
ensure_virtualenv
ensure_oca_addons
ensure_oca_python_needs
ensure_postgres
ensure_moto
log "Ready: Odoo $ODOO_VERSION in $ODOO_DIR (from $(cat "$ODOO_ORIGIN")), Python in $VENV_DIR"
