"""Peers that strand connections, and an on-link ARP flood (issue 12,
items 2, 5 and 7): each test bounds the state, checks the counter, serves
an honest client during the attack and finds the mbuf pool back at its
baseline afterwards."""

import json
import os
import subprocess
import threading
import time

from harness import (test, check, ns, stats_of, Service, Daemon,
                      check_mbufs_back, check_no_errors, end_process,
                      no_sanitizer_report, pattern_bytes, PEER_IP)

PY = "/usr/bin/python3"


class Honest:
    """curl from the peer namespace in a loop until stopped: every
    request must succeed while the attack runs."""

    def __init__(self, url, want=None, interval=0.3):
        self.url = url
        self.want = want
        self.interval = interval
        self.ok = 0
        self.failures = []
        self.stop_ev = threading.Event()
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop_ev.is_set():
            r = ns("curl", "-sS", "--noproxy", "*", "-m", "5", "-o", "-",
                   self.url, timeout=30)
            if r.returncode != 0 or (self.want is not None and
                                     r.stdout != self.want):
                self.failures.append((r.returncode, r.stderr.decode()[-200:]))
            else:
                self.ok += 1
            self.stop_ev.wait(self.interval)

    def stop(self):
        self.stop_ev.set()
        self.t.join(30)
        check(not self.failures, "honest client failed %d times: %s" %
              (len(self.failures), self.failures[:3]))
        check(self.ok >= 3, "honest client served only %d times" % self.ok)
        return self.ok


def peer_script(src, timeout):
    """Run a Python script in the peer namespace; its last stdout line is
    JSON."""
    r = ns(PY, "-c", src, timeout=timeout)
    check(r.returncode == 0, "peer script: %s %s" %
          (r.stdout.decode()[-500:], r.stderr.decode()[-1500:]))
    return json.loads(r.stdout.decode().strip().splitlines()[-1])


@test
def hostile_abandoned_fin_wait_2(ctx):
    """Peers that let dpfetch close first (Connection: close) and then
    never close their side: dpfetch sits in FIN_WAIT_2 until
    tcp.fin_wait2_s, then resets them."""
    svc = Service(ctx, ["--listen", "80", "--tcp", "fin_wait2_s=2"])
    n = 40
    try:
        svc.wait_ready(80)
        honest = Honest("http://198.18.0.2/bytes/1000",
                        want=pattern_bytes(1000))
        src = (
            "import json, socket, time\n"
            "ss = []\n"
            "for i in range(%d):\n"
            "    s = socket.create_connection(('198.18.0.2', 80), timeout=10)\n"
            "    s.sendall(b'GET /bytes/100 HTTP/1.1\\r\\nHost: x\\r\\n'\n"
            "              b'Connection: close\\r\\n\\r\\n')\n"
            "    ss.append(s)\n"
            "done = 0\n"
            "for s in ss:\n"
            "    data = b''\n"
            "    while True:\n"
            "        b = s.recv(65536)\n"
            "        if not b:\n"
            "            break\n"
            "        data += b\n"
            "    done += data.startswith(b'HTTP/1.1 200')\n"
            "# dpfetch's FIN is in; ours never goes (no close, no shutdown)\n"
            "time.sleep(4.5)\n"
            "reset = 0\n"
            "for s in ss:\n"
            "    try:\n"
            "        s.send(b'x')\n"
            "        time.sleep(0.05)\n"
            "        s.send(b'x')\n"
            "    except OSError:\n"
            "        reset += 1\n"
            "print(json.dumps({'done': done, 'reset': reset}))\n" % n)
        r = peer_script(src, 60)
        honest.stop()
    finally:
        st = svc.stop()
    check(r["done"] == n, "responses %s" % r)
    check(r["reset"] == n, "connections still open on dpfetch: %s" % r)
    check(st["tcp"]["FinWait2Timeouts"] == n, "FinWait2Timeouts %d" %
          st["tcp"]["FinWait2Timeouts"])
    check_mbufs_back(st, "server")
    print("    %d FIN_WAIT_2 connections reset after 2 s" % n)


