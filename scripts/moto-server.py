#!/usr/bin/env python3
"""moto (the EC2/STS-compatible API from PyPI) on a loopback port it binds itself, for the tests and the demo.

Prints one line, `port=N`, on standard output once its socket is listening: whoever starts it reads the port the
server bound instead of guessing a free one first (another process could take a guessed port before moto binds
it, and the caller would then talk to that process).

  moto-server.py [--host 127.0.0.1] [--port 0] [--parent PID]

--parent PID: exit as soon as PID is no longer this process's parent (the caller died, even by SIGKILL), so no
moto outlives a crashed test run. SIGTERM and SIGINT end it, even when the caller started it with them ignored.
"""
import argparse
import os
import signal
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 (the default): the kernel picks a free one")
    parser.add_argument("--parent", type=int, help="exit when this process is no longer the parent")
    args = parser.parse_args()
    # A caller may run with these ignored, and ignored signals are inherited: restore the default action.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if args.parent is not None and os.getppid() != args.parent:
        sys.exit(f"moto-server: parent {args.parent} is already gone")

    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address=args.host, port=args.port, verbose=False)
    server.start()  # returns once the socket is bound and listening
    host, port = server.get_host_and_port()
    # moto_server sets this for the backends that build URLs of their own.
    os.environ.setdefault("MOTO_PORT", str(port))
    print(f"port={port}", flush=True)
    print(f"moto-server: listening on {host}:{port}", file=sys.stderr, flush=True)
    while args.parent is None or os.getppid() == args.parent:
        time.sleep(0.3)
    os._exit(0)


if __name__ == "__main__":
    main()
