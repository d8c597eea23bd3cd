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
#   bench/throughput.sh --https      NGINX, HAProxy and the service over HTTPS, all with the same self-signed RSA 2048
#                                    certificate for bench.test (the service's uploaded through its API): kept-alive
#                                    req/s, p50/p99, HTTP/1.1 (h2load --h1 -c 32 -m 1) and HTTP/2 (h2load -c 32 -m 10),
#                                    SNI bench.test; and the proxy's CPU per request
#   bench/throughput.sh --handshakes the same three: new TLS handshakes per second, no resumption, no SNI (each proxy's
#                                    default certificate): HANDSHAKE_CLIENTS (32) openssl s_time -new processes, each
#                                    one handshake at a time; and the proxy's and the clients' CPU per handshake
# Environment: ROUNDS (3), SECONDS_PER_RUN (10), PROXY_WORKERS (nproc: NGINX workers, HAProxy threads and the
#   event loops of the service and the bare proxies), WARMUP_SECONDS (60; a run against the service before
#   measuring, for the JIT, and a third of it against each bare proxy), TD_JAVA (java: the JVM that runs the
#   service and the bare proxies; the service's class-data archive is left out when that JVM cannot use it),
#   IDLE_CONNECTIONS (10000, --idle), H1_CONNECTIONS (32), H2_CONNECTIONS (32) and H2_STREAMS (10) (--https),
#   HANDSHAKE_CLIENTS (32, --handshakes), SETTLE_SECONDS (5: a pause before each measured run of the closed-loop,
#   --rate and --large modes, so that the JVM measured before has finished its after-work), PROFILE (--https and --handshakes: 1 adds one run per protocol against the
#   service alone after the rounds, not counted, with a JFR recording: top frames and CPU by thread).
# Needs java nginx haproxy wrk curl python3 (Debian: nginx-light haproxy wrk), h2load (nghttp2-client) for --rate and
# --https, openssl for --https and --handshakes, jcmd and jfr (the JDK) for PROFILE=1.
source "$(dirname "$0")/lib.sh"
need java nginx haproxy wrk curl python3
MODE=closed
RATE=""
case ${1:-} in
  "") ;;
  --rate) MODE=rate; RATE=${2:?usage: $0 --rate REQUESTS_PER_SECOND}; need h2load ;;
  --large) MODE=large ;;
  --idle) MODE=idle ;;
  --https) MODE=https; need h2load openssl ;;
  --handshakes) MODE=handshakes; need openssl ;;
  *) echo "usage: $0 [--rate REQUESTS_PER_SECOND | --large | --idle | --https | --handshakes]" >&2; exit 2 ;;
esac
TLS_MODE=""
[[ $MODE == https || $MODE == handshakes ]] && TLS_MODE=1
[[ -z $TLS_MODE || ${PROFILE:-0} != 1 ]] || need jcmd jfr
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

# HTTPS: one certificate for all three proxies; each also has an HTTPS port (TLS_PORT), and serves that certificate
# for SNI bench.test and to clients that send no SNI (NGINX: its only server; HAProxy: its only crt; the service:
# td.tls.default-certificate).
SERVICE_TLS_ARGS=()
declare -A TLS_PORT=()
if [[ -n $TLS_MODE ]]; then
  TARGETS=(nginx haproxy traffic-distributor)
  make_certificate "$HOST"
  TD_HTTPS_PORT=$(free_port)
  SERVICE_TLS_ARGS=(-Dtd.tls.default-certificate=bench)
  TLS_PORT=([nginx]=$(free_port) [haproxy]=$(free_port) [traffic-distributor]=$TD_HTTPS_PORT)
fi

start_service "$(free_port)" "$(free_port)" -Dtd.proxy.event-loops="$PROXY_WORKERS" "${SERVICE_TLS_ARGS[@]}"
api POST /distributors "{\"name\":\"bench\",\"hostnames\":[\"$HOST\"],\"routing\":\"ROUND_ROBIN\",
  \"backends\":[{\"name\":\"a\",\"url\":\"http://127.0.0.1:$PA\",\"weight\":1},{\"name\":\"b\",\"url\":\"http://127.0.0.1:$PB\",\"weight\":1}],
  \"healthCheck\":{\"intervalSeconds\":30}}" >/dev/null
