#!/usr/bin/env bash
# Odoo's own test suites of the modules the addons extend (stock, sale_stock, stock_delivery,
# sale_management), run with the repository's addons installed, compared with the same suites
# without them. Fails when one of their tests fails (or no longer runs: a class whose setUpClass
# errors, a registry that does not load) only with the addons.
#
#   SUITES_MODE=compare (default)  one run with the addons, compared with the committed baseline
#                                  tests/odoo_suites/<series>.txt (what the suites do without them);
#   SUITES_MODE=baseline           one run without the addons (their dependencies queue_job and
#                                  OCA's Sendcloud module installed): writes that baseline;
#   SUITES_MODE=both               both runs, compared with each other (`make test-odoo-suites`);
#   SUITES_MODE=with               the run with the addons only, not compared (var/odoo-suites/with.txt).
#
# Each run first installs its modules without tests, then updates Odoo's modules with
# --test-enable, so their at_install tests also run on a database that holds the connector (its
# data, rules and constraints), not only their post_install tests. Odoo runs from the addons path
# only (PYTHONPATH unset), as an integrator runs it.
#
# Environment: SUITES_DB_PREFIX (default stockagile_suites_<pid>), SUITES_KEEP_DB=1 keeps the
# databases, SUITES_REUSE_DB=1 runs the suites on them again (their modules already installed;
# a database that Odoo's tests ran on once may hold their committed data),
# SUITES_LOG_DIR (default var/odoo-suites), SUITES_SKIP_SETUP=1.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ -n "${SUITES_SKIP_SETUP:-}" ] || bash "$REPO_DIR/scripts/setup.sh"
source "$CACHE_DIR/pg.env"

