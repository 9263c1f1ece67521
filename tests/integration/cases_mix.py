"""Request mixes (--mix): three weighted entries against nginx, with
per-request variables; per-entry counts and histograms add up to the
totals exactly.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import json
import os
import re
import subprocess
import time

from harness import (ACCESS_LOG, IFACE, OUR_IP, PEER_IP, MemifServer, check,
                     check_mbufs_back, check_no_errors, expect_fail,
                     expect_ok, job_result, memif_client_eal, stats_of, test)


MIX = [
    {"name": "index", "weight": 6,
     "url": "http://%s/index.html?id=${counter}&r=${rand:1-1000}" % PEER_IP,
     "headers": {"User-Agent": "mixua-${choice:red|green|blue}"}},
    # nginx answers a POST to a static file with 405: a 4xx entry.
    {"name": "post", "weight": 3, "url": "http://%s/index.html" % PEER_IP,
     "body": "n=${counter}&c=${choice:x|y}",
     "headers": {"X-Trace": "t${counter}"}},
    # HEAD: a Content-Length of 1 MiB and no body (the parser must know
    # per request, pipelined among GETs and POSTs).
    {"name": "head", "weight": 1, "method": "HEAD",
     "url": "http://%s/1M.bin" % PEER_IP},
]


def eal_2lcores(ctx):
    return ["-l", "0-1", "--no-pci", "--file-prefix", ctx.prefix(),
            "--log-level", "warning", "--no-huge", "-m", "1024",
            "--vdev=net_af_packet0,iface=%s,qpairs=2" % IFACE]


@test
def mix_three_entries_nginx(ctx):
    run_mix(ctx, None)


@test
def mix_three_entries_nginx_2lcores(ctx):
    """Two shares: their per-entry histograms merge like the totals,
    and ${counter} stays unique across them."""
    run_mix(ctx, eal_2lcores(ctx))


def check_entry_sums(r):
    """What every mix result holds, errors or not: the entries add up to
    the job's requests, responses, errors and latency count, and each
    entry's requests ended as responses, failed or cancelled."""
    mix = r["mix"]
    total_resp = sum(r["responses"][c] for c in
                     ("1xx", "2xx", "3xx", "4xx", "5xx"))
    sums = {
        "requests": (sum(e["requests"] for e in mix), r["requests_sent"]),
        "responses": (sum(e["responses"]["total"] for e in mix),
                      total_resp),
        "errors": (sum(e["errors"] for e in mix),
                   sum(r["errors"].values())),
        "latency count": (sum(e["latency_us"]["count"] for e in mix),
                          r["latency_us"]["total"]["count"]),
        "body_bytes": (sum(e["body_bytes"] for e in mix), r["body_bytes"]),
    }
    for what, (got, want) in sums.items():
        check(got == want, "entries' %s add up to %d, the job's %d" %
              (what, got, want))
    for e in mix:
        check(e["requests"] == e["responses"]["total"] + e["failed"] +
              e["cancelled"] and e["unanswered"] == e["failed"] +
              e["cancelled"], "entry %s: %s" % (e["name"], e))
    check(sum(e["failed"] for e in mix) <= r["requests_failed"] and
          sum(e["cancelled"] for e in mix) <= r["requests_cancelled"],
          "failed/cancelled past the job's")


