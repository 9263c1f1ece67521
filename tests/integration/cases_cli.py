"""The command line that guides (issue 16, items 4 to 6): --version
before EAL, messages that name the option or key typed, one-line EAL
errors, the hugepage hint, "did you mean", dpfetchctl's options after the
command and its local url= check, --help within 80 columns, config files
with load options, quiet start-up and the -v trace of a one-shot fetch.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import json
import os
import re
import subprocess

from harness import (OUR_IP, PEER_IP, Daemon, check, expect_fail,
                     expect_ok, job_result, test)


def run(cmd, timeout=60):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    p.out = p.stdout.decode(errors="replace")
    p.err = p.stderr.decode(errors="replace")
    return p


def ctl_binary(ctx):
    return os.path.join(os.path.dirname(ctx.binary), "dpfetchctl")


def quiet_eal(ctx):
    """ctx.eal() without its --log-level: dpfetch's own default."""
    args = ctx.eal()
    i = args.index("--log-level")
    return args[:i] + args[i + 2:]


def usage_error(ctx, args, message, what, eal=None):
    """dpfetch exits 2 with message (a literal) on stderr, and nothing of
    EAL's: usage errors are caught before it starts."""
    p = ctx.dpfetch(args, timeout=30, leak_check=False, eal=eal)
    expect_fail(p, 2, re.escape(message), what)
    check("EAL:" not in p.stderr_text, "%s: EAL spoke:\n%s" %
          (what, p.stderr_text))
    return p


@test
def cli_version(ctx):
    for cmd in ([ctx.binary, "--version"], [ctx.binary, "--", "--version"],
                [ctl_binary(ctx), "--version"]):
        p = run(cmd)
        name = os.path.basename(cmd[0])
        check(p.returncode == 0, "%s: exit %d: %s" % (cmd, p.returncode,
                                                      p.err))
        check(re.fullmatch(r"%s \S+\n" % name, p.out) is not None,
              "%s: %r" % (cmd, p.out))
        check(p.err == "", "%s: stderr %r (EAL started?)" % (cmd, p.err))


@test
def cli_option_names(ctx):
    base = ["--ip", OUR_IP, "--fetch", "http://%s/" % PEER_IP]
    p = usage_error(ctx, base + ["--duration", "0"],
                    "dpfetch: --duration: 0 is outside 0.001..",
                    "--duration 0")
    check("duration_s" not in p.stderr_text, "names duration_s")
    usage_error(ctx, base + ["--connections", "0"],
                "dpfetch: --connections: 0 is outside 1..16777216",
                "--connections 0")
    usage_error(ctx, base + ["--rate-rps", "x"],
                "dpfetch: --rate-rps: 'x' is not a number", "--rate-rps x")
    usage_error(ctx, ["--ip", "198.18.0.2", "--fetch",
                      "http://%s/" % PEER_IP],
                "dpfetch: --ip: '198.18.0.2' lacks the prefix length: "
                "give the address with its network's, e.g. "
                "--ip 198.18.0.2/24", "--ip without /N")
    usage_error(ctx, ["--ip", OUR_IP, "--fetch", "http://example.com/"],
                "dpfetch: --fetch: 'example.com' is a name; dpfetch has "
                "no DNS", "--fetch with a name")
    usage_error(ctx, base + ["--conections", "4"],
                "dpfetch: unknown option '--conections' (did you mean "
                "'--connections'?)", "did you mean --connections")
    usage_error(ctx, base + ["--rate-rsp=5"],
                "(did you mean '--rate-rps'?)", "did you mean --rate-rps")


@test
def cli_bad_eal_option(ctx):
    eal = ctx.eal() + ["--file-prefx", "x"]
    p = usage_error(ctx, ["--ip", OUR_IP, "--fetch", "http://%s/" % PEER_IP],
                    "dpfetch: unknown EAL option '--file-prefx' (did you "
                    "mean '--file-prefix'?)", "EAL typo", eal=eal)
    lines = p.stderr_text.splitlines()
    check(len(lines) == 2 and lines[1].startswith("Try "),
          "not one line: %r" % lines)
    # dpfetch's own option before '--'
    p = run([ctx.binary, "--ip", OUR_IP, "--fetch", "http://%s/" % PEER_IP])
    check(p.returncode == 2 and "dpfetch: '--ip' is dpfetch's own option: "
          "it goes after '--'" in p.err and len(p.err.splitlines()) == 2,
          "--ip before --: %d %r" % (p.returncode, p.err))
    p = run([ctx.binary, "--bogus", "--", "--ip", OUR_IP])
    check(p.returncode == 2 and "unknown EAL option '--bogus'" in p.err and
          "Usage" not in p.err and len(p.err.splitlines()) == 2,
          "--bogus: %d %r" % (p.returncode, p.err))


