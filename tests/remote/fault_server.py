#!/usr/bin/env python3
"""A Hub on loopback that misbehaves on purpose, for what nginx will not do
(tests/remote/remote_test.sh). The repository faults/MODE serves the files of MODEL_DIR at
COMMIT; MODE says how its file answers go wrong (any other ORG/NAME behaves as "ok": a plain
mirror, which docs/remote.md's examples use):

  ok            206 with the right Content-Range
  ignore-range  200 that ignores Range: the file, then zeros without end (Content-Length 1 TB)
  wrong-range   206 whose Content-Range is one byte off
  wrong-size    206 for the range asked, of a file one byte longer than listed
  short         206 that closes after half of its promised Content-Length
  retry         429 (Retry-After: 0), then 503, then the right answer, per file
  always-503    503 for ever
  redirect-loop resolve -> /loop/a -> /loop/b -> /loop/a ...
  redirect-many resolve -> /hop/1 -> /hop/2 -> ... for ever
  slow          206 that drips one byte every half second
  header-bomb   206 preceded by 200 KB of headers
  endless       206 with the right Content-Range, no Content-Length, and a body without end
  forbidden     403 GatedRepo on the revision lookup
  foreign-next  a tree page whose next link points to another origin
  parallel      each resolve answered after 0.3 s, counting how many are under way at once

GET /stats gives the bytes of file bodies written per mode (the test proves a transfer stopped)
and, as "parallel-peak", the most resolves of faults/parallel under way at the same time.

    fault_server.py PORT_FILE MODEL_DIR COMMIT
"""
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT_FILE, MODEL_DIR, COMMIT = sys.argv[1:4]
LOCK = threading.Lock()
SENT = {}  # mode -> body bytes written
ATTEMPTS = {}  # (mode, file) -> GETs so far
IN_FLIGHT = [0]  # resolves of faults/parallel under way


def count(mode, n):
    with LOCK:
        SENT[mode] = SENT.get(mode, 0) + n


def mode_of(org, name):
    return name if org == "faults" else "ok"


def parse_range(header, size):
    m = re.fullmatch(r"bytes=(\d+)-(\d+)", header or "")
    if not m:
        return 0, size - 1
    return int(m.group(1)), min(int(m.group(2)), size - 1)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def send_json(self, status, obj, extra=()):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/stats":
            with LOCK:
                return self.send_json(200, SENT)
        m = re.fullmatch(r"/api/models/([\w.-]+)/([\w.-]+)/revision/[^/]+", path)
        if m:
            if mode_of(*m.groups()) == "forbidden":
                return self.send_json(403, {"error": "gated"}, [("X-Error-Code", "GatedRepo")])
            return self.send_json(200, {"id": "/".join(m.groups()), "sha": COMMIT})
        m = re.fullmatch(r"/api/models/([\w.-]+)/([\w.-]+)/tree/[0-9a-f]{40}", path)
        if m:
            entries = [{"type": "file", "oid": "0" * 40, "size": os.path.getsize(
                os.path.join(MODEL_DIR, n)), "path": n} for n in sorted(os.listdir(MODEL_DIR))]
            extra = []
            if mode_of(*m.groups()) == "foreign-next":
                extra = [("Link", '<http://other.invalid/api/next?cursor=2>; rel="next"')]
            return self.send_json(200, entries, extra)
        m = re.fullmatch(r"/([\w.-]+)/([\w.-]+)/resolve/[0-9a-f]{40}/(.+)", path)
        if m:
            mode, name = mode_of(m.group(1), m.group(2)), m.group(3)
            if mode == "redirect-loop":
                return self.redirect("/loop/a")
            if mode == "redirect-many":
                return self.redirect("/hop/1")
            if mode == "parallel":
                with LOCK:
                    IN_FLIGHT[0] += 1
                    SENT["parallel-peak"] = max(SENT.get("parallel-peak", 0), IN_FLIGHT[0])
                time.sleep(0.3)
                with LOCK:
                    IN_FLIGHT[0] -= 1
            return self.redirect("/blob/%s/%s" % (mode, name))  # relative, same origin
        if path == "/loop/a":
            return self.redirect("/loop/b")
        if path == "/loop/b":
            return self.redirect("/loop/a")
        m = re.fullmatch(r"/hop/(\d+)", path)
        if m:
            return self.redirect("/hop/%d" % (int(m.group(1)) + 1))
        m = re.fullmatch(r"/blob/([a-z0-9-]+)/([^/]+)", path)
        if m:
            return self.blob(*m.groups())
        self.send_json(404, {"error": "not found"})

    def blob(self, mode, name):
        file = os.path.join(MODEL_DIR, name)
        data = open(file, "rb").read()
        first, last = parse_range(self.headers.get("Range"), len(data))
        part = data[first:last + 1]
        with LOCK:
            ATTEMPTS[(mode, name)] = ATTEMPTS.get((mode, name), 0) + 1
            attempt = ATTEMPTS[(mode, name)]
        if mode == "retry" and attempt <= 2:
            status = 429 if attempt == 1 else 503
            return self.send_json(status, {"error": "busy"}, [("Retry-After", "0")])
        if mode == "always-503":
            return self.send_json(503, {"error": "down"})
        if mode == "ignore-range":
            self.send_response(200)
            self.send_header("Content-Length", str(1 << 40))
            self.end_headers()
            try:
                self.wfile.write(data)
                count(mode, len(data))
                zeros = bytes(1 << 16)
                while True:
                    self.wfile.write(zeros)
                    count(mode, len(zeros))
            except OSError:
                return
        self.send_response(206)
        content_range = "bytes %d-%d/%d" % (first, last, len(data))
        if mode == "wrong-range":
            content_range = "bytes %d-%d/%d" % (first + 1, last + 1, len(data) + 1)
        if mode == "wrong-size":
            content_range = "bytes %d-%d/%d" % (first, last, len(data) + 1)
        self.send_header("Content-Range", content_range)
        if mode == "header-bomb":
            for i in range(200):
                self.send_header("X-Pad-%d" % i, "x" * 1000)
        if mode == "endless":
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                self.wfile.write(part)
                while True:
                    self.wfile.write(bytes(1 << 16))
                    count(mode, 1 << 16)
            except OSError:
                return
        self.send_header("Content-Length", str(len(part)))
        self.end_headers()
        try:
            if mode == "short":
                self.wfile.write(part[:len(part) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            if mode == "slow":
                for b in part:
                    self.wfile.write(bytes([b]))
                    self.wfile.flush()
                    time.sleep(0.5)
                return
            self.wfile.write(part)
            count(mode, len(part))
        except OSError:
            return


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler, bind_and_activate=False)
    server.request_queue_size = 64  # the default 5 drops a burst of connections (1 s to retry)
    server.server_bind()
    server.server_activate()
    server.daemon_threads = True
    with open(PORT_FILE + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(PORT_FILE + ".tmp", PORT_FILE)
    server.serve_forever()


if __name__ == "__main__":
    main()
