#!/usr/bin/python3
"""TCP conformance tests for dpfetch, with a scripted scapy peer.

Each test starts the real dpfetch on dpf0 (root namespace) and plays the
HTTP server itself on dpf0p (namespace dpf-peer) at 198.18.0.10, a made-up
address and MAC the kernel there ignores (see peer.py).  It sends exactly
the segments it wants, and asserts exactly what dpfetch sends back (flags,
sequence and acknowledgment numbers, window, options, timing), its exit
status and message, and its --stats counters.

    /usr/bin/python3 tests/conformance/run.py [--build DIR] [-k SUBSTRING]
                                              [--list] [-v]

Needs root and the testbed (scripts/testbed.sh up).  Prints "PASS name (t s)"
or "FAIL name: reason" per test and ends with "N passed, N failed"; the exit
status is non-zero if any test failed.  Under a sanitizer build, a test also
fails if dpfetch's stderr holds a sanitizer report.
"""

import argparse
import os
import signal
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scapy.layers.inet import (IP, TCP, IPOption_Router_Alert,  # noqa: E402
                               fragment)
from scapy.packet import Raw  # noqa: E402

from peer import (CLIENT_IP, DPF_IFACE, NS, SERVER_IP,  # noqa: E402
                  Case, Failure, check, http_response, kill_all_live,
                  live_runs, make_body, seq_add, seq_diff)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

TESTS = []

# Short timers keep every test to a few seconds.
FAST = {"rto_min_ms": 200, "delack_ms": 40}


def test(fn):
    TESTS.append(fn)
    return fn


def no_reply(conn, duration=0.25, what="the segment"):
    """Nothing at all comes back for `duration` seconds."""
    got = conn.quiet(duration)
    check(not got, "dpfetch answered %s with %s" % (what, got))


# What malformed segments carry: were one taken as data, the fetch would
# end with HTTP 599 instead of 200.
POISON = b"HTTP/1.1 599 Poisoned\r\nContent-Length: 0\r\n\r\n"


def pad_header(n):
    """A request header that makes the request about n bytes longer."""
    return ["--header", "X-Pad: " + "p" * n]


def serve_and_finish(t, conn, body):
    """Serve `body` (Content-Length), close, and require exit 0."""
    conn.serve(body)
    t.expect_ok(body)


def bad_input_then_finish(t, conn, send_bad, counters, body=None):
    """Send a malformed packet, require silence, then a normal fetch;
    `counters` maps (section, name) to the minimum expected value."""
    body = body or make_body(2000)
    send_bad()
    no_reply(conn, 0.25, "the malformed packet")
    serve_and_finish(t, conn, body)
    for (section, name), want in counters.items():
        got = t.dpf.stats[section][name]
        check(got >= want, "%s.%s is %d, wanted >= %d" %
              (section, name, got, want))


# ===========================================================================
# Handshake
# ===========================================================================

def check_syn(syn, mss, sack, ts, wscale):
    check(syn.flags == "S", "SYN flags %s" % syn.flags)
    check(syn.ack == 0, "SYN ack field %d, want 0" % syn.ack)
    check(not syn.payload, "SYN carries %d bytes" % len(syn.payload))
    check(syn.opts.get("MSS") == mss,
          "SYN MSS %s, want %d" % (syn.opts.get("MSS"), mss))
    check(("SAckOK" in syn.opts) == sack,
          "SACK-permitted %s, want %s: %r" % ("SAckOK" in syn.opts, sack,
                                              syn))
    check(("Timestamp" in syn.opts) == ts,
          "timestamps %s, want %s: %r" % ("Timestamp" in syn.opts, ts, syn))
    if ts:
        check(syn.tsecr == 0, "SYN TSecr %d, want 0" % syn.tsecr)
    if wscale is None:
        check("WScale" not in syn.opts, "SYN offers window scale: %r" % syn)
    else:
        check(syn.opts.get("WScale") == wscale,
              "SYN WScale %s, want %d" % (syn.opts.get("WScale"), wscale))
    check(syn.optlen % 4 == 0 and syn.optlen <= 40,
          "SYN options length %d" % syn.optlen)


@test
def syn_options_default(t):
    """RFC 9293 3.7.1, RFC 7323 2-3, RFC 2018 2: the SYN offers MSS =
    MTU - 40 = 1460, SACK-permitted, timestamps (TSecr 0) and window
    scale 5 (the smallest shift that advertises rcvbuf = 1 MiB); the SYN
    window is never scaled."""
    conn = t.connect(tcp=FAST)
    check_syn(conn.syn, 1460, True, True, 5)
    check(conn.syn.window == 65535, "SYN window %d" % conn.syn.window)
    ack = conn.handshake()
    check(ack.window == (1 << 20) >> 5,
          "first ACK window %d, want rcvbuf >> 5 = %d" %
          (ack.window, (1 << 20) >> 5))
    conn.read_request()
    serve_and_finish(t, conn, make_body(100))


@test
def syn_options_sack_off(t):
    """--tcp sack=off: no SACK-permitted option in the SYN."""
    conn = t.connect(tcp=dict(FAST, sack="off"))
    check_syn(conn.syn, 1460, False, True, 5)
    conn.handshake()
    serve_and_finish(t, conn, make_body(100))


@test
def syn_options_timestamps_off(t):
    """--tcp timestamps=off: no TSopt in the SYN, nor in any later segment
    even though the peer's SYN-ACK offers one (RFC 7323 3.2)."""
    conn = t.connect(tcp=dict(FAST, timestamps="off"))
    check_syn(conn.syn, 1460, True, False, 5)
    conn.handshake()
    conn.ts = False      # not agreed: we stop sending it too
    serve_and_finish(t, conn, make_body(3000))
    for s in conn.peer.since(0, conn.mine):
        check("Timestamp" not in s.opts, "TSopt in %r" % s)


@test
def syn_options_wscale_off(t):
    """--tcp wscale=off: no window scale in the SYN; windows we advertise
    are then unscaled and capped at 65535 (RFC 7323 2.2)."""
    conn = t.connect(tcp=dict(FAST, wscale="off"))
    check_syn(conn.syn, 1460, True, True, None)
    ack = conn.handshake(wscale=7)
    check(ack.window == 65535, "window %d, want 65535" % ack.window)
    serve_and_finish(t, conn, make_body(100))


@test
def syn_options_all_off(t):
    """sack, timestamps and wscale off: the SYN carries MSS alone."""
    conn = t.connect(tcp=dict(FAST, sack="off", timestamps="off",
                              wscale="off"))
    check_syn(conn.syn, 1460, False, False, None)
    check(conn.syn.optlen == 4, "SYN options length %d, want 4" %
          conn.syn.optlen)
    conn.handshake()
    conn.ts = False
    serve_and_finish(t, conn, make_body(100))


@test
def syn_mss_follows_mtu(t):
    """RFC 9293 3.7.1 / RFC 6691: with --mtu 1000 the MSS offered is
    1000 - 40 = 960, and data we send in 960-byte segments is taken."""
    conn = t.connect(tcp=FAST, mtu=1000)
    check_syn(conn.syn, 960, True, True, 5)
    conn.handshake()
    serve_and_finish(t, conn, make_body(5000))


@test
def syn_mss_minimum_mtu(t):
    """--mtu 576 (the IPv4 minimum): MSS 536."""
    conn = t.connect(tcp=FAST, mtu=576)
    check_syn(conn.syn, 536, True, True, 5)
    conn.handshake()
    serve_and_finish(t, conn, make_body(2000))


@test
def syn_retransmit_backoff(t):
    """RFC 6298 (2.1), (5.5); RFC 9293 3.8.1: an unanswered SYN is sent
    again after the initial RTO of 1 s, then with the timer doubled (at
    ~1 s, ~3 s); after syn_retries the connection fails, exit 1 "timed
    out"."""
    t.start(tcp=dict(FAST, syn_retries=2), timeout=12)
    syns = [t.peer.expect_syn()]
    for _ in range(2):
        syns.append(t.peer.expect_syn(timeout=6))
    check(all(s.seq == syns[0].seq and s.sport == syns[0].sport
              for s in syns), "retransmitted SYNs differ: %s" % syns)
    gaps = [syns[i + 1].t - syns[i].t for i in range(2)]
    check(0.85 <= gaps[0] <= 1.3, "first SYN retransmission after %.3f s, "
          "want ~1 s" % gaps[0])
    check(1.8 <= gaps[1] <= 2.5, "second after %.3f s more, want ~2 s" %
          gaps[1])
    t.expect_exit(1, "timed out", timeout=6)
    waited = time.monotonic() - syns[-1].t
    check(3.5 <= waited <= 5.0, "gave up %.3f s after the last SYN, want "
          "~4 s (a third backed-off RTO)" % waited)
    check(len(t.peer.since(0, lambda s: s.flags == "S")) == 3,
          "more than 3 SYNs")
    check(t.dpf.tcp("SynRetrans") == 2, "SynRetrans %d" %
          t.dpf.tcp("SynRetrans"))
    check(t.dpf.tcp("AttemptFails") == 1, "AttemptFails %d" %
          t.dpf.tcp("AttemptFails"))


