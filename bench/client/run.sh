#!/usr/bin/env bash
# bench/client: hosts-client syncing a 100,000-entry remote segment into a hosts file.
# Prints wall time and peak memory for the first sync, an unchanged re-sync (304) and a toggle, side by side
# with the hand-rolled peer (curl + awk). Goals: first sync < 0.5 s and < 64 MiB; unchanged re-sync < 50 ms.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=$ROOT/bench/client
ENTRIES=${ENTRIES:-100000}
PORT=${PORT:-18431}

command -v python3 >/dev/null || { apt-get update -qq && apt-get install -y -qq python3; }
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl; }

echo "building hosts-client (release)…" >&2
[ -n "${CLIENT_BIN:-}" ] || swift build -c release --static-swift-stdlib --product hosts-client >&2
BIN=${CLIENT_BIN:-$(swift build -c release --static-swift-stdlib --show-bin-path)/hosts-client}

WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 - "$ENTRIES" > "$WORK/segment.hosts" <<'PY'
import sys
n = int(sys.argv[1])
for i in range(n):
    print("10.%d.%d.%d srv-%d.apne1a-prod srv-%d" % (i >> 16, (i >> 8) & 255, i & 255, i, i))
PY
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n' > "$WORK/hosts.orig"
python3 "$HERE/server.py" "$WORK/segment.hosts" "$PORT" > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do grep -q ready "$WORK/server.log" 2>/dev/null && break; sleep 0.1; done
URL=http://127.0.0.1:$PORT/profiles/office

M="python3 $HERE/measure.py"
ROUNDS=${ROUNDS:-3}
: > "$WORK/client.tsv"
: > "$WORK/peer.tsv"
# Each round starts from scratch; the table keeps each step's best wall time (this is a shared 2-core box).
for _ in $(seq "$ROUNDS"); do
    C=$WORK/client P=$WORK/peer
    rm -rf "$C" "$P"
    mkdir -p "$C" "$P"
    cp "$WORK/hosts.orig" "$C/hosts"
    cp "$WORK/hosts.orig" "$P/hosts"
    HC=("$BIN" --hosts-file "$C/hosts" --state-dir "$C/state")
    {
        $M "first sync" -- "${HC[@]}" add office --url "$URL"
        $M "unchanged re-sync (304)" -- "${HC[@]}" sync --force
        $M "toggle off" -- "${HC[@]}" disable office
        $M "toggle on" -- "${HC[@]}" enable office
    } >> "$WORK/client.tsv"
    {
        $M "first sync" -- sh "$HERE/peer.sh" sync "$URL" "$P"
        $M "unchanged re-sync (304)" -- sh "$HERE/peer.sh" sync "$URL" "$P"
        $M "toggle off" -- sh "$HERE/peer.sh" off "$URL" "$P"
        $M "toggle on" -- sh "$HERE/peer.sh" on "$URL" "$P"
    } >> "$WORK/peer.tsv"
done
best() { # label  best-seconds  its-MiB  worst-exit, in first-seen label order
    awk -F'\t' '!($1 in t) { order[n++] = $1; t[$1] = $2; m[$1] = $3 }
        $2 < t[$1] { t[$1] = $2; m[$1] = $3 } $4 != 0 { x[$1] = $4 }
        END { for (i = 0; i < n; i++) { l = order[i]; printf "%s\t%s\t%s\t%d\n", l, t[l], m[l], x[l] } }' "$1"
}
best "$WORK/client.tsv" > "$WORK/client.best"
best "$WORK/peer.tsv" > "$WORK/peer.best"

grep -q "srv-99999" "$C/hosts" || { echo "hosts-client did not write the entries" >&2; exit 1; }
echo "$ENTRIES entries, $(wc -c < "$WORK/segment.hosts") bytes; hosts file $(wc -c < "$C/hosts") bytes;" \
    "best of $ROUNDS rounds; load average $(cut -d' ' -f1 /proc/loadavg)"
printf '%-26s | %-24s | %-24s\n' "step" "hosts-client" "peer: curl + awk"
printf '%-26s | %-24s | %-24s\n' "" "wall s    peak MiB" "wall s    peak MiB"
paste "$WORK/client.best" "$WORK/peer.best" | while IFS=$'\t' read -r label ct cm cx _ pt pm px; do
    printf '%-26s | %-8s  %-8s %-5s | %-8s  %-8s %-5s\n' "$label" "$ct" "$cm" \
        "$([ "$cx" = 0 ] || echo "rc=$cx")" "$pt" "$pm" "$([ "$px" = 0 ] || echo "rc=$px")"
done
echo "goals: first sync < 0.5 s and < 64 MiB; unchanged re-sync < 0.05 s"