@test
def hostile_persist_zero_window_forever(ctx):
    """Clients that ask for a large body and never read it keep a zero
    window (answering every probe): reset after tcp.persist_max_s."""
    svc = Service(ctx, ["--listen", "80", "--tcp", "persist_max_s=3"])
    n = 20
    try:
        svc.wait_ready(80)
        honest = Honest("http://198.18.0.2/bytes/100000",
                        want=pattern_bytes(100000))
        src = (
            "import json, socket, time\n"
            "ss = []\n"
            "for i in range(%d):\n"
            "    s = socket.socket()\n"
            "    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)\n"
            "    s.settimeout(10)\n"
            "    s.connect(('198.18.0.2', 80))\n"
            "    s.sendall(b'GET /bytes/200000000 HTTP/1.1\\r\\nHost: x'\n"
            "              b'\\r\\n\\r\\n')\n"
            "    ss.append(s)\n"
            "t0 = time.time()\n"
            "time.sleep(8)\n"
            "reset = 0\n"
            "got = 0\n"
            "for s in ss:\n"
            "    s.settimeout(2)\n"
            "    try:\n"
            "        while True:\n"
            "            b = s.recv(1 << 20)\n"
            "            if not b:\n"
            "                break\n"
            "            got += len(b)\n"
            "    except ConnectionResetError:\n"
            "        reset += 1\n"
            "    except OSError:\n"
            "        pass\n"
            "print(json.dumps({'reset': reset, 'got': got}))\n" % n)
        r = peer_script(src, 90)
        honest.stop()
    finally:
        st = svc.stop()
    check(r["reset"] == n, "not reset: %s" % r)
    check(st["tcp"]["PersistTimeouts"] == n, "PersistTimeouts %d (probes %d)"
          % (st["tcp"]["PersistTimeouts"], st["tcp"]["WindowProbes"]))
    check(st["tcp"]["WindowProbes"] > 0, "no window probes")
    check_mbufs_back(st, "server")
    print("    %d zero-window clients reset, %d probes" %
          (n, st["tcp"]["WindowProbes"]))


@test
def hostile_slowloris_and_idle_keepalive(ctx):
    """Request heads sent a byte every 0.7 s are reset after
    http.header_timeout_s; idle keep-alive connections are closed (FIN)
    after http.idle_timeout_s; curl is served throughout."""
    svc = Service(ctx, ["--listen", "80", "--http",
                        "header_timeout_s=2,idle_timeout_s=3"])
    n_slow, n_idle = 60, 20
    try:
        svc.wait_ready(80)
        honest = Honest("http://198.18.0.2/bytes/5000",
                        want=pattern_bytes(5000))
        src = (
            "import json, socket, time\n"
            "head = b'GET /bytes/10 HTTP/1.1\\r\\nHost: x\\r\\nX-A: ' + \\\n"
            "    b'a' * 40 + b'\\r\\n\\r\\n'\n"
            "slow = []\n"
            "for i in range(%d):\n"
            "    s = socket.create_connection(('198.18.0.2', 80), timeout=10)\n"
            "    slow.append(s)\n"
            "idle = []\n"
            "for i in range(%d):\n"
            "    s = socket.create_connection(('198.18.0.2', 80), timeout=10)\n"
            "    s.sendall(b'GET /bytes/10 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')\n"
            "    idle.append(s)\n"
            "t0 = time.time()\n"
            "alive_slow = set(range(len(slow)))\n"
            "slow_end = {}\n"
            "pos = 0\n"
            "while time.time() - t0 < 6 and alive_slow:\n"
            "    for i in list(alive_slow):\n"
            "        try:\n"
            "            slow[i].send(head[pos:pos + 1])\n"
            "        except OSError:\n"
            "            alive_slow.discard(i)\n"
            "            slow_end[i] = time.time() - t0\n"
            "    pos = min(pos + 1, len(head) - 5)\n"
            "    time.sleep(0.7)\n"
            "fin = 0\n"
            "idle_end = []\n"
            "for s in idle:\n"
            "    s.settimeout(8)\n"
            "    data = b''\n"
            "    try:\n"
            "        while True:\n"
            "            b = s.recv(4096)\n"
            "            if not b:\n"
            "                break\n"
            "            data += b\n"
            "        fin += data.startswith(b'HTTP/1.1 200')\n"
            "        idle_end.append(time.time() - t0)\n"
            "    except OSError:\n"
            "        pass\n"
            "print(json.dumps({'slow_reset': len(slow_end),\n"
            "                  'slow_max': max(slow_end.values() or [0]),\n"
            "                  'slow_min': min(slow_end.values() or [0]),\n"
            "                  'idle_fin': fin,\n"
            "                  'idle_max': max(idle_end or [0])}))\n" %
            (n_slow, n_idle))
        r = peer_script(src, 60)
        honest.stop()
    finally:
        st = svc.stop()
    check(r["slow_reset"] == n_slow, "slow connections not reset: %s" % r)
    # Reset after 2 s (the first byte went at 0): seen at the next send.
    check(1.5 <= r["slow_min"] and r["slow_max"] <= 5.0,
          "slowloris reset at %s" % r)
    check(r["idle_fin"] == n_idle and r["idle_max"] <= 7.0,
          "idle connections: %s" % r)
    check(st["httpd"]["header_timeouts"] == n_slow, "header_timeouts %s" %
          st["httpd"])
    check(st["httpd"]["idle_timeouts"] >= n_idle, "idle_timeouts %s" %
          st["httpd"])
    check_mbufs_back(st, "server")
    print("    %d slowloris reset at %.1f-%.1f s, %d idle closed by %.1f s"
          % (n_slow, r["slow_min"], r["slow_max"], n_idle, r["idle_max"]))


