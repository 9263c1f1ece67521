"""Hostile TCP clients for the memory attack tests (cases_hostile_mem.py).

Run inside the peer namespace (ip netns exec dpf-peer /usr/bin/python3
hostile_peer.py ...).  Plays N clients at addresses the kernel there does
not own (198.18.0.100 and up, one made-up MAC), with raw frames on an
AF_PACKET socket on dpf0p, so the kernel never answers for them.  It
answers dpfetch's ARP requests for those addresses, opens every
connection (SYN, SYN-ACK, ACK; MSS, SACK and window scaling offered, no
timestamps), then attacks:

  ooo      for --seconds, 1-byte segments out of order on every
           connection: the even ones leave a hole after every byte (a
           queue that nothing can collapse), the odd ones send a
           contiguous run after one hole (what collapsing compacts)
  zerowin  --http connections ask for GET /bytes/200000000 and --echo
           connections send 1 MiB each, all advertising a zero window,
           and then hold for --seconds

At the end it resets every connection at the sequence dpfetch expects,
and prints one JSON line: connections opened, frames sent.  It writes
"ready" on its own line once the connections are open.
"""

import argparse
import array
import json
import socket
import struct
import sys
import threading
import time

IFACE = "dpf0p"
DPF_IP = "198.18.0.2"
FAKE_MAC = bytes.fromhex("020000000101")
ETH_P_ALL = 0x0003
BASE_IP = 100

SYN, RST, PSH, ACK = 0x02, 0x04, 0x08, 0x10


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(array.array("H", b))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    # Summed as little-endian words: packing '<H' stores it big-endian.
    return struct.pack("<H", ~s & 0xffff)


class Conn:
    def __init__(self, i, dport):
        self.ip = "198.18.0.%d" % (BASE_IP + i)
        self.ipb = socket.inet_aton(self.ip)
        self.sport = 40000 + i
        self.dport = dport
        self.iss = (0x10000000 * (i + 1) + 12345) & 0xffffffff
        self.snd_nxt = (self.iss + 1) & 0xffffffff
        self.irs = None
        self.rcv_nxt = None	# what we ACK of dpfetch's
        self.peer_ack = None	# dpfetch's rcv_nxt, from its ACKs


