"""STEER_RSS end to end: a client dpfetch and a server dpfetch, two
worker lcores each, joined by rss_bridge (tests/support/rss_bridge.c),
which delivers frames like an RSS NIC programmed with each side's key
and redirection table (both run with --port-rss external and publish
them in port.list).  No PMD here offers programmable RSS; this is the
path a real multi-queue NIC takes.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import json
import os
import select
import signal
import socket
import struct
import subprocess
import time

from harness import (Daemon, Failure, check, check_no_errors,
                     no_sanitizer_report, test)

SERVER_IP = "198.18.2.1"
CLIENT_IP = "198.18.2.2"

# Microsoft's RSS verification key: not dpfetch's, so a bridge that
# hashes with it delivers replies to the wrong lcores.
# Connections of the one-request-each job.
NC_CONNS = 100

WRONG_KEY = ("6d5a56da255b0ec24167253d43a38fb0d0ca2bcb"
             "ae7b30b477cb2da38030f20c6a42b73bbeac01fa")


def toeplitz(key, data):
    """The Toeplitz hash over wire bytes, from the specification (a
    third reading, besides dpfetch's rte_softrss and the bridge's C)."""
    k = int.from_bytes(key, "big")
    klen = len(key) * 8
    h = 0
    for i, byte in enumerate(data):
        for b in range(8):
            if byte & (0x80 >> b):
                pos = i * 8 + b
                h ^= (k >> (klen - 32 - pos)) & 0xffffffff
    return h


def owner_lcore(port, lcores, conn):
    """The lcore whose queue the port's RSS gives this connection's
    incoming packets (remote -> local)."""
    rip, rport = conn["remote"].split(":")
    lip, lport = conn["local"].split(":")
    data = (socket.inet_aton(rip) + socket.inet_aton(lip) +
            struct.pack("!HH", int(rport), int(lport)))
    reta = port["reta"]
    return lcores[reta[toeplitz(bytes.fromhex(port["rss_key"]), data) &
                       (len(reta) - 1)]]


class Bridge:
    """rss_bridge between two memif server ports: side 0 the dpfetch
    server, side 1 the client."""

    def __init__(self, ctx, socks, ctls, extra=()):
        binary = os.path.join(os.path.dirname(os.path.dirname(ctx.binary)),
                              "tests", "support", "rss_bridge")
        self.cmd = [binary, "-l", "1", "--no-huge", "-m", "512",
                    "--no-pci", "--file-prefix", ctx.prefix(),
                    "--log-level", "warning"]
        for i, sock in enumerate(socks):
            self.cmd.append("--vdev=net_memif%d,role=server,socket=%s,"
                            "rsize=12" % (i, sock))
        self.cmd += ["--", "--queues", "2", "--ctl0", ctls[0],
                     "--ctl1", ctls[1]] + list(extra)
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.out = b""

    def wait_ready(self, timeout=30):
        """Until it has read both sides' keys and tables."""
        deadline = time.time() + timeout
        while b"\n" not in self.out:
            if self.proc.poll() is not None:
                raise Failure("rss_bridge exited %d: %s" % (
                    self.proc.returncode,
                    self.proc.stderr.read()[-2000:].decode(errors="replace")))
            left = deadline - time.time()
            check(left > 0, "rss_bridge never became ready")
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if r:
                self.out += os.read(self.proc.stdout.fileno(), 65536)
        line, self.out = self.out.split(b"\n", 1)
        ready = json.loads(line)
        check(ready.get("ready") is True, "bridge said %s" % ready)
        return ready

    def stop(self):
        """SIGTERM; returns its counters (one JSON line)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            out, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        err = err.decode(errors="replace")
        no_sanitizer_report(err)
        check(self.proc.returncode == 0, "rss_bridge exit %d: %s" %
              (self.proc.returncode, err[-2000:]))
        lines = (self.out + out).decode().splitlines()
        return json.loads(lines[-1])


def memif_2lcore_eal(ctx, sock):
    # Both dpfetch on lcores 0 and 1 (the machine has two CPUs): they
    # share them with each other and the bridge; a correctness test at
    # a low rate.
    return ["-l", "0,1", "--no-huge", "-m", "1024", "--no-pci",
            "--file-prefix", ctx.prefix(), "--log-level", "warning",
            "--vdev=net_memif0,role=client,socket=%s,rsize=12" % sock]


def unix_socket_listed(path):
    """Whether a UNIX socket bound to path (a file, or the abstract
    name) exists."""
    with open("/proc/net/unix") as f:
        return any(line.split()[-1] in (path, "@" + path)
                   for line in f.readlines()[1:]
                   if len(line.split()) >= 8)


class RssPair:
    """Bridge, dpfetch server (--listen 80) and dpfetch client daemon,
    all with RSS steering; stop() ends them all (and checks each)."""

    def __init__(self, ctx, bridge_extra=()):
        tag = "%d-%d" % (os.getpid(), ctx.n)
        self.socks = ["/run/dpf-it-rss-srv-%s.sock" % tag,
                      "/run/dpf-it-rss-cli-%s.sock" % tag]
        self.ctls = ["/run/dpf-it-rss-srvctl-%s.sock" % tag,
                     "/run/dpf-it-rss-clictl-%s.sock" % tag]
        self.server = self.client = None
        self.bridge = Bridge(ctx, self.socks, self.ctls, bridge_extra)
        try:
            # The daemons' memif clients connect once, at start: wait
            # for the bridge's sockets (a fixed pause lost the race in
            # the sanitizer build on a busy machine).  memif's are in
            # the abstract namespace: /proc/net/unix lists them.
            deadline = time.time() + 30
            while not all(unix_socket_listed(s) for s in self.socks):
                check(self.bridge.proc.poll() is None,
                      "rss_bridge exited %s" % self.bridge.proc.returncode)
                check(time.time() < deadline,
                      "rss_bridge made no memif sockets in 30 s")
                time.sleep(0.05)
            self.server = Daemon(ctx, extra=[
                "--ip", SERVER_IP + "/24", "--listen", "80",
                "--port-rss", "external", "--mbufs", "65535"],
                eal=memif_2lcore_eal(ctx, self.socks[0]), sock=self.ctls[0])
            self.client = Daemon(ctx, extra=[
                "--ip", CLIENT_IP + "/24", "--port-rss", "external",
                "--mbufs", "65535"],
                eal=memif_2lcore_eal(ctx, self.socks[1]), sock=self.ctls[1])
            self.ready = self.bridge.wait_ready()
        except BaseException:
            self.stop(check_all=False)
            raise

    def stop(self, check_all=True):
        """Client, then server, then the bridge: returns the daemons'
        exit stats and the bridge's counters."""
        got = {}
        problems = []
        for name in ("client", "server"):
            d = getattr(self, name)
            if d is None:
                continue
            try:
                got[name] = d.stop()
            except Failure as e:
                problems.append("%s: %s" % (name, e))
                if d.proc.poll() is None:
                    d.proc.kill()
                    d.proc.communicate()
        try:
            got["bridge"] = self.bridge.stop()
        except Failure as e:
            problems.append("bridge: %s" % e)
        subprocess.run(["rm", "-f"] + self.socks + self.ctls)
        for d in (self.server, self.client):
            if d is not None and d.prefix is not None:
                subprocess.run(["rm", "-rf", "/var/run/dpdk/" + d.prefix])
        if check_all:
            check(not problems, "; ".join(problems))
        return got


