#!/usr/bin/env bash
# Every figure of the README's Performance section in one command (about 27 minutes on 2 cores): closed-loop
# throughput and latency, latency at a fixed 5,000 req/s, 1 MiB responses, 10,000 idle keep-alive connections,
# the 10,000-distributor scale figures, failover under load, and change propagation between two replicas. Each
# part starts and stops its own processes; the settings of the parts (ROUNDS, SECONDS_PER_RUN, COUNT, TD_JAVA,
# ...) pass through the environment: run it once per JVM, e.g. again with
# TD_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
part() { echo; echo "== $1"; shift; "$@"; }
part "throughput, closed loop (wrk -t1 -c32)" bash "$BENCH_DIR/throughput.sh"
part "latency at a fixed 5,000 req/s (h2load)" bash "$BENCH_DIR/throughput.sh" --rate 5000
part "1 MiB responses (wrk -t1 -c32)" bash "$BENCH_DIR/throughput.sh" --large
part "10,000 idle keep-alive client connections" bash "$BENCH_DIR/throughput.sh" --idle
part "10,000 distributors" bash "$BENCH_DIR/scale.sh"
part "failover under load" bash "$BENCH_DIR/failover.sh"
part "two replicas on one PostgreSQL" bash "$BENCH_DIR/replicas.sh"
