#!/usr/bin/env bash
# make dist: from the release build in BIN_DIR (linked with --static-swift-stdlib), writes into dist/
#   PROGRAM-VERSION-linux-ARCH.tar.gz   per program: bin/, share/ (man pages, completions, docs) and
#                                       lib/systemd/system/ units, laid out for `tar -C /usr/local --strip-components=1 -x`
#   pseudodns-NAME_VERSION_ARCH.deb     per program (scripts/build-deb.sh)
#   SHA256SUMS                          of all of them
# It refuses a binary that does not say this version or that links a Swift runtime or Foundation library.
#   usage: dist.sh BIN_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: dist.sh BIN_DIR" >&2; exit 64; }
bin_dir="$1"
programs=(hosts-generator hosts-server hosts-client)
version="$(scripts/version.sh)"
machine="$(uname -m)"
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
export SOURCE_DATE_EPOCH
stage="$PWD/.build-dist"
rm -rf "$stage" dist
mkdir -p "$stage/bin" "$stage/tar" dist

for program in "${programs[@]}"; do
    said="$("$bin_dir/$program" --version)"
    if [ "$said" != "$version" ]; then
        echo "dist: $bin_dir/$program --version says '$said', not '$version' (run make release first)" >&2
        exit 1
    fi
    if ldd "$bin_dir/$program" | grep -E 'libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime'; then
        echo "dist: $program links the Swift runtime dynamically (build with --static-swift-stdlib)" >&2
        exit 1
    fi
    install -m 755 "$bin_dir/$program" "$stage/bin/$program"
    strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/bin/$program"
done

for program in "${programs[@]}"; do
    top="$program-$version-linux-$machine"
    root="$stage/tar/$top"
    scripts/install-program.sh "$stage/bin" "$program" "$root" ""
    install -d "$root/lib/systemd/system" "$root/share/doc/pseudodns"
    install -m 644 deploy/systemd/"$program".* "$root/lib/systemd/system/"
    # The account a unit runs as (User=): its deploy/sysusers.d entry, for /etc/sysusers.d.
    for user in $(sed -n 's/^User=//p' deploy/systemd/"$program".*); do
        for entry in $(grep -l "^u $user " deploy/sysusers.d/*.conf 2>/dev/null); do
            install -D -m 644 "$entry" "$root/lib/sysusers.d/$(basename "$entry")"
        done
    done
    install -m 644 README.md docs/ARCHITECTURE.md "$root/share/doc/pseudodns/"
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" -C "$stage/tar" \
        -czf "dist/$top.tar.gz" "$top"
    scripts/build-deb.sh "$stage/bin" "$program" "$version" dist >/dev/null
done

(cd dist && sha256sum -- * >SHA256SUMS)
ls -l dist
