"""Load jobs between two dpfetch over memif: 10,000 connections, a server
dying midway, clients killed midstream, a bulk sender and its port.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import os
import signal
import subprocess
import time

from harness import (MemifServer, check, check_mbufs_back, check_no_errors,
                     expect_ok, job_result, memif_client_eal,
                     no_sanitizer_report, stat, stats_of, test)


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
    check(stat(sst, "tcp.EstabResets") > 0, "the server reset nothing: %s" %
          sst["tcp"])
    check_mbufs_back(sst, "server")
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
    the data path, dpfetch's munmap() guard does (lib/core/quiesce.h): without
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
    check_mbufs_back(stats_of(srv.stderr_text), "server")


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