@test
def cli_hugepage_hint(ctx):
    # EAL fails to read hugepage information as it does without
    # hugepages or without the right to use them.
    eal = ctx.eal(huge=True) + ["--huge-dir", "/nonexistent"]
    p = ctx.dpfetch(["--ip", OUR_IP, "--listen", "80"], timeout=30,
                    leak_check=False, eal=eal)
    expect_fail(p, 2, r"dpfetch: EAL initialisation failed: ",
                "EAL without hugepages")
    check("dpfetch: no usable hugepages? Run without them: dpfetch "
          "--no-huge -m 512" in p.stderr_text, "no hint:\n%s" %
          p.stderr_text)


@test
def cli_help_width(ctx):
    ctl = ctl_binary(ctx)
    for cmd in ([ctx.binary, "--help"], [ctx.binary, "--", "--help"],
                [ctl, "--help"], [ctl, "help", "fetch"],
                [ctl, "help", "search"]):
        p = run(cmd)
        check(p.returncode == 0, "%s: exit %d" % (cmd, p.returncode))
        wide = [l for l in p.out.splitlines() if len(l) > 80]
        check(not wide, "%s: lines over 80 columns: %r" % (cmd, wide))
    p = run([ctx.binary, "--help"])
    for opt in ("--version", "--verbose", "--connections", "--duration",
                "--rate-rps", "--config", "--threshold"):
        check(opt in p.out, "dpfetch --help lacks %s" % opt)
    p = run([ctl, "--help"])
    for scope in ("port", "lcore", "eth", "arp", "ip", "icmp", "tcp",
                  "http", "httpd", "echo", "impair", "mempool", "ctl"):
        check(re.search(r"SCOPE: one of[^(]*\b%s\b" % scope, p.out,
                        re.S) is not None,
              "dpfetchctl --help lacks scope %s" % scope)


@test
def cli_dpfetchctl_local_errors(ctx):
    """Usage errors need no dpfetch: exit 2 before connecting."""
    ctl = ctl_binary(ctx)
    sock = ["-s", "/nonexistent/dpf.sock"]
    cases = [
        (["fetch", "url=ftp://%s/" % PEER_IP],
         "dpfetchctl: fetch: url: unsupported scheme 'ftp'"),
        (["fetch", "url=http://example.com/"],
         "dpfetchctl: fetch: url: 'example.com' is a name"),
        (["fetch", "url=http://%s/" % PEER_IP, "duraton=3"],
         "dpfetchctl: fetch: unknown key 'duraton' (did you mean "
         "'duration'?)"),
        (["fecth", "url=http://%s/" % PEER_IP],
         "dpfetchctl: unknown command 'fecth' (did you mean 'fetch'?)"),
        (["stats", "--jsn"],
         "dpfetchctl: unknown option '--jsn' (did you mean '--json'?)"),
        (["--jsno", "stats"],
         "dpfetchctl: unknown option '--jsno' (did you mean '--json'?)"),
    ]
    for args, message in cases:
        p = run([ctl] + sock + args)
        check(p.returncode == 2 and message in p.err and
              "cannot connect" not in p.err,
              "dpfetchctl %s: exit %d, stderr %r" % (" ".join(args),
                                                     p.returncode, p.err))


@test
def cli_dpfetchctl_options_after_command(ctx):
    d = Daemon(ctx)
    try:
        ctl = ctl_binary(ctx)
        for args in (["stats", "--json"], ["stats", "tcp", "--json"],
                     ["stats", "--json", "scope=tcp"],
                     ["stats", "--ctl", d.sock, "tcp"]):
            cmd = [ctl] + (["-s", d.sock] if "--ctl" not in args else []) \
                + args
            p = run(cmd)
            check(p.returncode == 0, "%s: exit %d: %s" % (args, p.returncode,
                                                           p.err))
            if "--json" in args:
                r = json.loads(p.out)
                check("tcp" in r, "%s: no tcp in %r" % (args, p.out[:200]))
                if "tcp" in args or "scope=tcp" in args:
                    check(list(r) == ["tcp"], "%s: %r" % (args, list(r)))
    finally:
        d.stop()


