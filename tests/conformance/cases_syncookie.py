"""SYN cookies (RFC 4987 3.6) and hostile SYNs, with dpfetch as the server
(--listen 80) and the scapy peer as the client at SERVER_IP: what the
cookie carries (MSS class, window scale and SACK in TSval's low bits)
survives into the connection, a forged or tampered cookie ACK gets a RST
and no connection, and SYNs from sources no host can have get nothing."""

import random
import time

from scapy.layers.inet import IP, TCP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import ARP, Ether
from scapy.packet import Raw

from common import both_families, test
from peer import (CLIENT_IP, CLIENT_IP6, DPF_IFACE, SERVER_IP, SERVER_IP6,
                  SERVER_MAC, DpFetch, Failure, Peer, check, seq_add)

LISTEN_PORT = 80


class ListenDpFetch(DpFetch):
    """dpfetch serving HTTP on port 80 until SIGTERM (no --fetch)."""

    def __init__(self, build, tmpdir, tcp=None, extra=(), family=4):
        super().__init__(build, tmpdir, tcp=tcp, extra=extra, family=family)
        i = self.cmd.index("--fetch")
        del self.cmd[i:i + 4]                   # --fetch URL -o FILE
        j = self.cmd.index("--timeout")
        del self.cmd[j:j + 2]
        self.cmd[i:i] = ["--listen", str(LISTEN_PORT)]


def dpf_mac():
    with open("/sys/class/net/%s/address" % DPF_IFACE) as f:
        return f.read().strip()


def start_server(t, tcp):
    t.peer = Peer(family=t.family)
    t.peer.dpf_mac = dpf_mac()
    t.dpf = ListenDpFetch(t.build, t.tmp, tcp=tcp, family=t.family).start()
    t.runs.append(t.dpf)
    return t.dpf


def announce(peer):
    """Ask for dpfetch's address, as a host does before its SYN: dpfetch
    learns our MAC from the request."""
    peer.send_frame(bytes(
        Ether(dst="ff:ff:ff:ff:ff:ff", src=SERVER_MAC) /
        ARP(op=1, hwsrc=SERVER_MAC, psrc=SERVER_IP, pdst=CLIENT_IP)))


class Client:
    """The client side of one connection to dpfetch's port 80."""

    def __init__(self, peer, options, mss_payload=None):
        self.peer = peer
        self.port = random.randint(20000, 60000)
        self.iss = random.getrandbits(32)
        self.snd_nxt = seq_add(self.iss, 1)
        self.options = options
        self.cursor = len(peer.segs)
        self.synack = None
        self.rcv_nxt = None
        self.ts0 = random.getrandbits(30)

    def mine(self, s):
        return s.dport == self.port and s.sport == LISTEN_PORT

    def expect(self, pred, timeout, what):
        i, seg = self.peer.wait_for(lambda s: self.mine(s) and pred(s),
                                    timeout, self.cursor)
        if seg is None:
            got = self.peer.since(self.cursor, self.mine)
            raise Failure("no %s from dpfetch within %.1f s; it sent %s" %
                          (what, timeout, got[-6:] or "nothing"))
        self.cursor = i + 1
        return seg

    def quiet(self, duration):
        time.sleep(duration)
        got = self.peer.since(self.cursor, self.mine)
        self.cursor = len(self.peer.segs)
        return got

    def send(self, flags, seq=None, ack=None, window=65535, options=None,
             payload=b""):
        ip = (IPv6(src=SERVER_IP6, dst=CLIENT_IP6) if self.peer.family == 6
              else IP(src=SERVER_IP, dst=CLIENT_IP, flags="DF"))
        pkt = (ip /
               TCP(sport=self.port, dport=LISTEN_PORT, flags=flags,
                   seq=self.snd_nxt if seq is None else seq,
                   ack=(self.rcv_nxt or 0) if ack is None else ack,
                   window=window, options=options or []))
        if payload:
            pkt = pkt / Raw(payload)
        self.peer.send_ip(pkt)

    def ts(self, ecr):
        return [("NOP", None), ("NOP", None),
                ("Timestamp", (self.ts0 + int(time.monotonic() * 1000) %
                               100000, ecr))]

    def connect(self, timeout=15.0):
        """SYN (again every 0.3 s while dpfetch starts) until a SYN-ACK."""
        deadline = time.monotonic() + timeout
        while True:
            if self.peer.family == 4:
                # IPv6: dpfetch's Neighbor Solicitation for us is
                # answered by the peer instead.
                announce(self.peer)
            self.send("S", seq=self.iss, ack=0, options=self.options)
            i, seg = self.peer.wait_for(
                lambda s: self.mine(s) and s.flags == "SA", 0.3, self.cursor)
            if seg is not None:
                self.cursor = i + 1
                break
            check(time.monotonic() < deadline,
                  "no SYN-ACK within %.0f s" % timeout)
        check(seg.ack == self.snd_nxt, "SYN-ACK acks %d, want %d" %
              (seg.ack, self.snd_nxt))
        self.synack = seg
        self.rcv_nxt = seq_add(seg.seq, 1)
        return seg


