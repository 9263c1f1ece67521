"""A scripted TCP peer for dpfetch conformance tests.

The test plays the HTTP server itself, with scapy building and parsing the
frames, on the peer end of the testbed veth (dpf0p in network namespace
dpf-peer), at an address the kernel there does not own (SERVER_IP) and with
a made-up MAC (SERVER_MAC): the kernel never sees these frames as its own,
so it never answers them, and every byte dpfetch receives is one the test
chose.

Only the AF_PACKET socket lives in the peer namespace: it is opened there
(setns for the duration of one socket() call) and keeps working from the
root namespace, where the runner and dpfetch stay.

    Peer       the socket, a receive thread, the ARP responder, and the
               record of every TCP segment dpfetch sent to SERVER_IP
    Seg        one received segment, parsed (flags, seq, ack, window,
               options, payload, arrival time)
    Conn       the server side of one connection: our ISN, our next
               sequence number, dpfetch's, timestamps; builds and sends
               segments, waits for dpfetch's, serves HTTP responses
    DpFetch    the dpfetch process: command line, exit status, stderr,
               --stats, sanitizer reports
    Case       what one test owns (a Peer, a DpFetch, a temp dir) and
               cleans up, whatever happens
"""

import ctypes
import json
import os
import random
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

from scapy.config import conf
from scapy.layers.inet import IP, TCP
from scapy.layers.inet6 import (ICMPv6ND_NA, ICMPv6ND_NS,
                                ICMPv6NDOptDstLLAddr, IPv6)
from scapy.layers.l2 import ARP, Ether
from scapy.packet import Raw

conf.verb = 0

NS = "dpf-peer"
PEER_IFACE = "dpf0p"
DPF_IFACE = "dpf0"
SERVER_IP = "198.18.0.10"
SERVER_MAC = "02:00:00:00:00:0a"
CLIENT_IP = "198.18.0.2"
CLIENT_CIDR = CLIENT_IP + "/24"
SERVER_PORT = 80
URL = "http://%s/x" % SERVER_IP
# IPv6 (Case.family = 6): the same roles in 2001:2::/64, the server an
# address the namespace's kernel (2001:2::1) does not own; the peer
# answers Neighbor Solicitations for it as it answers ARP.
SERVER_IP6 = "2001:2::10"
CLIENT_IP6 = "2001:2::2"
CLIENT_CIDR6 = CLIENT_IP6 + "/64"
URL6 = "http://[%s]/x" % SERVER_IP6

DPDK_RUNTIME = "/var/run/dpdk"
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
CLONE_NEWNET = 0x40000000
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")

_SERVER_IP_BYTES = socket.inet_aton(SERVER_IP)
_CLIENT_IP_BYTES = socket.inet_aton(CLIENT_IP)
_SERVER_IP6_BYTES = socket.inet_pton(socket.AF_INET6, SERVER_IP6)
_CLIENT_IP6_BYTES = socket.inet_pton(socket.AF_INET6, CLIENT_IP6)


class Failure(Exception):
    """A test's assertion did not hold."""


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def seq_add(a, n):
    return (a + n) & 0xffffffff


def seq_diff(b, a):
    """b - a on the sequence circle, as a signed number."""
    d = (b - a) & 0xffffffff
    return d - (1 << 32) if d >= (1 << 31) else d


# ---------------------------------------------------------------------------
# The socket in the peer namespace
# ---------------------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "setns: " + os.strerror(err))


