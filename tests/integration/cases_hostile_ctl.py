# SPDX-License-Identifier: BSD-3-Clause
"""Hostile control clients against the real daemon (issue 12, item 6):
an idle TCP flood, wrong-token bursts, and capture.start's path rules.
In each, an honest client is served during the attack, the daemon's file
descriptors come back to their count before it, and the mbufs are back
at exit."""

import json
import os
import resource
import socket
import subprocess
import threading
import time

from harness import (test, check, Failure, Daemon, PEER_IP, OUR_IP,
                      check_mbufs_back, expect_fail, rpc_lines, tshark_rows)

TOKEN = "it-hostile-ctl-0123456789abcdef"


def token_file(ctx):
    path = ctx.out("ctl.token")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, (TOKEN + "\n").encode())
    os.close(fd)
    os.chmod(path, 0o600)
    return path


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def n_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def fds_back(pid, baseline, what, wait=8.0):
    """The daemon's descriptors return to baseline (closing is async)."""
    deadline = time.time() + wait
    while True:
        n = n_fds(pid)
        if n <= baseline:
            return
        if time.time() > deadline:
            raise Failure("%s: %d file descriptors, %d before" %
                          (what, n, baseline))
        time.sleep(0.1)


def read_reply_or_eof(sock, timeout=5.0):
    """One JSON line, or None when the server closed first."""
    sock.settimeout(timeout)
    buf = b""
    while b"\n" not in buf:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return None
        if not chunk:
            return None
        buf += chunk
    return json.loads(buf.split(b"\n", 1)[0])