@test
def hostile_echo_idle_timeout(ctx):
    """A silent echo client is closed after http.idle_timeout_s; a
    talking one is not."""
    svc = Service(ctx, ["--echo", "7", "--http", "idle_timeout_s=2"])
    try:
        svc.wait_ready(7)
        src = (
            "import json, socket, time\n"
            "q = socket.create_connection(('198.18.0.2', 7), timeout=10)\n"
            "t = socket.create_connection(('198.18.0.2', 7), timeout=10)\n"
            "t0 = time.time()\n"
            "echoed = 0\n"
            "while time.time() - t0 < 4:\n"
            "    t.sendall(b'hello\\n')\n"
            "    echoed += len(t.recv(100))\n"
            "    time.sleep(0.5)\n"
            "q.settimeout(5)\n"
            "closed = q.recv(10) == b''\n"
            "print(json.dumps({'closed': closed, 'echoed': echoed}))\n")
        r = peer_script(src, 30)
    finally:
        st = svc.stop()
    check(r["closed"] and r["echoed"] >= 40, "echo %s" % r)
    check(st["echo"]["idle_timeouts"] >= 1, "echo %s" % st["echo"])
    check_mbufs_back(st, "echo")


ARP_FLOOD = r'''
import json, socket, struct, sys, time
n_addr, seconds = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("dpf0p", 0))
src_mac = s.getsockname()[4]
dst_ip = socket.inet_aton("198.18.0.2")
frames = []
for i in range(n_addr):
    mac = bytes([0x02, 0xaa, 0, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff])
    sip = socket.inet_aton("198.18.%d.%d" % (1 + i // 250, 1 + i % 250))
    op = 1 if i % 2 == 0 else 2   # requests to us, and unasked replies
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, mac, sip,
                      b"\xff" * 6 if op == 1 else b"\x00" * 6, dst_ip)
    eth = b"\xff" * 6 + mac + b"\x08\x06"
    frames.append(eth + arp)
t0 = time.time()
sent = 0
while time.time() - t0 < seconds:
    for f in frames:
        s.send(f)
        sent += 1
    time.sleep(0.01)
print(json.dumps({"sent": sent}))
'''


