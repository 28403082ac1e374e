"""Parses a hosts file with python-hosts (PyPI), the peer HostsCore is measured against."""
import sys
import time

from python_hosts import Hosts

start = time.perf_counter()
hosts = Hosts(path=sys.argv[1])
parsed = time.perf_counter()
count = sum(1 for e in hosts.entries if e.entry_type in ("ipv4", "ipv6"))
print(f"entries={count} parse_ms={(parsed - start) * 1000:.1f}")
