"""Several --ip on one port: more subnets, and tagged interfaces with
their own neighbour tables; routes by the longest prefix.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import json
import os
import subprocess
import time

from harness import (ACCESS_LOG, PEER_IP, Daemon, MemifServer, check,
                     check_dad_refused, check_mbufs_back, check_no_errors,
                     end_process, expect_ok, job_result, memif_client_eal,
                     no_sanitizer_report, ns, stat, stats_of, test,
                     wait_ip6_preferred)

SECOND = "198.18.1.1/24"        # the namespace's second address


def tshark_fields(path, fields):
    """The given fields of every frame of a capture, as tuples."""
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=|"]
    for f in fields:
        cmd += ["-e", f]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(p.returncode == 0, "tshark cannot read %s: %s" %
          (path, p.stderr.decode(errors="replace")[-2000:]))
    return [tuple(line.split("|")) for line in p.stdout.decode().splitlines()]


def access_sources(skip):
    """Client addresses of the access log's lines after the first skip."""
    with open(ACCESS_LOG, "rb") as f:
        lines = f.read().decode(errors="replace").splitlines()[skip:]
    out = {}
    for line in lines:
        src = line.split(" ", 1)[0]
        out[src] = out.get(src, 0) + 1
    return out


def log_len():
    with open(ACCESS_LOG, "rb") as f:
        return sum(1 for _ in f)


@test
def ifaces_two_subnets_testbed(ctx):
    """dpfetch with 198.18.0.2/16 and 198.18.1.2/24 on dpf0: the namespace
    kernel (given 198.18.1.1/24 for the test) ARPs and pings both; a job
    from each source reaches nginx (its access log shows both); the route
    to 198.18.1.1 is the /24 (the longest), so dpfetch asks and connects
    from 198.18.1.2, to 198.18.0.1 the /16, from 198.18.0.2."""
    cap = ctx.out("ifaces-subnets.pcapng")
    r = ns("ip", "addr", "add", SECOND, "dev", "dpf0p")
    check(r.returncode == 0, "ip addr add: %s" % r.stderr.decode())
    d = None
    try:
        d = Daemon(ctx, extra=["--ip", "198.18.0.2/16", "--ip",
                               "198.18.1.2/24", "--capture", cap])
        info = d.ctl("info")
        routes = [(x["prefix"], x["src"]) for x in info["routes"]]
        check(routes == [("198.18.1.0/24", "198.18.1.2"),
                         ("198.18.0.0/16", "198.18.0.2")],
              "routes %s" % info["routes"])
        check(len(info["ifaces"]) == 1 and
              info["ifaces"][0]["addresses"] == ["198.18.0.2/16",
                                                 "198.18.1.2/24"],
              "ifaces %s" % info["ifaces"])
        for ip in ("198.18.0.2", "198.18.1.2"):
            p = ns("ping", "-c", "2", "-i", "0.2", "-W", "2", ip)
            check(p.returncode == 0, "ping %s: %s" % (ip, p.stdout.decode()))
            n = ns("ip", "neigh", "show", ip).stdout.decode()
            check("lladdr" in n, "the kernel has no ARP entry for %s: %r" %
                  (ip, n))
        skip = log_len()
        for extra in ((), ("src_ips=198.18.1.2",)):
            j = d.ctl("fetch", "url=http://%s/index.html" % PEER_IP,
                      "connections=2", "requests=50", *extra)
            res = d.ctl("wait", "job=%d" % j["job"], "timeout=60")
            check(res["state"] == "done" and res["responses"]["2xx"] == 50,
                  "job %s: %s" % (extra, {k: res[k] for k in
                                          ("state", "responses", "errors")}))
        srcs = access_sources(skip)
        check(srcs.get("198.18.0.2", 0) == 50 and
              srcs.get("198.18.1.2", 0) == 50,
              "nginx saw these sources: %s" % srcs)
        # Nothing listens on 198.18.1.1:80 (the kernel resets): only the
        # addresses it is sent from matter here.
        j = d.ctl("fetch", "url=http://198.18.1.1/", "requests=1",
                  "connect_timeout_ms=2000")
        d.ctl("wait", "job=%d" % j["job"], "timeout=30", code=1)
        arp = d.ctl("arp")["entries"]
        check({e["ip"] for e in arp} >= {"198.18.0.1", "198.18.1.1"} and
              all(e["iface"] == 0 for e in arp), "arp %s" % arp)
    finally:
        try:
            st = d.stop() if d is not None else None
        finally:
            ns("ip", "addr", "del", SECOND, "dev", "dpf0p")
    rows = tshark_fields(cap, ["ip.src", "ip.dst", "tcp.flags.syn",
                               "tcp.flags.ack", "arp.opcode",
                               "arp.src.proto_ipv4", "arp.dst.proto_ipv4"])
    os.unlink(cap)
    syns = {(r[0], r[1]) for r in rows
            if r[2] in ("1", "True") and r[3] in ("0", "False")}
    check(syns == {("198.18.0.2", "198.18.0.1"), ("198.18.1.2", "198.18.0.1"),
                   ("198.18.1.2", "198.18.1.1")},
          "SYNs sent (src, dst): %s" % sorted(syns))
    # dpfetch's own requests (not its announcements); it may have
    # learnt 198.18.1.1 from the kernel's request instead of asking.
    ours = ("198.18.0.2", "198.18.1.2")
    asks = {(r[5], r[6]) for r in rows
            if r[4] == "1" and r[5] in ours and r[6] != r[5]}
    check(asks and all(a[0] == ("198.18.1.2" if a[1].startswith("198.18.1.")
                                else "198.18.0.2") for a in asks),
          "ARP requests (sender, target): %s" % sorted(asks))
    check(stat(st, "arp.tx_gratuitous") >= 2, "arp %s" % st["arp"])
    print("    nginx saw %s; SYNs %s" % (srcs, sorted(syns)))