def open_peer_socket(ns=NS, iface=PEER_IFACE):
    """An AF_PACKET socket bound to iface inside network namespace ns.

    setns() switches only the calling thread; we switch back at once.  The
    socket stays in the namespace it was created in."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        target = os.open("/var/run/netns/" + ns, os.O_RDONLY)
    except OSError:
        os.close(own)
        raise
    try:
        _setns(target)
        try:
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                              socket.htons(ETH_P_ALL))
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
                s.bind((iface, ETH_P_ALL))
            except OSError:
                s.close()
                raise
        finally:
            _setns(own)
    finally:
        os.close(target)
        os.close(own)
    return s


# ---------------------------------------------------------------------------
# Received segments
# ---------------------------------------------------------------------------

class Seg:
    """One TCP segment dpfetch sent, as received on the peer end."""

    def __init__(self, frame, t):
        self.t = t
        self.raw = frame
        self.pkt = Ether(frame)
        v6 = IPv6 in self.pkt
        ip = self.pkt[IPv6] if v6 else self.pkt[IP]
        tcp = self.pkt[TCP]
        self.src_mac = self.pkt.src
        self.ip = ip
        self.tcp = tcp
        self.sport = tcp.sport
        self.dport = tcp.dport
        self.seq = tcp.seq
        self.ack = tcp.ack
        self.window = tcp.window
        self.flags = str(tcp.flags)       # letters in FSRPAUEC order
        self.urgptr = tcp.urgptr
        self.optlen = tcp.dataofs * 4 - 20
        self.options = list(tcp.options)
        self.opts = {}
        for name, val in self.options:
            if name not in ("NOP", "EOL"):
                self.opts[name] = val
        self.option_kinds = [name for name, _ in self.options]
        if v6:
            end = ip.plen - tcp.dataofs * 4
        else:
            end = ip.len - ip.ihl * 4 - tcp.dataofs * 4
        self.payload = bytes(tcp.payload)[:max(end, 0)]
        self.ip_id = None if v6 else ip.id
        self.ip_flags = "" if v6 else str(ip.flags)

    def has(self, letters):
        return all(c in self.flags for c in letters)

    @property
    def tsval(self):
        ts = self.opts.get("Timestamp")
        return ts[0] if ts else None

    @property
    def tsecr(self):
        ts = self.opts.get("Timestamp")
        return ts[1] if ts else None

    @property
    def sack(self):
        """SACK blocks as [(start, end), ...], or []."""
        blocks = self.opts.get("SAck")
        if not blocks:
            return []
        return [(blocks[i], blocks[i + 1]) for i in range(0, len(blocks), 2)]

    @property
    def seg_len(self):
        return len(self.payload) + ("S" in self.flags) + ("F" in self.flags)

    def __repr__(self):
        opts = ",".join("%s=%s" % (n, v) if v not in (None, b"") else n
                        for n, v in self.options)
        return ("<%s %d->%d seq=%d ack=%d win=%d len=%d opts=[%s] t=%.3f>" %
                (self.flags, self.sport, self.dport, self.seq, self.ack,
                 self.window, len(self.payload), opts, self.t))


def describe(ip_pkt):
    """One line for a packet we send."""
    if TCP not in ip_pkt:
        return ip_pkt.summary()
    tcp = ip_pkt[TCP]
    opts = ",".join("%s=%s" % (n, v) if v not in (None, b"") else str(n)
                    for n, v in tcp.options)
    frag = IP in ip_pkt and (ip_pkt[IP].flags.MF or ip_pkt[IP].frag)
    return ("<%s %d->%d seq=%d ack=%d win=%d len=%d opts=[%s]%s>" %
            (tcp.flags, tcp.sport, tcp.dport, tcp.seq, tcp.ack, tcp.window,
             len(bytes(tcp.payload)), opts, " frag" if frag else ""))


# ---------------------------------------------------------------------------
# The peer: socket, receive thread, ARP
# ---------------------------------------------------------------------------

class Peer:
    """The server's interface: answers ARP for SERVER_IP and records every
    TCP segment sent to SERVER_IP."""

    def __init__(self, arp=True, family=4):
        self.sock = open_peer_socket()
        self.arp = arp
        self.family = family
        self.ns_requests = []
        self.dpf_mac = None
        self.arp_requests = []
        self.segs = []
        self.log = []        # (time, "<" received / ">" sent, text)
        self.cursor = 0
        self.cond = threading.Condition()
        self.stopping = False
        self.thread = threading.Thread(target=self._rx_loop, daemon=True,
                                       name="peer-rx")
        self.thread.start()

    # -- receive ---------------------------------------------------------

    def _rx_loop(self):
        while not self.stopping:
            try:
                r, _, _ = select.select([self.sock], [], [], 0.05)
            except (OSError, ValueError):
                return
            if not r:
                continue
            try:
                frame, addr = self.sock.recvfrom(65535)
            except OSError:
                return
            t = time.monotonic()
            if addr[2] == PACKET_OUTGOING or len(frame) < 14:
                continue
            etype = frame[12:14]
            if etype == b"\x08\x06":
                self._on_arp(frame)
            elif (etype == b"\x86\xdd" and len(frame) >= 55 and
                  frame[20] == 58 and frame[54] == 135):
                self._on_ns(frame)
            elif ((etype == b"\x08\x00" and len(frame) >= 34 and
                   frame[30:34] == _SERVER_IP_BYTES and frame[23] == 6 and
                   frame[26:30] == _CLIENT_IP_BYTES) or
                  (etype == b"\x86\xdd" and len(frame) >= 74 and
                   frame[20] == 6 and frame[38:54] == _SERVER_IP6_BYTES and
                   frame[22:38] == _CLIENT_IP6_BYTES)):
                try:
                    seg = Seg(frame, t)
                except Exception:  # a frame scapy cannot parse: not ours
                    continue
                with self.cond:
                    if self.dpf_mac is None:
                        self.dpf_mac = seg.src_mac
                    self.segs.append(seg)
                    self.log.append((t, "<", repr(seg)))
                    self.cond.notify_all()

    def _on_arp(self, frame):
        try:
            a = Ether(frame)[ARP]
        except Exception:
            return
        if a.op != 1 or a.pdst != SERVER_IP:
            return
        with self.cond:
            self.arp_requests.append((time.monotonic(), a.hwsrc, a.psrc))
            self.dpf_mac = a.hwsrc
            self.cond.notify_all()
        if self.arp:
            reply = (Ether(dst=a.hwsrc, src=SERVER_MAC) /
                     ARP(op=2, hwsrc=SERVER_MAC, psrc=SERVER_IP,
                         hwdst=a.hwsrc, pdst=a.psrc))
            self.send_frame(bytes(reply))

    def _on_ns(self, frame):
        """A Neighbor Solicitation for SERVER_IP6: the Advertisement
        (RFC 4861 7.2.4), solicited, with our MAC."""
        try:
            pkt = Ether(frame)
            ns_ = pkt[ICMPv6ND_NS]
            src = pkt[IPv6].src
        except Exception:
            return
        if ns_.tgt != SERVER_IP6:
            return
        with self.cond:
            self.ns_requests.append((time.monotonic(), pkt.src, src))
            self.dpf_mac = pkt.src
            self.cond.notify_all()
        if not self.arp or src == "::":
            return
        reply = (Ether(dst=pkt.src, src=SERVER_MAC) /
                 IPv6(src=SERVER_IP6, dst=src, hlim=255) /
                 ICMPv6ND_NA(tgt=SERVER_IP6, R=0, S=1, O=1) /
                 ICMPv6NDOptDstLLAddr(lladdr=SERVER_MAC))
        self.send_frame(bytes(reply))

    def wait_for(self, pred, timeout, start=0):
        """The first recorded segment at index >= start matching pred,
        as (index, seg), or (None, None) after timeout seconds."""
        deadline = time.monotonic() + timeout
        with self.cond:
            i = start
            while True:
                while i < len(self.segs):
                    if pred(self.segs[i]):
                        return i, self.segs[i]
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0:
                    return None, None
                self.cond.wait(left)

    def expect_syn(self, timeout=15):
        """The next SYN dpfetch sends to SERVER_IP:80."""
        i, seg = self.wait_for(lambda s: s.flags == "S" and
                               s.dport == SERVER_PORT, timeout, self.cursor)
        check(seg is not None, "no SYN from dpfetch within %.0f s" % timeout)
        self.cursor = i + 1
        return seg

    def since(self, index, pred=lambda s: True):
        with self.cond:
            return [s for s in self.segs[index:] if pred(s)]

    # -- send ------------------------------------------------------------

    def send_frame(self, frame):
        self.sock.send(frame)

    def eth(self, etype=0x0800):
        check(self.dpf_mac is not None, "dpfetch's MAC is not known yet")
        return Ether(dst=self.dpf_mac, src=SERVER_MAC, type=etype)

    def send_ip(self, ip_pkt):
        """Send an IP packet (scapy) to dpfetch in a frame from us."""
        self.send_frame(bytes(self.eth(0x86dd if IPv6 in ip_pkt else
                                       0x0800) / ip_pkt))
        with self.cond:
            self.log.append((time.monotonic(), ">", describe(ip_pkt)))

    def trace(self):
        """The exchange so far, one line per packet."""
        if not self.log:
            return "(nothing exchanged)"
        t0 = self.log[0][0]
        return "\n".join("  %8.3f %s %s" % (t - t0, d, text)
                         for t, d, text in self.log)

    def close(self):
        self.stopping = True
        self.thread.join(timeout=2)
        try:
            self.sock.close()
        except OSError:
            pass


# ---------------------------------------------------------------------------
# HTTP helpers
# ---------------------------------------------------------------------------

def http_response(body, close_delimited=False, status="200 OK"):
    if close_delimited:
        head = "HTTP/1.1 %s\r\nConnection: close\r\n\r\n" % status
    else:
        head = "HTTP/1.1 %s\r\nContent-Length: %d\r\n\r\n" % (status,
                                                               len(body))
    return head.encode() + body


def make_body(n, seed=1):
    rnd = random.Random(seed)
    alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789"
    return bytes(rnd.choice(alphabet) for _ in range(n))


# ---------------------------------------------------------------------------
# One connection, server side
# ---------------------------------------------------------------------------

class Conn:
    """The server side of the connection dpfetch opened with `syn`.

    Sequence numbers: `snd_nxt` is our next byte (the response stream
    starts at `base` = ISS + 1); `rcv_nxt` is the next byte we expect from
    dpfetch.  With timestamps agreed, every segment we send carries
    TSval = a millisecond clock of ours and TSecr = dpfetch's latest
    TSval."""

    def __init__(self, peer, syn, iss=None):
        self.peer = peer
        self.syn = syn
        self.port = syn.sport
        self.their_iss = syn.seq
        self.rcv_nxt = seq_add(syn.seq, 1)
        self.iss = random.getrandbits(32) if iss is None else iss
        self.base = seq_add(self.iss, 1)
        self.snd_nxt = self.iss
        self.ts = False
        self.ts_base = random.getrandbits(31)
        self.synack_tsval = None
        self.wscale_agreed = False
        self.window = 65535
        self.mss = 1460
        self.cursor = peer.cursor
        self.request = b""

    # -- receiving -------------------------------------------------------

    def mine(self, s):
        return s.sport == self.port and s.dport == SERVER_PORT

    def expect(self, pred=lambda s: True, timeout=3.0, what="a segment"):
        """Wait for the next segment of this connection that matches pred;
        earlier non-matching ones are passed over."""
        i, seg = self.peer.wait_for(lambda s: self.mine(s) and pred(s),
                                    timeout, self.cursor)
        if seg is None:
            got = self.peer.since(self.cursor, self.mine)
            raise Failure("no %s from dpfetch within %.1f s; it sent %s" %
                          (what, timeout, got[-6:] or "nothing"))
        self.cursor = i + 1
        return seg

    def next(self, timeout=3.0, what="a segment"):
        """The very next segment of this connection, whatever it is."""
        return self.expect(lambda s: True, timeout, what)

    def quiet(self, duration):
        """Every segment of this connection that arrives in the next
        `duration` seconds (consumed)."""
        time.sleep(duration)
        with self.peer.cond:
            got = [s for s in self.peer.segs[self.cursor:] if self.mine(s)]
            self.cursor = len(self.peer.segs)
        return got

    def pending(self):
        return self.peer.since(self.cursor, self.mine)

    def latest_tsval(self):
        for s in reversed(self.peer.since(0, self.mine)):
            if s.tsval is not None:
                return s.tsval
        return 0

    # -- sending ---------------------------------------------------------

    def ts_now(self):
        return (self.ts_base + int(time.monotonic() * 1000)) & 0xffffffff

    def build(self, flags="A", payload=b"", seq=None, ack=None, window=None,
              options=None, ts=None, **tcp_fields):
        """An IP/TCP packet (scapy) from the server to dpfetch."""
        if seq is None:
            seq = self.snd_nxt
        if ack is None:
            ack = self.rcv_nxt
        if window is None:
            window = self.window
        opts = list(options) if options is not None else []
        if ts is None:
            ts = self.ts
        if ts and not any(o[0] == "Timestamp" for o in opts):
            opts = [("NOP", None), ("NOP", None),
                    ("Timestamp", (self.ts_now(), self.latest_tsval()))] + opts
        tcp = TCP(sport=SERVER_PORT, dport=self.port, seq=seq,
                  ack=ack if "A" in flags else 0, flags=flags,
                  window=window, options=opts, **tcp_fields)
        if self.peer.family == 6:
            pkt = IPv6(src=SERVER_IP6, dst=CLIENT_IP6, hlim=64) / tcp
        else:
            pkt = IP(src=SERVER_IP, dst=CLIENT_IP, ttl=64) / tcp
        if payload:
            pkt = pkt / Raw(payload)
        return pkt

    def send(self, flags="A", payload=b"", seq=None, **kw):
        """Send a segment; without an explicit seq it goes at snd_nxt and
        snd_nxt moves past it."""
        advance = seq is None
        pkt = self.build(flags, payload, seq=seq, **kw)
        self.peer.send_ip(pkt)
        if advance:
            self.snd_nxt = seq_add(self.snd_nxt, len(payload) +
                                   ("S" in flags) + ("F" in flags))
        return pkt

    def send_range(self, stream, start, end, flags="PA", **kw):
        """Send stream[start:end] at its place in our byte stream."""
        seq = seq_add(self.base, start)
        pkt = self.send(flags, stream[start:end], seq=seq, **kw)
        stop = seq_add(seq, end - start + ("F" in flags))
        if seq_diff(stop, self.snd_nxt) > 0:
            self.snd_nxt = stop
        return pkt

    # -- handshake -------------------------------------------------------

    def syn_ack(self, mss=1460, sack=True, ts=True, wscale=7, window=65535,
                options=None, ack=None, delay=0.0):
        """Answer the SYN.  Options follow what the SYN offered (like a
        real server) unless `options` gives the exact list."""
        if delay:
            time.sleep(delay)
        offered = self.syn.opts
        if options is None:
            options = []
            if mss is not None:
                options.append(("MSS", mss))
            if sack and "SAckOK" in offered:
                options += [("SAckOK", b"")]
            if ts and "Timestamp" in offered:
                self.synack_tsval = self.ts_now()
                options += [("Timestamp", (self.synack_tsval,
                                           self.syn.tsval))]
            if wscale is not None and "WScale" in offered:
                options += [("NOP", None), ("WScale", wscale)]
            self.ts = ts and "Timestamp" in offered
        else:
            self.ts = any(o[0] == "Timestamp" for o in options)
        if mss is not None:
            self.mss = mss
        self.wscale_agreed = any(o[0] == "WScale" for o in options)
        self.snd_nxt = self.iss
        self.send("SA", seq=self.iss, ack=ack, window=window, options=options,
                  ts=False)
        self.snd_nxt = seq_add(self.iss, 1)

    def handshake(self, **kw):
        """SYN-ACK, then dpfetch's first ACK (returned).  dpfetch may ACK
        with its first request segment: a segment with data is left
        unconsumed for read_request()."""
        self.syn_ack(**kw)
        cursor = self.cursor
        ack = self.expect(lambda s: "A" in s.flags and "S" not in s.flags,
                          what="ACK of our SYN-ACK")
        if ack.payload:
            self.cursor = cursor
        return ack

    def read_request(self, timeout=3.0, ack=True):
        """Collect dpfetch's request up to the blank line.  Segments are
        taken in sequence order; retransmissions are ignored.  With ack, a
        pure ACK for it is sent."""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self.request:
            left = deadline - time.monotonic()
            check(left > 0, "incomplete request after %.1f s: %r" %
                  (timeout, self.request))
            s = self.expect(lambda s: len(s.payload) > 0, left,
                            what="request data")
            off = seq_diff(s.seq, self.rcv_nxt)
            if off <= 0 and off + len(s.payload) > 0:
                self.request += s.payload[-off:]
                self.rcv_nxt = seq_add(s.seq, len(s.payload))
        if ack:
            self.send("A")
        return self.request

    # -- serving ---------------------------------------------------------

    def seg_size(self):
        """Payload per full segment dpfetch accepts (its MSS less TS)."""
        mss = self.syn.opts.get("MSS", 536)
        return mss - (12 if self.ts else 0)

    def send_stream(self, stream, start=0, end=None, size=None, gap=0.0,
                    last_flags="PA"):
        """Send stream[start:end] in full segments (last one PSH)."""
        end = len(stream) if end is None else end
        size = size or self.seg_size()
        off = start
        while off < end:
            n = min(size, end - off)
            self.send_range(stream, off, off + n,
                            last_flags if off + n == end else "A")
            off += n
            if gap and off < end:
                time.sleep(gap)

    def close_after_response(self, timeout=3.0):
        """dpfetch closes first after a Content-Length response: its FIN,
        then our ACK+FIN, then its last ACK (returned)."""
        fin = self.expect(lambda s: "F" in s.flags, timeout,
                          what="FIN after the response")
        check(fin.ack == self.snd_nxt,
              "FIN acks %d, we sent up to %d" % (fin.ack, self.snd_nxt))
        self.rcv_nxt = seq_add(fin.seq, len(fin.payload) + 1)
        self.send("FA")
        last = self.expect(lambda s: s.ack == self.snd_nxt, timeout,
                           what="ACK of our FIN")
        check(last.flags == "A", "last segment %r, wanted a bare ACK" % last)
        return last

    def serve(self, body, close_timeout=3.0, **kw):
        """The whole happy path after the handshake: read the request,
        send a Content-Length response, close."""
        if b"\r\n\r\n" not in self.request:
            self.read_request()
        resp = http_response(body)
        self.send_stream(resp, **kw)
        return self.close_after_response(close_timeout)


# ---------------------------------------------------------------------------
# The dpfetch process
# ---------------------------------------------------------------------------

_live = set()        # every DpFetch still running, for the runner's cleanup


def live_runs():
    return set(_live)


def kill_all_live():
    for d in list(_live):
        d.kill()


class DpFetch:
    """One dpfetch run against URL, output to a file in tmpdir."""

    counter = 0

    def __init__(self, build, tmpdir, tcp=None, extra=(), mtu=None,
                 timeout=10, url=URL, pmd="af_packet", family=4):
        DpFetch.counter += 1
        self.binary = os.path.join(build, "app", "dpfetch")
        self.out = os.path.join(tmpdir, "body.%d" % DpFetch.counter)
        self.errpath = os.path.join(tmpdir, "stderr.%d" % DpFetch.counter)
        prefix = "cf-%d-%d" % (os.getpid(), DpFetch.counter)
        self.runtime_dir = os.path.join(DPDK_RUNTIME, prefix)
        self.cmd = [self.binary, "-l", "0", "--no-huge", "-m", "512",
                    "--no-pci", "--file-prefix", prefix,
                    "--vdev=net_%s0,iface=%s" % (pmd, DPF_IFACE),
                    "--log-level=warning", "--",
                    "--ip", CLIENT_CIDR, "--fetch", url, "-o", self.out,
                    "--stats", "--timeout", str(timeout)]
        if family == 6:
            # The same run over IPv6: --ip stays (ARP is then idle).
            self.cmd += ["--ip6", CLIENT_CIDR6]
            if url == URL:
                self.cmd[self.cmd.index(URL)] = URL6
        if tcp:
            self.cmd += ["--tcp", ",".join("%s=%s" % kv for kv in
                                           tcp.items())]
        if mtu:
            self.cmd += ["--mtu", str(mtu)]
        self.cmd += list(extra)
        self.env = dict(os.environ)
        self.env.update(ASAN_OPTIONS="exitcode=86",
                        UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1",
                        LSAN_OPTIONS="suppressions=" + os.path.join(
                            os.path.dirname(os.path.dirname(
                                os.path.dirname(os.path.abspath(__file__)))),
                            "tests", "lsan.supp"))
        self.pmd = pmd
        self.proc = None
        self.rc = None
        self.stderr = ""
        self._stats = None

    def start(self):
        self.errf = open(self.errpath, "wb")
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=self.errf, env=self.env,
                                     start_new_session=True)
        _live.add(self)
        return self

    def wait(self, timeout=5.0):
        """Exit status; fails the test if dpfetch does not exit in time."""
        try:
            self.rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise Failure("dpfetch still running after %.1f s" % timeout)
        self._collect()
        return self.rc

    def _collect(self):
        _live.discard(self)
        if not self.errf.closed:
            self.errf.close()
        with open(self.errpath, "rb") as f:
            self.stderr = f.read().decode(errors="replace")

    def remove_runtime_dir(self):
        """EAL leaves its runtime files (several MB with --no-huge) in
        /var/run/dpdk/<file-prefix>; they are ours once dpfetch is gone."""
        if self.proc is not None and self.proc.poll() is not None:
            shutil.rmtree(self.runtime_dir, ignore_errors=True)

    def kill(self):
        """SIGTERM (dpfetch then prints its counters), SIGKILL if need be."""
        if self.proc is None or self.proc.poll() is not None:
            if self.proc is not None and self in _live:
                self.rc = self.proc.returncode
                self._collect()
            return
        try:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(3)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(3)
        self.rc = self.proc.returncode
        self._collect()

    @property
    def stats(self):
        """The --stats JSON (from the line that is exactly '{')."""
        if self._stats is None:
            lines = self.stderr.split("\n")
            check("{" in lines,
                  "no --stats JSON in stderr:\n" + self.stderr[-2000:])
            text = "\n".join(lines[lines.index("{"):])
            self._stats, _ = json.JSONDecoder().raw_decode(text)
        return self._stats

    def stat(self, path):
        """The counter at a dotted path ("tcp.RetransSegs"); a missing key
        fails the test rather than letting a check pass silently."""
        v = self.stats
        for k in path.split("."):
            check(isinstance(v, dict) and k in v,
                  "no %s in the stats (%r missing)" % (path, k))
            v = v[k]
        return v

    def tcp(self, name):
        return self.stat("tcp." + name)

    def sanitizer_report(self):
        for mark in SANITIZER_MARKS:
            if mark in self.stderr:
                return self.stderr[-6000:]
        return None

    def body(self):
        try:
            with open(self.out, "rb") as f:
                return f.read()
        except OSError:
            return None


# ---------------------------------------------------------------------------
# One test's resources
# ---------------------------------------------------------------------------

class Case:
    """What one test uses; cleanup() releases all of it."""

    def __init__(self, build):
        self.build = build
        self.tmp = tempfile.mkdtemp(prefix="dpf-cf-")
        self.peer = None
        self.dpf = None
        self.runs = []
        # 4 or 6: the family the case runs over (common.both_families).
        self.family = 4

    @property
    def ip_hdr_len(self):
        """The IP header dpfetch's MSS leaves room for."""
        return 40 if self.family == 6 else 20

    def start(self, arp=True, **kw):
        """The peer (socket, ARP responder), then dpfetch."""
        if self.peer is None:
            self.peer = Peer(arp=arp, family=self.family)
        kw.setdefault("family", self.family)
        self.dpf = DpFetch(self.build, self.tmp, **kw).start()
        self.runs.append(self.dpf)
        return self.dpf

    def connect(self, iss=None, **kw):
        """Start dpfetch and return the Conn for its SYN."""
        self.start(**kw)
        syn = self.peer.expect_syn()
        return Conn(self.peer, syn, iss=iss)

    def established(self, synack=None, iss=None, **kw):
        """Start dpfetch, complete the handshake, read the request."""
        c = self.connect(iss=iss, **kw)
        c.handshake(**(synack or {}))
        c.read_request()
        return c

    def expect_exit(self, code, message=None, timeout=5.0):
        """dpfetch exits with code (and message); when it ran (0, or 1:
        a refused, reset or timed-out connection, where leaks hide),
        every mbuf is back."""
        rc = self.dpf.wait(timeout)
        check(rc == code, "dpfetch exited %s, wanted %d; stderr:\n%s" %
              (rc, code, self.dpf.stderr[-2500:]))
        if message is not None:
            check(message in self.dpf.stderr,
                  "stderr lacks %r:\n%s" % (message, self.dpf.stderr[-2500:]))
        if code in (0, 1):
            self.check_no_leak()

    def expect_ok(self, body=None, timeout=5.0):
        """dpfetch exits 0, wrote exactly body, leaked no mbuf."""
        self.expect_exit(0, timeout=timeout)
        if body is not None:
            got = self.dpf.body()
            check(got == body, "body differs: got %d bytes %r..., want %d "
                  "bytes %r..." % (len(got or b""), (got or b"")[:40],
                                   len(body), body[:40]))

    def check_no_leak(self):
        """mempool.in_use back to what the driver holds.  AF_XDP tops its
        fill ring up per burst, so it may differ by part of a burst."""
        in_use = self.dpf.stat("mempool.in_use")
        held = self.dpf.stat("mempool.port_held")
        slack = 32 if self.dpf.pmd == "af_xdp" else 0
        check(abs(in_use - held) <= slack,
              "mbufs leaked: %d in use at exit, the driver held %d" %
              (in_use, held))

    def cleanup(self):
        """Kill dpfetch if it still runs, close the socket; returns a
        sanitizer report from any run, or None."""
        report = None
        for d in self.runs:
            d.kill()
            d.remove_runtime_dir()
            report = report or d.sanitizer_report()
        if self.peer is not None:
            self.peer.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return report
