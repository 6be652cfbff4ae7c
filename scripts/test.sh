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
# The pytest suite runs at the same time as the Odoo tests (both mostly wait: on servers, jobs,
# the browser), on a database and local services of its own, since both reset the sandboxes.
E2E_DB="${DB_PREFIX}_e2e_$$"
PYTEST_JOB=""
PYLINT_JOB=""
cleanup() {
  [ -z "$PYLINT_JOB" ] || kill "$PYLINT_JOB" 2>/dev/null || true
  [ -z "$PYTEST_JOB" ] || kill -- -"$PYTEST_JOB" 2>/dev/null || true
  stop_services
  dropdb --if-exists "$DB" >/dev/null 2>&1 || true
  dropdb --if-exists "$E2E_DB" >/dev/null 2>&1 || true
}
trap cleanup EXIT

log "Lint: ruff and pylint-odoo (pylint meanwhile)"
"$VENV_DIR/bin/ruff" check "$REPO_DIR"
"$VENV_DIR/bin/ruff" format --check "$REPO_DIR" >/dev/null \
  || { "$VENV_DIR/bin/ruff" format --diff "$REPO_DIR"; die "ruff format: files need formatting (run 'make format')."; }
"$VENV_DIR/bin/pylint" --rcfile="$REPO_DIR/.pylintrc" "$REPO_DIR/stockagile_amazon_connector" \
  "$REPO_DIR/stockagile_amazon_sendcloud" >"$VAR_DIR/pylint.log" 2>&1 &
PYLINT_JOB=$!

# start_services PREFIX: SQS, then the Amazon sandbox publishing there, then the Sendcloud sandbox;
# their logs are $VAR_DIR/PREFIXsqs.log, ... Exports their STOCKAGILE_*_URL.
start_services() {
  start_sqs "$VAR_DIR/${1}sqs.log"
  start_sandbox 0 "$VAR_DIR/${1}sandbox.log"
  start_sendcloud_sandbox 0 "$VAR_DIR/${1}sendcloud-sandbox.log"
}
start_services pytest-
PYTEST_ENV=(STOCKAGILE_SQS_URL="$STOCKAGILE_SQS_URL" STOCKAGILE_SANDBOX_URL="$STOCKAGILE_SANDBOX_URL"
  STOCKAGILE_SENDCLOUD_URL="$STOCKAGILE_SENDCLOUD_URL" STOCKAGILE_TEST_DB="$E2E_DB")
start_services ""
log "Local Amazon SQS (moto) on $STOCKAGILE_SQS_URL, Amazon sandbox on $STOCKAGILE_SANDBOX_URL, Sendcloud sandbox on $STOCKAGILE_SENDCLOUD_URL"

# The repository's addons this series can install (on 19.0 none that needs delivery_sendcloud_oca),
# and the modules they depend on.
ADDONS="$(repo_addons)"
DEPENDS="$("$PY" - "$REPO_DIR" "$ADDONS" <<'PYEOF'
import ast, sys
from pathlib import Path
repo, ours = Path(sys.argv[1]), sys.argv[2].split(",")
depends = {
    name
    for addon in ours
    for name in ast.literal_eval((repo / addon / "__manifest__.py").read_text()).get("depends", [])
}
print(",".join(sorted(depends - set(ours))))
PYEOF
)"
# The dependencies first, without --test-enable: OCA's Sendcloud module's own tests import test-only
# packages (vcrpy, responses) that are not ours to install, and they are not this repository's tests.
# The pytest database is a copy of that one, so the dependencies install once.
log "Odoo $ODOO_VERSION: installing $DEPENDS on a fresh database $DB (takes a few minutes)"
odoo_bin -d "$DB" -i "$DEPENDS" "${ODOO_DEMO_ARGS[@]}" --stop-after-init \
  --log-level=warn --http-port="$(free_port)" --max-cron-threads=0 \
  >"$VAR_DIR/odoo-depends-install.log" 2>&1 \
  || { tail -n 40 "$VAR_DIR/odoo-depends-install.log"; die "Installing $DEPENDS failed."; }
createdb -T "$DB" "$E2E_DB"
wait "$PYLINT_JOB" || { cat "$VAR_DIR/pylint.log"; die "pylint-odoo found problems."; }
cat "$VAR_DIR/pylint.log"

# run_pytest: install the addons (no tests) on the pytest database, then pytest (services,
# sandbox and XML-RPC end to end) on it with the pytest services. Its own process group (set -m),
# so that cleanup stops it with every server it started.
run_pytest() {
  export "${PYTEST_ENV[@]}"
  odoo_bin -d "$E2E_DB" -i "$ADDONS" "${ODOO_DEMO_ARGS[@]}" --stop-after-init \
    --log-level=warn --http-port="$(free_port)" --max-cron-threads=0 \
    >"$VAR_DIR/odoo-e2e-install.log" 2>&1 \
    || { tail -n 40 "$VAR_DIR/odoo-e2e-install.log"; echo "Installing $ADDONS on $E2E_DB failed."; return 3; }
  "$PY" -m pytest "$REPO_DIR/tests" -q -p no:cacheprovider -rs --junitxml="$VAR_DIR/pytest.xml"
}
log "pytest (services, sandbox and XML-RPC end to end) on $E2E_DB, meanwhile (log: $VAR_DIR/pytest.log)"
set -m
run_pytest >"$VAR_DIR/pytest.log" 2>&1 &
PYTEST_JOB=$!
set +m

log "Odoo $ODOO_VERSION tests of $ADDONS on $DB"
ODOO_LOG="$VAR_DIR/odoo-tests.log"
set +e
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

log "pytest: waiting for it to finish"
set +e
wait "$PYTEST_JOB"
pytest_rc=$?
set -e
PYTEST_JOB=""
cat "$VAR_DIR/pytest.log"
[ -f "$VAR_DIR/pytest.xml" ] || die "pytest did not run (rc=$pytest_rc; see $VAR_DIR/pytest.log)."
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
