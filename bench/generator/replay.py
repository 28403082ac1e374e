"""Serves recorded DescribeInstances pages on 127.0.0.1: the request's NextToken "page-N" selects page-N.xml.

Usage: replay.py DATADIR PORTFILE. Writes its port to PORTFILE, then serves until killed.
"""
import os, sys, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

data, portfile = sys.argv[1], sys.argv[2]
pages = {}
for name in os.listdir(data):
    if name.startswith("page-") and name.endswith(".xml"):
        with open(os.path.join(data, name), "rb") as f:
            pages[name[len("page-"):-len(".xml")]] = f.read()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        token = form.get("NextToken", ["page-1"])[0]
        body = pages.get(token.removeprefix("page-"))
        if body is None:
            self.send_response(400); self.send_header("Content-Length", "0"); self.end_headers(); return
        self.send_response(200)
        self.send_header("Content-Type", "text/xml;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(portfile, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
