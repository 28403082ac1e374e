#!/usr/bin/env bash
# Instructions per request, counted by valgrind (callgrind), for hosts-server with its fast path, with
# --no-fast-path, and nginx (one worker, master_process off): the same 1,000-entry profile, each with its
# access log on (nginx: `combined buffer=32k flush=1s`, hosts-server: its default), a full 200 and a 304.
# Unlike bench/server/run.sh this does not depend on the machine's load: the counts are the same on a busy
# machine, so it is the number to compare changes by. It counts user-space instructions only (the kernel's
# work per request, syscalls included, is not in it): the syscalls per request are counted too (strace -c).
#
#   bench/server/instructions.sh                 # the release build (built if SERVER_BIN is unset)
#   SERVER_BIN=path/to/hosts-server COUNT=4000 bench/server/instructions.sh
#   SERVERS="fast nginx" KINDS=304 bench/server/instructions.sh
#   KINDS=client bench/server/instructions.sh      # a 304 poll with the headers hosts-client sends
#
# Each server runs twice, for WARM and WARM+COUNT requests on one kept-alive connection
# (bench/server/keepalive-client.c): the difference over COUNT is the cost of a request, start-up and exit
# left out. The access log's writer thread and its flushes are in it.
set -euo pipefail

COUNT=${COUNT:-4000}
WARM=${WARM:-1000}
SERVERS=${SERVERS:-fast nofast nginx}
KINDS=${KINDS:-200 304}
ENTRIES=${ENTRIES:-1000}
PORT=${PORT:-18570}

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
for tool in valgrind strace gcc curl; do
    command -v $tool >/dev/null || { echo "needs $tool (apt-get install valgrind strace gcc curl)" >&2; exit 1; }
done
[ -x /usr/sbin/nginx ] || { echo "needs nginx (apt-get install nginx-light)" >&2; exit 1; }
if [ -z "${SERVER_BIN:-}" ]; then
    echo "building hosts-server (release)..." >&2
    swift build -c release --static-swift-stdlib --product hosts-server >/dev/null
fi
BIN="${SERVER_BIN:-$(swift build -c release --static-swift-stdlib --show-bin-path)/hosts-server}"

WORK=$(mktemp -d /tmp/hosts-server-instructions.XXXXXX)
SERVER_PID=""
cleanup() {
    [ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null || true
    [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
gcc -O2 -Wall -o "$WORK/client" bench/server/keepalive-client.c

mkdir -p "$WORK/published" "$WORK/nginx/tmp"
awk -v n="$ENTRIES" 'BEGIN { for (i = 0; i < n; i++) printf "10.%d.%d.%d\tip-%05d.apne1a-prod.example.internal ip-%05d\n", int(i/65536)%256, int(i/256)%256, i%256, i, i }' \
    >"$WORK/published/bench.hosts"
chmod -R a+rX "$WORK"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
master_process off;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log $WORK/nginx/access.log combined buffer=32k flush=1s;
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
        listen 127.0.0.1:$PORT;
        location = /profiles/bench {
            default_type "text/plain; charset=utf-8";
            add_header Cache-Control no-cache;
            alias $WORK/published/bench.hosts;
        }
    }
}
CONF

# serve SERVER WRAPPER... : starts the server under WRAPPER (valgrind or strace), waits until it answers.
serve() {
    local server=$1
    shift
    case $server in
    nginx) "$@" /usr/sbin/nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" 2>>"$WORK/wrapper.log" & ;;
    fast) "$@" "$BIN" --dir "$WORK/published" --port "$PORT" --log-level warning >"$WORK/access.log" 2>>"$WORK/wrapper.log" & ;;
    nofast) "$@" "$BIN" --dir "$WORK/published" --port "$PORT" --log-level warning --no-fast-path \
        >"$WORK/access.log" 2>>"$WORK/wrapper.log" & ;;
    esac
    SERVER_PID=$!
    for _ in $(seq 1 600); do
        curl -fsS -o /dev/null "http://127.0.0.1:$PORT/profiles/bench" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "$server did not start (see $WORK/wrapper.log; KEEP=1 keeps it)" >&2
    exit 1
}

# drive KIND N: N requests on one connection. KIND client: a 304 poll with the headers hosts-client sends.
drive() {
    local kind=$1 n=$2 etag
    case $kind in
    304)
        etag=$(curl -fsS -D - -o /dev/null "http://127.0.0.1:$PORT/profiles/bench" |
            awk -F': ' 'tolower($1)=="etag" { sub(/\r$/, "", $2); print $2 }')
        "$WORK/client" "$PORT" /profiles/bench "$n" 304 "If-None-Match: $etag" >/dev/null
        ;;
    client)
        etag=$(curl -fsS -H 'Accept-Encoding: gzip, deflate' -D - -o /dev/null "http://127.0.0.1:$PORT/profiles/bench" |
            awk -F': ' 'tolower($1)=="etag" { sub(/\r$/, "", $2); print $2 }')
        "$WORK/client" "$PORT" /profiles/bench "$n" 304 \
            "User-Agent: hosts-client (PseudoDNS)"$'\r\n'"Accept-Encoding: gzip, deflate"$'\r\n'"If-None-Match: $etag" >/dev/null
        ;;
    *) "$WORK/client" "$PORT" /profiles/bench "$n" 200 >/dev/null ;;
    esac
}

stop() {
    sleep 1.5  # both logs flush within 1 s
    # The server itself, not the wrapper: strace does not pass the signal on.
    local server
    server=$(pgrep -P "$SERVER_PID" | head -1)
    kill -TERM "${server:-$SERVER_PID}"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

# instructions SERVER KIND N -> callgrind's total for the server's run with N requests
instructions() {
    local out="$WORK/callgrind.$1.$2.$3"
    serve "$1" valgrind --tool=callgrind --callgrind-out-file="$out.%p"
    drive "$2" "$3"
    stop
    cat "$out".* | awk '/^summary:/ { total += $2 } END { print total }'
}

# syscalls SERVER KIND N -> syscalls the server made in its run with N requests
syscalls() {
    local out="$WORK/strace.$1.$2.$3"
    serve "$1" strace -f -c -o "$out"
    drive "$2" "$3"
    stop
    awk '$NF == "total" { print $4 }' "$out"
}

printf '%-8s %-5s %14s %14s\n' server case "instr/request" "syscalls/req"
for kind in $KINDS; do
    for server in $SERVERS; do
        low=$(instructions "$server" "$kind" "$WARM")
        high=$(instructions "$server" "$kind" $((WARM + COUNT)))
        slow=$(syscalls "$server" "$kind" "$WARM")
        shigh=$(syscalls "$server" "$kind" $((WARM + COUNT)))
        printf '%-8s %-5s %14.0f %14.2f\n' "$server" "$kind" "$(((high - low) / COUNT))" \
            "$(awk -v a="$shigh" -v b="$slow" -v n="$COUNT" 'BEGIN { print (a - b) / n }')"
    done
done
echo "instr/request: valgrind callgrind's count of user-space instructions of the server process (every thread) a request;"
echo "syscalls/req: strace -c. Both from the difference of a run with $WARM and $((WARM + COUNT)) requests on one connection."
