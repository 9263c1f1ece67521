"""Handshake: SYN options, SYN retransmission, SYN-ACK checks, refusal,
simultaneous open, what the SYN-ACK's options mean for the connection."""

import time

from common import (FAST, both_families, no_reply, pad_header,
                    serve_and_finish, test, ts_opt)
from peer import check, http_response, make_body, seq_add, seq_diff


def check_syn(syn, mss, sack, ts, wscale):
    """The SYN carries exactly the options asked for (wscale None: no
    window scale option), no data, no ACK number."""
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


@both_families
def syn_options_default(t):
    """RFC 9293 3.7.1, RFC 7323 2-3, RFC 2018 2: the SYN offers MSS =
    MTU - 40 = 1460, SACK-permitted, timestamps (TSecr 0) and window
    scale 5 (the smallest shift that advertises rcvbuf = 1 MiB); the SYN
    window is never scaled."""
    conn = t.connect(tcp=FAST)
    # IPv6: MTU - 60 = 1440.
    check_syn(conn.syn, 1500 - 20 - t.ip_hdr_len, True, True, 5)
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


@both_families
def syn_mss_follows_mtu(t):
    """RFC 9293 3.7.1 / RFC 6691: with --mtu 1000 the MSS offered is
    1000 - 40 = 960, and data we send in 960-byte segments is taken."""
    conn = t.connect(tcp=FAST, mtu=1000)
    check_syn(conn.syn, 1000 - 20 - t.ip_hdr_len, True, True, 5)
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
    check(all(s.seq == syns[0].seq and s.sport == syns[0].sport and
              [k for k, _ in s.options] == [k for k, _ in syns[0].options]
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


@both_families
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
def synack_without_mss(t):
    """RFC 9293 3.7.1, RFC 6691: without an MSS option the send MSS is 536;
    with timestamps agreed, 536 - 12 = 524 data bytes per segment."""
    conn = t.connect(tcp=FAST, extra=pad_header(2000))
    conn.handshake(mss=None)
    conn.read_request()
    sizes = [len(s.payload) for s in conn.peer.since(0, conn.mine)
             if s.payload]
    check(max(sizes) == 524, "segments of %s bytes, want at most 524 "
          "(and full ones of 524)" % sizes)
    serve_and_finish(t, conn, make_body(300))


@both_families
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
def rst_in_syn_received_refused(t):
    """RFC 9293 3.10.7.4 (second check, SYN-RECEIVED from an active open):
    an acceptable RST means "connection refused": exit 1."""
    conn = t.connect(tcp=FAST)
    conn.send("S", seq=conn.iss, ts=False, options=[("MSS", 1460)])
    conn.snd_nxt = conn.base
    conn.expect(lambda s: "S" in s.flags, 1.5, "SYN-ACK")
    conn.send("R", seq=conn.base, ts=False)
    t.expect_exit(1, "connection refused")


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


@test
def duplicate_synack_gets_ack(t):
    """RFC 9293 3.10.7.4 (first check), RFC 5961 4.2: a retransmitted
    SYN-ACK arriving on the established connection (our ACK was "lost")
    is answered with an ACK <SEQ=SND.NXT><ACK=RCV.NXT>, never a RST; the
    connection goes on."""
    conn = t.connect(tcp=FAST)
    conn.handshake()
    conn.read_request()
    conn.syn_ack()                     # the same SYN-ACK once more
    a = conn.expect(lambda s: True, 1.0, "ACK of the repeated SYN-ACK")
    check(a.flags == "A" and a.seq == conn.rcv_nxt and
          a.ack == conn.base, "answer %r, want ACK seq=%d ack=%d" %
          (a, conn.rcv_nxt, conn.base))
    serve_and_finish(t, conn, make_body(600))


@test
def timestamps_not_negotiated_ignored(t):
    """RFC 7323 3.2: without TSopt in the SYN-ACK, timestamps are off:
    dpfetch sends none (and keeps the full MSS), and a TSopt arriving
    later is ignored, the segment processed normally (TSval 0 would
    fail PAWS if it were not)."""
    conn = t.connect(tcp=FAST, extra=pad_header(3000))
    conn.handshake(ts=False)
    conn.read_request()
    sizes = [len(s.payload) for s in conn.peer.since(0, conn.mine)
             if s.payload]
    check(max(sizes) == 1460, "segments of %s bytes; without timestamps "
          "the full MSS of 1460 fits" % sizes)
    body = make_body(2000, seed=25)
    resp = http_response(body)
    conn.send_range(resp, 0, 1000, options=ts_opt(0, 0))
    conn.send_range(resp, 1000, len(resp), options=ts_opt(0, 12345))
    conn.close_after_response()
    t.expect_ok(body)
    for s in conn.peer.since(0, conn.mine):
        check("Timestamp" not in s.opts or "S" in s.flags,
              "TSopt without agreement: %r" % s)
