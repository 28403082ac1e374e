#!/usr/bin/env bash
# Installs one program under ROOT/PREFIX: its binary, bash/zsh/fish completions and man pages, the last two
# generated from the program's own argument parser. Used by `make install` (ROOT=$DESTDIR) and by
# scripts/dist.sh (tarballs and Debian packages), so that every way of installing lays out the same files.
#   usage: install-program.sh BIN_DIR PROGRAM ROOT PREFIX [--zsh-dir DIR]
# --zsh-dir: where zsh completions go under PREFIX (default share/zsh/site-functions; Debian's zsh reads
# share/zsh/vendor-completions).
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: install-program.sh BIN_DIR PROGRAM ROOT PREFIX [--zsh-dir DIR]" >&2; exit 64; }
bin_dir="$1" program="$2" root="$3" prefix="$4"
zsh_dir=share/zsh/site-functions
[ "${5:-}" = --zsh-dir ] && zsh_dir="$6"
here="$(cd "$(dirname "$0")" && pwd)"
binary="$bin_dir/$program"
[ -x "$binary" ] || { echo "install-program: $binary is not built" >&2; exit 1; }
base="$root$prefix"
install -d "$base/bin" "$base/share/man/man1" "$base/share/bash-completion/completions" "$base/$zsh_dir" \
    "$base/share/fish/vendor_completions.d"
install -m 755 "$binary" "$base/bin/"
# bash-completion sources the file: the generator's #!/bin/bash line is of no use there.
"$binary" --generate-completion-script bash | sed '1{/^#!/d}' >"$base/share/bash-completion/completions/$program"
"$binary" --generate-completion-script zsh >"$base/$zsh_dir/_$program"
"$binary" --generate-completion-script fish >"$base/share/fish/vendor_completions.d/$program.fish"
python3 "$here/gen-man.py" "$binary" "$base/share/man/man1"
