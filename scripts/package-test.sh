#!/usr/bin/env bash
# make package-test: the Debian packages in dist/ on a Debian root that has no Swift.
# 1. lintian on the three packages (fails on an error or warning not explained in deploy/debian/*.lintian-overrides);
# 2. a minimal root from Debian's mirror (debootstrap --variant=minbase, the suite of this machine), cached as a
#    tarball in $PKGTEST_CACHE so that only the first run downloads it; a fresh copy under .build-pkgtest/root
#    every run;
# 3. dpkg -i the three .debs there, their Depends: from the mirror with apt;
# 4. the story inside that root (scripts/package-story.sh), in a private mount namespace (so that nothing stays
#    mounted) and a private network namespace (loopback only: nothing listens on this machine's addresses).
# Needs root, debootstrap, lintian and the network to deb.debian.org (steps 2 and 3).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "package-test: needs root (debootstrap, chroot, mounts)" >&2; exit 1; }
for tool in debootstrap lintian unshare ip; do
    command -v "$tool" >/dev/null || { echo "package-test: $tool is missing (apt-get install debootstrap lintian)" >&2; exit 1; }
done
shopt -s nullglob
debs=(dist/pseudodns-*.deb)
[ ${#debs[@]} -eq 3 ] || { echo "package-test: want 3 packages in dist/, found ${#debs[@]} (make dist)" >&2; exit 1; }

. /etc/os-release
suite="${PKGTEST_SUITE:-$VERSION_CODENAME}"
mirror="${PKGTEST_MIRROR:-http://deb.debian.org/debian}"
cache="$(mkdir -p "${PKGTEST_CACHE:-.build-pkgtest/cache}" && cd "${PKGTEST_CACHE:-.build-pkgtest/cache}" && pwd)"
work="$PWD/.build-pkgtest"
root="$work/root"
step() { printf '\n== %s\n' "$*"; }
started=$SECONDS

step "lintian ${debs[*]##*/}"
lintian --fail-on error,warning --display-info "${debs[@]}"
echo "lintian: clean (overrides: $(cat deploy/debian/*.lintian-overrides 2>/dev/null | grep -vc '^#' || true) explained)"

base="$cache/$suite-minbase.tar"
if [ ! -f "$base" ]; then
    step "debootstrap --variant=minbase $suite from $mirror (cached in $base for the next run)"
    rm -rf "$work/bootstrap"
    t0=$SECONDS
    debootstrap --variant=minbase "$suite" "$work/bootstrap" "$mirror" >"$work/debootstrap.log" 2>&1 \
        || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
    tar -C "$work/bootstrap" -cf "$base.part" . && mv "$base.part" "$base"
    rm -rf "$work/bootstrap"
    echo "debootstrap took $((SECONDS - t0)) s"
fi
step "fresh root from $base"
rm -rf "$root"
mkdir -p "$root"
tar -C "$root" -xf "$base"
mkdir -p "$root/tmp/debs" "$cache/apt-archives/partial"
cp "${debs[@]}" "$root/tmp/debs/"
cp scripts/package-story.sh "$root/tmp/package-story.sh"
cp /etc/resolv.conf "$root/etc/resolv.conf"

# Everything mounted here lives in this private mount namespace and goes with it.
in_root() { # COMMAND... (network: this machine's, for apt)
    unshare --mount --propagation private -- sh -c '
        root="$1"; cache="$2"; shift 2
        mount -t proc proc "$root/proc" && mount --bind /dev "$root/dev" &&
        mount --bind "$cache" "$root/var/cache/apt/archives" && exec chroot "$root" "$@"' \
        in_root "$root" "$cache/apt-archives" "$@"
}
step "dpkg -i ${debs[*]##*/}; Depends: from $mirror"
t0=$SECONDS
in_root sh -c 'dpkg -i /tmp/debs/*.deb >/tmp/dpkg.log 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -f install -y -qq -o Dpkg::Use-Pty=0; }; grep -E "nothing was enabled|dependency problems|depends on" /tmp/dpkg.log || true'
in_root dpkg-query -W -f '${Package} ${Version} ${Status}\n' pseudodns-client pseudodns-server pseudodns-generator
echo "install took $((SECONDS - t0)) s"

step "the story, inside the root (no network but its own loopback)"
unshare --mount --net --propagation private -- sh -c '
    root="$1"
    ip link set lo up && mount -t proc proc "$root/proc" && mount --bind /dev "$root/dev" &&
    exec chroot "$root" /bin/bash /tmp/package-story.sh' package-story "$root"
echo "package-test: passed in $((SECONDS - started)) s"
