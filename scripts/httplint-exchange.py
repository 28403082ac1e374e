#!/usr/bin/env python3
"""Sends one raw HTTP/1.1 request to a loopback server and lints the exchange with httplint (mnot's HTTP
linter, the checks behind redbot). Prints one JSON object: the status and every note on the response at WARN
or BAD, each with httplint's note name, so a test can say which notes an answer may carry and why.

usage: httplint-exchange.py PORT METHOD TARGET ['Name: value' ...]
The exchange is bounded: 10 s and 8 MiB.
"""
import json
import socket
import sys
import time

from httplint import HttpRequestLinter, HttpResponseLinter

BOUND_SECONDS = 10
BOUND_BYTES = 8 << 20


def exchange(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=BOUND_SECONDS) as sock:
        sock.sendall(raw)
        received = b""
        deadline = time.monotonic() + BOUND_SECONDS
        while time.monotonic() < deadline and len(received) < BOUND_BYTES:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        return received


def dechunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += body[:size]
        body = body[size + 2 :]
    return out


def main() -> None:
    port, method, target = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    headers = [tuple(h.split(": ", 1)) for h in sys.argv[4:]]
    if not any(name.lower() == "host" for name, _ in headers):
        headers.insert(0, ("Host", f"127.0.0.1:{port}"))
    headers.append(("Connection", "close"))
    request_bytes = f"{method} {target} HTTP/1.1\r\n".encode() + b"".join(
        f"{name}: {value}\r\n".encode() for name, value in headers
    ) + b"\r\n"
    sent_at = time.time()
    raw = exchange(port, request_bytes)

    request = HttpRequestLinter(start_time=sent_at)
    request.process_request_topline(method.encode(), f"http://127.0.0.1:{port}{target}".encode(), b"1.1")
    request.process_headers([(n.encode(), v.encode()) for n, v in headers])
    request.finish_content(True)

    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    version_text, status, phrase = (lines[0].split(b" ", 2) + [b""])[:3]
    fields = [tuple(part.strip() for part in line.split(b":", 1)) for line in lines[1:]]
    if any(n.lower() == b"transfer-encoding" and b"chunked" in v.lower() for n, v in fields):
        body = dechunk(body)
    response = HttpResponseLinter(start_time=sent_at, _related=request)
    response.is_head_response = method == "HEAD"
    response.process_response_topline(version_text.split(b"/")[1], status, phrase)
    response.process_headers(fields)
    if response.can_have_content():
        response.feed_content(body)
    response.finish_content(True)

    notes = [
        {"name": type(note).__name__, "level": note.level.name, "summary": note.summary}
        for note in response.notes
        if note.level.name in ("WARN", "BAD")
    ]
    names = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in fields}
    print(json.dumps({"status": int(status), "headers": names, "notes": notes}))


if __name__ == "__main__":
    main()