def port_of(d):
    return d.ctl("ports")["ports"][0]


def check_rss_port(port, who):
    check(port["steering"] == "rss" and port["rss_external"] and
          port["queues"] == 2 and len(port["rss_key"]) == 80 and
          len(port["reta"]) == 128 and set(port["reta"]) == {0, 1},
          "%s port: %s" % (who, {k: port.get(k) for k in (
              "steering", "rss_external", "queues", "rss_key")}))


def check_conns_on_owners(d, port, who, want):
    """Every connection of d is on the lcore its port's RSS delivers it
    to, as computed here from the published key and table; both lcores
    carry some."""
    lcores = d.ctl("info")["lcores"]
    conns = d.ctl("conns", "state=ESTABLISHED", "limit=100000")["conns"]
    check(len(conns) >= want, "%s: %d established connections, wanted %d"
          % (who, len(conns), want))
    wrong = [c for c in conns if owner_lcore(port, lcores, c) != c["lcore"]]
    check(not wrong, "%s: %d of %d connections not on their RSS lcore, "
          "e.g. %s" % (who, len(wrong), len(conns), wrong[:3]))
    per = {lc: sum(1 for c in conns if c["lcore"] == lc) for lc in lcores}
    check(all(per[lc] > 0 for lc in lcores), "%s: connections per lcore %s"
          % (who, per))
    lc = d.ctl("stats", "scope=lcore")["lcores"]
    est = {e["lcore"]: e["established"] for e in lc}
    check(all(est[k] > 0 for k in est) and sum(est.values()) >= want,
          "%s: established per lcore %s" % (who, est))
    return per


