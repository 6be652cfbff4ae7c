#!/usr/bin/env bash
# Shared settings of the setup, run, test and bench scripts. Source it; it defines paths only.
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${STOCKAGILE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/stockagile-amazon-connector}"
# ODOO_VERSION selects the Odoo series (18.0 by default, or 19.0): each has its own cache folders,
# virtualenv and remembered origin, so both series live side by side. 18.0 keeps its historic paths.
export ODOO_VERSION="${ODOO_VERSION:-18.0}"
case "$ODOO_VERSION" in
  18.0) SERIES_SUFFIX="" ;;
  19.0) SERIES_SUFFIX="-19.0" ;;
  *) printf '[stockagile] ODOO_VERSION=%s is not supported (18.0 or 19.0).\n' "$ODOO_VERSION" >&2; exit 1 ;;
esac
ODOO_DIR="$CACHE_DIR/odoo-$ODOO_VERSION"         # Odoo source of the series, copied here once and reused
VENV_DIR="$CACHE_DIR/venv$SERIES_SUFFIX"          # Python with the series' Odoo requirements and ours
PY="$VENV_DIR/bin/python"
OCA_DIR="$CACHE_DIR/oca-$ODOO_VERSION"            # OCA addons (queue_job, delivery_sendcloud_oca), --no-deps
ODOO_ORIGIN="$CACHE_DIR/odoo-origin$SERIES_SUFFIX" # where the series' Odoo source came from
# Odoo 19 installs without demo data unless asked; the demo (make run) and tests expect it.
ODOO_DEMO_ARGS=()
[ "$ODOO_VERSION" = 18.0 ] || ODOO_DEMO_ARGS=(--with-demo)
# Database names of the series (18.0 keeps the historic ones).
DB_PREFIX="stockagile${SERIES_SUFFIX:+_${ODOO_VERSION%%.*}}"
MOTO_VENV="$CACHE_DIR/moto-venv"         # moto's server (local Amazon SQS), apart from Odoo's pins; one for both series
export PYTHONPATH="$REPO_DIR${PYTHONPATH:+:$PYTHONPATH}"
# The library lets this variable silently override the marketplace: never inherit it.
unset SP_API_DEFAULT_MARKETPLACE

# PostgreSQL connection of the cluster setup.sh started (libpq reads PGHOST/PGPORT).
[ -f "$CACHE_DIR/pg.env" ] && source "$CACHE_DIR/pg.env"

log() { printf '\033[1m[stockagile]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[stockagile] %s\033[0m\n' "$*" >&2; exit 1; }

# free_port: print a TCP port nobody listens on (loopback).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# odoo_addons_path: Odoo's own addons plus this repository (the addon lives at its top).
odoo_addons_path() { echo "$ODOO_DIR/odoo/addons,$ODOO_DIR/addons,$OCA_DIR/odoo/addons,$REPO_DIR"; }

# repo_addons: the repository's addons (comma-separated) whose dependencies all exist on this
# series' addons path, e.g. a Sendcloud glue addon is left out on 19.0 (no delivery_sendcloud_oca).
repo_addons() {
  "$PY" - "$REPO_DIR" "$(odoo_addons_path)" <<'PYEOF'
import ast, sys
from pathlib import Path
repo, paths = Path(sys.argv[1]), [Path(p) for p in sys.argv[2].split(",")]
def manifest(name):
    for folder in paths:
        if (folder / name / "__manifest__.py").is_file():
            return ast.literal_eval((folder / name / "__manifest__.py").read_text())
    return None
def available(name, seen=()):
    found = manifest(name)
    return found is not None and found.get("installable", True) and all(
        dep in seen or available(dep, (*seen, name)) for dep in found.get("depends", [])
    )
print(",".join(sorted(
    folder.name for folder in repo.iterdir()
    if (folder / "__manifest__.py").is_file() and available(folder.name)
)))
PYEOF
}

# odoo_bin ARGS...: run the series' Odoo from the cached source with the project's virtualenv.
odoo_bin() { "$PY" "$ODOO_DIR/odoo-bin" --addons-path="$(odoo_addons_path)" "$@"; }
