#!/usr/bin/env bash
# The whole PseudoDNS story on one machine, in a sandbox under .build/demo:
# moto (EC2-compatible, scripts/moto-server.py) seeded with an estate → hosts-generator → hosts-server → hosts-client
# on a sandbox hosts file; then the estate changes and the client picks the change up.
# KEEP=1 leaves moto and the server running until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-$(swift build -c release --static-swift-stdlib --show-bin-path)}"
WORK="${DEMO_DIR:-$PWD/.build/demo}"
rm -rf "$WORK"
mkdir -p "$WORK"

# Servers start on port 0 and report the port they bound: the first match of sed expression $2 in file $1, waited
# for (up to 30 s) while process $3 runs. A port picked free beforehand could be taken by another process first.
reported_port() { # FILE SED-EXPRESSION PID NAME
    local port
    for _ in $(seq 1 300); do
        port=$(sed -n "$2" "$1")
        [ -n "$port" ] && { echo "$port"; return 0; }
        kill -0 "$3" 2>/dev/null || break
        sleep 0.1
    done
    echo "demo: $4 reported no port; its log: $1" >&2
    return 1
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
# --parent: moto exits by itself if this script is killed before it can stop it.
python3 scripts/moto-server.py --parent $$ >"$WORK/moto.port" 2>"$WORK/moto.log" &
pids+=($!)
MOTO_PORT=$(reported_port "$WORK/moto.port" 's/^port=//p' "$!" moto)
step "moto (EC2-compatible, scripts/moto-server.py) on 127.0.0.1:$MOTO_PORT"
python3 scripts/demo_estate.py "http://127.0.0.1:$MOTO_PORT" seed

export AWS_ENDPOINT_URL_EC2="http://127.0.0.1:$MOTO_PORT"
generate() { "$BIN/hosts-generator" generate --config Profiles/example.yml --output "$WORK/published"; }
step "hosts-generator generate --config Profiles/example.yml (AWS_ENDPOINT_URL_EC2=$AWS_ENDPOINT_URL_EC2)"
generate
ls -l "$WORK/published"

"$BIN/hosts-server" --dir "$WORK/published" --host 127.0.0.1 --port 0 >"$WORK/server.log" 2>&1 &
pids+=($!)
SERVER_PORT=$(reported_port "$WORK/server.log" 's/.*address=127\.0\.0\.1:\([0-9]*\) .*listening$/\1/p' "$!" hosts-server)
URL="http://127.0.0.1:$SERVER_PORT"
step "hosts-server on $URL"

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