def run_mix(ctx, eal):
    n = 20000
    path = ctx.out("mix.json")
    with open(path, "w") as f:
        json.dump(MIX, f)
    out = ctx.out("job.json")
    with open(ACCESS_LOG, "rb") as f:
        f.seek(0, os.SEEK_END)
        log_start = f.tell()
    p = ctx.dpfetch(["--ip", OUR_IP, "--mix", path, "--requests", str(n),
                     "--connections", "16", "--pipeline", "4", "-o", out,
                     "--stats"], eal=eal, timeout=300)
    os.unlink(path)
    expect_ok(p, "mix job")
    r = job_result(ctx, p, out)
    st = stats_of(p.stderr_text)
    check_no_errors(r, "mix job")
    check(r["state"] == "done", "state %s" % r["state"])
    check(r["requests_sent"] == n, "requests_sent %d" % r["requests_sent"])
    mix = {e["name"]: e for e in r["mix"]}
    check(list(mix) == ["index", "post", "head"], "entries %s" % list(mix))
    # Exact sums: requests, responses by class, latency counts.
    total_resp = sum(r["responses"][c] for c in
                     ("1xx", "2xx", "3xx", "4xx", "5xx"))
    check(sum(e["requests"] for e in r["mix"]) == r["requests_sent"],
          "entry requests %s" % [e["requests"] for e in r["mix"]])
    check(sum(e["responses"]["total"] for e in r["mix"]) == total_resp == n,
          "entry responses %s, total %d" %
          ([e["responses"] for e in r["mix"]], total_resp))
    for c in ("1xx", "2xx", "3xx", "4xx", "5xx"):
        check(sum(e["responses"][c] for e in r["mix"]) == r["responses"][c],
              "class %s: entries %s, total %d" %
              (c, [e["responses"][c] for e in r["mix"]], r["responses"][c]))
    check(sum(e["latency_us"]["count"] for e in r["mix"]) ==
          r["latency_us"]["total"]["count"],
          "latency counts %s, total %d" %
          ([e["latency_us"]["count"] for e in r["mix"]],
           r["latency_us"]["total"]["count"]))
    check(sum(e["body_bytes"] for e in r["mix"]) == r["body_bytes"],
          "body bytes")
    check_entry_sums(r)
    # Per entry: what nginx answers each.
    check(mix["index"]["responses"]["2xx"] == mix["index"]["requests"],
          "index %s" % mix["index"])
    check(mix["post"]["responses"]["4xx"] == mix["post"]["requests"],
          "post %s" % mix["post"])
    check(mix["head"]["responses"]["2xx"] == mix["head"]["requests"] and
          mix["head"]["body_bytes"] == 0, "head %s" % mix["head"])
    for e in r["mix"]:
        check(e["unanswered"] == 0, "%s unanswered" % e["name"])
        lat = e["latency_us"]
        check(0 < lat["min"] <= lat["p50"] <= lat["max"],
              "%s latency %s" % (e["name"], lat))
    # The weights, within 2% of the requests (the pick's stddev is
    # about 0.35% here).
    for name, w in (("index", 0.6), ("post", 0.3), ("head", 0.1)):
        frac = mix[name]["requests"] / n
        check(abs(frac - w) < 0.02, "%s: %.3f of the requests, weight %.1f"
              % (name, frac, w))
    # What reached nginx: substituted paths and User-Agents.
    time.sleep(0.5)
    with open(ACCESS_LOG, "rb") as f:
        f.seek(log_start)
        lines = f.read().decode(errors="replace").splitlines()
    check(len(lines) == n, "nginx logged %d of %d" % (len(lines), n))
    ids, uas, methods = set(), set(), {}
    for line in lines:
        m = re.search(r'"(\w+) (\S+) HTTP/1.1" (\d+) .*"([^"]*)"$', line)
        check(m is not None, "log line %r" % line)
        methods[m.group(1)] = methods.get(m.group(1), 0) + 1
        uas.add(m.group(4))
        if m.group(1) == "GET":
            q = re.fullmatch(r"/index.html\?id=(\d+)&r=(\d+)", m.group(2))
            check(q is not None and 1 <= int(q.group(2)) <= 1000,
                  "path %s" % m.group(2))
            ids.add(int(q.group(1)))
    check(methods == {"GET": mix["index"]["requests"],
                      "POST": mix["post"]["requests"],
                      "HEAD": mix["head"]["requests"]},
          "methods %s" % methods)
    check(len(ids) == mix["index"]["requests"], "counters repeat")
    check({"mixua-red", "mixua-green", "mixua-blue"} <= uas,
          "user agents %s" % sorted(uas)[:10])
    check_mbufs_back(st, "mix job")
    print("    %s; p50 %s us" % (
        ", ".join("%s %d" % (e["name"], e["requests"]) for e in r["mix"]),
        [e["latency_us"]["p50"] for e in r["mix"]]))


@test
def mix_bad_file(ctx):
    path = ctx.out("badmix.json")
    with open(path, "w") as f:
        json.dump([{"url": "http://%s/" % PEER_IP, "weight": 0}], f)
    p = ctx.dpfetch(["--ip", OUR_IP, "--mix", path, "--requests", "10"])
    os.unlink(path)
    expect_fail(p, 2, r"mix\[0\]\.weight: expected an integer 1\.\.1000000",
                "weight 0")


