"""TCP, HTTP and jobs over IPv6 (issue 17): a file fetched from nginx over
IPv6 with its SHA-256 checked, a keep-alive job, a mix of an IPv4 and an
IPv6 URL, curl and python from the namespace against --listen and --echo
over IPv6, a two-dpfetch memif job over IPv6, and a 2-lcore IPv6 job.

The namespace has 2001:2::1/64 (nginx on [::]:80); dpfetch uses
2001:2::2/64 (both from 2001:2::/48, RFC 5180's benchmarking range).

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import json
import os
import subprocess
import time

from harness import (IFACE, NS, Daemon, MemifServer, OUR_IP, PEER_IP, Service, check,
                     check_mbufs_back, check_no_errors, expect_fail,
                     expect_ok, job_result, memif_client_eal,
                     no_sanitizer_report, ns, pattern_bytes, sha256_file,
                     stat, stats_of, test)

PEER_IP6 = "2001:2::1"
LL_GW6 = "fe80::1"      # added on the peer's side for one test
OUR_IP6 = "2001:2::2"
OUR_CIDR6 = OUR_IP6 + "/64"
V6 = ["--ip", OUR_IP, "--ip6", OUR_CIDR6]


def url6(path, host=PEER_IP6):
    return "http://[%s]%s" % (host, path)


def wait_port6(proc, port, timeout=20):
    """Until the namespace can open a connection to [OUR_IP6]:port (the
    first tries may find duplicate address detection still running)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        check(proc.poll() is None, "dpfetch exited early")
        r = ns("nc", "-z", "-w", "1", OUR_IP6, str(port))
        if r.returncode == 0:
            return
        time.sleep(0.3)
    check(False, "[%s]:%d never answered" % (OUR_IP6, port))


@test
def ipv6_fetch_10M_sha256(ctx):
    """A 10 MB file from nginx over IPv6, its SHA-256 as SHA256SUMS has
    it; every mbuf back, TCP without checksum errors."""
    out = ctx.out("10M.v6")
    p = ctx.dpfetch(V6 + ["--fetch", url6("/10M.bin"), "-o", out])
    expect_ok(p, "IPv6 fetch")
    got = sha256_file(out)
    os.unlink(out)
    check(got == ctx.sums["10M.bin"], "sha256 %s, want %s" %
          (got, ctx.sums["10M.bin"]))
    st = p.stats
    check(stat(st, "http.status_2xx") == 1, "http %s" % st["http"])
    check(stat(st, "tcp.InCsumErrors") == 0 and
          stat(st, "tcp.ActiveOpens") == 1, "tcp %s" % st["tcp"])
    check(stat(st, "tcp.DataBytesIn") >= 10 * 1000 * 1000,
          "DataBytesIn %d" % stat(st, "tcp.DataBytesIn"))


@test
def ipv6_keepalive_job(ctx):
    """A keep-alive job over IPv6: 8 connections, 3,000 requests, no
    error, every response 2xx, nginx's log shows the IPv6 client."""
    out = ctx.out("job6.json")
    p = ctx.dpfetch(V6 + ["--fetch", url6("/index.html"),
                          "--connections", "8", "--requests", "3000",
                          "-o", out], timeout=120)
    expect_ok(p, "IPv6 keep-alive job")
    r = job_result(ctx, p, out)
    check_no_errors(r, "IPv6 job")
    check(r["responses"]["2xx"] == 3000, "responses %s" % r["responses"])
    check(r["connections_established"] == 8,
          "established %d" % r["connections_established"])


