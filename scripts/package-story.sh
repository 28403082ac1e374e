#!/bin/bash
# Runs inside the package-test root (scripts/package-test.sh), from the installed packages only: no Swift,
# no source tree. generator check on the packaged example, hosts-server on a loopback port it picks itself,
# hosts-client add/sync/status/restore on a sandbox hosts file (never the root's /etc/hosts, which is only
# bind-mounted over, in this private mount namespace, to ask the resolver).
set -euo pipefail
step() { printf '\n== %s\n' "$*"; }
fail() { echo "package-story: $*" >&2; exit 1; }

step "no Swift here"
if command -v swift >/dev/null || ls /usr/lib/swift /usr/share/swift >/dev/null 2>&1; then fail "a Swift toolchain is installed"; fi
echo "command -v swift: none"
for program in hosts-generator hosts-server hosts-client; do
    printf '%s --version: %s\n' "$program" "$("$program" --version)"
    if ldd "/usr/bin/$program" | grep -E 'libswift|libFoundation|not found'; then fail "$program links what is not here"; fi
done
for program in hosts-generator hosts-server hosts-client; do
    echo "ldd $program: $(ldd "/usr/bin/$program" | awk '{ print $1 }' | tr '\n' ' ')"
done

step "hosts-generator check --config /usr/share/doc/pseudodns-generator/examples/profiles.yml"
hosts-generator check --config /usr/share/doc/pseudodns-generator/examples/profiles.yml

story=/root/story
rm -rf "$story"
mkdir -p "$story/published"
printf '203.0.113.10\tweb-a1\n203.0.113.11\tweb-a2\n203.0.113.20\tdb-1 db-1.apne1a-prod\n' >"$story/published/office.hosts"

step "hosts-server --dir $story/published --host 127.0.0.1 --port 0"
hosts-server --dir "$story/published" --host 127.0.0.1 --port 0 --no-access-log >"$story/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
port=""
for _ in $(seq 1 100); do # up to 10 s
    port="$(sed -n 's/.*address=127\.0\.0\.1:\([0-9]*\) .*listening$/\1/p' "$story/server.log")"
    [ -n "$port" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$story/server.log" >&2; fail "hosts-server exited"; }
    sleep 0.1
done
[ -n "$port" ] || { cat "$story/server.log" >&2; fail "hosts-server reported no port within 10 s"; }
grep 'listening$' "$story/server.log"

client() { hosts-client --hosts-file "$story/hosts" "$@"; }
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n# a line another tool wrote\n10.9.9.9 printer.local\n' \
    >"$story/hosts"
cp "$story/hosts" "$story/hosts.orig"

step "hosts-client add office --url http://127.0.0.1:$port/profiles/office; sync"
client add office --url "http://127.0.0.1:$port/profiles/office"
client sync
cat "$story/hosts"
grep -q '^203\.0\.113\.10[[:space:]]*web-a1' "$story/hosts" || fail "web-a1 is not in the hosts file"

step "what the resolver answers (getent, the sandbox file bind-mounted over this root's /etc/hosts)"
# A minbase root has no /etc/hosts of its own: give the bind mount a place to go.
[ -e /etc/hosts ] || printf '127.0.0.1\tlocalhost\n' >/etc/hosts
mount --bind "$story/hosts" /etc/hosts
answer="$(getent hosts web-a1 || true)"
umount /etc/hosts
echo "getent hosts web-a1: $answer"
[ "${answer%%[[:space:]]*}" = 203.0.113.10 ] || fail "the resolver does not answer 203.0.113.10 for web-a1"

step "hosts-client status"
client status

step "hosts-client restore"
client restore
cmp "$story/hosts.orig" "$story/hosts" || fail "restore did not give back the original file"
echo "hosts file is the original again, byte for byte"
client status | grep -i paused || fail "status does not say PAUSED after restore"

kill "$server"
wait "$server" 2>/dev/null || true
trap - EXIT
echo
echo "package-story: passed"
