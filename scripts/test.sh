#!/usr/bin/env bash
# `make test`: lint, the pytest suite (services, sandboxes, XML-RPC end to end) and the addons' Odoo
# tests (the connector and its Sendcloud glue; at_install and post_install, browser tours included)
# on a fresh database, against the local Amazon and Sendcloud sandboxes. Exits non-zero on any failure, error or skipped test; prints the counts.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bash "$REPO_DIR/scripts/setup.sh"
source "$CACHE_DIR/pg.env"
source "$REPO_DIR/scripts/sandbox.sh"

VAR_DIR="$REPO_DIR/var/test" && rm -rf "$VAR_DIR" && mkdir -p "$VAR_DIR"
DB="${DB_PREFIX}_test_$$"
export STOCKAGILE_TEST_DB="$DB"
cleanup() {
  kill "${SANDBOX_PID:-}" 2>/dev/null || true
  kill "${SENDCLOUD_SANDBOX_PID:-}" 2>/dev/null || true
  kill "${SQS_PID:-}" 2>/dev/null || true
  dropdb --if-exists "$DB" >/dev/null 2>&1 || true
}
trap cleanup EXIT

log "Lint: ruff and pylint-odoo"
"$VENV_DIR/bin/ruff" check "$REPO_DIR"
"$VENV_DIR/bin/ruff" format --check "$REPO_DIR" >/dev/null \
  || { "$VENV_DIR/bin/ruff" format --diff "$REPO_DIR"; die "ruff format: files need formatting (run 'make format')."; }
"$VENV_DIR/bin/pylint" --rcfile="$REPO_DIR/.pylintrc" "$REPO_DIR/stockagile_amazon_connector" \
  "$REPO_DIR/stockagile_amazon_sendcloud"

start_sqs "$VAR_DIR/sqs.log"
log "Local Amazon SQS (moto) on $STOCKAGILE_SQS_URL"
start_sandbox 0 "$VAR_DIR/sandbox.log"
log "Amazon sandbox on $STOCKAGILE_SANDBOX_URL"
start_sendcloud_sandbox 0 "$VAR_DIR/sendcloud-sandbox.log"
log "Sendcloud sandbox on $STOCKAGILE_SENDCLOUD_URL"

# The repository's addons this series can install (on 19.0 none that needs delivery_sendcloud_oca).
ADDONS="$(repo_addons)"
log "Odoo $ODOO_VERSION tests of $ADDONS on a fresh database $DB (installing takes a few minutes)"
ODOO_LOG="$VAR_DIR/odoo-tests.log"
set +e
if [[ ",$ADDONS," == *,stockagile_amazon_sendcloud,* ]]; then
  # OCA's Sendcloud module first, without --test-enable: its own tests import test-only packages
  # (vcrpy, responses) that are not ours to install, and they are not the tests of this repository.
  odoo_bin -d "$DB" -i delivery_sendcloud_oca "${ODOO_DEMO_ARGS[@]}" --stop-after-init \
    --log-level=warn --http-port="$(free_port)" --max-cron-threads=0 \
    >"$VAR_DIR/odoo-oca-install.log" 2>&1 \
    || { tail -n 40 "$VAR_DIR/odoo-oca-install.log"; die "Installing delivery_sendcloud_oca failed."; }
fi
odoo_bin -d "$DB" -i "$ADDONS" "${ODOO_DEMO_ARGS[@]}" --test-enable \
  --test-tags="/${ADDONS//,/,/}" --stop-after-init --http-port="$(free_port)" \
  --log-level=info --max-cron-threads=0 >"$ODOO_LOG" 2>&1
odoo_rc=$?
set -e
grep -E "(ERROR|FAIL|CRITICAL)|odoo\.tests\.result|tests when loading|: skipped |Ran [0-9]+ tests" "$ODOO_LOG" | tail -n 60 || true
summary="$(grep -Eo "[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests" "$ODOO_LOG" | tail -n 1)"
odoo_run="$(sed -E 's/.* of ([0-9]+) tests/\1/' <<<"$summary")"
odoo_bad="$(sed -E 's/^([0-9]+) failed, ([0-9]+) error.*/\1+\2/' <<<"$summary")"
odoo_skipped="$(grep -c ": skipped " "$ODOO_LOG" || true)"
[ -n "$summary" ] || { tail -n 80 "$ODOO_LOG"; die "Odoo ran no test (see $ODOO_LOG)."; }
odoo_bad=$((odoo_bad))
log "Odoo tests: $odoo_run run, $odoo_bad failed or in error, $odoo_skipped skipped (log: $ODOO_LOG)"

log "pytest: services, sandbox and XML-RPC end to end"
set +e
"$PY" -m pytest "$REPO_DIR/tests" -q -p no:cacheprovider -rs --junitxml="$VAR_DIR/pytest.xml"
pytest_rc=$?
set -e
read -r py_run py_failed py_skipped < <("$PY" - "$VAR_DIR/pytest.xml" <<'PYEOF'
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot()
suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
tests, failures, errors, skipped = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
print(tests - skipped, failures + errors, skipped)
PYEOF
)

passed=$((odoo_run - odoo_bad + py_run - py_failed))
failed=$((odoo_bad + py_failed))
skipped=$((odoo_skipped + py_skipped))
echo
echo "Odoo: $odoo_run tests, $odoo_bad failed, $odoo_skipped skipped | pytest: $py_run tests, $py_failed failed, $py_skipped skipped"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$odoo_rc" = 0 ] || die "Odoo tests failed (rc=$odoo_rc); see $ODOO_LOG."
[ "$pytest_rc" = 0 ] || die "pytest failed (rc=$pytest_rc)."
[ "$skipped" = 0 ] || die "$skipped required tests were skipped (a tour without Chromium or websocket-client?)."
[ "$failed" = 0 ] || die "$failed tests failed."
log "All green."