wait_http "$TD_PROXY/" "Host: $HOST"
if [[ -n $TLS_MODE ]]; then
  # The certificate goes in as the README's HTTPS section says: POST /api/v1/certificates {name, certificate, privateKey}.
  api POST /certificates "$(python3 -c 'import json, sys
print(json.dumps({"name": "bench", "certificate": open(sys.argv[1]).read(), "privateKey": open(sys.argv[2]).read()}))' \
    "$TLS_CERT" "$TLS_KEY")" >/dev/null
  wait_https "$HOST" "$TD_HTTPS_PORT"
fi

NGINX_PORT=$(free_port)
start_nginx_proxy "$NGINX_PORT" "server 127.0.0.1:$PA; server 127.0.0.1:$PB;" "" "${TLS_PORT[nginx]:-}"
HAPROXY_PORT=$(free_port)
start_haproxy "$HAPROXY_PORT" "  balance roundrobin
  server a 127.0.0.1:$PA
  server b 127.0.0.1:$PB" "${TLS_PORT[haproxy]:-}"
declare -A URL=([direct]="http://127.0.0.1:$PA" [nginx]="http://127.0.0.1:$NGINX_PORT"
  [haproxy]="http://127.0.0.1:$HAPROXY_PORT" [traffic-distributor]="$TD_PROXY")
declare -A PID_OF=([nginx]=$NGINX_PID [haproxy]=$HAPROXY_PID [traffic-distributor]=$SERVICE_PID)
if [[ -n $TLS_MODE ]]; then
  wait_https "$HOST" "${TLS_PORT[nginx]}"
  wait_https "$HOST" "${TLS_PORT[haproxy]}"
fi

# The ceilings: bare proxies on the service's own Vert.x and Netty jars, on the same JVM as the service.
if [[ $MODE != idle && -z $TLS_MODE ]]; then
  for bare in vertx-bare:BareVertxProxy netty-bare:BareNettyProxy; do
    port=$(free_port)
    "$TD_JAVA" -Xmx256m -cp "$ROOT/target/quarkus-app/lib/main/*" "$BENCH_DIR/${bare#*:}.java" "$port" "$PA" "$PB" \
      "$PROXY_WORKERS" > "$WORK/${bare%:*}.log" 2>&1 &
    PIDS+=($!)
    PID_OF[${bare%:*}]=$!
    URL[${bare%:*}]="http://127.0.0.1:$port"
    wait_http "http://127.0.0.1:$port/"
  done
fi

HEADER_JVM="JVM of the service and the bare proxies: $(jvm_version) ($TD_JAVA); startup archive $SERVICE_CDS"

