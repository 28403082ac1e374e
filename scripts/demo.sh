#!/usr/bin/env bash
# The whole PseudoDNS story on one machine, in a sandbox under .build/demo:
# moto_server (EC2-compatible) seeded with an estate → hosts-generator → hosts-server → hosts-client
# on a sandbox hosts file; then the estate changes and the client picks the change up.
# KEEP=1 leaves moto and the server running until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-$(swift build -c release --static-swift-stdlib --show-bin-path)}"
WORK="${DEMO_DIR:-$PWD/.build/demo}"
rm -rf "$WORK"
mkdir -p "$WORK"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # URL
    for _ in $(seq 1 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
    echo "demo: $1 did not answer" >&2; return 1
}
pids=()
cleanup() {
    # TERM first; KILL what is still there after 3 s (a parent may have left SIGTERM blocked for its children).
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for _ in $(seq 1 30); do
        alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' TERM
if [ "${KEEP:-}" = 1 ]; then trap 'echo; exit 0' INT; else trap 'exit 130' INT; fi
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_EC2_METADATA_DISABLED=true
MOTO_PORT=$(free_port)
step "moto_server (EC2-compatible) on 127.0.0.1:$MOTO_PORT"
moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$MOTO_PORT/moto-api/"
python3 scripts/demo_estate.py "http://127.0.0.1:$MOTO_PORT" seed

export AWS_ENDPOINT_URL_EC2="http://127.0.0.1:$MOTO_PORT"
generate() { "$BIN/hosts-generator" generate --config Profiles/example.yml --output "$WORK/published"; }
step "hosts-generator generate --config Profiles/example.yml (AWS_ENDPOINT_URL_EC2=$AWS_ENDPOINT_URL_EC2)"
generate
ls -l "$WORK/published"

SERVER_PORT=$(free_port)
URL="http://127.0.0.1:$SERVER_PORT"
step "hosts-server on $URL"
"$BIN/hosts-server" --dir "$WORK/published" --host 127.0.0.1 --port "$SERVER_PORT" >"$WORK/server.log" 2>&1 &
pids+=($!)
wait_for "$URL/healthz"

client() { "$BIN/hosts-client" --hosts-file "$WORK/hosts" --state-dir "$WORK/state" "$@"; }
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost\n# a line another tool wrote\n10.9.9.9 printer.local\n' >"$WORK/hosts"
step "hosts-client: subscribe to office, add a local segment, sync"
client add office --url "$URL/profiles/office"
printf '127.0.0.1 dev.local\n' >"$WORK/mine.hosts"
client add mine --local --from "$WORK/mine.hosts"
client sync

step "URLs"
echo "  profiles page:  $URL/"
echo "  index (JSON):   $URL/profiles"
echo "  office profile: $URL/profiles/office"
echo "  remote profile: $URL/profiles/remote"
echo "  metrics:        $URL/metrics"
step "sandbox hosts file ($WORK/hosts)"
cat "$WORK/hosts"
step "hosts-client status"
client status

step "the estate changes: web-a2 terminated, web-a9 launched; regenerate and re-sync"
cp "$WORK/hosts" "$WORK/hosts.before"
python3 scripts/demo_estate.py "http://127.0.0.1:$MOTO_PORT" change
generate
# hosts-server notices the new file within a second or two; wait until it serves the new bytes.
want=$(sha256sum "$WORK/published/office.hosts" | cut -d' ' -f1)
for _ in $(seq 1 50); do
    curl -fsSI "$URL/profiles/office" | grep -qi "^etag: \"$want" && break
    sleep 0.1
done
client sync --force
step "what changed in the hosts file"
diff -u --label before --label after "$WORK/hosts.before" "$WORK/hosts" || true

if [ "${KEEP:-}" = 1 ]; then
    step "KEEP=1: moto and hosts-server keep running at $URL; Ctrl-C stops them"
    wait
fi
step "done; everything it started is stopped (sandbox left in $WORK)"
