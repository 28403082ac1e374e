#!/usr/bin/env bash
# Builds the Debian package of one program with dpkg-deb, from files already built (no network):
#   build-deb.sh BIN_DIR PROGRAM VERSION OUT_DIR
# BIN_DIR holds the stripped release binaries. The package: /usr/bin/PROGRAM, man pages, bash/zsh/fish
# completions, the program's units from deploy/systemd (paths moved from /usr/local to /usr), a sysusers.d
# entry for each unit that names a fixed User=, docs, and the maintainer scripts of deploy/debian, which never
# enable or start a unit. Depends: from dpkg-shlibdeps, i.e. from what the binary links (ldd).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 4 ] || { echo "usage: build-deb.sh BIN_DIR PROGRAM VERSION OUT_DIR" >&2; exit 64; }
bin_dir="$1" program="$2" version="$3" out="$4"
package="pseudodns-${program#hosts-}"
arch="$(dpkg --print-architecture)"
maintainer="${DEB_MAINTAINER:-PseudoDNS maintainers <pseudodns@example.com>}"
work="$PWD/.build-dist/deb/$package"
root="$work/root"
doc="$root/usr/share/doc/$package"
rm -rf "$work"
mkdir -p "$root/DEBIAN" "$doc"
umask 022

scripts/install-program.sh "$bin_dir" "$program" "$root" /usr --zsh-dir share/zsh/vendor-completions
gzip -9n "$root"/usr/share/man/man1/*.1

# Units, pointed at where the package puts things.
units=()
account=""
for unit in deploy/systemd/"$program".*; do
    name="$(basename "$unit")"
    install -D -m 644 "$unit" "$root/usr/lib/systemd/system/$name"
    sed -i -e 's|/usr/local/bin/|/usr/bin/|g' -e "s|/usr/local/share/doc/pseudodns/|/usr/share/doc/$package/|g" \
        "$root/usr/lib/systemd/system/$name"
    units+=("$name")
    user="$(sed -n 's/^User=//p' "$unit" | tail -1)"
    if [ -n "$user" ] && [ "$user" != root ] && ! grep -q '^DynamicUser=yes' "$unit"; then account="$user"; fi
done
# The account: deploy/sysusers.d's entry for it when there is one, else a plain system user.
sysusers="" home=/nonexistent
if [ -n "$account" ]; then
    install -d "$root/usr/lib/sysusers.d"
    entry="$(grep -l "^u $account " deploy/sysusers.d/*.conf 2>/dev/null | head -1 || true)"
    if [ -n "$entry" ]; then
        sysusers="$(basename "$entry")"
        install -m 644 "$entry" "$root/usr/lib/sysusers.d/$sysusers"
        home="$(awk -v u="$account" '$1 == "u" && $2 == u && $NF ~ /^\// { print $NF }' "$entry")"
        home="${home:-/nonexistent}"
    else
        sysusers="$package.conf"
        printf 'u %s - "PseudoDNS %s" /nonexistent\n' "$account" "$program" >"$root/usr/lib/sysusers.d/$sysusers"
    fi
fi
# What `systemctl enable --now` should name: the timer where there is one, else the services.
enable="$(printf '%s\n' "${units[@]}" | grep '\.timer$' || printf '%s\n' "${units[@]}" | grep '\.service$')"

# Docs: copyright (with the license of every package linked in), changelog, README, architecture, examples.
install -m 644 deploy/debian/copyright "$doc/copyright"
install -d "$doc/licenses"
for checkout in .build/checkouts/*; do
    license="$(ls "$checkout" | grep -i -m1 -E '^(licen[cs]e|copying)')" || continue
    install -m 644 "$checkout/$license" "$doc/licenses/$(basename "$checkout").txt"
done
gzip -9n "$doc"/licenses/*.txt
date="$(date -R -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}")"
printf '%s (%s) unstable; urgency=medium\n\n  * Built by make dist from PseudoDNS %s.\n\n -- %s  %s\n' \
    "$package" "$version" "$version" "$maintainer" "$date" | gzip -9n >"$doc/changelog.gz"
gzip -9n -c README.md >"$doc/README.md.gz"
gzip -9n -c docs/ARCHITECTURE.md >"$doc/ARCHITECTURE.md.gz"
if [ "$program" = hosts-generator ]; then
    install -d "$doc/examples/static"
    install -m 644 Profiles/example.yml "$doc/examples/profiles.yml"
    install -m 644 Profiles/static/*.hosts "$doc/examples/static/"
    install -m 644 Profiles/README.md "$doc/examples/README.md"
fi
if [ -f "deploy/debian/$package.lintian-overrides" ]; then
    install -D -m 644 "deploy/debian/$package.lintian-overrides" "$root/usr/share/lintian/overrides/$package"
fi

for script in postinst prerm postrm; do
    sed -e "s|@PACKAGE@|$package|g" -e "s|@UNITS@|${units[*]}|g" -e "s|@ENABLE@|${enable//$'\n'/ }|g" \
        -e "s|@ACCOUNT@|$account|g" -e "s|@SYSUSERS@|$sysusers|g" -e "s|@HOME@|$home|g" "deploy/debian/$script" >"$root/DEBIAN/$script"
    chmod 755 "$root/DEBIAN/$script"
done

# Depends: what the binary links, as dpkg-shlibdeps maps it to packages (it wants a debian/control to read).
mkdir -p "$work/shlibs/debian"
printf 'Source: pseudodns\n\nPackage: %s\nArchitecture: any\n' "$package" >"$work/shlibs/debian/control"
depends="$(cd "$work/shlibs" && dpkg-shlibdeps -O -e"$root/usr/bin/$program" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')"
[ -n "$depends" ] || { echo "build-deb: dpkg-shlibdeps found no dependencies for $program" >&2; exit 1; }

{
    grep -v '^Description:' "deploy/debian/$package.control" | sed '/^ /d'
    printf 'Version: %s\nArchitecture: %s\nMaintainer: %s\nInstalled-Size: %s\nDepends: %s\n' \
        "$version" "$arch" "$maintainer" "$(du -sk --exclude=DEBIAN "$root" | cut -f1)" "$depends"
    sed -n '/^Description:/,$p' "deploy/debian/$package.control"
} >"$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) \
    >"$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
find "$root" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" {} +

mkdir -p "$out"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out/${package}_${version}_${arch}.deb" >/dev/null
echo "$out/${package}_${version}_${arch}.deb"
