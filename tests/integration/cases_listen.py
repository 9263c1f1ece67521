"""The built-in HTTP server: curl, keep-alive, pipelining, duplicated
frames, bad requests; two dpfetch over memif.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import hashlib
import os
import signal
import subprocess
import time

from harness import (Daemon, Service, check, check_mbufs_back, expect_ok,
                     no_sanitizer_report, ns, pattern_bytes, stat, stats_of,
                     test, wait_port)


@test
def listen_serves_curl_and_keepalive(ctx):
    svc = Service(ctx, ["--listen", "80"])
    try:
        svc.wait_ready(80)
        n = 3 * 1024 * 1024 + 77
        r = ns("curl", "-sS", "--noproxy", "*", "-o", "-",
               "http://198.18.0.2/bytes/%d" % n, timeout=60)
        check(r.returncode == 0, "curl: %s" % r.stderr.decode())
        check(r.stdout == pattern_bytes(n), "body of /bytes/%d differs" % n)
        r = ns("curl", "-sS", "--noproxy", "*", "-o", "/dev/null", "-w",
               "%{http_code}\n", "http://198.18.0.2/nothing-here",
               timeout=30)
        check(r.stdout == b"404\n", "wanted 404, got %r" % r.stdout)
        # Four requests pipelined on one connection, the last a HEAD.
        script = (
            "import socket\n"
            "s = socket.create_connection(('198.18.0.2', 80), timeout=10)\n"
            "s.sendall(b'GET /bytes/10 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'"
            " b'GET /bytes/10 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'"
            " b'POST /bytes/5 HTTP/1.1\\r\\nHost: x\\r\\n"
            "Content-Length: 3\\r\\n\\r\\nabc'"
            " b'HEAD / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close"
            "\\r\\n\\r\\n')\n"
            "data = b''\n"
            "while True:\n"
            "    b = s.recv(65536)\n"
            "    if not b:\n"
            "        break\n"
            "    data += b\n"
            "bodies = []\n"
            "for n, head_only in ((10, 0), (10, 0), (5, 0), (0, 1)):\n"
            "    head, _, data = data.partition(b'\\r\\n\\r\\n')\n"
            "    assert head.startswith(b'HTTP/1.1 200 OK\\r\\n'), head\n"
            "    if not head_only:\n"
            "        assert (b'\\r\\nContent-Length: %d\\r\\n' % n in\n"
            "                head + b'\\r\\n'), head\n"
            "        bodies.append(data[:n].hex())\n"
            "        data = data[n:]\n"
            "assert data == b'', data\n"
            "print(' '.join(bodies))\n")
        r = ns("/usr/bin/python3", "-c", script, timeout=30)
        # Byte for byte: the second, the same response as the first, has
        # its head only in its slot (httpd_queue), and goes out from
        # there, copied, as others are queued behind it (httpd_pump).
        check(r.returncode == 0 and r.stdout.decode().split() ==
              [pattern_bytes(10).hex()] * 2 + [pattern_bytes(5).hex()],
              "pipelined requests: %r %r" % (r.stdout, r.stderr))
    finally:
        st = svc.stop()
    check(st["httpd"]["requests"] >= 6, "httpd %s" % st["httpd"])
    check(st["httpd"]["status_4xx"] == 1, "httpd %s" % st["httpd"])
    check(st["mempool"]["in_use"] == st["mempool"]["port_held"],
          "mbufs leaked: %s" % st["mempool"])


@test
def listen_with_every_received_packet_duplicated(ctx):
    """Every frame the server receives arrives twice in the same burst
    (--impair rx.dup=1): the duplicate SYN must find the connection its
    original just opened, though the burst's lookup found none for
    either.  Were it to open a second one, that one would replace the
    first in the table and the first would live on outside it: counted
    among the lcore's connections, but not in conn.list."""
    conns = 5
    d = Daemon(ctx, extra=["--listen", "80", "--impair", "seed=5,rx.dup=1"])
    try:
        wait_port(d.proc, 80)
        # The port probes' passive opens; from here on, only curl's five
        # connections (one each: one URL, no retry) may open any.
        opens0 = stat(d.ctl("stats", "scope=tcp"), "tcp.PassiveOpens")
        for i in range(conns):
            n = 100000 + i
            r = ns("curl", "-sS", "--noproxy", "*", "-o", "-",
                   "http://198.18.0.2/bytes/%d" % n, timeout=60)
            check(r.returncode == 0, "curl %d: %s" % (i, r.stderr.decode()))
            check(r.stdout == pattern_bytes(n), "body of /bytes/%d" % n)
        # well within the 1 s a stray SYN_RECEIVED waits to retransmit
        time.sleep(0.2)
        counted = sum(lc["connections"] for lc in
                      d.ctl("stats", "scope=lcore")["lcores"])
        listed = d.ctl("conns", "limit=100000")["total"]
        check(counted == listed, "%d connections counted, %d in the table"
              % (counted, listed))
    finally:
        st = d.stop()
    # One passive open per connection the peer made (curl's five), none
    # for a duplicate SYN: counted against what the peer did, not against
    # httpd.connections, which the code increments with PassiveOpens.
    check(stat(st, "impair.rx_duplicated") > 0, "impair %s" % st["impair"])
    opens = stat(st, "tcp.PassiveOpens") - opens0
    check(opens == conns, "%d passive opens for the %d connections curl "
          "made: %s" % (opens, conns, st["tcp"]))
    check(stat(st, "httpd.requests") == conns, "httpd %s" % st["httpd"])


