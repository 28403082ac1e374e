#!/usr/bin/env bash
# Installs what PseudoDNS needs on a fresh Debian machine, skipping what is already there.
# apt packages only when running as root (otherwise it says what to run); moto[server] and httplint from PyPI.
# --build: only what building needs (make build/release/install): nothing from PyPI.
set -euo pipefail
build_only=false
[ "${1:-}" = "--build" ] && build_only=true

apt_packages=(libcurl4-openssl-dev libxml2-dev)
# The tests' real peers and tools: openssl (test CAs), iproute2 (network namespaces for location tests).
$build_only || apt_packages+=(openssl iproute2)
missing=()
for package in "${apt_packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "install-deps: apt-get install ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "install-deps: missing ${missing[*]}; run: sudo apt-get install ${missing[*]}" >&2
    fi
fi

$build_only && exit 0

if ! command -v moto_server >/dev/null 2>&1 || ! python3 -c "import moto.server, flask" >/dev/null 2>&1; then
    echo "install-deps: pip install moto[server]"
    python3 -m pip install -q 'moto[server]'
fi
# httplint (mnot's HTTP linter, redbot's checks) judges the server's answers in the tests.
if ! python3 -c "import httplint" >/dev/null 2>&1; then
    echo "install-deps: pip install httplint"
    python3 -m pip install -q httplint
fi