@test
def cli_quiet_start(ctx):
    """A normal run says nothing of EAL's or telemetry's start-up."""
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch", "http://%s/" % PEER_IP,
                     "-o", ctx.out("quiet.out")], eal=quiet_eal(ctx))
    expect_ok(p, "quiet fetch")
    for mark in ("EAL:", "TELEMETRY:", "dpfetch: note:"):
        check(mark not in p.stderr_text, "%s on stderr:\n%s" %
              (mark, p.stderr_text[:2000]))
    # the user's "--log-level warning" hides telemetry's notice too
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch", "http://%s/" % PEER_IP,
                     "-o", ctx.out("quiet.out")])
    expect_ok(p, "fetch with --log-level warning")
    check("TELEMETRY:" not in p.stderr_text, "TELEMETRY:\n%s" %
          p.stderr_text[:2000])
    os.unlink(ctx.out("quiet.out"))


@test
def cli_verbose_trace(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch", "http://%s/" % PEER_IP,
                     "-o", ctx.out("v.out"), "-v"], eal=quiet_eal(ctx))
    expect_ok(p, "fetch -v")
    os.unlink(ctx.out("v.out"))
    want = [r"\* ARP 198\.18\.0\.1 is at ([0-9a-f]{2}:){5}[0-9a-f]{2}$",
            r"\* Connected to 198\.18\.0\.1 port 80 \(handshake \d+ us\)$",
            r"> GET / HTTP/1\.1$",
            r"> Host: 198\.18\.0\.1$",
            r"< HTTP/1\.1 200 OK$",
            r"< Content-Length: \d+$",
            r"\* closed$"]
    lines = p.stderr_text.splitlines()
    at = 0
    for pattern in want:
        while at < len(lines) and not re.match(pattern, lines[at]):
            at += 1
        check(at < len(lines), "no /%s/ (in order) in:\n%s" %
              (pattern, p.stderr_text[:3000]))
    # -v also lets EAL speak
    check("EAL:" in p.stderr_text, "-v: EAL's notices are missing")
    # without -v: no trace
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch", "http://%s/" % PEER_IP,
                     "-o", ctx.out("v.out")], eal=quiet_eal(ctx))
    expect_ok(p, "fetch without -v")
    check(not re.search(r"^[*<>] ", p.stderr_text, re.M),
          "a trace without -v:\n%s" % p.stderr_text[:2000])
    os.unlink(ctx.out("v.out"))


def write_config(ctx, name, text):
    path = ctx.out(name)
    with open(path, "w") as f:
        f.write(text)
    return path


@test
def cli_config_load_job(ctx):
    path = write_config(ctx, "load.json", json.dumps({
        "ip": OUR_IP, "fetch": "http://%s/" % PEER_IP,
        "connections": 2, "requests": 10, "requests-per-connection": 5,
        "rate_cps": "1000", "threshold": ["errors==0"]}))
    out = ctx.out("load-result.json")
    p = ctx.dpfetch(["--config", path, "-o", out])
    expect_ok(p, "config with load options")
    r = job_result(ctx, p, out)
    check(r["requests_sent"] == 10 and r["responses"]["2xx"] == 10,
          "responses: %s" % json.dumps(r)[:600])
    check(r["params"]["connections"] == 2 and
          r["params"]["requests_per_connection"] == 5,
          "params %s" % r["params"])
    os.unlink(path)
    # conf/dpfetch.json is an example with load options: it must run
    p = ctx.dpfetch(["--config", os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))), "conf", "dpfetch.json"),
        "--fetch", "http://%s/index.html" % PEER_IP, "-o", out])
    expect_ok(p, "conf/dpfetch.json")
    os.unlink(out)


@test
def cli_config_errors(ctx):
    missing = ctx.out("missing.json")
    usage_error(ctx, ["--config", missing],
                "dpfetch: cannot open %s: No such file or directory" %
                missing, "missing config")
    cases = [
        ('{"ip": "198.18.0.2/24",\n "connections" 4}', ":2:16: "),
        ('{"connections": -3}',
         ': "connections": -3 is outside 1..16777216'),
        ('{"connections": "four"}',
         ': "connections": \'four\' is not a whole number'),
        ('{"duration": 0}', ': "duration": 0 is outside 0.001..'),
        ('{"conections": 4}',
         ': "conections": unknown key (did you mean \'connections\'?)'),
        ('{"ip": "198.18.0.2"}', ': "ip": \'198.18.0.2\' lacks the prefix'),
        ('{"fetch": 5}', ': "fetch": must be a string'),
        ('{"mtu": 100}', ': "mtu": \'100\' must be a whole number from 576'),
        ('{"tcp": {"rcvbuf": "x"}}', ': "tcp.rcvbuf": must be a number'),
    ]
    for i, (text, message) in enumerate(cases):
        path = write_config(ctx, "bad%d.json" % i, text)
        usage_error(ctx, ["--config", path], "dpfetch: " + path + message,
                    "config %s" % text)
        os.unlink(path)
