"""Measurement against nginx: chosen percentiles, the full distribution,
thresholds and their exit status, on the command line and over the
control socket.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import os
import select
import signal
import subprocess

from harness import (NS, OUR_IP, PEER_IP, Daemon, check, check_no_errors,
                     end_process, expect_fail, expect_ok, job_result, test)


def check_distribution(rows, lat, what):
    """HdrHistogram-style rows: levels rising from 0 to 100, values and
    counts non-decreasing, the last row the max and the whole count."""
    check(len(rows) >= 2 and rows[0]["percentile"] == 0 and
          rows[-1]["percentile"] == 100, "%s: rows %s" % (what, rows[:3]))
    for a, b in zip(rows, rows[1:]):
        check(b["percentile"] > a["percentile"] and
              b["value_us"] >= a["value_us"] and b["count"] >= a["count"],
              "%s: rows go back: %s then %s" % (what, a, b))
    check(rows[-1]["value_us"] == lat["max"] and
          rows[-1]["count"] == lat["count"] and
          rows[0]["value_us"] == lat["min"],
          "%s: ends %s %s, summary %s" % (what, rows[0], rows[-1], lat))


@test
def thresholds_and_percentiles_command_line(ctx):
    """--percentiles picks latency_us's columns; the result carries the
    distribution; thresholds that hold exit 0, one that fails exits 3
    with the table and FAILED on stderr; a bad one is a usage error."""
    out = ctx.out("job.json")
    url = "http://%s/index.html" % PEER_IP
    base = ["--ip", OUR_IP, "--fetch", url, "--connections", "8",
            "--requests", "2000", "-o", out]
    p = ctx.dpfetch(base + ["--percentiles", "50,99.99",
                            "--threshold", "total.p99.99 < 30s",
                            "--threshold", "errors==0",
                            "--threshold", "rps>=1",
                            "--threshold", "2xx>=2k"])
    expect_ok(p, "thresholds that hold")
    r = job_result(ctx, p, out)
    check_no_errors(r, "job")
    tot = r["latency_us"]["total"]
    check(list(tot) == ["count", "min", "mean", "p50", "p9999", "max"],
          "latency keys %s" % list(tot))
    check(r["params"]["percentiles"] == [50, 99.99],
          "params echo %s" % r["params"].get("percentiles"))
    check([t["ok"] for t in r["thresholds"]] == [True] * 4 and
          r["thresholds"][3]["value"] == 2000,
          "thresholds %s" % r["thresholds"])
    for name in ("connect", "ttfb", "total"):
        check_distribution(r["distribution"][name], r["latency_us"][name],
                           name)
    check("p99.99" in p.stderr_text and "thresholds" in p.stderr_text and
          "FAILED" not in p.stderr_text, "summary:\n" + p.stderr_text)

    p = ctx.dpfetch(base + ["--threshold", "rps>=1G",
                            "--threshold", "total.max>0"])
    expect_fail(p, 3, r"rps>=1G +[0-9.e+]+ +FAILED", "a failed threshold")
    check("1 of 2 thresholds failed" in p.stderr_text, p.stderr_text)
    r = job_result(ctx, p, out)
    check([t["ok"] for t in r["thresholds"]] == [False, True] and
          r["thresholds"][0]["value"] > 1, "thresholds %s" % r["thresholds"])
    check_no_errors(r, "job with a failed threshold")

    for arg, pattern in [("total.p99", r"expected a comparison"),
                         ("latency<5", r"unknown metric 'latency'"),
                         ("rps>5ms", r"unit 'ms' does not fit rps"),
                         ("errors.bogus==0", r"no error kind 'bogus'")]:
        p = ctx.dpfetch(["--ip", OUR_IP, "--fetch", url,
                         "--connections", "2", "--threshold", arg])
        expect_fail(p, 2, pattern, arg)
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch", url, "--connections", "2",
                     "--percentiles", "1.5,15"])
    expect_fail(p, 2, r"both report as p15", "colliding percentiles")


@test
def thresholds_over_the_control_socket(ctx):
    """fetch.start's thresholds and percentiles; dpfetchctl wait exits 3
    when one fails and prints which; status distribution=true gives the
    rows; an unknown error kind is refused."""
    d = Daemon(ctx)
    try:
        url = "url=http://%s/index.html" % PEER_IP
        j = d.ctl("fetch", url, "connections=4", "requests=400",
                  "percentiles=90,99.9", "threshold=total.max<1us",
                  "threshold=errors==0")
        w = d.ctl("wait", "job=%d" % j["job"], "timeout=60", code=3)
        err = w.stderr.decode()
        check("threshold total.max<1us failed" in err and
              "errors==0" not in err, "wait said: " + err)
        r = d.ctl("status", "job=%d" % j["job"], "distribution=true")
        check(r["state"] == "done" and r["responses"]["2xx"] == 400,
              "job %s" % {k: r[k] for k in ("state", "responses")})
        check([t["ok"] for t in r["thresholds"]] == [False, True],
              "thresholds %s" % r["thresholds"])
        check(list(r["latency_us"]["total"]) ==
              ["count", "min", "mean", "p90", "p999", "max"],
              "keys %s" % list(r["latency_us"]["total"]))
        check_distribution(r["distribution"]["total"],
                           r["latency_us"]["total"], "total")
        check("distribution" not in d.ctl("status", "job=%d" % j["job"]),
              "distribution without asking")
        # The table dpfetchctl prints names the failed one too.
        t = d.ctl("status", "job=%d" % j["job"], raw=True).stdout.decode()
        check("total.max<1us" in t and "FAILED" in t and "p99.9" in t,
              "status table:\n" + t)
        # Thresholds that hold: wait exits 0.
        j = d.ctl("fetch", url, "connections=2", "requests=50",
                  "threshold=responses==50")
        d.ctl("wait", "job=%d" % j["job"], "timeout=60")
        r = d.ctl("call", "fetch.start",
                  '{"url": "http://%s/", "thresholds": ["errors.bogus==0"]}'
                  % PEER_IP, code=1)
        check("no error kind 'bogus'" in r.stderr.decode() +
              r.stdout.decode(), "refusal: %s" % r.stderr.decode())
    finally:
        d.stop()


@test
def series_percentiles_over_two_lcores(ctx):
    """Each second of the series carries the p50 and p99 of that second's
    responses, merged over both lcores' histograms, and its errors."""
    from cases_jobs import eal_2lcores
    out = ctx.out("job.json")
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s/index.html" % PEER_IP,
                     "--connections", "16", "--duration", "3.5",
                     "--rate-rps", "3000", "-o", out],
                    eal=eal_2lcores(ctx))
    expect_ok(p, "paced 2-lcore job")
    r = job_result(ctx, p, out)
    tot = r["latency_us"]["total"]
    check(len(r["series"]) == 3, "series %s" % r["series"])
    for e in r["series"]:
        check(e["errors"] == 0 and e["rps"] > 2000 and
              tot["min"] <= e["p50_us"] <= e["p99_us"] <= tot["max"],
              "second %s (total %s)" % (e, tot))


