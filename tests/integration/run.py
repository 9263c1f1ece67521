#!/usr/bin/python3 -u
"""Integration tests: dpfetch against real peers in the dpf-peer testbed.

The peers are the Linux kernel's TCP stack, nginx and scripts/peer_server.py
in the dpf-peer network namespace (scripts/testbed.sh).  Nothing is mocked:
each test starts the real dpfetch binary on the dpf0 veth end through
net_af_packet (or net_af_xdp) and checks what it fetched, its exit status,
its messages and its counters.

    tests/integration/run.py [--build DIR] [-k SUBSTRING] [--list]

Prints one line per test and ends with "N passed, N failed".  The testbed
must be up (scripts/test.sh takes care of that).
"""

import argparse
import contextlib
import hashlib
import importlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NS = "dpf-peer"
IFACE = "dpf0"
PEER_IP = "198.18.0.1"
OUR_IP = "198.18.0.2/24"
WWW = "/run/dpf-testbed/www"
NFT_TABLE = "dpf_test_loss"

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


class Ctx:
    def __init__(self, build):
        self.binary = os.path.join(build, "app", "dpfetch")
        self.n = 0
        self.tmp = tempfile.mkdtemp(prefix="dpf-it-")
        self.sums = {}
        with open(os.path.join(WWW, "SHA256SUMS")) as f:
            for line in f:
                digest, name = line.split()
                self.sums[name.lstrip("*")] = digest

    def prefix(self):
        self.n += 1
        return "dpf-it-%d-%d" % (os.getpid(), self.n)

    def eal(self, pmd="af_packet", huge=False):
        args = ["-l", "0", "--no-pci", "--file-prefix", self.prefix(),
                "--log-level", "warning"]
        if huge:
            args += ["-m", "512"]
        else:
            args += ["--no-huge", "-m", "512"]
        if pmd == "af_xdp":
            args += ["--vdev=net_af_xdp0,iface=%s" % IFACE]
        else:
            args += ["--vdev=net_af_packet0,iface=%s" % IFACE]
        return args

    def dpfetch(self, app_args, pmd="af_packet", huge=False, timeout=120,
                eal=None):
        cmd = [self.binary] + (self.eal(pmd, huge) if eal is None else eal)
        cmd += ["--"] + app_args
        prefix = cmd[cmd.index("--file-prefix") + 1]
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=timeout)
        finally:
            subprocess.run(["rm", "-rf", "/var/run/dpdk/" + prefix])
        p.stderr_text = p.stderr.decode(errors="replace")
        no_sanitizer_report(p.stderr_text)
        return p

    def clean_runtime_dirs(self):
        """EAL's files of every dpfetch this run started and that is gone."""
        base = "/var/run/dpdk"
        mine = "dpf-it-%d-" % os.getpid()
        for d in os.listdir(base) if os.path.isdir(base) else []:
            if d.startswith(mine):
                subprocess.run(["rm", "-rf", os.path.join(base, d)])

    def out(self, name):
        return os.path.join(self.tmp, name)


SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")


def no_sanitizer_report(stderr_text):
    for mark in SANITIZER_MARKS:
        if mark in stderr_text:
            raise Failure("sanitizer report:\n" + stderr_text[-6000:])


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def stats_of(stderr_text):
    """The --stats JSON: the block from the first line that is '{'."""
    lines = stderr_text.splitlines()
    for i, line in enumerate(lines):
        if line == "{":
            # The PMD may log more as the port closes after it.
            return json.JSONDecoder().raw_decode("\n".join(lines[i:]))[0]
    raise Failure("no --stats JSON in stderr:\n" + stderr_text[-2000:])


def ns(*cmd, **kw):
    return subprocess.run(["ip", "netns", "exec", NS] + list(cmd),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          **kw)


def expect_ok(p, what):
    check(p.returncode == 0, "%s: exit %d, stderr:\n%s" %
          (what, p.returncode, p.stderr_text[-3000:]))


def expect_fail(p, code, pattern, what):
    check(p.returncode == code, "%s: exit %d, wanted %d; stderr:\n%s" %
          (what, p.returncode, code, p.stderr_text[-3000:]))
    check(re.search(pattern, p.stderr_text) is not None,
          "%s: stderr does not match /%s/:\n%s" %
          (what, pattern, p.stderr_text[-3000:]))


def fetch_and_compare(ctx, url, name, extra=(), pmd="af_packet", huge=False):
    out = ctx.out(name + ".out")
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch", url, "-o", out, "--stats"]
                    + list(extra), pmd=pmd, huge=huge)
    expect_ok(p, url)
    got = sha256_file(out)
    check(got == ctx.sums[name], "%s: sha256 %s, want %s" %
          (url, got, ctx.sums[name]))
    os.unlink(out)
    st = stats_of(p.stderr_text)
    check(st["http"]["responses"] == 1 and st["http"]["status_2xx"] == 1,
          "http counters: %s" % st["http"])
    # AF_XDP keeps its fill ring stocked with our mbufs and tops it up per
    # RX burst, so its holding may differ from the start by part of a burst.
    slack = 32 if pmd == "af_xdp" else 0
    check(abs(st["mempool"]["in_use"] - st["mempool"]["port_held"]) <= slack,
          "mbufs leaked: %d in use at exit, the driver held %d" %
          (st["mempool"]["in_use"], st["mempool"]["port_held"]))
    return p, st


# ---- fetching --------------------------------------------------------------

@test
def fetch_index_to_stdout(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s/index.html" % PEER_IP])
    expect_ok(p, "index.html")
    with open(os.path.join(WWW, "index.html"), "rb") as f:
        check(p.stdout == f.read(), "body differs from index.html")
    check(re.search(r"HTTP 200, %d bytes in [0-9.]+ s \([0-9.]+ Mbit/s\)" %
                    len(p.stdout), p.stderr_text),
          "no one-line summary on stderr:\n" + p.stderr_text)


@test
def fetch_10M_sha256(ctx):
    fetch_and_compare(ctx, "http://%s/10M.bin" % PEER_IP, "10M.bin")


@test
def fetch_100M_sha256(ctx):
    _, st = fetch_and_compare(ctx, "http://%s/100M.bin" % PEER_IP,
                              "100M.bin")
    check(st["tcp"]["DataBytesIn"] >= 100 * 1024 * 1024,
          "DataBytesIn %d" % st["tcp"]["DataBytesIn"])


@test
def fetch_chunked_sha256(ctx):
    fetch_and_compare(ctx, "http://%s:8080/chunked/10M.bin?chunk=7777" %
                      PEER_IP, "10M.bin")


@test
def fetch_close_delimited_sha256(ctx):
    fetch_and_compare(ctx, "http://%s:8080/close/10M.bin" % PEER_IP,
                      "10M.bin")


@test
def fetch_over_af_xdp(ctx):
    fetch_and_compare(ctx, "http://%s/10M.bin" % PEER_IP, "10M.bin",
                      pmd="af_xdp")


@contextlib.contextmanager
def hugepages():
    """At least 512 2 MiB pages reserved and hugetlbfs mounted, for the
    duration; both restored afterwards."""
    path = "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
    with open(path) as f:
        before = int(f.read())
    mounted = subprocess.run(["sh", "-c", "grep -q hugetlbfs /proc/mounts"]
                             ).returncode == 0
    try:
        if not mounted:
            os.makedirs("/dev/hugepages", exist_ok=True)
            subprocess.run(["mount", "-t", "hugetlbfs", "nodev",
                            "/dev/hugepages"], check=True)
        with open(path, "w") as f:
            f.write(str(max(before, 512)))
        with open(path) as f:
            check(int(f.read()) >= 300, "could not reserve hugepages")
        yield
    finally:
        with open(path, "w") as f:
            f.write(str(before))
        if not mounted:
            subprocess.run(["umount", "/dev/hugepages"])


@test
def fetch_with_hugepages(ctx):
    with hugepages():
        fetch_and_compare(ctx, "http://%s/10M.bin" % PEER_IP, "10M.bin",
                          huge=True)


@test
def dumpcap_attaches_with_hugepages(ctx):
    """dpdk-dumpcap, a secondary process, captures the port of a dpfetch
    on hugepages (dpfetch called rte_pdump_init), and tshark reads it."""
    cap = ctx.out("dumpcap.pcapng")
    with hugepages():
        d = Daemon(ctx, eal=ctx.eal(huge=True))
        dc = None
        try:
            dc = subprocess.Popen(["dpdk-dumpcap", "--file-prefix",
                                   d.prefix, "-i", "0", "-c", "30", "-q",
                                   "-w", cap], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
            # it creates the file once it has attached
            deadline = time.time() + 20
            while not os.path.exists(cap) and dc.poll() is None and \
                    time.time() < deadline:
                time.sleep(0.1)
            time.sleep(0.5)
            if dc.poll() is not None:
                check(False, "dpdk-dumpcap exited %s: %s" % (
                    dc.returncode, dc.communicate()[1].decode(
                        errors="replace")[-1500:]))
            j = d.ctl("fetch", "url=http://%s/index.html" % PEER_IP,
                      "connections=2", "requests=20")
            r = d.ctl("wait", "job=%d" % j["job"], "timeout=30")
            check(r["responses"]["2xx"] == 20, "responses %s" %
                  r["responses"])
            _, err = dc.communicate(timeout=30)
            check(dc.returncode == 0, "dpdk-dumpcap exit %d: %s" % (
                dc.returncode, err.decode(errors="replace")[-1500:]))
        finally:
            if dc is not None and dc.poll() is None:
                dc.kill()
                dc.communicate()
            d.stop()
    rows = tshark_rows(cap)
    ours = OUR_IP.split("/")[0]
    # -c stops dumpcap after the burst that reaches the count
    check(len(rows) >= 30, "dumpcap -c 30 wrote %d packets" % len(rows))
    check(any(r["ip.src"] == ours and flag(r, "tcp.flags.syn") and
              not flag(r, "tcp.flags.ack") for r in rows), "no SYN from us")
    check(any(r["http.request.method"] == "GET" and r["ip.src"] == ours
              for r in rows), "no GET from us")
    os.unlink(cap)


@test
def custom_headers_are_sent(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s:8080/headers" % PEER_IP,
                     "--header", "X-Dpf-Test: forty two",
                     "--header", "User-Agent: custom-agent/1"])
    expect_ok(p, "/headers")
    body = p.stdout.decode()
    check("X-Dpf-Test: forty two" in body, "custom header missing:\n" + body)
    check("User-Agent: custom-agent/1" in body and "dpfetch/" not in body,
          "User-Agent not replaced:\n" + body)
    check("Host: %s:8080" % PEER_IP in body, "Host header wrong:\n" + body)


@test
def post_upload_20M(ctx):
    """A 20 MiB request body through the send buffer, under loss."""
    data = os.urandom(20 * 1024 * 1024)
    src = ctx.out("upload.bin")
    with open(src, "wb") as f:
        f.write(data)
    nft_loss(2)
    try:
        p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                         "http://%s:8080/upload" % PEER_IP,
                         "--data", "@" + src, "--stats"])
    finally:
        nft_clear()
    expect_ok(p, "POST /upload")
    want = "sha256 %s %d\n" % (hashlib.sha256(data).hexdigest(), len(data))
    check(p.stdout.decode() == want, "server saw %r, want %r" %
          (p.stdout, want))
    st = stats_of(p.stderr_text)
    check(st["tcp"]["DataBytesOut"] >= len(data), "DataBytesOut %d" %
          st["tcp"]["DataBytesOut"])
    check(st["mempool"]["in_use"] == st["mempool"]["port_held"],
          "mbufs leaked: %s" % st["mempool"])


