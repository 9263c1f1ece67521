# SPDX-License-Identifier: BSD-3-Clause
"""The Prometheus endpoint (--metrics) and the output formats (--format).

metrics_*: a daemon with --metrics 127.0.0.1:PORT, scraped by a real
Prometheus (Debian's prometheus package, its own config and storage in a
temporary directory), the page checked with promtool; the HTTP rules
(404, 405, 431, 400) and their counters; slow clients holding the port
while an honest scrape is served.  format_*: every --format of
dpfetchctl and of a command-line job parses (json.loads, csv).
"""

import csv
import io
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from harness import (test, check, Failure, Daemon, PEER_IP, OUR_IP)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def scrape(port, path="/metrics", method="GET", timeout=5):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path),
                                 method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def raw_request(port, data, timeout=5):
    """Send bytes, return the status line's code (or None when closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as c:
        c.sendall(data)
        got = b""
        try:
            while True:
                b = c.recv(65536)
                if not b:
                    break
                got += b
        except (ConnectionResetError, socket.timeout):
            pass
    if not got.startswith(b"HTTP/1.1 "):
        return None
    return int(got[9:12])


def samples(text):
    """{(name, frozenset(labels)): value} of an exposition text."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        head, value = line.rsplit(" ", 1)
        if "{" in head:
            name, rest = head.split("{", 1)
            labels = frozenset(p for p in rest.rstrip("}").split(",") if p)
        else:
            name, labels = head, frozenset()
        out[(name, labels)] = float(value)
    return out


def family_sum(text, name):
    return sum(v for (n, _), v in samples(text).items() if n == name)