@test
def ipv6_and_ipv4_urls_in_one_mix(ctx):
    """A mix of an IPv4 and an IPv6 entry against nginx: each connection
    on its family, both entries counted, the counts adding up."""
    n = 4000
    mix = [{"name": "v4", "weight": 1, "url": "http://%s/index.html" %
            PEER_IP},
           {"name": "v6", "weight": 1, "url": url6("/index.html")}]
    path = ctx.out("mix6.json")
    with open(path, "w") as f:
        json.dump(mix, f)
    out = ctx.out("jobmix6.json")
    p = ctx.dpfetch(V6 + ["--mix", path, "--requests", str(n),
                          "--connections", "8", "-o", out], timeout=120)
    os.unlink(path)
    expect_ok(p, "mixed-family job")
    r = job_result(ctx, p, out)
    check_no_errors(r, "mixed-family job")
    ent = {e["name"]: e for e in r["mix"]}
    check(sum(e["requests"] for e in r["mix"]) == r["requests_sent"] == n,
          "entry requests %s" % [e["requests"] for e in r["mix"]])
    check(ent["v4"]["responses"]["total"] > 0 and
          ent["v6"]["responses"]["total"] > 0 and
          ent["v4"]["responses"]["total"] +
          ent["v6"]["responses"]["total"] == n,
          "responses v4 %s v6 %s" % (ent["v4"]["responses"],
                                     ent["v6"]["responses"]))


@test
def ipv6_url_without_ip6_refused(ctx):
    """An IPv6 URL without --ip6 is a usage error that says so; a zone
    id is refused by the URL parser."""
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch", url6("/")])
    expect_fail(p, 2, r"--ip6", "IPv6 URL without --ip6")
    p = ctx.dpfetch(V6 + ["--fetch", "http://[fe80::1%25dpf0]/"])
    expect_fail(p, 2, r"zone", "zone id")


@test
def ipv6_listen_serves_curl_and_python(ctx):
    """dpfetch --listen on --ip6: curl -6 and a python AF_INET6 client in
    the namespace get their bodies; Host with brackets is fine."""
    svc = Service(ctx, ["--ip6", OUR_CIDR6, "--listen", "80"])
    try:
        wait_port6(svc.proc, 80)
        n = 1024 * 1024 + 77
        r = ns("curl", "-6", "-sS", "--noproxy", "*", "-o", "-",
               "http://[%s]/bytes/%d" % (OUR_IP6, n), timeout=60)
        check(r.returncode == 0, "curl -6: %s" % r.stderr.decode())
        check(r.stdout == pattern_bytes(n), "body of /bytes/%d differs" % n)
        script = (
            "import socket\n"
            "s = socket.create_connection(('%s', 80), timeout=10)\n"
            "assert s.family == socket.AF_INET6\n"
            "s.sendall(b'GET /bytes/10 HTTP/1.1\\r\\nHost: [%s]\\r\\n\\r\\n'"
            " b'GET /bytes/20 HTTP/1.1\\r\\nHost: x\\r\\n"
            "Connection: close\\r\\n\\r\\n')\n"
            "data = b''\n"
            "while True:\n"
            "    b = s.recv(65536)\n"
            "    if not b:\n"
            "        break\n"
            "    data += b\n"
            "print(data.count(b'HTTP/1.1 200 OK'))\n" % (OUR_IP6, OUR_IP6))
        r = ns("/usr/bin/python3", "-c", script, timeout=30)
        check(r.returncode == 0 and r.stdout.split() == [b"2"],
              "python over IPv6: %r %r" % (r.stdout, r.stderr))
    finally:
        st = svc.stop()
    check(st["httpd"]["requests"] >= 3, "httpd %s" % st["httpd"])
    check(st["tcp"]["PassiveOpens"] >= 2, "tcp %s" % st["tcp"])


@test
def ipv6_echo_from_peer(ctx):
    """--echo over IPv6: 200 kB from python in the namespace come back
    unchanged."""
    svc = Service(ctx, ["--ip6", OUR_CIDR6, "--echo", "7"])
    try:
        wait_port6(svc.proc, 7)
        script = (
            "import socket\n"
            "data = bytes((i * 7) & 255 for i in range(200000))\n"
            "s = socket.create_connection(('%s', 7), timeout=10)\n"
            "s.sendall(data)\n"
            "s.shutdown(socket.SHUT_WR)\n"
            "got = b''\n"
            "while True:\n"
            "    b = s.recv(65536)\n"
            "    if not b:\n"
            "        break\n"
            "    got += b\n"
            "print(got == data, len(got))\n" % OUR_IP6)
        r = ns("/usr/bin/python3", "-c", script, timeout=30)
        check(r.returncode == 0 and r.stdout.split()[:1] == [b"True"],
              "echo over IPv6: %r %r" % (r.stdout, r.stderr))
    finally:
        svc.stop()