@test
def hostile_arp_table_fill(ctx):
    """Unsolicited ARP from 20,000 on-link addresses: entries are made at
    arp.learn_rate a second, the table stays bounded, the gateway and a
    static entry stay, and a job to nginx runs clean through it."""
    d = Daemon(ctx, ["--gateway", PEER_IP, "--arp",
                     "learn_rate=400,reachable_s=1"])
    flood = None
    try:
        d.ctl("arp-add", "ip=198.18.0.77", "mac=02:00:00:00:00:77")
        script = ctx.out("arpflood.py")
        with open(script, "w") as f:
            f.write(ARP_FLOOD)
        flood = subprocess.Popen(["ip", "netns", "exec", "dpf-peer", PY,
                                  script, "20000", "7"],
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
        time.sleep(1.0)
        j = d.ctl("fetch", "url=http://%s/index.html" % PEER_IP,
                  "connections=4", "duration=5")
        r = d.ctl("wait", "job=%d" % j["job"], "timeout=60")
        out, err = flood.communicate(timeout=60)
        check(flood.returncode == 0, "flood: %s" % err.decode()[-1500:])
        sent = json.loads(out.decode().strip().splitlines()[-1])["sent"]
        entries = d.ctl("arp")["entries"]
    finally:
        if flood is not None and flood.poll() is None:
            flood.kill()
            flood.communicate()
        fst = d.stop()
    check(r["state"] == "done" and r["responses"]["2xx"] > 100,
          "job during the flood: %s" % {k: r[k] for k in
                                        ("state", "responses", "errors")})
    check_no_errors(r, "job during the flood")
    ips = {e["ip"]: e for e in entries}
    check(PEER_IP in ips, "gateway entry gone: %d entries" % len(entries))
    check("198.18.0.77" in ips and ips["198.18.0.77"]["static"],
          "static entry gone")
    check(len(entries) < 1024, "%d entries" % len(entries))
    a = fst["arp"]
    check(a["learn_limited"] > 1000, "learn_limited %s" % a)
    check(a["entries_evicted"] > 0, "entries_evicted %s" % a)
    # At most learn_rate a second (plus one second of burst) were made.
    check(a["entries_evicted"] + len(entries) <= 400 * 10, "made %s" % a)
    check_mbufs_back(fst, "daemon")
    print("    %d ARP frames: %d entries, %d learnt-limited, %d evicted, "
          "%d responses" % (sent, len(entries), a["learn_limited"],
                            a["entries_evicted"], r["responses"]["2xx"]))


@test
def memif_job_waits_for_link(ctx):
    """A job started while the port's link is down (the memif peer not
    there yet) waits for it within its connect timeout instead of
    failing ARP."""
    sock = "/run/dpf-it-link-%d.sock" % os.getpid()
    out = ctx.out("linkjob.json")
    prefixes = [ctx.prefix(), ctx.prefix()]
    # The fetching side owns the socket (role=server) and starts first.
    cmd = [ctx.binary, "-l", "1", "--no-huge", "-m", "1024", "--no-pci",
           "--file-prefix", prefixes[0], "--log-level", "warning",
           "--vdev=net_memif0,role=server,socket=%s,rsize=12" % sock,
           "--", "--ip", "198.18.2.2/24", "--fetch",
           "http://198.18.2.1/bytes/64", "--connections", "2",
           "--requests", "200", "--connect-timeout-ms", "15000",
           "-o", out, "--stats"]
    # The serving side comes 8 s later, past the 3 s port_init waits for
    # the link, and past the 3 s ARP would have failed in without the
    # wait.  (The memif socket is abstract: no file to wait for.)  The delay is the shell's, so both
    # are started at once.
    srv_cmd = [ctx.binary, "-l", "0", "--no-huge", "-m", "1024",
               "--no-pci", "--file-prefix", prefixes[1], "--log-level",
               "warning",
               "--vdev=net_memif0,role=client,socket=%s,rsize=12" % sock,
               "--", "--ip", "198.18.2.1/24", "--listen", "80", "--stats"]
    cli = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    srv = subprocess.Popen(["sh", "-c", 'sleep 8; exec "$@"', "sh"] +
                           srv_cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    try:
        cerr = end_process(cli, 60, None)
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.communicate()
        serr = end_process(srv, 30)
        subprocess.run(["rm", "-f", sock])
        # Only these two's runtime directories: others of this run may
        # still be in use.
        subprocess.run(["rm", "-rf"] +
                       ["/var/run/dpdk/" + x for x in prefixes])
    no_sanitizer_report(cerr)
    no_sanitizer_report(serr)
    check(cli.returncode == 0, "client exit %d: %s" % (
        cli.returncode, "\n".join(l for l in cerr.splitlines()
                                   if not l.startswith(" "))[-2000:] +
        "\nserver: %s " % srv.returncode + serr[:1500]))
    with open(out) as f:
        r = json.load(f)
    os.unlink(out)
    check_no_errors(r, "link wait")
    check(r["responses"]["2xx"] == 200, "responses %s" % r["responses"])
    # It ran while the link was down: seconds, not milliseconds.
    check(r["elapsed_s"] >= 1.5, "the job did not wait: %.3f s" %
          r["elapsed_s"])
    check_mbufs_back(stats_of(cerr), "client")
    check(srv.returncode == 0, "server exit %d" % srv.returncode)
    check_mbufs_back(stats_of(serr), "server")
    print("    job started with the link down, 200 responses %.1f s later"
          % r["elapsed_s"])
