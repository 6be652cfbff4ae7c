#!/usr/bin/env bash
# start_sandbox PORT LOGFILE: start the local Amazon sandbox in the background and wait for it.
# Sets SANDBOX_PID and STOCKAGILE_SANDBOX_URL. Port 0 picks a free port.
start_sandbox() {
  local port="$1" logfile="$2" url=""
  "$PY" -u -m amazon_sandbox --host 127.0.0.1 --port "$port" >"$logfile" 2>&1 &
  SANDBOX_PID=$!
  for _ in $(seq 1 100); do
    url="$(sed -n 's/^SANDBOX_URL=//p' "$logfile" | head -n 1)"
    if [ -n "$url" ] && curl -fs "$url/_sandbox/state" >/dev/null 2>&1; then break; fi
    kill -0 "$SANDBOX_PID" 2>/dev/null || { cat "$logfile" >&2; die "The Amazon sandbox did not start."; }
    sleep 0.2
  done
  [ -n "$url" ] || die "The Amazon sandbox did not say where it listens (see $logfile)."
  export STOCKAGILE_SANDBOX_URL="$url"
}

# start_sendcloud_sandbox PORT LOGFILE: start the local Sendcloud sandbox in the background and
# wait for it. Sets SENDCLOUD_SANDBOX_PID and STOCKAGILE_SENDCLOUD_URL. Port 0 picks a free port.
start_sendcloud_sandbox() {
  local port="$1" logfile="$2" url=""
  "$PY" -u -m sendcloud_sandbox --host 127.0.0.1 --port "$port" >"$logfile" 2>&1 &
  SENDCLOUD_SANDBOX_PID=$!
  for _ in $(seq 1 100); do
    url="$(sed -n 's/^SENDCLOUD_URL=//p' "$logfile" | head -n 1)"
    if [ -n "$url" ] && curl -fs "$url/_sandbox/health" >/dev/null 2>&1; then break; fi
    kill -0 "$SENDCLOUD_SANDBOX_PID" 2>/dev/null || { cat "$logfile" >&2; die "The Sendcloud sandbox did not start."; }
    sleep 0.2
  done
  [ -n "$url" ] || die "The Sendcloud sandbox did not say where it listens (see $logfile)."
  export STOCKAGILE_SENDCLOUD_URL="$url"
}

# start_sqs LOGFILE: start moto's server (the local Amazon SQS, see setup.sh) on a free loopback
# port in the background and wait for it. Sets SQS_PID and exports STOCKAGILE_SQS_URL, which the
# Amazon sandbox (it publishes ORDER_CHANGE notifications there) and the tests read.
start_sqs() {
  local logfile="$1" port url
  port="$(free_port)"
  url="http://127.0.0.1:$port"
  "$MOTO_VENV/bin/python" -m moto.server -H 127.0.0.1 -p "$port" >"$logfile" 2>&1 &
  SQS_PID=$!
  for _ in $(seq 1 150); do
    curl -fs "$url/moto-api/" >/dev/null 2>&1 && break
    kill -0 "$SQS_PID" 2>/dev/null || { cat "$logfile" >&2; die "moto's SQS server did not start."; }
    sleep 0.2
  done
  curl -fs "$url/moto-api/" >/dev/null 2>&1 || die "moto's SQS server does not answer on $url (see $logfile)."
  export STOCKAGILE_SQS_URL="$url"
}
