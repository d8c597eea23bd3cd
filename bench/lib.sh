# Shared pieces of the benchmark scripts: tools check, backends, the packaged service, NGINX, HAProxy.
# Everything binds to 127.0.0.1 and lives under $WORK; stop_all cleans it up.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=${WORK:-$(mktemp -d /tmp/td-bench.XXXXXX)}
TOKEN=bench-token
PIDS=()

# The Debian package that brings each tool the scripts use.
declare -A PACKAGE_OF=([java]=openjdk-17-jdk-headless [jcmd]=openjdk-17-jdk-headless [nginx]=nginx-light
  [haproxy]=haproxy [wrk]=wrk [h2load]=nghttp2-client [curl]=curl [python3]=python3 [openssl]=openssl)

need() {
  local missing=() packages=() tool
  for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  if ((${#missing[@]})); then
    for tool in "${missing[@]}"; do
      [[ " ${packages[*]:-} " == *" ${PACKAGE_OF[$tool]:-$tool} "* ]] || packages+=("${PACKAGE_OF[$tool]:-$tool}")
    done
    echo "missing: ${missing[*]} — install them first: apt-get update && apt-get install -y ${packages[*]}" >&2
    exit 2
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_http() { # url [header]
  for _ in $(seq 1 "${WAIT_TRIES:-300}"); do
    if curl -fsS -o /dev/null ${2:+-H "$2"} "$1" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for $1" >&2; return 1
}

# Waits until https://NAME:PORT/ answers 2xx over TLS with SNI NAME on 127.0.0.1, verified against TLS_CERT (the
# benchmark's certificate, see make_certificate): the proxy serves that certificate for that name.
wait_https() { # name port
  for _ in $(seq 1 "${WAIT_TRIES:-300}"); do
    if curl -fsS -o /dev/null --cacert "$TLS_CERT" --resolve "$1:$2:127.0.0.1" "https://$1:$2/" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for https://$1:$2/ (127.0.0.1)" >&2; return 1
}

# The HTTPS benchmarks' certificate: self-signed, RSA 2048, SHA-256, for NAME (subject and DNS SAN), valid 30 days,
# under $WORK/tls. Sets TLS_CERT (PEM certificate), TLS_KEY (PEM PKCS#8 key) and TLS_PEM (both, HAProxy's crt).
make_certificate() { # name
  local dir="$WORK/tls"
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 30 -subj "/CN=$1" -addext "subjectAltName=DNS:$1" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
  cat "$dir/cert.pem" "$dir/key.pem" > "$dir/combined.pem"
  TLS_CERT="$dir/cert.pem" TLS_KEY="$dir/key.pem" TLS_PEM="$dir/combined.pem"
}

# A backend: one single-process NGINX answering its name with a small fixed body, and a 1 MiB file (the same
# random bytes on every backend) at /large; sets BACKEND_PID.
start_backend() { # name port
  local name=$1 port=$2 dir="$WORK/backend-$1-$2"
  mkdir -p "$dir"
  [[ -f $WORK/large.bin ]] || head -c 1048576 /dev/urandom > "$WORK/large.bin"
  cat > "$dir/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
error_log $dir/error.log crit;
pid $dir/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  sendfile on;
  server {
    listen 127.0.0.1:$port reuseport backlog=4096;
    location / { default_type text/plain; return 200 "$name"; }
    location = /large { default_type application/octet-stream; alias $WORK/large.bin; }
  }
}
CONF
  nginx -c "$dir/nginx.conf" -p "$dir" >/dev/null 2>&1 &
  BACKEND_PID=$!
  PIDS+=("$BACKEND_PID")
  wait_http "http://127.0.0.1:$port/"
}

jar() {
  if [[ ! -f "$ROOT/target/quarkus-app/quarkus-run.jar" ]]; then
    (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
  fi
}

# The JVM that runs the service and the bare Java proxies, e.g. TD_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java.
# By default the JDK that packaged the service (target/quarkus-app/archive-jvm, written by the training run that
# records the startup archive), as bin/start does, else java on the PATH.
PACKAGED_BY=$(cat "$ROOT/target/quarkus-app/archive-jvm" 2>/dev/null || true)
if [[ -z ${TD_JAVA:-} && -n $PACKAGED_BY && -x $PACKAGED_BY/bin/java ]]; then
  TD_JAVA=$PACKAGED_BY/bin/java
fi
TD_JAVA=${TD_JAVA:-java}

# "OpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)": the JVM that TD_JAVA names.
jvm_version() { "$TD_JAVA" -version 2>&1 | grep -m1 'Runtime Environment' || "$TD_JAVA" -version 2>&1 | head -1; }

# The JVM options the README recommends for running the service (bounded heap, small fixed young generation, the
# startup archive, which is why start_service runs it from target/quarkus-app); TD_JAVA_OPTS replaces them. The
# archive is the one the package recorded: JDK 25's ahead-of-time cache app.aot, or JDK 17's app-cds.jsa.
if [[ -f "$ROOT/target/quarkus-app/app.aot" ]]; then
  TD_JAVA_OPTS=${TD_JAVA_OPTS-"-Xmx512m -Xmn64m -XX:AOTCache=app.aot"}
else
  TD_JAVA_OPTS=${TD_JAVA_OPTS-"-Xmx512m -Xmn64m -XX:SharedArchiveFile=app-cds.jsa"}
fi

# TD_JAVA_OPTS less its -XX:SharedArchiveFile=... or -XX:AOTCache=... when TD_JAVA cannot map that archive (it is
# missing, or a JVM other than the one that packaged the service records a different build): the JVM would warn and
# go on without it, or (JDK 17 given an AOT cache) not start. Sets SERVICE_CDS to "used" or why not.
service_java_opts() {
  local opt archive="" flag="" check=() opts=()
  for opt in ${TD_JAVA_OPTS:-}; do
    if [[ $opt == -XX:SharedArchiveFile=* ]]; then archive=${opt#*=}; flag=-XX:SharedArchiveFile; check=(-Xshare:on)
    elif [[ $opt == -XX:AOTCache=* ]]; then archive=${opt#*=}; flag=-XX:AOTCache; check=(-XX:AOTMode=on)
    else opts+=("$opt"); fi
  done
  SERVICE_CDS="not asked for"
  if [[ -n $archive ]]; then
    if [[ ! -f "$ROOT/target/quarkus-app/$archive" && ! -f $archive ]]; then
      SERVICE_CDS="not used: no $archive (packaged without it)"
    elif (cd "$ROOT/target/quarkus-app" && "$TD_JAVA" "${check[@]}" "$flag=$archive" -cp quarkus-run.jar \
        -version >/dev/null 2>&1); then
      SERVICE_CDS="used ($archive)"; opts+=("$flag=$archive")
    else
      SERVICE_CDS="not used: $archive does not fit this JVM (another JDK packaged it)"
    fi
  fi
  SERVICE_JAVA_OPTS="${opts[*]:-}"
}

# The packaged service on its own embedded PostgreSQL under $WORK. Sets TD_ADMIN, TD_PROXY and SERVICE_PID.
# TD_HTTPS_PORT (0: off) is its HTTPS listener's port.
start_service() { # admin_port proxy_port [extra java args...]
  local admin=$1 proxy=$2; shift 2
  jar
  service_java_opts
  (cd "$ROOT/target/quarkus-app" && TD_ADMIN_TOKEN=$TOKEN exec "$TD_JAVA" $SERVICE_JAVA_OPTS -Dquarkus.http.port="$admin" \
    -Dquarkus.http.host=127.0.0.1 -Dtd.proxy.port="$proxy" -Dtd.proxy.https-port="${TD_HTTPS_PORT:-0}" -Dtd.proxy.host=127.0.0.1 -Dtd.data-dir="$WORK/td-data-$admin" "$@" \
    -jar quarkus-run.jar) > "$WORK/service-$admin.log" 2>&1 &
  SERVICE_PID=$!
  PIDS+=("$SERVICE_PID")
  TD_ADMIN="http://127.0.0.1:$admin"
  TD_PROXY="http://127.0.0.1:$proxy"
  wait_http "$TD_ADMIN/q/health/ready"
}

api() { # method path [json]
  curl -fsS -X "$1" "$TD_ADMIN/api/v1$2" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' ${3:+-d "$3"}
}

# NGINX as a proxy; sets NGINX_PID (its master). NGINX_WORKER_CONNECTIONS (8192) is per worker, client and
# upstream connections together. With tls-port, the same server also listens there for HTTPS with HTTP/2 (ALPN h2,
# http/1.1), TLS 1.2 and 1.3 as the service, on TLS_CERT and TLS_KEY (make_certificate); session cache and tickets
# as NGINX's defaults.
start_nginx_proxy() { # port conf-upstream-block location-extra [tls-port]
  local port=$1 upstream=$2 extra=${3:-} tls_port=${4:-} dir="$WORK/nginx-proxy-$1" workers=${PROXY_WORKERS:-2} tls=""
  local connections=${NGINX_WORKER_CONNECTIONS:-8192} files
  files=$((connections * 2)); (( files <= $(ulimit -Hn) )) || files=$(ulimit -Hn) # an unprivileged container caps it
  mkdir -p "$dir"
  if [[ -n $tls_port ]]; then
    tls="listen 127.0.0.1:$tls_port ssl http2 reuseport backlog=4096;
    ssl_certificate $TLS_CERT;
    ssl_certificate_key $TLS_KEY;
    ssl_protocols TLSv1.2 TLSv1.3;"
  fi
  cat > "$dir/nginx.conf" <<CONF
daemon off;
worker_processes $workers;
worker_rlimit_nofile $files;
error_log $dir/error.log crit;
pid $dir/nginx.pid;
events { worker_connections $connections; }
http {
  access_log off;
  # NGINX closes a client connection after 1000 requests by default; h2load does not reconnect (and wrk pays
  # a reconnect), while HAProxy and the service keep connections open.
  keepalive_requests 1000000;
  upstream backends { $upstream keepalive 256; }
  server {
    listen 127.0.0.1:$port reuseport backlog=4096;
    $tls
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      $extra
    }
  }
}
CONF
  nginx -c "$dir/nginx.conf" -p "$dir" >/dev/null 2>&1 &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  wait_http "http://127.0.0.1:$port/"
}

# HAProxy; sets HAPROXY_PID. HAPROXY_MAXCONN (4096) is its client connection limit. HAProxy asks for two open
# files per connection and by default refuses to start without them: "no strict-limits" lets it run on what
# the open-files limit gives (idle client connections need one each), with a warning. With tls-port, the frontend
# also binds there for HTTPS on TLS_PEM (make_certificate) with ALPN h2, http/1.1 (TLS 1.2 and up, HAProxy's
# default; its session cache and tickets as by default).
start_haproxy() { # port backend-block [tls-port]
  local port=$1 servers=$2 tls_port=${3:-} dir="$WORK/haproxy-$1" threads=${PROXY_WORKERS:-2} tls=""
  mkdir -p "$dir"
  [[ -z $tls_port ]] || tls="
  bind 127.0.0.1:$tls_port ssl crt $TLS_PEM alpn h2,http/1.1"
  cat > "$dir/haproxy.cfg" <<CONF
global
  nbthread $threads
  maxconn ${HAPROXY_MAXCONN:-4096}
  no strict-limits
defaults
  mode http
  maxconn ${HAPROXY_MAXCONN:-4096}
  option http-keep-alive
  option forwardfor
  timeout connect 3s
  timeout client 60s
  timeout server 60s
  http-reuse always
frontend fe
  bind 127.0.0.1:$port$tls
  default_backend be
backend be
$servers
CONF
  haproxy -f "$dir/haproxy.cfg" -db >/dev/null 2>&1 &
  HAPROXY_PID=$!
  PIDS+=("$HAPROXY_PID")
  wait_http "http://127.0.0.1:$port/"
}

stop_all() {
  for pid in "${PIDS[@]:-}"; do
    [[ -n "$pid" ]] && { kill -CONT "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; }
  done
  wait 2>/dev/null || true
  PIDS=()
}

# --- Measuring -----------------------------------------------------------------------------------------

# One wrk run; prints "req/s p50_ms p99_ms errors MiB/s" (errors: non-2xx/3xx responses plus socket errors;
# MiB/s: wrk's Transfer/sec, heads and bodies, in units of 2^20 bytes as wrk counts them).
# WRK_THREADS, WRK_CONNECTIONS and SECONDS_PER_RUN override the load's shape.
wrk_run() { # url [extra wrk args...]
  local url=$1; shift
  wrk -t"${WRK_THREADS:-1}" -c"${WRK_CONNECTIONS:-32}" -d"${SECONDS_PER_RUN:-10}s" --latency "$@" "$url" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /m$/) return v * 60000; return v * 1000 }
    /Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { err += $NF }
    /Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
    /Transfer\/sec:/ { v = $2; mib = v + 0; if (v ~ /KB$/) mib /= 1024; else if (v ~ /GB$/) mib *= 1024; else if (v ~ /B$/ && v !~ /MB$/) mib /= 1048576 }
    END { printf "%.0f %.3f %.3f %d %.1f\n", rps, p50, p99, err, mib }'
}

# Resident memory of a process in MiB.
rss_mib() { awk '/^VmRSS:/ { printf "%.0f\n", $2 / 1024 }' "/proc/$1/status"; }

# Resident memory of a process and its children (NGINX's master and workers) in MiB.
rss_tree_mib() {
  local pid kib=0
  for pid in "$1" $(pgrep -P "$1" || true); do
    kib=$((kib + $(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)))
  done
  echo $(((kib + 512) / 1024))
}

# CPU time (user + system) of a process in clock ticks.
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# CPU time of a process and its children (NGINX's master and workers), user and system apart: "user_ticks sys_ticks".
cpu_user_sys_tree() {
  local pid
  for pid in "$1" $(pgrep -P "$1" || true); do sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null || true; done |
    awk '{ u += $12; s += $13 } END { print u + 0, s + 0 }'
}

# ESTABLISHED TCP connections owned by pid to any of the given local ports.
conns_to() { # pid port...
  local pid=$1 filter="" port; shift
  for port in "$@"; do filter+="${filter:+ or }dport = :$port"; done
  ss -Htnp state established "( $filter )" | grep -c "pid=$pid," || true
}

# Median of the numbers on stdin.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Stops the service started last (SIGTERM, so its embedded PostgreSQL shuts down too) and forgets its pid.
stop_service() {
  kill "$SERVICE_PID" 2>/dev/null || true
  wait "$SERVICE_PID" 2>/dev/null || true
  local keep=() pid
  for pid in "${PIDS[@]}"; do [[ $pid == "$SERVICE_PID" ]] || keep+=("$pid"); done
  PIDS=("${keep[@]}")
}
