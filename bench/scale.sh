#!/usr/bin/env bash
# Scale benchmark: COUNT distributors (d0..d<COUNT-1>, hostnames d<N>.bench.test, each ROUND_ROBIN over the same
# two local NGINX backends, health probes every 30 s) in one packaged service. Prints:
#   API creation rate (CreateMany.java, CONCURRENCY requests in flight; over the second half, once the JIT has compiled
#   the write path, and over all), restart time until the last distributor
#   serves traffic, proxy throughput over all hostnames vs one, a change's propagation time to a second replica
#   on the same PostgreSQL (20 changes),
#   heap and RSS after the load (and the live heap per distributor, over that of the empty service), and the idle CPU
#   the probes cost. The targets printed beside the figures are issue 14's, for COUNT=100000 on this machine.
# Usage: bench/scale.sh    Environment: COUNT (10000), CONCURRENCY (16), ROUNDS (3), SECONDS_PER_RUN (10),
#   CHANGES (20), WARM_CHANGES (200, writes before the propagation's), POLL_PAUSE_MICROS (1000: the propagation poller's pause between requests), IDLE_SECONDS (30),
#   SERVERS (1: every distributor on the same two backends; N: 2 x N distinct backend URLs, /s0../sN-1 on the two
#   NGINX, so 2 x N servers to probe), PROBE_INTERVAL (30, seconds).
#   Needs java (JDK 17 or later, for jcmd and the single-file clients), nginx, wrk, curl, python3. The service runs on
#   TD_JAVA (lib.sh: the JDK that packaged it, whose startup archive it maps).
source "$(dirname "$0")/lib.sh"
need java jcmd nginx wrk curl python3
trap stop_all EXIT

COUNT=${COUNT:-10000}
CONCURRENCY=${CONCURRENCY:-16}
ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
CHANGES=${CHANGES:-20}
IDLE_SECONDS=${IDLE_SECONDS:-30}
SERVERS=${SERVERS:-1}
PROBE_INTERVAL=${PROBE_INTERVAL:-30}
LAST=d$((COUNT - 1))
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

PA=$(free_port); PB=$(free_port)
start_backend a "$PA"
start_backend b "$PB"
ADMIN_PORT=$(free_port); PROXY_PORT=$(free_port)
WAIT_TRIES=1200 start_service "$ADMIN_PORT" "$PROXY_PORT"
echo "service: $TD_ADMIN (proxy $TD_PROXY), work dir $WORK" >&2
jcmd "$SERVICE_PID" GC.run >/dev/null
HEAP_EMPTY=$(jcmd "$SERVICE_PID" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc 0-9)

echo "creating $COUNT distributors, $CONCURRENCY requests in flight" >&2
# The rate over all of them, and over the second half: on the service just started, the first creations run while
# the JIT compiles the API's write path (at 100,000 on two cores, about the first 20,000 at ~300/s).
read -r CREATED FAILED CREATE_SECONDS CREATE_RATE CREATE_RATE_WARM < <(java "$BENCH_DIR/CreateMany.java" "$TD_ADMIN" "$TOKEN" "$COUNT" \
  "$CONCURRENCY" "http://127.0.0.1:$PA" "http://127.0.0.1:$PB" "$SERVERS" "$PROBE_INTERVAL" "$((COUNT / 2))")
wait_http "$TD_PROXY/" "Host: $LAST.bench.test"

echo "restarting the service" >&2
stop_service
mv "$WORK/service-$ADMIN_PORT.log" "$WORK/service-$ADMIN_PORT.first.log"
START=$(now)
WAIT_TRIES=1200 start_service "$ADMIN_PORT" "$PROXY_PORT"
wait_http "$TD_PROXY/" "Host: $LAST.bench.test"
RESTART_SECONDS=$(since "$START")
# Where the restart's time goes, from the service's log: "+PostgreSQL up, +routing table loaded".
logged_at() { date -d "$(grep -m1 "$1" "$WORK/service-$ADMIN_PORT.log" | cut -c1-23 | tr , .)" +%s.%N; }
RESTART_STEPS="PostgreSQL up +$(awk -v a="$START" -v b="$(logged_at 'Embedded PostgreSQL started')" 'BEGIN { printf "%.1f", b - a }') s, \
$(grep -o 'table loaded: [0-9]*' "$WORK/service-$ADMIN_PORT.log" | tail -1) +$(awk -v a="$START" -v b="$(logged_at 'Routing table loaded')" 'BEGIN { printf "%.1f", b - a }') s"

