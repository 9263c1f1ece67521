"""The HTML report of a load job (--report, dpfetchctl report), rendered by
a real browser: Debian's chromium, headless.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import html
import html.parser
import html5lib
import json
import os
import re
import shutil
import signal
import subprocess

from harness import (OUR_IP, PEER_IP, check, expect_fail, expect_ok,
                     job_result, test)

# What a page with no script and no external resource must never make
# chromium say (console messages, CSP refusals, failed loads).
CONSOLE_BAD = re.compile(r"CONSOLE|Uncaught|Refused to|Failed to load|"
                         r"net::ERR_|Not allowed to load", re.I)

CHARTS = ("chart-rate", "chart-conns", "chart-errors", "chart-latency",
          "chart-open", "chart-throughput", "chart-distribution")
# Drawn whatever the job: the series of a real job and its latencies.
CHARTS_DRAWN = ("chart-rate", "chart-conns", "chart-open",
                "chart-distribution")
TABLES = ("summary", "params", "latency", "responses", "errors")


class Dom(html.parser.HTMLParser):
    """The elements of chromium's --dump-dom that the test looks at."""

    def __init__(self):
        super().__init__()
        self.ids = {}           # id -> tag
        self.figure = None      # id of the figure being read
        self.svg_in = set()     # figures holding an svg
        self.lines_in = {}      # figure id -> count of path.line
        self.tags = {}          # tag -> count
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if "id" in a:
            self.ids[a["id"]] = tag
        if tag == "figure":
            self.figure = a.get("id")
        elif tag == "svg" and self.figure is not None:
            self.svg_in.add(self.figure)
        elif (tag == "path" and self.figure is not None and
              "line" in a.get("class", "").split()):
            self.lines_in[self.figure] = \
                self.lines_in.get(self.figure, 0) + 1

    def handle_endtag(self, tag):
        if tag == "figure":
            self.figure = None

    def handle_data(self, data):
        self.text.append(data)


def chromium_dump(ctx, path, name):
    """chromium --dump-dom of path: (DOM text, its log lines).  A private
    profile under the test's tmp dir, removed after; the process group
    killed if it hangs."""
    ud = ctx.out("chromium-" + name)
    cmd = ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
           "--user-data-dir=" + ud, "--no-first-run",
           "--disable-extensions", "--disable-background-networking",
           "--disable-component-update", "--disable-sync",
           "--enable-logging=stderr", "--v=0",
           "--dump-dom", "file://" + path]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    finally:
        # chromium's helpers (zygote, utility) may outlive the browser
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        shutil.rmtree(ud, ignore_errors=True)
    check(proc.returncode == 0, "chromium exit %d: %s" % (
        proc.returncode, err.decode(errors="replace")[-2000:]))
    return out.decode(), err.decode(errors="replace")


def console_problems(log):
    return [line for line in log.splitlines() if CONSOLE_BAD.search(line)]


def user_strings(r):
    """Every string of the result: the user's text (URLs, headers)."""
    out = []

    def walk(v):
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(k)
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(r)
    return out


