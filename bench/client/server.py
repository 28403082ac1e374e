#!/usr/bin/env python3
"""Serves one file at /profiles/NAME the way hosts-server does: strong ETag, 304 on If-None-Match.

Usage: server.py FILE PORT  (prints "ready" when listening on 127.0.0.1:PORT)."""
import hashlib
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

path, port = sys.argv[1], int(sys.argv[2])
cache = {}


def current():
    """Body and ETag, recomputed only when the file changes (as hosts-server keeps a snapshot in memory)."""
    stamp = os.stat(path).st_mtime_ns
    if cache.get("stamp") != stamp:
        with open(path, "rb") as f:
            body = f.read()
        cache.update(stamp=stamp, body=body, etag='"%s"' % hashlib.sha256(body).hexdigest())
    return cache["body"], cache["etag"]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body, etag = current()
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
print("ready", flush=True)
server.serve_forever()