echo "throughput: one hostname vs all $COUNT, $ROUNDS round(s) of ${SECONDS_PER_RUN}s after a warm-up" >&2
# The warm-up reaches every hostname (in order: random picks would leave some to meet their first request, and make
# their counts, in a measured round) and then one, so the JIT has seen both before either is measured.
# Runs follow each other (HOST_START) until about COUNT requests went out: just after the restart the proxy is slow.
WARMED=0
while (( WARMED < COUNT )); do
  WARM_RPS=$(HOST_ORDER=sequential HOST_START=$WARMED HOST_COUNT=$COUNT wrk_run "$TD_PROXY/" -s "$BENCH_DIR/random-host.lua" | awk '{ print $1 }')
  (( WARM_RPS > 0 )) || { echo "the warm-up got no answers" >&2; exit 1; }
  WARMED=$((WARMED + WARM_RPS * SECONDS_PER_RUN))
done
HOST_COUNT=1 wrk_run "$TD_PROXY/" -s "$BENCH_DIR/random-host.lua" >/dev/null
: > "$WORK/scale-results"
for round in $(seq 1 "$ROUNDS"); do
  for spread in 1 "$COUNT"; do
    read -r rps p50 p99 errors _ < <(HOST_COUNT=$spread wrk_run "$TD_PROXY/" -s "$BENCH_DIR/random-host.lua")
    echo "$spread $rps $p99 $errors" >> "$WORK/scale-results"
    printf 'round %d over %5d hostname(s): %8s req/s  p99 %s ms  errors %s\n' "$round" "$spread" "$rps" "$p99" "$errors" >&2
  done
done
med() { awk -v s="$1" '$1 == s { print $2 }' "$WORK/scale-results" | median; }
RPS_ONE=$(med 1); RPS_ALL=$(med "$COUNT")
WRK_ERRORS=$(awk '{ s += $4 } END { print s + 0 }' "$WORK/scale-results")

# Propagation to another replica, as the target says: a second service on the same PostgreSQL (it loads all COUNT
# distributors too), polled through its proxy while the first one's API writes. The poller pauses POLL_PAUSE_MICROS
# between requests (1,000: 1 ms resolution): back to back it would take one of the two cores from the services.
ONE_ADMIN=$TD_ADMIN ONE_PID=$SERVICE_PID
PG_PORT=$(grep -o 'Embedded PostgreSQL started on port [0-9]*' "$WORK/service-$ADMIN_PORT.log" | tail -1 | grep -o '[0-9]*$')
echo "propagation: a second replica on PostgreSQL port $PG_PORT loads the $COUNT distributors" >&2
WAIT_TRIES=1200 start_service "$(free_port)" "$(free_port)" -Dquarkus.datasource.jdbc.url="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" \
  -Dquarkus.datasource.username=postgres -Dquarkus.datasource.password=
wait_http "$TD_PROXY/" "Host: $LAST.bench.test"
sleep "${SETTLE_SECONDS:-5}" # its first probes of every server, just after its proxy opened, are over
# The write path warmed as the proxy's was: WARM_CHANGES writes of another distributor first (on a service just
# restarted, the first PATCHes took 33 ms at the median and up to 320 ms; after 1,000, 11 ms and at most 23 ms).
echo "propagation: ${WARM_CHANGES:-200} writes of d1 to warm the write path, on both replicas" >&2
for i in $(seq 1 "${WARM_CHANGES:-200}"); do
  curl -fsS -o /dev/null -X PATCH "$ONE_ADMIN/api/v1/distributors/d1/backends/b" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/merge-patch+json' -d "{\"weight\":$(( (i + 1) % 2 ))}"