@test
def report_renders_in_chromium(ctx):
    """A real load job against nginx with --report: the page renders in
    headless Chromium with no console message at all, holds the charts,
    the parameter and latency tables, shows the user's text as text
    (escaped), loads nothing; dpfetchctl report draws the same page from
    the job's JSON."""
    out = ctx.out("job.json")
    page = ctx.out("report.html")
    evil = "<script>alert('dpf')</script> & \"x\""
    p = ctx.dpfetch(["--ip", OUR_IP,
                     "--fetch", "http://%s/index.html" % PEER_IP,
                     "--header", "X-Note: " + evil,
                     "--connections", "8", "--duration", "3",
                     "--rate-rps", "2000",
                     "-o", out, "--report", page])
    expect_ok(p, "load job with --report")
    with open(page, encoding="utf-8") as f:
        text = f.read()
    r = job_result(ctx, p, out)
    check(r["responses"]["2xx"] > 1000, "responses %s" % r["responses"])

    # The file as written: HTML5 without a parse error (the WHATWG
    # parser's, as html5lib has it), escaped, self-contained.
    h5 = html5lib.HTMLParser()
    h5.parse(text)
    check(not h5.errors, "HTML5 parse errors: %s" % h5.errors[:5])
    check("<script" not in text, "an unescaped <script in the page")
    check(html.escape(evil, quote=True).replace("&#x27;", "&#39;") in text,
          "the header's text is not in the page, escaped")
    rest = text
    for s in sorted(user_strings(r), key=len, reverse=True):
        for form in (html.escape(s, quote=True).replace("&#x27;", "&#39;"),
                     html.escape(json.dumps(s)[1:-1], quote=True)
                     .replace("&#x27;", "&#39;")):
            if len(form) > 6:
                rest = rest.replace(form, "")
    for bad in ("http://", "https://", "src=", "href=", "url(",
                "@import", "<link", "<iframe", "<object"):
        check(bad not in rest, "the page refers to %r beyond the user's "
              "text" % bad)

    # dpfetchctl report: the same page from the job's JSON.
    with open(out, "w") as f:
        json.dump(r, f)
    page2 = ctx.out("report2.html")
    ctl = os.path.join(os.path.dirname(ctx.binary), "dpfetchctl")
    c = subprocess.run([ctl, "report", out, "-o", page2],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30)
    check(c.returncode == 0, "dpfetchctl report: %s" % c.stderr.decode())
    with open(page2, encoding="utf-8") as f:
        check(f.read() == text, "dpfetchctl report drew another page")

    # The console capture works: a page that logs is caught.
    probe = ctx.out("probe.html")
    with open(probe, "w") as f:
        f.write("<!DOCTYPE html><title>p</title>"
                "<script>console.error('dpf-probe')</script>")
    _, log = chromium_dump(ctx, probe, "probe")
    check(any("dpf-probe" in line for line in console_problems(log)),
          "chromium's console is not captured:\n" + log[-2000:])

    # The real thing.
    dom_text, log = chromium_dump(ctx, page, "report")
    bad = console_problems(log)
    check(not bad, "console messages:\n" + "\n".join(bad))
    dom = Dom()
    dom.feed(dom_text)
    for cid in CHARTS:
        check(dom.ids.get(cid) == "figure", "no figure #%s in the DOM" % cid)
    for cid in CHARTS_DRAWN:
        check(cid in dom.svg_in and dom.lines_in.get(cid, 0) > 0,
              "#%s has no svg with a line" % cid)
    check(dom.lines_in.get("chart-distribution", 0) >= 3,
          "the distribution has %d lines, want connect, ttfb, total" %
          dom.lines_in.get("chart-distribution", 0))
    for tid in TABLES:
        check(dom.ids.get(tid) == "table", "no table #%s in the DOM" % tid)
    check(dom.ids.get("figures") == "div", "no headline figures")
    check(dom.tags.get("script", 0) == 0, "a script element in the DOM")
    alltext = "".join(dom.text)
    check(evil in alltext, "the header is not shown as text")
    check(r["urls"][0] in alltext, "no URL %s shown" % r["urls"][0])
    for word in ("Requests per second", "Latency by percentile", "p99",
                 "connections"):
        check(word in alltext, "no %r on the page" % word)


@test
def report_errors(ctx):
    """--report needs a load job (usage, exit 2); a report that cannot be
    written fails the job's run (exit 1, the file named) after the JSON
    went out; dpfetchctl report refuses what is not a job's result."""
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s/index.html" % PEER_IP,
                     "--report", ctx.out("r.html")])
    expect_fail(p, 2, r"--report needs a load job", "--report one-shot")
    bad = ctx.out("no-dir/r.html")
    out = ctx.out("job.json")
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s/index.html" % PEER_IP,
                     "--connections", "2", "--requests", "20", "-o", out,
                     "--report", bad])
    expect_fail(p, 1, r"dpfetch: --report: %s: .*No such file" %
                re.escape(bad), "unwritable --report")
    r = job_result(ctx, p, out)
    check(r["responses"]["2xx"] == 20, "the job ran: %s" % r["responses"])
    ctl = os.path.join(os.path.dirname(ctx.binary), "dpfetchctl")
    junk = ctx.out("junk.json")
    with open(junk, "w") as f:
        f.write('{"job": 1, "series": 5}')
    c = subprocess.run([ctl, "report", junk, "-o", ctx.out("j.html")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30)
    check(c.returncode == 1 and b"no \"state\"" in c.stderr and
          not os.path.exists(ctx.out("j.html")),
          "dpfetchctl report of junk: %d %s" % (c.returncode, c.stderr))
    c = subprocess.run([ctl, "report"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    check(c.returncode == 2 and b"usage: report" in c.stderr,
          "dpfetchctl report without a file: %d" % c.returncode)
