"""Closing and resets: FIN in either order, simultaneous close, TIME-WAIT,
RSTs in and out of window."""

import time

from common import FAST, both_families, no_reply, serve_and_finish, test
from peer import check, http_response, make_body, seq_add, seq_diff


@both_families
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


@both_families
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
def fin_out_of_order(t):
    """RFC 9293 3.10.7.4 (eighth check): a FIN is processed only in
    sequence: sent (with the last data) before a hole, it is not
    acknowledged until the hole is filled (at most ack = FIN + 1 then);
    if it was not kept, its retransmission completes the close."""
    conn = t.established(tcp=FAST)
    body = make_body(2000, seed=26)
    resp = http_response(body, close_delimited=True)
    n = len(resp)
    end = seq_add(conn.base, n)
    conn.send_range(resp, 1000, n, "FPA")
    d = conn.expect(lambda s: "A" in s.flags, 1.0, "dup ACK")
    check(d.ack == conn.base, "ACK %d past the hole at %d" %
          (d.ack, conn.base))
    conn.send_range(resp, 0, 1000)
    a = conn.expect(lambda s: seq_diff(s.ack, end) >= 0, 1.0,
                    "ACK of the filled hole")
    check(a.ack in (end, seq_add(end, 1)), "ACK %d, want %d or %d" %
          (a.ack, end, seq_add(end, 1)))
    if a.ack == end:                   # the FIN was not kept: send again
        conn.send("FA", seq=end)
    fin = a if "F" in a.flags else conn.expect(
        lambda s: "F" in s.flags, 1.0, "dpfetch's FIN")
    check(fin.ack == seq_add(end, 1), "FIN acks %d, want %d" %
          (fin.ack, seq_add(end, 1)))
    conn.send("A", ack=seq_add(fin.seq, 1))
    t.expect_ok(body)


@test
def data_in_fin_wait(t):
    """RFC 9293 3.10.7.4 (seventh check): after dpfetch's FIN (FIN-WAIT-1
    and -2) the receiving direction stays open: more data is still
    acknowledged; our FIN then closes."""
    conn = t.established(tcp=dict(FAST, delack_ms=40))
    body = make_body(500, seed=27)
    conn.send_stream(http_response(body))
    fin = conn.expect(lambda s: "F" in s.flags, 2.0, "FIN")
    conn.rcv_nxt = seq_add(fin.seq, 1)
    conn.send("PA", b"trailing bytes after the response")   # acks its FIN
    a = conn.expect(lambda s: s.ack == conn.snd_nxt, 1.0,
                    "ACK of data received in FIN-WAIT-2")
    check(a.flags == "A", "answer %r" % a)
    conn.send("FA")
    last = conn.expect(lambda s: s.ack == conn.snd_nxt, 1.0,
                       "ACK of our FIN")
    check(last.flags == "A", "answer %r" % last)
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


@both_families
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


@both_families
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
