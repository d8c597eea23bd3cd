#!/usr/bin/env bash
# Throughput benchmark: the direct backend, NGINX, HAProxy, a bare Vert.x proxy (the ceiling of anything built on
# Vert.x's HTTP server and client, BareVertxProxy.java), a bare Netty proxy (the ceiling of anything built on
# Netty's HTTP codec, BareNettyProxy.java) and Traffic Distributor, each round-robin over the same two
# single-process NGINX backends with keep-alive to them, loaded in alternation for ROUNDS rounds.
#
# Usage:
#   bench/throughput.sh              closed loop: wrk -t1 -c32 -d${SECONDS_PER_RUN}s --latency -H 'Host: bench.test'
#   bench/throughput.sh --rate N     fixed rate: N req/s in all over 16 HTTP/1.1 connections (h2load --h1 --rps),
#                                    p50/p99 computed from h2load's per-request log
#   bench/throughput.sh --large      closed loop as above on 1 MiB responses (GET /large): MiB/s and MiB/s ÷ NGINX
#   bench/throughput.sh --idle       NGINX, HAProxy and the service only: resident memory before and with
#                                    IDLE_CONNECTIONS (10000) kept-alive idle client connections, each of which has
#                                    made one request (bench/IdleConnections.java); measured once, ROUNDS aside
# Environment: ROUNDS (3), SECONDS_PER_RUN (10), PROXY_WORKERS (nproc: NGINX workers, HAProxy threads and the
#   event loops of the service and the bare proxies), WARMUP_SECONDS (60; a run against the service before
#   measuring, for the JIT, and a third of it against each bare proxy), TD_JAVA (java: the JVM that runs the
#   service and the bare proxies; the service's class-data archive is left out when that JVM cannot use it),
#   IDLE_CONNECTIONS (10000, --idle).
# Needs java nginx haproxy wrk curl python3 (Debian: nginx-light haproxy wrk), and h2load (nghttp2-client) for --rate.
source "$(dirname "$0")/lib.sh"
need java nginx haproxy wrk curl python3
MODE=closed
RATE=""
case ${1:-} in
  "") ;;
  --rate) MODE=rate; RATE=${2:?usage: $0 --rate REQUESTS_PER_SECOND}; need h2load ;;
  --large) MODE=large ;;
  --idle) MODE=idle ;;
  *) echo "usage: $0 [--rate REQUESTS_PER_SECOND | --large | --idle]" >&2; exit 2 ;;
esac
trap stop_all EXIT

ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
export PROXY_WORKERS=${PROXY_WORKERS:-$(nproc)}
HOST=bench.test
URL_PATH=/
[[ $MODE == large ]] && URL_PATH=/large
TARGETS=(direct nginx haproxy vertx-bare netty-bare traffic-distributor)