@test
def synack_bad_ack_gets_rst(t):
    """RFC 9293 3.10.7.3: in SYN-SENT, a SYN-ACK whose ACK is outside
    (ISS, SND.NXT] is answered with <SEQ=SEG.ACK><CTL=RST> and does not
    establish anything; the retransmitted SYN then completes normally."""
    conn = t.connect(tcp=dict(FAST, rto_initial_ms=400))
    bad_ack = seq_add(conn.their_iss, 1000)
    conn.syn_ack(ack=bad_ack)
    rst = conn.expect(lambda s: "R" in s.flags, 1.0, "RST")
    check(rst.flags == "R", "flags %s, want R alone" % rst.flags)
    check(rst.seq == bad_ack, "RST seq %d, want SEG.ACK %d" %
          (rst.seq, bad_ack))
    check(not rst.payload, "RST carries data")
    syn = t.peer.expect_syn(timeout=2)
    check(syn.seq == conn.their_iss, "SYN after the RST has a new ISS")
    between = [s for s in conn.peer.since(0, conn.mine)
               if s.payload or "F" in s.flags]
    check(not between, "dpfetch sent data on a refused SYN-ACK: %s" %
          between)
    conn.cursor = t.peer.cursor
    conn.handshake()
    serve_and_finish(t, conn, make_body(500))


@test
def synack_without_options(t):
    """RFC 9293 3.7.1, RFC 7323 1.3/2.2, RFC 2018: a SYN-ACK with no
    options at all means MSS 536, no window scaling either way (the
    window we read is taken as is; ours is at most 65535 unscaled), no
    timestamps and no SACK blocks in any later segment."""
    conn = t.connect(tcp=FAST, extra=pad_header(1000))
    conn.syn_ack(options=[], window=300)
    first = conn.expect(lambda s: s.payload, 2.0, "request data")
    check(0 < len(first.payload) <= 300,
          "first data segment %d bytes in a 300-byte window" %
          len(first.payload))
    check(first.seq == conn.rcv_nxt, "request starts at %d" % first.seq)
    # ACK it with a window of 200: a scaled reading would allow far more.
    conn.rcv_nxt = seq_add(first.seq, len(first.payload))
    conn.request = first.payload
    got = conn.quiet(0.1)
    check(not [s for s in got if s.payload and
               seq_diff(seq_add(s.seq, len(s.payload)), first.seq) > 300],
          "data beyond the 300-byte window: %s" % got)
    conn.send("A", window=200)
    second = conn.expect(lambda s: s.payload and s.seq == conn.rcv_nxt,
                         1.0, "data after the window update")
    check(0 < len(second.payload) <= 200,
          "%d bytes sent into a 200-byte window" % len(second.payload))
    conn.rcv_nxt = seq_add(second.seq, len(second.payload))
    conn.request += second.payload
    conn.send("A", window=65535)
    conn.read_request()
    check(len(conn.request) > 1000, "request %d bytes" % len(conn.request))
    # Out of order data: the duplicate ACK must not carry SACK.
    body = make_body(3000)
    resp = http_response(body)
    conn.send_range(resp, 1000, 1500)
    dup = conn.expect(lambda s: "A" in s.flags, 1.0, "duplicate ACK")
    check(dup.ack == conn.base, "dup ACK %d, want %d" % (dup.ack, conn.base))
    check(not dup.sack, "SACK blocks without SACK-permitted: %r" % dup)
    conn.send_stream(resp, 0, 1000)
    conn.send_stream(resp, 1500)
    conn.close_after_response()
    t.expect_ok(body)
    for s in conn.peer.since(0, conn.mine):
        if "S" in s.flags:
            continue
        check("Timestamp" not in s.opts and "SAck" not in s.opts,
              "options in %r" % s)
        check(len(s.payload) <= 536, "segment of %d bytes, MSS 536" %
              len(s.payload))
        check(s.window == 65535, "window %d, want 65535 unscaled" %
              s.window)


@test
def rst_to_syn_refused(t):
    """RFC 9293 3.10.7.3: a RST with an acceptable ACK in SYN-SENT
    refuses the connection: exit 1, "connection refused"."""
    conn = t.connect(tcp=FAST)
    conn.send("RA", seq=0, ack=seq_add(conn.their_iss, 1), ts=False)
    t.expect_exit(1, "connection refused")
    check(t.dpf.tcp("AttemptFails") == 1, "AttemptFails %d" %
          t.dpf.tcp("AttemptFails"))
    after = [s for s in conn.peer.since(0, conn.mine) if s.flags != "S"]
    check(not after, "dpfetch answered the RST: %s" % after)


@test
def rst_unacceptable_in_syn_sent_ignored(t):
    """RFC 9293 3.10.7.3: in SYN-SENT a RST without ACK, or with an ACK
    outside (ISS, SND.NXT], is dropped without a reply; the handshake then
    completes."""
    conn = t.connect(tcp=FAST)
    conn.send("R", seq=12345, ts=False)
    conn.send("RA", seq=12345, ack=seq_add(conn.their_iss, 50), ts=False)
    no_reply(conn, 0.2, "the RSTs")
    conn.handshake()
    serve_and_finish(t, conn, make_body(300))


@test
def simultaneous_open(t):
    """RFC 9293 3.5 (figure 8): a SYN without ACK answering our SYN moves
    SYN-SENT to SYN-RECEIVED with a SYN-ACK <SEQ=ISS><ACK=their ISN + 1>
    (same ISS, options offered again); the peer's ACK establishes."""
    conn = t.connect(tcp=FAST)
    conn.send("S", seq=conn.iss, ts=False,
              options=[("MSS", 1460), ("SAckOK", b""),
                       ("Timestamp", (conn.ts_now(), 0)), ("NOP", None),
                       ("WScale", 7)])
    conn.ts = True
    conn.snd_nxt = conn.base
    sa = conn.expect(lambda s: "S" in s.flags, 1.5, "SYN-ACK")
    check(sa.flags == "SA", "flags %s, want SA" % sa.flags)
    check(sa.seq == conn.their_iss and sa.ack == conn.base,
          "SYN-ACK seq=%d ack=%d, want seq=%d ack=%d" %
          (sa.seq, sa.ack, conn.their_iss, conn.base))
    check(sa.opts.get("MSS") == 1460 and "WScale" in sa.opts and
          "Timestamp" in sa.opts and "SAckOK" in sa.opts,
          "SYN-ACK options %s" % sa.options)
    conn.send("A")
    conn.read_request()
    serve_and_finish(t, conn, make_body(400))


@test
def synack_window_not_scaled(t):
    """RFC 7323 2.2: the window in a SYN-ACK is never scaled: a SYN-ACK
    with window 1000 and shift 7 allows 1000 bytes, not 128000; windows
    after it are scaled."""
    conn = t.connect(tcp=FAST, extra=pad_header(3000))
    conn.handshake(window=1000, wscale=7)
    cursor = conn.cursor
    time.sleep(0.12)                   # less than the 200 ms RTO
    sent = max([seq_diff(seq_add(s.seq, len(s.payload)), conn.rcv_nxt)
                for s in conn.pending() if s.payload] or [0])
    check(0 < sent <= 1000, "%d bytes sent into a 1000-byte window" % sent)
    conn.cursor = cursor
    conn.send("A", window=100)         # 100 << 7 = 12800
    conn.read_request()
    serve_and_finish(t, conn, make_body(400))


@test
def peer_mss_capped_by_ours(t):
    """RFC 9293 3.7.1, RFC 6691: a peer MSS of 9000 is capped by our own
    MTU: segments carry at most 1460 - 12 (timestamps) = 1448 bytes."""
    conn = t.connect(tcp=FAST, extra=pad_header(4000))
    conn.handshake(mss=9000)
    conn.read_request()
    sizes = [len(s.payload) for s in conn.peer.since(0, conn.mine)
             if s.payload]
    check(max(sizes) == 1448, "segment sizes %s, want at most 1448 and "
          "full ones of 1448" % sizes)
    serve_and_finish(t, conn, make_body(400))


# ===========================================================================
# Data
# ===========================================================================

