#!/bin/sh
# The hand-rolled way hosts-client replaces: curl with an ETag file, then awk splices the block into the hosts
# file (no validation, no lock, no backup rotation, no conflict handling). Usage: peer.sh sync|off|on URL DIR
set -eu
step=$1 url=$2 dir=$3
hosts=$dir/hosts
begin='# BEGIN PSEUDODNS'
end='# END PSEUDODNS'
splice() { # $1: file whose content goes into the block, or empty for none
    awk -v b="$begin" -v e="$end" 'index($0, b) == 1 { skip = 1 } !skip { print } index($0, e) == 1 { skip = 0 }' \
        "$hosts" > "$hosts.tmp"
    if [ -n "$1" ]; then { echo "$begin"; cat "$1"; echo "$end"; } >> "$hosts.tmp"; fi
    cp "$hosts" "$dir/hosts.bak"
    mv "$hosts.tmp" "$hosts"
}
case $step in
sync)
    code=$(curl -sS -o "$dir/segment.new" -w '%{http_code}' --etag-compare "$dir/etag" --etag-save "$dir/etag" "$url")
    if [ "$code" = 200 ]; then mv "$dir/segment.new" "$dir/segment"; splice "$dir/segment"; fi ;;
off) splice "" ;;
on) splice "$dir/segment" ;;
esac
