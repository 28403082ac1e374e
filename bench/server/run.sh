#!/usr/bin/env bash
# Benchmark: hosts-server vs nginx (Debian package, 1 worker, etag on) serving the same 1,000-entry
# profile from the same directory, in the same run, measured with wrk for a full 200 and for a 304.
#
#   bench/server/run.sh                 # defaults below
#   DURATION=10s CONNECTIONS=64 ROUNDS=7 bench/server/run.sh
#
# Each case runs ROUNDS times, alternating servers; the table shows each server's best round (requests/s
# and that round's p99) and its median CPU time per request, read from /proc (user+system of the serving
# process). CPU per request is the steadier number on a busy machine.
#
# Fairness: nginx runs one worker, so by default each server is pinned to the same single CPU
# (PIN=1, needs 2+ CPUs) and wrk to another; both have their access log off. PIN=0 lets the kernel
# schedule freely (hosts-server then uses one event loop per core).
set -euo pipefail

DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-5}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
PIN=${PIN:-1}
ENTRIES=${ENTRIES:-1000}
HS_PORT=${HS_PORT:-18480}
NGINX_PORT=${NGINX_PORT:-18481}

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need wrk || ! [ -x /usr/sbin/nginx ]; then
    echo "installing wrk and nginx (Debian packages)..." >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null ||
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx >/dev/null
fi
# The Debian package may have started its own nginx on port 80; ours is separate and foreground.

echo "building hosts-server (release)..." >&2
[ -n "${SERVER_BIN:-}" ] || swift build -c release --static-swift-stdlib --product hosts-server >/dev/null
BIN="${SERVER_BIN:-$(swift build -c release --static-swift-stdlib --show-bin-path)/hosts-server}"

WORK=$(mktemp -d /tmp/hosts-server-bench.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

# The profile: $ENTRIES sorted lines, as hosts-generator writes them.
mkdir -p "$WORK/published" "$WORK/nginx"
awk -v n="$ENTRIES" 'BEGIN { for (i = 0; i < n; i++) printf "10.%d.%d.%d\tip-%05d.apne1a-prod.example.internal ip-%05d\n", int(i/65536)%256, int(i/256)%256, i%256, i, i }' \
    >"$WORK/published/bench.hosts"
chmod -R a+rX "$WORK"  # nginx workers run as www-data
SIZE=$(stat -c %s "$WORK/published/bench.hosts")

cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    etag on;
    keepalive_requests 10000000;
    keepalive_timeout 60s;
    client_body_temp_path $WORK/nginx/tmp;
    proxy_temp_path $WORK/nginx/tmp;
    fastcgi_temp_path $WORK/nginx/tmp;
    uwsgi_temp_path $WORK/nginx/tmp;
    scgi_temp_path $WORK/nginx/tmp;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location = /profiles/bench {
            default_type "text/plain; charset=utf-8";
            add_header Cache-Control no-cache;
            alias $WORK/published/bench.hosts;
        }
    }
}
CONF

SERVER_CPU=()
WRK_CPU=()
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && need taskset; then
    SERVER_CPU=(taskset -c 1)
    WRK_CPU=(taskset -c 0)
fi

"${SERVER_CPU[@]}" /usr/sbin/nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
NGINX_PID=$!
PIDS+=($NGINX_PID)
"${SERVER_CPU[@]}" "$BIN" --dir "$WORK/published" --port "$HS_PORT" --no-access-log --log-level warning &
HS_PID=$!
PIDS+=($HS_PID)

wait_up() {
    for _ in $(seq 1 100); do
        curl -fsS -o /dev/null "http://127.0.0.1:$1/profiles/bench" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "server on port $1 did not start" >&2
    exit 1
}
wait_up "$HS_PORT"
wait_up "$NGINX_PORT"
# nginx's master forks the worker that serves; measure that one.
NGINX_WORKER=$(pgrep -P "$NGINX_PID" | head -1)

etag_of() { curl -fsS -D - -o /dev/null "http://127.0.0.1:$1/profiles/bench" | awk -F': ' 'tolower($1)=="etag" { sub(/\r$/, "", $2); print $2 }'; }
HS_ETAG=$(etag_of "$HS_PORT")
NGINX_ETAG=$(etag_of "$NGINX_PORT")
for port in "$HS_PORT" "$NGINX_PORT"; do
    got=$(curl -fsS "http://127.0.0.1:$port/profiles/bench" | cmp - "$WORK/published/bench.hosts" && echo same)
    [ "$got" = same ] || { echo "port $port does not serve the profile's exact bytes" >&2; exit 1; }