@test
def ipv6_memif_two_dpfetch(ctx):
    """A client and a server dpfetch over memif, both on IPv6 only for
    the job (Neighbor Discovery between them): 200 connections, no
    error, every connection IPv6."""
    sock = "/run/dpf-it-memif6-%d.sock" % os.getpid()
    srv = MemifServer(ctx, sock, extra=["--ip6", "2001:2:0:2::1/64"])
    out = ctx.out("memif6.json")
    try:
        time.sleep(1.0)
        check(srv.proc.poll() is None, "memif server exited early")
        p = ctx.dpfetch(["--ip", "198.18.2.2/24", "--ip6",
                         "2001:2:0:2::2/64", "--fetch",
                         "http://[2001:2:0:2::1]/bytes/64",
                         "--connections", "200", "--duration", "3",
                         "--ramp", "1", "-o", out, "--mbufs", "65535"],
                        eal=memif_client_eal(ctx, sock), timeout=120)
    finally:
        code = srv.stop()
        subprocess.run(["rm", "-f", sock])
    no_sanitizer_report(srv.stderr_text)
    check(code == 0, "server exit %d: %s" % (code, srv.stderr_text[-2000:]))
    expect_ok(p, "memif IPv6 job")
    r = job_result(ctx, p, out)
    check_no_errors(r, "memif IPv6 job")
    check(r["connections_established"] == 200,
          "established %d" % r["connections_established"])
    check(r["responses"]["2xx"] > 200, "responses %s" % r["responses"])
    sst = stats_of(srv.stderr_text)
    check_mbufs_back(sst, "server")
    check(sst["tcp"]["PassiveOpens"] == 200,
          "server passive opens %d" % sst["tcp"]["PassiveOpens"])


@test
def ipv6_job_2lcores(ctx):
    """A job over IPv6 on two lcores (af_packet, two queue pairs): each
    lcore opens its share on source ports that steer to it, and the job
    completes without error."""
    eal = ["-l", "0-1", "--no-pci", "--file-prefix", ctx.prefix(),
           "--log-level", "warning", "--no-huge", "-m", "1024",
           "--vdev=net_af_packet0,iface=%s,qpairs=2" % IFACE]
    out = ctx.out("job6x2.json")
    p = ctx.dpfetch(V6 + ["--fetch", url6("/index.html"),
                          "--connections", "16", "--requests", "4000",
                          "-o", out], eal=eal, timeout=120)
    expect_ok(p, "2-lcore IPv6 job")
    r = job_result(ctx, p, out)
    check_no_errors(r, "2-lcore IPv6 job")
    check(r["responses"]["2xx"] == 4000, "responses %s" % r["responses"])
    check(r["connections_established"] == 16,
          "established %d" % r["connections_established"])


