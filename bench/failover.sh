#!/usr/bin/env bash
# Failover benchmark: Traffic Distributor, NGINX and HAProxy, each in front of a primary and a backup
# backend, under 8 keep-alive GET clients with a 2 s client timeout for 10 s. After 3 s the primary is
#   kill:   killed (SIGKILL)
#   freeze: frozen (SIGSTOP), with a 500 ms per-attempt timeout (attemptMillis / proxy_read_timeout /
#           timeout server) so each proxy may retry the backup
#   freeze-default: frozen, with each proxy's default 60 s response timeout
# Prints, per scenario and target: requests, failed requests, the longest single wait, and when (relative
# to the event) the last failed request was sent. The service's JIT is warmed up first with 15 s of load.
# Usage: bench/failover.sh            (needs java, nginx, haproxy, curl, python3)
source "$(dirname "$0")/lib.sh"
need java nginx haproxy wrk curl python3
trap stop_all EXIT

CLIENTS=${CLIENTS:-8}
DURATION=${DURATION:-10}
EVENT_AT=${EVENT_AT:-3}

start_service "$(free_port)" "$(free_port)"
echo "service: $TD_ADMIN (proxy $TD_PROXY), work dir $WORK"
warm_port=$(free_port); start_backend warm "$warm_port"
api POST /distributors "{\"name\":\"warm-up\",\"hostnames\":[\"warm.bench\"],\"backends\":[{\"name\":\"w\",\"url\":\"http://127.0.0.1:$warm_port\"}]}" >/dev/null
wrk -t1 -c8 -d15s -H 'Host: warm.bench' "$TD_PROXY/" >/dev/null

run_target() { # scenario target
  local scenario=$1 target=$2 p1 p2 primary_pid url host=failover.bench
  p1=$(free_port); p2=$(free_port)
  start_backend primary "$p1"; primary_pid=$BACKEND_PID
  start_backend backup "$p2"
  local attempt_json=null read_timeout=60s retry_on="conn-failure empty-response"
  if [[ $scenario == freeze ]]; then attempt_json=500; read_timeout=500ms; retry_on="conn-failure empty-response response-timeout"; fi
  case $target in
    traffic-distributor)
      api PUT /distributors/failover "{\"hostnames\":[\"$host\"],\"routing\":\"FAILOVER\",
        \"backends\":[{\"name\":\"primary\",\"url\":\"http://127.0.0.1:$p1\"},{\"name\":\"backup\",\"url\":\"http://127.0.0.1:$p2\"}],
        \"timeouts\":{\"attemptMillis\":$attempt_json}}" >/dev/null
      for _ in $(seq 1 100); do
        api GET /distributors/failover/status | grep -q '"name":"primary","url":"[^"]*","weight":1,"share":100.0,"health":"UP"' && break
        sleep 0.2
      done
      url=$TD_PROXY/ ;;
    nginx)
      local port; port=$(free_port)
      start_nginx_proxy "$port" "server 127.0.0.1:$p1 max_fails=1 fail_timeout=10s; server 127.0.0.1:$p2 backup;" \
        "proxy_next_upstream error timeout; proxy_connect_timeout 3s; proxy_read_timeout $read_timeout;"
      url=http://127.0.0.1:$port/ ;;
    haproxy)
      local port; port=$(free_port)
      start_haproxy "$port" "  option redispatch
  retries 3
  retry-on $retry_on
  timeout server $read_timeout
  server primary 127.0.0.1:$p1 check inter 5s fall 3 rise 2
  server backup 127.0.0.1:$p2 check backup"
      url=http://127.0.0.1:$port/ ;;
  esac
  local signal=-STOP
  [[ $scenario == kill ]] && signal=-KILL
  java -Djdk.httpclient.allowRestrictedHeaders=host "$BENCH_DIR/FailoverLoad.java" "$url" "$host" "$CLIENTS" \
    "$DURATION" "$EVENT_AT" kill "$signal" "$primary_pid" > "$WORK/load.out"
  printf '%-15s %-20s %s\n' "$scenario" "$target" "$(cat "$WORK/load.out")"
  kill -CONT "$primary_pid" 2>/dev/null || true
  # Stop this run's backends and proxy; the service stays up for the next run.
  local keep=("$SERVICE_PID") pid
  for pid in "${PIDS[@]}"; do
    [[ $pid == "$SERVICE_PID" ]] && continue
    kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  done
  PIDS=("${keep[@]}")
}

printf '%-15s %-20s %s\n' scenario target result
for scenario in kill freeze freeze-default; do
  for target in traffic-distributor nginx haproxy; do
    run_target "$scenario" "$target"
  done
done