def dpfetchctl(ctx, sock, *args):
    binary = os.path.join(os.path.dirname(ctx.binary), "dpfetchctl")
    r = subprocess.run([binary, "-s", sock, "--json"] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    check(r.returncode == 0, "dpfetchctl %s: %s" % (args, r.stderr.decode()))
    return json.loads(r.stdout)


@test
def ifaces_two_tagged_memif(ctx):
    """Two dpfetch over memif, each with 198.18.10.x/24 on VLAN 10 and
    198.18.20.x/24 on VLAN 20: a job over both interfaces runs without
    an error; the server's capture shows each address's frames (IPv4 and
    ARP) on its own tag; each interface's neighbour table holds only its
    own peer; a client on VLAN 30 is counted (rx_vlan_mismatch) and
    dropped; VLAN 20's address is not answered on VLAN 10; every mbuf
    comes back."""
    sock = "/run/dpf-it-ifaces-%d.sock" % os.getpid()
    csock = "/run/dpf-it-ifaces-ctl-%d.sock" % os.getpid()
    cap = ctx.out("ifaces-tagged.pcapng")
    out = ctx.out("ifaces-job.json")
    srv = MemifServer(ctx, sock, extra=[
        "--ip", "198.18.10.1/24,vlan=10", "--ip", "198.18.20.1/24,vlan=20",
        "--capture", cap, "--capture-count", "20000", "--ctl", csock])
    try:
        time.sleep(1.0)
        check(srv.proc.poll() is None, "memif server exited early: %s" %
              srv.proc.stderr.read(2000) if srv.proc.poll() is not None
              else "")
        # A job is one server's: one per interface, from the same
        # two-interface client.
        runs = []
        for net in ("10", "20"):
            runs.append(ctx.dpfetch([
                "--ip", "198.18.10.2/24,vlan=10", "--ip",
                "198.18.20.2/24,vlan=20",
                "--fetch", "http://198.18.%s.1/bytes/1000" % net,
                "--connections", "4", "--requests", "200", "-o",
                out + net, "--stats"], eal=memif_client_eal(ctx, sock),
                timeout=60))
        arp = dpfetchctl(ctx, csock, "arp")["entries"]
        info = dpfetchctl(ctx, csock, "info")
        bad = subprocess.run([ctx.binary] + memif_client_eal(ctx, sock) + [
            "--", "--ip", "198.18.30.2/24,vlan=30", "--fetch",
            "http://198.18.30.1/", "--timeout", "3"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        # VLAN 20's address asked for on VLAN 10: not answered there.
        cross = subprocess.run([ctx.binary] + memif_client_eal(ctx, sock) + [
            "--", "--ip", "198.18.20.3/24,vlan=10", "--fetch",
            "http://198.18.20.1/", "--timeout", "3"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    finally:
        code = srv.stop()
        subprocess.run(["rm", "-f", sock, csock])
    no_sanitizer_report(srv.stderr_text)
    check(code == 0, "server exit %d: %s" % (code, srv.stderr_text[-2000:]))
    sst = stats_of(srv.stderr_text)
    check_mbufs_back(sst, "server")
    for net, p in zip(("10", "20"), runs):
        expect_ok(p, "job over VLAN " + net)
        r = job_result(ctx, p, out + net)
        check_no_errors(r, "job over VLAN " + net)
        check(r["responses"]["2xx"] == 200, "responses: %s" % r["responses"])
        for c in ("rx_vlan_mismatch", "rx_untagged", "tx_vlan_no_room"):
            check(stat(p.stats, "eth." + c) == 0, "client eth.%s = %d" %
                  (c, stat(p.stats, "eth." + c)))
    check(bad.returncode == 1, "VLAN 30 client: exit %d" % bad.returncode)
    check(cross.returncode == 1 and stat(sst, "arp.rx_not_for_us") >= 2,
          "VLAN 20's address on VLAN 10: exit %d, server arp %s" %
          (cross.returncode, sst["arp"]))
    per = {e["iface"]: e for e in arp}
    check(len(arp) == 2 and per.get(0, {}).get("ip") == "198.18.10.2" and
          per[0]["vlan"] == 10 and per.get(1, {}).get("ip") == "198.18.20.2"
          and per[1]["vlan"] == 20, "server neighbour tables %s" % arp)
    check([(x["iface"], x["vlan"]) for x in info["ifaces"]] ==
          [(0, 10), (1, 20)], "ifaces %s" % info["ifaces"])
    check(sst["iface1"]["vlan"] == 20 and sst["iface1"]["neigh_entries"] == 1,
          "server stats iface1 %s" % sst.get("iface1"))
    check(stat(sst, "eth.rx_vlan_mismatch") >= 2,
          "server eth.rx_vlan_mismatch = %d" %
          stat(sst, "eth.rx_vlan_mismatch"))
    check(stat(sst, "eth.rx_untagged") == 0, "untagged frames arrived")
    rows = tshark_fields(cap, ["vlan.id", "ip.src", "ip.dst",
                               "arp.src.proto_ipv4", "arp.dst.proto_ipv4"])
    os.unlink(cap)
    count = {"10": 0, "20": 0, "30": 0}
    wrong = []
    for vid, src, dst, asrc, adst in rows:
        addrs = [a for a in (src, dst, asrc, adst) if a]
        if vid == "10" and "198.18.20.3" in addrs:
            continue        # the cross client's unanswered requests
        nets = {a.split(".")[2] for a in addrs}
        if vid in count:
            count[vid] += 1
        if len(nets) != 1 or nets.pop() != vid:
            wrong.append((vid, addrs))
    check(not wrong, "%d frames on the wrong tag, first %s" %
          (len(wrong), wrong[:3]))
    check(count["10"] > 50 and count["20"] > 50 and count["30"] >= 2,
          "frames per tag %s" % count)
    print("    frames per tag %s, all on their address's tag; "
          "rx_vlan_mismatch %d" % (count, stat(sst, "eth.rx_vlan_mismatch")))


# Several --ip6 (issue 17 item 4 for IPv6).  The namespace has
# 2001:2::1/64 on dpf0p; the tests add what else they need and remove it.
V6_SECOND_PEER = "2001:2:0:1::1/64"


@test
def ifaces_ip6_two_prefixes_testbed(ctx):
    """--ip6 2001:2::2/64 and --ip6 2001:2:0:1::2/64 on the untagged port
    (the namespace given 2001:2:0:1::1/64 for the test): the kernel pings
    both (ND answered for each, its neighbour table has our MAC for
    both); fetches to nginx (on 2001:2::1 only) go from 2001:2::2 by
    the route and from src_ips 2001:2:0:1::100-101 in the second prefix
    (nginx's access log; the kernel resolved them by ND); a
    connection to 2001:2:0:1::1 (nothing listens: reset) starts from
    2001:2:0:1::2, the longest prefix's (the capture's SYNs); info lists
    both addresses and the IPv6 routes."""
    cap = ctx.out("ifaces6-subnets.pcapng")
    r = ns("ip", "-6", "addr", "add", V6_SECOND_PEER, "dev", "dpf0p",
           "nodad")
    check(r.returncode == 0, "ip addr add: %s" % r.stderr.decode())
    ns("ip", "-6", "neigh", "flush", "dev", "dpf0p")
    d = None
    try:
        d = Daemon(ctx, extra=["--ip6", "2001:2::2/64", "--ip6",
                               "2001:2:0:1::2/64", "--capture", cap])
        wait_ip6_preferred(d)
        info = d.ctl("info")
        check(len(info["ifaces"]) == 1 and
              info["ifaces"][0]["addresses6"] == ["2001:2::2/64",
                                                  "2001:2:0:1::2/64"],
              "ifaces %s" % info["ifaces"])
        r6 = [(x["prefix"], x["src"], x["gateway"]) for x in info["routes"]
              if x["family"] == "ipv6"]
        check(r6 == [("2001:2::/64", "2001:2::2", None),
                     ("2001:2:0:1::/64", "2001:2:0:1::2", None),
                     ("fe80::/10", "2001:2::2", None)],
              "IPv6 routes %s" % info["routes"])
        check(info.get("ip6") == "2001:2::2" and
              info.get("ip6_prefix_len") == 64, "info ip6 %s" %
              info.get("ip6"))
        with open("/sys/class/net/dpf0/address") as f:
            mac = f.read().strip()
        for ip in ("2001:2::2", "2001:2:0:1::2"):
            p = ns("ping", "-6", "-c", "2", "-i", "0.2", "-W", "2", ip,
                   timeout=20)
            check(p.returncode == 0, "ping %s: %s" % (ip, p.stdout.decode()))
            n = ns("ip", "-6", "neigh", "show", ip,
                   "dev", "dpf0p").stdout.decode()
            check(mac in n, "the kernel has no ND entry for %s: %r" % (ip, n))
        skip = log_len()
        for extra in ((), ("src_ips=2001:2:0:1::100-2001:2:0:1::101",)):
            j = d.ctl("fetch", "url=http://[2001:2::1]/index.html",
                      "connections=2", "requests=20", *extra)
            res = d.ctl("wait", "job=%d" % j["job"], "timeout=60")
            check(res["state"] == "done" and res["responses"]["2xx"] == 20,
                  "job %s: %s" % (extra, {k: res[k] for k in
                                          ("state", "responses",
                                           "errors")}))
        srcs = access_sources(skip)
        check(srcs.get("2001:2::2", 0) == 20 and
              srcs.get("2001:2:0:1::100", 0) > 0 and
              srcs.get("2001:2:0:1::101", 0) > 0 and
              srcs.get("2001:2:0:1::100", 0) +
              srcs.get("2001:2:0:1::101", 0) == 20,
              "nginx saw these sources: %s" % srcs)
        n = ns("ip", "-6", "neigh", "show", "dev", "dpf0p").stdout.decode()
        check("2001:2:0:1::100" in n and "2001:2:0:1::101" in n,
              "the kernel never learnt the src_ips:\n%s" % n)
        j = d.ctl("fetch", "url=http://[2001:2:0:1::1]/", "requests=1",
                  "connect_timeout_ms=2000")
        d.ctl("wait", "job=%d" % j["job"], "timeout=30", code=1)
        neigh = {e["ip"]: e for e in d.ctl("neigh", "ipv6")["entries"]}
        check({"2001:2::1", "2001:2:0:1::1"} <= set(neigh) and
              all(e["iface"] == 0 for e in neigh.values()),
              "neigh %s" % neigh)
    finally:
        try:
            st = d.stop() if d is not None else None
        finally:
            ns("ip", "-6", "addr", "del", V6_SECOND_PEER, "dev", "dpf0p")
    check(stat(st, "nd.dad_probes") == 2 and
          stat(st, "nd.tx_unsolicited_adverts") == 2 and
          stat(st, "icmp6.tx_echo_replies") >= 4, "nd %s icmp6 %s" %
          (st["nd"], st["icmp6"]))
    rows = tshark_fields(cap, ["ipv6.src", "ipv6.dst", "tcp.flags.syn",
                               "tcp.flags.ack"])
    os.unlink(cap)
    syns = {(r[0], r[1]) for r in rows
            if r[2] in ("1", "True") and r[3] in ("0", "False")}
    check(syns == {("2001:2::2", "2001:2::1"),
                   ("2001:2:0:1::100", "2001:2::1"),
                   ("2001:2:0:1::101", "2001:2::1"),
                   ("2001:2:0:1::2", "2001:2:0:1::1")},
          "SYNs sent (src, dst): %s" % sorted(syns))
    print("    nginx saw %s; SYNs %s" % (srcs, sorted(syns)))


@test
def ifaces_ip6_two_tagged_memif(ctx):
    """Two dpfetch over memif, each with an IPv4 and an IPv6 address on
    VLAN 7 and on VLAN 8: jobs over both families on both tags run
    without an error; each side's neigh.list has the peer's IPv6 address
    of a tag on that tag's interface only; the server's capture shows
    every IPv6 frame (ND and TCP) and IPv4 frame of a tag carrying only
    that tag's addresses; every mbuf comes back."""
    sock = "/run/dpf-it-ifaces6-%d.sock" % os.getpid()
    csock = "/run/dpf-it-ifaces6-ctl-%d.sock" % os.getpid()
    cap = ctx.out("ifaces6-tagged.pcapng")
    srv = MemifServer(ctx, sock, extra=[
        "--ip", "198.18.7.1/24,vlan=7", "--ip", "198.18.8.1/24,vlan=8",
        "--ip6", "2001:2:7::1/64,vlan=7", "--ip6", "2001:2:8::1/64,vlan=8",
        "--capture", cap, "--capture-count", "20000", "--ctl", csock])
    cli = None
    results = {}
    try:
        deadline = time.time() + 20
        while not os.path.exists(csock):
            check(srv.proc.poll() is None and time.time() < deadline,
                  "memif server did not start")
            time.sleep(0.1)
        cli = Daemon(ctx, extra=[
            "--ip", "198.18.7.2/24,vlan=7", "--ip", "198.18.8.2/24,vlan=8",
            "--ip6", "2001:2:7::2/64,vlan=7", "--ip6",
            "2001:2:8::2/64,vlan=8"], eal=memif_client_eal(ctx, sock))
        wait_ip6_preferred(cli)
        for host in ("198.18.7.1", "198.18.8.1", "[2001:2:7::1]",
                     "[2001:2:8::1]"):
            j = cli.ctl("fetch", "url=http://%s/bytes/1000" % host,
                        "connections=2", "requests=100")
            results[host] = cli.ctl("wait", "job=%d" % j["job"],
                                    "timeout=60")
        cneigh = cli.ctl("neigh", "ipv6")["entries"]
        cinfo = cli.ctl("info")
        sneigh = dpfetchctl(ctx, csock, "neigh", "ipv6")["entries"]
    finally:
        try:
            cst = cli.stop() if cli is not None else None
        finally:
            code = srv.stop()
            subprocess.run(["rm", "-f", sock, csock])
    no_sanitizer_report(srv.stderr_text)
    check(code == 0, "server exit %d: %s" % (code, srv.stderr_text[-2000:]))
    sst = stats_of(srv.stderr_text)
    check_mbufs_back(sst, "server")
    for host, res in results.items():
        check(res["state"] == "done" and res["responses"]["2xx"] == 100,
              "job to %s: %s" % (host, {k: res[k] for k in
                                        ("state", "responses", "errors")}))
    check([(x["iface"], x["vlan"], x["addresses6"])
           for x in cinfo["ifaces"]] ==
          [(0, 7, ["2001:2:7::2/64"]), (1, 8, ["2001:2:8::2/64"])],
          "client ifaces %s" % cinfo["ifaces"])
    for side, entries, peer in (("client", cneigh, "1"),
                                ("server", sneigh, "2")):
        got = sorted((e["ip"], e["iface"], e["vlan"]) for e in entries)
        want = [("2001:2:7::" + peer, 0, 7), ("2001:2:8::" + peer, 1, 8)]
        check(got == want, "%s's IPv6 neighbours %s, want %s" %
              (side, got, want))
    for st, who in ((cst, "client"), (sst, "server")):
        check(stat(st, "nd.dad_probes") == 2 and
              stat(st, "nd.dad_conflicts") == 0 and
              stat(st, "eth.rx_vlan_mismatch") == 0 and
              stat(st, "ipv6.tx_no_route") == 0,
              "%s: nd %s" % (who, st["nd"]))
    rows = tshark_fields(cap, ["vlan.id", "ipv6.src", "ipv6.dst",
                               "icmpv6.nd.ns.target_address",
                               "icmpv6.nd.na.target_address",
                               "ip.src", "ip.dst", "arp.src.proto_ipv4",
                               "arp.dst.proto_ipv4"])
    os.unlink(cap)
    count = {"7": 0, "8": 0}
    v6 = {"7": 0, "8": 0}
    nd = {"7": 0, "8": 0}
    wrong = []
    for row in rows:
        vid = row[0]
        a6 = [a for a in row[1:5] if a.startswith("2001:")]
        a4 = [a for a in row[5:] if a]
        if vid in count:
            count[vid] += 1
            if row[1]:
                v6[vid] += 1
            if row[3] or row[4]:
                nd[vid] += 1
        nets = {a.split(":")[2] for a in a6} | {a.split(".")[2] for a in a4}
        if vid not in count or nets - {vid}:
            wrong.append((vid, a6 + a4))
    check(not wrong, "%d frames on the wrong tag, first %s" %
          (len(wrong), wrong[:3]))
    check(all(v6[t] > 50 and nd[t] >= 2 for t in count),
          "IPv6 frames per tag %s (ND %s), all %s" % (v6, nd, count))
    print("    frames per tag %s (IPv6 %s, ND %s), each with only its "
          "tag's addresses" % (count, v6, nd))


@test
def ifaces_ip6_no_route_fails_fast(ctx):
    """An off-link IPv6 destination with no gateway6: a one-shot fetch
    exits 1 with "no route" within two seconds, sending nothing; a job
    counts it (errors.no_route).  --ip6 with vlan=9 (a tag no --ip has)
    makes its own interface, listed with its address; a job's IPv6
    src_ips may lie in the second --ip6's prefix, not outside all."""
    t0 = time.time()
    p = ctx.dpfetch(["--ip6", "2001:2::2/64", "--fetch",
                     "http://[2001:2:5::1]/", "--timeout", "10"])
    took = time.time() - t0
    check(p.returncode == 1 and "no route" in p.stderr_text,
          "exit %d: %s" % (p.returncode, p.stderr_text[-1500:]))
    # dpfetch's start (EAL, the port, DAD's 1 s) is most of it.
    check(took < 8, "the fetch took %.1f s" % took)
    check(stat(p.stats, "tcp.ActiveOpens") == 0, "tcp %s" % p.stats["tcp"])
    d = Daemon(ctx, extra=["--ip6", "2001:2::2/64", "--ip6",
                           "2001:2:9::2/64,vlan=9"])
    try:
        info = d.ctl("info")
        wait_ip6_preferred(d)
        j = d.ctl("fetch", "url=http://[2001:2:5::1]/", "requests=5")
        t1 = time.time()
        d.ctl("wait", "job=%d" % j["job"], "timeout=30", code=1)
        took_job = time.time() - t1
        st = d.ctl("status", "job=%d" % j["job"])
        # src_ips inside the second prefix are fine, outside all refused.
        ok = d.ctl("fetch", "url=http://[2001:2:9::1]/", "requests=1",
                   "src_ips=2001:2:9::10-2001:2:9::11",
                   "connect_timeout_ms=500")
        d.ctl("wait", "job=%d" % ok["job"], "timeout=30", code=1)
        bad = d.ctl("fetch", "url=http://[2001:2::1]/", "requests=1",
                    "src_ips=2001:2:77::5", code=1, raw=True)
    finally:
        d.stop()
    check([(x["iface"], x["vlan"], x["addresses6"])
           for x in info["ifaces"]] ==
          [(0, 0, ["2001:2::2/64"]), (1, 9, ["2001:2:9::2/64"])],
          "ifaces %s" % info["ifaces"])
    check(st["errors"].get("no_route", 0) >= 1 and took_job < 2,
          "job after %.1f s: errors %s" % (took_job, st["errors"]))
    check(b"not inside the prefix of any --ip6" in bad.stdout + bad.stderr,
          "src_ips outside: %r" % (bad.stdout + bad.stderr))
    print("    one-shot exit 1 after %.1f s, job %.2f s, errors %s" %
          (took, took_job, st["errors"]))


@test
def ifaces_ip6_dad_conflict_on_second(ctx):
    """The second --ip6 is the namespace's (2001:2:0:1::1, added for the
    test): its DAD probe is answered, dpfetch exits 2 naming it."""
    r = ns("ip", "-6", "addr", "add", V6_SECOND_PEER, "dev", "dpf0p",
           "nodad")
    check(r.returncode == 0, "ip addr add: %s" % r.stderr.decode())
    try:
        cmd = [ctx.binary] + ctx.eal() + [
            "--", "--ip", "198.18.0.2/24", "--ip6", "2001:2::2/64",
            "--ip6", "2001:2:0:1::1/64", "--echo", "7", "--stats"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        err = end_process(proc, 30, sig=None)
    finally:
        ns("ip", "-6", "addr", "del", V6_SECOND_PEER, "dev", "dpf0p")
    check_dad_refused(err, proc, "2001:2:0:1::1", 2)


@test
def ifaces_ip6_bad_options_exit_2(ctx):
    """Several --ip6 refused before the port starts, exit 2 naming the
    option: an address twice, a prefix twice, a gateway6 off-link, a
    --gateway6 in no prefix, a ninth address."""
    nine = []
    for i in range(9):
        nine += ["--ip6", "2001:2:0:%x::2/64" % i]
    for args, want in (
            (["--ip6", "2001:2::2/64", "--ip6", "2001:2::2/64,vlan=5"],
             "--ip6: 2001:2::2 is given twice"),
            (["--ip6", "2001:2::2/64", "--ip6", "2001:2::3/64"],
             "--ip6 2001:2::3/64: its prefix is already 2001:2::2's"),
            (["--ip6", "2001:2::2/64,gateway6=2001:2:1::1"],
             "gateway6=2001:2:1::1 must be another address inside its "
             "prefix"),
            (["--ip6", "2001:2::2/64", "--ip6", "2001:2:0:1::2/64",
              "--gateway6", "2001:2:3::1"],
             "--gateway6 is not inside the prefix of any --ip6"),
            (nine, "--ip6: more than 8 addresses")):
        p = ctx.dpfetch(args + ["--echo", "7"], timeout=30)
        check(p.returncode == 2 and want in p.stderr_text,
              "%s: exit %d, %s" % (args, p.returncode, p.stderr_text[-500:]))
