"""Capacity search (fetch.search, dpfetchctl search, dpfetch --search)
against nginx's /limited/ location, which serves at most 2000 requests/s
and queues the rest (scripts/testbed.sh: limit_req without nodelay):
above 2000 requests/s the generator cannot achieve its rate and the
latency grows, so the capacity to find is 2000.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import json
import time

from harness import (OUR_IP, PEER_IP, Daemon, check, expect_fail,
                     expect_ok, job_result, rpc_lines, test)

LIMITED = "http://%s/limited/index.html" % PEER_IP
CAPACITY = 2000


def check_steps(r, what):
    """Every step's verdict agrees with its numbers: a passing step
    achieved 98 % of its rate and met every SLO expression; the measured
    part is the step's length; each step is a job of its own."""
    jobs = set()
    for s in r["steps"]:
        slo_ok = all(t["ok"] for t in s["slo"])
        rate_ok = s["achieved"] >= 0.98 * s["rate"]
        check(s["ok"] == (slo_ok and rate_ok and "note" not in s),
              "%s: step %s judged %s" % (what, s["step"], s))
        jobs.add(s["job"])
    check(len(jobs) == len(r["steps"]), "%s: jobs %s" % (what, jobs))
    passed = [s["rate"] for s in r["steps"] if s["ok"]]
    check(r["answer"] == (max(passed) if passed else None),
          "%s: answer %s, passed %s" % (what, r["answer"], passed))


@test
def search_finds_the_limited_capacity(ctx):
    """dpfetch --search between 500 and 8000 requests/s with SLO
    total.p99<50ms finds nginx's 2000 requests/s within 10 %, in at most
    12 steps of 1 + 2 s; the steps on stderr and the table; the JSON
    result on -o; exit 0; every mbuf back."""
    out = ctx.out("search.json")
    t0 = time.time()
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch", LIMITED,
                     "--connections", "64",
                     "--search", "rate_rps:500:8000",
                     "--slo", "total.p99<50ms", "--slo", "errors==0",
                     "--search-step", "2", "--search-warmup", "1",
                     "--search-pause", "0.2", "-o", out], timeout=120)
    took = time.time() - t0
    expect_ok(p, "search")
    r = job_result(ctx, p, out)
    check(r["dial"] == "rate_rps" and r["min"] == 500 and
          r["max"] == 8000 and r["slo"] == ["total.p99<50ms", "errors==0"],
          "result head %s" % {k: v for k, v in r.items() if k != "steps"})
    steps = r["steps"]
    check(2 < len(steps) <= 12, "%d steps" % len(steps))
    check(abs(r["answer"] - CAPACITY) <= 0.1 * CAPACITY,
          "answer %s, capacity %d; steps %s" % (
              r["answer"], CAPACITY,
              [(s["rate"], round(s["achieved"]), s["p99_us"], s["ok"])
               for s in steps]))
    check(r["end"] == "converged", "ended %s" % r["end"])
    check_steps(r, "search")
    # 8000 is four times what nginx serves: the generator fell short.
    first = steps[0]
    check(first["rate"] == 8000 and not first["ok"] and
          first["achieved"] < 0.5 * 8000,
          "first step %s" % first)
    check(steps[1]["rate"] == 500 and steps[1]["ok"], "second %s" % steps[1])
    for s in steps:
        check(1.9 <= s["measured_s"] <= 2.4 and
              s["responses"] >= 0.9 * s["achieved"] * s["measured_s"],
              "measured part %s" % s)
    check(took < 60, "the search took %.1f s" % took)
    err = p.stderr_text
    check("dpfetch: step 1: rate 8000" in err and
          "answer: %g rate_rps (converged" % r["answer"] in err and
          "FAILED" in err, "stderr:\n" + err[-3000:])


