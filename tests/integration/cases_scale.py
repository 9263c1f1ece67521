"""Connection tables at scale over memif: the TIME_WAIT cap, a million
connections and their memory.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import os
import signal
import subprocess
import time

from harness import (MemifServer, check, check_mbufs_back, check_no_errors,
                     ctl_json, job_result, memif_client_eal,
                     no_sanitizer_report, sanitized, stats_of, test)


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
    text = err.decode(errors="replace")
    no_sanitizer_report(text)
    check(client.returncode == 0, "client exit %d: %s" % (
        client.returncode, text[-1500:]))
    check_mbufs_back(stats_of(text), "client")
    check_mbufs_back(stats_of(srv.stderr_text), "server")
    r = job_result(ctx, None, out)
    check_no_errors(r, "TIME_WAIT cap")
    check(0 < tw["total"] <= 2048, "%d connections in TIME_WAIT, cap 2048"
          % tw["total"])
    check(mid["TimeWaitRecycled"] > 0, "nothing recycled: %s" % mid)
    print("    %.0f conn/s; %d in TIME_WAIT mid-run, %d recycled" % (
        r["rates"]["cps"], tw["total"], mid["TimeWaitRecycled"]))


def rss_mib(proc):
    """A process's resident memory, in MiB (VmRSS)."""
    with open("/proc/%d/status" % proc.pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def held_lcore(ctx, path, name, n, deadline):
    """The lcore stats of a side once it holds n established connections
    (polled until deadline)."""
    while True:
        lc = ctl_json(ctx, path, "stats", "scope=lcore")["lcores"][0]
        if lc["established"] == n or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    check(lc["established"] == n, "%s holds %d connections of %d" %
          (name, lc["established"], n))
    return lc


@test
def memif_four_million_connections(ctx):
    """4,000,000 concurrent connections from one dpfetch to another over
    memif (one lcore each), from 160 source addresses across two /24s
    (25,000 of each address's 28,232 ephemeral ports), held for 30 s
    with light keep-alive traffic (a request per connection every ~60
    s), then closed in order.  While they are held, each side's memory
    (RSS, and conn_memory from stats scope=lcore) and its loop rate are
    read and printed.  (200,000 for 10 s in the sanitizer build.)"""
    # The ramp opens about 83,000 connections a second while the request
    # rate rises with it to one per connection every 60 s (67,000/s).  At
    # 125,000 and 100,000/s a 2-core host shared by both sides sits at the
    # edge: memif rings fill, and one stall can leave the ramp far behind
    # (seen in CI: 3.5M established after 46 s).
    if sanitized(ctx):
        n, hold, ramp, mem = 200000, 10, 4, "2048"
    else:
        n, hold, ramp, mem = 4000000, 30, 48, "5120"
    # 160 addresses, low bytes all distinct, the range crossing a /24.
    src = "198.18.2.176-198.18.3.79"
    duration = ramp + hold + 10
    sock = "/run/dpf-it-4m-%d.sock" % os.getpid()
    srv_ctl = "/run/dpf-it-4m-srv-%d.ctl" % os.getpid()
    cli_ctl = "/run/dpf-it-4m-cli-%d.ctl" % os.getpid()
    # Default ARP aging (reachable_s=30): TCP's progress keeps the
    # server's 160 neighbours and the client's one REACHABLE, so no probe
    # goes out that a stall on a host short of CPU could lose.
    big = ["--max-conns", str(n + n // 20), "--mbufs", "131071"]
    srv = subprocess.Popen(
        [ctx.binary, "-l", "0", "--no-huge", "-m", mem, "--no-pci",
         "--file-prefix", ctx.prefix(), "--log-level", "warning",
         "--vdev=net_memif0,role=server,socket=%s,rsize=12" % sock, "--",
         "--ip", "198.18.2.1/23", "--listen", "80", "--stats",
         "--ctl", srv_ctl] + big,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = ctx.out("4m.json")
    client = None
    mem_of, rss, loops = {}, {}, {}
    t0 = time.monotonic()
    try:
        # Setting up the tables of 4.2M connections takes seconds.
        while srv.poll() is None and time.monotonic() - t0 < 60:
            if os.path.exists(srv_ctl) and subprocess.run(
                    [os.path.join(os.path.dirname(ctx.binary),
                                  "dpfetchctl"), "-s", srv_ctl, "stats"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL).returncode == 0:
                break
            time.sleep(0.5)
        check(srv.poll() is None, "server exited early")
        client = subprocess.Popen(
            [ctx.binary] + memif_client_eal(ctx, sock, mem=mem) + [
                "--", "--ip", "198.18.2.2/23", "--fetch",
                "http://198.18.2.1/bytes/64", "--connections", str(n),
                "--rate-rps", str(n // 60), "--duration",
                str(duration), "--ramp", str(ramp),
                "--src-ips", src, "--ctl", cli_ctl,
                "-o", out, "--stats"] + big,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        started = time.monotonic()
        time.sleep(ramp + 2)
        # The client sets up its tables first, as the server did.
        deadline = started + ramp + hold / 2 + 10
        for name, path, proc in (("server", srv_ctl, srv),
                                 ("client", cli_ctl, client)):
            a = held_lcore(ctx, path, name, n, deadline)
            time.sleep(1)
            b = held_lcore(ctx, path, name, n, deadline)
            mem_of[name] = b
            rss[name] = rss_mib(proc)
            # Loop iterations per second and busy share while held: the
            # timers of 4M idle connections must not slow the loop.
            cyc = (b["busy_cycles"] + b["idle_cycles"] -
                   a["busy_cycles"] - a["idle_cycles"])
            loops[name] = ((b["loops"] - a["loops"]) * b["tsc_hz"] /
                           max(cyc, 1),
                           100.0 * (b["busy_cycles"] - a["busy_cycles"]) /
                           max(cyc, 1))
        _, err = client.communicate(timeout=duration + 120)
    finally:
        if client is not None and client.poll() is None:
            client.kill()
            client.communicate()
        srv_ended_early = srv.poll() is not None
        if not srv_ended_early:
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
    # The server serves until SIGTERM, then exits 0.
    check(not srv_ended_early and srv.returncode == 0,
          "server %s exit %d: %s" % (
              "ended by itself:" if srv_ended_early else "after SIGTERM:",
              srv.returncode, stext[-2000:]))
    r = job_result(ctx, None, out)
    check_no_errors(r, "4M")
    check(r["connections_established"] == n,
          "established %d" % r["connections_established"])
    opens = [e["open"] for e in r["series"]]
    full = sum(1 for o in opens if o == n)
    check(full >= hold, "all %d open for only %d s: %s" % (n, full, opens))
    est_s = next(i for i, o in enumerate(opens) if o == n) + 1
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
    # No neighbour lost under load: TCP's progress confirmed them.
    for name, s in (("client", st), ("server", sst)):
        check(s["arp"]["resolve_failures"] == 0 and
              s["arp"]["confirmations"] > 0,
              "%s: %d ARP resolve failures, %d confirmations" % (
                  name, s["arp"]["resolve_failures"],
                  s["arp"]["confirmations"]))
    per_srv = mem_of["server"]["conn_memory"]["per_connection"]
    per_cli = mem_of["client"]["conn_memory"]["per_connection"]
    # Measured with max_conns 1,050,000 (docs/design.md, "Memory per
    # connection"): 228 B on the server, 268 B on the client.  Issue 15
    # split the connection into a hot block and cold blocks from pools
    # (counted here: send buffer, SACK, out-of-order, CUBIC), replaced
    # rte_hash and rte_mempool, cut job_conn to 64 bytes, then gave the
    # wheel one callback (a 24-byte timer), made the send buffer a pool
    # index and moved HighRxt into it: a 208-byte tcp_conn (before:
    # 564.9 and 692.9).  At 4,200,000 the bucket heads round to the same
    # size per connection.  The figure is the heap the structures took at
    # creation over max_conns, the same each run; the margin is for the
    # heap's rounding of pages and elements, and stays below 8 B, so one
    # more field in tcp_conn fails this.  Then job_conn went 64 -> 40
    # (no list of all connections, profile and parser block in one word,
    # TCP's block and the job's clock in 32 bits): client 292 -> 268.
    # Then tcp_conn went 208 -> 192 (no ISS/IRS, RTO computed, PAWS's
    # clock and MAX.SND.WND in 16 bits): server 212, client 252, both
    # under the 256 of issue 15.  The client's bound is that 256 itself
    # (4 B of margin), the server's 6 B over its figure.
    # Move these only with a new measurement and its reason here.
    check(per_srv <= 218 and per_cli <= 256,
          "memory per connection: server %.0f, client %.0f bytes" %
          (per_srv, per_cli))
    print("    %d connections (all open by %d s) held %d s; %d requests;"
          " %.0f s in all" % (n, est_s, full, r["requests_sent"],
                              time.monotonic() - t0))
    for name, per in (("server", per_srv), ("client", per_cli)):
        print("    %s: RSS %.0f MiB, %.1f B per connection (conn_memory);"
              " held: %.0f loops/s, %.0f %% busy" %
              (name, rss[name], per, loops[name][0], loops[name][1]))
    print("    retransmissions %d/%d; ARP requests %d/%d, confirmations"
          " %d/%d" % (st["tcp"]["RetransSegs"], sst["tcp"]["RetransSegs"],
                      st["arp"]["tx_requests"], sst["arp"]["tx_requests"],
                      st["arp"]["confirmations"],
                      sst["arp"]["confirmations"]))
