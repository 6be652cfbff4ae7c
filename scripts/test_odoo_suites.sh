#!/usr/bin/env bash
# `make test-odoo-suites`: Odoo's own `stock`, `sale_stock` and `stock_delivery` test suites, run
# twice from the addons path only (PYTHONPATH unset, no pip install): once without the connector,
# once with it installed. Fails when a test of theirs fails only with the connector, or when the
# registry does not load. Long (about 30 minutes): not part of `make test`.
#
# Each run first installs its modules without tests, then updates Odoo's three modules with
# --test-enable: so their at_install tests also run on a database that holds the connector (its
# data, rules and constraints), not only their post_install tests.
#
# Environment: SUITES_DB_PREFIX (default stockagile_suites_<pid>), SUITES_KEEP_DB=1 keeps the
# databases, SUITES_LOG_DIR (default var/odoo-suites).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ -n "${SUITES_SKIP_SETUP:-}" ] || bash "$REPO_DIR/scripts/setup.sh"
source "$CACHE_DIR/pg.env"

SUITES="stock,sale_stock,stock_delivery"
TAGS="/stock,/sale_stock,/stock_delivery"
PREFIX="${SUITES_DB_PREFIX:-stockagile_suites_$$}"
LOG_DIR="${SUITES_LOG_DIR:-$REPO_DIR/var/odoo-suites}"
mkdir -p "$LOG_DIR"
BASE_DB="${PREFIX}_without"
ADDON_DB="${PREFIX}_with"
cleanup() {
  [ -n "${SUITES_KEEP_DB:-}" ] && return
  dropdb --if-exists "$BASE_DB" >/dev/null 2>&1 || true
  dropdb --if-exists "$ADDON_DB" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# odoo_plain ARGS...: odoo-bin as an integrator runs it: addons path only, no PYTHONPATH.
odoo_plain() {
  (cd "$LOG_DIR" && env -u PYTHONPATH "$PY" "$ODOO_DIR/odoo-bin" \
    --addons-path="$(odoo_addons_path)" --http-port="$(free_port)" --max-cron-threads=0 \
    --stop-after-init "$@")
}

# run_suites NAME DB MODULES: install MODULES, then run Odoo's suites on them; log in NAME.log.
run_suites() {
  local name="$1" db="$2" modules="$3"
  dropdb --if-exists "$db" >/dev/null 2>&1 || true
  log "[$name] installing $modules on $db"
  odoo_plain -d "$db" -i "$modules" --log-level=warn >"$LOG_DIR/$name-install.log" 2>&1 \
    || { tail -n 40 "$LOG_DIR/$name-install.log"; die "[$name] install failed"; }
  log "[$name] Odoo's suites ($TAGS) with --test-enable (log: $LOG_DIR/$name.log)"
  set +e
  odoo_plain -d "$db" -u "$SUITES" --test-enable --test-tags="$TAGS" --log-level=test \
    >"$LOG_DIR/$name.log" 2>&1
  set -e
  if grep -q "Failed to load registry" "$LOG_DIR/$name.log"; then
    grep -n -A5 "Failed to load registry" "$LOG_DIR/$name.log" | head -n 30
    die "[$name] the registry did not load"
  fi
  # One line per failing test: odoo.addons.<module>.tests.<file>.<Class>.<test>
  grep -Eo "odoo\.addons\.[A-Za-z0-9_.]+: (FAIL|ERROR): [A-Za-z0-9_]+\.[A-Za-z0-9_]+" \
    "$LOG_DIR/$name.log" | sed -E 's/: (FAIL|ERROR): /./' | sort -u >"$LOG_DIR/$name.failed" || true
  local summary
  summary="$(grep -Eo "[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests" "$LOG_DIR/$name.log" | tail -n 1)"
  [ -n "$summary" ] || { tail -n 40 "$LOG_DIR/$name.log"; die "[$name] no test ran"; }
  log "[$name] $summary; $(wc -l <"$LOG_DIR/$name.failed") distinct failing tests"
  echo "$summary" >"$LOG_DIR/$name.summary"
}

run_suites without "$BASE_DB" "$SUITES"
run_suites with "$ADDON_DB" "$SUITES,stockagile_amazon_connector"

new_failures="$(comm -13 "$LOG_DIR/without.failed" "$LOG_DIR/with.failed")"
echo
echo "without the connector: $(cat "$LOG_DIR/without.summary")"
echo "with the connector:    $(cat "$LOG_DIR/with.summary")"
if [ -n "$new_failures" ]; then
  echo "Tests of Odoo that fail only with the connector installed:"
  echo "$new_failures"
  die "$(wc -l <<<"$new_failures") of Odoo's tests fail only with the connector (logs in $LOG_DIR)."
fi
log "No test of stock, sale_stock or stock_delivery fails because of the connector."
