#!/usr/bin/env bash
# Throughput benchmark: the direct backend, NGINX, HAProxy, a bare Vert.x proxy (the ceiling of anything built on
# Vert.x's HTTP server and client, BareVertxProxy.java) and Traffic Distributor, each round-robin over the same two
# single-process NGINX backends with keep-alive to them, loaded in alternation for ROUNDS rounds.
#
# Usage:
#   bench/throughput.sh              closed loop: wrk -t1 -c32 -d${SECONDS_PER_RUN}s --latency -H 'Host: bench.test'
#   bench/throughput.sh --rate N     fixed rate: N req/s in all over 16 HTTP/1.1 connections (h2load --h1 --rps),
#                                    p50/p99 computed from h2load's per-request log
# Environment: ROUNDS (3), SECONDS_PER_RUN (10), PROXY_WORKERS (nproc: NGINX workers, HAProxy threads and the
#   service's event loops), WARMUP_SECONDS (60; a run against the service before measuring, for the JIT).
# Needs java nginx haproxy wrk curl python3 (Debian: nginx-light haproxy wrk), and h2load (nghttp2-client) for --rate.
source "$(dirname "$0")/lib.sh"
need java nginx haproxy wrk curl python3
RATE=""
if [[ ${1:-} == --rate ]]; then
  RATE=${2:?usage: $0 --rate REQUESTS_PER_SECOND}
  need h2load
fi
trap stop_all EXIT

ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
export PROXY_WORKERS=${PROXY_WORKERS:-$(nproc)}
HOST=bench.test
TARGETS=(direct nginx haproxy vertx-bare traffic-distributor)

PA=$(free_port); PB=$(free_port)
start_backend a "$PA"
start_backend b "$PB"

start_service "$(free_port)" "$(free_port)" -Dtd.proxy.event-loops="$PROXY_WORKERS"
api POST /distributors "{\"name\":\"bench\",\"hostnames\":[\"$HOST\"],\"routing\":\"ROUND_ROBIN\",
  \"backends\":[{\"name\":\"a\",\"url\":\"http://127.0.0.1:$PA\",\"weight\":1},{\"name\":\"b\",\"url\":\"http://127.0.0.1:$PB\",\"weight\":1}],
  \"healthCheck\":{\"intervalSeconds\":30}}" >/dev/null
wait_http "$TD_PROXY/" "Host: $HOST"

NGINX_PORT=$(free_port)
start_nginx_proxy "$NGINX_PORT" "server 127.0.0.1:$PA; server 127.0.0.1:$PB;"
HAPROXY_PORT=$(free_port)
start_haproxy "$HAPROXY_PORT" "  balance roundrobin
  server a 127.0.0.1:$PA
  server b 127.0.0.1:$PB"

# The ceiling of anything on Vert.x core: a bare proxy on the service's own Vert.x and Netty jars (BareVertxProxy.java).
BARE_PORT=$(free_port)
java -Xmx256m -cp "$ROOT/target/quarkus-app/lib/main/*" "$BENCH_DIR/BareVertxProxy.java" "$BARE_PORT" "$PA" "$PB" \
  "$PROXY_WORKERS" > "$WORK/vertx-bare.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$BARE_PORT/"

declare -A URL=([direct]="http://127.0.0.1:$PA/" [nginx]="http://127.0.0.1:$NGINX_PORT/"
  [haproxy]="http://127.0.0.1:$HAPROXY_PORT/" [vertx-bare]="http://127.0.0.1:$BARE_PORT/" [traffic-distributor]="$TD_PROXY/")

# One measurement: prints "req/s p50_ms p99_ms errors".
measure() { # url
  if [[ -z $RATE ]]; then
    wrk_run "$1" -H "Host: $HOST"
  else
    local log="$WORK/h2load.log" clients=16
    rm -f "$log"
    h2load --h1 -c "$clients" -m 1 --rps "$(python3 -c "print(max(1, round($RATE / $clients)))")" -D "$SECONDS_PER_RUN" \
      -H ":authority: $HOST" --log-file="$log" "$1" > "$WORK/h2load.out"
    python3 - "$log" "$SECONDS_PER_RUN" <<'PY'
import sys
rows = [line.split('\t') for line in open(sys.argv[1]) if line.strip()]
lat = sorted(int(r[2]) / 1000 for r in rows)
errors = sum(1 for r in rows if not r[1].startswith(('2', '3')))
pct = lambda p: lat[min(len(lat) - 1, int(p / 100 * len(lat)))] if lat else float('nan')
print(f"{len(rows) / float(sys.argv[2]):.0f} {pct(50):.3f} {pct(99):.3f} {errors}")
PY
  fi
}

