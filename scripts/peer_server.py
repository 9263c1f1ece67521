#!/usr/bin/python3
"""peer_server.py - small HTTP/1.1 test server for the dpfetch testbed.

Serves the responses nginx does not produce easily.  Standard library only.

Usage:
    peer_server.py --bind 198.18.0.1 --port 8080 --root /run/dpf-testbed/www \
                   [--pidfile FILE] [--idle-timeout SECONDS]

Endpoints (GET and HEAD):
    /chunked/<file>[?chunk=N]  file body with Transfer-Encoding: chunked, in
                               chunks of N bytes (default 4096); every few
                               chunk-size lines carry a chunk extension
                               (e.g. "1000;ext=1"); ends with the trailer
                               "X-Trailer: done".  Keep-alive allowed.
    /close/<file>              no Content-Length, no chunking, "Connection:
                               close": body delimited by closing the socket.
    /status/<code>             that status (200..599) with a small body
                               "status <code>\\n" and Content-Length
                               (no body for 204 and 304).
    /headers                   the request's header block, as the body
    POST /upload               "sha256 <hex> <length>" of the request body
    /truncated                 Content-Length: 1000, 10 bytes, then close
    /stall                     Content-Length: 1000, 10 bytes, then silence
                               for 30 s (a client's timeout should fire)
    /garbage                   a response that is not HTTP
    anything else              404 with a small body.

Files are confined to --root.  One log line per request goes to stderr.
"""

import argparse
import hashlib
import http.server
import os
import signal
import socket
import socketserver
import sys
import time
import urllib.parse