@test
def mix_errors_add_up(ctx):
    """Errors, failures and cancellations count to mix entries too, and
    still add up: (a) a refused port (every error before any request
    went: the pending pick's), (b) a duration that ends with pipelined
    requests outstanding (cancelled), (c) response timeouts on a peer
    that never answers (failed)."""
    runs = (
        ("refused", [{"name": "a", "url": "http://%s:9/a" % PEER_IP,
                      "weight": 3},
                     {"name": "b", "url": "http://%s:9/b" % PEER_IP}],
         ["--requests", "40", "--connections", "4"]),
        ("cancelled", [{"name": "big", "url": "http://%s/1M.bin" % PEER_IP,
                        "weight": 2},
                       {"name": "small",
                        "url": "http://%s/index.html" % PEER_IP}],
         ["--duration", "1", "--connections", "8", "--pipeline", "4"]),
        # peer_server's /truncated closes in the middle of its body.
        ("failed", [{"name": "cut", "url": "http://%s:8080/truncated" %
                     PEER_IP},
                    {"name": "whole", "url": "http://%s:8080/headers" %
                     PEER_IP}],
         ["--requests", "40", "--connections", "2"]),
    )
    for what, mix, args in runs:
        path = ctx.out("mix-%s.json" % what)
        with open(path, "w") as f:
            json.dump(mix, f)
        out = ctx.out("job-%s.json" % what)
        p = ctx.dpfetch(["--ip", OUR_IP, "--mix", path, "-o", out] + args,
                        timeout=60)
        os.unlink(path)
        check(p.returncode in (0, 1), "%s: exit %d: %s" %
              (what, p.returncode, p.stderr_text[-2000:]))
        r = job_result(ctx, p, out)
        check_entry_sums(r)
        errs = sum(r["errors"].values())
        if what == "refused":
            # Spread by weight (b gets none with odds 0.75^40).
            check(r["errors"]["refused"] >= 4 and r["requests_sent"] == 0 and
                  all(e["errors"] > 0 for e in r["mix"]),
                  "refused: %s, entries %s" %
                  (r["errors"], [e["errors"] for e in r["mix"]]))
        elif what == "failed":
            m = {e["name"]: e for e in r["mix"]}
            check(m["cut"]["failed"] > 0 and m["cut"]["errors"] > 0 and
                  m["cut"]["responses"]["total"] == 0 and
                  m["whole"]["failed"] == 0 and
                  m["whole"]["responses"]["2xx"] > 0,
                  "failed: %s" % r["mix"])
        else:
            check(sum(e["cancelled"] for e in r["mix"]) > 0,
                  "nothing cancelled: %s" % [(e["name"], e["requests"],
                                              e["cancelled"])
                                             for e in r["mix"]])
        print("    %s: errors %d = %s; failed %s, cancelled %s" %
              (what, errs, [e["errors"] for e in r["mix"]],
               [e["failed"] for e in r["mix"]],
               [e["cancelled"] for e in r["mix"]]))