if [[ $MODE == idle ]]; then
  TARGETS=(nginx haproxy traffic-distributor)
  IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
  # Every process here (the proxies, the connection opener) needs a file descriptor per connection: as many as
  # the hard limit allows (root in a container may not raise that).
  ulimit -n $((IDLE_CONNECTIONS * 2 + 4096)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"
  if (( $(ulimit -n) < IDLE_CONNECTIONS + 1024 )); then
    echo "open files limit $(ulimit -n) is too low for $IDLE_CONNECTIONS connections (ulimit -n)" >&2; exit 2
  fi
  # With reuseport the kernel spreads the connections over the workers unevenly: room for all in each.
  export NGINX_WORKER_CONNECTIONS=$((IDLE_CONNECTIONS + 4096)) HAPROXY_MAXCONN=$((IDLE_CONNECTIONS + 4096))
fi

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
declare -A URL=([direct]="http://127.0.0.1:$PA" [nginx]="http://127.0.0.1:$NGINX_PORT"
  [haproxy]="http://127.0.0.1:$HAPROXY_PORT" [traffic-distributor]="$TD_PROXY")
declare -A PID_OF=([nginx]=$NGINX_PID [haproxy]=$HAPROXY_PID [traffic-distributor]=$SERVICE_PID)

# The ceilings: bare proxies on the service's own Vert.x and Netty jars, on the same JVM as the service.
if [[ $MODE != idle ]]; then
  for bare in vertx-bare:BareVertxProxy netty-bare:BareNettyProxy; do
    port=$(free_port)
    "$TD_JAVA" -Xmx256m -cp "$ROOT/target/quarkus-app/lib/main/*" "$BENCH_DIR/${bare#*:}.java" "$port" "$PA" "$PB" \
      "$PROXY_WORKERS" > "$WORK/${bare%:*}.log" 2>&1 &
    PIDS+=($!)
    URL[${bare%:*}]="http://127.0.0.1:$port"
    wait_http "http://127.0.0.1:$port/"
  done
fi

HEADER_JVM="JVM of the service and the bare proxies: $(jvm_version) ($TD_JAVA); class-data archive $SERVICE_CDS"

# --- --idle: resident memory with IDLE_CONNECTIONS kept-alive idle client connections -----------------------------
if [[ $MODE == idle ]]; then
  # NGINX: master and workers; the service: its JVM alone (not its embedded PostgreSQL).
  proxy_rss() { if [[ $1 == nginx ]]; then rss_tree_mib "${PID_OF[$1]}"; else rss_mib "${PID_OF[$1]}"; fi; }
  RESULTS="$WORK/results"
  : > "$RESULTS"
  for target in "${TARGETS[@]}"; do
    port=${URL[$target]##*:}
    before=$(proxy_rss "$target")
    # The opener holds its connections until its standard input closes (or 300 s pass).
    rm -f "$WORK/idle.fifo"; mkfifo "$WORK/idle.fifo"
    java "$BENCH_DIR/IdleConnections.java" "$port" "$HOST" "$IDLE_CONNECTIONS" 300 \
      < "$WORK/idle.fifo" > "$WORK/idle-$target.out" 2> "$WORK/idle-$target.err" &
    OPENER=$!
    PIDS+=("$OPENER")
    exec 3> "$WORK/idle.fifo"
    started=$SECONDS
    until grep -q '^open' "$WORK/idle-$target.out" || ! kill -0 "$OPENER" 2>/dev/null; do sleep 0.2; done
    open_seconds=$((SECONDS - started))
    sleep 2
    with=$(proxy_rss "$target")
    held=$(ss -Htn state established "( sport = :$port )" | wc -l)
    exec 3>&-
    wait "$OPENER" || true
    read -r _ opened _ failed < <(grep '^open' "$WORK/idle-$target.out" || echo "open 0 failed $IDLE_CONNECTIONS")
    closed=$(awk '/^closed-by-peer/ { print $2 }' "$WORK/idle-$target.out")
    echo "$target $before $with $held $opened $failed ${closed:-?}" >> "$RESULTS"
    printf '%-20s RSS %5s MiB idle, %5s MiB with %s connections open (%s failed, opened in %ss), %s held by the proxy\n' \
      "$target" "$before" "$with" "$opened" "$failed" "$open_seconds" "$held" >&2
    if [[ -s "$WORK/idle-$target.err" ]]; then sed 's/^/  opener: /' "$WORK/idle-$target.err" >&2; fi
  done
  echo
  echo "$IDLE_CONNECTIONS kept-alive idle HTTP/1.1 client connections, one request each (bench/IdleConnections.java);" \
    "resident memory (NGINX: master and workers; the service: its JVM); $PROXY_WORKERS worker(s)/thread(s)/event loop(s); $(nproc) cores"
  echo "$HEADER_JVM"
  printf '%-20s %10s %10s %11s %9s %7s %7s %14s\n' target idle-MiB with-MiB growth-MiB KiB/conn held failed closed-by-peer
  while read -r target before with held opened failed closed; do
    printf '%-20s %10s %10s %11s %9.1f %7s %7s %14s\n' "$target" "$before" "$with" "$((with - before))" \
      "$(awk -v g=$((with - before)) -v n="$opened" 'BEGIN { print n ? g * 1024 / n : 0 }')" "$held" "$failed" "$closed"
  done < "$RESULTS"
  exit 0
fi

# --- closed loop, fixed rate, large responses ----------------------------------------------------------------------

# One measurement: prints "req/s p50_ms p99_ms errors MiB/s" (MiB/s only from wrk).
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
print(f"{len(rows) / float(sys.argv[2]):.0f} {pct(50):.3f} {pct(99):.3f} {errors} 0")
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
echo "warm-up: traffic-distributor ${WARMUP_SECONDS}s, vertx-bare and netty-bare $((WARMUP_SECONDS / 3 + 1))s each (JIT)" >&2
SECONDS_PER_RUN=$WARMUP_SECONDS measure "${URL[traffic-distributor]}$URL_PATH" >/dev/null
SECONDS_PER_RUN=$((WARMUP_SECONDS / 3 + 1)) measure "${URL[vertx-bare]}$URL_PATH" >/dev/null
SECONDS_PER_RUN=$((WARMUP_SECONDS / 3 + 1)) measure "${URL[netty-bare]}$URL_PATH" >/dev/null

RESULTS="$WORK/results"
: > "$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  for target in "${TARGETS[@]}"; do
    if [[ $target == traffic-distributor ]]; then sample_backend_conns & SAMPLER=$!; fi
    read -r rps p50 p99 errors mibs < <(measure "${URL[$target]}$URL_PATH")
    if [[ $target == traffic-distributor ]]; then wait "$SAMPLER"; fi
    echo "$target $rps $p50 $p99 $errors $mibs" >> "$RESULTS"
    printf 'round %d %-20s %8s req/s  p50 %7s ms  p99 %7s ms  errors %s%s\n' "$round" "$target" "$rps" "$p50" "$p99" \
      "$errors" "$([[ $MODE == large ]] && echo "  $mibs MiB/s")" >&2
  done
done
RSS=$(rss_mib "$SERVICE_PID")
read -r CONN_MIN CONN_MAX < "$WORK/conns"

echo
case $MODE in
  closed) echo "wrk -t${WRK_THREADS:-1} -c${WRK_CONNECTIONS:-32} -d${SECONDS_PER_RUN}s --latency -H 'Host: $HOST'; medians of $ROUNDS round(s); $PROXY_WORKERS worker(s)/thread(s)/event loop(s); $(nproc) cores" ;;
  rate) echo "h2load --h1 -c 16 -m 1, $RATE req/s in all, ${SECONDS_PER_RUN}s; medians of $ROUNDS round(s); $PROXY_WORKERS worker(s)/thread(s)/event loop(s); $(nproc) cores" ;;
  large) echo "wrk -t${WRK_THREADS:-1} -c${WRK_CONNECTIONS:-32} -d${SECONDS_PER_RUN}s --latency -H 'Host: $HOST' GET /large (1 MiB bodies; MiB/s: wrk's Transfer/sec); medians of $ROUNDS round(s); $PROXY_WORKERS worker(s)/thread(s)/event loop(s); $(nproc) cores" ;;