@test
def data_in_order(t):
    """RFC 9293 3.10.7.4: in-order segments are delivered and ACKed
    cumulatively; the body arrives intact."""
    conn = t.established(tcp=FAST)
    body = make_body(20000, seed=2)
    conn.serve(body)
    t.expect_ok(body)
    acks = [s.ack for s in conn.peer.since(0, conn.mine) if "A" in s.flags]
    check(all(seq_diff(b, a) >= 0 for a, b in zip(acks, acks[1:])),
          "ACK numbers went backwards: %s" % acks)


@test
def data_across_sequence_wrap(t):
    """RFC 9293 3.4: sequence numbers wrap at 2^32; a response that
    crosses the wrap is delivered and ACKed correctly."""
    conn = t.established(tcp=FAST, iss=(1 << 32) - 3000)
    body = make_body(9000, seed=3)
    conn.serve(body)
    t.expect_ok(body)


@test
def ooo_reassembly_with_sack(t):
    """RFC 5681 4.2 / RFC 2018 4: an out-of-order segment is ACKed at once
    (a duplicate ACK) with a SACK block for exactly that segment; when the
    hole fills the ACK covers both, immediately, without SACK."""
    conn = t.established(tcp=dict(FAST, delack_ms=200))
    body = make_body(3000, seed=4)
    resp = http_response(body)
    b = conn.base
    conn.send_range(resp, 1000, 2000)
    t0 = time.monotonic()
    dup = conn.expect(lambda s: "A" in s.flags, 1.0, "duplicate ACK")
    check(dup.t - t0 < 0.1, "out-of-order data ACKed after %.3f s, not at "
          "once" % (dup.t - t0))
    check(dup.ack == b, "dup ACK acks %d, want %d" % (dup.ack, b))
    check(dup.sack == [(seq_add(b, 1000), seq_add(b, 2000))],
          "SACK %s, want [(%d, %d)]" % (dup.sack, seq_add(b, 1000),
                                        seq_add(b, 2000)))
    conn.send_range(resp, 0, 1000)
    t1 = time.monotonic()
    full = conn.expect(lambda s: "A" in s.flags, 1.0,
                       "ACK of the filled hole")
    check(full.ack == seq_add(b, 2000), "ACK %d, want %d (both segments)" %
          (full.ack, seq_add(b, 2000)))
    check(full.t - t1 < 0.1, "filled hole ACKed after %.3f s" % (full.t - t1))
    check(not full.sack, "SACK after the hole filled: %r" % full)
    conn.send_stream(resp, 2000)
    conn.close_after_response()
    t.expect_ok(body)
    check(t.dpf.tcp("OfoQueued") >= 1, "OfoQueued %d" % t.dpf.tcp("OfoQueued"))


@test
def overlapping_segments(t):
    """RFC 9293 3.10.7.4 (seventh check): overlapping retransmissions of
    every shape (tail overlap, one inside another, head overlap, in-order
    segment overlapping queued data, wholly old) are trimmed so each byte
    is delivered exactly once."""
    conn = t.established(tcp=FAST)
    body = make_body(4000, seed=5)
    resp = http_response(body)
    n = len(resp)
    pieces = [(1000, 2000), (1500, 2500), (1200, 1300), (600, 1100),
              (0, 700), (650, 800), (2400, 3400), (3300, n)]
    for a, b in pieces:
        conn.send_range(resp, a, b)
        time.sleep(0.01)
    conn.close_after_response()        # its FIN acks the whole response
    t.expect_ok(body)
    check(t.dpf.tcp("DataBytesIn") == n, "DataBytesIn %d, want %d" %
          (t.dpf.tcp("DataBytesIn"), n))


@test
def duplicate_segment(t):
    """RFC 9293 3.10.7.4: a segment wholly before RCV.NXT is a duplicate:
    it is ACKed at once (ack = RCV.NXT), counted, and not delivered
    again."""
    conn = t.established(tcp=dict(FAST, delack_ms=200))
    body = make_body(3000, seed=6)
    resp = http_response(body)
    conn.send_range(resp, 0, 1000)
    conn.expect(lambda s: s.ack == seq_add(conn.base, 1000), 1.0,
                "ACK of the first segment")
    conn.send_range(resp, 0, 1000)
    t0 = time.monotonic()
    dup = conn.expect(lambda s: "A" in s.flags, 1.0, "ACK of the duplicate")
    check(dup.t - t0 < 0.1, "duplicate ACKed after %.3f s" % (dup.t - t0))
    check(dup.ack == seq_add(conn.base, 1000), "ACK %d, want %d" %
          (dup.ack, seq_add(conn.base, 1000)))
    conn.send_stream(resp, 1000)
    conn.close_after_response()
    t.expect_ok(body)
    check(t.dpf.tcp("DupSegs") >= 1, "DupSegs %d" % t.dpf.tcp("DupSegs"))
    check(t.dpf.tcp("DataBytesIn") == len(resp), "DataBytesIn %d, want %d" %
          (t.dpf.tcp("DataBytesIn"), len(resp)))


@test
def segment_beyond_window(t):
    """RFC 9293 3.10.7.4: with rcvbuf 4096 (window 4096, shift 0), bytes
    past RCV.NXT + RCV.WND are trimmed (the part inside is kept) and a
    segment wholly beyond the window is dropped; both are ACKed."""
    conn = t.established(tcp=dict(FAST, rcvbuf=4096))
    check(conn.syn.opts.get("WScale") == 0, "WScale %s with rcvbuf 4096" %
          conn.syn.opts.get("WScale"))
    body = make_body(8000, seed=7)
    resp = http_response(body)
    base = conn.base
    conn.send_range(resp, 3000, 4400)          # 3000..4096 fits
    a1 = conn.expect(lambda s: "A" in s.flags, 1.0, "ACK of the trimmed "
                     "segment")
    check(a1.ack == base, "ACK %d, want %d" % (a1.ack, base))
    check(a1.sack == [(seq_add(base, 3000), seq_add(base, 4096))],
          "SACK %s, want [(%d, %d)] (trimmed at the window edge)" %
          (a1.sack, seq_add(base, 3000), seq_add(base, 4096)))
    conn.send_range(resp, 5000, 6000)          # wholly beyond
    a2 = conn.expect(lambda s: "A" in s.flags, 1.0, "ACK of the segment "
                     "beyond the window")
    check(a2.ack == base, "ACK %d, want %d" % (a2.ack, base))
    check(a2.sack == a1.sack, "SACK %s after an out-of-window segment, "
          "want %s" % (a2.sack, a1.sack))
    conn.send_stream(resp, 0, 3000, size=1000)
    conn.expect(lambda s: s.ack == seq_add(base, 4096), 1.0,
                "ACK up to the window edge")
    conn.send_stream(resp, 4096, size=1000)
    conn.close_after_response()
    t.expect_ok(body)
    check(t.dpf.tcp("BeyondWindowTrimmed") >= 1, "BeyondWindowTrimmed %d" %
          t.dpf.tcp("BeyondWindowTrimmed"))
    check(t.dpf.tcp("OutOfWindow") >= 1, "OutOfWindow %d" %
          t.dpf.tcp("OutOfWindow"))


@test
def zero_window_synack_then_update(t):
    """RFC 9293 3.8.6: a zero window in the SYN-ACK holds the request back
    (no data beyond the window); a window update releases it at once."""
    conn = t.connect(tcp=dict(FAST, rto_min_ms=600))
    ack = conn.handshake(window=0)
    check(not ack.payload, "data sent into a zero window: %r" % ack)
    got = conn.quiet(0.3)
    check(not [s for s in got if s.payload],
          "data sent into a zero window: %s" % got)
    conn.send("A", window=65535)
    t0 = time.monotonic()
    req = conn.expect(lambda s: s.payload, 0.5, "the request after the "
                      "window update")
    check(req.t - t0 < 0.1, "request %.3f s after the window opened" %
          (req.t - t0))
    check(req.seq == conn.rcv_nxt, "request at %d, want %d" %
          (req.seq, conn.rcv_nxt))
    conn.cursor = t.peer.segs.index(req)
    conn.read_request()
    serve_and_finish(t, conn, make_body(500))


def is_probe(s, snd_una):
    """A zero-window probe: one new byte at SND.UNA (RFC 9293 3.8.6.1), or
    Linux's form, an empty segment at SND.UNA - 1."""
    return ((len(s.payload) >= 1 and s.seq == snd_una) or
            (not s.payload and s.seq == seq_add(snd_una, -1)))


