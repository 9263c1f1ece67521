"""Loss: the receiver's SACK and duplicate ACKs, the sender's
retransmission timer (RFC 6298) and fast retransmit."""

import time

from common import FAST, pad_header, serve_and_finish, test
from peer import check, http_response, make_body, seq_add, seq_diff


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
    doubled each time; the same bytes at the same sequence number.  (SACK
    off: with SACK the first expiry is a tail loss probe, RFC 8985.)"""
    conn = t.connect(tcp=dict(FAST, sack="off"))
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


def fast_retransmit_test(t, sack):
    conn = t.connect(tcp=dict(FAST, rto_min_ms=1500,
                              sack="on" if sack else "off"),
                     extra=pad_header(3000))
    conn.handshake(mss=536, wscale=None)       # windows compare equal
    una = conn.rcv_nxt
    cursor = conn.cursor
    time.sleep(0.1)
    data = [s for s in conn.pending() if s.payload]
    check(len(data) >= 5, "only %d request segments in flight" % len(data))
    size = len(data[0].payload)
    conn.cursor = len(t.peer.segs)
    for i in range(1, 4):
        opts = []
        if sack:
            opts = [("NOP", None), ("NOP", None),
                    ("SAck", (seq_add(una, size), seq_add(una,
                                                          size * (i + 1))))]
        conn.send("A", ack=una, options=opts)
        if i < 3:
            early = [s for s in conn.quiet(0.05)
                     if s.payload and s.seq == una]
            check(not early, "first segment resent after %d duplicate "
                  "ACK(s): %s" % (i, early))
    t0 = time.monotonic()
    rx = conn.expect(lambda s: s.payload and s.seq == una, 0.5,
                     "fast retransmission of the first segment")
    check(rx.t - t0 < 0.1, "retransmitted %.3f s after the third "
          "duplicate ACK (the RTO is 1.5 s)" % (rx.t - t0))
    check(rx.payload == data[0].payload, "retransmission differs")
    conn.cursor = cursor
    conn.read_request()
    serve_and_finish(t, conn, make_body(300))
    check(t.dpf.tcp("FastRetrans") >= 1, "FastRetrans %d" %
          t.dpf.tcp("FastRetrans"))


@test
def request_fast_retransmit_dupacks(t):
    """RFC 5681 3.2: three duplicate ACKs for the request's first segment
    bring its retransmission at once, long before the RTO (1.5 s), and not
    after one or two (SACK off)."""
    fast_retransmit_test(t, sack=False)


@test
def request_fast_retransmit_sack(t):
    """RFC 6675 5 (IsLost, DupThresh 3), RFC 2018: duplicate ACKs whose
    SACK blocks cover the segments after the first bring the first one
    again after the third (more than 2 * SMSS SACKed above it)."""
    fast_retransmit_test(t, sack=True)


@test
def retransmit_after_partial_ack(t):
    """RFC 9293 3.10.7.4, RFC 6298 (5.4): after an ACK that ends inside a
    segment, the retransmission starts exactly at SND.UNA and carries the
    right bytes of the request (the send buffer is trimmed by bytes, not
    by segments)."""
    conn = t.connect(tcp=dict(FAST, sack="off"), extra=pad_header(3000))
    conn.handshake(wscale=None)
    una = conn.rcv_nxt
    cursor = conn.cursor
    time.sleep(0.08)
    sent = {}
    for s in conn.pending():
        if s.payload:
            sent[seq_diff(s.seq, una)] = s.payload
    stream = b""
    while len(stream) in sent:
        stream += sent[len(stream)]
    check(b"\r\n\r\n" in stream, "request not all sent: %d bytes" %
          len(stream))
    conn.cursor = len(t.peer.segs)
    part = seq_add(una, 100)
    conn.send("A", ack=part)
    rx = conn.expect(lambda s: s.payload, 1.0, "retransmission")
    check(rx.seq == part, "retransmission at +%d, want +100 (SND.UNA)" %
          seq_diff(rx.seq, una))
    check(rx.payload == stream[100:100 + len(rx.payload)],
          "retransmitted bytes differ from the original at offset 100")
    conn.cursor = cursor
    conn.read_request()
    check(conn.request == stream, "request reassembled differently")
    serve_and_finish(t, conn, make_body(300))


def rto_after_rtt(t, tcp):
    rtt = 0.3
    conn = t.connect(tcp=dict(FAST, rto_min_ms=100, sack="off", **tcp))
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
    100 ms floor and not the 1 s initial value (timestamps on: RTT from
    TSecr, RFC 7323 4; SACK off, so no tail loss probe comes first)."""
    rto_after_rtt(t, {})


@test
def rto_from_measured_rtt_no_timestamps(t):
    """RFC 6298 (2.2), as above with timestamps off: the RTT is timed from
    the SYN to the SYN-ACK."""
    rto_after_rtt(t, {"timestamps": "off"})
