# Shared pieces of the benchmark scripts: tools check, backends, the packaged service, NGINX, HAProxy.
# Everything binds to 127.0.0.1 and lives under $WORK; stop_all cleans it up.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=${WORK:-$(mktemp -d /tmp/td-bench.XXXXXX)}
TOKEN=bench-token
PIDS=()

need() {
  local missing=()
  for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  if ((${#missing[@]})); then
    echo "missing: ${missing[*]} — install them first, e.g.: apt-get install -y nginx-light haproxy wrk" >&2
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

# A backend: one single-process NGINX answering its name with a small fixed body; sets BACKEND_PID.
start_backend() { # name port
  local name=$1 port=$2 dir="$WORK/backend-$1-$2"
  mkdir -p "$dir"
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
  server {
    listen 127.0.0.1:$port reuseport backlog=4096;
    location / { default_type text/plain; return 200 "$name"; }
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

# The JVM options the README recommends for running the service (bounded heap, small fixed young generation, the
# class-data archive, which is why start_service runs it from target/quarkus-app); TD_JAVA_OPTS replaces them.
TD_JAVA_OPTS=${TD_JAVA_OPTS-"-Xmx512m -Xmn64m -XX:SharedArchiveFile=app-cds.jsa"}

# The packaged service on its own embedded PostgreSQL under $WORK. Sets TD_ADMIN and TD_PROXY.
start_service() { # admin_port proxy_port [extra java args...]
  local admin=$1 proxy=$2; shift 2
  jar
  (cd "$ROOT/target/quarkus-app" && TD_ADMIN_TOKEN=$TOKEN exec java ${TD_JAVA_OPTS:-} -Dquarkus.http.port="$admin" \
    -Dquarkus.http.host=127.0.0.1 -Dtd.proxy.port="$proxy" -Dtd.proxy.host=127.0.0.1 -Dtd.data-dir="$WORK/td-data-$admin" "$@" \
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

start_nginx_proxy() { # port conf-upstream-block location-extra
  local port=$1 upstream=$2 extra=${3:-} dir="$WORK/nginx-proxy-$1" workers=${PROXY_WORKERS:-2}
  mkdir -p "$dir"
  cat > "$dir/nginx.conf" <<CONF
daemon off;
worker_processes $workers;
error_log $dir/error.log crit;
pid $dir/nginx.pid;
events { worker_connections 8192; }
http {
  access_log off;
  # NGINX closes a client connection after 1000 requests by default; h2load does not reconnect (and wrk pays
  # a reconnect), while HAProxy and the service keep connections open.
  keepalive_requests 1000000;
  upstream backends { $upstream keepalive 256; }
  server {
    listen 127.0.0.1:$port reuseport backlog=4096;
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
  PIDS+=("$!")
  wait_http "http://127.0.0.1:$port/"
}

start_haproxy() { # port backend-block
  local port=$1 servers=$2 dir="$WORK/haproxy-$1" threads=${PROXY_WORKERS:-2}
  mkdir -p "$dir"
  cat > "$dir/haproxy.cfg" <<CONF
global
  nbthread $threads
  maxconn 4096
defaults
  mode http
  option http-keep-alive
  option forwardfor
  timeout connect 3s
  timeout client 60s
  timeout server 60s
  http-reuse always
frontend fe
  bind 127.0.0.1:$port
  default_backend be
backend be
$servers
CONF
  haproxy -f "$dir/haproxy.cfg" -db >/dev/null 2>&1 &
  PIDS+=("$!")
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

# One wrk run; prints "req/s p50_ms p99_ms errors" (errors: non-2xx/3xx responses plus socket errors).
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
    END { printf "%.0f %.3f %.3f %d\n", rps, p50, p99, err }'
}

# Resident memory of a process in MiB.
rss_mib() { awk '/^VmRSS:/ { printf "%.0f\n", $2 / 1024 }' "/proc/$1/status"; }

# CPU time (user + system) of a process in clock ticks.
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

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