class Peer:
    def __init__(self, dpf_mac):
        self.dst = bytes.fromhex(dpf_mac.replace(":", ""))
        self.dpf_ipb = socket.inet_aton(DPF_IP)
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                               socket.htons(ETH_P_ALL))
        self.s.bind((IFACE, 0))
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        self.by_ip = {}
        self.sent = 0
        self.stop = False
        self.ip_id = 1
        self.t = threading.Thread(target=self.rx_loop, daemon=True)

    def frame(self, c, flags, seq, ack, win, payload=b"", opts=b""):
        doff = (20 + len(opts)) // 4
        tcp = struct.pack("!HHIIBBHHH", c.sport, c.dport, seq, ack,
                          doff << 4, flags, win, 0, 0) + opts + payload
        pseudo = c.ipb + self.dpf_ipb + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + csum(pseudo + tcp) + tcp[18:]
        self.ip_id = (self.ip_id + 1) & 0xffff
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp),
                         self.ip_id, 0x4000, 64, 6, 0, c.ipb, self.dpf_ipb)
        ip = ip[:10] + csum(ip) + ip[12:]
        return self.dst + FAKE_MAC + b"\x08\x00" + ip + tcp

    def send(self, f):
        while True:
            try:
                self.s.send(f)
                break
            except BlockingIOError:
                time.sleep(0.0005)
            except OSError:
                # ENOBUFS: the queue is full; try again shortly.
                time.sleep(0.0005)
        self.sent += 1

    def rx_loop(self):
        self.s.settimeout(0.2)
        while not self.stop:
            try:
                f = self.s.recv(2048)
            except socket.timeout:
                continue
            except OSError:
                return
            if len(f) < 42:
                continue
            et = f[12:14]
            if et == b"\x08\x06":
                self.on_arp(f)
            elif et == b"\x08\x00" and f[23] == 6 and f[30:34] in self.by_ip:
                self.on_tcp(f)

    def on_arp(self, f):
        op = struct.unpack("!H", f[20:22])[0]
        tpa = f[38:42]
        if op != 1 or tpa not in self.by_ip:
            return
        sha, spa = f[22:28], f[28:32]
        rep = (sha + FAKE_MAC + b"\x08\x06" +
               struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) +
               FAKE_MAC + tpa + sha + spa)
        self.s.send(rep)

    def on_tcp(self, f):
        c = self.by_ip[f[30:34]]
        ihl = (f[14] & 0x0f) * 4
        t = 14 + ihl
        sport, dport, seq, ack, off, flags = struct.unpack(
            "!HHIIBB", f[t:t + 14])
        if sport != c.dport or dport != c.sport:
            return
        if flags & SYN and flags & ACK and c.irs is None:
            c.irs = seq
            c.rcv_nxt = (seq + 1) & 0xffffffff
        if flags & ACK:
            if c.peer_ack is None or ((ack - c.peer_ack) & 0xffffffff) < 1 << 31:
                c.peer_ack = ack

    def open_all(self, conns, timeout=10.0):
        for c in conns:
            self.by_ip[c.ipb] = c
        self.t.start()
        # MSS 1460, SACK permitted, window scale 7.
        opts = (b"\x02\x04\x05\xb4" + b"\x01\x01\x04\x02" +
                b"\x01\x03\x03\x07")
        deadline = time.time() + timeout
        while time.time() < deadline:
            todo = [c for c in conns if c.irs is None]
            if not todo:
                break
            for c in todo:
                self.send(self.frame(c, SYN, c.iss, 0, 65535, opts=opts))
            t_end = time.time() + 1.0
            while time.time() < t_end and any(c.irs is None for c in todo):
                time.sleep(0.02)
        opened = [c for c in conns if c.irs is not None]
        return opened


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mac", required=True, help="dpfetch's MAC")
    ap.add_argument("--mode", choices=("ooo", "zerowin"), required=True)
    ap.add_argument("--ports", default="7", help="ooo: ports, round robin")
    ap.add_argument("--conns", type=int, default=40)
    ap.add_argument("--http", type=int, default=0)
    ap.add_argument("--echo", type=int, default=0)
    ap.add_argument("--echo-bytes", type=int, default=1 << 20)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--rate", type=int, default=40000,
                    help="ooo: frames a second at most (a flood that "
                    "pins the pool in well under a second, without "
                    "starving the test's CPU)")
    a = ap.parse_args()

    p = Peer(a.mac)
    if a.mode == "ooo":
        ports = [int(x) for x in a.ports.split(",")]
        conns = [Conn(i, ports[i % len(ports)]) for i in range(a.conns)]
    else:
        conns = ([Conn(i, 80) for i in range(a.http)] +
                 [Conn(a.http + i, 7) for i in range(a.echo)])
    opened = p.open_all(conns)
    # The handshake's ACK: a full window for ooo, zero for zerowin.
    win = 0 if a.mode == "zerowin" else 65535
    for c in opened:
        p.send(p.frame(c, ACK, c.snd_nxt, c.rcv_nxt, win))
    print("ready", flush=True)

    t_end = time.time() + a.seconds
    if a.mode == "ooo":
        k = 0
        t0 = time.time()
        while time.time() < t_end:
            ahead = p.sent / a.rate - (time.time() - t0)
            if ahead > 0:
                time.sleep(ahead)
            for i, c in enumerate(opened):
                if i % 2 == 0:
                    # A hole before every byte: 2, 4, 6, ...
                    off = 2 + 2 * k
                else:
                    # One hole at 1, then 2, 3, 4, ... contiguous.
                    off = 2 + k
                seq = (c.snd_nxt + off - 1) & 0xffffffff
                p.send(p.frame(c, ACK | PSH, seq, c.rcv_nxt, 65535,
                               payload=bytes([k & 0xff])))
            k += 1
            if k >= 400000:
                break
    else:
        req = b"GET /bytes/200000000 HTTP/1.1\r\nHost: x\r\n\r\n"
        chunk = bytes(range(256)) * 6
        chunk = chunk[:1448]
        for c in opened:
            if c.dport == 80:
                p.send(p.frame(c, ACK | PSH, c.snd_nxt, c.rcv_nxt, 0,
                               payload=req))
                c.snd_nxt = (c.snd_nxt + len(req)) & 0xffffffff
        # Echo data in rounds, so every connection gets its share.
        sent = 0
        while sent < a.echo_bytes:
            n = min(len(chunk), a.echo_bytes - sent)
            for c in opened:
                if c.dport == 7:
                    p.send(p.frame(c, ACK | PSH, c.snd_nxt, c.rcv_nxt, 0,
                                   payload=chunk[:n]))
                    c.snd_nxt = (c.snd_nxt + n) & 0xffffffff
            sent += n
            # Do not outrun dpfetch's RX ring by too much.
            time.sleep(0.002)
        while time.time() < t_end:
            time.sleep(0.1)
    # Reset each connection where dpfetch expects the next byte (its
    # latest ACK), so that the RST is accepted at once.
    time.sleep(0.3)
    for c in opened:
        seq = c.peer_ack if c.peer_ack is not None else c.snd_nxt
        p.send(p.frame(c, RST | ACK, seq, c.rcv_nxt, 0))
    time.sleep(0.2)
    p.stop = True
    print(json.dumps({"opened": len(opened), "wanted": len(conns),
                      "frames": p.sent}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