@test
def mix_two_destinations(ctx):
    """Entries for two destinations (nginx on port 80, peer_server on
    8080) in one job: each request goes on a connection to its own
    destination (a request on the other would be a 404), with its own
    Host; and the same for plain urls fetched in turn."""
    mix = [{"name": "nginx", "weight": 2,
            "url": "http://%s/index.html?n=${counter}" % PEER_IP},
           {"name": "nginx-head", "weight": 1, "method": "HEAD",
            "url": "http://%s/1M.bin" % PEER_IP},
           {"name": "peer", "weight": 1,
            "url": "http://%s:8080/headers" % PEER_IP,
            "headers": {"X-Entry": "peer-${counter}"}}]
    path = ctx.out("mix2.json")
    with open(path, "w") as f:
        json.dump(mix, f)
    out = ctx.out("job2.json")
    p = ctx.dpfetch(["--ip", OUR_IP, "--mix", path, "--requests", "400",
                     "--connections", "6", "-o", out], timeout=60)
    os.unlink(path)
    expect_ok(p, "two destinations")
    r = job_result(ctx, p, out)
    check_no_errors(r, "two destinations")
    check_entry_sums(r)
    m = {e["name"]: e for e in r["mix"]}
    for name in ("nginx", "nginx-head", "peer"):
        e = m[name]
        check(e["requests"] > 0 and e["responses"]["2xx"] == e["requests"],
              "%s: %s" % (name, e))
    # The weights hold across destinations too: a request waits for a
    # connection to its own (stddev of a share here about 0.02).
    for name, w in (("nginx", 0.5), ("nginx-head", 0.25), ("peer", 0.25)):
        frac = m[name]["requests"] / 400.0
        check(abs(frac - w) < 0.1, "%s: %.3f of the requests, weight %.2f"
              % (name, frac, w))
    # Plain urls to both, in turn: every one answered 200 by its own.
    out = ctx.out("job3.json")
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s/index.html" % PEER_IP, "--fetch",
                     "http://%s:8080/headers" % PEER_IP, "--requests", "60",
                     "--connections", "3", "-o", out], timeout=60)
    expect_ok(p, "two destinations, urls")
    r = job_result(ctx, p, out)
    check_no_errors(r, "two destinations, urls")
    check(r["responses"]["2xx"] == 60, "urls: %s" % r["responses"])
    # Churn connections on top of the held ones: each to a destination
    # picked by weight, with its own destination's requests only.
    path = ctx.out("mix2c.json")
    with open(path, "w") as f:
        json.dump(mix, f)
    out = ctx.out("job2c.json")
    p = ctx.dpfetch(["--ip", OUR_IP, "--mix", path, "--duration", "2",
                     "--connections", "3", "--rate-rps", "100",
                     "--churn-cps", "40", "--churn-requests", "2",
                     "-o", out], timeout=60)
    os.unlink(path)
    expect_ok(p, "two destinations, churn")
    r = job_result(ctx, p, out)
    check_no_errors(r, "two destinations, churn")
    check_entry_sums(r)
    check(r["churn"]["responses"] > 40 and
          all(e["requests"] > 0 and e["responses"]["2xx"] ==
              e["responses"]["total"] for e in r["mix"]),
          "churn: %s %s" % (r["churn"], [(e["name"], e["requests"],
                                          e["responses"]) for e in r["mix"]]))
    # 17 destinations: more than a connection can name (JOB_MAX_DESTS).
    args = ["--ip", OUR_IP, "--requests", "17"]
    for port in range(8001, 8018):
        args += ["--fetch", "http://%s:%d/" % (PEER_IP, port)]
    p = ctx.dpfetch(args)
    expect_fail(p, 2, r"urls: the URLs reach more than 16 destinations",
                "17 destinations")
    print("    mix: nginx %d + %d, peer %d, all 2xx; urls: 60 of 60 2xx" %
          (m["nginx"]["requests"], m["nginx-head"]["requests"],
           m["peer"]["requests"]))


# --- the acceptance case of issue 17: one mix, nginx and tagged memif ---

# Per server, the paths of the three requests (the built-in server has
# /, /bytes/N and nothing else; nginx its files): the variables are in
# the path, the headers and the body either way.
ACCEPT_PATHS = {
    "nginx": {"get": "/index.html?id=${counter}&r=${rand:1-1000}",
              "post": "/index.html", "head": "/1M.bin"},
    "dpfetch": {"get": "/bytes/${rand:100-2000}?id=${counter}",
                "post": "/", "head": "/bytes/1048576"},
}
# (name, weight, method, headers, body): the same for every server.
ACCEPT_ENTRIES = (
    ("get", 6, "GET", {"X-Req": "g${counter}",
                       "User-Agent": "accept-${choice:a|b|c}"}, None),
    ("post", 3, "POST", {"Content-Type": "application/x-www-form-urlencoded",
                         "X-Req": "p${counter}"},
     "n=${counter}&r=${rand:0-99}&c=${choice:x|y}"),
    ("head", 1, "HEAD", {}, None),
)


def accept_mix(bases, paths):
    """The acceptance mix for the base URLs given (one per destination
    or address family: "http://198.18.0.1", later "http://[2001:2::1]"):
    the three entries for each, names suffixed by the base's index when
    there are several."""
    mix = []
    for i, base in enumerate(bases):
        for name, weight, method, headers, body in ACCEPT_ENTRIES:
            e = {"name": name if len(bases) == 1 else "%s%d" % (name, i),
                 "weight": weight, "method": method,
                 "url": base + paths[name]}
            if headers:
                e["headers"] = dict(headers)
            if body is not None:
                e["body"] = body
            mix.append(e)
    return mix


