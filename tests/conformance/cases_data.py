"""Receiving and sending data: in order, out of order, overlaps,
duplicates, windows (ours and the peer's), MSS, window scaling, delayed
ACKs, timestamps, SACK blocks."""

import time

from scapy.layers.inet import IP, IPOption_Router_Alert

from common import (FAST, POISON, both_families, check_right_edge, no_reply,
                    pad_header, serve_and_finish, test, ts_opt)
from peer import check, http_response, make_body, seq_add, seq_diff


@both_families
def data_in_order(t):
    """RFC 9293 3.10.7.4: in-order segments are delivered and ACKed
    cumulatively; the body arrives intact."""
    conn = t.established(tcp=FAST)
    body = make_body(20000, seed=2)
    conn.serve(body)
    t.expect_ok(body)
    segs = conn.peer.since(0, conn.mine)
    acks = [s.ack for s in segs if "A" in s.flags]
    check(all(seq_diff(b, a) >= 0 for a, b in zip(acks, acks[1:])),
          "ACK numbers went backwards: %s" % acks)
    # RFC 7323 3.2: once agreed, TSopt in every non-RST segment, TSval
    # never going backwards.
    tsvals = [s.tsval for s in segs if "R" not in s.flags]
    check(None not in tsvals, "a segment without TSopt: %s" % segs)
    check(all(seq_diff(b, a) >= 0 for a, b in zip(tsvals, tsvals[1:])),
          "TSval went backwards: %s" % tsvals)
    check_right_edge(conn)


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
    check_right_edge(conn)
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
    """Peer shift `shift` with a zero SYN-ACK window; then a window field
    of 1 must let the whole 3 KB request go at once."""
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
def peer_window_scale_15_means_14(t):
    """RFC 7323 2.3 (shift 15 read as 14), seen through RFC 5961 5.2: a
    window field of 65535 with shift 14 is MAX.SND.WND = 65535 << 14 (just
    under 2^30); a segment whose ACK lies 1.5 GiB below SND.UNA is older
    than that, so it is challenged and its data dropped.  Read as 15
    (2 GiB) the ACK would pass and the poisoned data be taken."""
    conn = t.connect(tcp=FAST)
    conn.handshake(wscale=15)
    conn.read_request()                # its ACK carries window 65535
    old_ack = seq_add(conn.rcv_nxt, -(3 << 29))
    conn.send_range(POISON, 0, len(POISON), ack=old_ack)
    a = conn.expect(lambda s: "A" in s.flags, 1.0, "challenge ACK")
    check(a.ack == conn.base and not a.payload,
          "answer %r: the data of a segment acking 1.5 GiB back was taken "
          "(window shift read above 14?)" % a)
    conn.snd_nxt = conn.base
    serve_and_finish(t, conn, make_body(300))


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
          ([(seq_diff(x, b), seq_diff(y, b)) for x, y in last.sack],
           [(seq_diff(x, b), seq_diff(y, b)) for x, y in want]))
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