def get(c, n, window, ts):
    """Send GET /bytes/n, read the whole response (ACKing as it comes),
    and return its segments."""
    req = b"GET /bytes/%d HTTP/1.1\r\nHost: x\r\n\r\n" % n
    c.send("PA", window=window, payload=req,
           options=c.ts(c.synack.tsval) if ts else None)
    c.snd_nxt = seq_add(c.snd_nxt, len(req))
    segs, data = [], b""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        s = c.expect(lambda s: s.payload or "F" in s.flags, 3.0, "data")
        if s.seq != c.rcv_nxt:
            continue
        segs.append(s)
        data += s.payload
        c.rcv_nxt = seq_add(c.rcv_nxt, len(s.payload))
        c.send("A", window=window,
               options=c.ts(s.tsval) if ts else None)
        head, _, body = data.partition(b"\r\n\r\n")
        if _ and len(body) >= n:
            check(head.startswith(b"HTTP/1.1 200"), "response %r" %
                  head[:60])
            return segs
    raise Failure("response incomplete: %d bytes" % len(data))


def stop(t):
    t.dpf.kill()
    return t.dpf.stats


@both_families
def syncookie_handshake_options_survive(t):
    """RFC 4987 3.6 with tcp.syncookies=2: the SYN-ACK carries a cookie
    and no state is kept; the ACK rebuilds the connection with what the
    SYN offered: MSS class 1440 (payloads of 1428 with timestamps), the
    peer's window scale 7 (a window field of 512 lets 64 KiB out),
    SACK (blocks are taken) and timestamps (TSval's low 6 bits carry
    wscale, SACK and "on"; every later segment has TSopt echoing ours)."""
    start_server(t, {"syncookies": 2})
    c = Client(t.peer, [("MSS", 1440), ("SAckOK", b""),
                        ("Timestamp", (1000, 0)), ("NOP", None),
                        ("WScale", 7)])
    sa = c.connect()
    check(sa.opts.get("MSS") == 1500 - 20 - t.ip_hdr_len and
          "SAckOK" in sa.opts and
          sa.opts.get("WScale") == 5 and sa.tsecr == 1000,
          "SYN-ACK options %r" % sa)
    check(sa.tsval & 0x3f == 0x20 | 0x10 | 7,
          "TSval low bits 0x%x, want 0x37 (on, SACK, wscale 7)" %
          (sa.tsval & 0x3f))
    # The cookie ACK with a window of 512 << 7 = 64 KiB.
    c.send("A", window=512, options=c.ts(sa.tsval))
    segs = get(c, 20000, 512, True)
    sizes = [len(s.payload) for s in segs]
    check(max(sizes) == 1428, "segment sizes %s, want 1428 at most "
          "(MSS class 1440 less 12 for timestamps)" % sizes)
    check(sum(sizes) > 512 * 4, "window scale lost: %d bytes" % sum(sizes))
    check(all(s.tsval is not None and s.tsecr is not None for s in segs),
          "a segment without timestamps")
    # SACK agreed: a block above the cumulative ACK is counted.
    first = segs[0]
    c.send("A", ack=seq_add(first.seq, len(first.payload)),
           options=c.ts(segs[-1].tsval) + [
               ("NOP", None), ("NOP", None),
               ("SAck", (seq_add(first.seq, 2 * 1428),
                         seq_add(first.seq, 3 * 1428)))])
    time.sleep(0.3)
    st = stop(t)["tcp"]
    check(st["SyncookiesSent"] >= 1 and st["SyncookiesRecv"] == 1 and
          st["SyncookiesFailed"] == 0 and st["PassiveOpens"] == 1,
          "cookies %s" % {k: st[k] for k in ("SyncookiesSent",
                                              "SyncookiesRecv",
                                              "SyncookiesFailed",
                                              "PassiveOpens")})
    check(st["HalfOpenPeak"] == 1, "half-open peak %d: state was kept "
          "(the rebuilt connection counts once)" % st["HalfOpenPeak"])
    check(st["SackBlocksReceived"] >= 1, "SACK not agreed")
    mp = t.dpf.stats["mempool"]
    check(mp["in_use"] == mp["port_held"], "mbufs leaked %s" % mp)


