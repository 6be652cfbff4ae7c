#!/usr/bin/env bash
# The local services the connector talks to in `make run`, `make test` and `make bench`: the Amazon
# sandbox, the Sendcloud sandbox and moto's SQS. Each start function starts one in the background,
# waits until it answers and exports its URL; every PID started is also appended to SERVICE_PIDS,
# so a script stops them all with `stop_services`.
SERVICE_PIDS=()

# start_service NAME LOGFILE URL READY_PATH COMMAND...: run COMMAND in the background (its output
# in LOGFILE) and wait, up to a minute, until GET URL/READY_PATH answers. URL is either the URL
# itself (http://...) or the KEY of the line KEY=<url> that the command prints once it listens.
# Sets SERVICE_PID and SERVICE_URL; dies with the log when the command exits or never answers.
start_service() {
  local name="$1" logfile="$2" url_or_key="$3" ready="$4" url="" _
  shift 4
  "$@" >"$logfile" 2>&1 &
  SERVICE_PID=$!
  SERVICE_PIDS+=("$SERVICE_PID")
  for _ in $(seq 1 300); do
    case "$url_or_key" in
      http://*) url="$url_or_key" ;;
      *) url="$(sed -n "s/^$url_or_key=//p" "$logfile" | head -n 1)" ;;
    esac
    if [ -n "$url" ] && curl -fs "$url$ready" >/dev/null 2>&1; then
      SERVICE_URL="$url"
      return 0
    fi
    kill -0 "$SERVICE_PID" 2>/dev/null || { cat "$logfile" >&2; die "$name did not start."; }
    sleep 0.2
  done
  cat "$logfile" >&2
  die "$name does not answer${url:+ on $url} (see $logfile)."
}

# stop_services: stop every service the start functions started.
stop_services() {
  [ "${#SERVICE_PIDS[@]}" = 0 ] || kill "${SERVICE_PIDS[@]}" 2>/dev/null || true
}

# start_sandbox PORT LOGFILE: the local Amazon sandbox (it publishes ORDER_CHANGE notifications to
# $STOCKAGILE_SQS_URL when set). Sets SANDBOX_PID, exports STOCKAGILE_SANDBOX_URL. Port 0 = free.
start_sandbox() {
  start_service "The Amazon sandbox" "$2" SANDBOX_URL /_sandbox/state \
    "$PY" -u -m amazon_sandbox --host 127.0.0.1 --port "$1"
  SANDBOX_PID="$SERVICE_PID"
  export STOCKAGILE_SANDBOX_URL="$SERVICE_URL"
}

# start_sendcloud_sandbox PORT LOGFILE: the local Sendcloud sandbox. Sets SENDCLOUD_SANDBOX_PID,
# exports STOCKAGILE_SENDCLOUD_URL. Port 0 picks a free port.
start_sendcloud_sandbox() {
  start_service "The Sendcloud sandbox" "$2" SENDCLOUD_URL /_sandbox/health \
    "$PY" -u -m sendcloud_sandbox --host 127.0.0.1 --port "$1"
  SENDCLOUD_SANDBOX_PID="$SERVICE_PID"
  export STOCKAGILE_SENDCLOUD_URL="$SERVICE_URL"
}

# start_sqs LOGFILE: moto's server (the local Amazon SQS, see setup.sh) on a free loopback port.
# Sets SQS_PID, exports STOCKAGILE_SQS_URL, which the Amazon sandbox and the tests read.
start_sqs() {
  local port
  port="$(free_port)"
  start_service "moto's SQS server" "$1" "http://127.0.0.1:$port" /moto-api/ \
    "$MOTO_VENV/bin/python" -m moto.server -H 127.0.0.1 -p "$port"
  SQS_PID="$SERVICE_PID"
  export STOCKAGILE_SQS_URL="$SERVICE_URL"
}
