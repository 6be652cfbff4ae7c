#!/usr/bin/env bash
# `make run`: Odoo (18.0, or ODOO_VERSION=19.0) with the connector and demo data on http://localhost:8069 (admin/admin),
# talking to the local Amazon sandbox on http://127.0.0.1:8899. Ctrl-C stops both.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bash "$REPO_DIR/scripts/setup.sh"
source "$CACHE_DIR/pg.env"
source "$REPO_DIR/scripts/sandbox.sh"

DB="${STOCKAGILE_DB:-${DB_PREFIX}_demo}"
HTTP_PORT="${HTTP_PORT:-8069}"
SANDBOX_PORT="${SANDBOX_PORT:-8899}"
VAR_DIR="$REPO_DIR/var" && mkdir -p "$VAR_DIR"

start_sandbox "$SANDBOX_PORT" "$VAR_DIR/sandbox.log"
trap 'kill "$SANDBOX_PID" 2>/dev/null; log "Stopped."' EXIT INT TERM
log "Amazon sandbox on $STOCKAGILE_SANDBOX_URL (log: var/sandbox.log)"

if psql -d postgres -qtAc "select 1 from pg_database where datname='$DB'" | grep -q 1; then
  log "Updating the connector in database $DB"
  odoo_bin -d "$DB" -u stockagile_amazon_connector --stop-after-init --log-level=warn
else
  log "Creating database $DB with demo data (first time takes a few minutes)"
  odoo_bin -d "$DB" -i stockagile_amazon_connector "${ODOO_DEMO_ARGS[@]}" --stop-after-init --log-level=warn
fi

log "Open http://localhost:$HTTP_PORT (admin / admin): Sales > Amazon > Accounts > 'Amazon Europe (sandbox)' > Test connection."
log "Sandbox state: $STOCKAGILE_SANDBOX_URL/_sandbox/state    Ctrl-C stops Odoo and the sandbox."
odoo_bin -d "$DB" --db-filter="^$DB\$" --http-port="$HTTP_PORT" --max-cron-threads=2 \
  --load="base,web,queue_job${SERIES_SUFFIX:+,rpc}"