@test
def persist_probes_zero_window(t):
    """RFC 9293 3.8.6.1, RFC 1122 4.2.2.17: while the peer's window stays
    zero the sender probes it, with the interval backing off
    exponentially, and keeps the connection while probes are ACKed;
    when the window opens the request follows."""
    conn = t.connect(tcp=FAST)
    conn.handshake(window=0)
    una = conn.rcv_nxt
    probes = []
    for i in range(4):
        p = conn.expect(lambda s: s.payload or s.seq != una, 2.5,
                        "zero-window probe %d" % (i + 1))
        check(is_probe(p, una), "not a window probe: %r" % p)
        probes.append(p)
        conn.send("A", ack=una, window=0)      # the byte is not taken
    gaps = [b.t - a.t for a, b in zip(probes, probes[1:])]
    check(all(b >= a * 1.5 for a, b in zip(gaps, gaps[1:])),
          "probe intervals do not back off: %s" % gaps)
    conn.send("A", ack=una, window=65535)
    conn.read_request()
    serve_and_finish(t, conn, make_body(500))
    check(t.dpf.tcp("WindowProbes") >= 4, "WindowProbes %d" %
          t.dpf.tcp("WindowProbes"))


@test
def tiny_mss_64(t):
    """RFC 9293 3.7.1, RFC 6691: the peer's MSS of 64 bounds every
    segment we send; TCP options count against it (docs/tcp.md: 52 data
    bytes with timestamps)."""
    conn = t.connect(tcp=FAST)
    conn.handshake(mss=64)
    conn.read_request()
    data = [s for s in conn.peer.since(0, conn.mine) if s.payload]
    check(len(data) >= 2, "request in %d segment(s)" % len(data))
    for s in data:
        check(len(s.payload) + s.optlen <= 64,
              "segment of %d data + %d option bytes > MSS 64" %
              (len(s.payload), s.optlen))
    check(max(len(s.payload) for s in data) == 52,
          "largest segment %d bytes, docs/tcp.md says 64 - 12 = 52" %
          max(len(s.payload) for s in data))
    serve_and_finish(t, conn, make_body(500))


def window_scale_test(t, shift):
    conn = t.connect(tcp=FAST, extra=pad_header(3000))
    ack = conn.handshake(wscale=shift, window=0)
    check(not ack.payload, "data into a zero window")
    # A window field of 1 is 2^14 = 16384 bytes: the whole request fits
    # and goes at once (read unscaled it would be a 1-byte window).
    conn.send("A", window=1)
    t0 = time.monotonic()
    conn.read_request(timeout=2)
    check(len(conn.request) > 3000, "request %d bytes" % len(conn.request))
    data = [s for s in conn.peer.since(0, conn.mine) if s.payload]
    late = [s for s in data if s.t - t0 > 0.15]
    check(not late, "the request trickled out over %.3f s in %d segments "
          "(window not scaled by 14?)" % (data[-1].t - t0, len(data)))
    serve_and_finish(t, conn, make_body(500))


@test
def peer_window_scale_14(t):
    """RFC 7323 2.2-2.3: the peer's shift of 14 (the maximum) applies to
    every window after the SYN-ACK: a window field of 1 means 16384
    bytes."""
    window_scale_test(t, 14)


@test
def peer_window_scale_above_14(t):
    """RFC 7323 2.3: a shift above 14 is used as 14 (no overflow, no
    undefined shift: the request goes as with 14)."""
    window_scale_test(t, 15)


@test
def peer_window_scale_255(t):
    """RFC 7323 2.3: an absurd shift (255) is also read as 14."""
    window_scale_test(t, 255)


@test
def delayed_ack_single_segment(t):
    """RFC 1122 4.2.3.2, RFC 5681 4.2: a lone in-order segment is ACKed
    after the delayed-ACK time (delack_ms = 100), not at once and not
    later than 500 ms."""
    conn = t.established(tcp=dict(FAST, delack_ms=100))
    body = make_body(4000, seed=8)
    resp = http_response(body)
    conn.send_range(resp, 0, 300)
    t0 = time.monotonic()
    a = conn.expect(lambda s: "A" in s.flags, 1.0, "delayed ACK")
    dt = a.t - t0
    check(a.ack == seq_add(conn.base, 300), "ACK %d, want %d" %
          (a.ack, seq_add(conn.base, 300)))
    check(0.08 <= dt <= 0.25, "lone segment ACKed after %.3f s, want "
          "~0.1 s" % dt)
    conn.send_stream(resp, 300)
    conn.close_after_response()
    t.expect_ok(body)
    check(t.dpf.tcp("DelayedAcks") >= 1, "DelayedAcks %d" %
          t.dpf.tcp("DelayedAcks"))


@test
def delayed_ack_two_full_segments(t):
    """RFC 5681 4.2, RFC 1122 4.2.3.2: an ACK is sent at least for every
    second full-sized segment, without waiting for the delayed-ACK timer
    (delack_ms = 300)."""
    conn = t.established(tcp=dict(FAST, delack_ms=300))
    body = make_body(8000, seed=9)
    resp = http_response(body)
    size = conn.seg_size()
    conn.send_range(resp, 0, size, "A")
    conn.send_range(resp, size, 2 * size, "A")
    t0 = time.monotonic()
    a = conn.expect(lambda s: "A" in s.flags, 1.0, "ACK")
    check(a.ack == seq_add(conn.base, 2 * size),
          "first ACK acks %d, want %d (both segments)" %
          (a.ack, seq_add(conn.base, 2 * size)))
    check(a.t - t0 < 0.1, "two full segments ACKed after %.3f s" %
          (a.t - t0))
    conn.send_stream(resp, 2 * size)
    conn.close_after_response()
    t.expect_ok(body)


def ts_opt(val, ecr):
    return [("NOP", None), ("NOP", None), ("Timestamp", (val, ecr))]


@test
def timestamps_echo_rules(t):
    """RFC 7323 4.3: the first ACK echoes the SYN-ACK's TSval; a delayed
    ACK covering two segments echoes the earlier one's TSval; a duplicate
    ACK for an out-of-order segment does not echo that segment's TSval;
    the ACK for the segment filling the hole echoes its TSval."""
    conn = t.connect(tcp=dict(FAST, delack_ms=200))
    conn.syn_ack()
    first = conn.expect(lambda s: "A" in s.flags, 1.0, "first ACK")
    check(first.tsecr == conn.synack_tsval, "first ACK echoes %s, want the "
          "SYN-ACK's TSval %d" % (first.tsecr, conn.synack_tsval))
    conn.cursor = t.peer.segs.index(first)
    conn.read_request()
    base_ts = conn.ts_now()
    echo = conn.latest_tsval()
    body = make_body(4000, seed=20)
    resp = http_response(body)
    b = conn.base
    ta, tb, td, tc = (base_ts + 1, base_ts + 2, base_ts + 3, base_ts + 4)
    conn.send_range(resp, 0, 500, "A", options=ts_opt(ta, echo), ts=False)
    conn.send_range(resp, 500, 1000, "A", options=ts_opt(tb, echo),
                    ts=False)
    a = conn.expect(lambda s: s.ack == seq_add(b, 1000), 1.0, "ACK of A+B")
    check(a.tsecr == ta, "ACK of two segments echoes %d; want the earlier "
          "TSval %d (not %d)" % (a.tsecr, ta, tb))
    conn.send_range(resp, 1500, 2000, "A", options=ts_opt(td, echo),
                    ts=False)
    d = conn.expect(lambda s: "A" in s.flags, 1.0, "dup ACK")
    check(d.ack == seq_add(b, 1000), "dup ACK %d" % d.ack)
    check(d.tsecr != td, "dup ACK echoes the out-of-order segment's TSval")
    conn.send_range(resp, 1000, 1500, "A", options=ts_opt(tc, echo),
                    ts=False)
    c = conn.expect(lambda s: s.ack == seq_add(b, 2000), 1.0,
                    "ACK of the filled hole")
    check(c.tsecr == tc, "filled-hole ACK echoes %d, want %d" %
          (c.tsecr, tc))
    time.sleep(0.01)
    conn.send_stream(resp, 2000)
    conn.close_after_response()
    t.expect_ok(body)


@test
def sack_blocks_most_recent_first(t):
    """RFC 2018 4: the first SACK block holds the segment that triggered
    the ACK (MUST); the rest repeat the most recently reported blocks
    (SHOULD); with timestamps at most 3 blocks fit."""
    conn = t.established(tcp=dict(FAST, delack_ms=200))
    body = make_body(6000, seed=21)
    resp = http_response(body)
    b = conn.base
    for off in (1000, 2000, 3000, 4000):
        conn.send_range(resp, off, off + 500)
        conn.expect(lambda s: "A" in s.flags, 1.0, "dup ACK")
    last = conn.peer.since(0, conn.mine)[-1]
    want = [(seq_add(b, o), seq_add(b, o + 500)) for o in (4000, 3000, 2000)]
    check(last.sack == want, "SACK blocks %s, want %s (newest first)" %
          ([(x - b, y - b) for x, y in last.sack],
           [(x - b, y - b) for x, y in want]))
    conn.send_stream(resp, 0, size=1000)
    conn.close_after_response()
    t.expect_ok(body)