def promtool_check(text):
    r = subprocess.run(["promtool", "check", "metrics"], input=text.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    # exit 3 is lint warnings only (e.g. a counter without _total); the
    # format must be valid (exit 0) and lint-clean
    check(r.returncode == 0, "promtool check metrics: exit %d: %s%s" %
          (r.returncode, r.stdout.decode()[-2000:], r.stderr.decode()[-2000:]))


class Prometheus:
    """prometheus scraping 127.0.0.1:target every second, its API on a
    free port; everything in a temporary directory."""

    def __init__(self, target):
        self.dir = tempfile.mkdtemp(prefix="dpf-prom-")
        self.port = free_port()
        cfg = os.path.join(self.dir, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    "scrape_configs:\n  - job_name: dpfetch\n"
                    "    static_configs:\n"
                    "      - targets: ['127.0.0.1:%d']\n" % target)
        self.log = open(os.path.join(self.dir, "log"), "w")
        self.proc = subprocess.Popen(
            ["prometheus", "--config.file=" + cfg,
             "--storage.tsdb.path=" + os.path.join(self.dir, "data"),
             "--web.listen-address=127.0.0.1:%d" % self.port],
            stdout=self.log, stderr=subprocess.STDOUT)

    def query(self, q):
        url = "http://127.0.0.1:%d/api/v1/query?query=%s" % (
            self.port, urllib.parse.quote(q))
        with urllib.request.urlopen(url, timeout=5) as r:
            j = json.loads(r.read())
        check(j["status"] == "success", "query %s: %s" % (q, j))
        return j["data"]["result"]

    def wait_value(self, q, timeout=20):
        """The query's single value once it has one."""
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                res = self.query(q)
                if res:
                    return float(res[0]["value"][1])
                last = res
            except (OSError, ValueError) as e:
                last = e
            time.sleep(0.5)
        with open(os.path.join(self.dir, "log")) as f:
            log = f.read()[-2000:]
        raise Failure("prometheus: no value for %s (%s); log:\n%s" %
                      (q, last, log))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_job(d, n=500):
    j = d.ctl("fetch", "url=http://%s/index.html" % PEER_IP,
              "connections=4", "requests=%d" % n)
    r = d.ctl("wait", "job=%d" % j["job"], "timeout=60")
    check(r["state"] == "done" and r["responses"]["2xx"] == n,
          "job %s" % {k: r[k] for k in ("state", "responses", "errors")})
    return j["job"]


@test
def metrics_prometheus_scrapes(ctx):
    """A real Prometheus scrapes --metrics; its value of a counter is
    dpfetchctl's; promtool finds the page valid; dpfetchctl stats
    --format prometheus prints the same families."""
    port = free_port()
    d = Daemon(ctx, extra=["--metrics", "127.0.0.1:%d" % port])
    prom = None
    try:
        job = run_job(d)
        st = d.ctl("stats")
        code, headers, text = scrape(port)
        check(code == 200 and headers["Content-Type"].startswith(
            "text/plain; version=0.0.4"), "scrape: %d %s" % (code, headers))
        promtool_check(text)
        for needle in ('# TYPE dpfetch_tcp_active_opens_total counter',
                       'dpfetch_http_responses_total{lcore="0"}',
                       '# TYPE dpfetch_job_latency_quantiles_seconds summary',
                       'dpfetch_job_state{job_id="%d",state="done"} 1' % job,
                       'dpfetch_job_latency_quantiles_seconds_count{job_id="%d",kind="total"} 500' % job,
                       'dpfetch_job_responses_total{job_id="%d",class="2xx"} 500' % job,
                       '# TYPE dpfetch_tcp_curr_estab gauge',
                       '# TYPE dpfetch_job_latency_seconds histogram',
                       'dpfetch_job_latency_seconds_bucket{job_id="%d",kind="total",le="+Inf"} 500' % job,
                       '# HELP dpfetch_ctl_metrics_refused_total'):
            check(needle in text, "page lacks %r:\n%s" % (needle, text[:3000]))
        check(family_sum(text, "dpfetch_http_responses_total") ==
              st["http"]["responses"], "http responses %s vs %s" % (
                  family_sum(text, "dpfetch_http_responses_total"),
                  st["http"]["responses"]))
        # dpfetchctl prints the same page (counters moving aside)
        r = d.ctl("stats", "--format", "prometheus", raw=True)
        mine = r.stdout.decode()
        promtool_check(mine)
        fams = lambda t: sorted(l.split()[2] for l in t.splitlines()
                                if l.startswith("# TYPE"))
        check(fams(mine) == fams(text), "families differ: %s" % (
            set(fams(mine)) ^ set(fams(text))))
        a, b = samples(mine), samples(text)
        check(a.keys() == b.keys(), "series differ: %s" % (
            list(a.keys() ^ b.keys())[:10]))
        check(a[("dpfetch_tcp_active_opens_total", frozenset(['lcore="0"']))]
              == st["tcp"]["ActiveOpens"], "ActiveOpens")
        # the real scraper
        prom = Prometheus(port)
        up = prom.wait_value('up{job="dpfetch"} == 1')
        check(up == 1, "up %s" % up)
        got = prom.wait_value("sum(dpfetch_http_responses_total)")
        now = d.ctl("stats", "http")["http"]["responses"]
        check(got == now, "prometheus says %s responses, dpfetchctl %s" %
              (got, now))
        p99 = prom.wait_value('dpfetch_job_latency_quantiles_seconds{job_id="%d",'
                              'kind="total",quantile="0.99"}' % job)
        check(0 < p99 < 10, "p99 %s s" % p99)
        # the histogram answers histogram_quantile() alike (same samples)
        hq = prom.wait_value('histogram_quantile(0.5, '
                             'dpfetch_job_latency_seconds_bucket'
                             '{job_id="%d",kind="total"})' % job)
        p50 = prom.wait_value('dpfetch_job_latency_quantiles_seconds{job_id="%d",'
                              'kind="total",quantile="0.5"}' % job)
        check(p50 / 5 <= hq <= p50 * 5 + 0.0001, "histogram p50 %s vs %s" %
              (hq, p50))
        s = d.ctl("stats", "ctl")["ctl"]
        check(s["metrics_scrapes"] >= 2 and s["metrics_refused"] == 0,
              "ctl %s" % s)
    finally:
        if prom is not None:
            prom.stop()
        d.stop()


@test
def metrics_http_rules(ctx):
    """404 for another path, 405 for POST, 431 past the head limit, 400
    for garbage, a client that says nothing timed out; each counted."""
    port = free_port()
    d = Daemon(ctx, extra=["--metrics", "127.0.0.1:%d" % port,
                           "--metrics-max-request", "1024",
                           "--metrics-timeout-ms", "500"])
    try:
        check(scrape(port, "/")[0] == 404, "404")
        check(scrape(port, "/metricsX")[0] == 404, "404 metricsX")
        code, hdr, _ = scrape(port, method="POST")
        check(code == 405 and "GET" in hdr.get("Allow", ""), "405 %s" % code)
        code, hdr, body = scrape(port, method="HEAD")
        check(code == 200 and body == "", "HEAD %s" % code)
        # the limit exactly (more would be left unread: a reset)
        check(raw_request(port, b"GET /metrics HTTP/1.1\r\nX: " +
                          b"a" * (1024 - 26)) == 431, "431")
        check(raw_request(port, b"HELLO\r\n\r\n") == 400, "400")
        check(scrape(port, "/metrics?x=1")[0] == 200, "query string")
        # says nothing: closed after the timeout, no answer
        t0 = time.time()
        check(raw_request(port, b"GET /metr", timeout=5) is None, "timeout")
        check(0.3 < time.time() - t0 < 4, "closed after %.1f s" %
              (time.time() - t0))
        s = d.ctl("stats", "ctl")["ctl"]
        check(s["metrics_not_found"] == 2 and s["metrics_bad_method"] == 1
              and s["metrics_oversize"] == 1 and
              s["metrics_bad_requests"] == 1 and s["metrics_timeouts"] == 1
              and s["metrics_scrapes"] == 2 and s["metrics_clients"] == 0,
              "ctl %s" % s)
    finally:
        d.stop()


@test
def metrics_hostile_slow_clients(ctx):
    """64 clients trickle a request byte by byte into a port that takes
    8: honest scrapes during the attack all succeed (the stalest slow
    client makes room), the rest are refused or timed out, every one
    counted; the workers never see any of it."""
    port = free_port()
    d = Daemon(ctx, extra=["--metrics", "127.0.0.1:%d" % port,
                           "--metrics-max-clients", "8",
                           "--metrics-timeout-ms", "3000"])
    slow = []
    try:
        end = time.time() + 6
        ok = tried = 0
        while time.time() < end:
            # keep 64 slow clients connected, each a byte at a time
            slow = [c for c in slow if c.fileno() >= 0]
            while len(slow) < 64:
                c = socket.socket()
                c.setblocking(False)
                try:
                    c.connect(("127.0.0.1", port))
                except BlockingIOError:
                    pass
                slow.append(c)
            for c in list(slow):
                try:
                    c.send(b"G")
                except OSError:
                    c.close()
                    slow.remove(c)
            # the honest scraper comes a little later, as it would
            time.sleep(0.15)
            tried += 1
            try:
                code, _, text = scrape(port, timeout=2)
                if code == 200 and "dpfetch_tcp_in_segs_total" in text:
                    ok += 1
            except OSError:
                pass
            time.sleep(0.15)
        check(tried >= 10 and ok == tried, "honest scrapes: %d of %d" %
              (ok, tried))
        s = d.ctl("stats", "ctl")["ctl"]
        check(s["metrics_evicted"] + s["metrics_refused"] >= 64 and
              s["metrics_clients"] <= 8, "ctl %s" % s)
    finally:
        for c in slow:
            c.close()
        st = d.stop()
    check(st["ctl"]["metrics_clients"] == 0, "clients left %s" % st["ctl"])


@test
def format_dpfetchctl(ctx):
    """status, wait, stats, jobs, info and watch in every --format: json
    is one object, jsonl one per line, csv a header and rows; text has no
    escape codes into a pipe."""
    d = Daemon(ctx)
    try:
        j = d.ctl("fetch", "url=http://%s/index.html" % PEER_IP,
                  "connections=2", "duration=2", "rate_rps=100")
        job = j["job"]
        d.ctl("wait", "job=%d" % job, "timeout=30")

        def out(*args):
            return d.ctl(*args, raw=True).stdout.decode()

        for cmd in (["status", str(job)], ["wait", str(job)], ["stats"],
                    ["jobs"], ["info"], ["ports"]):
            o = json.loads(out(*cmd, "--format", "json"))
            check(isinstance(o, dict), "%s json" % cmd)
            lines = out("--format", "jsonl", *cmd).splitlines()
            check(len(lines) == 1 and json.loads(lines[0]) == o or
                  cmd[0] in ("stats", "info", "ports"),
                  "%s jsonl %r" % (cmd, lines[:2]))
            rows = list(csv.reader(io.StringIO(out(*cmd, "--format=csv"))))
            check(len(rows) >= 2 and all(len(r) == len(rows[0])
                                         for r in rows), "%s csv %s" %
                  (cmd, rows[:3]))
            t = out(*cmd)
            check("\033" not in t, "%s: escape codes into a pipe" % cmd)
        # a job: a row per second, then the total
        rows = list(csv.DictReader(io.StringIO(
            out("status", str(job), "--format", "csv"))))
        secs = [r for r in rows if r["row"] == "second"]
        tot = [r for r in rows if r["row"] == "total"]
        check(len(secs) >= 1 and len(tot) == 1 and
              int(tot[0]["requests"]) >= 100, "job csv %s" % rows)
        # --json is still jsonl
        check(json.loads(out("--json", "status", str(job)))["job"] == job,
              "--json")
        # watch into a file: no escape codes, frames one after another
        w = out("watch", str(job), "--once")
        check("\033" not in w and "job" in w.lower(), "watch:\n" + w[:500])
        w = out("watch", str(job), "--once", "--format", "jsonl")
        check(json.loads(w.splitlines()[0])["job"] == job, "watch jsonl")
        w = out("watch", str(job), "--once", "--format", "csv")
        check(w.splitlines()[0].startswith("job,row,t"), "watch csv " + w)
        # a bad format is a usage error
        d.ctl("stats", "--format", "xml", code=2, raw=True)
    finally:
        d.stop()


@test
def format_command_line_job(ctx):
    """dpfetch --fetch ... --requests N --format csv|jsonl|json|text."""
    for fmt in ("csv", "jsonl", "json", "text"):
        p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                         "http://%s/index.html" % PEER_IP,
                         "--connections", "2", "--requests", "50",
                         "--format", fmt])
        check(p.returncode == 0, "%s: exit %d %s" % (fmt, p.returncode,
                                                     p.stderr_text[-1500:]))
        o = p.stdout.decode()
        if fmt == "csv":
            rows = list(csv.DictReader(io.StringIO(o)))
            tot = [r for r in rows if r["row"] == "total"]
            check(len(tot) == 1 and tot[0]["requests"] == "50",
                  "csv %s" % rows)
        elif fmt == "jsonl":
            check(len(o.splitlines()) == 1 and
                  json.loads(o)["responses"]["2xx"] == 50, "jsonl %s" % o)
        elif fmt == "json":
            check(len(o.splitlines()) > 1 and
                  json.loads(o)["responses"]["2xx"] == 50, "json %s" % o)
        else:
            check("\033" not in o and "50" in o and "{" not in o,
                  "text %s" % o)


