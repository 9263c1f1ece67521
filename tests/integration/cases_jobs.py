"""Load jobs against nginx: two lcores, pacing, several URLs, bad
parameters, a source address range.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import re
import time

from harness import (IFACE, OUR_IP, PEER_IP, access_log_lines, check,
                     check_mbufs_back, check_no_errors, expect_fail, expect_ok,
                     job_result, ns, stats_of, test)


def eal_2lcores(ctx):
    return ["-l", "0-1", "--no-pci", "--file-prefix", ctx.prefix(),
            "--log-level", "warning", "--no-huge", "-m", "1024",
            "--vdev=net_af_packet0,iface=%s,qpairs=2" % IFACE]


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
            (["--lcores", "7"], r"--lcores: 7 is not one of dpfetch's lcores"),
            (["--src-ips", "10.0.0.1-10.0.0.9"], r"--src-ips: outside"),
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
