#!/usr/bin/env bash
# `make test-pip-layout`: the connector installed with `pip install .` (into a private target
# directory, never the shared virtualenv), the repository NOT on --addons-path and PYTHONPATH
# holding only that target: Odoo installs the addon from `odoo/addons` of the target and its
# tests run against the sandbox installed with it. Needs pip to build the wheel (setuptools and
# wheel from the package index, pip's build isolation). About 2 minutes.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$CACHE_DIR/pg.env"

WORK="$(mktemp -d)"
DB="${PIP_LAYOUT_DB:-stockagile_pip_$$}"
cleanup() {
  dropdb --if-exists "$DB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Build from a copy: setuptools writes build/ and *.egg-info next to setup.py.
mkdir -p "$WORK/src"
tar -C "$REPO_DIR" --exclude=./.git --exclude=./var --exclude=./build --exclude='*.egg-info' \
  --exclude=__pycache__ -cf - . | tar -C "$WORK/src" -xf -
log "pip install --no-deps --target $WORK/site ."
"$VENV_DIR/bin/pip" install --quiet --no-deps --target "$WORK/site" "$WORK/src" \
  || die "pip could not build the connector (see above)"
[ -f "$WORK/site/odoo/addons/stockagile_amazon_connector/__manifest__.py" ] \
  || die "pip did not install the addon under odoo/addons"

log "Odoo: the addon from the pip target only (log: $WORK/odoo.log)"
set +e
(cd "$WORK" && env -u STOCKAGILE_SANDBOX_URL PYTHONPATH="$WORK/site" "$PY" "$ODOO_DIR/odoo-bin" \
  --addons-path="$ODOO_DIR/odoo/addons,$ODOO_DIR/addons,$OCA_DIR/odoo/addons" \
  -d "$DB" -i stockagile_amazon_connector --test-enable \
  --test-tags=/stockagile_amazon_connector:TestAmazonAccount.test_connection_succeeds_on_sandbox \
  --stop-after-init --http-port="$(free_port)" --max-cron-threads=0 --log-level=test \
  >"$WORK/odoo.log" 2>&1)
rc=$?
set -e
grep -E "addons paths|tests when loading|Failed to load registry|ERROR" "$WORK/odoo.log" | cut -c1-300
grep -q "$WORK/site/odoo/addons" "$WORK/odoo.log" || die "Odoo did not use the pip-installed addon"
grep -q "0 failed, 0 error(s) of 1 tests" "$WORK/odoo.log" \
  || { tail -n 40 "$WORK/odoo.log"; die "the connector's test did not pass in the pip layout"; }
[ "$rc" = 0 ] || die "odoo-bin exited with $rc"
log "pip layout: the addon installs and its tests run."