@test
def metrics_command_line_job(ctx):
    """--metrics on a command-line job (no control socket): the control
    thread serves only the metrics; a scrape during the job sees it
    running, and the JSON result is still on stdout."""
    import threading
    port = free_port()
    seen = []

    def scraper():
        deadline = time.time() + 20
        while time.time() < deadline and not seen:
            try:
                code, _, text = scrape(port, timeout=2)
                if code == 200 and 'state="running"} 1' in text:
                    seen.append(text)
            except OSError:
                pass
            time.sleep(0.2)

    t = threading.Thread(target=scraper)
    t.start()
    try:
        p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                         "http://%s/index.html" % PEER_IP,
                         "--connections", "2", "--duration", "3",
                         "--rate-rps", "100", "--metrics",
                         "127.0.0.1:%d" % port])
    finally:
        t.join()
    check(p.returncode == 0, "exit %d %s" % (p.returncode,
                                             p.stderr_text[-1500:]))
    check(json.loads(p.stdout)["state"] == "done", "result")
    check(seen, "no scrape saw the job running")
    promtool_check(seen[0])
    check("dpfetch_job_connections_open{job_id=\"1\"}" in seen[0] and
          "control socket" not in p.stderr_text, "page / stderr:\n%s" %
          p.stderr_text[-1000:])
    check(p.stats["ctl"]["metrics_scrapes"] >= 1, "ctl %s" % p.stats["ctl"])