STALL_PORT = 8090


def start_stall_server(port, period, stall):
    """stall_server.py in the peer namespace: every response due in the
    first `stall` seconds of each `period` waits until they end."""
    p = subprocess.Popen(["ip", "netns", "exec", NS, "/usr/bin/python3",
                          os.path.join(os.path.dirname(__file__),
                                       "stall_server.py"),
                          str(port), str(period), str(stall)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    r, _, _ = select.select([p.stdout], [], [], 15)
    line = p.stdout.readline() if r else b""
    if line.strip() != b"ready":
        p.kill()
        _, err = p.communicate()
        check(False, "stall server did not start: %r %r" % (line, err))
    return p


def job_against_stall(ctx, port, period, args, code=0, pattern=None):
    """A load job against a stalling server on port (a second's stall
    in each period): its result, the server stopped either way."""
    srv = start_stall_server(port, period, 1)
    try:
        out = ctx.out("job.json")
        p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                         "http://%s:%d/" % (PEER_IP, port), "-o", out] +
                        args, timeout=120)
        if code == 0:
            expect_ok(p, "job against the stalling server")
        else:
            expect_fail(p, code, pattern, "job against the stalling server")
        return job_result(ctx, p, out)
    finally:
        end_process(srv, 10, signal.SIGTERM)