@test
def ipv6_conn_list_shows_v6_tuples(ctx):
    """conn.list (dpfetchctl conns) shows an IPv6 connection with both
    addresses as [addr]:port."""
    d = Daemon(ctx, extra=["--ip6", OUR_CIDR6, "--listen", "80"])
    holder = None
    try:
        wait_port6(d.proc, 80)
        script = ("import socket, time\n"
                  "s = socket.create_connection(('%s', 80), timeout=10)\n"
                  "print('up', flush=True)\n"
                  "time.sleep(20)\n" % OUR_IP6)
        holder = subprocess.Popen(["ip", "netns", "exec", NS,
                                   "/usr/bin/python3", "-c", script],
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        check(holder.stdout.readline().strip() == b"up",
              "the namespace's client did not connect")
        want = "[%s]:" % PEER_IP6
        found = []
        deadline = time.time() + 10
        while not found and time.time() < deadline:
            conns = d.ctl("conns", "state=ESTABLISHED", "port=80")
            found = [c for c in conns["conns"]
                     if c["remote"].startswith(want)]
            time.sleep(0.2)
        check(found, "no connection from %s in %s" % (want, conns))
        check(found[0]["local"] == "[%s]:80" % OUR_IP6,
              "local %s" % found[0]["local"])
    finally:
        if holder is not None:
            holder.kill()
            holder.wait()
        d.stop()


@test
def ipv6_gateway6_and_src_ips(ctx):
    """Off-link over IPv6: a server on 2001:2:1::1 (outside our /64,
    on the namespace's side) is reached through --gateway6 2001:2::1,
    from four src_ips addresses, which answer the kernel's Neighbor
    Solicitations (it learns all four); without --gateway6 the same job
    fails at once with no route, sending nothing; through a link-local
    --gateway6 (fe80::1 on the peer) it works again."""
    far = "2001:2:1::1"
    port = 8081
    www = ctx.out("www6")
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "f.txt"), "w") as f:
        f.write("far away\n")
    ns("ip", "-6", "addr", "add", far + "/128", "dev", "dpf0p", "nodad")
    srv = subprocess.Popen(["ip", "netns", "exec", NS, "/usr/bin/python3",
                            "-m", "http.server", "--bind", far, str(port),
                            "--directory", www],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while ns("nc", "-z", "-w", "1", far, str(port)).returncode != 0:
            check(time.time() < deadline and srv.poll() is None,
                  "http.server on [%s]:%d did not start" % (far, port))
            time.sleep(0.2)
        ns("ip", "-6", "neigh", "flush", "dev", "dpf0p")
        out = ctx.out("gw6.json")
        p = ctx.dpfetch(V6 + ["--gateway6", PEER_IP6,
                              "--fetch", "http://[%s]:%d/f.txt" % (far, port),
                              "--connections", "4", "--requests", "40",
                              "--src-ips", "2001:2::100-2001:2::103",
                              "-o", out], timeout=60)
        expect_ok(p, "IPv6 job through --gateway6")
        r = job_result(ctx, p, out)
        check_no_errors(r, "IPv6 job through --gateway6")
        check(r["responses"]["2xx"] == 40, "responses %s" % r["responses"])
        check_mbufs_back(p.stats, "gateway6 job")
        neigh = ns("ip", "-6", "neigh", "show", "dev", "dpf0p").stdout
        neigh = neigh.decode() if isinstance(neigh, bytes) else neigh
        for i in range(4):
            src = "2001:2::10%d" % i
            check(src in neigh, "the kernel never learnt %s:\n%s" %
                  (src, neigh))
        # Without a gateway, off-link has no route: the fetch fails at
        # once with "no route", as IPv4's does, and nothing leaves.
        p = ctx.dpfetch(V6 + ["--fetch", "http://[%s]:%d/f.txt" % (far, port),
                              "--timeout", "3"], timeout=60)
        expect_fail(p, 1, r"no route", "IPv6 fetch without --gateway6")
        check(stat(p.stats, "tcp.ActiveOpens") == 0,
              "tcp %s" % p.stats.get("tcp"))
        # A link-local gateway (fe80::/10 is on every link, RFC 4861's
        # usual next hop): resolved by ND like any on-link neighbour.
        ns("ip", "-6", "addr", "add", LL_GW6 + "/64", "dev", "dpf0p", "nodad")
        out = ctx.out("gw6ll.json")
        p = ctx.dpfetch(V6 + ["--gateway6", LL_GW6,
                              "--fetch", "http://[%s]:%d/f.txt" % (far, port),
                              "--connections", "2", "--requests", "10",
                              "-o", out], timeout=60)
        expect_ok(p, "IPv6 job through a link-local --gateway6")
        r = job_result(ctx, p, out)
        check_no_errors(r, "IPv6 job through a link-local --gateway6")
        check(r["responses"]["2xx"] == 10, "responses %s" % r["responses"])
        check(stat(p.stats, "nd.tx_solicits") >= 1 and
              stat(p.stats, "nd.resolve_failures") == 0,
              "nd %s" % p.stats.get("nd"))
        check_mbufs_back(p.stats, "link-local gateway6 job")
    finally:
        srv.kill()
        srv.wait()
        ns("ip", "-6", "addr", "del", far + "/128", "dev", "dpf0p")
        ns("ip", "-6", "addr", "del", LL_GW6 + "/64", "dev", "dpf0p")
        subprocess.run(["rm", "-rf", www])
