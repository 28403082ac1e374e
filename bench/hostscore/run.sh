#!/usr/bin/env bash
# HostsCore vs python-hosts: parse (and render) a 200,000-entry hosts file, time and peak memory side by side.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -c "import python_hosts" 2>/dev/null || python3 -m pip install -q python-hosts
swift build -c release --static-swift-stdlib --product hostscore-bench >/dev/null
exec python3 bench/hostscore/run.py "$(swift build -c release --static-swift-stdlib --show-bin-path)/hostscore-bench"