@test
def method_and_small_body(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s:8080/upload" % PEER_IP, "--data", "hello"])
    expect_ok(p, "POST literal")
    want = "sha256 %s 5\n" % hashlib.sha256(b"hello").hexdigest()
    check(p.stdout.decode() == want, "got %r" % p.stdout)
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s/10M.bin" % PEER_IP, "--method", "HEAD"])
    expect_ok(p, "HEAD")
    check(p.stdout == b"", "HEAD returned a body")


@test
def config_file(ctx):
    cfg = ctx.out("cfg.json")
    with open(cfg, "w") as f:
        json.dump({"ip": OUR_IP, "mtu": 1500,
                   "fetch": "http://%s/1M.bin" % PEER_IP,
                   "output": ctx.out("1M.out"), "timeout": 30,
                   "headers": ["X-From-Config: yes"],
                   "tcp": {"rcvbuf": 262144, "delack_ms": 20},
                   "arp": {"retries": 3}}, f)
    p = ctx.dpfetch(["--config", cfg])
    expect_ok(p, "--config")
    check(sha256_file(ctx.out("1M.out")) == ctx.sums["1M.bin"],
          "1M.bin differs")
    # The example config in conf/ must load too (its fetch is overridden).
    p = ctx.dpfetch(["--config", os.path.join(ROOT, "conf", "dpfetch.json"),
                     "--fetch", "http://%s/index.html" % PEER_IP,
                     "-o", ctx.out("idx.out")])
    expect_ok(p, "conf/dpfetch.json")


# ---- failures ---------------------------------------------------------------

@test
def http_404_exit_1(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s/no-such-file" % PEER_IP])
    expect_fail(p, 1, r"HTTP 404", "404")


@test
def http_503_exit_1(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s:8080/status/503" % PEER_IP])
    expect_fail(p, 1, r"answered HTTP 503", "503")


@test
def closed_port_rst_exit_1(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s:81/" % PEER_IP, "--stats"])
    expect_fail(p, 1, r"connection refused by 198\.18\.0\.1:81 \(RST\)",
                "closed port")
    st = stats_of(p.stderr_text)
    check(st["tcp"]["AttemptFails"] == 1, "AttemptFails %s" % st["tcp"])


@test
def unreachable_next_hop_arp_error(ctx):
    t0 = time.time()
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch", "http://198.18.0.99/",
                     "--arp", "retries=3,retry_ms=200", "--stats"])
    expect_fail(p, 1, r"ARP: no reply from 198\.18\.0\.99 after 3 requests",
                "unreachable host")
    st = stats_of(p.stderr_text)
    check(st["arp"]["tx_requests"] == 3, "tx_requests %d" %
          st["arp"]["tx_requests"])
    check(st["arp"]["resolve_failures"] == 1, "resolve_failures")
    check(time.time() - t0 < 20, "took too long")


@test
def unreachable_gateway_arp_error(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--gateway", "198.18.0.254",
                     "--fetch", "http://198.19.0.1/",
                     "--arp", "retries=2,retry_ms=200"])
    expect_fail(p, 1, r"ARP: no reply from 198\.18\.0\.254 .*gateway",
                "unreachable gateway")


@test
def no_route_without_gateway(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch", "http://198.19.0.1/"])
    expect_fail(p, 1, r"no route to 198\.19\.0\.1", "no route")


@test
def truncated_body_exit_1(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s:8080/truncated" % PEER_IP])
    expect_fail(p, 1, r"closed the connection after 10 of 1000 body bytes",
                "truncated")


@test
def stalled_response_times_out(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s:8080/stall" % PEER_IP, "--timeout", "2"])
    expect_fail(p, 1, r"timed out after 2\.0 s while waiting for the response",
                "stall")


@test
def garbage_response_parse_error(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s:8080/garbage" % PEER_IP, "--stats"])
    expect_fail(p, 1, r"bad HTTP response at byte \d+", "garbage")
    st = stats_of(p.stderr_text)
    check(st["http"]["parse_errors"] == 1, "parse_errors %s" % st["http"])


@test
def usage_errors_exit_2(ctx):
    cases = [
        ([], r"--ip A\.B\.C\.D/N is required"),
        (["--ip", "198.18.0.2/24", "--script", "/dev/null", "--fetch",
          "http://198.18.0.1/"], r"--script and --fetch"),
        (["--ip", "198.18.0.2/24", "--ctl-tcp", "127.0.0.1:7070"],
         r"--ctl-tcp needs --ctl-token"),
        (["--ip", "198.18.0.2/24", "--script", "/nonexistent/x.script"],
         r"x\.script"),
        (["--ip", "198.18.0.300/24", "--fetch", "http://198.18.0.1/"],
         r"not an IPv4 address"),
        (["--ip", "198.18.0.2/24", "--fetch", "https://198.18.0.1/"],
         r"https is not supported"),
        (["--ip", "198.18.0.2/24", "--fetch", "http://example.test/"],
         r"no DNS"),
        (["--ip", "198.18.0.2/24", "--fetch", "http://198.18.0.1/",
          "--bogus"], r"unknown option '--bogus'"),
        (["--ip", "198.18.0.2/24", "--fetch", "http://198.18.0.1/",
          "--mtu", "70000"], r"--mtu"),
        (["--ip", "198.18.0.2/24", "--fetch", "http://198.18.0.1/",
          "--impair", "rx.drop=2"], r"probability"),
        (["--ip", "198.18.0.2/24", "--fetch", "http://198.18.0.1/",
          "--header", "NoColon"], r"--header"),
        (["--config", "/nonexistent/dpfetch.json"], r"config"),
        (["--ip", "198.18.0.2/24", "--fetch", "http://198.18.0.1/",
          "--method", "get me"], r"--method"),
        (["--ip", "198.18.0.2/24", "--fetch", "http://198.18.0.1/",
          "--data", "@/nonexistent/body"], r"--data"),
        (["--ip", "198.18.0.2/24", "--fetch", "http://198.18.0.1/",
          "--stats=3"], r"takes no value"),
    ]
    for args, pattern in cases:
        p = ctx.dpfetch(args, timeout=30)
        expect_fail(p, 2, pattern, " ".join(args) or "(no args)")
    bad = ctx.out("bad.json")
    with open(bad, "w") as f:
        f.write('{"ip": "198.18.0.2/24",\n "mtu": "big"\n')
    p = ctx.dpfetch(["--config", bad], timeout=30)
    expect_fail(p, 2, r"line \d+", "invalid JSON config")
    with open(bad, "w") as f:
        json.dump({"ip": "198.18.0.2/24", "tcp": {"rto_min_ms": "x"}}, f)
    p = ctx.dpfetch(["--config", bad], timeout=30)
    expect_fail(p, 2, r"tcp\.rto_min_ms", "config wrong type")
    p = ctx.dpfetch(["--help"], timeout=30)
    check(p.returncode == 0 and b"--fetch URL" in p.stdout, "--help")


# ---- ARP and ICMP seen from the peer ----------------------------------------

@test
def peer_ping_neighbour_and_gratuitous_arp(ctx):
    cap = ctx.out("garp.pcap")
    # sender IP == target IP: an ARP announcement.
    tcpdump = subprocess.Popen(
        ["ip", "netns", "exec", NS, "tcpdump", "-i", "dpf0p", "-n", "-c", "1",
         "-w", cap, "arp and arp[6:2] = 1 and arp[14:4] = arp[24:4]"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    ns("ip", "neigh", "flush", "dev", "dpf0p")
    # Keep dpfetch busy resolving an absent host for ~4 s while we ping.
    cmd = [ctx.binary] + ctx.eal() + [
        "--", "--ip", OUR_IP, "--fetch", "http://198.18.0.77/",
        "--arp", "retries=16,retry_ms=250", "--stats"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        time.sleep(1.0)
        ping = ns("ping", "-c", "3", "-i", "0.2", "-W", "1", "198.18.0.2",
                  timeout=20)
        neigh = ns("ip", "neigh", "show", "198.18.0.2", "dev", "dpf0p")
    finally:
        out, err = proc.communicate(timeout=60)
        try:
            tcpdump.wait(timeout=5)
        except subprocess.TimeoutExpired:
            tcpdump.kill()
            tcpdump.wait()
    check(ping.returncode == 0 and b" 0% packet loss" in ping.stdout,
          "ping failed:\n" + ping.stdout.decode())
    with open("/sys/class/net/%s/address" % IFACE) as f:
        mac = f.read().strip()
    check(mac in neigh.stdout.decode(),
          "peer neighbour entry %r lacks %s" % (neigh.stdout, mac))
    no_sanitizer_report(err.decode(errors="replace"))
    st = stats_of(err.decode())
    check(st["icmp"]["tx_echo_replies"] >= 3, "echo replies %s" % st["icmp"])
    check(st["arp"]["tx_replies"] >= 1, "no ARP reply sent")
    check(st["arp"]["tx_gratuitous"] == 1, "gratuitous ARP count")
    r = subprocess.run(["tcpdump", "-n", "-r", cap], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    check(b"198.18.0.2" in r.stdout,
          "no ARP announcement captured: %r" % r.stdout)


# ---- passive open: the echo service -------------------------------------------

def end_process(proc, timeout, sig=signal.SIGTERM):
    """Signal proc unless it has ended (sig None: it was asked already),
    wait for it (then kill it), and return its stderr as text."""
    if sig is not None and proc.poll() is None:
        proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err.decode(errors="replace")


def wait_port(proc, port):
    """Until the peer can open a connection to dpfetch's port."""
    deadline = time.time() + 15
    while time.time() < deadline:
        check(proc.poll() is None, "dpfetch exited early")
        r = ns("nc", "-z", "-w", "1", "198.18.0.2", str(port))
        if r.returncode == 0:
            return
        time.sleep(0.2)
    raise Failure("service on port %d never answered" % port)


class Service:
    """dpfetch running a service (--echo) until SIGTERM."""

    def __init__(self, ctx, args):
        self.cmd = [ctx.binary] + ctx.eal() + ["--", "--ip", OUR_IP,
                                               "--stats"] + args
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.stderr_text = ""

    def wait_ready(self, port):
        wait_port(self.proc, port)

    def stop(self):
        self.stderr_text = end_process(self.proc, 30)
        no_sanitizer_report(self.stderr_text)
        check(self.proc.returncode == 0, "exit %d after SIGTERM:\n%s" %
              (self.proc.returncode, self.stderr_text[-3000:]))
        return stats_of(self.stderr_text)


@test
def echo_lines_from_peer(ctx):
    svc = Service(ctx, ["--echo", "7"])
    try:
        svc.wait_ready(7)
        r = ns("nc", "-q", "1", "-w", "5", "198.18.0.2", "7",
               input=b"hello\nworld\n", timeout=20)
    finally:
        st = svc.stop()
    check(r.stdout == b"hello\nworld\n", "echoed %r" % r.stdout)
    check(st["tcp"]["PassiveOpens"] >= 2, "PassiveOpens %s" % st["tcp"])
    check(st["echo"]["bytes"] >= 12, "echo bytes %s" % st["echo"])
    check(st["mempool"]["in_use"] == st["mempool"]["port_held"],
          "mbufs leaked: %s" % st["mempool"])


def echo_bulk_under_loss(ctx, cc):
    data = os.urandom(20 * 1024 * 1024)
    src = ctx.out("echo.in")
    with open(src, "wb") as f:
        f.write(data)
    nft_loss(3)
    svc = Service(ctx, ["--echo", "7", "--tcp", "cc=%s" % cc, "--impair",
                        "seed=3,tx.reorder=0.01,tx.reorder_delay_us=300,"
                        "tx.dup=0.01"])
    try:
        svc.wait_ready(7)
        with open(src, "rb") as f:
            r = ns("nc", "-q", "2", "-w", "30", "198.18.0.2", "7", stdin=f,
                   timeout=240)
    finally:
        nft_clear()
        st = svc.stop()
    check(len(r.stdout) == len(data), "echoed %d of %d bytes (nc: %s)" %
          (len(r.stdout), len(data), r.stderr.decode(errors="replace")))
    check(hashlib.sha256(r.stdout).digest() == hashlib.sha256(data).digest(),
          "echoed bytes differ")
    # Our own sending really went through loss recovery.
    check(st["tcp"]["RetransSegs"] > 0 and st["tcp"]["FastRetrans"] > 0,
          "no retransmissions: %s" % st["tcp"])
    check(st["mempool"]["in_use"] == st["mempool"]["port_held"],
          "mbufs leaked: %s" % st["mempool"])
    print("    %s: retrans %d, fast %d, sack %d, rto %d, tlp %d" % (
        cc, st["tcp"]["RetransSegs"], st["tcp"]["FastRetrans"],
        st["tcp"]["SackRetrans"], st["tcp"]["RtoTimeouts"],
        st["tcp"]["TailLossProbes"]))


@test
def echo_20M_under_loss_newreno(ctx):
    echo_bulk_under_loss(ctx, "newreno")


@test
def echo_20M_under_loss_cubic(ctx):
    echo_bulk_under_loss(ctx, "cubic")


# ---- the built-in HTTP server ----------------------------------------------------

def pattern_bytes(n):
    """What GET /bytes/N returns: byte i is (i * 131 + 7) mod 256."""
    block = bytes((i * 131 + 7) & 0xff for i in range(256))
    return block * (n // 256) + block[:n % 256]


@test
def listen_serves_curl_and_keepalive(ctx):
    svc = Service(ctx, ["--listen", "80"])
    try:
        svc.wait_ready(80)
        n = 3 * 1024 * 1024 + 77
        r = ns("curl", "-sS", "--noproxy", "*", "-o", "-",
               "http://198.18.0.2/bytes/%d" % n, timeout=60)
        check(r.returncode == 0, "curl: %s" % r.stderr.decode())
        check(r.stdout == pattern_bytes(n), "body of /bytes/%d differs" % n)
        r = ns("curl", "-sS", "--noproxy", "*", "-o", "/dev/null", "-w",
               "%{http_code}\n", "http://198.18.0.2/nothing-here",
               timeout=30)
        check(r.stdout == b"404\n", "wanted 404, got %r" % r.stdout)
        # Three requests pipelined on one connection, then a HEAD.
        script = (
            "import socket\n"
            "s = socket.create_connection(('198.18.0.2', 80), timeout=10)\n"
            "s.sendall(b'GET /bytes/10 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'"
            " b'POST /bytes/5 HTTP/1.1\\r\\nHost: x\\r\\n"
            "Content-Length: 3\\r\\n\\r\\nabc'"
            " b'HEAD / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close"
            "\\r\\n\\r\\n')\n"
            "data = b''\n"
            "while True:\n"
            "    b = s.recv(65536)\n"
            "    if not b:\n"
            "        break\n"
            "    data += b\n"
            "print(data.count(b'HTTP/1.1 200 OK'), len(data))\n")
        r = ns("/usr/bin/python3", "-c", script, timeout=30)
        out = r.stdout.decode().split()
        check(r.returncode == 0 and out and out[0] == "3",
              "pipelined requests: %r %r" % (r.stdout, r.stderr))
    finally:
        st = svc.stop()
    check(st["httpd"]["requests"] >= 5, "httpd %s" % st["httpd"])
    check(st["httpd"]["status_4xx"] == 1, "httpd %s" % st["httpd"])
    check(st["mempool"]["in_use"] == st["mempool"]["port_held"],
          "mbufs leaked: %s" % st["mempool"])


@test
def listen_with_every_received_packet_duplicated(ctx):
    """Every frame the server receives arrives twice in the same burst
    (--impair rx.dup=1): the duplicate SYN must find the connection its
    original just opened, though the burst's lookup found none for
    either.  Were it to open a second one, that one would replace the
    first in the table and the first would live on outside it: counted
    among the lcore's connections, but not in conn.list."""
    conns = 5
    d = Daemon(ctx, extra=["--listen", "80", "--impair", "seed=5,rx.dup=1"])
    try:
        wait_port(d.proc, 80)
        for i in range(conns):
            n = 100000 + i
            r = ns("curl", "-sS", "--noproxy", "*", "-o", "-",
                   "http://198.18.0.2/bytes/%d" % n, timeout=60)
            check(r.returncode == 0, "curl %d: %s" % (i, r.stderr.decode()))
            check(r.stdout == pattern_bytes(n), "body of /bytes/%d" % n)
        # well within the 1 s a stray SYN_RECEIVED waits to retransmit
        time.sleep(0.2)
        counted = sum(lc["connections"] for lc in
                      d.ctl("stats", "scope=lcore")["lcores"])
        listed = d.ctl("conns", "limit=100000")["total"]
        check(counted == listed, "%d connections counted, %d in the table"
              % (counted, listed))
    finally:
        st = d.stop()
    # One passive open per connection established (curl's, and the
    # port probes'), none for a duplicate SYN.
    check(st["impair"]["rx_duplicated"] > 0, "impair %s" % st["impair"])
    check(st["tcp"]["PassiveOpens"] == st["httpd"]["connections"] >=
          conns, "%d passive opens for %d connections: %s" % (
              st["tcp"]["PassiveOpens"], st["httpd"]["connections"],
              st["tcp"]))
    check(st["httpd"]["requests"] == conns, "httpd %s" % st["httpd"])
    check(st["mempool"]["in_use"] == st["mempool"]["port_held"],
          "mbufs leaked: %s" % st["mempool"])


@test
def listen_rejects_bad_requests(ctx):
    svc = Service(ctx, ["--listen", "80"])
    try:
        svc.wait_ready(80)
        script = (
            "import socket\n"
            "s = socket.create_connection(('198.18.0.2', 80), timeout=10)\n"
            "s.sendall(b'GET / HTTP/2.0\\r\\n\\r\\n')\n"
            "print(s.recv(4096).split(b'\\r\\n')[0].decode())\n")
        r = ns("/usr/bin/python3", "-c", script, timeout=30)
        check(r.stdout.strip() == b"HTTP/1.1 505 HTTP Version Not Supported",
              "got %r %r" % (r.stdout, r.stderr))
        # The server goes on serving after a bad client.
        r = ns("curl", "-sS", "--noproxy", "*", "http://198.18.0.2/bytes/3",
               timeout=30)
        check(r.stdout == pattern_bytes(3), "then: %r" % r.stdout)
    finally:
        st = svc.stop()
    check(st["httpd"]["parse_errors"] == 1, "httpd %s" % st["httpd"])


def memif_fetch_pattern(ctx, n, server_extra=()):
    """Fetch /bytes/n from a dpfetch server over net_memif, compare the
    body byte for byte; returns the server's and the client's stats."""
    sock = "/run/dpf-it-memif-%d.sock" % os.getpid()
    server = [ctx.binary, "-l", "0", "--no-huge", "-m", "512", "--no-pci",
              "--file-prefix", ctx.prefix(), "--log-level", "warning",
              "--vdev=net_memif0,role=server,socket=%s,rsize=12" % sock,
              "--", "--ip", "198.18.2.1/24", "--listen", "80",
              "--stats"] + list(server_extra)
    srv = subprocess.Popen(server, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    out = ctx.out("memif.out")
    try:
        time.sleep(1.0)
        check(srv.poll() is None, "memif server exited early")
        p = ctx.dpfetch(["--ip", "198.18.2.2/24", "--fetch",
                         "http://198.18.2.1/bytes/%d" % n, "-o", out,
                         "--stats"],
                        eal=["-l", "1", "--no-huge", "-m", "512",
                             "--no-pci", "--file-prefix", ctx.prefix(),
                             "--log-level", "warning",
                             "--vdev=net_memif0,role=client,socket=%s,"
                             "rsize=12" % sock])
    finally:
        if srv.poll() is None:
            srv.send_signal(signal.SIGTERM)
        _, err = srv.communicate(timeout=30)
        subprocess.run(["rm", "-f", sock])
        subprocess.run(["sh", "-c", "rm -rf /var/run/dpdk/dpf-it-%d-*" %
                        os.getpid()])
    expect_ok(p, "memif fetch")
    with open(out, "rb") as f:
        got = hashlib.sha256(f.read()).hexdigest()
    check(got == hashlib.sha256(pattern_bytes(n)).hexdigest(),
          "body of /bytes/%d over memif differs" % n)
    no_sanitizer_report(err.decode(errors="replace"))
    st = stats_of(err.decode(errors="replace"))
    check(st["httpd"]["requests"] == 1, "server httpd %s" % st["httpd"])
    check_mbufs_back(st, "server")
    print("    " + [l for l in p.stderr_text.splitlines()
                    if l.startswith("dpfetch: HTTP")][0])
    return st, stats_of(p.stderr_text)


@test
def memif_two_dpfetch_stack_only(ctx):
    """A dpfetch client and a dpfetch server joined by net_memif: no
    kernel on the path at all."""
    memif_fetch_pattern(ctx, 100 * 1024 * 1024)


@test
def memif_pattern_body_under_loss(ctx):
    """The built-in server sends /bytes/N by reference to one shared
    pattern buffer; with its own transmissions dropped, reordered and
    corrupted, what it retransmits from that buffer must still arrive
    byte for byte (odd body size: pieces at odd offsets)."""
    st, _ = memif_fetch_pattern(
        ctx, 20 * 1024 * 1024 + 12345,
        ["--impair", "seed=4,tx.drop=0.02,tx.reorder=0.01,"
         "tx.reorder_delay_us=300,tx.corrupt=0.01"])
    check(st["tcp"]["RetransSegs"] > 0 and st["impair"]["tx_dropped"] > 0,
          "no retransmissions: %s %s" % (st["tcp"], st["impair"]))
    print("    retransmitted %d segments (%d SACK)" % (
        st["tcp"]["RetransSegs"], st["tcp"]["SackRetrans"]))


# ---- load jobs ---------------------------------------------------------------

ACCESS_LOG = "/run/dpf-testbed/access.log"


def sanitized(ctx):
    return "san" in os.path.basename(os.path.dirname(os.path.dirname(
        ctx.binary)))


def access_log_lines():
    with open(ACCESS_LOG, "rb") as f:
        return sum(1 for _ in f)


def eal_2lcores(ctx):
    return ["-l", "0-1", "--no-pci", "--file-prefix", ctx.prefix(),
            "--log-level", "warning", "--no-huge", "-m", "1024",
            "--vdev=net_af_packet0,iface=%s,qpairs=2" % IFACE]


def job_result(ctx, p, out):
    with open(out) as f:
        r = json.load(f)
    os.unlink(out)
    return r


def check_no_errors(r, what):
    bad = {k: v for k, v in r["errors"].items() if v}
    check(not bad and r["requests_failed"] == 0,
          "%s: errors %s, failed %d, first error %s" %
          (what, bad, r["requests_failed"], r.get("first_error")))


def check_mbufs_back(st, what):
    check(st["mempool"]["in_use"] == st["mempool"]["port_held"],
          "%s: mbufs leaked: %d in use at exit, the driver held %d" %
          (what, st["mempool"]["in_use"], st["mempool"]["port_held"]))


def nginx_job_2lcores(ctx, rpc):
    """256 connections, 100,000 requests against nginx from two worker
    lcores on one af_packet port with two queue pairs (the kernel's
    fanout hash picks the queue, so replies are handed between lcores
    in software)."""
    n = 100000
    out = ctx.out("job.json")
    before = access_log_lines()
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s/index.html" % PEER_IP,
                     "--connections", "256", "--requests", str(n),
                     "--requests-per-connection", str(rpc),
                     "-o", out, "--stats"], eal=eal_2lcores(ctx),
                    timeout=600)
    expect_ok(p, "job rpc=%d" % rpc)
    r = job_result(ctx, p, out)
    st = stats_of(p.stderr_text)
    check_no_errors(r, "job")
    check(r["state"] == "done", "state %s" % r["state"])
    check(r["requests_sent"] == n and r["responses"]["2xx"] == n and
          r["responses"]["by_code"] == {"200": n},
          "requests %d, responses %s" % (r["requests_sent"],
                                        r["responses"]))
    # nginx's own count of what it answered.
    time.sleep(0.5)
    logged = access_log_lines() - before
    check(logged == n, "nginx logged %d requests, dpfetch sent %d" %
          (logged, n))
    lat = r["latency_us"]["total"]
    check(lat["count"] == n and 0 < lat["min"] <= lat["p50"] <= lat["p99"]
          <= lat["max"], "latency summary %s" % lat)
    check(sum(e["rps"] for e in r["series"]) <= n, "series %s" % r["series"])
    if rpc == 1:
        check(r["connections_opened"] == n,
              "%d connections for %d requests" % (r["connections_opened"], n))
    else:
        check(r["connections_opened"] == 256,
              "%d connections opened" % r["connections_opened"])
    # Both lcores carried traffic, and packets crossed between them.
    check(st["port"]["rx_handoff_in"] > 0 and
          st["port"]["rx_handoff_drops"] == 0, "handoff %s" % st["port"])
    check_mbufs_back(st, "job")
    print("    rpc=%d: %.0f req/s, p50 %d us, p99 %d us, handoffs %d" %
          (rpc, r["rates"]["rps"], lat["p50"], lat["p99"],
           st["port"]["rx_handoff_in"]))


@test
def job_2lcores_nginx_keepalive_100k(ctx):
    nginx_job_2lcores(ctx, 0)


@test
def job_2lcores_nginx_one_request_per_connection_100k(ctx):
    nginx_job_2lcores(ctx, 1)


@test
def job_options_and_errors(ctx):
    """Several URLs round-robin, pacing, bad job parameters."""
    out = ctx.out("job.json")
    t0 = time.time()
    p = ctx.dpfetch(["--ip", OUR_IP,
                     "--fetch", "http://%s/index.html" % PEER_IP,
                     "--fetch", "http://%s/no-such-file" % PEER_IP,
                     "--connections", "16", "--duration", "2",
                     "--rate-rps", "500", "-o", out])
    took = time.time() - t0
    r = job_result(ctx, p, out)
    # 404s are responses, not errors: the job succeeds.
    expect_ok(p, "paced job")
    check(r["responses"]["by_code"].get("404", 0) > 0 and
          r["responses"]["by_code"].get("200", 0) > 0,
          "round robin: %s" % r["responses"])
    # 500 requests/s for 2 s, spread evenly (no burst at the start).
    check(850 <= r["requests_sent"] <= 1050, "paced %d requests" %
          r["requests_sent"])
    first = r["series"][0]["requests"] if r["series"] else 0
    check(first <= 600, "first second carried %d requests" % first)
    check(took < 30, "took %.1f s" % took)
    for args, pattern in [
            (["--connections", "0"], r"connections: 0 is outside"),
            (["--duration", "x"], r"--duration: 'x' is not a number"),
            (["--lcores", "7"], r"lcores: 7 is not one of dpfetch's lcores"),
            (["--src-ips", "10.0.0.1-10.0.0.9"], r"src_ips: outside"),
            (["--pipeline", "100"], r"pipeline: 100 is outside")]:
        p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                         "http://%s/" % PEER_IP] + args)
        expect_fail(p, 2, pattern, " ".join(args))


@test
def job_source_address_range(ctx):
    """Connections from a range of client addresses that dpfetch answers
    ARP for: the kernel peer sees them all."""
    out = ctx.out("job.json")
    ns("ip", "neigh", "flush", "dev", "dpf0p")
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s/index.html" % PEER_IP,
                     "--src-ips", "198.18.0.100-198.18.0.115",
                     "--connections", "64", "--requests", "640", "-o", out])
    expect_ok(p, "source range")
    r = job_result(ctx, p, out)
    check_no_errors(r, "source range")
    neigh = ns("ip", "-4", "neigh", "show", "dev", "dpf0p").stdout.decode()
    seen = set(re.findall(r"198\.18\.0\.(\d+) ", neigh))
    want = set(str(i) for i in range(100, 116))
    check(want <= seen, "peer's neighbours %s lack %s" %
          (sorted(seen), sorted(want - seen)))


class MemifServer:
    """A dpfetch --listen server on a memif socket (role=server)."""

    def __init__(self, ctx, sock, lcore="0", extra=(), pin=None):
        # pin: a CPU for every thread of the process (taskset), so that
        # EAL's control threads preempt the worker
        self.cmd = ([] if pin is None else ["taskset", "-c", pin]) + [
                    ctx.binary, "-l", lcore, "--no-huge", "-m", "1024",
                    "--no-pci", "--file-prefix", ctx.prefix(),
                    "--log-level", "warning",
                    "--vdev=net_memif0,role=server,socket=%s,rsize=12" % sock,
                    "--", "--ip", "198.18.2.1/24", "--listen", "80",
                    "--stats", "--mbufs", "65535"] + list(extra)
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.stderr_text = ""

    def stop(self, sig=signal.SIGTERM):
        self.stderr_text = end_process(self.proc, 60, sig)
        return self.proc.returncode


def memif_client_eal(ctx, sock, lcore="1", mem="1024"):
    return ["-l", lcore, "--no-huge", "-m", mem, "--no-pci",
            "--file-prefix", ctx.prefix(), "--log-level", "warning",
            "--vdev=net_memif0,role=client,socket=%s,rsize=12" % sock]


def memif_job(ctx, tag, path, job_args, timeout=300):
    """A job of the client dpfetch against /PATH of a dpfetch server over
    memif; the server is stopped (and checked) before this returns.
    Returns the client's run and the server."""
    sock = "/run/dpf-it-memif%s-%d.sock" % (tag, os.getpid())
    srv = MemifServer(ctx, sock)
    try:
        time.sleep(1.0)
        check(srv.proc.poll() is None, "memif server exited early")
        p = ctx.dpfetch(["--ip", "198.18.2.2/24", "--fetch",
                         "http://198.18.2.1" + path] + list(job_args) +
                        ["--stats", "--mbufs", "65535"],
                        eal=memif_client_eal(ctx, sock), timeout=timeout)
    finally:
        code = srv.stop()
        subprocess.run(["rm", "-f", sock])
    no_sanitizer_report(srv.stderr_text)
    check(code == 0, "server exit %d: %s" % (code, srv.stderr_text[-2000:]))
    return p, srv


@test
def memif_job_10k_connections(ctx):
    """10,000 concurrent keep-alive connections between two dpfetch."""
    out = ctx.out("job.json")
    p, srv = memif_job(ctx, "10k", "/bytes/64",
                       ["--connections", "10000", "--duration", "4",
                        "--ramp", "1", "-o", out])
    expect_ok(p, "10k connections")
    r = job_result(ctx, p, out)
    check_no_errors(r, "10k")
    check(r["connections_established"] == 10000,
          "established %d" % r["connections_established"])
    check(max(e["open"] for e in r["series"]) == 10000,
          "open per second %s" % [e["open"] for e in r["series"]])
    check(r["responses"]["2xx"] == r["requests_sent"] -
          r["requests_cancelled"], "responses %s of %d sent, %d cancelled"
          % (r["responses"], r["requests_sent"], r["requests_cancelled"]))
    st = stats_of(p.stderr_text)
    check_mbufs_back(st, "client")
    sst = stats_of(srv.stderr_text)
    check(sst["httpd"]["requests"] >= r["responses"]["2xx"],
          "server answered %d" % sst["httpd"]["requests"])
    check_mbufs_back(sst, "server")
    print("    %.0f req/s over 10,000 connections, p99 %d us" %
          (r["rates"]["rps"], r["latency_us"]["total"]["p99"]))


@test
def memif_job_server_dies_midway(ctx):
    """The server is stopped while 10,000 connections are busy: it resets
    them as it goes (as a kernel does for a dying process), then nothing
    answers.  The client counts the resets, then the timeouts of what it
    sent meanwhile, and ends its run on time."""
    sock = "/run/dpf-it-memifdie-%d.sock" % os.getpid()
    srv = MemifServer(ctx, sock)
    out = ctx.out("job.json")
    client = None
    err = b""
    try:
        time.sleep(1.0)
        cmd = [ctx.binary] + memif_client_eal(ctx, sock) + [
            "--", "--ip", "198.18.2.2/24", "--fetch",
            "http://198.18.2.1/bytes/64", "--connections", "10000",
            "--duration", "8", "--ramp", "1",
            "--connect-timeout-ms", "1000", "--response-timeout-ms", "1000",
            "-o", out, "--stats", "--mbufs", "65535"]
        t0 = time.time()
        client = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        time.sleep(4)
        code = srv.stop()
        _, err = client.communicate(timeout=300)
        took = time.time() - t0
    finally:
        if client is not None and client.poll() is None:
            client.kill()
            client.communicate()
        if srv.proc.poll() is None:
            srv.stop(signal.SIGKILL)
        subprocess.run(["rm", "-f", sock])
        ctx.clean_runtime_dirs()
    text = err.decode(errors="replace")
    no_sanitizer_report(text)
    no_sanitizer_report(srv.stderr_text)
    check(code == 0, "server exit %d" % code)
    sst = stats_of(srv.stderr_text)
    check(sst["tcp"]["EstabResets"] > 0, "the server reset nothing: %s" %
          sst["tcp"])
    check(client.returncode == 1, "client exit %d (errors expected): %s" %
          (client.returncode, text[-2000:]))
    check(took < 60, "the client took %.1f s for an 8 s job" % took)
    r = job_result(ctx, None, out)
    e = r["errors"]
    check(r["state"] == "done", "state %s" % r["state"])
    check(e["reset"] > 0, "no resets counted: %s (client %s, server %s %s)" % (e, {k: stats_of(text)["tcp"][k] for k in ("InRsts", "ChallengeAcks", "EstabResets")}, sst["port"], sst["tcp"]["OutRsts"]))
    # New connections to the dead server time out: the memif whose peer
    # is gone takes nothing, and what waits for it is dropped once the
    # port has stalled, so the job goes on opening and TCP's timers run.
    st = stats_of(text)
    check(e["connect_timeout"] > 0, "no connect timeouts: %s" % e)
    check(st["port"]["tx_stall_drops"] > 0,
          "no stalled-port drops: %s" % st["port"])
    rps = [x["rps"] for x in r["series"]]
    check(rps[1] > 0 and rps[-1] == 0, "responses per second %s" % rps)
    check_mbufs_back(st, "client")
    print("    errors %s, rps %s" % ({k: v for k, v in e.items() if v}, rps))




@test
def memif_server_survives_peers_killed_midstream(ctx):
    """Clients killed in the middle of their traffic, one after another.
    Each time, the server's memif unmaps the regions it shared with the
    dead peer from EAL's interrupt thread, while the worker may be reading
    them; the server runs pinned to one CPU with that thread, which
    preempts the worker anywhere.  DPDK 22.11's memif does not wait for
    the data path, dpfetch's munmap() guard does (lib/quiesce.h): without
    it the server segfaults within a few kills."""
    sock = "/run/dpf-it-memifkill-%d.sock" % os.getpid()
    srv = MemifServer(ctx, sock, pin="0")
    kills = 25
    try:
        time.sleep(1.0)
        check(srv.proc.poll() is None, "memif server exited early")
        for i in range(kills):
            cmd = [ctx.binary] + memif_client_eal(ctx, sock) + [
                "--", "--ip", "198.18.2.2/24", "--fetch",
                "http://198.18.2.1/bytes/1048576", "--connections", "16",
                "--duration", "30", "-o", "/dev/null"]
            client = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            try:
                time.sleep(0.7)
            finally:
                client.kill()
                client.wait()
                ctx.clean_runtime_dirs()
            if srv.proc.poll() is not None:
                code = srv.stop()
                check(False, "server died (exit %d) at kill %d of %d: %s" %
                      (code, i + 1, kills, srv.stderr_text[-1500:]))
        # and it still serves the next peer
        p = ctx.dpfetch(["--ip", "198.18.2.2/24", "--fetch",
                         "http://198.18.2.1/bytes/100000", "-o",
                         ctx.out("after.bin")],
                        eal=memif_client_eal(ctx, sock), timeout=60)
        expect_ok(p, "fetch after the kills")
        check(os.path.getsize(ctx.out("after.bin")) == 100000,
              "body of %d bytes" % os.path.getsize(ctx.out("after.bin")))
    finally:
        code = srv.stop()
        subprocess.run(["rm", "-f", sock])
    no_sanitizer_report(srv.stderr_text)
    check(code == 0, "server exit %d: %s" % (code, srv.stderr_text[-2000:]))


@test
def memif_bulk_sender_respects_the_port(ctx):
    """16 connections downloading 1 MiB bodies as fast as they go: the
    server's TCP outruns the memif ring, so it must hold new data back
    while its TX backlog is full (TxBacklogDefers) instead of losing
    frames and retransmitting them."""
    out = ctx.out("job.json")
    p, srv = memif_job(ctx, "bulk", "/bytes/1048576",
                       ["--connections", "16", "--duration", "3",
                        "-o", out], timeout=120)
    expect_ok(p, "bulk over memif")
    r = job_result(ctx, p, out)
    check_no_errors(r, "bulk")
    check(r["body_bytes"] >= r["responses"]["2xx"] * 1048576,
          "body bytes %d for %d responses" % (r["body_bytes"],
                                              r["responses"]["2xx"]))
    sst = stats_of(srv.stderr_text)
    check(sst["port"]["tx_full_drops"] == 0,
          "the server dropped %d frames with its backlog full (%d "
          "retransmitted)" % (sst["port"]["tx_full_drops"],
                              sst["tcp"]["RetransSegs"]))
    check_mbufs_back(sst, "server")
    print("    %.1f Gbit/s; server held data back %d times, retransmitted "
          "%d segments" % (r["rates"]["gbps"], sst["tcp"]["TxBacklogDefers"],
                           sst["tcp"]["RetransSegs"]))

# ---- segmentation offloads: two dpfetch over vhost-user --------------------

def check_virtio_mbufs_back(st, what):
    """virtio frees what it sent only when it needs the TX descriptors
    again (and has no tx_done_cleanup), so at exit its 1024-slot TX ring
    may still hold sent frames, each a header mbuf and the pieces of its
    payload: a leak shows as more than that."""
    extra = st["mempool"]["in_use"] - st["mempool"]["port_held"]
    check(0 <= extra <= 1024 * 4,
          "%s: %d mbufs in use at exit, the driver held %d" %
          (what, st["mempool"]["in_use"], st["mempool"]["port_held"]))


def vhost_pair(ctx, vhost_args, virtio_args, vhost_waits=True):
    """Two dpfetch joined by vhost-user: one on net_vhost (tso=1, the
    socket's server; lcore 0, 198.18.6.2) and one on net_virtio_user
    (lcore 1, 198.18.6.1).  virtio offers TSO and LRO, and vhost carries
    a TSO segment across whole, handing it on as one LRO segment; so a
    sender on virtio exercises TSO and a receiver on vhost LRO, and the
    other way round a TSO frame from virtio reaches vhost merged.  The
    vhost process runs vhost_args (it must end by itself when
    vhost_waits, else it is stopped); the virtio one runs virtio_args
    until the vhost one ends.  Returns (vhost run, virtio run) as
    (returncode, stderr text)."""
    sock = "/run/dpf-it-vhost-%d.sock" % os.getpid()
    subprocess.run(["rm", "-f", sock])

    def eal(lcore, vdev):
        return [ctx.binary, "-l", lcore, "--no-huge", "-m", "1024",
                "--no-pci", "--file-prefix", ctx.prefix(),
                "--log-level", "warning", "--vdev=" + vdev, "--"]

    vh = subprocess.Popen(
        eal("0", "net_vhost0,iface=%s,tso=1" % sock) +
        ["--ip", "198.18.6.2/24", "--stats", "--arp", "retries=10"] +
        list(vhost_args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    vu = None
    try:
        deadline = time.time() + 10
        while not os.path.exists(sock) and time.time() < deadline:
            check(vh.poll() is None, "vhost dpfetch exited early")
            time.sleep(0.1)
        vu = subprocess.Popen(
            eal("1", "net_virtio_user0,path=%s,queue_size=1024" % sock) +
            ["--ip", "198.18.6.1/24", "--stats", "--arp", "retries=10"] +
            list(virtio_args), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        if vhost_waits:
            try:
                vh.wait(timeout=120)
            except subprocess.TimeoutExpired:
                pass
        else:
            try:
                vu.wait(timeout=120)
            except subprocess.TimeoutExpired:
                pass
    finally:
        first, second = (vh, vu) if vhost_waits else (vu, vh)
        err1 = end_process(first, 30) if first is not None else ""
        err2 = end_process(second, 30) if second is not None else ""
        subprocess.run(["rm", "-f", sock])
        ctx.clean_runtime_dirs()
    vh_err, vu_err = (err1, err2) if vhost_waits else (err2, err1)
    no_sanitizer_report(vh_err)
    no_sanitizer_report(vu_err)
    return ((vh.returncode, vh_err),
            (vu.returncode if vu is not None else None, vu_err))


@test
def tso_and_lro_between_two_dpfetch_over_vhost(ctx):
    """Where the port segments and coalesces (virtio over vhost-user
    offers TSO and LRO), TCP hands it segments of many MSS and takes
    merged ones: a download from a server on virtio (TSO) to a client on
    vhost (LRO), with the client dropping and reordering what arrives so
    that merged segments are lost and retransmitted, byte for byte; an
    upload the other way; and with --tcp tso=0 no large segment at all."""
    n = 20 * 1024 * 1024 + 12345
    out = ctx.out("tso.out")
    (vrc, verr), (src, serr) = vhost_pair(
        ctx, ["--fetch", "http://198.18.6.1/bytes/%d" % n, "-o", out,
              "--timeout", "60", "--impair",
              "seed=5,rx.drop=0.01,rx.reorder=0.01"],
        ["--listen", "80"])
    check(vrc == 0, "download: exit %s:\n%s" % (vrc, verr[-3000:]))
    check(src == 0, "server: exit %s:\n%s" % (src, serr[-3000:]))
    with open(out, "rb") as f:
        check(f.read() == pattern_bytes(n), "downloaded body differs")
    os.unlink(out)
    cst, sst = stats_of(verr), stats_of(serr)
    check(sst["tcp"]["TsoSends"] > 0, "server sent no TSO segment: %s" %
          sst["tcp"])
    check(sst["tcp"]["OutSegs"] > 2 * sst["tcp"]["TsoSends"],
          "OutSegs %d does not count the wire segments of %d TSO sends" %
          (sst["tcp"]["OutSegs"], sst["tcp"]["TsoSends"]))
    check(cst["tcp"]["LroSegsIn"] > 0, "client took no merged segment: %s"
          % cst["tcp"])
    check(cst["impair"]["rx_dropped"] > 0 and sst["tcp"]["RetransSegs"] > 0,
          "nothing lost and retransmitted: %s %s" % (cst["impair"],
                                                     sst["tcp"]))
    check(cst["tcp"]["InCsumErrors"] == 0 and sst["tcp"]["InCsumErrors"] == 0,
          "checksum errors")
    check_virtio_mbufs_back(sst, "server")
    check_mbufs_back(cst, "client")
    print("    download: %d TSO sends for %d segments; %d merged segments "
          "in, %d retransmitted" % (
              sst["tcp"]["TsoSends"], sst["tcp"]["OutSegs"],
              cst["tcp"]["LroSegsIn"], sst["tcp"]["RetransSegs"]))

    body = os.urandom(8 * 1024 * 1024 + 7)
    up = ctx.out("upload.bin")
    with open(up, "wb") as f:
        f.write(body)
    (vrc, verr), (crc, cerr) = vhost_pair(
        ctx, ["--listen", "80"],
        ["--fetch", "http://198.18.6.2/", "--data", "@" + up, "-o",
         ctx.out("upload.resp")], vhost_waits=False)
    os.unlink(up)
    check(crc == 0, "upload: exit %s:\n%s" % (crc, cerr[-3000:]))
    check(vrc == 0, "server: exit %s:\n%s" % (vrc, verr[-3000:]))
    cst, sst = stats_of(cerr), stats_of(verr)
    check(cst["tcp"]["TsoSends"] > 0, "client sent no TSO segment")
    check(sst["tcp"]["LroSegsIn"] > 0, "server took no merged segment")
    check(sst["tcp"]["DataBytesIn"] > len(body) and
          sst["httpd"]["status_2xx"] == 1,
          "server read %d bytes, httpd %s" % (sst["tcp"]["DataBytesIn"],
                                              sst["httpd"]))
    check_mbufs_back(sst, "server")
    check_virtio_mbufs_back(cst, "client")

    (vrc, verr), (src, serr) = vhost_pair(
        ctx, ["--fetch", "http://198.18.6.1/bytes/1000000", "-o",
              ctx.out("notso.out")], ["--listen", "80", "--tcp", "tso=0"])
    check(vrc == 0, "tso=0 download: exit %s:\n%s" % (vrc, verr[-3000:]))
    sst = stats_of(serr)
    check(sst["tcp"]["TsoSends"] == 0 and sst["tcp"]["OutSegs"] >= 690,
          "tso=0 still sent large segments: %s" % sst["tcp"])


@test
def tap_serves_kernel_curl_any_size(ctx):
    """dpfetch's server on net_tap, the kernel's TCP (curl) downloading
    from it through the tap.  net_tap offers TCP checksum offload but
    computes it wrongly across chain pieces of odd length (a response
    head of odd size, then the body), so on it dpfetch sends whole
    frames; before, sizes whose head came out odd stalled in
    retransmissions the kernel dropped as bad checksums.  The tap lives
    in the root namespace with 198.18.5.1/24 on the kernel's end, and
    goes away with dpfetch."""
    tap = "dpft%d" % (os.getpid() % 10000)
    cmd = [ctx.binary, "-l", "0", "--no-huge", "-m", "512", "--no-pci",
           "--file-prefix", ctx.prefix(), "--log-level", "error",
           "--vdev=net_tap0,iface=" + tap, "--", "--ip", "198.18.5.2/24",
           "--listen", "80", "--stats"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    sizes = (1000000, 5 * 1024 * 1024 + 999, 10000000)
    out = ctx.out("tap.out")
    try:
        deadline = time.time() + 15
        while subprocess.run(["ip", "link", "show", tap],
                             capture_output=True).returncode != 0:
            check(proc.poll() is None and time.time() < deadline,
                  "no tap interface %s" % tap)
            time.sleep(0.1)
        subprocess.run(["ip", "addr", "add", "198.18.5.1/24", "dev", tap],
                       check=True)
        subprocess.run(["ip", "link", "set", tap, "up"], check=True)
        for n in sizes:
            r = subprocess.run(["curl", "-s", "-m", "20", "--retry", "3",
                                "--retry-connrefused", "-o", out,
                                "http://198.18.5.2/bytes/%d" % n],
                               capture_output=True)
            check(r.returncode == 0, "curl /bytes/%d over the tap: exit %d"
                  % (n, r.returncode))
            with open(out, "rb") as f:
                check(f.read() == pattern_bytes(n),
                      "/bytes/%d over the tap differs" % n)
    finally:
        err = end_process(proc, 30)
    no_sanitizer_report(err)
    check(proc.returncode == 0, "dpfetch exit %d:\n%s" % (proc.returncode,
                                                          err[-3000:]))
    os.unlink(out)
    st = stats_of(err)
    check(st["tcp"]["RtoTimeouts"] == 0, "retransmission timeouts: %s" %
          st["tcp"])
    check_mbufs_back(st, "tap server")


@test
def memif_time_wait_capped(ctx):
    """One request per connection as fast as it goes: the server closes
    first, so every connection leaves a TIME_WAIT there.  At most a
    quarter of --max-conns stay in TIME_WAIT (the oldest are recycled),
    so the table never fills with them and no connection fails."""
    sock = "/run/dpf-it-memiftw-%d.sock" % os.getpid()
    srv_ctl = "/run/dpf-it-memiftw-%d.ctl" % os.getpid()
    srv = MemifServer(ctx, sock, extra=["--max-conns", "8192",
                                        "--ctl", srv_ctl])
    out = ctx.out("job.json")
    client = None
    try:
        time.sleep(1.0)
        check(srv.proc.poll() is None, "memif server exited early")
        cmd = [ctx.binary] + memif_client_eal(ctx, sock) + [
            "--", "--ip", "198.18.2.2/24", "--fetch",
            "http://198.18.2.1/bytes/64", "--connections", "64",
            "--requests-per-connection", "1", "--duration", "4",
            "-o", out, "--stats"]
        client = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        time.sleep(2.5)
        tw = ctl_json(ctx, srv_ctl, "conns", "state=TIME_WAIT", "limit=1")
        mid = ctl_json(ctx, srv_ctl, "stats")["tcp"]
        _, err = client.communicate(timeout=120)
    finally:
        if client is not None and client.poll() is None:
            client.kill()
            client.communicate()
        code = srv.stop()
        subprocess.run(["rm", "-f", sock, srv_ctl])
    no_sanitizer_report(srv.stderr_text)
    check(code == 0, "server exit %d" % code)
    check(client.returncode == 0, "client exit %d: %s" % (
        client.returncode, err.decode(errors="replace")[-1500:]))
    r = job_result(ctx, None, out)
    check_no_errors(r, "TIME_WAIT cap")
    check(0 < tw["total"] <= 2048, "%d connections in TIME_WAIT, cap 2048"
          % tw["total"])
    check(mid["TimeWaitRecycled"] > 0, "nothing recycled: %s" % mid)
    print("    %.0f conn/s; %d in TIME_WAIT mid-run, %d recycled" % (
        r["rates"]["cps"], tw["total"], mid["TimeWaitRecycled"]))

def ctl_json(ctx, sock, *args):
    """dpfetchctl --json against a running dpfetch."""
    ctl = os.path.join(os.path.dirname(ctx.binary), "dpfetchctl")
    r = subprocess.run([ctl, "-s", sock, "--json"] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    check(r.returncode == 0, "dpfetchctl %s: %s" % (" ".join(args),
                                                  r.stderr.decode()))
    return json.loads(r.stdout)


@test
def memif_million_connections(ctx):
    """1,000,000 concurrent connections from one dpfetch to another over
    memif (one lcore each), held for 30 s with light keep-alive traffic,
    then closed in order; the connection memory is read from both over
    the control channel while they are held.  (100,000 for 10 s in the
    sanitizer build.)"""
    n, hold, ramp = (100000, 10, 3) if sanitized(ctx) else (1000000, 30, 5)
    duration = ramp + hold + 5
    sock = "/run/dpf-it-million-%d.sock" % os.getpid()
    srv_ctl = "/run/dpf-it-million-srv-%d.ctl" % os.getpid()
    cli_ctl = "/run/dpf-it-million-cli-%d.ctl" % os.getpid()
    big = ["--max-conns", str(n + n // 20), "--mbufs", "131071"]
    srv = subprocess.Popen(
        [ctx.binary, "-l", "0", "--no-huge", "-m", "3072", "--no-pci",
         "--file-prefix", ctx.prefix(), "--log-level", "warning",
         "--vdev=net_memif0,role=server,socket=%s,rsize=12" % sock, "--",
         "--ip", "198.18.2.1/24", "--listen", "80", "--stats",
         "--ctl", srv_ctl] + big,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = ctx.out("million.json")
    client = None
    mem = {}
    try:
        time.sleep(2)
        check(srv.poll() is None, "server exited early")
        client = subprocess.Popen(
            [ctx.binary] + memif_client_eal(ctx, sock, mem="3072") + [
                "--", "--ip", "198.18.2.2/24", "--fetch",
                "http://198.18.2.1/bytes/64", "--connections", str(n),
                "--rate-rps", str(n // (hold + 3)), "--duration",
                str(duration), "--ramp", str(ramp),
                "--src-ips", "198.18.2.64-198.18.2.127", "--ctl", cli_ctl,
                "-o", out, "--stats"] + big,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(ramp + hold / 2 + 2)
        for name, path in (("server", srv_ctl), ("client", cli_ctl)):
            lc = ctl_json(ctx, path, "stats", "scope=lcore")["lcores"][0]
            mem[name] = lc
            check(lc["established"] == n, "%s holds %d connections" %
                  (name, lc["established"]))
        _, err = client.communicate(timeout=duration + 120)
    finally:
        if client is not None and client.poll() is None:
            client.kill()
            client.communicate()
        if srv.poll() is None:
            srv.send_signal(signal.SIGTERM)
        try:
            _, serr = srv.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            srv.kill()
            _, serr = srv.communicate()
        for path in (sock, srv_ctl, cli_ctl):
            subprocess.run(["rm", "-f", path])
        ctx.clean_runtime_dirs()
    text = err.decode(errors="replace")
    stext = serr.decode(errors="replace")
    no_sanitizer_report(text)
    no_sanitizer_report(stext)
    check(client.returncode == 0, "client exit %d: %s" % (client.returncode,
                                                        text[-2000:]))
    r = job_result(ctx, None, out)
    check_no_errors(r, "million")
    check(r["connections_established"] == n,
          "established %d" % r["connections_established"])
    full = sum(1 for e in r["series"] if e["open"] == n)
    check(full >= hold, "all %d open for only %d s: %s" %
          (n, full, [e["open"] for e in r["series"]]))
    st = stats_of(text)
    sst = stats_of(stext)
    # Closed in order: no resets either way, nothing left on the server.
    check(st["tcp"]["EstabResets"] == 0 and sst["tcp"]["EstabResets"] == 0,
          "resets: client %d, server %d" % (st["tcp"]["EstabResets"],
                                            sst["tcp"]["EstabResets"]))
    check(sst["tcp"]["CurrEstab"] == 0, "server still has %d" %
          sst["tcp"]["CurrEstab"])
    check_mbufs_back(st, "client")
    check_mbufs_back(sst, "server")
    per_srv = mem["server"]["conn_memory"]["per_connection"]
    per_cli = mem["client"]["conn_memory"]["per_connection"]
    check(per_srv <= 540 and per_cli <= 680,
          "memory per connection: server %.0f, client %.0f bytes" %
          (per_srv, per_cli))
    print("    %d connections held %d s; %d requests; memory per connection:"
          " server %.0f B, client %.0f B; retransmissions %d/%d" %
          (n, full, r["requests_sent"], per_srv, per_cli,
           st["tcp"]["RetransSegs"], sst["tcp"]["RetransSegs"]))


# ---- the control channel -------------------------------------------------------

import socket


class Daemon:
    """dpfetch on dpf0 with only --ctl: driven over its socket until
    app.shutdown."""

    def __init__(self, ctx, extra=(), eal=None):
        self.ctx = ctx
        self.sock = "/run/dpf-it-ctl-%d-%d.sock" % (os.getpid(), ctx.n)
        self.prefix = None
        args = eal if eal is not None else ctx.eal()
        self.prefix = args[args.index("--file-prefix") + 1]
        self.cmd = [ctx.binary] + args + ["--", "--ip", OUR_IP, "--ctl",
                                          self.sock, "--stats"] + list(extra)
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.stderr_text = ""
        deadline = time.time() + 20
        while not os.path.exists(self.sock):
            if self.proc.poll() is not None:
                raise Failure("daemon exited early: %s" %
                              self.proc.communicate()[1].decode(
                                  errors="replace")[-2000:])
            if time.time() > deadline:
                self.proc.kill()
                raise Failure("no control socket: %s" %
                              self.proc.communicate()[1].decode(
                                  errors="replace")[-2000:])
            time.sleep(0.1)

    def ctl(self, *args, code=0, raw=False):
        if os.environ.get("DPF_TRACE"):
            print("    > dpfetchctl", " ".join(args), flush=True)
        binary = os.path.join(os.path.dirname(self.ctx.binary), "dpfetchctl")
        r = subprocess.run([binary, "-s", self.sock] +
                           ([] if raw else ["--json"]) + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=120)
        check(r.returncode == code, "dpfetchctl %s: exit %d, wanted %d: %s%s"
              % (" ".join(args), r.returncode, code, r.stdout.decode()[-1500:],
                 r.stderr.decode()[-1500:]))
        if raw or code != 0:
            return r
        return json.loads(r.stdout)

    def connect(self):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.connect(self.sock)
        return c

    def stop(self):
        sig = None
        if self.proc.poll() is None:
            try:
                self.ctl("shutdown")
            except Exception:
                sig = signal.SIGTERM
        self.stderr_text = end_process(self.proc, 60, sig)
        subprocess.run(["rm", "-f", self.sock])
        no_sanitizer_report(self.stderr_text)
        check(self.proc.returncode == 0, "daemon exit %d: %s" %
              (self.proc.returncode, self.stderr_text[-2000:]))
        check(not os.path.exists(self.sock), "socket left behind")
        return stats_of(self.stderr_text)


def rpc_lines(conn, lines, n_replies, timeout=60):
    """Send raw bytes, read n_replies JSON lines back."""
    conn.settimeout(timeout)
    if lines:
        conn.sendall(lines)
    buf = b""
    out = []
    while len(out) < n_replies:
        chunk = conn.recv(1 << 20)
        check(chunk, "connection closed after %d replies" % len(out))
        buf += chunk
        while b"\n" in buf and len(out) < n_replies:
            line, buf = buf.split(b"\n", 1)
            out.append(json.loads(line))
    return out


@test
def ctl_dpfetchctl_drives_the_daemon(ctx):
    """Every command group over the socket with dpfetchctl, against
    nginx and the peer namespace."""
    capdir = ctx.out("ctl-captures")
    d = Daemon(ctx, extra=["--capture-dir", capdir])
    try:
        info = d.ctl("info")
        check(info["version"] and info["lcores"] == [0] and
              info["ports"][0]["driver"] == "net_af_packet", "info %s" % info)
        j = d.ctl("fetch", "url=http://%s/index.html" % PEER_IP,
                  "connections=8", "requests=2000")
        r = d.ctl("wait", "job=%d" % j["job"], "timeout=60")
        check(r["state"] == "done" and r["responses"]["2xx"] == 2000,
              "job %s" % {k: r[k] for k in ("state", "responses", "errors")})
        check(r["latency_us"]["total"]["count"] == 2000, "latency %s" %
              r["latency_us"])
        # A human reads the same result as a table.
        t = d.ctl("status", "job=%d" % j["job"], raw=True).stdout.decode()
        check("2000" in t and "p99" in t, "status table:\n" + t)
        check(any(x["job"] == j["job"] for x in d.ctl("jobs")["jobs"]),
              "jobs")
        arp = d.ctl("arp")["entries"]
        check(any(e["ip"] == PEER_IP and e["state"] == "reachable"
                  for e in arp), "arp %s" % arp)
        d.ctl("arp-add", "ip=198.18.0.77", "mac=02:00:00:00:00:77")
        check(any(e["ip"] == "198.18.0.77" and e["static"]
                  for e in d.ctl("arp")["entries"]), "static entry")
        d.ctl("arp-del", "ip=198.18.0.77")
        d.ctl("arp-del", "ip=198.18.0.77", code=1)
        # A timed job shows its connections in conns, and stops early.
        j = d.ctl("fetch", "url=http://%s/index.html" % PEER_IP,
                  "connections=4", "duration=30", "rate_rps=200")
        time.sleep(1.0)
        conns = d.ctl("conns", "state=ESTABLISHED", "port=80")
        check(conns["total"] >= 4 and conns["conns"][0]["srtt_us"] > 0,
              "conns %s" % conns)
        d.ctl("stop", "job=%d" % j["job"])
        r = d.ctl("wait", "job=%d" % j["job"], "timeout=30")
        check(r["state"] == "stopped" and r["elapsed_s"] < 20,
              "stopped job %s %s" % (r["state"], r["elapsed_s"]))
        # Servers come and go at run time.
        d.ctl("listen", "port=8081")
        got = ns("curl", "-sS", "--noproxy", "*", "-o", "-",
                 "http://198.18.0.2:8081/bytes/1000", timeout=30)
        check(got.returncode == 0 and got.stdout == pattern_bytes(1000),
              "served: %s" % got.stderr.decode())
        d.ctl("unlisten", "port=8081")
        got = ns("curl", "-sS", "--noproxy", "*", "-m", "5",
                 "http://198.18.0.2:8081/", timeout=30)
        check(got.returncode != 0, "still served after unlisten")
        d.ctl("listen", "port=8081", "kind=echo")
        got = ns("sh", "-c", "printf 'hello\\n' | nc -q 1 198.18.0.2 8081",
                 timeout=30)
        check(got.stdout == b"hello\n", "echo: %r" % got.stdout)
        # Fault injection settings round-trip.
        imp = d.ctl("impair", "rx.drop=0.25", "seed=9")
        check(imp["rx"]["drop"] == 0.25 and imp["seed"] == 9, "impair %s" %
              imp)
        imp = d.ctl("impair", "clear=yes")
        check(imp["rx"]["drop"] == 0, "impair clear %s" % imp)
        # Capture one fetch to a file tshark reads.
        # (a plain name: capture.start writes only into --capture-dir)
        cap = os.path.join(capdir, "ctl.pcapng")
        c = d.ctl("capture", "file=ctl.pcapng", "port=80")
        check(c["file"] == cap, "capture.start reply %s" % c)
        j = d.ctl("fetch", "url=http://%s/index.html" % PEER_IP)
        d.ctl("wait", "job=%d" % j["job"])
        c = d.ctl("capture-stop")
        check(c["written"] >= 6, "capture %s" % c)
        tsh = subprocess.run(["tshark", "-r", cap, "-Y", "http.request"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             timeout=60)
        check(b"GET /index.html" in tsh.stdout, "tshark: %s %s" %
              (tsh.stdout[-500:], tsh.stderr[-500:]))
        # Per-lcore cost and memory are there for the benchmark.
        lc = d.ctl("stats", "scope=lcore")["lcores"][0]
        check(lc["busy_cycles"] > 0 and lc["conn_memory"]["per_connection"]
              > 0, "lcore %s" % lc)
        # An error reply is exit status 1 with its message.
        r = d.ctl("status", "job=999", code=1)
        check(b"no job 999" in r.stderr + r.stdout, "error text")
        # The telemetry commands.
        tel = subprocess.run(["dpdk-telemetry.py", "-f", d.prefix],
                             input=b"/dpfetch/stats\n/dpfetch/jobs\n",
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             timeout=30)
        check(b"InSegs" in tel.stdout and b"requests_sent" in tel.stdout,
              "telemetry: %s %s" % (tel.stdout[-800:], tel.stderr[-500:]))
    finally:
        st = d.stop()
    check_mbufs_back(st, "daemon")


@test
def ctl_survives_hostile_clients(ctx):
    """Garbage, half lines, a 2 MiB line, a 10,000-request burst, 200
    clients at once, a client that leaves during fetch.wait: each gets its
    error or is cleaned up, and the appliance keeps forwarding."""
    d = Daemon(ctx)
    try:
        c = d.connect()
        r = rpc_lines(c, b"this is not json\n", 1)[0]
        check(r["error"]["code"] == -32700, "garbage %s" % r)
        r = rpc_lines(c, b'{"jsonrpc":"2.0","id":1,"method":"fetch.strat"}\n',
                      1)[0]
        check(r["error"]["code"] == -32601 and "fetch.strat" in
              r["error"]["message"], "unknown method %s" % r)
        r = rpc_lines(c, b'{"jsonrpc":"2.0","id":2,"method":"fetch.start",'
                      b'"params":{"url":"http://198.18.0.1/","conections":3}}'
                      b'\n', 1)[0]
        check(r["error"]["code"] == -32602 and "conections" in
              r["error"]["message"], "bad params %s" % r)
        r = rpc_lines(c, b'{"jsonrpc":"2.0","id":3,"method":"fetch.start",'
                      b'"params":{"url":"http://198.18.0.1/","connections":'
                      b'"many"}}\n', 1)[0]
        check(r["error"]["code"] == -32602 and "connections" in
              r["error"]["message"], "wrong type %s" % r)
        r = rpc_lines(c, b'[]\n', 1)[0]
        check(r["error"]["code"] == -32600, "empty batch %s" % r)
        # A notification gets no reply; the next request does.
        r = rpc_lines(c, b'{"jsonrpc":"2.0","method":"app.info"}\n'
                      b'{"jsonrpc":"2.0","id":4,"method":"app.info"}\n', 1)[0]
        check(r["id"] == 4 and "version" in r["result"], "after notify %s" % r)
        r = rpc_lines(c, b'[{"jsonrpc":"2.0","id":5,"method":"app.info"},'
                      b'{"jsonrpc":"2.0","id":6,"method":"nope"}]\n', 1)[0]
        check(isinstance(r, list) and len(r) == 2, "batch %s" % r)
        # 2 MiB line: an error, then the connection still works.
        r = rpc_lines(c, b"[" + b" " * (2 << 20) + b"]\n", 1)[0]
        check(r["error"]["code"] == -32700 and "exceeds" in
              r["error"]["message"], "long line %s" % r)
        r = rpc_lines(c, b'{"jsonrpc":"2.0","id":7,"method":"app.info"}\n',
                      1)[0]
        check(r["id"] == 7, "after long line %s" % r)
        # 10,000 requests in one burst, answered in order.
        burst = b"".join(b'{"jsonrpc":"2.0","id":%d,"method":"stats.get",'
                         b'"params":{"scope":"tcp"}}\n' % i
                         for i in range(10000))
        # Written from a thread while we read: a client that never reads
        # is paused by the server (its replies pile up), as it should be.
        import threading
        writer = threading.Thread(target=c.sendall, args=(burst,))
        writer.start()
        replies = rpc_lines(c, b"", 10000, timeout=120)
        writer.join()
        check([x["id"] for x in replies] == list(range(10000)),
              "burst out of order")
        c.close()
        # Half a line, then gone.
        c = d.connect()
        c.sendall(b'{"jsonrpc":"2.0","id":8,"meth')
        c.close()
        # 200 clients at once, each asks once and leaves.
        socks = [d.connect() for _ in range(200)]
        for i, k in enumerate(socks):
            k.sendall(b'{"jsonrpc":"2.0","id":%d,"method":"app.info"}\n' % i)
        for i, k in enumerate(socks):
            check(rpc_lines(k, b"", 1)[0]["id"] == i, "client %d" % i)
            k.close()
        # A client waits on a running job and leaves.
        c = d.connect()
        r = rpc_lines(c, b'{"jsonrpc":"2.0","id":9,"method":"fetch.start",'
                      b'"params":{"url":"http://198.18.0.1/index.html",'
                      b'"connections":4,"duration_s":2}}\n', 1)[0]
        job = r["result"]["job"]
        c.sendall(b'{"jsonrpc":"2.0","id":10,"method":"fetch.wait",'
                  b'"params":{"job":%d,"timeout_s":30}}\n' % job)
        time.sleep(0.3)
        c.close()
        # Still forwarding and answering: the job ends well, and a new one
        # runs.
        r = d.ctl("wait", "job=%d" % job, "timeout=30")
        check(r["state"] == "done" and r["responses"]["2xx"] > 0 and
              not any(r["errors"].values()), "job after hostile clients %s"
              % {k: r[k] for k in ("state", "responses", "errors")})
        j = d.ctl("fetch", "url=http://%s/index.html" % PEER_IP,
                  "requests=100", "connections=2")
        r = d.ctl("wait", "job=%d" % j["job"])
        check(r["responses"]["2xx"] == 100, "new job %s" % r["responses"])
        r = ns("ping", "-c", "1", "-W", "2", "198.18.0.2")
        check(r.returncode == 0, "no ping answer")
    finally:
        st = d.stop()
    check_mbufs_back(st, "daemon")


@test
def script_runs_a_job_against_nginx(ctx):
    """--script: the appliance runs a dpfetchctl script and exits with
    its status; the counts it printed match nginx's log."""
    script = ctx.out("job.script")
    with open(script, "w") as f:
        f.write("# a keep-alive run\n"
                "fetch url=http://%s/index.html connections=16 "
                "requests=3000\n"
                "wait\n"
                "echo finished $job\n"
                "status\n" % PEER_IP)
    before = access_log_lines()
    p = ctx.dpfetch(["--ip", OUR_IP, "--script", script], timeout=300)
    expect_ok(p, "script")
    out = p.stdout.decode()
    check("finished 1" in out and "3000" in out, "script output:\n" + out)
    time.sleep(0.5)
    check(access_log_lines() - before == 3000, "nginx logged %d" %
          (access_log_lines() - before))
    # A failing command stops the script: exit 1.
    with open(script, "w") as f:
        f.write("status job=42\necho not reached\n")
    p = ctx.dpfetch(["--ip", OUR_IP, "--script", script], timeout=60)
    expect_fail(p, 1, r"no job 42", "failing script")
    check(b"not reached" not in p.stdout, "ran past the error")
    # A mistyped script is refused before anything starts: exit 2.
    with open(script, "w") as f:
        f.write("fetch urll=http://198.18.0.1/\n")
    p = ctx.dpfetch(["--ip", OUR_IP, "--script", script], timeout=60)
    expect_fail(p, 2, r"urll", "bad script")


# ---- loss, reordering and duplication ---------------------------------------

@test
def impair_drop_and_corrupt_both_ways(ctx):
    """dpfetch's own fault injection: drops and single-bit corruption on
    receive and transmit; checksums catch every corrupted frame and TCP
    recovers, byte for byte."""
    _, st = fetch_and_compare(
        ctx, "http://%s/10M.bin" % PEER_IP, "10M.bin",
        extra=["--timeout", "120", "--impair",
               "seed=11,rx.drop=0.02,tx.drop=0.02,rx.corrupt=0.02,"
               "tx.corrupt=0.02"])
    imp = st["impair"]
    for k in ("rx_dropped", "tx_dropped", "rx_corrupted", "tx_corrupted"):
        check(imp[k] > 0, "%s did not act: %s" % (k, imp))
    # Every corrupted frame we received was caught by a checksum (IP or
    # TCP) or a header check, never delivered.
    caught = (st["ip"]["rx_bad_csum"] + st["tcp"]["InCsumErrors"] +
              st["ip"]["rx_bad_version"] + st["ip"]["rx_bad_hlen"] +
              st["ip"]["rx_bad_len"] + st["ip"]["rx_not_for_us"] +
              st["ip"]["rx_fragments"] + st["ip"]["rx_unknown_proto"] +
              st["tcp"]["BadHeader"] + st["tcp"]["NoConnection"])
    # ARP has no checksum: a corrupted ARP frame may pass unnoticed.
    arp_frames = st["arp"]["rx_requests"] + st["arp"]["rx_replies"]
    print("    rx corrupted %d, caught %d" % (imp["rx_corrupted"], caught))
    check(caught > 0 and caught >= imp["rx_corrupted"] - arp_frames,
          "corrupted frames slipped through: %d corrupted, %d caught" %
          (imp["rx_corrupted"], caught))


# ---- packet capture ---------------------------------------------------------

TSHARK_FIELDS = ("ip.src", "ip.dst", "tcp.srcport", "tcp.dstport",
                 "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.fin",
                 "http.request.method", "frame.interface_id")


def tshark_rows(path):
    """tshark's reading of a capture file: one dict per packet."""
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=|"]
    for f in TSHARK_FIELDS:
        cmd += ["-e", f]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(p.returncode == 0, "tshark cannot read %s: %s" %
          (path, p.stderr.decode(errors="replace")[-2000:]))
    rows = []
    for line in p.stdout.decode().splitlines():
        vals = line.split("|")
        rows.append(dict(zip(TSHARK_FIELDS, vals)))
    return rows


def flag(row, name):
    return row[name] in ("1", "True")


@test
def capture_pcapng_readable_by_tshark(ctx):
    cap = ctx.out("fetch.pcapng")
    p, st = fetch_and_compare(ctx, "http://%s/1M.bin" % PEER_IP, "1M.bin",
                              extra=["--capture", cap])
    check(re.search(r"capture %s: \d+ packets written, 0 dropped" %
                    re.escape(cap), p.stderr_text) is not None,
          "no capture summary:\n" + p.stderr_text[-2000:])
    rows = tshark_rows(cap)
    ours = OUR_IP.split("/")[0]
    # Our connection: the one that sent the GET (the wire is shared).
    gets = [r for r in rows if r["http.request.method"] == "GET" and
            r["ip.src"] == ours and r["tcp.dstport"] == "80"]
    check(len(gets) == 1, "%d GETs to port 80 in the capture" % len(gets))
    sport = gets[0]["tcp.srcport"]
    conn = [r for r in rows if {r["tcp.srcport"], r["tcp.dstport"]} ==
            {sport, "80"} and {r["ip.src"], r["ip.dst"]} == {ours, PEER_IP}]
    out = [r for r in conn if r["ip.src"] == ours]
    inb = [r for r in conn if r["ip.src"] == PEER_IP]
    check(any(flag(r, "tcp.flags.syn") and not flag(r, "tcp.flags.ack")
              for r in out), "no SYN from us")
    check(any(flag(r, "tcp.flags.syn") and flag(r, "tcp.flags.ack")
              for r in inb), "no SYN-ACK from the peer")
    check(any(flag(r, "tcp.flags.fin") for r in out), "no FIN from us")
    check(any(flag(r, "tcp.flags.fin") for r in inb), "no FIN from the peer")
    # 1 MiB came in: hundreds of segments, and our ACKs went out.
    check(len(inb) > 500 and len(out) > 20,
          "%d packets in, %d out on the connection" % (len(inb), len(out)))
    check(len(rows) >= len(conn), "rows")

    # --capture-count: exactly that many packets, the first of the run.
    cap5 = ctx.out("count5.pcapng")
    p, _ = fetch_and_compare(ctx, "http://%s/1M.bin" % PEER_IP, "1M.bin",
                             extra=["--capture", cap5, "--capture-count",
                                    "5"])
    check(re.search(r"capture %s: 5 packets written" % re.escape(cap5),
                    p.stderr_text) is not None,
          "no capture summary:\n" + p.stderr_text[-2000:])
    rows = tshark_rows(cap5)
    check(len(rows) == 5, "--capture-count 5 wrote %d packets" % len(rows))
    os.unlink(cap)
    os.unlink(cap5)


@test
def capture_bad_file_is_usage_error(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch", "http://%s/" % PEER_IP,
                     "--capture", "/nonexistent-dir/x.pcapng"])
    expect_fail(p, 2, r"--capture: cannot open /nonexistent-dir/x\.pcapng: "
                r"No such file or directory", "bad capture file")
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch", "http://%s/" % PEER_IP,
                     "--capture-count", "5"])
    expect_fail(p, 2, r"--capture-count needs --capture FILE",
                "--capture-count alone")


def nft_loss(percent):
    nft_clear()
    rules = """
table inet %s {
  chain in { type filter hook input priority 0; policy accept;
             numgen random mod 100 < %d drop; }
  chain out { type filter hook output priority 0; policy accept;
              numgen random mod 100 < %d drop; }
}
""" % (NFT_TABLE, percent, percent)
    r = subprocess.run(["ip", "netns", "exec", NS, "nft", "-f", "-"],
                       input=rules.encode(), stderr=subprocess.PIPE)
    check(r.returncode == 0, "nft: " + r.stderr.decode())


def nft_clear():
    ns("nft", "delete", "table", "inet", NFT_TABLE)  # absent is fine


@test
def loss_3pct_reorder_dup_100M_x20(ctx):
    runs = int(os.environ.get("DPF_LOSS_RUNS", "20"))
    nft_loss(3)
    totals = {"RetransSegs": 0, "OfoQueued": 0, "DupSegs": 0,
              "rx_reordered": 0, "rx_duplicated": 0, "tx_duplicated": 0}
    try:
        for i in range(runs):
            _, st = fetch_and_compare(
                ctx, "http://%s/100M.bin" % PEER_IP, "100M.bin",
                extra=["--timeout", "120", "--tcp", "time_wait_ms=100",
                       "--impair",
                       "seed=%d,rx.reorder=0.01,rx.reorder_delay_us=300,"
                       "rx.dup=0.01,tx.reorder=0.01,tx.reorder_delay_us=300,"
                       "tx.dup=0.01" % (i + 1)])
            for k in totals:
                sec = "impair" if k.startswith(("rx_", "tx_")) else "tcp"
                totals[k] += st[sec][k]
    finally:
        nft_clear()
    # The faults really happened, and the stack saw them.
    check(totals["OfoQueued"] > 0, "no out-of-order data seen: %s" % totals)
    check(totals["rx_reordered"] > 0 and totals["rx_duplicated"] > 0,
          "impairment did not act: %s" % totals)
    print("    %d runs, totals %s" % (runs, totals))


def load_case_modules():
    """The tests of one area live in cases_<area>.py beside this file;
    they take the harness from __main__ and register with @test."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    for name in sorted(os.listdir(here)):
        if name.startswith("cases_") and name.endswith(".py"):
            importlib.import_module(name[:-3])


def main():
    load_case_modules()
    ap = argparse.ArgumentParser(description="dpfetch integration tests")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("-k", dest="pattern", default="")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    selected = [t for t in TESTS if args.pattern in t.__name__]
    if args.list:
        for t in selected:
            print(t.__name__)
        return 0
    ctx = Ctx(args.build)
    passed = failed = 0
    for t in selected:
        t0 = time.time()
        try:
            t(ctx)
        except Failure as e:
            failed += 1
            print("FAIL %s (%.1f s): %s" % (t.__name__, time.time() - t0, e))
        except Exception:
            failed += 1
            print("FAIL %s (%.1f s): %s" % (t.__name__, time.time() - t0,
                                            traceback.format_exc()))
        else:
            passed += 1
            print("PASS %s (%.1f s)" % (t.__name__, time.time() - t0))
        sys.stdout.flush()
    subprocess.run(["rm", "-rf", ctx.tmp])
    ctx.clean_runtime_dirs()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
