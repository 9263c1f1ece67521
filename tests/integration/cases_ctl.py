"""The control channel: dpfetchctl through every method group, hostile
control clients, --script.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import os
import subprocess
import time

from harness import (Daemon, OUR_IP, PEER_IP, access_log_lines, check,
                     check_mbufs_back, expect_fail, expect_ok, ns,
                     pattern_bytes, rpc_lines, test)


@test
def ctl_dpfetchctl_drives_the_daemon(ctx):
    """Every command group over the socket with dpfetchctl, against
    nginx and the peer namespace."""
    capdir = ctx.out("ctl-captures")
    d = Daemon(ctx, extra=["--capture-dir", capdir])
    try:
        info = d.ctl("info")
        check(info["version"] and info["lcores"] == [0] and
              info["ports"][0]["driver"] == "net_af_packet", "info %s" % info)
        j = d.ctl("fetch", "url=http://%s/index.html" % PEER_IP,
                  "connections=8", "requests=2000")
        r = d.ctl("wait", "job=%d" % j["job"], "timeout=60")
        check(r["state"] == "done" and r["responses"]["2xx"] == 2000,
              "job %s" % {k: r[k] for k in ("state", "responses", "errors")})
        check(r["latency_us"]["total"]["count"] == 2000, "latency %s" %
              r["latency_us"])
        # A human reads the same result as a table.
        t = d.ctl("status", "job=%d" % j["job"], raw=True).stdout.decode()
        check("2000" in t and "p99" in t, "status table:\n" + t)
        check(any(x["job"] == j["job"] for x in d.ctl("jobs")["jobs"]),
              "jobs")
        arp = d.ctl("arp")["entries"]
        check(any(e["ip"] == PEER_IP and e["state"] == "reachable"
                  for e in arp), "arp %s" % arp)
        d.ctl("arp-add", "ip=198.18.0.77", "mac=02:00:00:00:00:77")
        check(any(e["ip"] == "198.18.0.77" and e["static"]
                  for e in d.ctl("arp")["entries"]), "static entry")
        d.ctl("arp-del", "ip=198.18.0.77")
        d.ctl("arp-del", "ip=198.18.0.77", code=1)
        # A timed job shows its connections in conns, and stops early.
        j = d.ctl("fetch", "url=http://%s/index.html" % PEER_IP,
                  "connections=4", "duration=30", "rate_rps=200")
        time.sleep(1.0)
        conns = d.ctl("conns", "state=ESTABLISHED", "port=80")
        check(conns["total"] >= 4 and conns["conns"][0]["srtt_us"] > 0,
              "conns %s" % conns)
        d.ctl("stop", "job=%d" % j["job"])
        r = d.ctl("wait", "job=%d" % j["job"], "timeout=30")
        check(r["state"] == "stopped" and r["elapsed_s"] < 20,
              "stopped job %s %s" % (r["state"], r["elapsed_s"]))
        # Servers come and go at run time.
        d.ctl("listen", "port=8081")
        got = ns("curl", "-sS", "--noproxy", "*", "-o", "-",
                 "http://198.18.0.2:8081/bytes/1000", timeout=30)
        check(got.returncode == 0 and got.stdout == pattern_bytes(1000),
              "served: %s" % got.stderr.decode())
        d.ctl("unlisten", "port=8081")
        got = ns("curl", "-sS", "--noproxy", "*", "-m", "5",
                 "http://198.18.0.2:8081/", timeout=30)
        check(got.returncode != 0, "still served after unlisten")
        d.ctl("listen", "port=8081", "kind=echo")
        got = ns("sh", "-c", "printf 'hello\\n' | nc -q 1 198.18.0.2 8081",
                 timeout=30)
        check(got.stdout == b"hello\n", "echo: %r" % got.stdout)
        # Fault injection settings round-trip.
        imp = d.ctl("impair", "rx.drop=0.25", "seed=9")
        check(imp["rx"]["drop"] == 0.25 and imp["seed"] == 9, "impair %s" %
              imp)
        imp = d.ctl("impair", "clear=yes")
        check(imp["rx"]["drop"] == 0, "impair clear %s" % imp)
        # Capture one fetch to a file tshark reads.
        # (a plain name: capture.start writes only into --capture-dir)
        cap = os.path.join(capdir, "ctl.pcapng")
        c = d.ctl("capture", "file=ctl.pcapng", "port=80")
        check(c["file"] == cap, "capture.start reply %s" % c)
        j = d.ctl("fetch", "url=http://%s/index.html" % PEER_IP)
        d.ctl("wait", "job=%d" % j["job"])
        c = d.ctl("capture-stop")
        check(c["written"] >= 6, "capture %s" % c)
        tsh = subprocess.run(["tshark", "-r", cap, "-Y", "http.request"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             timeout=60)
        check(b"GET /index.html" in tsh.stdout, "tshark: %s %s" %
              (tsh.stdout[-500:], tsh.stderr[-500:]))
        # Per-lcore cost and memory are there for the benchmark.
        lc = d.ctl("stats", "scope=lcore")["lcores"][0]
        check(lc["busy_cycles"] > 0 and lc["conn_memory"]["per_connection"]
              > 0, "lcore %s" % lc)
        # An error reply is exit status 1 with its message.
        r = d.ctl("status", "job=999", code=1)
        check(b"no job 999" in r.stderr + r.stdout, "error text")
        # The telemetry commands.
        tel = subprocess.run(["dpdk-telemetry.py", "-f", d.prefix],
                             input=b"/dpfetch/stats\n/dpfetch/jobs\n",
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             timeout=30)
        check(b"InSegs" in tel.stdout and b"requests_sent" in tel.stdout,
              "telemetry: %s %s" % (tel.stdout[-800:], tel.stderr[-500:]))
    finally:
        st = d.stop()
    check_mbufs_back(st, "daemon")


@test
def ctl_survives_hostile_clients(ctx):
    """Garbage, half lines, a 2 MiB line, a 10,000-request burst, 200
    clients at once, a client that leaves during fetch.wait: each gets its
    error or is cleaned up, and the appliance keeps forwarding."""
    d = Daemon(ctx)
    try:
        c = d.connect()
        r = rpc_lines(c, b"this is not json\n", 1)[0]
        check(r["error"]["code"] == -32700, "garbage %s" % r)
        r = rpc_lines(c, b'{"jsonrpc":"2.0","id":1,"method":"fetch.strat"}\n',
                      1)[0]
        check(r["error"]["code"] == -32601 and "fetch.strat" in
              r["error"]["message"], "unknown method %s" % r)
        r = rpc_lines(c, b'{"jsonrpc":"2.0","id":2,"method":"fetch.start",'
                      b'"params":{"url":"http://198.18.0.1/","conections":3}}'
                      b'\n', 1)[0]
        check(r["error"]["code"] == -32602 and "conections" in
              r["error"]["message"], "bad params %s" % r)
        r = rpc_lines(c, b'{"jsonrpc":"2.0","id":3,"method":"fetch.start",'
                      b'"params":{"url":"http://198.18.0.1/","connections":'
                      b'"many"}}\n', 1)[0]
        check(r["error"]["code"] == -32602 and "connections" in
              r["error"]["message"], "wrong type %s" % r)
        r = rpc_lines(c, b'[]\n', 1)[0]
        check(r["error"]["code"] == -32600, "empty batch %s" % r)
        # A notification gets no reply; the next request does.
        r = rpc_lines(c, b'{"jsonrpc":"2.0","method":"app.info"}\n'
                      b'{"jsonrpc":"2.0","id":4,"method":"app.info"}\n', 1)[0]
        check(r["id"] == 4 and "version" in r["result"], "after notify %s" % r)
        r = rpc_lines(c, b'[{"jsonrpc":"2.0","id":5,"method":"app.info"},'
                      b'{"jsonrpc":"2.0","id":6,"method":"nope"}]\n', 1)[0]
        check(isinstance(r, list) and len(r) == 2, "batch %s" % r)
        # 2 MiB line: an error, then the connection still works.
        r = rpc_lines(c, b"[" + b" " * (2 << 20) + b"]\n", 1)[0]
        check(r["error"]["code"] == -32700 and "exceeds" in
              r["error"]["message"], "long line %s" % r)
        r = rpc_lines(c, b'{"jsonrpc":"2.0","id":7,"method":"app.info"}\n',
                      1)[0]
        check(r["id"] == 7, "after long line %s" % r)
        # 10,000 requests in one burst, answered in order.
        burst = b"".join(b'{"jsonrpc":"2.0","id":%d,"method":"stats.get",'
                         b'"params":{"scope":"tcp"}}\n' % i
                         for i in range(10000))
        # Written from a thread while we read: a client that never reads
        # is paused by the server (its replies pile up), as it should be.
        import threading
        writer = threading.Thread(target=c.sendall, args=(burst,))
        writer.start()
        replies = rpc_lines(c, b"", 10000, timeout=120)
        writer.join()
        check([x["id"] for x in replies] == list(range(10000)),
              "burst out of order")
        c.close()
        # Half a line, then gone.
        c = d.connect()
        c.sendall(b'{"jsonrpc":"2.0","id":8,"meth')
        c.close()
        # 200 clients at once, each asks once and leaves.
        socks = [d.connect() for _ in range(200)]
        for i, k in enumerate(socks):
            k.sendall(b'{"jsonrpc":"2.0","id":%d,"method":"app.info"}\n' % i)
        for i, k in enumerate(socks):
            check(rpc_lines(k, b"", 1)[0]["id"] == i, "client %d" % i)
            k.close()
        # A client waits on a running job and leaves.
        c = d.connect()
        r = rpc_lines(c, b'{"jsonrpc":"2.0","id":9,"method":"fetch.start",'
                      b'"params":{"url":"http://198.18.0.1/index.html",'
                      b'"connections":4,"duration_s":2}}\n', 1)[0]
        job = r["result"]["job"]
        c.sendall(b'{"jsonrpc":"2.0","id":10,"method":"fetch.wait",'
                  b'"params":{"job":%d,"timeout_s":30}}\n' % job)
        time.sleep(0.3)
        c.close()
        # Still forwarding and answering: the job ends well, and a new one
        # runs.
        r = d.ctl("wait", "job=%d" % job, "timeout=30")
        check(r["state"] == "done" and r["responses"]["2xx"] > 0 and
              not any(r["errors"].values()), "job after hostile clients %s"
              % {k: r[k] for k in ("state", "responses", "errors")})
        j = d.ctl("fetch", "url=http://%s/index.html" % PEER_IP,
                  "requests=100", "connections=2")
        r = d.ctl("wait", "job=%d" % j["job"])
        check(r["responses"]["2xx"] == 100, "new job %s" % r["responses"])
        r = ns("ping", "-c", "1", "-W", "2", "198.18.0.2")
        check(r.returncode == 0, "no ping answer")
    finally:
        st = d.stop()
    check_mbufs_back(st, "daemon")


@test
def script_runs_a_job_against_nginx(ctx):
    """--script: the appliance runs a dpfetchctl script and exits with
    its status; the counts it printed match nginx's log."""
    script = ctx.out("job.script")
    with open(script, "w") as f:
        f.write("# a keep-alive run\n"
                "fetch url=http://%s/index.html connections=16 "
                "requests=3000\n"
                "wait\n"
                "echo finished $job\n"
                "status\n" % PEER_IP)
    before = access_log_lines()
    p = ctx.dpfetch(["--ip", OUR_IP, "--script", script], timeout=300)
    expect_ok(p, "script")
    out = p.stdout.decode()
    check("finished 1" in out and "3000" in out, "script output:\n" + out)
    time.sleep(0.5)
    check(access_log_lines() - before == 3000, "nginx logged %d" %
          (access_log_lines() - before))
    # A failing command stops the script: exit 1.
    with open(script, "w") as f:
        f.write("status job=42\necho not reached\n")
    p = ctx.dpfetch(["--ip", OUR_IP, "--script", script], timeout=60)
    expect_fail(p, 1, r"no job 42", "failing script")
    check(b"not reached" not in p.stdout, "ran past the error")
    # A mistyped script is refused before anything starts: exit 2.
    with open(script, "w") as f:
        f.write("fetch urll=http://198.18.0.1/\n")
    p = ctx.dpfetch(["--ip", OUR_IP, "--script", script], timeout=60)
    expect_fail(p, 2, r"urll", "bad script")