@test
def syncookie_without_timestamps(t):
    """Without timestamps the cookie has nowhere to keep window scale and
    SACK: the SYN-ACK offers neither (as Linux), the MSS class still
    comes back (536 for a peer that asked for 600)."""
    start_server(t, {"syncookies": 2})
    c = Client(t.peer, [("MSS", 600), ("NOP", None), ("WScale", 7),
                        ("SAckOK", b"")])
    sa = c.connect()
    check("Timestamp" not in sa.opts and "SAckOK" not in sa.opts and
          "WScale" not in sa.opts and sa.opts.get("MSS") == 1460,
          "SYN-ACK options %r" % sa)
    c.send("A", window=65535)
    segs = get(c, 4000, 65535, False)
    check(max(len(s.payload) for s in segs) == 536,
          "segment sizes %s" % [len(s.payload) for s in segs])
    st = stop(t)["tcp"]
    check(st["SyncookiesRecv"] == 1 and st["PassiveOpens"] == 1,
          "cookies recv %d, opens %d" % (st["SyncookiesRecv"],
                                         st["PassiveOpens"]))


@test
def syncookie_forged_ack_reset(t):
    """A cookie ACK that is not ours (a wrong ACK number; the right one
    with a TSecr whose SACK bit was flipped) gets a RST with SEQ = its
    ACK number (RFC 9293 3.10.7.1, as Linux answers a bad cookie) and
    no connection; the true one still opens it."""
    start_server(t, {"syncookies": 2})
    c = Client(t.peer, [("MSS", 1460), ("SAckOK", b""),
                        ("Timestamp", (5000, 0)), ("NOP", None),
                        ("WScale", 7)])
    sa = c.connect()
    bad = seq_add(sa.seq, 2)
    c.send("A", ack=bad, options=c.ts(sa.tsval))
    r = c.expect(lambda s: "R" in s.flags, 2.0, "RST for a forged cookie")
    check(r.seq == bad and "A" not in r.flags, "RST %r, want seq %d" %
          (r, bad))
    c.send("A", options=c.ts(sa.tsval ^ 0x10))
    r = c.expect(lambda s: "R" in s.flags, 2.0, "RST for a tampered TSecr")
    check(r.seq == c.rcv_nxt, "RST %r" % r)
    c.send("A", window=512, options=c.ts(sa.tsval))
    get(c, 1000, 512, True)
    st = stop(t)["tcp"]
    check(st["SyncookiesFailed"] == 2 and st["SyncookiesRecv"] == 1 and
          st["PassiveOpens"] == 1, "failed %d, recv %d, opens %d" %
          (st["SyncookiesFailed"], st["SyncookiesRecv"], st["PassiveOpens"]))


@test
def syn_from_bad_source_unanswered(t):
    """RFC 1122 3.2.1.3, RFC 1812 5.3.7: SYNs from the limited broadcast,
    multicast, class E, this network (0/8), loopback, dpfetch's own
    address and its subnet's broadcast get nothing (not even an ARP
    request) and are counted; a SYN from a host right after is
    answered."""
    start_server(t, {"syncookies": 2})
    c = Client(t.peer, [("MSS", 1460)])
    c.connect()                              # dpfetch is up
    bad = ["255.255.255.255", "224.0.0.1", "239.255.0.9", "240.0.0.1",
           "0.0.0.0", "127.0.0.1", CLIENT_IP, "198.18.0.255"]
    before = len(t.peer.segs)
    for src in bad:
        t.peer.send_ip(IP(src=src, dst=CLIENT_IP, flags="DF") /
                       TCP(sport=4444, dport=LISTEN_PORT, flags="S",
                           seq=77, options=[("MSS", 1460)]))
    time.sleep(0.4)
    check(len(t.peer.segs) == before, "dpfetch answered: %s" %
          t.peer.segs[before:])
    c2 = Client(t.peer, [("MSS", 1460)])
    c2.connect(timeout=3)
    st = stop(t)
    check(st["tcp"]["SynFromBadSource"] == len(bad),
          "SynFromBadSource %d, want %d" % (st["tcp"]["SynFromBadSource"],
                                           len(bad)))
    check(st["tcp"]["SyncookiesSent"] >= 2 and st["tcp"]["OutSegs"] ==
          st["tcp"]["SyncookiesSent"],
          "segments sent %d, SYN-ACKs %d: only the honest SYNs' "
          "SYN-ACKs were to go" % (st["tcp"]["OutSegs"],
                                    st["tcp"]["SyncookiesSent"]))


