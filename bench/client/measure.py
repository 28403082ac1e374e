#!/usr/bin/env python3
"""Runs each step as a child process and reports its wall time and peak RSS (from wait4's rusage).

Usage: measure.py LABEL -- COMMAND...   prints "LABEL<TAB>seconds<TAB>MiB<TAB>exit"."""
import os
import subprocess
import sys
import time

label = sys.argv[1]
command = sys.argv[sys.argv.index("--") + 1:]
start = time.perf_counter()
process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(process.pid, 0)
elapsed = time.perf_counter() - start
code = os.waitstatus_to_exitcode(status)
if code != 0:
    sys.stderr.write(process.stderr.read().decode(errors="replace"))
print("%s\t%.3f\t%.1f\t%d" % (label, elapsed, usage.ru_maxrss / 1024.0, code))
