#!/usr/bin/env bash
# Replica benchmark: two packaged services on one PostgreSQL (the first one's embedded server; the second is
# pointed at it with QUARKUS_DATASOURCE_JDBC_URL, as a second replica would be). CHANGES times, a weight change
# written through replica one's API is timed until replica two's proxy acts on it (bench/Propagation.java).
# Prints the median, p99 and max of that time, and the same measured on replica one itself for comparison.
# Usage: bench/replicas.sh    Environment: CHANGES (100). Needs java (JDK 17), nginx, curl, python3.
source "$(dirname "$0")/lib.sh"
need java nginx curl python3
trap stop_all EXIT
CHANGES=${CHANGES:-100}

PA=$(free_port); PB=$(free_port)
start_backend a "$PA"
start_backend b "$PB"

start_service "$(free_port)" "$(free_port)"
ONE_ADMIN=$TD_ADMIN ONE_PROXY=$TD_PROXY ONE_LOG="$WORK/service-${TD_ADMIN##*:}.log"
PG_PORT=$(grep -o 'Embedded PostgreSQL started on port [0-9]*' "$ONE_LOG" | grep -o '[0-9]*$')
start_service "$(free_port)" "$(free_port)" -Dquarkus.datasource.jdbc.url="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" \
  -Dquarkus.datasource.username=postgres -Dquarkus.datasource.password=
TWO_PROXY=$TD_PROXY
echo "replica one: $ONE_ADMIN (proxy $ONE_PROXY); replica two: proxy $TWO_PROXY; PostgreSQL on $PG_PORT" >&2

TD_ADMIN=$ONE_ADMIN api POST /distributors "{\"name\":\"rep\",\"hostnames\":[\"rep.bench.test\"],\"routing\":\"ROUND_ROBIN\",
  \"backends\":[{\"name\":\"a\",\"url\":\"http://127.0.0.1:$PA\"},{\"name\":\"b\",\"url\":\"http://127.0.0.1:$PB\"}]}" >/dev/null
wait_http "$TWO_PROXY/" "Host: rep.bench.test"

propagation() { # proxy_url
  java -Djdk.httpclient.allowRestrictedHeaders=host "$BENCH_DIR/Propagation.java" "$ONE_ADMIN" "$TOKEN" "$1" rep \
    rep.bench.test "$CHANGES" 1000
}
echo "$CHANGES changes written on replica one, seen on replica two" >&2
read -r OTHER_MEDIAN OTHER_MAX PATCH_MEDIAN OTHER_P99 OTHER_ACK_MEDIAN OTHER_ACK_P99 < <(propagation "$TWO_PROXY")
echo "$CHANGES changes written on replica one, seen on replica one" >&2
read -r SAME_MEDIAN SAME_MAX _ SAME_P99 SAME_ACK_MEDIAN SAME_ACK_P99 < <(propagation "$ONE_PROXY")

printf '\n%-30s %-29s %s\n' "written on replica one," "from the PATCH's start" "after the PATCH's answer"
printf '%-30s %8s %8s %8s %8s %8s\n' "in effect on" median p99 max median p99
row() { printf '%-30s %5s ms %5s ms %5s ms %5s ms %5s ms\n' "$@"; }
row "replica two (LISTEN/NOTIFY)" "$OTHER_MEDIAN" "$OTHER_P99" "$OTHER_MAX" "$OTHER_ACK_MEDIAN" "$OTHER_ACK_P99"
row "replica one (its own write)" "$SAME_MEDIAN" "$SAME_P99" "$SAME_MAX" "$SAME_ACK_MEDIAN" "$SAME_ACK_P99"
echo "the PATCH call itself (its commit's fsync included): median $PATCH_MEDIAN ms. Target: p99 on replica two < 200 ms."
