#!/usr/bin/env bash
# Benchmark: hosts-server (with its fast path and, with --no-fast-path, Hummingbird alone) vs nginx
# (Debian package, 1 worker, etag on) serving the same 1,000-entry profile from the same directory, in the
# same run, each with its access log on and off, measured with wrk for a full 200 and for a 304.
#
#   bench/server/run.sh                 # defaults below
#   DURATION=10s CONNECTIONS=64 ROUNDS=7 bench/server/run.sh
#
# Each case runs ROUNDS times, alternating servers; the table shows each server's best round (requests/s)
# and its median CPU time per request, read from /proc (user+system of the serving process, the access-log
# writer thread included). CPU per request is the steadier number on a busy machine.
#
# Fairness: nginx runs one worker, so by default every server is pinned to the same single CPU (PIN=1,
# needs 2+ CPUs; hosts-server then runs one event loop) and wrk to another. With logs on, both write to a
# file in the work directory: nginx with `access_log … combined buffer=32k flush=1s`, its cheapest logging,
# hosts-server its default access log (32 KiB buffer, 1 s flush) on standard output. PIN=0 lets the kernel
# schedule freely. A hosts-server without --no-fast-path shows n/a in that column.
set -euo pipefail

DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-5}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
PIN=${PIN:-1}
ENTRIES=${ENTRIES:-1000}
PORT_BASE=${PORT_BASE:-18480}

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
mkdir -p "$WORK/published"
awk -v n="$ENTRIES" 'BEGIN { for (i = 0; i < n; i++) printf "10.%d.%d.%d\tip-%05d.apne1a-prod.example.internal ip-%05d\n", int(i/65536)%256, int(i/256)%256, i%256, i, i }' \
    >"$WORK/published/bench.hosts"
chmod -R a+rX "$WORK"  # nginx workers run as www-data
SIZE=$(stat -c %s "$WORK/published/bench.hosts")

# nginx_conf NAME PORT ACCESS_LOG_LINE
nginx_conf() {
    mkdir -p "$WORK/$1/tmp"
    cat >"$WORK/$1/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/$1/nginx.pid;
error_log $WORK/$1/error.log warn;
events { worker_connections 4096; }
http {
    $3
    sendfile on;
    tcp_nopush on;
    etag on;
    keepalive_requests 10000000;
    keepalive_timeout 60s;
    client_body_temp_path $WORK/$1/tmp;
    proxy_temp_path $WORK/$1/tmp;
    fastcgi_temp_path $WORK/$1/tmp;
    uwsgi_temp_path $WORK/$1/tmp;
    scgi_temp_path $WORK/$1/tmp;
    server {
        listen 127.0.0.1:$2;
        location = /profiles/bench {
            default_type "text/plain; charset=utf-8";
            add_header Cache-Control no-cache;
            alias $WORK/published/bench.hosts;
        }
    }
}
CONF
}

SERVER_CPU=()
WRK_CPU=()
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && need taskset; then
    SERVER_CPU=(taskset -c 1)
    WRK_CPU=(taskset -c 0)
fi

# Servers, by column: hosts-server with the fast path, without it, nginx; each with its access log on and off.
COLUMNS=(fast nofast nginx)
declare -A PORT PID ETAG
FAST_PATH_FLAG=0
"$BIN" --help 2>&1 | grep -q -- '--no-fast-path' && FAST_PATH_FLAG=1
next_port=$PORT_BASE
start() {  # start COLUMN LOGS
    local column=$1 logs=$2 key="$1/$2" port=$next_port
    next_port=$((next_port + 1))
    case $column in
    fast | nofast)
        local args=(--dir "$WORK/published" --port "$port" --log-level warning)
        [ "$logs" = off ] && args+=(--no-access-log)
        [ "$column" = nofast ] && args+=(--no-fast-path)
        "${SERVER_CPU[@]}" "$BIN" "${args[@]}" >"$WORK/$column-$logs.access.log" 2>"$WORK/$column-$logs.log" &
        PID[$key]=$!
        PIDS+=($!)
        ;;
    nginx)
        local line="access_log off;"
        [ "$logs" = on ] && line="access_log $WORK/nginx-$logs/access.log combined buffer=32k flush=1s;"
        nginx_conf "nginx-$logs" "$port" "$line"
        "${SERVER_CPU[@]}" /usr/sbin/nginx -c "$WORK/nginx-$logs/nginx.conf" -p "$WORK/nginx-$logs" &
        PIDS+=($!)
        PID[$key]=$!  # the master; replaced by its worker below
        ;;
    esac
    PORT[$key]=$port
}
for logs in on off; do
    start fast "$logs"
    [ $FAST_PATH_FLAG = 1 ] && start nofast "$logs"
    start nginx "$logs"
