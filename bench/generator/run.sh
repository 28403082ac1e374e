#!/usr/bin/env bash
# Benchmark: hosts-generator (release) vs a Python boto3 script doing the same DescribeInstances query and
# render, both against the same loopback endpoint serving 10 recorded pages (10,000 instances) from moto.
# Prints wall time and peak memory (max RSS) side by side. Usage: bench/generator/run.sh [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=${1:-3}
data=${PSEUDODNS_BENCH_DATA:-${TMPDIR:-/tmp}/pseudodns-bench-generator}
work=$(mktemp -d)
replay_pid=""
cleanup() { [ -n "$replay_pid" ] && kill "$replay_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
python3 -c 'import boto3' 2>/dev/null || pip install -q boto3
python3 -c 'import moto.server' 2>/dev/null || pip install -q 'moto[server]'

echo "building hosts-generator (release)…" >&2
(cd "$root" && swift build -c release --static-swift-stdlib --product hosts-generator >/dev/null)
bin="$(cd "$root" && swift build -c release --static-swift-stdlib --show-bin-path)/hosts-generator"

if [ ! -f "$data/page-10.xml" ]; then
    echo "recording 10,000 instances from moto into $data (once)…" >&2
    python3 "$here/record.py" "$data"
fi
pages=$(ls "$data"/page-*.xml | wc -l)
bytes=$(cat "$data"/page-*.xml | wc -c)

python3 "$here/replay.py" "$data" "$work/port" &
replay_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
endpoint="http://127.0.0.1:$(cat "$work/port")"

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true
# "seconds KiB" of one run
measure() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }; cat "$work/time"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: >"$work/swift"; : >"$work/boto3"
for i in $(seq "$runs"); do
    AWS_ENDPOINT_URL_EC2="$endpoint" measure "$bin" generate --config "$here/bench.yml" --output "$work/swift-out-$i" \
        --log-level warning >>"$work/swift"
    measure python3 "$here/boto3_generator.py" "$endpoint" "$work/boto3-out-$i" >>"$work/boto3"
done

same=yes
for profile in office remote; do
    if ! diff -q <(grep -v '^#' "$work/swift-out-1/$profile.hosts" | tr -s ' ') \
        <(grep -v '^#' "$work/boto3-out-1/$profile.hosts" | tr -s ' ') >/dev/null; then same=no; fi
done
entries=$(grep -vc '^#' "$work/swift-out-1/remote.hosts")

swift_s=$(cut -d' ' -f1 "$work/swift" | median); swift_kb=$(cut -d' ' -f2 "$work/swift" | sort -n | tail -1)
boto_s=$(cut -d' ' -f1 "$work/boto3" | median); boto_kb=$(cut -d' ' -f2 "$work/boto3" | sort -n | tail -1)
echo "DescribeInstances: $pages pages, $((bytes / 1024)) KiB of XML, $entries instances rendered; $runs runs each (median wall, max peak RSS)"
printf '%-18s %10s %14s\n' "" "wall (s)" "peak RSS (MiB)"
printf '%-18s %10s %14.1f\n' "hosts-generator" "$swift_s" "$(echo "$swift_kb / 1024" | bc -l)"
printf '%-18s %10s %14.1f\n' "python boto3" "$boto_s" "$(echo "$boto_kb / 1024" | bc -l)"
echo "speed-up: $(echo "scale=1; $boto_s / $swift_s" | bc -l)x (goal >= 5x); peak memory goal < 64 MiB; same entries: $same"
