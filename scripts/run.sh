#!/usr/bin/env bash
# `make run`: Odoo (18.0, or ODOO_VERSION=19.0) with the connector, its Sendcloud glue (18.0) and
# demo data on http://localhost:8069 (admin/admin), talking to the local Amazon sandbox on
# http://127.0.0.1:$SANDBOX_PORT (8899), the local Sendcloud sandbox on
# http://127.0.0.1:$SENDCLOUD_PORT (8898) and moto's SQS. The demo is a Spanish seller
# (scripts/demo_spain.py). Ctrl-C stops them all.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bash "$REPO_DIR/scripts/setup.sh"
source "$CACHE_DIR/pg.env"
source "$REPO_DIR/scripts/sandbox.sh"

DB="${STOCKAGILE_DB:-${DB_PREFIX}_demo}"
HTTP_PORT="${HTTP_PORT:-8069}"
SANDBOX_PORT="${SANDBOX_PORT:-8899}"
SENDCLOUD_PORT="${SENDCLOUD_PORT:-8898}"
VAR_DIR="$REPO_DIR/var" && mkdir -p "$VAR_DIR"
# The repository's addons this series can install (the Sendcloud glue needs OCA's 18.0 module).
ADDONS="$(repo_addons)"

start_sqs "$VAR_DIR/sqs.log"
start_sandbox "$SANDBOX_PORT" "$VAR_DIR/sandbox.log"
trap 'stop_services; log "Stopped."' EXIT INT TERM
log "Amazon sandbox on $STOCKAGILE_SANDBOX_URL (log: var/sandbox.log), local SQS (moto) on $STOCKAGILE_SQS_URL"
start_sendcloud_sandbox "$SENDCLOUD_PORT" "$VAR_DIR/sendcloud-sandbox.log"
log "Sendcloud sandbox on $STOCKAGILE_SENDCLOUD_URL (log: var/sendcloud-sandbox.log)"

# demo_step STEP: run scripts/demo_spain.py's STEP in Odoo's shell (see that file).
demo_step() {
  STOCKAGILE_DEMO_STEP="$1" odoo_bin shell -d "$DB" --no-http --log-level=warn \
    < "$REPO_DIR/scripts/demo_spain.py"
}

if psql -d postgres -qtAc "select 1 from pg_database where datname='$DB'" | grep -q 1; then
  log "Updating the connector in database $DB"
  odoo_bin -d "$DB" -u stockagile_amazon_connector -i "$ADDONS" --stop-after-init --log-level=warn
else
  log "Creating database $DB with demo data: a Spanish seller (first time takes a few minutes)"
  odoo_bin -d "$DB" -i base "${ODOO_DEMO_ARGS[@]}" --stop-after-init --log-level=warn
  demo_step prepare  # Madrid, euros: installing the accounting then loads Spain's chart (l10n_es)
  # The chart first: the connector's demo data (a tax) needs the company's accounting in place.
  odoo_bin -d "$DB" -i l10n_es --load-language=es_ES --stop-after-init --log-level=warn
  odoo_bin -d "$DB" -i "$ADDONS" --stop-after-init --log-level=warn
fi
demo_step finish  # SEUR and Correos, admin in Spanish, the demo account on this sandbox
if [[ ",$ADDONS," == *,stockagile_amazon_sendcloud,* ]]; then
  log "Sendcloud (sandbox) carrier on the Amazon warehouses"
  "$PY" "$ODOO_DIR/odoo-bin" shell --addons-path="$(odoo_addons_path)" -d "$DB" --log-level=warn \
    --no-http <"$REPO_DIR/scripts/sendcloud_demo.py"
fi

log "Open http://localhost:$HTTP_PORT (admin / admin): Sales > Amazon > Accounts > 'Amazon Europe (sandbox)' > Test connection."
log "Sandbox state: $STOCKAGILE_SANDBOX_URL/_sandbox/state    Ctrl-C stops Odoo and the sandbox."
odoo_bin -d "$DB" --db-filter="^$DB\$" --http-port="$HTTP_PORT" --max-cron-threads=2 \
  --load="base,web,queue_job${SERIES_SUFFIX:+,rpc}"