done

wait_up() {
    for _ in $(seq 1 100); do
        curl -fsS -o /dev/null "http://127.0.0.1:$1/profiles/bench" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "server on port $1 did not start" >&2
    exit 1
}
etag_of() { curl -fsS -D - -o /dev/null "http://127.0.0.1:$1/profiles/bench" | awk -F': ' 'tolower($1)=="etag" { sub(/\r$/, "", $2); print $2 }'; }
for key in "${!PORT[@]}"; do
    port=${PORT[$key]}
    wait_up "$port"
    # nginx's master forks the worker that serves; measure that one.
    [ "${key%/*}" = nginx ] && PID[$key]=$(pgrep -P "${PID[$key]}" | head -1)
    got=$(curl -fsS "http://127.0.0.1:$port/profiles/bench" | cmp - "$WORK/published/bench.hosts" && echo same)
    [ "$got" = same ] || { echo "$key (port $port) does not serve the profile's exact bytes" >&2; exit 1; }
    ETAG[$key]=$(etag_of "$port")
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: ${ETAG[$key]}" "http://127.0.0.1:$port/profiles/bench")
    [ "$code" = 304 ] || { echo "$key (port $port): If-None-Match gave $code, not 304" >&2; exit 1; }
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

echo "profile: $ENTRIES entries, $SIZE bytes; wrk -t$THREADS -c$CONNECTIONS -d$DURATION; rounds: $ROUNDS; pinned: $PIN; load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
declare -A RESULT
for round in $(seq 1 "$ROUNDS"); do
    for kind in full notmodified; do
        for logs in on off; do
            for column in "${COLUMNS[@]}"; do
                key="$column/$logs"
                [ -n "${PORT[$key]:-}" ] || continue
                header=""
                [ "$kind" = notmodified ] && header="If-None-Match: ${ETAG[$key]}"
                line=$(run_wrk "${PORT[$key]}" "${PID[$key]}" "$header")
                echo "round $round $kind logs $logs $column: $line" >&2
                RESULT["$kind/$key"]+="$line"$'\n'
            done
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
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2fx", a / b; else printf "n/a" }'; }

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
printf '\n%-18s %-4s | %-22s | %-22s | %-22s | %-12s %-12s\n' "case" "logs" "hosts-server req/s us" "--no-fast-path req/s us" "nginx req/s us" "fast/nginx" "no-fast/nginx"
printf '%s\n' "------------------------+------------------------+------------------------+------------------------+--------------------------"
status=0
for kind in full notmodified; do
    label=$([ "$kind" = full ] && echo "200 full body" || echo "304 If-None-Match")
    for logs in on off; do
        declare -A RPS=() CPU=() ERR=()
        for column in "${COLUMNS[@]}"; do
            if [ -n "${RESULT[$kind/$column/$logs]:-}" ]; then
                read -r rps _ err cpu <<<"$(summarize "${RESULT[$kind/$column/$logs]}")"
                RPS[$column]=$rps CPU[$column]=$cpu ERR[$column]=$err
            else
                RPS[$column]=0 CPU[$column]=0 ERR[$column]=0
            fi
        done
        cell() { [ "${RPS[$1]}" = 0 ] && printf '%-22s' "n/a" || printf '%-22s' "$(printf '%8s %7s' "${RPS[$1]}" "${CPU[$1]}")"; }
        printf '%-18s %-4s | %s | %s | %s | %-12s %-12s\n' "$label" "$logs" "$(cell fast)" "$(cell nofast)" "$(cell nginx)" \
            "$(ratio "${RPS[fast]}" "${RPS[nginx]}")" "$(ratio "${RPS[nofast]}" "${RPS[nginx]}")"
        for column in "${COLUMNS[@]}"; do
            [ "${ERR[$column]}" = 0 ] || { echo "  $column: ${ERR[$column]} errors (non-2xx/3xx or socket errors)"; status=1; }
        done
        if [ "$logs" = on ] && awk -v a="${RPS[fast]}" -v b="${RPS[nginx]}" 'BEGIN { exit !(a < b) }'; then status=1; fi
    done
done
echo
echo "req/s: best round; us: median CPU microseconds per request of the serving process; ratios: req/s over nginx's."
[ $FAST_PATH_FLAG = 1 ] || echo "--no-fast-path: this hosts-server has no such flag (n/a)."
if [ $status = 0 ]; then echo "goal met: hosts-server >= 1.0x nginx requests/s with logs on, on both, no errors"; else echo "goal NOT met on this run"; fi
