"""Integration tests: a spoofed SYN flood (issue 12, items 3 and 4), and
cookie SYN-ACKs to IPv6 sources Neighbor Discovery cannot resolve.

Imported by run.py, which collects every cases_*.py module.
"""

import subprocess
import time

from harness import (Daemon, check, check_mbufs_back, check_no_errors,
                      ns, test, wait_ip6_preferred, wait_port, IFACE, NS,
                      PEER_IP)

SPOOF_FIRST, SPOOF_LAST = 100, 250      # 198.18.0.100-250: 151 addresses
PORTS_PER_SOURCE = 256
FLOOD_S = 8
FLOOD_RATE = 100000

# Runs in the peer namespace under /usr/bin/python3: builds every SYN
# frame once (spoofed on-link sources the namespace does not own, random
# source MACs, Linux's SYN options), then sends them round-robin from a
# raw AF_PACKET socket on dpf0p at the rate asked for.  Prints "sent
# seconds".
FLOOD = r"""
import random, socket, struct, sys, time
dst_mac = bytes.fromhex(sys.argv[1].replace(":", ""))
dur, rate = float(sys.argv[2]), int(sys.argv[3])
first, last, nports = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

dst = socket.inet_aton("198.18.0.2")
# MSS 1460, SACK-permitted, timestamps, NOP, window scale 7: 20 bytes
opts = (struct.pack("!BBH", 2, 4, 1460) + b"\x04\x02" +
        struct.pack("!BBII", 8, 10, 1, 0) + b"\x01" +
        struct.pack("!BBB", 3, 3, 7))
rnd = random.Random(12)
frames = []
for a in range(first, last + 1):
    src = socket.inet_aton("198.18.0.%d" % a)
    smac = bytes([2, 0, 0x5e, 0x10, 0, a])
    for p in range(nports):
        tcp = bytearray(struct.pack("!HHIIBBHHH", 1024 + p * 211 % 60000, 80,
                                    rnd.getrandbits(32), 0, 10 << 4, 0x02,
                                    64240, 0, 0) + opts)
        ph = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
        tcp[16:18] = struct.pack("!H", csum(ph + bytes(tcp)))
        ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp),
                                   0, 0x4000, 64, 6, 0, src, dst))
        ip[10:12] = struct.pack("!H", csum(bytes(ip)))
        frames.append(dst_mac + smac + b"\x08\x00" + bytes(ip) + bytes(tcp))
rnd.shuffle(frames)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("dpf0p", 0))
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 << 20)
nf = len(frames)
print("ready", flush=True)
n = errors = 0
t0 = time.monotonic()
while True:
    now = time.monotonic() - t0
    if now >= dur:
        break
    due = min(int(now * rate) + 256, int(dur * rate))
    if n >= due:
        time.sleep(0.0005)
        continue
    while n < due:
        try:
            s.send(frames[n % nf])
        except OSError:
            errors += 1
        n += 1
print(n - errors, time.monotonic() - t0, flush=True)
"""


def our_mac():
    with open("/sys/class/net/%s/address" % IFACE) as f:
        return f.read().strip()


def tcp_stats(d):
    return d.ctl("stats")


def honest_curl():
    """One GET from the namespace's kernel; (ok, seconds)."""
    t0 = time.monotonic()
    r = ns("curl", "-sS", "--noproxy", "*", "--connect-timeout", "1", "-m",
           "1", "-o", "/dev/null", "-w", "%{http_code}",
           "http://198.18.0.2/bytes/1000", timeout=10)
    return r.returncode == 0 and r.stdout == b"200", time.monotonic() - t0