def check_stall_shows(lat):
    """From the intended time the stalls show; from the actual send they
    do not."""
    check(lat["total"]["p90"] >= 300000,
          "total p90 %d us: the stalls do not show" % lat["total"]["p90"])
    check(lat["service"]["p90"] < 10000,
          "service p90 %d us" % lat["service"]["p90"])


@test
def open_loop_stalling_server(ctx):
    """Coordinated omission: 40 connections at 400 requests/s for 15 s
    against a server that holds every response for the first second of
    each five.  The requests that fall due during a stall wait in the
    backlog and go when it ends: 400/s are sent (not ~330), `total` p90
    (from the intended time) shows the stall, `service` p90 (from the
    actual send) does not."""
    r = job_against_stall(ctx, STALL_PORT, 5,
                          ["--connections", "40", "--rate-rps", "400",
                           "--duration", "15", "--response-timeout-ms",
                           "5000"])
    check_no_errors(r, "stalled job")
    lat = r["latency_us"]
    rate = r["requests_sent"] / 15.0
    print("    %.1f requests/s sent; total p50 %d p90 %d p99 %d us; "
          "service p50 %d p90 %d p99 %d us" %
          (rate, lat["total"]["p50"], lat["total"]["p90"],
           lat["total"]["p99"], lat["service"]["p50"],
           lat["service"]["p90"], lat["service"]["p99"]))
    check(392 <= rate <= 408, "%.1f requests/s sent, want 400 +- 2 %%" % rate)
    check_stall_shows(lat)
    check(lat["total"]["count"] == lat["service"]["count"] ==
          r["responses"]["2xx"], "counts %s" % lat)
    check(r["params"]["arrival"] == "uniform" and
          r["errors"]["backlog_overflow"] == 0, "params %s errors %s" %
          (r["params"], r["errors"]))


@test
def open_loop_backlog_overflow_and_poisson(ctx):
    """Poisson arrivals at 600 requests/s over 2 connections against a
    server that stalls a second of every two: the backlog passes
    max_backlog (100) and the overflow is counted as errors (exit 1),
    never dropped silently; requests_sent + overflow covers the
    schedule."""
    r = job_against_stall(ctx, STALL_PORT + 1, 2,
                          ["--connections", "2", "--rate-rps", "600",
                           "--arrival", "poisson", "--max-backlog", "100",
                           "--duration", "4"], 1, r"backlog_overflow")
    over = r["errors"]["backlog_overflow"]
    check(over > 0, "no overflow counted: %s" % r["errors"])
    check(r["params"]["arrival"] == "poisson" and
          r["params"]["max_backlog"] == 100, "params %s" % r["params"])
    # The schedule asked for about 2400 (Poisson: sd about 50); what the
    # backlog still holds when the job ends (at most max_backlog) is in
    # neither count.
    total = r["requests_sent"] + over
    check(2100 <= total <= 2600, "sent %d + overflow %d" %
          (r["requests_sent"], over))


@test
def open_loop_connections_stalling_server(ctx):
    """rate_cps is open loop too: 100 new connections/s, one request
    each, at most 10 open, against the stalling server.  While a stall
    holds the 10, the openings that fall due wait and go when it ends;
    each one's request is measured from when its connection was meant
    to open, so `total` shows the stall and `service` does not."""
    r = job_against_stall(ctx, STALL_PORT + 2, 5,
                          ["--connections", "10", "--rate-cps", "100",
                           "--requests-per-connection", "1",
                           "--max-backlog", "1000", "--duration", "12"])
    check_no_errors(r, "stalled connections")
    lat = r["latency_us"]
    # (12 s: the server's stalls come about 4 and 9 s into the job, so
    # the backlog of the last one has gone out before the end)
    rate = r["connections_opened"] / 12.0
    print("    %.1f connections/s; total p50 %d p90 %d us; service p90 %d us"
          % (rate, lat["total"]["p50"], lat["total"]["p90"],
             lat["service"]["p90"]))
    check(98 <= rate <= 102, "%.1f connections/s opened, want 100 +- 2 %%"
          % rate)
    check_stall_shows(lat)