# Backend connections the service holds, sampled every second while it is under load: "min max".
sample_backend_conns() {
  local min="" max=0 n
  for _ in $(seq 2 "$SECONDS_PER_RUN"); do
    sleep 1
    n=$(conns_to "$SERVICE_PID" "$PA" "$PB")
    if (( n > max )); then max=$n; fi
    if [[ -z $min ]] || (( n < min )); then min=$n; fi
  done
  echo "${min:-0} $max" > "$WORK/conns"
}

WARMUP_SECONDS=${WARMUP_SECONDS:-60}
echo "warm-up: traffic-distributor ${WARMUP_SECONDS}s, vertx-bare $((WARMUP_SECONDS / 3 + 1))s (JIT)" >&2
SECONDS_PER_RUN=$WARMUP_SECONDS measure "${URL[traffic-distributor]}" >/dev/null
SECONDS_PER_RUN=$((WARMUP_SECONDS / 3 + 1)) measure "${URL[vertx-bare]}" >/dev/null

RESULTS="$WORK/results"
: > "$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  for target in "${TARGETS[@]}"; do
    if [[ $target == traffic-distributor ]]; then sample_backend_conns & SAMPLER=$!; fi
    read -r rps p50 p99 errors < <(measure "${URL[$target]}")
    if [[ $target == traffic-distributor ]]; then wait "$SAMPLER"; fi
    echo "$target $rps $p50 $p99 $errors" >> "$RESULTS"
    printf 'round %d %-20s %8s req/s  p50 %7s ms  p99 %7s ms  errors %s\n' "$round" "$target" "$rps" "$p50" "$p99" "$errors" >&2
  done
done
RSS=$(rss_mib "$SERVICE_PID")
read -r CONN_MIN CONN_MAX < "$WORK/conns"

echo
if [[ -z $RATE ]]; then
  echo "wrk -t${WRK_THREADS:-1} -c${WRK_CONNECTIONS:-32} -d${SECONDS_PER_RUN}s --latency -H 'Host: $HOST'; medians of $ROUNDS round(s); $PROXY_WORKERS worker(s)/thread(s)/event loop(s); $(nproc) cores"
else
  echo "h2load --h1 -c 16 -m 1, $RATE req/s in all, ${SECONDS_PER_RUN}s; medians of $ROUNDS round(s); $PROXY_WORKERS worker(s)/thread(s)/event loop(s); $(nproc) cores"
fi
med() { awk -v t="$1" -v c="$2" '$1 == t { print $c }' "$RESULTS" | median; }
N_RPS=$(med nginx 2); N_P99=$(med nginx 4)
printf '%-20s %10s %10s %10s %10s %12s %7s\n' target req/s p50-ms p99-ms 'req/s÷nginx' 'p99÷nginx' errors
for target in "${TARGETS[@]}"; do
  rps=$(med "$target" 2); p50=$(med "$target" 3); p99=$(med "$target" 4)
  errors=$(awk -v t="$target" '$1 == t { s += $5 } END { print s + 0 }' "$RESULTS")
  printf '%-20s %10.0f %10.3f %10.3f %10.2f %12.2f %7s\n' "$target" "$rps" "$p50" "$p99" \
    "$(awk -v a="$rps" -v b="$N_RPS" 'BEGIN { print a / b }')" "$(awk -v a="$p99" -v b="$N_P99" 'BEGIN { print a / b }')" "$errors"
done
echo "traffic-distributor: RSS after the load $RSS MiB; backend connections during its load: $CONN_MIN..$CONN_MAX (sampled each second)"