@test
def search_over_the_control_socket(ctx):
    """fetch.search through dpfetchctl: a rate that passes at max ends
    at once; one that fails at min too, with exit 1 and no answer;
    refusals are -32602; a client that goes away stops its step's job;
    the daemon shuts down with every mbuf back."""
    d = Daemon(ctx)
    try:
        url = "url=http://%s/index.html" % PEER_IP
        r = d.ctl("search", url, "connections=8", "max=400", "min=100",
                  "step_s=1", "warmup_s=0.5", "slo=total.p99<500ms")
        check(r["answer"] == 400 and r["end"] == "max_passed" and
              len(r["steps"]) == 1, "max passes: %s" % r)
        check_steps(r, "max passes")
        st = d.ctl("status", "job=%d" % r["steps"][0]["job"])
        check(st["params"]["rate_rps"] == 400 and st["state"] in
              ("done", "stopped"), "the step's job: %s" % st["params"])

        # nginx's 2000/s is below min: max fails, min fails, no answer.
        t = d.ctl("search", "url=" + LIMITED, "connections=32",
                  "min=3000", "max=6000", "step_s=1", "warmup_s=0.5",
                  raw=True, code=1)
        out = t.stdout.decode()
        check("answer: none" in out and "min_failed after 2 steps" in out,
              "table:\n" + out)
        check("no step passed its SLO" in t.stderr.decode(),
              "stderr: " + t.stderr.decode())

        for params, words in [
                ('{"url": "%s"}' % LIMITED, "search: expected an object"),
                ('{"url": "%s", "search": {"min": 5}}' % LIMITED,
                 "search.max is required"),
                ('{"url": "%s", "requests": 9, "search": {"max": 5}}'
                 % LIMITED, "requests: a search"),
                ('{"url": "%s", "search": {"max": 5, "slo": '
                 '["errors.bogus==0"]}}' % LIMITED, "no error kind 'bogus'"),
                ('{"url": "%s", "search": {"max": 5, "dial": "rate_cps"}}'
                 % LIMITED, "requests_per_connection"),
                ('{"search": {"max": 5}}', "url or urls is required"),
                ('{"url": "%s", "timeout_s": 0, "search": {"max": 5}}'
                 % LIMITED, "timeout_s")]:
            e = d.ctl("call", "fetch.search", params, code=1)
            msg = e.stderr.decode() + e.stdout.decode()
            check(words in msg and "-32602" in msg,
                  "%s: %s" % (params, msg))

        # A client gone mid-search: its running step's job is stopped.
        before = len(d.ctl("jobs")["jobs"])
        c = d.connect()
        c.sendall(json.dumps({
            "jsonrpc": "2.0", "id": 1, "method": "fetch.search",
            "params": {"url": LIMITED, "connections": 8,
                       "search": {"max": 1000, "step_s": 30}}}).encode()
                  + b"\n")
        deadline = time.time() + 10
        while len(d.ctl("jobs")["jobs"]) == before:
            check(time.time() < deadline, "no step job started")
            time.sleep(0.2)
        c.close()
        deadline = time.time() + 10
        while True:
            j = d.ctl("jobs")["jobs"][-1]
            if j["state"] == "stopped":
                break
            check(time.time() < deadline, "step job %s still %s" % (
                j["job"], j["state"]))
            time.sleep(0.2)
    finally:
        d.stop()


@test
def search_refusals_on_the_command_line(ctx):
    """What a search cannot run is a usage error (exit 2), before any
    step."""
    base = ["--ip", OUR_IP, "--fetch", LIMITED]
    for args, pattern in [
            (["--search", "rps:1:2"], r"expected DIAL:MIN:MAX"),
            (["--slo", "errors==0"], r"go with --search"),
            (["--search", "rate_rps:100", "--requests", "10"],
             r"requests: a search"),
            (["--search", "rate_rps:100", "--threshold", "errors==0"],
             r"search\.slo"),
            (["--search", "rate_rps:100", "--slo", "errors.bogus==0"],
             r"no error kind 'bogus'"),
            (["--search", "rate_cps:100"], r"requests_per_connection"),
            (["--search", "rate_rps:100", "--search-step", "400"],
             r"over 3600 s")]:
        p = ctx.dpfetch(base + args)
        expect_fail(p, 2, pattern, " ".join(args))
    p = ctx.dpfetch(["--ip", OUR_IP, "--search", "rate_rps:100"])
    expect_fail(p, 2, r"--search needs --fetch URL", "no URL")


@test
def registry_keeps_the_newest_jobs(ctx):
    """Searches make a job per step; once the registry holds 256, the
    oldest finished job makes room for each new one: after 300 jobs,
    fetch.list has the newest 256 in order, each one readable."""
    d = Daemon(ctx)
    try:
        c = d.connect()
        n = 300
        lines = b"".join(
            (json.dumps({"jsonrpc": "2.0", "id": 2 * i, "method":
                         "fetch.start", "params": {
                             "url": "http://%s/index.html" % PEER_IP}})
             + "\n" + json.dumps({"jsonrpc": "2.0", "id": 2 * i + 1,
                                  "method": "fetch.wait", "params": {
                                      "job": i + 1, "timeout_s": 10}})
             + "\n").encode() for i in range(n))
        replies = rpc_lines(c, lines, 2 * n, timeout=120)
        bad = [r for r in replies if "error" in r or
               r["result"].get("state", "done") != "done"]
        check(not bad, "replies: %s" % bad[:3])
        c.close()
        jobs = d.ctl("jobs")["jobs"]
        check([j["job"] for j in jobs] == list(range(n - 255, n + 1)),
              "ids %s" % [j["job"] for j in jobs][:5])
        check(all(j["responses"]["2xx"] == 1 for j in jobs),
              "a job reads wrong: %s" % [j for j in jobs
                                         if j["responses"]["2xx"] != 1][:1])
    finally:
        d.stop()