esac
echo "$HEADER_JVM"
med() { awk -v t="$1" -v c="$2" '$1 == t { print $c }' "$RESULTS" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { print b ? a / b : 0 }'; }
N_RPS=$(med nginx 2); N_P99=$(med nginx 4); N_MIBS=$(med nginx 6)
if [[ $MODE == large ]]; then
  printf '%-20s %10s %10s %10s %10s %12s %7s\n' target MiB/s req/s p50-ms p99-ms 'MiB/s÷nginx' errors
else
  printf '%-20s %10s %10s %10s %10s %12s %7s\n' target req/s p50-ms p99-ms 'req/s÷nginx' 'p99÷nginx' errors
fi
for target in "${TARGETS[@]}"; do
  rps=$(med "$target" 2); p50=$(med "$target" 3); p99=$(med "$target" 4); mibs=$(med "$target" 6)
  errors=$(awk -v t="$target" '$1 == t { s += $5 } END { print s + 0 }' "$RESULTS")
  if [[ $MODE == large ]]; then
    printf '%-20s %10.1f %10.0f %10.3f %10.3f %12.2f %7s\n' "$target" "$mibs" "$rps" "$p50" "$p99" \
      "$(ratio "$mibs" "$N_MIBS")" "$errors"
  else
    printf '%-20s %10.0f %10.3f %10.3f %10.2f %12.2f %7s\n' "$target" "$rps" "$p50" "$p99" \
      "$(ratio "$rps" "$N_RPS")" "$(ratio "$p99" "$N_P99")" "$errors"
  fi
done
echo "traffic-distributor: RSS after the load $RSS MiB; backend connections during its load: $CONN_MIN..$CONN_MAX (sampled each second)"