@test
def syn_backlog_cap_without_cookies(t):
    """tcp.syncookies=0, tcp.syn_backlog=4: four SYNs get a connection
    each, the next five nothing (HalfOpenDrops); with half the backlog in
    use a SYN-ACK is retried once only (SynAckRetriesCut), so the four
    are gone 3 s later (1 s RTO, then 2 s), without a RST."""
    start_server(t, {"syncookies": 0, "syn_backlog": 4})
    probe = Client(t.peer, [("MSS", 1460)])
    probe.connect()                          # dpfetch is up
    # The probe's half-open connection goes with its RST: its SYN-ACK
    # may have been a retry (its SYNs came while dpfetch started), so
    # left alone it could time out while the nine below are sent and
    # free a slot the count then depends on.
    probe.send("R", seq=probe.snd_nxt, ack=0)
    ports = random.sample([p for p in range(20000, 60000)
                           if p != probe.port], 9)
    clients = [Client(t.peer, [("MSS", 1460)]) for _ in range(9)]
    for c, port in zip(clients, ports):
        c.port = port
    for c in clients:
        c.send("S", seq=c.iss, ack=0, options=c.options)
    time.sleep(0.5)
    answered = [c for c in clients
                if any(s.flags == "SA" for s in t.peer.since(0, c.mine))]
    check(len(answered) == 4, "%d of 9 SYNs answered, want 4" %
          len(answered))
    time.sleep(3.5)
    for c in answered:
        got = [s.flags for s in t.peer.since(0, c.mine)]
        check(got == ["SA", "SA"], "port %d got %s, want the SYN-ACK and "
              "one retry" % (c.port, got))
    st = stop(t)["tcp"]
    check(st["HalfOpenDrops"] == 5 and st["SynAckRetriesCut"] == 4 and
          st["HalfOpenPeak"] == 4 and st["OutRsts"] == 0,
          "%s" % {k: st[k] for k in ("HalfOpenDrops", "SynAckRetriesCut",
                                     "HalfOpenPeak", "OutRsts")})


@test
def rst_rate_limited(t):
    """tcp.rst_rate=10: of 60 ACKs to a closed port within a second at
    most 10 * 1.25 + 1 get a RST (the budget is drawn at random between
    0.75 and 1.25 times the rate each second); the rest are counted as
    RstsRateLimited."""
    start_server(t, {"syncookies": 2, "rst_rate": 10})
    c = Client(t.peer, [("MSS", 1460)])
    c.connect()
    before = len(t.peer.segs)
    for i in range(60):
        t.peer.send_ip(IP(src=SERVER_IP, dst=CLIENT_IP, flags="DF") /
                       TCP(sport=30000 + i, dport=81, flags="A",
                           seq=1000, ack=2000))
    time.sleep(0.5)
    rsts = [s for s in t.peer.segs[before:] if "R" in s.flags]
    st = stop(t)["tcp"]
    check(1 <= len(rsts) <= 13, "%d RSTs for 60 strays" % len(rsts))
    check(st["RstsRateLimited"] >= 60 - 13 and
          st["RstsRateLimited"] + len(rsts) >= 60,
          "RstsRateLimited %d, RSTs %d" % (st["RstsRateLimited"], len(rsts)))


@test
def challenge_ack_rate_limited(t):
    """RFC 5961 7, tcp.challenge_ack_rate=10: 60 in-window SYNs on an
    established connection draw at most 10 * 1.25 + 1 challenge ACKs;
    the rest are counted as ChallengeAcksLimited, and the connection
    still serves."""
    start_server(t, {"syncookies": 2, "challenge_ack_rate": 10})
    c = Client(t.peer, [("MSS", 1460)])
    c.connect()
    c.send("A")
    time.sleep(0.2)
    for i in range(60):
        c.send("S", seq=seq_add(c.snd_nxt, 100 + i), ack=0)
        time.sleep(0.002)
    time.sleep(0.3)
    get(c, 1000, 65535, False)
    st = stop(t)["tcp"]
    check(1 <= st["ChallengeAcks"] <= 13 and
          st["ChallengeAcks"] + st["ChallengeAcksLimited"] == 60,
          "challenge ACKs %d, limited %d" % (st["ChallengeAcks"],
                                             st["ChallengeAcksLimited"]))
