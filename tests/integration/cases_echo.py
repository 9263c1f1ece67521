"""Passive open: the echo service answering nc, and bulk echo under loss.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import hashlib
import os

from harness import Service, check, nft_clear, nft_loss, ns, test


@test
def echo_lines_from_peer(ctx):
    svc = Service(ctx, ["--echo", "7"])
    try:
        svc.wait_ready(7)
        r = ns("nc", "-q", "1", "-w", "5", "198.18.0.2", "7",
               input=b"hello\nworld\n", timeout=20)
    finally:
        st = svc.stop()
    check(r.stdout == b"hello\nworld\n", "echoed %r" % r.stdout)
    check(st["tcp"]["PassiveOpens"] >= 2, "PassiveOpens %s" % st["tcp"])
    check(st["echo"]["bytes"] >= 12, "echo bytes %s" % st["echo"])
    check(st["mempool"]["in_use"] == st["mempool"]["port_held"],
          "mbufs leaked: %s" % st["mempool"])


def echo_bulk_under_loss(ctx, cc):
    data = os.urandom(20 * 1024 * 1024)
    src = ctx.out("echo.in")
    with open(src, "wb") as f:
        f.write(data)
    nft_loss(3)
    svc = Service(ctx, ["--echo", "7", "--tcp", "cc=%s" % cc, "--impair",
                        "seed=3,tx.reorder=0.01,tx.reorder_delay_us=300,"
                        "tx.dup=0.01"])
    try:
        svc.wait_ready(7)
        with open(src, "rb") as f:
            r = ns("nc", "-q", "2", "-w", "30", "198.18.0.2", "7", stdin=f,
                   timeout=240)
    finally:
        nft_clear()
        st = svc.stop()
    check(len(r.stdout) == len(data), "echoed %d of %d bytes (nc: %s)" %
          (len(r.stdout), len(data), r.stderr.decode(errors="replace")))
    check(hashlib.sha256(r.stdout).digest() == hashlib.sha256(data).digest(),
          "echoed bytes differ")
    # Our own sending really went through loss recovery.
    check(st["tcp"]["RetransSegs"] > 0 and st["tcp"]["FastRetrans"] > 0,
          "no retransmissions: %s" % st["tcp"])
    check(st["mempool"]["in_use"] == st["mempool"]["port_held"],
          "mbufs leaked: %s" % st["mempool"])
    print("    %s: retrans %d, fast %d, sack %d, rto %d, tlp %d" % (
        cc, st["tcp"]["RetransSegs"], st["tcp"]["FastRetrans"],
        st["tcp"]["SackRetrans"], st["tcp"]["RtoTimeouts"],
        st["tcp"]["TailLossProbes"]))


@test
def echo_20M_under_loss_newreno(ctx):
    echo_bulk_under_loss(ctx, "newreno")


@test
def echo_20M_under_loss_cubic(ctx):
    echo_bulk_under_loss(ctx, "cubic")
