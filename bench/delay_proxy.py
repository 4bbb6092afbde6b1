#!/usr/bin/env python3
"""A reverse proxy that adds a fixed delay to every request, in front of the two origins of the
loopback Hub (tests/remote/nginx.conf.in), for scripts/bench_remote.sh: it shows whether a
client's requests are parallel (then the delays overlap) or one after another (then they add up).

    delay_proxy.py PORTFILE DELAY_MS HUB_PORT CDN_PORT [TIMELINE]
    delay_proxy.py --rounds TIMELINE DELAY_MS

Listens on two free loopback ports, one for each origin, and writes "HUB CDN" (the two ports) to
PORTFILE once it serves. Each request, on its own thread, waits DELAY_MS, then is forwarded to its
origin; the answer comes back with the origins' URLs in its headers (the redirect's Location, the
listing's Link) rewritten to the proxy's, so that a client that follows them stays behind it.
Keep-alive on both sides of the client, as against the origins themselves. With TIMELINE, each
request appends a line "ARRIVED FORWARDED ANSWERED PATH" (seconds since the epoch) to that file.

--rounds counts a timeline's sequential rounds: requests taken in the order they arrived, a round
is the requests that arrived before the first of them could have been answered (within DELAY_MS
of it); the next request starts the next round. Requests sent at once make one round; requests
each sent after the answer to the one before make one round each.
"""
import http.client
import http.server
import os
import sys
import threading
import time

HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}


def rounds(timeline: str, delay_ms: float) -> int:
    arrivals = sorted(float(line.split()[0]) for line in open(timeline))
    count, start = 0, None
    for t in arrivals:
        if start is None or t >= start + delay_ms / 1000.0:
            count, start = count + 1, t
    return count


def main() -> None:
    if sys.argv[1] == "--rounds":
        print(rounds(sys.argv[2], float(sys.argv[3])))
        return
    portfile, delay_ms, hub_port, cdn_port = sys.argv[1], float(sys.argv[2]), *sys.argv[3:5]
    delay = delay_ms / 1000.0
    # A thread that accepts a connection waits up to the interpreter's switch interval (5 ms) for
    # the lock: ten connections at once would arrive 50 ms apart, as long as the delay itself.
    sys.setswitchinterval(1e-4)
    timeline = sys.argv[5] if len(sys.argv) > 5 else None
    timeline_mu = threading.Lock()
    servers = []
    rewrites = []  # (origin's prefix, proxy's prefix), filled once the ports are known

    def make_handler(upstream_port: str):
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as they are written

            def log_message(self, *args) -> None:  # quiet
                pass

            def forward(self) -> None:
                arrived = time.time()
                time.sleep(delay)
                forwarded = time.time()
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
                conn = http.client.HTTPConnection("127.0.0.1", int(upstream_port), timeout=60)
                conn.request(self.command, self.path, headers=headers)
                resp = conn.getresponse()
                body = resp.read()
                conn.close()
                self.send_response_only(resp.status, resp.reason)
                for k, v in resp.getheaders():
                    if k.lower() in HOP or k.lower() == "content-length":
                        continue
                    for origin, proxy in rewrites:
                        v = v.replace(origin, proxy)
                    self.send_header(k, v)
                length = resp.getheader("content-length")
                self.send_header("Content-Length", length if self.command == "HEAD" and length
                                 else str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
                if timeline:
                    with timeline_mu, open(timeline, "a") as f:
                        f.write("%.4f %.4f %.4f %s\n" % (arrived, forwarded, time.time(), self.path))

            do_GET = forward
            do_HEAD = forward

        return Handler

    class Server(http.server.ThreadingHTTPServer):
        request_queue_size = 128  # the default 5 drops a burst of connections (1 s to retry)

    for upstream in (hub_port, cdn_port):
        server = Server(("127.0.0.1", 0), make_handler(upstream))
        server.daemon_threads = True
        servers.append(server)
    for upstream, server in zip((hub_port, cdn_port), servers):
        rewrites.append(("http://127.0.0.1:%s/" % upstream,
                         "http://127.0.0.1:%d/" % server.server_address[1]))
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d %d\n" % tuple(s.server_address[1] for s in servers))
    os.replace(tmp, portfile)
    threading.Event().wait()


if __name__ == "__main__":
    main()
