"""Packet capture from the command line, read back by tshark.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import os
import re

from harness import (OUR_IP, PEER_IP, check, expect_fail, fetch_and_compare,
                     flag, test, tshark_rows)


@test
def capture_pcapng_readable_by_tshark(ctx):
    cap = ctx.out("fetch.pcapng")
    p, st = fetch_and_compare(ctx, "http://%s/1M.bin" % PEER_IP, "1M.bin",
                              extra=["--capture", cap])
    check(re.search(r"capture %s: \d+ packets written, 0 dropped" %
                    re.escape(cap), p.stderr_text) is not None,
          "no capture summary:\n" + p.stderr_text[-2000:])
    rows = tshark_rows(cap)
    ours = OUR_IP.split("/")[0]
    # Our connection: the one that sent the GET (the wire is shared).
    gets = [r for r in rows if r["http.request.method"] == "GET" and
            r["ip.src"] == ours and r["tcp.dstport"] == "80"]
    check(len(gets) == 1, "%d GETs to port 80 in the capture" % len(gets))
    sport = gets[0]["tcp.srcport"]
    conn = [r for r in rows if {r["tcp.srcport"], r["tcp.dstport"]} ==
            {sport, "80"} and {r["ip.src"], r["ip.dst"]} == {ours, PEER_IP}]
    out = [r for r in conn if r["ip.src"] == ours]
    inb = [r for r in conn if r["ip.src"] == PEER_IP]
    check(any(flag(r, "tcp.flags.syn") and not flag(r, "tcp.flags.ack")
              for r in out), "no SYN from us")
    check(any(flag(r, "tcp.flags.syn") and flag(r, "tcp.flags.ack")
              for r in inb), "no SYN-ACK from the peer")
    check(any(flag(r, "tcp.flags.fin") for r in out), "no FIN from us")
    check(any(flag(r, "tcp.flags.fin") for r in inb), "no FIN from the peer")
    # 1 MiB came in: hundreds of segments, and our ACKs went out.
    check(len(inb) > 500 and len(out) > 20,
          "%d packets in, %d out on the connection" % (len(inb), len(out)))
    check(len(rows) >= len(conn), "rows")

    # --capture-count: exactly that many packets, the first of the run.
    cap5 = ctx.out("count5.pcapng")
    p, _ = fetch_and_compare(ctx, "http://%s/1M.bin" % PEER_IP, "1M.bin",
                             extra=["--capture", cap5, "--capture-count",
                                    "5"])
    check(re.search(r"capture %s: 5 packets written" % re.escape(cap5),
                    p.stderr_text) is not None,
          "no capture summary:\n" + p.stderr_text[-2000:])
    rows = tshark_rows(cap5)
    check(len(rows) == 5, "--capture-count 5 wrote %d packets" % len(rows))
    os.unlink(cap)
    os.unlink(cap5)


@test
def capture_bad_file_is_usage_error(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch", "http://%s/" % PEER_IP,
                     "--capture", "/nonexistent-dir/x.pcapng"])
    expect_fail(p, 2, r"--capture: cannot open /nonexistent-dir/x\.pcapng: "
                r"No such file or directory", "bad capture file")
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch", "http://%s/" % PEER_IP,
                     "--capture-count", "5"])
    expect_fail(p, 2, r"--capture-count needs --capture FILE",
                "--capture-count alone")