PIECE = 64 * 1024            # sendall() granularity for bodies
DEFAULT_CHUNK = 4096
MAX_CHUNK = 16 * 1024 * 1024
EXT_EVERY = 5                # every 5th chunk-size line gets ";ext=1"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "dpf-peer/1.0"
    sys_version = ""

    def version_string(self):
        return self.server_version
    timeout = 65             # idle keep-alive timeout (overridden by --idle-timeout)

    # ---- helpers -------------------------------------------------------

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s:%s %s\n" % (
            time.strftime("%Y-%m-%dT%H:%M:%S"),
            self.client_address[0], self.client_address[1], fmt % args))
        sys.stderr.flush()

    def _discard_request_body(self, digest=None):
        """Read a request body (into digest, if given) or drop it, so that
        keep-alive stays in sync.  Returns the bytes read."""
        te = self.headers.get("Transfer-Encoding", "")
        if te and te.lower() != "identity":
            # We do not accept chunked request bodies: just close afterwards.
            self.close_connection = True
            return
        cl = self.headers.get("Content-Length")
        if not cl:
            return 0
        try:
            n = int(cl)
        except ValueError:
            self.close_connection = True
            return 0
        got = 0
        while n > 0:
            b = self.rfile.read(min(n, PIECE))
            if not b:
                break
            if digest is not None:
                digest.update(b)
            got += len(b)
            n -= len(b)
        return got

    def _resolve(self, rel):
        """Map a URL path tail to a regular file under the root, or None."""
        rel = urllib.parse.unquote(rel)
        if not rel or rel.startswith("/") or "\\" in rel or "\0" in rel:
            return None
        parts = rel.split("/")
        if any(p in ("", ".", "..") for p in parts):
            return None
        root = self.server.root
        full = os.path.realpath(os.path.join(root, *parts))
        if not full.startswith(root + os.sep):
            return None
        if not os.path.isfile(full):
            return None
        return full

    def _simple(self, code, body, extra=()):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.connection.sendall(data)

    def _not_found(self):
        self._simple(404, "not found\n")

    # ---- endpoints -----------------------------------------------------

    def _chunked(self, rel, query):
        path = self._resolve(rel)
        if path is None:
            return self._not_found()
        chunk = DEFAULT_CHUNK
        q = urllib.parse.parse_qs(query)
        if "chunk" in q:
            try:
                chunk = int(q["chunk"][0])
            except ValueError:
                chunk = -1
            if chunk < 1 or chunk > MAX_CHUNK:
                return self._simple(400, "bad chunk size\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Trailer", "X-Trailer")
        self.end_headers()
        if self.command == "HEAD":
            return
        sock = self.connection
        out = bytearray()
        n = 0
        with open(path, "rb") as f:
            while True:
                data = f.read(chunk)
                if not data:
                    break
                n += 1
                if n % EXT_EVERY == 0:
                    out += b"%x;ext=1\r\n" % len(data)
                else:
                    out += b"%x\r\n" % len(data)
                out += data
                out += b"\r\n"
                while len(out) >= PIECE:
                    sock.sendall(out[:PIECE])
                    del out[:PIECE]
        out += b"0\r\nX-Trailer: done\r\n\r\n"
        while out:
            sock.sendall(out[:PIECE])
            del out[:PIECE]

    def _close(self, rel):
        path = self._resolve(rel)
        if path is None:
            return self._not_found()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Connection", "close")   # sets close_connection
        self.end_headers()
        self.close_connection = True
        if self.command == "HEAD":
            return
        sock = self.connection
        with open(path, "rb") as f:
            while True:
                data = f.read(PIECE)
                if not data:
                    break
                sock.sendall(data)
        # Make the end of the body explicit before the socket is closed.
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def _status(self, arg):
        try:
            code = int(arg)
        except ValueError:
            code = 0
        if code < 200 or code > 599:
            return self._simple(400, "bad status code\n")
        if code in (204, 304):
            self.send_response(code)
            self.end_headers()
            return
        self._simple(code, "status %d\n" % code)

    def _headers(self):
        self._simple(200, str(self.headers))

    def _partial(self, then_close):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.connection.sendall(b"0123456789")
        self.close_connection = True
        if then_close:
            try:
                self.connection.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        else:
            time.sleep(30)

    def _garbage(self):
        self.connection.sendall(b"SSH-2.0-OpenSSH_9.2\r\n\x00\x01garbage\r\n\r\n")
        self.close_connection = True

    # ---- dispatch ------------------------------------------------------

    def _dispatch(self):
        self._discard_request_body()
        u = urllib.parse.urlsplit(self.path)
        p = u.path
        try:
            if p.startswith("/chunked/"):
                self._chunked(p[len("/chunked/"):], u.query)
            elif p.startswith("/close/"):
                self._close(p[len("/close/"):])
            elif p.startswith("/status/"):
                self._status(p[len("/status/"):])
            elif p == "/headers":
                self._headers()
            elif p == "/truncated":
                self._partial(True)
            elif p == "/stall":
                self._partial(False)
            elif p == "/garbage":
                self._garbage()
            else:
                self._not_found()
        except (BrokenPipeError, ConnectionResetError) as e:
            self.log_message("client went away: %s", e)
            self.close_connection = True

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        """POST /upload: answers "sha256 <hex> <length>" of the body."""
        if urllib.parse.urlsplit(self.path).path != "/upload":
            self._discard_request_body()
            return self._not_found()
        h = hashlib.sha256()
        n = self._discard_request_body(h)
        self._simple(200, "sha256 %s %d\n" % (h.hexdigest(), n))

    def do_HEAD(self):
        self._dispatch()


class Server(socketserver.ThreadingTCPServer):
    # Plain TCPServer rather than http.server.HTTPServer: the latter calls
    # socket.getfqdn() at bind time, which can hang on DNS in the namespace.
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bind", default="198.18.0.1")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--root", required=True)
    ap.add_argument("--pidfile", help="write our pid here (removed on exit)")
    ap.add_argument("--idle-timeout", type=float, default=65.0,
                    help="seconds an idle keep-alive connection is kept")
    a = ap.parse_args()

    root = os.path.realpath(a.root)
    if not os.path.isdir(root):
        sys.exit("peer_server: root %s is not a directory" % a.root)
    Handler.timeout = a.idle_timeout

    try:
        srv = Server((a.bind, a.port), Handler)
    except OSError as e:
        sys.exit("peer_server: cannot listen on %s:%d: %s" % (a.bind, a.port, e))
    srv.root = root

    def _term(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, _term)

    if a.pidfile:
        tmp = a.pidfile + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % os.getpid())
        os.replace(tmp, a.pidfile)
    sys.stderr.write("peer_server: listening on %s:%d root %s\n"
                     % (a.bind, a.port, root))
    sys.stderr.flush()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
        if a.pidfile:
            try:
                with open(a.pidfile) as f:
                    mine = f.read().strip() == str(os.getpid())
                if mine:
                    os.unlink(a.pidfile)
            except OSError:
                pass


if __name__ == "__main__":
    main()