done
for pair in "$HS_PORT:$HS_ETAG" "$NGINX_PORT:$NGINX_ETAG"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: ${pair#*:}" "http://127.0.0.1:${pair%%:*}/profiles/bench")
    [ "$code" = 304 ] || { echo "port ${pair%%:*}: If-None-Match gave $code, not 304" >&2; exit 1; }
done

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICKS=$(getconf CLK_TCK)

# run_wrk PORT PID [HEADER] -> "requests/s p99 errors cpu-microseconds-per-request"
run_wrk() {
    local port=$1 pid=$2 header=${3:-}
    local args=(-t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency)
    [ -n "$header" ] && args+=(-H "$header")
    # A short warm-up, then the measured run.
    "${WRK_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d1s ${header:+-H "$header"} "http://127.0.0.1:$port/profiles/bench" >/dev/null
    local before after
    before=$(cpu_ticks "$pid")
    "${WRK_CPU[@]}" wrk "${args[@]}" "http://127.0.0.1:$port/profiles/bench" >"$WORK/wrk.out"
    after=$(cpu_ticks "$pid")
    awk -v ticks=$((after - before)) -v hz="$TICKS" '
        /requests in/ { total = $1 }
        /Requests\/sec:/ { rps = $2 }
        /^ +99%/ { p99 = $2 }
        /Non-2xx or 3xx responses:/ { errors += $NF }
        /Socket errors:/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
        END { printf "%s %s %d %.1f\n", rps, p99, errors, (total > 0 ? ticks / hz * 1e6 / total : 0) }' "$WORK/wrk.out"
}

echo "profile: $ENTRIES entries, $SIZE bytes; wrk -t$THREADS -c$CONNECTIONS -d$DURATION; rounds: $ROUNDS; pinned: $PIN" >&2
declare -A RESULT
for round in $(seq 1 "$ROUNDS"); do
    for kind in full notmodified; do
        for server in hosts-server nginx; do
            if [ "$server" = hosts-server ]; then port=$HS_PORT; pid=$HS_PID; etag=$HS_ETAG; else port=$NGINX_PORT; pid=$NGINX_WORKER; etag=$NGINX_ETAG; fi
            header=""
            [ "$kind" = notmodified ] && header="If-None-Match: $etag"
            line=$(run_wrk "$port" "$pid" "$header")
            echo "round $round $kind $server: $line" >&2
            RESULT["$kind/$server"]+="$line"$'\n'
        done
    done
done

# summarize LINES -> "best-rps p99-of-best total-errors median-cpu"
summarize() {
    printf '%s' "$1" | awk 'NF == 4 {
        n++; cpu[n] = $4; errors += $3
        if ($1 + 0 > best) { best = $1 + 0; p99 = $2 }
    } END {
        # median of the CPU figures
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (cpu[j] < cpu[i]) { t = cpu[i]; cpu[i] = cpu[j]; cpu[j] = t }
        printf "%.0f %s %d %s\n", best, p99, errors, cpu[int((n + 1) / 2)]
    }'
}

printf '\n%-18s | %12s %9s %6s %8s | %12s %9s %6s %8s | %9s %9s\n' "case" "hosts-server" "p99" "errors" "us/req" "nginx" "p99" "errors" "us/req" "req/s" "cpu/req"
printf '%s\n' "-------------------+-----------------------------------------+-----------------------------------------+--------------------"
status=0
for kind in full notmodified; do
    read -r hrps hp99 herr hcpu <<<"$(summarize "${RESULT[$kind/hosts-server]}")"
    read -r nrps np99 nerr ncpu <<<"$(summarize "${RESULT[$kind/nginx]}")"
    ratio=$(awk -v a="$hrps" -v b="$nrps" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }')
    cpuratio=$(awk -v a="$hcpu" -v b="$ncpu" 'BEGIN { printf "%.2fx", (a > 0 ? b / a : 0) }')
    label=$([ "$kind" = full ] && echo "200 full body" || echo "304 If-None-Match")
    printf '%-18s | %12s %9s %6s %8s | %12s %9s %6s %8s | %9s %9s\n' "$label" "$hrps" "$hp99" "$herr" "$hcpu" "$nrps" "$np99" "$nerr" "$ncpu" "$ratio" "$cpuratio"
    if awk -v a="$hrps" -v b="$nrps" 'BEGIN { exit !(a < b) }' || [ "$herr" != 0 ]; then status=1; fi
done
echo
echo "req/s: hosts-server's best round / nginx's best round; cpu/req: nginx's CPU per request / hosts-server's (above 1 = hosts-server cheaper)."
if [ $status = 0 ]; then echo "goal met: hosts-server >= 1.0x nginx requests/s on both, no errors"; else echo "goal NOT met on this run"; fi