def check_weights(r, n):
    """Each entry's share of the n requests within 4.5 standard
    deviations of its weight's (binomial)."""
    total = float(sum(e["weight"] for e in r["mix"]))
    for e in r["mix"]:
        p = e["weight"] / total
        sd = (n * p * (1 - p)) ** 0.5
        check(abs(e["requests"] - n * p) <= 4.5 * sd + 1,
              "%s: %d of %d requests, weight %.3f wants %.0f +- %.0f" %
              (e["name"], e["requests"], n, p, n * p, 4.5 * sd))


def run_accept(ctx, bases, paths, args, eal=None, want=None):
    """Run the acceptance mix; every count and histogram per entry must
    add up to the totals and the weights hold.  want: entry name ->
    the status class its responses are all in."""
    n = 4000
    path = ctx.out("accept-mix.json")
    with open(path, "w") as f:
        json.dump(accept_mix(bases, paths), f)
    out = ctx.out("accept.json")
    p = ctx.dpfetch(args + ["--mix", path, "--requests", str(n),
                            "--connections", "8", "--pipeline", "2",
                            "-o", out], eal=eal, timeout=120)
    os.unlink(path)
    expect_ok(p, "acceptance mix")
    r = job_result(ctx, p, out)
    check_no_errors(r, "acceptance mix")
    check(r["requests_sent"] == n, "requests_sent %d" % r["requests_sent"])
    check_entry_sums(r)
    check_weights(r, n)
    for e in r["mix"]:
        cls = (want or {}).get(e["name"].rstrip("0123456789"), "2xx")
        check(e["responses"][cls] == e["requests"] == e["responses"]["total"],
              "%s: %s" % (e["name"], e["responses"]))
    check_mbufs_back(p.stats, "acceptance mix")
    return r


def accept_nginx(ctx, bases, args):
    r = run_accept(ctx, bases, ACCEPT_PATHS["nginx"], args,
                   want={"post": "4xx"})	# nginx: POST to a file, 405
    print("    " + ", ".join("%s %d" % (e["name"], e["requests"])
                             for e in r["mix"]))


@test
def mix_accept_nginx(ctx):
    """Issue 17's mix (three weighted requests, with a counter, random
    numbers and choices in paths, headers and bodies) against nginx."""
    accept_nginx(ctx, ["http://%s" % PEER_IP], ["--ip", OUR_IP])


@test
def mix_accept_nginx_ipv4_ipv6(ctx):
    """The same three requests to nginx over IPv4 and over IPv6 in one
    job (six entries): each on its own family, every count adding up."""
    accept_nginx(ctx, ["http://%s" % PEER_IP, "http://[2001:2::1]"],
                 ["--ip", OUR_IP, "--ip6", "2001:2::2/64"])


def accept_memif_vlan(ctx, bases, srv_extra, cli_args):
    from cases_vlan import tshark_vlan
    sock = "/run/dpf-it-mixvlan-%d.sock" % os.getpid()
    cap = ctx.out("mix-vlan.pcapng")
    srv = MemifServer(ctx, sock, extra=srv_extra + [
        "--vlan", "7", "--capture", cap, "--capture-count", "100000"])
    try:
        time.sleep(1.0)
        check(srv.proc.poll() is None, "memif server exited early")
        r = run_accept(ctx, bases, ACCEPT_PATHS["dpfetch"],
                       cli_args + ["--vlan", "7", "--stats"],
                       eal=memif_client_eal(ctx, sock))
    finally:
        code = srv.stop()
        subprocess.run(["rm", "-f", sock])
    check(code == 0, "server exit %d: %s" % (code, srv.stderr_text[-2000:]))
    check_mbufs_back(stats_of(srv.stderr_text), "server")
    rows = tshark_vlan(cap)
    os.unlink(cap)
    check(len(rows) > 4000, "only %d frames captured" % len(rows))
    bad = [row for row in rows if row[0] != "7"]
    check(not bad, "%d of %d frames not on VLAN 7, first %s" %
          (len(bad), len(rows), bad[:3]))
    print("    %s; %d frames, all on VLAN 7" %
          (", ".join("%s %d" % (e["name"], e["requests"]) for e in r["mix"]),
           len(rows)))
    return r


