#!/usr/bin/env bash
# `make bench`: performance figures (see bench/__main__.py). Last line: a JSON object.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bash "$REPO_DIR/scripts/setup.sh"
source "$CACHE_DIR/pg.env"
source "$REPO_DIR/scripts/sandbox.sh"
mkdir -p "$REPO_DIR/var/bench"
start_sqs "$REPO_DIR/var/bench/sqs.log"
start_sandbox 0 "$REPO_DIR/var/bench/sandbox.log"
trap stop_services EXIT
cd "$REPO_DIR" && "$PY" -m bench