# --- --https and --handshakes: NGINX, HAProxy and the service over TLS, one certificate -----------------------------
if [[ -n $TLS_MODE ]]; then
  TICK_US=$((1000000 / $(getconf CLK_TCK)))
  # CPU time the proxy has used so far, "user_ticks sys_ticks": NGINX master and workers; HAProxy; the service's JVM
  # (all its threads, JIT and GC included; not its embedded PostgreSQL, idle here).
  proxy_cpu() {
    if [[ $1 == nginx ]]; then cpu_user_sys_tree "${PID_OF[$1]}"; else sed 's/.*) //' "/proc/${PID_OF[$1]}/stat" | awk '{ print $12, $13 }'; fi
  }

  # One kept-alive HTTPS run with h2load, SNI and :authority bench.test (--connect-to 127.0.0.1): prints
  # "req/s p50_ms p99_ms errors requests"; latencies from h2load's per-request log (until the end of each response).
  https_run() { # port h1|h2 seconds
    local port=$1 log="$WORK/h2load-tls.log" shape=()
    if [[ $2 == h1 ]]; then shape=(--h1 -c "${H1_CONNECTIONS:-32}" -m 1); else shape=(-c "${H2_CONNECTIONS:-32}" -m "${H2_STREAMS:-10}"); fi
    rm -f "$log"
    h2load "${shape[@]}" -t 1 -D "$3" --connect-to="127.0.0.1:$port" --log-file="$log" "https://$HOST:$port/" \
      > "$WORK/h2load-tls.out" 2>&1 || true
    python3 - "$log" "$WORK/h2load-tls.out" "$2" <<'PY'
import re, sys
out = open(sys.argv[2]).read()
m = re.search(r'finished in ([\d.]+)s, ([\d.]+) req/s', out)
failed = re.search(r'requests: .*?, (\d+) failed', out)
proto = re.search(r'Application protocol: (\S+)', out)
want = 'http/1.1' if sys.argv[3] == 'h1' else 'h2'
if not m or not proto or proto.group(1) != want:
    sys.stderr.write('h2load did not run as expected:\n' + out)
    print('0 nan nan 1 0'); sys.exit()
lat = sorted(int(line.split('\t')[2]) / 1000 for line in open(sys.argv[1]) if line.strip())
pct = lambda p: lat[min(len(lat) - 1, int(p / 100 * len(lat)))] if lat else float('nan')
print(f"{float(m.group(2)):.0f} {pct(50):.3f} {pct(99):.3f} {int(failed.group(1)) if failed else 1} {len(lat)}")
PY
  }

  # New TLS handshakes for a while: HANDSHAKE_CLIENTS processes of openssl s_time -new, each a loop of connect, full
  # handshake (s_time never offers a session; it sends no SNI), close; counted over seconds after a 1 s ramp from
  # the marks s_time prints per connection. Prints "handshakes/s resumed failed_clients handshakes client_ticks".
  handshake_run() { # port seconds [proxy target for CPU, whose delta goes to $WORK/cpu]
    local port=$1 seconds=$2 clients=${HANDSHAKE_CLIENTS:-32} i pids=() t0 t1 n0 n1 c0 c1 cpu0="" cpu1 failed=0 resumed
    rm -f "$WORK"/stime-*.out "$WORK"/stime-*.err
    for i in $(seq 1 "$clients"); do
      openssl s_time -connect "127.0.0.1:$port" -new -time $((seconds + 10)) -CAfile "$TLS_CERT" -no-CApath -no-CAstore \
        > "$WORK/stime-$i.out" 2> "$WORK/stime-$i.err" &
      pids+=($!)
    done
    marks() { local f; for f in "$WORK"/stime-*.out; do tail -n +2 "$f"; done | tr -cd "$1" | wc -c; }
    client_ticks() { local p; for p in "${pids[@]}"; do sed 's/.*) //' "/proc/$p/stat" 2>/dev/null || true; done | awk '{ t += $12 + $13 } END { print t + 0 }'; }
    sleep 1
    [[ -z ${3:-} ]] || cpu0=$(proxy_cpu "$3")
    t0=$(date +%s.%N); n0=$(marks '*r'); c0=$(client_ticks)
    sleep "$seconds"
    t1=$(date +%s.%N); n1=$(marks '*r'); c1=$(client_ticks)
    [[ -z ${3:-} ]] || { cpu1=$(proxy_cpu "$3"); echo "$cpu0 $cpu1" > "$WORK/cpu"; }
    resumed=$(marks r)
    for i in "${!pids[@]}"; do
      if ! kill "${pids[$i]}" 2>/dev/null; then failed=$((failed + 1)); sed "s/^/  s_time $((i + 1)): /" "$WORK/stime-$((i + 1)).err" | head -5 >&2; fi
    done
    wait "${pids[@]}" 2>/dev/null || true
    awk -v n=$((n1 - n0)) -v t0="$t0" -v t1="$t1" -v r="$resumed" -v f="$failed" -v c=$((c1 - c0)) \
      'BEGIN { printf "%.0f %d %d %d %d\n", n / (t1 - t0), r, f, n, c }'
  }

  # CPU by thread of the service's JVM (/proc/PID/task), "name ticks" with the digits of names folded (pool members).
  thread_ticks() {
    local t
    for t in /proc/"$SERVICE_PID"/task/*; do
      printf '%s\t%s\n' "$(tr -d '\n' < "$t/comm" 2>/dev/null | tr '0-9' '#')" "$(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{ print $12 + $13 }')"
    done | awk -F '\t' '$2 != "" { s[$1] += $2 } END { for (n in s) print n "\t" s[n] }'
  }

  # PROFILE=1: one more run against the service, with a JFR recording (settings=profile) over it and CPU by thread;
  # prints the top frames by self time of Java code (jdk.ExecutionSample) and of native methods (jdk.NativeMethodSample,
  # where the OpenSSL calls are), and the CPU of each thread group.
  profile_service() { # label command...
    local label=$1 jfr="$WORK/service-$1.jfr"; shift
    thread_ticks > "$WORK/threads0"
    jcmd "$SERVICE_PID" JFR.start name=bench settings=profile filename="$jfr" > /dev/null
    "$@" > /dev/null
    jcmd "$SERVICE_PID" JFR.stop name=bench > /dev/null
    thread_ticks > "$WORK/threads1"
    echo "profile of the service, $label: JFR $jfr"
    jfr print --events jdk.ExecutionSample,jdk.NativeMethodSample --stack-depth 1 "$jfr" | python3 -c '
import collections, re, sys
top = {"jdk.ExecutionSample": collections.Counter(), "jdk.NativeMethodSample": collections.Counter()}
event = None; take = False
for line in sys.stdin:
    s = line.strip()
    if s.endswith("{") and s.split()[0] in top: event = s.split()[0]
    elif s.startswith("stackTrace = ["): take = True
    elif take:
        take = False
        if s != "]": top[event][re.sub(r"\s+line: \d+.*$", "", s)] += 1
idle = re.compile(r"EPoll\.wait|epollWait|Net\.poll|waitForProcessExit|Thread\.sleep|Object\.wait|accept0")
waiting = sum(n for f, n in top["jdk.NativeMethodSample"].items() if idle.search(f))
for f in [f for f in top["jdk.NativeMethodSample"] if idle.search(f)]: del top["jdk.NativeMethodSample"][f]
for event, frames in top.items():
    total = sum(frames.values())
    print(f"  {event}: {total} samples; top frames by self time" + (f" ({waiting} samples of threads waiting in epoll, poll, sleep or a child process left out)" if event == "jdk.NativeMethodSample" else ""))
    for frame, n in frames.most_common(15): print(f"    {100 * n / total:5.1f} %  {frame}")'
    echo "  CPU by thread group over the run (user + sys, s):"
    awk -F '\t' -v tick="$TICK_US" 'NR == FNR { a[$1] = $2; next } { d = ($2 - a[$1]) * tick / 1e6; if (d > 0) printf "%10.2f  %s\n", d, $1 }' \
      "$WORK/threads0" "$WORK/threads1" | sort -rn | head -12 | sed 's/^/  /'
  }

  # What each proxy negotiates with OpenSSL's client offering h2 and http/1.1: with SNI bench.test, and without SNI.
  : > "$WORK/tls-info"
  for target in "${TARGETS[@]}"; do
    for sni in "-servername $HOST" -noservername; do
      printf '%-20s %-22s %s\n' "$target" "${sni/-servername /SNI }" "$(openssl s_client -connect "127.0.0.1:${TLS_PORT[$target]}" $sni \
        -alpn h2,http/1.1 -brief < /dev/null 2>&1 | grep -aE '^(Protocol version|Ciphersuite|Peer certificate|Signature type|Server Temp Key|ALPN protocol)' |
        sed 's/^[^:]*: //' | paste -sd ',' | sed 's/,/, /g')" >> "$WORK/tls-info"
    done
  done
  cat "$WORK/tls-info" >&2

  WARMUP_SECONDS=${WARMUP_SECONDS:-60}
  RESULTS="$WORK/results"
  : > "$RESULTS"
  if [[ $MODE == https ]]; then
    PROTOS=(h1 h2)
    # One protocol at a time, each after its own warm-up: switching the load between HTTP/1.1 and HTTP/2 makes the
    # service's JIT deoptimize and recompile its hot paths (seen with -XX:+PrintCompilation), which a real mix of
    # both at once would not.
    thread_ticks > "$WORK/rounds-threads0"
    for proto in "${PROTOS[@]}"; do
      echo "warm-up: traffic-distributor $((WARMUP_SECONDS / 2 + 1))s over HTTPS, $proto (JIT)" >&2
      https_run "$TD_HTTPS_PORT" "$proto" $((WARMUP_SECONDS / 2 + 1)) > /dev/null
      for round in $(seq 1 "$ROUNDS"); do
        for target in "${TARGETS[@]}"; do
          cpu0=$(proxy_cpu "$target")
          read -r rps p50 p99 errors requests < <(https_run "${TLS_PORT[$target]}" "$proto" "$SECONDS_PER_RUN")
          cpu1=$(proxy_cpu "$target")
          read -r us ss < <(echo "$cpu0 $cpu1" | awk -v n="$requests" -v tick="$TICK_US" \
            '{ printf "%.1f %.1f\n", n ? ($3 - $1) * tick / n : 0, n ? ($4 - $2) * tick / n : 0 }')
          echo "$target/$proto $rps $p50 $p99 $errors $us $ss" >> "$RESULTS"
          printf 'round %d %-4s %-20s %8s req/s  p50 %7s ms  p99 %7s ms  errors %s  proxy CPU/request %s µs user %s µs sys\n' \
            "$round" "$proto" "$target" "$rps" "$p50" "$p99" "$errors" "$us" "$ss" >&2
        done
      done
    done
  else
    PROTOS=(tls)
    echo "warm-up: traffic-distributor ${WARMUP_SECONDS}s of new handshakes (JIT)" >&2
    handshake_run "$TD_HTTPS_PORT" "$WARMUP_SECONDS" > /dev/null
    thread_ticks > "$WORK/rounds-threads0"
    for round in $(seq 1 "$ROUNDS"); do
      for target in "${TARGETS[@]}"; do
        read -r hps resumed failed count client < <(handshake_run "${TLS_PORT[$target]}" "$SECONDS_PER_RUN" "$target")
        read -r us ss cs < <(awk -v n="$count" -v tick="$TICK_US" -v c="$client" \
          '{ printf "%.0f %.0f %.0f\n", n ? ($3 - $1) * tick / n : 0, n ? ($4 - $2) * tick / n : 0, n ? c * tick / n : 0 }' "$WORK/cpu")
        echo "$target/tls $hps 0 0 $((resumed + failed)) $us $ss $cs" >> "$RESULTS"
        printf 'round %d %-20s %8s handshakes/s  resumed %s  failed clients %s  CPU/handshake: proxy %s µs user %s µs sys, clients %s µs\n' \
          "$round" "$target" "$hps" "$resumed" "$failed" "$us" "$ss" "$cs" >&2
      done
    done
  fi

  thread_ticks > "$WORK/rounds-threads1"

  echo
  if [[ $MODE == https ]]; then
    echo "HTTPS, kept alive: h2load -t1 --h1 -c ${H1_CONNECTIONS:-32} -m 1 (HTTP/1.1) and h2load -t1 -c ${H2_CONNECTIONS:-32} -m ${H2_STREAMS:-10} (HTTP/2)," \
      "-D ${SECONDS_PER_RUN}s https://$HOST:PORT/ --connect-to 127.0.0.1:PORT (SNI $HOST); medians of $ROUNDS round(s); $PROXY_WORKERS worker(s)/thread(s)/event loop(s); $(nproc) cores"
  else
    echo "new TLS handshakes: ${HANDSHAKE_CLIENTS:-32} x openssl s_time -new -connect 127.0.0.1:PORT (no SNI, no resumption, one handshake at a time each)," \
      "${SECONDS_PER_RUN}s; medians of $ROUNDS round(s); $PROXY_WORKERS worker(s)/thread(s)/event loop(s); $(nproc) cores"
  fi
  echo "certificate: self-signed RSA 2048 for $HOST, the same file for all; client $(openssl version); negotiated (openssl s_client -alpn h2,http/1.1):"
  sed 's/^/  /' "$WORK/tls-info"
  echo "$HEADER_JVM"
  med() { awk -v t="$1" -v c="$2" '$1 == t { print $c }' "$RESULTS" | median; }
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { print b ? a / b : 0 }'; }
  if [[ $MODE == https ]]; then
    printf '%-20s %-5s %10s %10s %10s %12s %10s %7s %15s\n' target proto req/s p50-ms p99-ms 'req/s÷nginx' 'p99÷nginx' errors 'CPU-µs/req u+s'
  else
    printf '%-20s %12s %12s %7s %22s %16s\n' target handshakes/s 'hs/s÷nginx' errors 'proxy-CPU-µs/hs u+s' 'client-CPU-µs/hs'
  fi
  for proto in "${PROTOS[@]}"; do
    N_RPS=$(med "nginx/$proto" 2); N_P99=$(med "nginx/$proto" 4)
    for target in "${TARGETS[@]}"; do
      key=$target/$proto
      rps=$(med "$key" 2); p50=$(med "$key" 3); p99=$(med "$key" 4); us=$(med "$key" 6); ss=$(med "$key" 7)
      errors=$(awk -v t="$key" '$1 == t { s += $5 } END { print s + 0 }' "$RESULTS")
      if [[ $MODE == https ]]; then
        printf '%-20s %-5s %10.0f %10.3f %10.3f %12.2f %10.2f %7s %15s\n' "$target" "$proto" "$rps" "$p50" "$p99" \
          "$(ratio "$rps" "$N_RPS")" "$(ratio "$p99" "$N_P99")" "$errors" "$us+$ss"
      else
        printf '%-20s %12.0f %12.2f %7s %22s %16s\n' "$target" "$rps" "$(ratio "$rps" "$N_RPS")" "$errors" "$us+$ss" "$(med "$key" 8)"
      fi
    done
  done
  # Where the service's CPU went over all the rounds (its own runs and, idle or compiling, the others'): by thread.
  echo "traffic-distributor CPU by thread group over the $ROUNDS round(s)$([[ $MODE == https ]] && echo " and each protocol's warm-up") (user + sys, s; no profiler attached):"
  awk -F '\t' -v tick="$TICK_US" 'NR == FNR { a[$1] = $2; next } { d = ($2 - a[$1]) * tick / 1e6; if (d > 0.005) printf "%10.2f  %s\n", d, $1 }' \
    "$WORK/rounds-threads0" "$WORK/rounds-threads1" | sort -rn | head -8 | sed 's/^/  /'
  if [[ ${PROFILE:-0} == 1 ]]; then
    echo
    if [[ $MODE == https ]]; then
      profile_service "https-h1" https_run "$TD_HTTPS_PORT" h1 "$SECONDS_PER_RUN"
      profile_service "https-h2" https_run "$TD_HTTPS_PORT" h2 "$SECONDS_PER_RUN"
    else
      profile_service "handshakes" handshake_run "$TD_HTTPS_PORT" "$SECONDS_PER_RUN"
    fi
  fi
  exit 0
fi

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

# CPU (ms) the proxies other than the one measured used during its run: a JVM that has just been measured goes on
# compiling and collecting for a few seconds, on the same two cores, which shows in the next target's tail.
others_cpu_ticks() { # target
  local t sum=0
  for t in "${!PID_OF[@]}"; do
    [[ $t == "$1" ]] || sum=$((sum + $(cpu_ticks "${PID_OF[$t]}")))
  done
  echo "$sum"
}
# Seconds of pause before each measured run, so that the previous target's after-work is over (0: none).
SETTLE_SECONDS=${SETTLE_SECONDS:-5}

RESULTS="$WORK/results"
: > "$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  for target in "${TARGETS[@]}"; do
    sleep "$SETTLE_SECONDS"
    if [[ $target == traffic-distributor ]]; then sample_backend_conns & SAMPLER=$!; fi
    others0=$(others_cpu_ticks "$target")
    read -r rps p50 p99 errors mibs < <(measure "${URL[$target]}$URL_PATH")
    others_ms=$(( ($(others_cpu_ticks "$target") - others0) * 1000 / $(getconf CLK_TCK) ))
    if [[ $target == traffic-distributor ]]; then wait "$SAMPLER"; fi
    echo "$target $rps $p50 $p99 $errors $mibs" >> "$RESULTS"
    printf 'round %d %-20s %8s req/s  p50 %7s ms  p99 %7s ms  errors %s%s  (the other proxies: %s ms of CPU)\n' "$round" \
      "$target" "$rps" "$p50" "$p99" "$errors" "$([[ $MODE == large ]] && echo "  $mibs MiB/s")" "$others_ms" >&2
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
