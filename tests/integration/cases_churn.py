"""Three dials in one job between two dpfetch over memif: held keep-alive
connections, requests per second over them, and short connections
opened per second on top (churn_cps), counted on the server's side.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

from harness import (check, check_mbufs_back, check_no_errors, expect_ok,
                     job_result, stat, stats_of, test)
from cases_memif import memif_job

# The figures: 2,000 held connections, 20,000 requests/s over
# them, 2,000 short connections a second, for 10 s.
HELD = 2000
RPS = 20000
CPS = 2000
SECONDS = 10


def within(got, want, what, tol=0.02):
    check(abs(got - want) <= tol * want,
          "%s: %.1f, wanted %.1f within %d %%" % (what, got, want,
                                                  tol * 100))


@test
def churn_three_dials_memif(ctx):
    """Hold HELD connections with RPS requests/s over them while CPS short
    connections a second (one request each, Connection: close) open and
    close for SECONDS s: the server sees HELD + CPS * SECONDS connections
    and RPS + CPS requests/s, each within 2 %; the client's churn object
    agrees, apart from the held connections; no errors, mbufs back."""
    out = ctx.out("job.json")
    p, srv = memif_job(ctx, "churn", "/bytes/64",
                       ["--connections", str(HELD), "--requests-per-connection", "0",
                        "--rate-rps", str(RPS), "--churn-cps", str(CPS),
                        "--duration", str(SECONDS), "-o", out],
                       timeout=120)
    expect_ok(p, "three dials")
    r = job_result(ctx, p, out)
    check_no_errors(r, "three dials")
    c = r["churn"]
    sst = stats_of(srv.stderr_text)
    conns = HELD + CPS * SECONDS
    within(stat(sst, "tcp.PassiveOpens"), conns, "server connections")
    within(stat(sst, "httpd.connections"), conns, "server httpd connections")
    within(stat(sst, "httpd.requests") / SECONDS, RPS + CPS,
           "server requests/s")
    # The client: the totals, and the churn apart.
    within(r["connections_opened"], conns, "client connections")
    within(c["connections_opened"], CPS * SECONDS, "churn connections")
    within(r["connections_opened"] - c["connections_opened"], HELD,
           "held connections", tol=0)
    within(c["rates"]["cps"], CPS, "churn connections/s")
    within(c["requests_sent"], CPS * SECONDS, "churn requests")
    check(c["errors"] == 0, "churn errors %d" % c["errors"])
    check(c["connections_established"] >= c["connections_opened"] - CPS // 10,
          "churn established %d of %d" % (c["connections_established"],
                                          c["connections_opened"]))
    check(c["responses"] <= c["requests_sent"] and
          c["responses"] >= c["requests_sent"] - CPS // 10,
          "churn responses %d of %d sent" % (c["responses"],
                                             c["requests_sent"]))
    within(c["rates"]["rps"], CPS, "churn responses/s")
    held_rps = (r["responses"]["2xx"] - c["responses"]) / r["elapsed_s"]
    within(held_rps, RPS, "held responses/s")
    within(r["rates"]["rps"], RPS + CPS, "client responses/s")
    check(c["latency_us"]["connect"]["count"] ==
          c["connections_established"],
          "churn connect latencies %d" % c["latency_us"]["connect"]["count"])
    check(c["latency_us"]["total"]["count"] == c["responses"],
          "churn total latencies %d" % c["latency_us"]["total"]["count"])
    check(r["latency_us"]["connect"]["count"] ==
          r["connections_established"], "connect latencies")
    check(stat(sst, "httpd.requests") >= r["responses"]["2xx"],
          "server answered %d, client counted %d" %
          (stat(sst, "httpd.requests"), r["responses"]["2xx"]))
    check_mbufs_back(stats_of(p.stderr_text), "client")
    check_mbufs_back(sst, "server")
    print("    server: %d connections, %.0f req/s; churn %.0f conn/s, "
          "%.0f req/s, connect p99 %d us, total p99 %d us; held %.0f req/s,"
          " total p99 %d us" %
          (stat(sst, "tcp.PassiveOpens"),
           stat(sst, "httpd.requests") / SECONDS, c["rates"]["cps"],
           c["rates"]["rps"], c["latency_us"]["connect"]["p99"],
           c["latency_us"]["total"]["p99"], held_rps,
           r["latency_us"]["total"]["p99"]))


@test
def churn_steps_and_requests_memif(ctx):
    """Churn from steps alone (none, then 500/s from 1 s to 2 s, then
    none), three requests on each short connection, beside 10 held
    connections at 1,000 requests/s: 500 churn connections, 1,500 churn
    requests, each answered; the held connections and their rate are
    untouched."""
    out = ctx.out("job.json")
    p, srv = memif_job(ctx, "churnsteps", "/bytes/64",
                       ["--connections", "10", "--rate-rps", "1000",
                        "--churn-requests", "3",
                        "--steps", "1:1000:500,2:1000:0",
                        "--duration", "3", "-o", out], timeout=60)
    expect_ok(p, "churn steps")
    r = job_result(ctx, p, out)
    check_no_errors(r, "churn steps")
    c = r["churn"]
    check(abs(c["connections_opened"] - 500) <= 1,
          "churn connections %d" % c["connections_opened"])
    check(c["connections_established"] == c["connections_opened"],
          "churn established %d of %d" % (c["connections_established"],
                                          c["connections_opened"]))
    check(c["requests_sent"] == 3 * c["connections_opened"] and
          c["responses"] == c["requests_sent"],
          "churn requests %d, responses %d" % (c["requests_sent"],
                                               c["responses"]))
    check(r["connections_opened"] - c["connections_opened"] == 10,
          "held connections %d" % (r["connections_opened"] -
                                   c["connections_opened"]))
    held = r["requests_sent"] - c["requests_sent"]
    within(held, 3000, "held requests")
    sst = stats_of(srv.stderr_text)
    check(stat(sst, "tcp.PassiveOpens") == r["connections_opened"],
          "server connections %d, client %d" %
          (stat(sst, "tcp.PassiveOpens"), r["connections_opened"]))
    check(stat(sst, "httpd.requests") >= r["responses"]["2xx"],
          "server answered %d" % stat(sst, "httpd.requests"))
    series = [x["cps"] for x in r["series"]]
    check(len(series) >= 3 and series[0] <= 10 and series[1] >= 490 and
          series[2] <= 10, "connections per second %s" % series)
    check_mbufs_back(stats_of(p.stderr_text), "client")
    check_mbufs_back(sst, "server")
    print("    churn %d connections, %d requests; held %d requests; "
          "cps per second %s" % (c["connections_opened"],
                                 c["requests_sent"], held, series))
