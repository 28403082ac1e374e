"""Runs HostsCore and python-hosts on the same 200,000-entry hosts file and prints them side by side."""
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

ENTRIES = int(os.environ.get("ENTRIES", "200000"))
here = os.path.dirname(os.path.abspath(__file__))
swift_bin = sys.argv[1]


def make_file(path):
    rng = random.Random(42)
    with open(path, "w") as f:
        f.write("# benchmark hosts file\n127.0.0.1 localhost\n::1 localhost ip6-localhost\n")
        for i in range(ENTRIES):
            if i % 10 == 9:
                f.write(f"2001:db8::{i >> 16:x}:{i & 0xffff:x} host{i}.v6.corp.example\n")
            else:
                f.write(f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}\thost{i} host{i}.corp.example  # node {i}\n")
            if i % 1000 == 0:
                f.write("# section\n\n")


def measure(cmd):
    r, w = os.pipe()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(w, 1)
        os.close(r)
        os.execvp(cmd[0], cmd)
    os.close(w)
    out = b""
    while chunk := os.read(r, 65536):
        out += chunk
    os.close(r)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{cmd[0]} failed with status {status}")
    return out.decode().strip(), wall, usage.ru_maxrss / 1024  # KiB → MiB


with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "hosts")
    make_file(path)
    size = os.path.getsize(path) / 1e6
    print(f"hosts file: {ENTRIES} entries, {size:.1f} MB")
    rows = [
        ("HostsCore (parse+render)", measure([swift_bin, path])),
        ("python-hosts (parse)", measure([sys.executable, os.path.join(here, "python_hosts_parse.py"), path])),
    ]
    print(f"{'tool':<26} {'wall s':>8} {'peak MiB':>9}  detail")
    for name, (out, wall, rss) in rows:
        print(f"{name:<26} {wall:>8.3f} {rss:>9.1f}  {out}")
    ratio = rows[1][1][1] / rows[0][1][1]
    print(f"HostsCore is {ratio:.1f}x faster (wall) than python-hosts")
