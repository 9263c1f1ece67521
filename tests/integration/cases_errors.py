"""One-shot failures: HTTP errors, RST, ARP failures, no route, truncated,
stalled and garbage responses (exit 1), usage errors (exit 2).

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import json
import time

from harness import OUR_IP, PEER_IP, check, expect_fail, stat, test


@test
def http_404_exit_1(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s/no-such-file" % PEER_IP])
    expect_fail(p, 1, r"HTTP 404", "404")


@test
def http_503_exit_1(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s:8080/status/503" % PEER_IP])
    expect_fail(p, 1, r"answered HTTP 503", "503")


@test
def closed_port_rst_exit_1(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s:81/" % PEER_IP, "--stats"])
    expect_fail(p, 1, r"connection refused by 198\.18\.0\.1:81 \(RST\)",
                "closed port")
    check(stat(p.stats, "tcp.AttemptFails") == 1, "AttemptFails %s" %
          p.stats["tcp"])


@test
def unreachable_next_hop_arp_error(ctx):
    t0 = time.time()
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch", "http://198.18.0.99/",
                     "--arp", "retries=3,retry_ms=200", "--stats"])
    expect_fail(p, 1, r"ARP: no reply from 198\.18\.0\.99 after 3 requests",
                "unreachable host")
    check(stat(p.stats, "arp.tx_requests") == 3, "tx_requests %d" %
          p.stats["arp"]["tx_requests"])
    check(stat(p.stats, "arp.resolve_failures") == 1, "resolve_failures")
    check(time.time() - t0 < 20, "took too long")


@test
def unreachable_gateway_arp_error(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--gateway", "198.18.0.254",
                     "--fetch", "http://198.19.0.1/",
                     "--arp", "retries=2,retry_ms=200"])
    expect_fail(p, 1, r"ARP: no reply from 198\.18\.0\.254 .*gateway",
                "unreachable gateway")


@test
def no_route_without_gateway(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch", "http://198.19.0.1/"])
    expect_fail(p, 1, r"no route to 198\.19\.0\.1", "no route")


@test
def truncated_body_exit_1(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s:8080/truncated" % PEER_IP])
    expect_fail(p, 1, r"closed the connection after 10 of 1000 body bytes",
                "truncated")


@test
def stalled_response_times_out(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s:8080/stall" % PEER_IP, "--timeout", "2"])
    expect_fail(p, 1, r"timed out after 2\.0 s while waiting for the response",
                "stall")


@test
def garbage_response_parse_error(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s:8080/garbage" % PEER_IP, "--stats"])
    expect_fail(p, 1, r"bad HTTP response at byte \d+", "garbage")
    check(stat(p.stats, "http.parse_errors") == 1, "parse_errors %s" %
          p.stats["http"])


@test
def usage_errors_exit_2(ctx):
    cases = [
        ([], r"--ip A\.B\.C\.D/N \(or --ip6 ADDR/N\) is required"),
        (["--ip", "198.18.0.2/24", "--script", "/dev/null", "--fetch",
          "http://198.18.0.1/"], r"--script and --fetch"),
        (["--ip", "198.18.0.2/24", "--ctl-tcp", "127.0.0.1:7070"],
         r"--ctl-tcp needs --ctl-token"),
        (["--ip", "198.18.0.2/24", "--script", "/nonexistent/x.script"],
         r"x\.script"),
        (["--ip", "198.18.0.300/24", "--fetch", "http://198.18.0.1/"],
         r"not an IPv4 address"),
        (["--ip", "198.18.0.2/24", "--fetch", "https://198.18.0.1/"],
         r"https is not supported"),
        (["--ip", "198.18.0.2/24", "--fetch", "http://example.test/"],
         r"no DNS"),
        (["--ip", "198.18.0.2/24", "--fetch", "http://198.18.0.1/",
          "--bogus"], r"unknown option '--bogus'"),
        (["--ip", "198.18.0.2/24", "--fetch", "http://198.18.0.1/",
          "--mtu", "70000"], r"--mtu"),
        (["--ip", "198.18.0.2/24", "--fetch", "http://198.18.0.1/",
          "--impair", "rx.drop=2"], r"probability"),
        (["--ip", "198.18.0.2/24", "--fetch", "http://198.18.0.1/",
          "--header", "NoColon"], r"--header"),
        (["--config", "/nonexistent/dpfetch.json"],
         r"cannot open /nonexistent/dpfetch\.json: No such file"),
        (["--ip", "198.18.0.2/24", "--fetch", "http://198.18.0.1/",
          "--method", "get me"], r"--method"),
        (["--ip", "198.18.0.2/24", "--fetch", "http://198.18.0.1/",
          "--data", "@/nonexistent/body"], r"--data"),
        (["--ip", "198.18.0.2/24", "--fetch", "http://198.18.0.1/",
          "--stats=3"], r"takes no value"),
    ]
    # Usage errors never start the port: no --stats added, no leak check.
    for args, pattern in cases:
        p = ctx.dpfetch(args, timeout=30, leak_check=False)
        expect_fail(p, 2, pattern, " ".join(args) or "(no args)")
    bad = ctx.out("bad.json")
    with open(bad, "w") as f:
        f.write('{"ip": "198.18.0.2/24",\n "mtu": "big"\n')
    p = ctx.dpfetch(["--config", bad], timeout=30, leak_check=False)
    expect_fail(p, 2, r"bad\.json:\d+:\d+: ", "invalid JSON config")
    with open(bad, "w") as f:
        json.dump({"ip": "198.18.0.2/24", "tcp": {"rto_min_ms": "x"}}, f)
    p = ctx.dpfetch(["--config", bad], timeout=30, leak_check=False)
    expect_fail(p, 2, r"tcp\.rto_min_ms", "config wrong type")
    p = ctx.dpfetch(["--help"], timeout=30, leak_check=False)
    check(p.returncode == 0 and b"--fetch URL" in p.stdout, "--help")