MODE="${SUITES_MODE:-compare}"
SUITES="stock,sale_stock,stock_delivery,sale_management"
TAGS="/stock,/sale_stock,/stock_delivery,/sale_management"
PREFIX="${SUITES_DB_PREFIX:-stockagile_suites_$$}"
LOG_DIR="${SUITES_LOG_DIR:-$REPO_DIR/var/odoo-suites}"
BASELINE="$REPO_DIR/tests/odoo_suites/$ODOO_VERSION.txt"
mkdir -p "$LOG_DIR"
DATABASES=()
cleanup() {
  [ -n "${SUITES_KEEP_DB:-}" ] && return
  for db in "${DATABASES[@]}"; do dropdb --if-exists "$db" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

# Updating Odoo's modules with --test-enable also updates every installed module that depends
# on them, and Odoo imports the tests of each (then runs only those --test-tags selects). OCA's
# delivery_sendcloud_oca (installed on 18.0 for the Sendcloud glue) imports vcrpy and responses
# in its tests: test-only packages that are not ours to install. Without them the registry does
# not load ("Failed to load registry", ModuleNotFoundError: vcr). When they are missing, inert
# stand-ins let those test files import; none of their tests is selected, none runs.
STUBS=""
if ! "$PY" -c "import vcr, responses" >/dev/null 2>&1; then
  STUBS="$LOG_DIR/test-only-stubs"
  mkdir -p "$STUBS"
  for name in vcr responses; do
    cat >"$STUBS/$name.py" <<'PYEOF'
"""Inert stand-in of a test-only package (scripts/test_odoo_suites.sh): importable, never run."""


class _Inert:
    def __call__(self, *args, **kwargs):
        # Used as a decorator: keep the decorated function or class as it is.
        if len(args) == 1 and not kwargs and callable(args[0]):
            return args[0]
        return self

    def __getattr__(self, name):
        return self


def __getattr__(name):
    return _Inert()
PYEOF
  done
fi

# odoo_plain ARGS...: odoo-bin as an integrator runs it: addons path only, no PYTHONPATH (but
# the stand-ins above, when needed).
odoo_plain() {
  (cd "$LOG_DIR" && env -u PYTHONPATH ${STUBS:+PYTHONPATH="$STUBS"} "$PY" "$ODOO_DIR/odoo-bin" \
    --addons-path="$(odoo_addons_path)" --http-port="$(free_port)" --max-cron-threads=0 \
    --stop-after-init "${ODOO_DEMO_ARGS[@]}" "$@")
}

# The dependencies of the repository's addons that are not Odoo's suites nor ours.
OTHERS="queue_job"
[[ ",$(repo_addons)," == *,stockagile_amazon_sendcloud,* ]] && OTHERS="$OTHERS,delivery_sendcloud_oca"

# run_suites NAME MODULES: install MODULES on a database of its own, then run Odoo's suites;
# writes NAME.txt: the line "tests N" then one line per failing test (or class set-up).
run_suites() {
  local name="$1" modules="$2" db="${PREFIX}_$1"
  DATABASES+=("$db")
  if [ -n "${SUITES_REUSE_DB:-}" ] && psql -d postgres -tAc "select 1 from pg_database where datname='$db'" | grep -q 1; then
    log "[$name] reusing $db (SUITES_REUSE_DB)"
  else
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
    log "[$name] installing $modules on $db"
    odoo_plain -d "$db" -i "$modules" --log-level=warn >"$LOG_DIR/$name-install.log" 2>&1 \
      || { tail -n 40 "$LOG_DIR/$name-install.log"; die "[$name] install failed"; }
  fi
  log "[$name] Odoo's suites ($TAGS) with --test-enable (log: $LOG_DIR/$name.log)"
  set +e
  odoo_plain -d "$db" -u "$SUITES" --test-enable --test-tags="$TAGS" --log-level=test \
    >"$LOG_DIR/$name.log" 2>&1
  set -e
  if grep -q "Failed to load registry" "$LOG_DIR/$name.log"; then
    grep -n -A5 "Failed to load registry" "$LOG_DIR/$name.log" | head -n 30
    die "[$name] the registry did not load"
  fi
  "$PY" - "$LOG_DIR/$name.log" >"$LOG_DIR/$name.txt" <<'PYEOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
runs = re.findall(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests", text)
if not runs:
    sys.exit("no test ran")
print("tests", sum(int(run[2]) for run in runs))
# "<logger>: FAIL: Class.test" and "<logger>: ERROR: setUpClass (module.Class)".
failed = set()
for logger, what in re.findall(r" (odoo\.addons\.[\w.]+): (?:FAIL|ERROR): (\S+(?: \([\w.]+\))?)", text):
    failed.add(what if what.startswith("setUpClass") else f"{logger}.{what}")
print("\n".join(sorted(failed)))
PYEOF
  log "[$name] $(head -n 1 "$LOG_DIR/$name.txt"), $(($(grep -vc -e '^tests ' -e '^$' "$LOG_DIR/$name.txt" || true))) failing"
}

# compare WITHOUT WITH: fail on a test that fails only with the addons, or on fewer tests run.
compare() {
  local without="$1" with="$2" new ran_without ran_with
  ran_without="$(head -n 1 "$without" | cut -d' ' -f2)"
  ran_with="$(head -n 1 "$with" | cut -d' ' -f2)"
  new="$(comm -13 <(tail -n +2 "$without" | grep -v '^$' | sort) <(tail -n +2 "$with" | grep -v '^$' | sort))"
  echo "Odoo's suites ($SUITES) on $ODOO_VERSION: $ran_without tests without the addons, $ran_with with them"
  if [ -n "$new" ]; then
    echo "Fail only with the addons installed:"; echo "$new"
    die "$(wc -l <<<"$new") of Odoo's tests fail only with the addons (logs in $LOG_DIR)."
  fi
  [ "$ran_with" -ge "$ran_without" ] \
    || die "Only $ran_with of Odoo's $ran_without tests ran with the addons (logs in $LOG_DIR)."
  log "No test of $SUITES fails or stops running because of the addons."
}

case "$MODE" in
  baseline)
    run_suites without "$SUITES,$OTHERS"
    mkdir -p "$(dirname "$BASELINE")" && cp "$LOG_DIR/without.txt" "$BASELINE"
    log "Baseline written: $BASELINE" ;;
  both)
    run_suites without "$SUITES,$OTHERS"
    run_suites with "$SUITES,$(repo_addons)"
    compare "$LOG_DIR/without.txt" "$LOG_DIR/with.txt" ;;
  compare)
    [ -f "$BASELINE" ] || die "No baseline $BASELINE: run SUITES_MODE=baseline $0 once."
    run_suites with "$SUITES,$(repo_addons)"
    compare "$BASELINE" "$LOG_DIR/with.txt" ;;
  with)
    run_suites with "$SUITES,$(repo_addons)" ;;
  *) die "SUITES_MODE=$MODE: compare, baseline, both or with." ;;
esac