@test
def data_without_ack_dropped(t):
    """RFC 9293 3.10.7.4 (fifth check): a segment without the ACK bit in a
    synchronized state is dropped: its data is not taken, and no reply."""
    conn = t.established(tcp=FAST)
    conn.send("P", POISON, seq=conn.base)
    no_reply(conn, 0.25, "a segment without ACK")
    serve_and_finish(t, conn, make_body(800))


@test
def ethernet_padding_ignored(t):
    """RFC 894, RFC 1122 3.2.1.1: bytes after the IP total length (Ethernet
    padding) are not data: the segment length comes from the IP header."""
    conn = t.established(tcp=FAST)
    body = b"hi"
    resp = http_response(body)
    pkt = conn.build("PA", resp, seq=conn.base)
    conn.peer.send_frame(bytes(conn.peer.eth() / pkt) + b"\x00PADDING")
    conn.snd_nxt = seq_add(conn.base, len(resp))
    conn.close_after_response()
    t.expect_ok(body)
    check(t.dpf.tcp("DataBytesIn") == len(resp), "DataBytesIn %d, want %d" %
          (t.dpf.tcp("DataBytesIn"), len(resp)))


@test
def ip_options_accepted(t):
    """RFC 791, RFC 1122 3.2.1.8: a datagram with IP options (IHL 6) is
    accepted; TCP finds its header after the options."""
    conn = t.established(tcp=FAST)
    body = make_body(600, seed=22)
    resp = http_response(body)
    pkt = conn.build("PA", resp, seq=conn.base)
    pkt[IP].options = [IPOption_Router_Alert()]
    conn.peer.send_ip(pkt)
    conn.snd_nxt = seq_add(conn.base, len(resp))
    conn.close_after_response()
    t.expect_ok(body)
    check(t.dpf.stats["ip"]["rx_options"] >= 1, "ip.rx_options %d" %
          t.dpf.stats["ip"]["rx_options"])


# ===========================================================================
# Loss and retransmission
# ===========================================================================

@test
def lost_segment_sack_recovery(t):
    """RFC 5681 4.2, RFC 2018 4: segments 1, 3, 4 then 2: each
    out-of-order arrival brings an immediate duplicate ACK for the hole,
    whose first SACK block holds the latest arrival (3, then 3-4
    coalesced); segment 2 brings the cumulative ACK at once."""
    conn = t.established(tcp=dict(FAST, delack_ms=200))
    body = make_body(4000, seed=10)
    resp = http_response(body)
    n = len(resp)
    b = conn.base
    conn.send_range(resp, 0, 500)
    conn.expect(lambda s: s.ack == seq_add(b, 500), 1.0, "ACK of segment 1")
    conn.send_range(resp, 1000, 1500)
    t0 = time.monotonic()
    d1 = conn.expect(lambda s: "A" in s.flags, 1.0, "dup ACK for segment 3")
    check(d1.t - t0 < 0.1, "dup ACK after %.3f s" % (d1.t - t0))
    check(d1.ack == seq_add(b, 500), "dup ACK %d, want %d" %
          (d1.ack, seq_add(b, 500)))
    check(d1.sack == [(seq_add(b, 1000), seq_add(b, 1500))],
          "SACK %s" % d1.sack)
    conn.send_range(resp, 1500, 2000)
    d2 = conn.expect(lambda s: "A" in s.flags, 1.0, "dup ACK for segment 4")
    check(d2.ack == seq_add(b, 500), "dup ACK %d" % d2.ack)
    check(d2.sack and d2.sack[0] == (seq_add(b, 1000), seq_add(b, 2000)),
          "SACK %s, want first block (%d, %d)" %
          (d2.sack, seq_add(b, 1000), seq_add(b, 2000)))
    conn.send_range(resp, 500, 1000)
    t1 = time.monotonic()
    full = conn.expect(lambda s: "A" in s.flags, 1.0, "cumulative ACK")
    check(full.ack == seq_add(b, 2000), "ACK %d, want %d" %
          (full.ack, seq_add(b, 2000)))
    check(full.t - t1 < 0.1, "cumulative ACK after %.3f s" % (full.t - t1))
    check(not full.sack, "SACK blocks with no hole: %s" % full.sack)
    conn.send_stream(resp, 2000)
    conn.close_after_response()
    t.expect_ok(body)
    check(n > 2000, "response too short")


@test
def request_lost_rto_backoff(t):
    """RFC 6298 (5.4)-(5.6): an unacknowledged request is retransmitted
    when the RTO (here rto_min = 200 ms) expires, then with the timer
    doubled each time; the same bytes at the same sequence number."""
    conn = t.connect(tcp=FAST)
    conn.handshake()
    sends = []
    for i in range(4):
        sends.append(conn.expect(lambda s: s.payload, 3.0,
                                 "request transmission %d" % (i + 1)))
    check(all(s.seq == sends[0].seq and s.payload == sends[0].payload
              for s in sends), "retransmissions differ: %s" % sends)
    gaps = [b.t - a.t for a, b in zip(sends, sends[1:])]
    check(0.18 <= gaps[0] <= 0.4, "first retransmission after %.3f s, "
          "want ~0.2 s" % gaps[0])
    for a, b in zip(gaps, gaps[1:]):
        check(1.6 <= b / a <= 2.5, "RTO not doubled: gaps %s" %
              ["%.3f" % g for g in gaps])
    conn.cursor = t.peer.segs.index(sends[0])
    conn.read_request()
    serve_and_finish(t, conn, make_body(500))
    check(t.dpf.tcp("RtoTimeouts") >= 3, "RtoTimeouts %d" %
          t.dpf.tcp("RtoTimeouts"))
    check(t.dpf.tcp("RetransSegs") >= 3, "RetransSegs %d" %
          t.dpf.tcp("RetransSegs"))


def rto_after_rtt(t, tcp):
    rtt = 0.3
    conn = t.connect(tcp=dict(FAST, rto_min_ms=100, **tcp))
    conn.handshake(delay=rtt)
    first = conn.expect(lambda s: s.payload, 1.0, "the request")
    again = conn.expect(lambda s: s.payload, 3.0, "its retransmission")
    measured = first.t - conn.syn.t            # our view of the RTT
    rto = again.t - first.t
    check(rto >= 2.8 * measured - 0.05,
          "retransmitted %.3f s after sending, but RTT %.3f s gives RTO = "
          "SRTT + 4 * RTTVAR = %.3f s" % (rto, measured, 3 * measured))
    check(rto <= 3 * measured + 0.35, "RTO %.3f s, want ~%.3f s" %
          (rto, 3 * measured))
    conn.cursor = t.peer.segs.index(first)
    conn.read_request()
    serve_and_finish(t, conn, make_body(500))


@test
def rto_from_measured_rtt(t):
    """RFC 6298 (2.2): after a handshake taking ~300 ms, SRTT = R and
    RTTVAR = R/2, so the first RTO is R + 4 * R/2 = 3R (~0.9 s), not the
    200 ms floor and not the 1 s initial value (timestamps on: RTT from
    TSecr, RFC 7323 4)."""
    rto_after_rtt(t, {})


@test
def rto_from_measured_rtt_no_timestamps(t):
    """RFC 6298 (2.2), as above with timestamps off: the RTT is timed from
    the SYN to the SYN-ACK."""
    rto_after_rtt(t, {"timestamps": "off"})


# ===========================================================================
# Closing
# ===========================================================================

@test
def close_peer_fin_first(t):
    """RFC 9293 3.6 (case 1, passive side): a close-delimited body ends
    with the server's FIN; dpfetch ACKs it (ack = FIN + 1), sends its own
    FIN (CLOSE-WAIT -> LAST-ACK), and on our ACK exits 0."""
    conn = t.established(tcp=FAST)
    body = make_body(3000, seed=11)
    resp = http_response(body, close_delimited=True)
    conn.send_stream(resp)
    conn.send("FA")
    ack = conn.expect(lambda s: s.ack == conn.snd_nxt, 1.0, "ACK of our FIN")
    fin = ack if "F" in ack.flags else conn.expect(
        lambda s: "F" in s.flags, 1.0, "dpfetch's FIN")
    check(fin.ack == conn.snd_nxt, "FIN acks %d, want %d" %
          (fin.ack, conn.snd_nxt))
    check(fin.seq == conn.rcv_nxt, "FIN at %d, want %d" %
          (fin.seq, conn.rcv_nxt))
    conn.send("A", ack=seq_add(fin.seq, 1))
    t.expect_ok(body)