def check_steering_counters(d, who):
    st = d.ctl("stats", "scope=port", "per_lcore=true")
    port = st["port"]
    check(port["rx_handoff_out"] == 0 and port["rx_handoff_in"] == 0 and
          port["rx_handoff_drops"] == 0 and port["rx_rss_mismatch"] == 0,
          "%s: %s" % (who, port))
    rx = [e["port"]["rx_packets"] for e in st["lcores"]]
    check(all(x > 0 for x in rx), "%s: packets received per lcore %s" %
          (who, rx))
    return rx


def balanced(counts, what):
    check(min(counts) > 0 and min(counts) * 3 >= max(counts),
          "%s not spread over the queues: %s" % (what, counts))


@test
def rss_2lcores_client_and_server_through_rss_bridge(ctx):
    """Keep-alive (400 connections) and one-request connections (~1,000)
    between 2-lcore dpfetch client and server over rss_bridge: nothing
    handed between lcores, every SYN and SYN-ACK on the lcore the key and
    table name, every connection on its RSS lcore, no errors."""
    pair = RssPair(ctx)
    try:
        ports = [port_of(pair.server), port_of(pair.client)]
        check_rss_port(ports[0], "server")
        check_rss_port(ports[1], "client")
        check(pair.ready["keys"] == [p["rss_key"] for p in ports] and
              pair.ready["reta_sizes"] == [128, 128],
              "bridge keys %s" % pair.ready)
        url = "url=http://%s/bytes/64" % SERVER_IP
        ka = pair.client.ctl("fetch", url, "connections=400",
                             "duration=6", "ramp=1", "rate_rps=2000")
        time.sleep(3.5)
        cper = check_conns_on_owners(pair.client, ports[1], "client", 400)
        sper = check_conns_on_owners(pair.server, ports[0], "server", 400)
        r = pair.client.ctl("wait", "job=%d" % ka["job"], "timeout=60")
        check(r["state"] == "done", "keep-alive job %s" % r["state"])
        check_no_errors(r, "keep-alive")
        check(r["connections_established"] == 400 and
              r["responses"]["2xx"] >= 5000,
              "keep-alive: %d established, responses %s" %
              (r["connections_established"], r["responses"]))
        # Enough connections for the rate also when the sanitizer build
        # shares two CPUs with five busy threads.
        nc = pair.client.ctl("fetch", url, "connections=%d" % NC_CONNS,
                             "requests_per_connection=1", "duration=4",
                             "rate_rps=250")
        r2 = pair.client.ctl("wait", "job=%d" % nc["job"], "timeout=60")
        check(r2["state"] == "done", "new-connection job %s" % r2["state"])
        check_no_errors(r2, "new connections")
        # The job's end cancels the requests still on their way.
        check(r2["connections_opened"] >= 500 and
              r2["requests_sent"] - r2["requests_cancelled"] <=
              r2["responses"]["2xx"] <= r2["requests_sent"],
              "new connections: %d opened, %d requests sent, %d "
              "cancelled, responses %s" %
              (r2["connections_opened"], r2["requests_sent"],
               r2["requests_cancelled"], r2["responses"]))
        crx = check_steering_counters(pair.client, "client")
        srx = check_steering_counters(pair.server, "server")
        tcp = pair.client.ctl("stats", "scope=tcp", "per_lcore=true")
        opens = [e["tcp"]["ActiveOpens"] for e in tcp["lcores"]]
        check(sum(opens) == 400 + r2["connections_opened"] and
              min(opens) > 0, "client opens per lcore %s" % opens)
        tcp = pair.server.ctl("stats", "scope=tcp", "per_lcore=true")
        passive = [e["tcp"]["PassiveOpens"] for e in tcp["lcores"]]
        # Handshakes the job's end cut short may be missing (at most
        # one per connection of the second job).
        check(sum(opens) - NC_CONNS <= sum(passive) <= sum(opens) and
              min(passive) > 0, "server passive opens per lcore %s, "
              "client active opens %s" % (passive, opens))
    finally:
        got = pair.stop()
    b = got["bridge"]["sides"]
    for side, who in zip(b, ("server", "client")):
        check(side["tx_drops"] == 0, "bridge dropped frames to the %s: %s"
              % (who, side))
        balanced(side["tx_queue"], "frames to the %s" % who)
        balanced(side["syn_queue"], "SYNs to the %s" % who)
    for who in ("server", "client"):
        st = got[who]["port"]
        check(st["rx_handoff_in"] == 0 and st["rx_rss_mismatch"] == 0,
              "%s at exit: %s" % (who, st))
    print("    client conns per lcore %s, server %s; opens per lcore %s, "
          "passive %s; rx per lcore client %s server %s; bridge frames "
          "per queue to server %s (SYNs %s), to client %s (SYN-ACKs %s); "
          "%.0f + %.0f req/s" %
          (cper, sper, opens, passive, crx, srx, b[0]["tx_queue"],
           b[0]["syn_queue"], b[1]["tx_queue"], b[1]["syn_queue"],
           r["rates"]["rps"], r2["rates"]["rps"]))


