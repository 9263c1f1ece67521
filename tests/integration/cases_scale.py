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
    # Measured with max_conns 1,050,000 (docs/design.md, "Memory per
    # connection"): 253 B on the server, 317 B on the client, after issue
    # 15 split the connection into a 232-byte hot block and cold blocks
    # from pools (counted here: send buffer, SACK, out-of-order, CUBIC),
    # replaced rte_hash and rte_mempool, and cut job_conn to 64 bytes
    # (before: 564.9 and 692.9).  The figure is the heap the structures
    # took at creation over max_conns, the same each run; the margin is
    # for the heap's rounding of pages and elements, and stays below
    # 8 B, so one more field in tcp_conn fails this.  The aim is 256 on
    # both sides (issue 15): the server is there, the client not yet
    # (job_conn).  Move these only with a new measurement and its reason
    # here.
    check(per_srv <= 256 and per_cli <= 323,
          "memory per connection: server %.0f, client %.0f bytes" %
          (per_srv, per_cli))
    print("    %d connections held %d s; %d requests; memory per connection:"
          " server %.0f B, client %.0f B; retransmissions %d/%d" %
          (n, full, r["requests_sent"], per_srv, per_cli,
           st["tcp"]["RetransSegs"], sst["tcp"]["RetransSegs"]))