@test
def listen_rejects_bad_requests(ctx):
    svc = Service(ctx, ["--listen", "80"])
    try:
        svc.wait_ready(80)
        script = (
            "import socket\n"
            "s = socket.create_connection(('198.18.0.2', 80), timeout=10)\n"
            "s.sendall(b'GET / HTTP/2.0\\r\\n\\r\\n')\n"
            "print(s.recv(4096).split(b'\\r\\n')[0].decode())\n")
        r = ns("/usr/bin/python3", "-c", script, timeout=30)
        check(r.stdout.strip() == b"HTTP/1.1 505 HTTP Version Not Supported",
              "got %r %r" % (r.stdout, r.stderr))
        # The server goes on serving after a bad client.
        r = ns("curl", "-sS", "--noproxy", "*", "http://198.18.0.2/bytes/3",
               timeout=30)
        check(r.stdout == pattern_bytes(3), "then: %r" % r.stdout)
    finally:
        st = svc.stop()
    check(st["httpd"]["parse_errors"] == 1, "httpd %s" % st["httpd"])


def memif_fetch_pattern(ctx, n, server_extra=()):
    """Fetch /bytes/n from a dpfetch server over net_memif, compare the
    body byte for byte; returns the server's and the client's stats."""
    sock = "/run/dpf-it-memif-%d.sock" % os.getpid()
    srv_prefix = ctx.prefix()
    server = [ctx.binary, "-l", "0", "--no-huge", "-m", "512", "--no-pci",
              "--file-prefix", srv_prefix, "--log-level", "warning",
              "--vdev=net_memif0,role=server,socket=%s,rsize=12" % sock,
              "--", "--ip", "198.18.2.1/24", "--listen", "80",
              "--stats"] + list(server_extra)
    srv = subprocess.Popen(server, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    out = ctx.out("memif.out")
    try:
        time.sleep(1.0)
        check(srv.poll() is None, "memif server exited early")
        p = ctx.dpfetch(["--ip", "198.18.2.2/24", "--fetch",
                         "http://198.18.2.1/bytes/%d" % n, "-o", out,
                         "--stats"],
                        eal=["-l", "1", "--no-huge", "-m", "512",
                             "--no-pci", "--file-prefix", ctx.prefix(),
                             "--log-level", "warning",
                             "--vdev=net_memif0,role=client,socket=%s,"
                             "rsize=12" % sock])
    finally:
        ended_early = srv.poll() is not None
        if not ended_early:
            srv.send_signal(signal.SIGTERM)
        _, err = srv.communicate(timeout=30)
        subprocess.run(["rm", "-f", sock])
        # The server's runtime directory only (ctx.dpfetch removes the
        # client's); others of this run may still be in use.
        subprocess.run(["rm", "-rf", "/var/run/dpdk/" + srv_prefix])
    serr = err.decode(errors="replace")
    no_sanitizer_report(serr)
    # The server serves until SIGTERM, then exits 0.
    check(not ended_early and srv.returncode == 0,
          "memif server %s exit %d:\n%s" % (
              "ended by itself:" if ended_early else "after SIGTERM:",
              srv.returncode, serr[-2000:]))
    expect_ok(p, "memif fetch")
    with open(out, "rb") as f:
        got = hashlib.sha256(f.read()).hexdigest()
    check(got == hashlib.sha256(pattern_bytes(n)).hexdigest(),
          "body of /bytes/%d over memif differs" % n)
    st = stats_of(serr)
    check(stat(st, "httpd.requests") == 1, "server httpd %s" % st["httpd"])
    check_mbufs_back(st, "server")
    print("    " + [l for l in p.stderr_text.splitlines()
                    if l.startswith("dpfetch: HTTP")][0])
    return st, stats_of(p.stderr_text)


@test
def memif_two_dpfetch_stack_only(ctx):
    """A dpfetch client and a dpfetch server joined by net_memif: no
    kernel on the path at all."""
    memif_fetch_pattern(ctx, 100 * 1024 * 1024)


@test
def memif_pattern_body_under_loss(ctx):
    """The built-in server sends /bytes/N by reference to one shared
    pattern buffer; with its own transmissions dropped, reordered and
    corrupted, what it retransmits from that buffer must still arrive
    byte for byte (odd body size: pieces at odd offsets)."""
    st, _ = memif_fetch_pattern(
        ctx, 20 * 1024 * 1024 + 12345,
        ["--impair", "seed=4,tx.drop=0.02,tx.reorder=0.01,"
         "tx.reorder_delay_us=300,tx.corrupt=0.01"])
    check(st["tcp"]["RetransSegs"] > 0 and st["impair"]["tx_dropped"] > 0,
          "no retransmissions: %s %s" % (st["tcp"], st["impair"]))
    print("    retransmitted %d segments (%d SACK)" % (
        st["tcp"]["RetransSegs"], st["tcp"]["SackRetrans"]))