@test
def rss_bridge_with_the_wrong_key_is_caught(ctx):
    """The same pair, but the bridge hashes the client's traffic with a
    key other than the one the client uses: SYN-ACKs reach lcores that
    did not open the connection.  The checks of the test above see it
    (rx_rss_mismatch, failed connections), so they can fail."""
    pair = RssPair(ctx, bridge_extra=["--key1", WRONG_KEY])
    try:
        check(pair.ready["keys"][1] == WRONG_KEY, "bridge %s" % pair.ready)
        j = pair.client.ctl("fetch", "url=http://%s/bytes/64" % SERVER_IP,
                            "connections=64", "duration=3",
                            "connect_timeout_ms=1000", "rate_rps=500")
        r = pair.client.ctl("wait", "job=%d" % j["job"], "timeout=60")
        port = pair.client.ctl("stats", "scope=port")["port"]
    finally:
        got = pair.stop()
    errors = sum(r["errors"].values())
    check(port["rx_rss_mismatch"] > 0,
          "no SYN-ACK counted on the wrong lcore: %s" % port)
    check(errors > 0, "the job did not notice: %d established, errors %s"
          % (r["connections_established"], r["errors"]))
    check(got["server"]["port"]["rx_rss_mismatch"] == 0,
          "server mismatches %s" % got["server"]["port"])
    print("    wrong key: %d SYN-ACKs on the wrong lcore, %d of 64 "
          "connections established, errors %s" %
          (port["rx_rss_mismatch"], r["connections_established"],
           {k: v for k, v in r["errors"].items() if v}))