done
echo "propagation: $CHANGES changes of d0's backend b weight 1 -> 0 written on replica one, seen on replica two" >&2
read -r PROP_MEDIAN PROP_MAX PATCH_MEDIAN PROP_P99 AFTER_MEDIAN AFTER_P99 < <(java -Djdk.httpclient.allowRestrictedHeaders=host "$BENCH_DIR/Propagation.java" \
  "$ONE_ADMIN" "$TOKEN" "$TD_PROXY" d0 d0.bench.test "$CHANGES" 1000 "${POLL_PAUSE_MICROS:-1000}")
stop_service
TD_ADMIN=$ONE_ADMIN SERVICE_PID=$ONE_PID

RSS=$(rss_mib "$SERVICE_PID")
HEAP_USED=$(jcmd "$SERVICE_PID" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc 0-9)
jcmd "$SERVICE_PID" GC.run >/dev/null
HEAP_LIVE=$(jcmd "$SERVICE_PID" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc 0-9)

echo "idle CPU over ${IDLE_SECONDS}s with $((COUNT * 2)) probed backends on $((SERVERS * 2)) servers" >&2
T0=$(cpu_ticks "$SERVICE_PID")
sleep "$IDLE_SECONDS"
IDLE_PCT=$(awk -v t="$(( $(cpu_ticks "$SERVICE_PID") - T0 ))" -v hz="$(getconf CLK_TCK)" -v s="$IDLE_SECONDS" \
  'BEGIN { printf "%.1f", t / hz / s * 100 }')
LAST_HEALTH=$(api GET "/distributors/$LAST/status" | grep -o '"health":"[A-Z]*"' | sort | uniq -c | tr -s ' ' | paste -sd, -)

echo
echo "$COUNT distributors x 2 backends, $(nproc) cores; smoke runs are not measurements"
echo "JVM of the service: $(jvm_version) ($TD_JAVA); startup archive $SERVICE_CDS"
printf '%-50s %-22s %s\n' figure value target
printf '%-50s %-22s %s\n' "API creations per second ($CONCURRENCY in flight), warm" "$CREATE_RATE_WARM/s" '>= 1,000/s' \
  "  (the second half; over all, JIT warm-up included)" "$CREATE_RATE/s" '' \
  "  created / failed / seconds" "$CREATED / $FAILED / $CREATE_SECONDS s" '' \
  "restart until $LAST.bench.test is served" "$RESTART_SECONDS s" '< 10 s' \
  "  of which" "$RESTART_STEPS" '' \
  "proxy req/s, one hostname" "$RPS_ONE" '' \
  "proxy req/s, random over $COUNT hostnames" "$RPS_ALL" '' \
  "  ratio all / one (errors $WRK_ERRORS)" "$(awk -v a="$RPS_ALL" -v b="$RPS_ONE" 'BEGIN { printf "%.3f", a / b }')" '>= 0.95' \
  "change propagation to replica two, median of $CHANGES" "$PROP_MEDIAN ms" '' \
  "  p99 / max, from the PATCH's start" "$PROP_P99 / $PROP_MAX ms" '<= 200 ms' \
  "  PATCH call itself (its fsync'd commit included), median" "$PATCH_MEDIAN ms" '' \
  "  counted from the PATCH's answer, median / p99" "$AFTER_MEDIAN / $AFTER_P99 ms" '' \
  "heap used after the load" "$((HEAP_USED / 1024)) MiB" '' \
  "heap live after a full GC" "$((HEAP_LIVE / 1024)) MiB" '<= 600 MiB' \
  "  per distributor, over the empty service's $((HEAP_EMPTY / 1024)) MiB" "$(( (HEAP_LIVE - HEAP_EMPTY) * 1024 / COUNT )) bytes" '' \
  "RSS after the load" "$RSS MiB" '<= 1,024 MiB' \
  "idle CPU, $((COUNT * 2)) probed backends on $((SERVERS * 2)) servers every ${PROBE_INTERVAL}s, ${IDLE_SECONDS}s" "$IDLE_PCT % of a core" '< 10 %' \
  "  $LAST health after that" "$LAST_HEALTH" ''
