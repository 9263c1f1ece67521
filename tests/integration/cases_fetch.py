"""Fetching: whole bodies checked by sha256 (Content-Length, chunked, close-
delimited), AF_XDP, hugepages and dpdk-dumpcap, headers, POST and HEAD,
--config.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import hashlib
import json
import os
import re
import subprocess
import time

from harness import (Daemon, OUR_IP, PEER_IP, ROOT, WWW, check, expect_ok,
                     fetch_and_compare, flag, hugepages, nft_clear, nft_loss,
                     sha256_file, stats_of, test, tshark_rows)


@test
def fetch_index_to_stdout(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s/index.html" % PEER_IP])
    expect_ok(p, "index.html")
    with open(os.path.join(WWW, "index.html"), "rb") as f:
        check(p.stdout == f.read(), "body differs from index.html")
    check(re.search(r"HTTP 200, %d bytes in [0-9.]+ s \([0-9.]+ Mbit/s\)" %
                    len(p.stdout), p.stderr_text),
          "no one-line summary on stderr:\n" + p.stderr_text)


@test
def fetch_10M_sha256(ctx):
    fetch_and_compare(ctx, "http://%s/10M.bin" % PEER_IP, "10M.bin")


@test
def fetch_100M_sha256(ctx):
    _, st = fetch_and_compare(ctx, "http://%s/100M.bin" % PEER_IP,
                              "100M.bin")
    check(st["tcp"]["DataBytesIn"] >= 100 * 1024 * 1024,
          "DataBytesIn %d" % st["tcp"]["DataBytesIn"])


@test
def fetch_chunked_sha256(ctx):
    fetch_and_compare(ctx, "http://%s:8080/chunked/10M.bin?chunk=7777" %
                      PEER_IP, "10M.bin")


@test
def fetch_close_delimited_sha256(ctx):
    fetch_and_compare(ctx, "http://%s:8080/close/10M.bin" % PEER_IP,
                      "10M.bin")


@test
def fetch_over_af_xdp(ctx):
    fetch_and_compare(ctx, "http://%s/10M.bin" % PEER_IP, "10M.bin",
                      pmd="af_xdp")


@test
def fetch_with_hugepages(ctx):
    with hugepages():
        fetch_and_compare(ctx, "http://%s/10M.bin" % PEER_IP, "10M.bin",
                          huge=True)


@test
def dumpcap_attaches_with_hugepages(ctx):
    """dpdk-dumpcap, a secondary process, captures the port of a dpfetch
    on hugepages (dpfetch called rte_pdump_init), and tshark reads it."""
    cap = ctx.out("dumpcap.pcapng")
    with hugepages():
        d = Daemon(ctx, eal=ctx.eal(huge=True))
        dc = None
        try:
            dc = subprocess.Popen(["dpdk-dumpcap", "--file-prefix",
                                   d.prefix, "-i", "0", "-c", "30", "-q",
                                   "-w", cap], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
            # it creates the file once it has attached
            deadline = time.time() + 20
            while not os.path.exists(cap) and dc.poll() is None and \
                    time.time() < deadline:
                time.sleep(0.1)
            time.sleep(0.5)
            if dc.poll() is not None:
                check(False, "dpdk-dumpcap exited %s: %s" % (
                    dc.returncode, dc.communicate()[1].decode(
                        errors="replace")[-1500:]))
            j = d.ctl("fetch", "url=http://%s/index.html" % PEER_IP,
                      "connections=2", "requests=20")
            r = d.ctl("wait", "job=%d" % j["job"], "timeout=30")
            check(r["responses"]["2xx"] == 20, "responses %s" %
                  r["responses"])
            _, err = dc.communicate(timeout=30)
            check(dc.returncode == 0, "dpdk-dumpcap exit %d: %s" % (
                dc.returncode, err.decode(errors="replace")[-1500:]))
        finally:
            if dc is not None and dc.poll() is None:
                dc.kill()
                dc.communicate()
            d.stop()
    rows = tshark_rows(cap)
    ours = OUR_IP.split("/")[0]
    # -c stops dumpcap after the burst that reaches the count
    check(len(rows) >= 30, "dumpcap -c 30 wrote %d packets" % len(rows))
    check(any(r["ip.src"] == ours and flag(r, "tcp.flags.syn") and
              not flag(r, "tcp.flags.ack") for r in rows), "no SYN from us")
    check(any(r["http.request.method"] == "GET" and r["ip.src"] == ours
              for r in rows), "no GET from us")
    os.unlink(cap)


@test
def custom_headers_are_sent(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s:8080/headers" % PEER_IP,
                     "--header", "X-Dpf-Test: forty two",
                     "--header", "User-Agent: custom-agent/1"])
    expect_ok(p, "/headers")
    body = p.stdout.decode()
    check("X-Dpf-Test: forty two" in body, "custom header missing:\n" + body)
    check("User-Agent: custom-agent/1" in body and "dpfetch/" not in body,
          "User-Agent not replaced:\n" + body)
    check("Host: %s:8080" % PEER_IP in body, "Host header wrong:\n" + body)


@test
def post_upload_20M(ctx):
    """A 20 MiB request body through the send buffer, under loss."""
    data = os.urandom(20 * 1024 * 1024)
    src = ctx.out("upload.bin")
    with open(src, "wb") as f:
        f.write(data)
    nft_loss(2)
    try:
        p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                         "http://%s:8080/upload" % PEER_IP,
                         "--data", "@" + src, "--stats"])
    finally:
        nft_clear()
    expect_ok(p, "POST /upload")
    want = "sha256 %s %d\n" % (hashlib.sha256(data).hexdigest(), len(data))
    check(p.stdout.decode() == want, "server saw %r, want %r" %
          (p.stdout, want))
    st = stats_of(p.stderr_text)
    check(st["tcp"]["DataBytesOut"] >= len(data), "DataBytesOut %d" %
          st["tcp"]["DataBytesOut"])
    check(st["mempool"]["in_use"] == st["mempool"]["port_held"],
          "mbufs leaked: %s" % st["mempool"])


@test
def method_and_small_body(ctx):
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s:8080/upload" % PEER_IP, "--data", "hello"])
    expect_ok(p, "POST literal")
    want = "sha256 %s 5\n" % hashlib.sha256(b"hello").hexdigest()
    check(p.stdout.decode() == want, "got %r" % p.stdout)
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch",
                     "http://%s/10M.bin" % PEER_IP, "--method", "HEAD"])
    expect_ok(p, "HEAD")
    check(p.stdout == b"", "HEAD returned a body")


@test
def config_file(ctx):
    cfg = ctx.out("cfg.json")
    with open(cfg, "w") as f:
        json.dump({"ip": OUR_IP, "mtu": 1500,
                   "fetch": "http://%s/1M.bin" % PEER_IP,
                   "output": ctx.out("1M.out"), "timeout": 30,
                   "headers": ["X-From-Config: yes"],
                   "tcp": {"rcvbuf": 262144, "delack_ms": 20},
                   "arp": {"retries": 3}}, f)
    p = ctx.dpfetch(["--config", cfg])
    expect_ok(p, "--config")
    check(sha256_file(ctx.out("1M.out")) == ctx.sums["1M.bin"],
          "1M.bin differs")
    # The example config in conf/ must load too (its fetch is overridden).
    p = ctx.dpfetch(["--config", os.path.join(ROOT, "conf", "dpfetch.json"),
                     "--fetch", "http://%s/index.html" % PEER_IP,
                     "-o", ctx.out("idx.out")])
    expect_ok(p, "conf/dpfetch.json")