@test
def close_our_fin_first(t):
    """RFC 9293 3.6 (case 1, active side): after a Content-Length response
    dpfetch sends FIN; our ACK alone moves it to FIN-WAIT-2 (nothing
    more is sent); our FIN then gets its ACK and dpfetch exits 0."""
    conn = t.established(tcp=FAST)
    body = make_body(1000, seed=12)
    conn.send_stream(http_response(body))
    fin = conn.expect(lambda s: "F" in s.flags, 2.0, "FIN")
    check(fin.ack == conn.snd_nxt, "FIN acks %d, want %d" %
          (fin.ack, conn.snd_nxt))
    check(fin.seq == conn.rcv_nxt, "FIN at %d, want %d" %
          (fin.seq, conn.rcv_nxt))
    conn.rcv_nxt = seq_add(fin.seq, 1)
    conn.send("A")
    no_reply(conn, 0.3, "the ACK of its FIN (FIN-WAIT-2)")
    conn.send("FA")
    last = conn.expect(lambda s: True, 1.0, "ACK of our FIN")
    check(last.flags == "A" and last.ack == conn.snd_nxt and
          last.seq == conn.rcv_nxt, "last segment %r, want ACK seq=%d "
          "ack=%d" % (last, conn.rcv_nxt, conn.snd_nxt))
    t.expect_ok(body)


@test
def fin_with_last_data(t):
    """RFC 9293 3.10.7.4 (eighth check): a FIN on the segment with the last
    bytes of a close-delimited body; one ACK covers data and FIN."""
    conn = t.established(tcp=FAST)
    body = make_body(2500, seed=13)
    resp = http_response(body, close_delimited=True)
    conn.send_stream(resp, last_flags="FPA")
    a = conn.expect(lambda s: s.ack == conn.snd_nxt, 1.0,
                    "ACK of data + FIN")
    check(seq_diff(conn.snd_nxt, conn.base) == len(resp) + 1,
          "test bookkeeping")
    fin = a if "F" in a.flags else conn.expect(lambda s: "F" in s.flags,
                                               1.0, "dpfetch's FIN")
    conn.send("A", ack=seq_add(fin.seq, 1))
    t.expect_ok(body)


@test
def rst_in_window_challenge_ack(t):
    """RFC 5961 3.2, RFC 9293 3.10.7.4: a RST inside the window but not
    at RCV.NXT gets a challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT> and the
    connection survives."""
    conn = t.established(tcp=FAST)
    conn.send("R", seq=seq_add(conn.snd_nxt, 100), ts=False)
    c = conn.expect(lambda s: True, 1.0, "challenge ACK")
    check(c.flags == "A", "answer %r, want a bare ACK" % c)
    check(c.seq == conn.rcv_nxt and c.ack == conn.snd_nxt,
          "challenge ACK seq=%d ack=%d, want seq=%d ack=%d" %
          (c.seq, c.ack, conn.rcv_nxt, conn.snd_nxt))
    serve_and_finish(t, conn, make_body(700))
    check(t.dpf.tcp("ChallengeAcks") == 1, "ChallengeAcks %d" %
          t.dpf.tcp("ChallengeAcks"))


@test
def rst_out_of_window_ignored(t):
    """RFC 5961 3.2 / RFC 9293 3.10.7.4: a RST whose sequence number is
    outside the window is silently dropped (no ACK, no reset)."""
    conn = t.established(tcp=FAST)
    conn.send("R", seq=seq_add(conn.snd_nxt, -5000), ts=False)
    conn.send("R", seq=seq_add(conn.snd_nxt, 3 << 20), ts=False)
    no_reply(conn, 0.3, "an out-of-window RST")
    serve_and_finish(t, conn, make_body(700))
    check(t.dpf.tcp("EstabResets") == 0, "EstabResets %d" %
          t.dpf.tcp("EstabResets"))


@test
def rst_exact_resets(t):
    """RFC 5961 3.2, RFC 9293 3.10.7.4: a RST at exactly RCV.NXT aborts
    the connection: exit 1 "connection reset", no reply to the RST."""
    conn = t.established(tcp=FAST)
    conn.send("R", seq=conn.snd_nxt, ts=False)
    t.expect_exit(1, "connection reset")
    check(t.dpf.tcp("EstabResets") == 1, "EstabResets %d" %
          t.dpf.tcp("EstabResets"))
    after = conn.pending()
    check(not after, "dpfetch answered the RST: %s" % after)


@test
def time_wait_acks_retransmitted_fin(t):
    """RFC 9293 3.10.7.4 (TIME-WAIT), 3.6: after its last ACK dpfetch is
    in TIME-WAIT (time_wait_ms = 3000); our retransmitted FIN must be
    ACKed again (ack = FIN + 1) and the wait restarted."""
    conn = t.established(tcp=dict(FAST, time_wait_ms=3000))
    body = make_body(800, seed=14)
    last = conn.serve(body)
    fin_seq = seq_add(conn.snd_nxt, -1)
    time.sleep(0.15)
    rc = t.dpf.proc.poll()
    check(rc is None, "dpfetch exited (status %d) within 0.15 s of its last "
          "ACK: it keeps no TIME-WAIT (time_wait_ms=3000), so a "
          "retransmitted FIN goes unanswered" % (rc if rc is not None
                                                 else -1))
    conn.send("FA", seq=fin_seq)
    again = conn.expect(lambda s: True, 1.0, "ACK of the retransmitted FIN")
    check(again.flags == "A" and again.ack == conn.snd_nxt and
          again.seq == last.seq, "answer %r, want ACK seq=%d ack=%d" %
          (again, last.seq, conn.snd_nxt))
    t.expect_ok(body)


@test
def simultaneous_close(t):
    """RFC 9293 3.6 (figure 13): our FIN crosses dpfetch's: FIN-WAIT-1 ->
    CLOSING, our FIN is ACKed (ack = FIN + 1); our ACK of its FIN then
    ends the connection (TIME-WAIT), exit 0."""
    conn = t.established(tcp=FAST)
    body = make_body(700, seed=23)
    conn.send_stream(http_response(body))
    fin = conn.expect(lambda s: "F" in s.flags, 2.0, "FIN")
    conn.send("FA", ack=fin.seq)               # does not ack its FIN
    a = conn.expect(lambda s: True, 1.0, "ACK of our FIN")
    check(a.flags == "A" and a.ack == conn.snd_nxt and
          a.seq == seq_add(fin.seq, 1), "answer %r, want ACK seq=%d ack=%d"
          % (a, seq_add(fin.seq, 1), conn.snd_nxt))
    conn.send("A", ack=seq_add(fin.seq, 1))
    t.expect_ok(body)


@test
def fin_retransmission_both_ways(t):
    """RFC 9293 3.10.7.4, RFC 6298: in LAST-ACK a retransmitted FIN from
    the peer is ACKed again; dpfetch's own unacknowledged FIN is
    retransmitted after the RTO (same sequence number); our ACK ends it."""
    conn = t.established(tcp=FAST)
    body = make_body(900, seed=24)
    conn.send_stream(http_response(body, close_delimited=True))
    conn.send("FA")
    fin = conn.expect(lambda s: "F" in s.flags, 1.0, "dpfetch's FIN")
    conn.send("FA", seq=seq_add(conn.snd_nxt, -1))
    again = conn.expect(lambda s: True, 1.0, "ACK of the repeated FIN")
    check("A" in again.flags and again.ack == conn.snd_nxt,
          "answer %r, want ack=%d" % (again, conn.snd_nxt))
    if "F" not in again.flags:
        again = conn.expect(lambda s: "F" in s.flags, 1.0,
                            "retransmitted FIN")
    check(again.seq == fin.seq and again.t - fin.t >= 0.15,
          "FIN retransmitted at %d after %.3f s (first at %d)" %
          (again.seq, again.t - fin.t, fin.seq))
    conn.send("A", ack=seq_add(fin.seq, 1))
    t.expect_ok(body)


# ===========================================================================
# Bad input
# ===========================================================================

@test
def bad_tcp_checksum(t):
    """RFC 9293 3.10.7 / RFC 1122 4.2.2.7: a segment with a bad checksum
    is dropped silently and counted (InCsumErrors, InErrs)."""
    conn = t.established(tcp=FAST)

    def bad():
        pkt = conn.build("PA", POISON, seq=conn.base)
        pkt[TCP].chksum = IP(bytes(pkt))[TCP].chksum ^ 0x5a5a
        conn.peer.send_ip(pkt)
    bad_input_then_finish(t, conn, bad, {("tcp", "InCsumErrors"): 1,
                                         ("tcp", "InErrs"): 1})


