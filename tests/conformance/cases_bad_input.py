"""Malformed and unexpected input: each is dropped (or answered as the RFC
says) and counted, and the fetch then completes normally."""

import time

from scapy.layers.inet import IP, TCP, fragment
from scapy.packet import Raw

from common import (FAST, POISON, bad_input_then_finish, pad_header,
                    send_raw_tcp, serve_and_finish, test)
from peer import (CLIENT_IP, SERVER_IP, check, http_response, make_body,
                  seq_add)


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
def unacceptable_segment_ack_ignored(t):
    """RFC 9293 3.10.7.4 (first check): a segment outside the receive
    window (which is open) is answered with an ACK and dropped: neither
    its ACK nor its window is used.  Here one far beyond the window
    carries window 0; the next genuine ACK (window 65535) must then
    release the rest of the request at once.  (Using the stray segment
    would also set SND.WL1 far ahead and make every later window update
    look old.)"""
    conn = t.connect(tcp=dict(FAST, sack="off"), extra=pad_header(1000))
    conn.handshake(window=300, wscale=None)
    first = conn.expect(lambda s: s.payload, 1.0, "request data")
    check(len(first.payload) <= 300, "%d bytes into a 300-byte window" %
          len(first.payload))
    acked = seq_add(first.seq, len(first.payload))
    conn.send("A", seq=seq_add(conn.snd_nxt, 200000), ack=acked, window=0)
    a = conn.expect(lambda s: True, 1.0, "ACK of the unacceptable segment")
    check(a.flags == "A" and a.ack == conn.snd_nxt and not a.payload,
          "answer %r, want a bare ACK ack=%d" % (a, conn.snd_nxt))
    conn.send("A", ack=acked, window=65535)
    t0 = time.monotonic()
    rest = conn.expect(lambda s: s.payload and s.seq == acked, 1.0,
                       "the rest of the request after the window opened")
    check(rest.t - t0 < 0.15 and len(rest.payload) > 1,
          "after the window opened dpfetch sent %d byte(s) %.3f s later "
          "(the stray segment's window 0 stuck: %r)" %
          (len(rest.payload), rest.t - t0, rest))
    conn.rcv_nxt = acked
    conn.request = first.payload
    conn.cursor = t.peer.segs.index(rest)
    conn.read_request()
    serve_and_finish(t, conn, make_body(300))


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
