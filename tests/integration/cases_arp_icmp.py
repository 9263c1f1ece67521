"""ARP and ICMP seen from the peer: ping, its neighbour entry, the ARP
announcement.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import os
import re
import subprocess
import time

from harness import (IFACE, NS, OUR_IP, MemifServer, check, check_mbufs_back,
                     check_no_errors, job_result, memif_client_eal,
                     no_sanitizer_report, ns, stat, stats_of, test)


@test
def peer_ping_neighbour_and_gratuitous_arp(ctx):
    cap = ctx.out("garp.pcap")
    # sender IP == target IP: an ARP announcement.
    tcpdump = subprocess.Popen(
        ["ip", "netns", "exec", NS, "tcpdump", "-i", "dpf0p", "-n", "-c", "1",
         "-w", cap, "arp and arp[6:2] = 1 and arp[14:4] = arp[24:4]"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    ns("ip", "neigh", "flush", "dev", "dpf0p")
    # Keep dpfetch busy resolving an absent host for ~4 s while we ping.
    cmd = [ctx.binary] + ctx.eal() + [
        "--", "--ip", OUR_IP, "--fetch", "http://198.18.0.77/",
        "--arp", "retries=16,retry_ms=250", "--stats"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        time.sleep(1.0)
        ping = ns("ping", "-c", "3", "-i", "0.2", "-W", "1", "198.18.0.2",
                  timeout=20)
        neigh = ns("ip", "neigh", "show", "198.18.0.2", "dev", "dpf0p")
    finally:
        out, err = proc.communicate(timeout=60)
        try:
            tcpdump.wait(timeout=5)
        except subprocess.TimeoutExpired:
            tcpdump.kill()
            tcpdump.wait()
    check(ping.returncode == 0 and b" 0% packet loss" in ping.stdout,
          "ping failed:\n" + ping.stdout.decode())
    with open("/sys/class/net/%s/address" % IFACE) as f:
        mac = f.read().strip()
    check(mac in neigh.stdout.decode(),
          "peer neighbour entry %r lacks %s" % (neigh.stdout, mac))
    text = err.decode(errors="replace")
    no_sanitizer_report(text)
    # It ends by itself: the absent host's ARP fails after 16 tries.
    check(proc.returncode == 1 and re.search(
        r"ARP: no reply from 198\.18\.0\.77 after 16 requests", text),
        "dpfetch exit %d, wanted 1 with the ARP error:\n%s" % (
            proc.returncode, text[-2000:]))
    st = stats_of(text)
    check_mbufs_back(st, "dpfetch")
    check(stat(st, "icmp.tx_echo_replies") >= 3, "echo replies %s" %
          st["icmp"])
    check(stat(st, "arp.tx_replies") >= 1, "no ARP reply sent")
    check(stat(st, "arp.tx_gratuitous") == 1, "gratuitous ARP count")
    r = subprocess.run(["tcpdump", "-n", "-r", cap], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    check(b"198.18.0.2" in r.stdout,
          "no ARP announcement captured: %r" % r.stdout)


@test
def neigh_confirmed_by_tcp_progress(ctx):
    """Two dpfetch over memif trust an answer only 1 s (reachable_s=1),
    yet 6 s of steady keep-alive traffic over IPv4 and IPv6 sends no
    probe after the first resolution: each acknowledgement of new data
    confirms the neighbour (RFC 4861 7.3.1), as Linux's TCP does.
    Without it every entry goes STALE each second and is probed anew,
    and a loaded link that loses the probes loses the peer."""
    sock = "/run/dpf-it-nconf-%d.sock" % os.getpid()
    tun = ["--arp", "reachable_s=1", "--nd", "dad_transmits=0"]
    srv = MemifServer(ctx, sock, extra=["--ip6", "2001:2:0:7::1/64"] + tun)
    try:
        time.sleep(1.0)
        check(srv.proc.poll() is None, "memif server exited early")
        out = ctx.out("nconf.json")
        p = ctx.dpfetch(["--ip", "198.18.2.2/24",
                         "--ip6", "2001:2:0:7::2/64",
                         "--fetch", "http://198.18.2.1/bytes/64",
                         "--fetch", "http://[2001:2:0:7::1]/bytes/64",
                         "--connections", "4", "--rate-rps", "400",
                         "--duration", "6", "-o", out, "--stats",
                         "--mbufs", "65535"] + tun,
                        eal=memif_client_eal(ctx, sock), timeout=60)
    finally:
        code = srv.stop()
        subprocess.run(["rm", "-f", sock])
    no_sanitizer_report(srv.stderr_text)
    check(code == 0, "server exit %d: %s" % (code, srv.stderr_text[-2000:]))
    check(p.returncode == 0, "client exit %d: %s"
          % (p.returncode, p.stderr_text[-2000:]))
    r = job_result(ctx, p, out)
    check_no_errors(r, "confirmed")
    check(r["responses"]["2xx"] >= 600, "responses %s" % r["responses"])
    for name, st in (("client", stats_of(p.stderr_text)),
                     ("server", stats_of(srv.stderr_text))):
        arp, nd = st["arp"], st["nd"]
        # The client resolves each peer once; the server learns the
        # client from its request and never asks.
        most = 1 if name == "client" else 0
        check(arp["tx_requests"] <= most and nd["tx_solicits"] <= most,
              "%s probed again: arp %d requests, nd %d solicits"
              % (name, arp["tx_requests"], nd["tx_solicits"]))
        check(arp["confirmations"] >= 3 and nd["confirmations"] >= 3,
              "%s confirmations: arp %d, nd %d"
              % (name, arp["confirmations"], nd["confirmations"]))
        check(arp["resolve_failures"] == 0 and nd["resolve_failures"] == 0,
              "%s resolve failures" % name)
        check_mbufs_back(st, name)