def send_raw_tcp(conn, dataofs, raw_after_header, flags="PA", seq=None,
                 ip_len=None):
    """A TCP header with an explicit data offset followed by raw bytes
    (options and payload as the receiver will read them)."""
    pkt = conn.build(flags, seq=conn.base if seq is None else seq, ts=False)
    pkt[TCP].dataofs = dataofs
    pkt = pkt / Raw(raw_after_header)
    if ip_len is not None:
        pkt[IP].len = ip_len
    conn.peer.send_ip(pkt)


@test
def bad_data_offset_below_5(t):
    """RFC 9293 3.1: the data offset is at least 5; a segment claiming 4
    is malformed: dropped, counted (BadHeader)."""
    conn = t.established(tcp=FAST)
    bad_input_then_finish(
        t, conn, lambda: send_raw_tcp(conn, 4, POISON),
        {("tcp", "BadHeader"): 1, ("tcp", "InErrs"): 1})


@test
def bad_data_offset_beyond_packet(t):
    """RFC 9293 3.1: a data offset of 60 bytes on a 30-byte segment is
    malformed: dropped, counted."""
    conn = t.established(tcp=FAST)
    bad_input_then_finish(
        t, conn, lambda: send_raw_tcp(conn, 15, POISON[:10]),
        {("tcp", "BadHeader"): 1})


@test
def bad_option_length(t):
    """RFC 9293 3.1, 3.2: options whose length byte runs past the header
    (a TSopt of length 10 in 4 bytes, an MSS of length 40, a kind with no
    length byte, a length of 1) are malformed: each segment dropped and
    counted."""
    conn = t.established(tcp=FAST)
    data = POISON

    def bad():
        send_raw_tcp(conn, 6, b"\x08\x0a\x00\x00" + data)
        send_raw_tcp(conn, 6, b"\x01\x01\x02\x28" + data)
        send_raw_tcp(conn, 6, b"\x01\x01\x01\x08" + data)
        send_raw_tcp(conn, 6, b"\x01\x01\xfd\x01" + data)
    bad_input_then_finish(t, conn, bad, {("tcp", "BadHeader"): 4})


@test
def truncated_ip_header(t):
    """RFC 791, RFC 1122 3.2.1: a frame holding only 12 bytes of IPv4
    header is dropped and counted (ip.rx_too_short)."""
    conn = t.established(tcp=FAST)

    def bad():
        ip = bytes(conn.build("PA", POISON, seq=conn.base))
        conn.peer.send_frame(bytes(conn.peer.eth()) + ip[:12])
    bad_input_then_finish(t, conn, bad, {("ip", "rx_too_short"): 1})


@test
def ip_header_length_beyond_packet(t):
    """RFC 791: an IHL of 15 (60 bytes) on a 40-byte datagram is
    malformed: dropped, counted (ip.rx_bad_hlen)."""
    conn = t.established(tcp=FAST)

    def bad():
        pkt = conn.build("A", seq=conn.base, ts=False)
        pkt[IP].ihl = 15
        raw = bytearray(bytes(pkt))
        conn.peer.send_frame(bytes(conn.peer.eth()) + bytes(raw[:40]))
    bad_input_then_finish(t, conn, bad, {("ip", "rx_bad_hlen"): 1})


@test
def ip_total_length_beyond_frame(t):
    """RFC 791, RFC 1122 3.2.1.1: a total length larger than what arrived
    is malformed: dropped, counted (ip.rx_bad_len)."""
    conn = t.established(tcp=FAST)

    def bad():
        pkt = conn.build("PA", POISON, seq=conn.base)
        pkt[IP].len = len(pkt) + 200
        conn.peer.send_ip(pkt)
    bad_input_then_finish(t, conn, bad, {("ip", "rx_bad_len"): 1})


@test
def truncated_tcp_header(t):
    """RFC 9293 3.1: an IP total length that leaves 12 bytes of TCP
    header is a truncated segment: dropped, counted (BadHeader)."""
    conn = t.established(tcp=FAST)

    def bad():
        pkt = conn.build("PA", POISON, seq=conn.base,
                         ts=False)
        pkt[IP].len = 20 + 12
        conn.peer.send_ip(pkt)
    bad_input_then_finish(t, conn, bad, {("tcp", "BadHeader"): 1})


@test
def bad_ip_checksum(t):
    """RFC 1122 3.2.1.2: a datagram with a bad header checksum is
    silently discarded and counted (ip.rx_bad_csum)."""
    conn = t.established(tcp=FAST)

    def bad():
        pkt = conn.build("PA", POISON, seq=conn.base)
        good = IP(bytes(pkt)).chksum
        pkt[IP].chksum = good ^ 0x0101
        conn.peer.send_ip(pkt)
    bad_input_then_finish(t, conn, bad, {("ip", "rx_bad_csum"): 1})


@test
def syn_fin_dropped(t):
    """SYN+FIN is never valid (RFC 9293 3.10.7.4 treats SYN in a
    synchronized state; SYN+FIN is a scan): dropped without any reply,
    counted (BadHeader)."""
    conn = t.established(tcp=FAST)
    bad_input_then_finish(
        t, conn, lambda: conn.send("SF", seq=conn.snd_nxt, ts=False),
        {("tcp", "BadHeader"): 1})


@test
def syn_rst_dropped(t):
    """SYN+RST is never valid: dropped without a reply, counted, and it
    does not reset the connection."""
    conn = t.established(tcp=FAST)
    bad_input_then_finish(
        t, conn, lambda: conn.send("SR", seq=conn.snd_nxt, ts=False),
        {("tcp", "BadHeader"): 1})


@test
def syn_in_established_challenge_ack(t):
    """RFC 5961 4.2, RFC 9293 3.10.7.4 (fourth check): a SYN on an
    established connection gets a challenge ACK, not a RST, and the
    connection goes on."""
    conn = t.established(tcp=FAST)
    conn.send("S", seq=seq_add(conn.snd_nxt, 10), ts=False)
    c = conn.expect(lambda s: True, 1.0, "challenge ACK")
    check(c.flags == "A" and c.seq == conn.rcv_nxt and
          c.ack == conn.snd_nxt, "answer %r, want ACK seq=%d ack=%d" %
          (c, conn.rcv_nxt, conn.snd_nxt))
    serve_and_finish(t, conn, make_body(700))
    check(t.dpf.tcp("ChallengeAcks") == 1, "ChallengeAcks %d" %
          t.dpf.tcp("ChallengeAcks"))


@test
def unknown_options_skipped(t):
    """RFC 9293 3.2, RFC 1122 4.2.2.5: unknown options are skipped by
    their length; the segment is accepted (data delivered, ACKed)."""
    conn = t.established(tcp=FAST)
    body = make_body(1500, seed=15)
    resp = http_response(body)
    odd = [(253, b"\x12\x34"), ("NOP", None), (99, b"abcd"),
           ("NOP", None), ("NOP", None), (34, b"")]
    conn.send("PA", resp[:700], seq=conn.base, options=odd)
    conn.snd_nxt = seq_add(conn.base, 700)
    conn.expect(lambda s: s.ack == conn.snd_nxt, 1.0,
                "ACK of the segment with unknown options")
    conn.send_stream(resp, 700)
    conn.close_after_response()
    t.expect_ok(body)
    check(t.dpf.tcp("BadHeader") == 0, "BadHeader %d" %
          t.dpf.tcp("BadHeader"))


@test
def urgent_data_inline(t):
    """RFC 6093, RFC 9293 3.8.5: urgent data (URG, pointer) is delivered in
    line with the rest of the stream, nothing lost or reordered."""
    conn = t.established(tcp=FAST)
    body = make_body(1500, seed=16)
    resp = http_response(body)
    conn.send_range(resp, 0, 600, "PA")
    conn.send_range(resp, 600, 1000, "UPA", urgptr=50)
    conn.send_stream(resp, 1000)
    conn.close_after_response()
    t.expect_ok(body)


@test
def paws_old_timestamp_dropped(t):
    """RFC 7323 5.3: a segment whose TSval is older than TS.Recent is
    dropped and ACKed (PawsDrops); the stream is unaffected."""
    conn = t.established(tcp=dict(FAST, delack_ms=200))
    body = make_body(2000, seed=17)
    resp = http_response(body)
    conn.send_range(resp, 0, 800)
    conn.expect(lambda s: s.ack == seq_add(conn.base, 800), 1.0, "ACK")
    old = (conn.ts_now() - 100000) & 0xffffffff
    conn.send_range(resp, 800, 1600,
                    options=[("NOP", None), ("NOP", None),
                             ("Timestamp", (old, conn.latest_tsval()))])
    a = conn.expect(lambda s: "A" in s.flags, 1.0, "ACK of the old segment")
    check(a.ack == seq_add(conn.base, 800), "ACK %d: the PAWS-failing "
          "segment was accepted" % a.ack)
    conn.send_stream(resp, 800)
    conn.close_after_response()
    t.expect_ok(body)
    check(t.dpf.tcp("PawsDrops") == 1, "PawsDrops %d" %
          t.dpf.tcp("PawsDrops"))


