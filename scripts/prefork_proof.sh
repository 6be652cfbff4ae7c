#!/usr/bin/env bash
# `make prefork-proof`: real-time orders on a prefork server with production's limits for
# PROOF_SECONDS (600 by default); fails when a worker is killed, an order is not imported once,
# the order latency p95 exceeds 2 s or a scheduled action runs late (see bench/prefork_proof.py).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ -n "${PROOF_SKIP_SETUP:-}" ] || bash "$REPO_DIR/scripts/setup.sh"
source "$CACHE_DIR/pg.env"
source "$REPO_DIR/scripts/sandbox.sh"
mkdir -p "$REPO_DIR/var/bench"
start_sqs "$REPO_DIR/var/bench/prefork-proof-sqs.log"
start_sandbox 0 "$REPO_DIR/var/bench/prefork-proof-sandbox.log"
trap 'kill "$SANDBOX_PID" "$SQS_PID" 2>/dev/null' EXIT
cd "$REPO_DIR" && "$PY" -m bench.prefork_proof