def closed(sock, timeout=5.0):
    """The server closed the connection (after anything still unread)."""
    sock.settimeout(timeout)
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def tcp_connect(port, src="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s


def auth_line(token, i=1, method="ctl.auth"):
    return (b'{"jsonrpc":"2.0","id":%d,"method":"%s","auth":"%s"}\n' %
            (i, method.encode(), token.encode()))


def ctl_stats(d):
    return d.ctl("stats", "scope=ctl")["ctl"]


def tcp_ctl(d, port, tok, *args, code=0):
    """dpfetchctl over TCP with the token from a file."""
    binary = os.path.join(os.path.dirname(d.ctx.binary), "dpfetchctl")
    r = subprocess.run([binary, "-t", "127.0.0.1:%d" % port, "--auth-file",
                        tok, "--json"] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    check(r.returncode == code, "dpfetchctl -t %s: exit %d, wanted %d: %s%s"
          % (" ".join(args), r.returncode, code, r.stdout.decode()[-800:],
             r.stderr.decode()[-800:]))
    return r


def timed_info(d, limit, what):
    t0 = time.time()
    info = d.ctl("info")
    dt = time.time() - t0
    check("version" in info and dt < limit,
          "%s: dpfetchctl info took %.2f s" % (what, dt))
    return dt


@test
def ctl_tcp_idle_flood_unix_served(ctx):
    """1,025 idle TCP control clients at once: the TCP cap (64) takes
    some, refuses the rest with an error line; a UNIX client (dpfetchctl)
    is served at once; an authenticated TCP client is refused clearly
    while the slots are held, and served once the auth timeout frees
    them."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4096:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    port = free_port()
    tok = token_file(ctx)
    d = Daemon(ctx, extra=["--ctl-tcp", "127.0.0.1:%d" % port,
                           "--ctl-token-file", tok,
                           "--ctl-auth-timeout", "3"])
    idle = []
    try:
        # The token is not on the command line (ps).
        with open("/proc/%d/cmdline" % d.proc.pid, "rb") as f:
            check(TOKEN.encode() not in f.read(), "token in the cmdline")
        d.ctl("info")
        base = n_fds(d.proc.pid)
        t0 = time.time()
        for _ in range(1025):
            idle.append(tcp_connect(port))
        # Served during the flood, and at once.
        timed_info(d, 2.0, "UNIX client during the TCP flood")
        # The refused ones got a clear line and EOF; the held ones did not.
        refused = held = 0
        for s in idle:
            s.settimeout(0.0)
        time.sleep(0.5)
        for s in idle:
            try:
                data = s.recv(4096)
            except BlockingIOError:
                held += 1
                continue
            check(b"too many TCP control clients (64)" in data,
                  "refusal line %r" % data[:200])
            refused += 1
        check(held == 64 and refused == 961,
              "held %d, refused %d (cap 64)" % (held, refused))
        st = ctl_stats(d)
        check(st["tcp_refused"] == 961 and st["tcp_clients"] == 64,
              "ctl stats %s" % st)
        # An authenticated TCP client: refused clearly while the slots
        # are held ...
        r = tcp_ctl(d, port, tok, "info", code=1)
        check(b"too many TCP control clients (64)" in r.stderr + r.stdout,
              "refusal text %s" % (r.stderr + r.stdout))
        # ... and served once the auth timeout closed the idle ones.
        while time.time() - t0 < 3.6:
            time.sleep(0.1)
        deadline = time.time() + 5
        while ctl_stats(d)["auth_timeouts"] < 64:
            check(time.time() < deadline, "auth timeouts %s" % ctl_stats(d))
            time.sleep(0.1)
        r = tcp_ctl(d, port, tok, "info")
        check(json.loads(r.stdout)["version"], "TCP info %s" % r.stdout)
        for s in idle:
            s.close()
        idle = []
        st = ctl_stats(d)
        check(st["auth_timeouts"] == 64 and st["auth_ok"] >= 1 and
              st["auth_failures"] == 0, "ctl stats %s" % st)
        fds_back(d.proc.pid, base, "after the idle flood")
        timed_info(d, 2.0, "UNIX client after the flood")
    finally:
        for s in idle:
            s.close()
        st = d.stop()
    check_mbufs_back(st, "daemon")
    # 961 idle ones and the dpfetchctl refused while they were held.
    check(st["ctl"]["tcp_refused"] == 962, "--stats ctl %s" % st["ctl"])


@test
def ctl_wrong_token_bursts_backoff(ctx):
    """Wrong-token bursts from 127.0.0.1: each guess is answered and
    closed, the address waits 250 ms, 500 ms, 1 s ... (connections in
    the meantime are refused at once with -32002, counted as delayed).
    Meanwhile a UNIX client and a right-token client from 127.0.0.2 are
    served; a right-token client from the attacker's own address waits
    out the delay like the attacker (they are the same address), then is
    served and clears it."""
    port = free_port()
    tok = token_file(ctx)
    d = Daemon(ctx, extra=["--ctl-tcp", "127.0.0.1:%d" % port,
                           "--ctl-token-file", tok])
    stop = threading.Event()
    honest = {"unix": 0, "tcp2": 0, "errors": []}

    def honest_clients():
        try:
            while not stop.is_set():
                timed_info(d, 2.0, "UNIX client during the burst")
                honest["unix"] += 1
                s = tcp_connect(port, "127.0.0.2")
                r = rpc_lines(s, auth_line(TOKEN, 7, "app.info"), 1, 5)[0]
                check(r["id"] == 7 and "version" in r["result"],
                      "127.0.0.2 client %s" % r)
                s.close()
                honest["tcp2"] += 1
                time.sleep(0.05)
        except Exception as e:      # reported by the main thread
            honest["errors"].append(repr(e))

    try:
        d.ctl("info")
        # ctl.auth over the UNIX socket answers the same (no token there).
        c = d.connect()
        r = rpc_lines(c, b'{"jsonrpc":"2.0","id":1,"method":"ctl.auth"}\n',
                      1)[0]
        check(r["result"] == {"authenticated": True}, "UNIX ctl.auth %s" % r)
        c.close()
        base = n_fds(d.proc.pid)
        th = threading.Thread(target=honest_clients)
        th.start()
        wrong = delayed = 0
        t_end = time.time() + 2.2
        i = 0
        while time.time() < t_end:
            i += 1
            s = tcp_connect(port)
            try:
                s.sendall(auth_line("wrong-token-%020d" % i, i))
            except (BrokenPipeError, ConnectionResetError):
                pass
            r = read_reply_or_eof(s)
            check(r is not None, "guess %d: no reply" % i)
            code = r["error"]["code"]
            if code == -32001:
                check(r["error"]["message"] == "auth: wrong token",
                      "wrong token reply %s" % r)
                wrong += 1
            else:
                check(code == -32002 and "too many failed authentications "
                      "from 127.0.0.1: retry in" in r["error"]["message"],
                      "delayed reply %s" % r)
                delayed += 1
            check(closed(s), "guess %d: connection left open" % i)
            s.close()
        # 0, 250, 750, 1750 ms: at most 4 guesses tested in 2.2 s.
        print("    %d attempts: %d guesses tested, %d delayed" %
              (i, wrong, delayed))
        check(2 <= wrong <= 4 and delayed > 20,
              "%d guesses tested, %d delayed" % (wrong, delayed))
        st = ctl_stats(d)
        check(st["auth_failures"] == wrong and st["delayed"] == delayed,
              "counted %s, saw %d wrong, %d delayed" % (st, wrong, delayed))
        # A right-token client from 127.0.0.1 waits like the attacker.
        s = tcp_connect(port)
        r = read_reply_or_eof(s)
        check(r is not None and r["error"]["code"] == -32002,
              "right token from the attacker's address %s" % r)
        s.close()
        wait_ms = int(r["error"]["message"].rsplit("retry in ", 1)[1]
                      .split()[0])
        time.sleep(wait_ms / 1000.0 + 0.05)
        s = tcp_connect(port)
        r = rpc_lines(s, auth_line(TOKEN, 9, "app.info"), 1, 5)[0]
        check(r["id"] == 9 and "version" in r["result"], "after wait %s" % r)
        s.close()
        # Cleared: the next connection is not delayed.
        tcp_ctl(d, port, tok, "info")
        stop.set()
        th.join()
        check(not honest["errors"], "honest clients: %s" % honest["errors"])
        check(honest["unix"] >= 3 and honest["tcp2"] >= 3,
              "honest clients served %s" % honest)
        fds_back(d.proc.pid, base, "after the bursts")
    finally:
        stop.set()
        st = d.stop()
    check_mbufs_back(st, "daemon")


@test
def ctl_capture_dir_rules(ctx):
    """capture.start writes only new plain files in --capture-dir: a path,
    '../x', a symlink in the directory and an existing file are refused
    with a clear error and nothing is written; a plain name makes a 0640
    file tshark reads.  A capture dir that is a symlink or writable by
    others stops dpfetch at start (exit 2)."""
    capdir = ctx.out("captures")
    d = Daemon(ctx, extra=["--capture-dir", capdir])
    victim = ctx.out("victim")
    try:
        st = os.stat(capdir)
        check(st.st_mode & 0o777 == 0o750, "capture dir mode %o" %
              (st.st_mode & 0o777))
        base = n_fds(d.proc.pid)
        with open(victim, "w") as f:
            f.write("precious")
        os.symlink(victim, os.path.join(capdir, "link.pcapng"))
        os.symlink(ctx.out("new-target"), os.path.join(capdir,
                                                       "dangling.pcapng"))
        with open(os.path.join(capdir, "old.pcapng"), "w") as f:
            f.write("old capture")
        c = d.connect()
        cases = [
            (victim, -32602, "is a path"),
            ("../x.pcapng", -32602, "is a path"),
            ("..", -32602, "may not start with '.'"),
            (".x", -32602, "may not start with '.'"),
            ("link.pcapng", 1105, "is a symbolic link: not followed"),
            ("dangling.pcapng", 1105, "is a symbolic link: not followed"),
            ("old.pcapng", 1105, "exists: captures never overwrite"),
        ]
        for i, (name, code, text) in enumerate(cases):
            req = {"jsonrpc": "2.0", "id": i, "method": "capture.start",
                   "params": {"file": name}}
            r = rpc_lines(c, json.dumps(req).encode() + b"\n", 1)[0]
            check("error" in r and r["error"]["code"] == code and
                  text in r["error"]["message"], "%s: %s" % (name, r))
        c.close()
        with open(victim) as f:
            check(f.read() == "precious", "victim changed")
        with open(os.path.join(capdir, "old.pcapng")) as f:
            check(f.read() == "old capture", "existing file truncated")
        check(not os.path.exists(ctx.out("new-target")),
              "a symlink was followed")
        check(not os.path.exists(ctx.out("x.pcapng")), "../x written")
        # dpfetchctl's refusal is exit 1 with the message.
        r = d.ctl("capture", "file=/etc/x.pcapng", code=1)
        check(b"is a path" in r.stderr + r.stdout, "dpfetchctl text")
        # A plain name: created 0640, the reply and status name it in full.
        cap = os.path.join(capdir, "ok.pcapng")
        rep = d.ctl("capture", "file=ok.pcapng", "port=80")
        check(rep["file"] == cap and rep["active"], "reply %s" % rep)
        check(d.ctl("capture-status")["file"] == cap, "status")
        check(os.stat(cap).st_mode & 0o7777 == 0o640, "mode %o" %
              (os.stat(cap).st_mode & 0o7777))
        j = d.ctl("fetch", "url=http://%s/index.html" % PEER_IP)
        d.ctl("wait", "job=%d" % j["job"])
        stop = d.ctl("capture-stop")
        check(stop["file"] == cap and stop["written"] >= 6, "stop %s" % stop)
        rows = tshark_rows(cap)
        check(any(x["http.request.method"] == "GET" for x in rows),
              "tshark rows %s" % rows[:5])
        # The same name again: refused, the file kept.
        size = os.path.getsize(cap)
        r = d.ctl("capture", "file=ok.pcapng", code=1)
        check(b"exists" in r.stderr + r.stdout and
              os.path.getsize(cap) == size, "second ok.pcapng")
        fds_back(d.proc.pid, base, "after the capture checks")
    finally:
        st = d.stop()
    check_mbufs_back(st, "daemon")
    # Bad capture directories stop dpfetch at start.
    link = ctx.out("captures-link")
    os.symlink(capdir, link)
    p = ctx.dpfetch(["--ip", OUR_IP, "--ctl", ctx.out("x.sock"),
                     "--capture-dir", link], timeout=60)
    expect_fail(p, 2, r"--capture-dir: capture directory .* is a symbolic "
                r"link: refused", "symlinked capture dir")
    os.chmod(capdir, 0o777)
    p = ctx.dpfetch(["--ip", OUR_IP, "--ctl", ctx.out("x.sock"),
                     "--capture-dir", capdir], timeout=60)
    expect_fail(p, 2, r"is writable by others \(mode 0777\): refused",
                "world-writable capture dir")
    os.chmod(capdir, 0o750)
