"""Per-connection times from a pcap file, for the latency case.

The capture is taken with tcpdump on the peer's veth end (dpf0p, in the
namespace), for dpfetch and for httperf alike, so both are measured the
same way and by a program that is neither of them.  For every client
connection (client address and port) it takes the time from the client's
SYN to the last server segment that carries payload, i.e. connect +
request + the whole response, as seen on the wire.  Connections without a
SYN or without a response in the capture are not counted.

Only classic pcap (tcpdump -w) with Ethernet link type, IPv4, TCP.
"""

import struct


def conn_times_us(path, client_ip, server_port=80):
    """([microseconds from SYN to the last response byte],
    [microseconds from the request's first byte to the last response
    byte]), one entry per connection."""
    cip = bytes(int(x) for x in client_ip.split("."))
    syn = {}
    req = {}
    last = {}
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            return []
        magic = struct.unpack("<I", hdr[:4])[0]
        if magic == 0xa1b2c3d4:
            endian, scale = "<", 1.0
        elif magic == 0xd4c3b2a1:
            endian, scale = ">", 1.0
        elif magic == 0xa1b23c4d:
            endian, scale = "<", 1e-3
        elif magic == 0x4d3cb2a1:
            endian, scale = ">", 1e-3
        else:
            raise ValueError("%s: not a pcap file" % path)
        rec = struct.Struct(endian + "IIII")
        while True:
            h = f.read(16)
            if len(h) < 16:
                break
            sec, frac, incl, _ = rec.unpack(h)
            data = f.read(incl)
            if len(data) < incl:
                break
            t = sec * 1e6 + frac * scale
            if len(data) < 14 + 20 + 20 or data[12:14] != b"\x08\x00":
                continue
            ip = data[14:]
            ihl = (ip[0] & 15) * 4
            if ip[9] != 6:
                continue
            tot = struct.unpack(">H", ip[2:4])[0]
            tcp = ip[ihl:]
            if len(tcp) < 14:
                continue
            sport, dport = struct.unpack(">HH", tcp[:4])
            doff = (tcp[12] >> 4) * 4
            flags = tcp[13]
            payload = tot - ihl - doff
            if ip[12:16] == cip and dport == server_port:
                if flags & 0x02 and not flags & 0x10:	# SYN
                    syn[sport] = t
                    req.pop(sport, None)
                    last.pop(sport, None)
                elif payload > 0 and sport in syn and sport not in req:
                    req[sport] = t
            elif ip[16:20] == cip and sport == server_port:
                if payload > 0 and dport in syn:
                    last[dport] = t
    conn = [last[p] - syn[p] for p in last if last[p] >= syn[p]]
    resp = [last[p] - req[p] for p in last if p in req and last[p] >= req[p]]
    return conn, resp


def percentile(sorted_vals, q):
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    if not sorted_vals:
        return None
    k = max(0, min(len(sorted_vals) - 1,
                   int(-(-q * len(sorted_vals) // 100)) - 1))
    return sorted_vals[k]


def summary(path, client_ip, server_port=80):
    """Percentiles of SYN-to-last-byte (and, under "request", of
    request-to-last-byte) times."""
    conn, resp = conn_times_us(path, client_ip, server_port)
    s = pct(sorted(conn))
    s["request"] = pct(sorted(resp))
    return s


def pct(v):
    if not v:
        return {"count": 0}
    return {"count": len(v),
            "p50": round(percentile(v, 50), 1),
            "p90": round(percentile(v, 90), 1),
            "p99": round(percentile(v, 99), 1),
            "p999": round(percentile(v, 99.9), 1),
            "max": round(v[-1], 1)}