@test
def ack_of_unsent_data(t):
    """RFC 9293 3.10.7.4 (fifth check): a segment acknowledging something
    not yet sent (SEG.ACK > SND.NXT) is answered with an ACK and dropped:
    its data is not taken."""
    conn = t.established(tcp=FAST)
    body = make_body(1000, seed=18)
    resp = http_response(body)
    conn.send_range(resp, 0, 500, ack=seq_add(conn.rcv_nxt, 5000))
    a = conn.expect(lambda s: "A" in s.flags, 1.0, "ACK")
    check(a.ack == conn.base, "ACK %d: data of a segment acking unsent "
          "data was taken (want %d)" % (a.ack, conn.base))
    conn.send_stream(resp)
    conn.close_after_response()
    t.expect_ok(body)


@test
def unknown_connection_gets_rst(t):
    """RFC 9293 3.10.7.1: a segment for no connection gets a RST: with
    ACK, <SEQ=SEG.ACK><CTL=RST>; without, <SEQ=0><ACK=SEG.SEQ+SEG.LEN>
    <CTL=RST,ACK>; a RST for no connection gets nothing.  The real
    connection is not disturbed."""
    conn = t.established(tcp=FAST)
    other = conn.port + 1 if conn.port < 60999 else conn.port - 1
    peer = conn.peer

    def stray(flags, seq, ack, payload=b""):
        pkt = IP(src=SERVER_IP, dst=CLIENT_IP) / TCP(
            sport=80, dport=other, flags=flags, seq=seq, ack=ack,
            window=1000)
        if payload:
            pkt = pkt / Raw(payload)
        peer.send_ip(pkt)

    def rst_for(what):
        i, s = peer.wait_for(lambda s: s.sport == other, 1.0, start)
        check(s is not None, "no RST for %s" % what)
        return s

    start = len(peer.segs)
    stray("A", 1000, 777777)
    r1 = rst_for("an ACK")
    check(r1.flags == "R" and r1.seq == 777777,
          "answer %r, want RST seq=777777" % r1)
    start = len(peer.segs)
    stray("S", 5000, 0)
    r2 = rst_for("a SYN")
    check(r2.flags == "RA" and r2.seq == 0 and r2.ack == 5001,
          "answer %r, want RST+ACK seq=0 ack=5001" % r2)
    start = len(peer.segs)
    stray("PA", 9000, 4242, b"hello")
    r3 = rst_for("data")
    check(r3.flags == "R" and r3.seq == 4242, "answer %r" % r3)
    start = len(peer.segs)
    stray("R", 100, 0)
    time.sleep(0.2)
    check(not peer.since(start, lambda s: s.sport == other),
          "a RST for no connection was answered")
    serve_and_finish(t, conn, make_body(300))
    check(t.dpf.tcp("NoConnection") >= 4, "NoConnection %d" %
          t.dpf.tcp("NoConnection"))
    check(t.dpf.tcp("OutRsts") == 3, "OutRsts %d" % t.dpf.tcp("OutRsts"))


@test
def ip_fragments_dropped(t):
    """docs/design.md (no reassembly; RFC 791 lets a host refuse): IPv4
    fragments are dropped and counted (ip.rx_fragments), nothing is ACKed,
    and the fetch then completes normally.  Runs over AF_XDP: the
    net_af_packet PMD's socket has the kernel defragment (fanout
    PACKET_FANOUT_FLAG_DEFRAG), so fragments never reach dpfetch there."""
    conn = t.established(tcp=FAST, pmd="af_xdp")
    body = make_body(1000, seed=19)

    def bad():
        pkt = conn.build("PA", POISON + b"x" * 900, seq=conn.base)
        pkt[IP].flags = 0
        frags = fragment(pkt, fragsize=400)
        check(len(frags) >= 2, "scapy made %d fragments" % len(frags))
        for f in frags:
            conn.peer.send_ip(f)
        bad.n = len(frags)
    bad_input_then_finish(t, conn, bad, {("ip", "rx_fragments"): 2},
                          body=body)
    check(t.dpf.stats["ip"]["rx_fragments"] == bad.n,
          "rx_fragments %d, sent %d" % (t.dpf.stats["ip"]["rx_fragments"],
                                        bad.n))


# ===========================================================================
# Runner
# ===========================================================================

class ClashMonitor:
    """Watches for dpfetch processes that are not ours on dpf0: they see
    our segments too (and answer them with RSTs) and share the CPU, so a
    test that fails while one ran is retried once the port is free."""

    def __init__(self):
        self.seen = False
        self.stop = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    @staticmethod
    def foreign():
        ours = {d.proc.pid for d in list(live_runs()) if d.proc}
        found = []
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) in ours:
                continue
            try:
                with open("/proc/%s/cmdline" % name, "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if (argv and os.path.basename(argv[0]) == b"dpfetch" and
                    any(a.endswith(b"iface=" + DPF_IFACE.encode())
                        for a in argv)):
                found.append(int(name))
        return found

    def _loop(self):
        while not self.stop:
            if self.foreign():
                self.seen = True
            time.sleep(0.1)

    def wait_free(self, limit=300):
        """Wait (up to limit s) until no foreign dpfetch runs; then reset."""
        deadline = time.monotonic() + limit
        noted = False
        while self.foreign() and time.monotonic() < deadline:
            if not noted:
                print("(waiting: another dpfetch is using %s)" % DPF_IFACE,
                      file=sys.stderr, flush=True)
                noted = True
            time.sleep(0.5)
        self.seen = False


def testbed_ready():
    return (os.path.exists("/var/run/netns/" + NS) and
            os.path.exists("/sys/class/net/dpf0"))


def run_one(fn, build, verbose=False, trace_all=False):
    case = Case(build)
    t0 = time.monotonic()
    err = None
    try:
        fn(case)
    except Failure as e:
        err = str(e)
    except Exception:
        err = "exception:\n" + traceback.format_exc()
    finally:
        trace = case.peer.trace() if case.peer else ""
        report = case.cleanup()
    if verbose and err is not None:
        err += "\n" + trace
    if trace_all:
        print("TRACE %s\n%s" % (fn.__name__, trace))
    if report and err is None:
        err = "sanitizer report:\n" + report
    elif report:
        err += "\nsanitizer report:\n" + report
    return err, time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"),
                    help="build directory holding app/dpfetch")
    ap.add_argument("-k", dest="pattern", default=None,
                    help="run only tests whose name contains this")
    ap.add_argument("--list", action="store_true", help="list the tests")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="show the packet exchange of failed tests")
    ap.add_argument("--trace", action="store_true",
                    help="show the packet exchange of every test")
    args = ap.parse_args()

    tests = [f for f in TESTS if args.pattern is None or
             args.pattern in f.__name__]
    if args.list:
        for f in tests:
            print(f.__name__)
        return 0
    if os.geteuid() != 0:
        print("must run as root", file=sys.stderr)
        return 2
    if not testbed_ready():
        print("the testbed is not up: scripts/testbed.sh up",
              file=sys.stderr)
        return 2
    binary = os.path.join(args.build, "app", "dpfetch")
    if not os.access(binary, os.X_OK):
        print("no dpfetch at %s" % binary, file=sys.stderr)
        return 2

    def on_signal(sig, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)

    passed = failed = 0
    start = time.monotonic()
    monitor = ClashMonitor()
    try:
        for fn in tests:
            for attempt in range(4):
                monitor.wait_free()
                err, dt = run_one(fn, args.build, args.verbose, args.trace)
                if err is None or not monitor.seen or attempt == 3:
                    break
                print("RETRY %s: another dpfetch ran on %s meanwhile (%s)" %
                      (fn.__name__, DPF_IFACE, err.split("\n")[0][:200]),
                      file=sys.stderr, flush=True)
            if err is None:
                passed += 1
                print("PASS %s (%.1f s)" % (fn.__name__, dt), flush=True)
            else:
                failed += 1
                print("FAIL %s: %s" % (fn.__name__, err), flush=True)
    finally:
        monitor.stop = True
        kill_all_live()
    print("%d passed, %d failed" % (passed, failed))
    print("total %.1f s" % (time.monotonic() - start), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
