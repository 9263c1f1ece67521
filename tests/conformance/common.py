"""What the conformance test modules share: the registry, timers, and
small helpers on top of peer.py."""

from scapy.layers.inet import IP, TCP
from scapy.packet import Raw

from peer import check, make_body, seq_add, seq_diff

TESTS = []

# Short timers keep every test to a few seconds.
FAST = {"rto_min_ms": 200, "delack_ms": 40}


def test(fn):
    """Register a test; the runner keeps this order."""
    TESTS.append(fn)
    return fn


def both_families(fn):
    """Register fn (over IPv4) and fn_v6, the same case over IPv6: the
    family is a parameter of the case (t.family), not a copy of it."""
    TESTS.append(fn)

    def v6(t):
        t.family = 6
        return fn(t)
    v6.__name__ = fn.__name__ + "_v6"
    v6.__doc__ = (fn.__doc__ or "") + "  (Over IPv6.)"
    TESTS.append(v6)
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
        got = t.dpf.stat(section + "." + name)
        check(got >= want, "%s.%s is %d, wanted >= %d" %
              (section, name, got, want))


def check_right_edge(conn):
    """RFC 9293 3.8.6.2.2, RFC 7323 2.4: the right edge of the window
    dpfetch advertises (ACK + scaled window) never moves back (beyond
    what scaling rounds away)."""
    shift = conn.syn.opts.get("WScale", 0) if conn.wscale_agreed else 0
    edge = None
    for s in conn.peer.since(0, conn.mine):
        if "A" not in s.flags or "S" in s.flags or "R" in s.flags:
            continue
        e = seq_add(s.ack, s.window << shift)
        if edge is not None:
            check(seq_diff(e, edge) > -(1 << shift),
                  "window edge moved back by %d: %r" %
                  (seq_diff(edge, e), s))
        if edge is None or seq_diff(e, edge) > 0:
            edge = e


def ts_opt(val, ecr):
    """A TSopt with exactly these values (NOP NOP TS)."""
    return [("NOP", None), ("NOP", None), ("Timestamp", (val, ecr))]


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
