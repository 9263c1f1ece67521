#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of fuzz_packet_input (tests/fuzz/corpus/
fuzz_packet_input/): small programs in the target's operation language
(see the comment at the top of fuzz_packet_input.c) that open
connections to the HTTP and echo servers and take them through data,
SACK, loss, timers, ARP and chained or offloaded frames, so that the
fuzzer starts deep in ESTABLISHED and beyond.

    tests/fuzz/packet_input_seeds.py [DIR]
"""
import os
import struct
import sys

SYN, SEG, PUMP, CLOCK, RAW, RAWTCP, ARP, ICMP, BURST = 0, 1, 3, 4, 5, 6, 7, 8, 9
TS, SACKP, MSS, WS = 1, 2, 4, 8
PORT_HTTP, PORT_ECHO, PORT_NONE = 0, 1, 3


def mode(nseg=1, ip=0, l4=0, lro=False, anywhere=False, cuts=()):
    m = (nseg - 1) | ip << 2 | l4 << 4 | (0x40 if lro else 0) | \
        (0x80 if anywhere else 0)
    out = bytes([m])
    for c in cuts[:nseg - 1]:
        out += struct.pack(">H", c)
    return out


def syn(slot=0, port=PORT_HTTP, opts=TS | SACKP | MSS | WS, stranger=False,
        isn=0x11223344, ts=1000, mss=1396, ws=7, win=65535, m=mode()):
    a = slot | port << 2 | (0x80 if stranger else 0)
    return bytes([SYN, a]) + struct.pack(">II", isn, ts) + \
        bytes([opts]) + struct.pack(">HBH", mss, ws, win) + m


def seg(slot=0, flags=0x08, seqb=0, ackb=0, canned=None, data=b"",
        nsack=0, sack=(), ts=True, win=65535, nopay=False, m=mode()):
    a = slot | nsack << 4 | (0x40 if nopay else 0)
    if canned is not None:
        pk = bytes([canned])
        pay = b""
    else:
        n = (len(data) + 7) // 8
        pk = bytes([20 + n])
        pay = data.ljust(n * 8, b".")
    out = bytes([SEG, a, flags, seqb, ackb]) + pk + pay
    if ts:
        out += bytes([1])
    for s, e in sack[:nsack]:
        out += bytes([s, e])
    return out + struct.pack(">H", win) + m


def pump(slot=0, n=1, ts=True, m=mode()):
    out = bytes([PUMP, slot | (n - 1) << 2])
    for _ in range(n):
        out += (bytes([1]) if ts else b"") + m
    return out


def clock(b):
    return bytes([CLOCK, b])


def arp(a, mac=1, m=mode()):
    return bytes([ARP, a, mac]) + m


SEEDS = {
    "http_get": syn() + pump() + seg(canned=1) + pump(n=16) * 3 +
    seg(flags=0x09, canned=0) + pump(n=4) + clock(40),
    "http_pipelined_close": syn(ws=14, mss=536) + pump() + seg(canned=2) +
    seg(canned=3) + pump(n=8) + seg(flags=0x01, nopay=True) + pump(n=2) +
    clock(0x41),
    "http_partial": syn(opts=MSS) + pump(ts=False) +
    seg(canned=6, ts=False) + clock(0x45) + seg(canned=0, ts=False) +
    pump(ts=False, n=4),
    "echo": syn(slot=1, port=PORT_ECHO) + pump(slot=1) +
    seg(slot=1, data=b"hello, echo " * 5) + pump(slot=1, n=3) +
    seg(slot=1, flags=0x01, nopay=True) + pump(slot=1, n=2),
    "sack_loss": syn() + pump() + seg(canned=1) + pump(n=2) +
    seg(nopay=True, ackb=0xa8, nsack=2, sack=((6, 4), (12, 4))) +
    seg(nopay=True, ackb=0xa8, nsack=3,
        sack=((6, 4), (12, 4), (18, 4))) * 3 +
    clock(0x48) + pump(n=8),
    "ooo_data": syn(slot=2) + pump(slot=2) +
    seg(slot=2, seqb=0x81, data=b"B" * 120) +
    seg(slot=2, seqb=0x83, data=b"D" * 64) + seg(slot=2, canned=7) +
    pump(slot=2, n=4),
    "syn_timeout": syn(slot=3, opts=0) + clock(0xbf) * 4 + clock(0xff) * 2,
    "stranger_arp": syn(stranger=True) + arp(0x13) + pump(n=2) +
    arp(0x0a) + clock(0x80),
    "chains_lro": syn() + pump() +
    seg(data=b"GET /bytes/1 HTTP/1.1\r\nX: " + b"y" * 1700 + b"\r\n\r\n",
        m=mode(nseg=3, l4=3, lro=True, cuts=(60, 900))) +
    seg(canned=0, m=mode(nseg=2, ip=1, l4=1, anywhere=True, cuts=(20,))) +
    seg(canned=0, m=mode(ip=2)) + seg(canned=0, m=mode(l4=2)) +
    pump(n=4),
    "burst": syn() + syn(slot=1, port=PORT_ECHO) + bytes([BURST + 30]) +
    pump() + pump(slot=1) + seg(canned=0) + seg(slot=1, data=b"x" * 16) +
    pump(n=2),
    "raw_and_icmp": bytes([RAW, 0x40, 40]) + bytes(range(40)) + mode() +
    bytes([RAWTCP, 0x00, 20]) + struct.pack(">HHIIBBHHH", 40000, 80, 1, 0,
                                            0x50, 0x02, 1024, 0, 0) +
    mode() + bytes([ICMP, 16, 1]) + mode() +
    syn(port=PORT_NONE) + arp(0x05),
    "keepalive_rst": syn() + pump() + seg(canned=0) + pump() +
    seg(flags=0x04, nopay=True, ts=True) + seg(canned=0),
}


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus",
        "fuzz_packet_input")
    os.makedirs(d, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