@test
def mix_accept_memif_vlan(ctx):
    """The same mix between two dpfetch over memif, both --vlan 7, the
    server (--listen) capturing: tshark finds VLAN 7 on every frame."""
    accept_memif_vlan(ctx, ["http://198.18.2.1"], [],
                      ["--ip", "198.18.2.2/24"])


@test
def mix_accept_memif_vlan_ipv4_ipv6(ctx):
    """Issue 17's whole case: the IPv4 and IPv6 mix tagged (VLAN 7)
    between two dpfetch over memif, the server on both families; every
    frame tagged, Neighbor Discovery's too, and the entries adding up."""
    r = accept_memif_vlan(ctx, ["http://198.18.2.1", "http://[2001:2:2::1]"],
                          ["--ip6", "2001:2:2::1/64"],
                          ["--ip", "198.18.2.2/24", "--ip6", "2001:2:2::2/64"])
    check(len(r["mix"]) == 6 and all(e["requests"] > 0 for e in r["mix"]),
          "entries %s" % [(e["name"], e["requests"]) for e in r["mix"]])


@test
def mix_dpfetchctl_fetch_mix_file(ctx):
    """dpfetchctl fetch mix=FILE on a running dpfetch: the file is read
    by dpfetchctl and runs as the mix; wait's text has the table per
    entry with the totals, csv a mix:NAME row per entry, json the mix
    array adding up; a bad file is exit 2 naming the file and line, also
    in -f SCRIPT --check; nothing reaches the appliance then."""
    import csv
    import io
    from harness import Daemon
    path = ctx.out("ctlmix.json")
    with open(path, "w") as f:
        json.dump(accept_mix(["http://%s" % PEER_IP], ACCEPT_PATHS["nginx"]),
                  f)
    bad = ctx.out("ctlbad.json")
    with open(bad, "w") as f:
        f.write('[{"url": "http://%s/", "weight": 1},\n {"url" 5}]\n' %
                PEER_IP)
    script = ctx.out("ctlmix.dpf")
    with open(script, "w") as f:
        f.write("fetch mix=%s requests=10\nfetch mix=%s requests=10\n" %
                (path, bad))
    d = Daemon(ctx)
    try:
        r = d.ctl("fetch", "mix=%s" % bad, code=2)
        err = r.stderr.decode()
        check(re.search(r"mix=%s: line 2, column \d+: " % re.escape(bad),
                        err), "bad file: %r" % err)
        r = d.ctl("-f", script, "--check", code=2)
        err = r.stderr.decode()
        check("%s:2: fetch: mix=%s: line 2" % (script, bad) in err and
              ":1:" not in err, "--check: %r" % err)
        check(d.ctl("jobs")["jobs"] == [], "a bad mix started a job")
        job = d.ctl("fetch", "mix=%s" % path, "requests=2000",
                    "connections=4")["job"]
        res = d.ctl("wait", str(job), "timeout=60")
        check(res["state"] == "done", "state %s" % res["state"])
        check_entry_sums(res)
        check([e["name"] for e in res["mix"]] == ["get", "post", "head"],
              "entries %s" % [e["name"] for e in res["mix"]])
        text = d.ctl("status", str(job), raw=True).stdout.decode()
        rows = {}
        for line in text.split("\nmix\n", 1)[-1].splitlines():
            w = line.split()
            if w and w[0] in ("get", "post", "head", "total"):
                rows[w[0]] = w
        check(set(rows) == {"get", "post", "head", "total"},
              "no mix table in:\n" + text)
        for col in (1, 2, 3, 4, 5):	# weight .. body_bytes add up
            check(sum(int(rows[n][col]) for n in ("get", "post", "head"))
                  == int(rows["total"][col]), "column %d:\n%s" % (col, text))
        check(int(rows["get"][2]) == res["mix"][0]["requests"], text)
        out = d.ctl("status", str(job), "--format", "csv",
                    raw=True).stdout.decode()
        mixrows = [row for row in csv.DictReader(io.StringIO(out))
                   if row["row"].startswith("mix:")]
        check([row["row"] for row in mixrows] ==
              ["mix:get", "mix:post", "mix:head"] and
              sum(int(row["requests"]) for row in mixrows) == 2000,
              "csv:\n" + out)
    finally:
        d.stop()
        for f in (path, bad, script):
            os.unlink(f)
    print("    " + ", ".join("%s %d" % (e["name"], e["requests"])
                             for e in res["mix"]))