@test
def syn_flood_spoofed_sources(ctx):
    """About 100k spoofed SYNs a second for 8 s from 151 on-link addresses
    nobody owns, at a server (--listen 80) that also runs a fetch job
    against nginx: the kernel curl is served within a second every time
    it tries during the flood, the job ends without an error, half-open
    connections stay within tcp.syn_backlog (SYN cookies past it), the
    spoofed addresses are not ARPed for after the flood and hold no mbuf,
    and the pool is back at its baseline."""
    # A deep RX ring (the af_packet PMD's default holds 512 frames): the
    # machine that runs the tests is shared, and a poll-mode lcore that
    # is off its CPU for a few milliseconds would otherwise lose the
    # honest SYN with the flood to the kernel, before dpfetch sees it.
    eal = [a if not a.startswith("--vdev=net_af_packet0") else
           a + ",framecnt=16384" for a in ctx.eal()]
    d = Daemon(ctx, extra=["--listen", "80"], eal=eal)
    flood = None
    try:
        wait_port(d.proc, 80)
        ok, _ = honest_curl()
        check(ok, "curl before the flood failed")
        time.sleep(0.5)
        base = tcp_stats(d)
        job = d.ctl("fetch", "url=http://%s/index.html" % PEER_IP,
                    "connections=4", "duration=%d" % (FLOOD_S + 2),
                    "rate_rps=500")
        flood = subprocess.Popen(
            ["ip", "netns", "exec", NS, "/usr/bin/python3", "-c", FLOOD,
             our_mac(), str(FLOOD_S), str(FLOOD_RATE), str(SPOOF_FIRST),
             str(SPOOF_LAST), str(PORTS_PER_SOURCE)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = flood.stdout.readline()
        check(line.strip() == b"ready", "flood: %r %r" %
              (line, flood.stderr.read() if flood.poll() is not None
               else b""))
        t_end = time.monotonic() + FLOOD_S
        tries = []
        peak_half_open = 0
        arp_peak = 0
        time.sleep(1.0)
        while time.monotonic() < t_end - 0.5:
            ok, secs = honest_curl()
            tries.append((ok, secs))
            st = tcp_stats(d)
            peak_half_open = max(peak_half_open, st["tcp"]["HalfOpen"])
            arp_peak = max(arp_peak, st["arp"]["entries"])
            time.sleep(0.2)
        out, err = flood.communicate(timeout=60)
        flood = None
        sent, secs = out.split()[-2:]
        sent, secs = int(sent), float(secs)
        during = tcp_stats(d)
        r = d.ctl("wait", "job=%d" % job["job"], "timeout=60")
        # Half-open connections end after one SYN-ACK retry (3 s), the
        # spoofed neighbours after 3 ARP retries and a second FAILED.
        time.sleep(6)
        after = tcp_stats(d)
        time.sleep(3)
        later = tcp_stats(d)
        ok, _ = honest_curl()
        check(ok, "curl after the flood failed")
        arp = d.ctl("arp")["entries"]
    finally:
        if flood is not None:
            flood.kill()
            flood.communicate()
        st = d.stop()
    t = during["tcp"]
    syn_rate = sent / secs
    print("    flood: %d SYNs in %.1f s (%.0f/s); cookies sent %d, received "
          "%d, failed %d; half-open peak %d; retries cut %d; SYN-ACKs "
          "without a neighbour %d; arp entries peak %d, held drops %d; "
          "curl %d tries, slowest %.2f s; dpfetch received %d frames, "
          "%d TCP segments" % (
              sent, secs, syn_rate, t["SyncookiesSent"], t["SyncookiesRecv"],
              t["SyncookiesFailed"], t["HalfOpenPeak"], t["SynAckRetriesCut"],
              t["SynAckNoNeigh"], arp_peak, during["arp"]["held_drops"],
              len(tries), max(s for _, s in tries) if tries else 0,
              during["port"]["rx_packets"] - base["port"]["rx_packets"],
              t["InSegs"] - base["tcp"]["InSegs"]))
    print("    after the flood: half-open %d then %d; ARP requests %d then "
          "%d; arp entries %d then %d, at the end %s" % (
              after["tcp"]["HalfOpen"], later["tcp"]["HalfOpen"],
              after["arp"]["tx_requests"], later["arp"]["tx_requests"],
              after["arp"]["entries"], later["arp"]["entries"],
              sorted(e["state"] for e in arp)))
    check(syn_rate > 20000, "the flood reached only %.0f SYN/s" % syn_rate)
    check(len(tries) >= 5, "only %d curl tries during the flood" %
          len(tries))
    bad = [s for ok, s in tries if not ok or s > 1.0]
    check(not bad, "honest curl failed or slow during the flood: %d of %d "
          "(%s)" % (len(bad), len(tries), tries))
    check(r["state"] == "done", "job state %s" % r["state"])
    check_no_errors(r, "job during the flood")
    check(r["responses"]["2xx"] > 0, "job responses %s" % r["responses"])
    # Cookies past the backlog, and the backlog bounded.
    backlog = 1024          # max_conns 16384 / 16
    check(t["SyncookiesSent"] > 1000, "cookies sent %d" % t["SyncookiesSent"])
    # (+1: a connection rebuilt from a cookie passes SYN_RECEIVED too)
    check(t["HalfOpenPeak"] <= backlog + 1 and peak_half_open <= backlog + 1,
          "half-open peak %d (sampled %d), backlog %d" %
          (t["HalfOpenPeak"], peak_half_open, backlog))
    check(t["SynAckRetriesCut"] > 0, "no SYN-ACK retries cut")
    check(t["InSegs"] - base["tcp"]["InSegs"] > sent // 4,
          "dpfetch saw %d segments of %d SYNs" %
          (t["InSegs"] - base["tcp"]["InSegs"], sent))
    # Spoofed addresses: the table stayed bounded, they are gone, and no
    # ARP goes out for them any more.
    check(arp_peak <= (SPOOF_LAST - SPOOF_FIRST + 1) + 4,
          "arp entries peaked at %d" % arp_peak)
    spoofed = [e for e in arp if e["ip"].startswith("198.18.0.") and
               SPOOF_FIRST <= int(e["ip"].rsplit(".", 1)[1]) <= SPOOF_LAST]
    check(not spoofed, "spoofed neighbours left: %s" % spoofed[:5])
    check(later["arp"]["tx_requests"] - after["arp"]["tx_requests"] <= 2,
          "still ARPing after the flood: %d requests in 3 s" %
          (later["arp"]["tx_requests"] - after["arp"]["tx_requests"]))
    check(after["tcp"]["HalfOpen"] == 0, "half-open left: %d" %
          after["tcp"]["HalfOpen"])
    check(after["mempool"]["in_use"] <= base["mempool"]["in_use"] + 64,
          "mbufs after the flood %d, before %d" %
          (after["mempool"]["in_use"], base["mempool"]["in_use"]))
    check_mbufs_back(st, "syn flood")


# Runs in the peer namespace: one bare SYN (no options) to 198.18.0.2:80
# from each source address given, from a raw AF_PACKET socket on dpf0p.
SYN_FROM = r"""
import socket, struct, sys
dst_mac = bytes.fromhex(sys.argv[1].replace(":", ""))
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
dst = socket.inet_aton("198.18.0.2")
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("dpf0p", 0))
for a in sys.argv[2:]:
    src = socket.inet_aton(a)
    tcp = bytearray(struct.pack("!HHIIBBHHH", 4321, 80, 7, 0, 5 << 4, 2,
                                 64240, 0, 0))
    tcp[16:18] = struct.pack("!H", csum(src + dst + struct.pack(
        "!BBH", 0, 6, len(tcp)) + bytes(tcp)))
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0x4000, 64,
                               6, 0, src, dst))
    ip[10:12] = struct.pack("!H", csum(bytes(ip)))
    s.send(dst_mac + bytes([2, 0, 0x5e, 0x10, 0, 1]) + b"\x08\x00" +
           bytes(ip) + bytes(tcp))
"""


def syns_from(ctx, srcs):
    """A server with SYN cookies always on (tcp.syncookies=2) gets one
    SYN_FROM from each of srcs, then the kernel's curl: returns its
    stats before and after the SYNs, curl's (ok, seconds), and its stats
    after curl."""
    d = Daemon(ctx, extra=["--listen", "80", "--tcp", "syncookies=2"])
    try:
        wait_port(d.proc, 80)
        time.sleep(1.5)     # nc's connection gone (TIME_WAIT is 1 s)
        base = tcp_stats(d)
        r = ns("/usr/bin/python3", "-c", SYN_FROM, our_mac(), *srcs,
               timeout=30)
        check(r.returncode == 0, "sender: %s" % r.stderr.decode())
        time.sleep(0.5)
        st = tcp_stats(d)
        ok, secs = honest_curl()
        after = tcp_stats(d)
    finally:
        d.stop()
    return base, st, ok, secs, after


@test
def syn_from_bad_sources_unanswered(ctx):
    """SYNs from broadcast, multicast, zero, loopback, our own address and
    our subnet's broadcast get no SYN-ACK (and no ARP), and are counted;
    with tcp.syncookies=2 a kernel client is still served."""
    bad = ["255.255.255.255", "224.0.0.1", "239.1.2.3", "0.0.0.0",
           "127.0.0.1", "198.18.0.2", "198.18.0.255", "240.0.0.1"]
    base, st, ok, secs, after = syns_from(ctx, bad)
    t, b = st["tcp"], base["tcp"]
    check(t["SynFromBadSource"] - b["SynFromBadSource"] == len(bad),
          "SynFromBadSource %d, wanted %d" %
          (t["SynFromBadSource"] - b["SynFromBadSource"], len(bad)))
    check(t["SyncookiesSent"] == b["SyncookiesSent"] and
          t["OutSegs"] == b["OutSegs"], "answered a bad source: %s" %
          {k: (b[k], t[k]) for k in ("SyncookiesSent", "OutSegs")})
    check(st["arp"]["tx_requests"] == base["arp"]["tx_requests"],
          "ARPed for a bad source")
    check(ok and secs < 1.0, "curl with syncookies=2: ok %s in %.2f s" %
          (ok, secs))
    check(after["tcp"]["SyncookiesRecv"] > b["SyncookiesRecv"],
          "curl's handshake did not go through a cookie")


@test
def syn_cookie_synack_without_route_sends_no_arp(ctx):
    """With tcp.syncookies=2, SYNs from addresses dpfetch has no route to
    (198.19.7.x: off its /24, and no gateway) get no SYN-ACK, counted
    where every unroutable packet is (ip.tx_no_route), as over IPv6.
    Nothing is ARPed for (before, the cookie path asked ARP to resolve
    next hop 0.0.0.0 and sent a request for it), nothing is held, and a
    kernel client is still served."""
    srcs = ["198.19.7.%d" % i for i in range(1, 11)]
    base, st, ok, secs, _ = syns_from(ctx, srcs)

    def delta(sect, key):
        return st[sect][key] - base[sect][key]
    print("    %d SYNs without a route: tx_no_route %d, SynAckNoNeigh %d, "
          "ARP requests %d" % (len(srcs), delta("ip", "tx_no_route"),
                               delta("tcp", "SynAckNoNeigh"),
                               delta("arp", "tx_requests")))
    check(delta("tcp", "InSegs") >= len(srcs),
          "dpfetch saw %d segments" % delta("tcp", "InSegs"))
    check(delta("ip", "tx_no_route") == len(srcs),
          "tx_no_route %d for %d SYNs" % (delta("ip", "tx_no_route"),
                                          len(srcs)))
    check(delta("tcp", "SynAckNoNeigh") == 0,
          "SynAckNoNeigh %d" % delta("tcp", "SynAckNoNeigh"))
    check(delta("arp", "tx_requests") == 0 and
          delta("arp", "held_packets") == 0,
          "ARP for an unroutable source: %d requests, %d held" % (
              delta("arp", "tx_requests"), delta("arp", "held_packets")))
    check(ok and secs < 1.0, "curl with syncookies=2: ok %s in %.2f s" %
          (ok, secs))


# SYNs over IPv6 from on-link sources nobody owns (no one answers Neighbor
# Discovery for them), each source several times from several ports.
SYN6_SPOOF = r"""
import socket, sys
from scapy.all import Ether, IPv6, TCP, raw
dst_mac, n_src, per_src = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("dpf0p", 0))
for i in range(1, n_src + 1):
    for p in range(per_src):
        s.send(raw(Ether(src="02:00:5e:20:00:%02x" % i, dst=dst_mac) /
                   IPv6(src="2001:2::1:0:%x" % i, dst="2001:2::2") /
                   TCP(sport=2000 + p, dport=80, flags="S", seq=1000 + p,
                       options=[("MSS", 1440)])))
"""


@test
def syn6_cookie_synacks_to_unresolved_sources_wait_alone(ctx):
    """Over IPv6 too, a cookie SYN-ACK (tcp.syncookies=2: every SYN) to a
    source Neighbor Discovery has not resolved waits alone: 20 spoofed
    on-link sources, 10 SYNs each, leave at most one packet held per
    source, none dropped from a full hold, the rest counted as
    SynAckNoNeigh; curl -6 from the namespace is still served, and every
    mbuf comes back."""
    n_src, per_src = 20, 10
    d = Daemon(ctx, extra=["--ip6", "2001:2::2/64", "--listen", "80",
                           "--tcp", "syncookies=2"])
    try:
        wait_ip6_preferred(d)
        base = tcp_stats(d)
        r = ns("/usr/bin/python3", "-c", SYN6_SPOOF, our_mac(), str(n_src),
               str(per_src), timeout=60)
        check(r.returncode == 0, "sender: %s" % r.stderr.decode()[-1500:])
        time.sleep(0.5)
        during = tcp_stats(d)
        c = ns("curl", "-6", "-sS", "--noproxy", "*", "--retry", "3",
               "--retry-connrefused", "-m", "10", "-o", "/dev/null", "-w",
               "%{http_code}", "http://[2001:2::2]/bytes/1000", timeout=60)
        # Neighbor Discovery gives up on them (3 tries, 1 s apart).
        time.sleep(4)
        after = tcp_stats(d)
    finally:
        st = d.stop()

    def delta(sect, key, now):
        return now[sect][key] - base[sect][key]
    no_neigh = delta("tcp", "SynAckNoNeigh", during)
    held = delta("nd", "held_packets", during)
    print("    %d SYNs from %d sources: %d SYN-ACKs without a neighbour, "
          "%d held, %d held drops" % (
              n_src * per_src, n_src, no_neigh, held,
              delta("nd", "held_drops", during)))
    check(c.returncode == 0 and c.stdout == b"200",
          "curl -6: %r %s" % (c.stdout, c.stderr.decode()))
    check(delta("tcp", "InSegs", during) >= n_src * per_src,
          "dpfetch saw %d segments" % delta("tcp", "InSegs", during))
    check(held <= n_src, "%d SYN-ACKs held for %d sources" % (held, n_src))
    check(delta("nd", "held_drops", during) == 0,
          "held drops %d" % delta("nd", "held_drops", during))
    check(no_neigh >= n_src * (per_src - 2),
          "SynAckNoNeigh %d for %d SYNs" % (no_neigh, n_src * per_src))
    check(after["mempool"]["in_use"] <= base["mempool"]["in_use"] + 64,
          "mbufs after %d, before %d" % (after["mempool"]["in_use"],
                                         base["mempool"]["in_use"]))
    check_mbufs_back(st, "IPv6 SYNs from unresolved sources")
