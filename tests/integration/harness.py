"""The integration tests' harness: what every cases_*.py module shares.

The test registry (@test, TESTS), verdicts (check, Failure, stat,
expect_ok/expect_fail, check_mbufs_back), the testbed's constants, Ctx
(runs one dpfetch to completion), long-running dpfetch processes
(Service, Daemon, MemifServer) and helpers for the peer namespace (ns,
wait_port, nft_loss), memif, nginx's log and tshark.  run.py is the
entry point; it imports every cases_*.py, which registers its tests.
"""

import contextlib
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


NS = "dpf-peer"


IFACE = "dpf0"


PEER_IP = "198.18.0.1"


OUR_IP = "198.18.0.2/24"


WWW = "/run/dpf-testbed/www"


NFT_TABLE = "dpf_test_loss"


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


# EAL's file prefix of every dpfetch this run starts (Ctx.prefix adds a
# number): what it leaves behind is found and removed by it.
RUN_PREFIX = "dpf-it-%d-" % os.getpid()


class Ctx:
    def __init__(self, build):
        self.binary = os.path.join(build, "app", "dpfetch")
        self.n = 0
        self.tmp = tempfile.mkdtemp(prefix="dpf-it-")
        self.sums = {}
        with open(os.path.join(WWW, "SHA256SUMS")) as f:
            for line in f:
                digest, name = line.split()
                self.sums[name.lstrip("*")] = digest

    def prefix(self):
        self.n += 1
        return RUN_PREFIX + str(self.n)

    def eal(self, pmd="af_packet", huge=False):
        args = ["-l", "0", "--no-pci", "--file-prefix", self.prefix(),
                "--log-level", "warning"]
        if huge:
            args += ["-m", "512"]
        else:
            args += ["--no-huge", "-m", "512"]
        if pmd == "af_xdp":
            args += ["--vdev=net_af_xdp0,iface=%s" % IFACE]
        else:
            args += ["--vdev=net_af_packet0,iface=%s" % IFACE]
        return args

    def dpfetch(self, app_args, pmd="af_packet", huge=False, timeout=120,
                eal=None, leak_check=True):
        """Run dpfetch to completion.  With leak_check (the default) it
        runs with --stats, and when it exits 0 or 1 (it ran: an exit 1 is
        a failed fetch, an aborted connection, where a leak hides) its
        counters must be there (p.stats) and every mbuf back in the pool;
        usage errors (exit 2) never start the port."""
        app_args = list(app_args)
        if leak_check and "--stats" not in app_args:
            app_args.append("--stats")
        cmd = [self.binary] + (self.eal(pmd, huge) if eal is None else eal)
        cmd += ["--"] + app_args
        prefix = cmd[cmd.index("--file-prefix") + 1]
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=timeout)
        finally:
            subprocess.run(["rm", "-rf", "/var/run/dpdk/" + prefix])
        p.stderr_text = p.stderr.decode(errors="replace")
        no_sanitizer_report(p.stderr_text)
        p.stats = None
        if leak_check and p.returncode in (0, 1):
            p.stats = stats_of(p.stderr_text)
            # AF_XDP keeps its fill ring stocked with our mbufs and tops
            # it up per RX burst: its holding may differ by part of one.
            check_mbufs_back(p.stats, "dpfetch %s (exit %d)" % (
                " ".join(app_args)[:120], p.returncode),
                slack=32 if pmd == "af_xdp" else 0)
        return p

    def clean_runtime_dirs(self):
        """EAL's files of every dpfetch this run started and that is gone:
        its runtime directory and its hugepage files."""
        base = "/var/run/dpdk"
        for d in os.listdir(base) if os.path.isdir(base) else []:
            if d.startswith(RUN_PREFIX):
                subprocess.run(["rm", "-rf", os.path.join(base, d)])
        remove_hugepage_files(RUN_PREFIX)

    def out(self, name):
        return os.path.join(self.tmp, name)


SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")


def no_sanitizer_report(stderr_text):
    for mark in SANITIZER_MARKS:
        if mark in stderr_text:
            raise Failure("sanitizer report:\n" + stderr_text[-6000:])


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def stats_of(stderr_text):
    """The --stats JSON: the block from the first line that is '{'."""
    lines = stderr_text.splitlines()
    for i, line in enumerate(lines):
        if line == "{":
            # The PMD may log more as the port closes after it.
            return json.JSONDecoder().raw_decode("\n".join(lines[i:]))[0]
    raise Failure("no --stats JSON in stderr:\n" + stderr_text[-2000:])


def ns(*cmd, **kw):
    return subprocess.run(["ip", "netns", "exec", NS] + list(cmd),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          **kw)


def expect_ok(p, what):
    check(p.returncode == 0, "%s: exit %d, stderr:\n%s" %
          (what, p.returncode, p.stderr_text[-3000:]))


def expect_fail(p, code, pattern, what):
    check(p.returncode == code, "%s: exit %d, wanted %d; stderr:\n%s" %
          (what, p.returncode, code, p.stderr_text[-3000:]))
    check(re.search(pattern, p.stderr_text) is not None,
          "%s: stderr does not match /%s/:\n%s" %
          (what, pattern, p.stderr_text[-3000:]))


def fetch_and_compare(ctx, url, name, extra=(), pmd="af_packet", huge=False):
    out = ctx.out(name + ".out")
    p = ctx.dpfetch(["--ip", OUR_IP, "--fetch", url, "-o", out, "--stats"]
                    + list(extra), pmd=pmd, huge=huge)
    expect_ok(p, url)
    got = sha256_file(out)
    check(got == ctx.sums[name], "%s: sha256 %s, want %s" %
          (url, got, ctx.sums[name]))
    os.unlink(out)
    # ctx.dpfetch has checked that every mbuf came back.
    st = p.stats
    check(stat(st, "http.responses") == 1 and
          stat(st, "http.status_2xx") == 1, "http counters: %s" % st["http"])
    return p, st


def remove_hugepage_files(start):
    """EAL leaves its hugepage files behind when the process ends (the next
    process with the same prefix would reuse them); ours never comes back,
    so remove them, or each run keeps its pages reserved until reboot."""
    with open("/proc/mounts") as f:
        mounts = [line.split()[1] for line in f
                  if line.split()[2] == "hugetlbfs"]
    for m in mounts:
        for name in os.listdir(m):
            if name.startswith(start):
                os.unlink(os.path.join(m, name))


@contextlib.contextmanager
def hugepages():
    """At least 512 2 MiB pages reserved and hugetlbfs mounted, for the
    duration; both restored afterwards."""
    path = "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
    with open(path) as f:
        before = int(f.read())
    mounted = subprocess.run(["sh", "-c", "grep -q hugetlbfs /proc/mounts"]
                             ).returncode == 0
    try:
        if not mounted:
            os.makedirs("/dev/hugepages", exist_ok=True)
            subprocess.run(["mount", "-t", "hugetlbfs", "nodev",
                            "/dev/hugepages"], check=True)
        with open(path, "w") as f:
            f.write(str(max(before, 512)))
        with open(path) as f:
            check(int(f.read()) >= 300, "could not reserve hugepages")
        yield
    finally:
        remove_hugepage_files(RUN_PREFIX)
        with open(path, "w") as f:
            f.write(str(before))
        if not mounted:
            subprocess.run(["umount", "/dev/hugepages"])


def end_process(proc, timeout, sig=signal.SIGTERM):
    """Signal proc unless it has ended (sig None: it was asked already),
    wait for it (then kill it), and return its stderr as text."""
    if sig is not None and proc.poll() is None:
        proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err.decode(errors="replace")


def wait_port(proc, port):
    """Until the peer can open a connection to dpfetch's port."""
    deadline = time.time() + 15
    while time.time() < deadline:
        check(proc.poll() is None, "dpfetch exited early")
        r = ns("nc", "-z", "-w", "1", "198.18.0.2", str(port))
        if r.returncode == 0:
            return
        time.sleep(0.2)
    raise Failure("service on port %d never answered" % port)


def own_ip(extra, default=OUR_IP):
    """--ip default unless the test gives its own (several --ip add up:
    they are several addresses)."""
    return [] if "--ip" in list(extra) else ["--ip", default]


class Service:
    """dpfetch running a service (--echo) until SIGTERM."""

    def __init__(self, ctx, args):
        self.cmd = [ctx.binary] + ctx.eal() + ["--"] + own_ip(args) + [
            "--stats"] + args
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.stderr_text = ""

    def wait_ready(self, port):
        wait_port(self.proc, port)

    def stop(self):
        self.stderr_text = end_process(self.proc, 30)
        no_sanitizer_report(self.stderr_text)
        check(self.proc.returncode == 0, "exit %d after SIGTERM:\n%s" %
              (self.proc.returncode, self.stderr_text[-3000:]))
        st = stats_of(self.stderr_text)
        check_mbufs_back(st, "service")
        return st


def pattern_bytes(n):
    """What GET /bytes/N returns: byte i is (i * 131 + 7) mod 256."""
    block = bytes((i * 131 + 7) & 0xff for i in range(256))
    return block * (n // 256) + block[:n % 256]


ACCESS_LOG = "/run/dpf-testbed/access.log"


def sanitized(ctx):
    return "san" in os.path.basename(os.path.dirname(os.path.dirname(
        ctx.binary)))


def access_log_lines():
    with open(ACCESS_LOG, "rb") as f:
        return sum(1 for _ in f)


def job_result(ctx, p, out):
    with open(out) as f:
        r = json.load(f)
    os.unlink(out)
    return r


def check_no_errors(r, what):
    bad = {k: v for k, v in r["errors"].items() if v}
    check(not bad and r["requests_failed"] == 0,
          "%s: errors %s, failed %d, first error %s" %
          (what, bad, r["requests_failed"], r.get("first_error")))


def stat(st, path):
    """The counter at a dotted path of a stats tree ("tcp.RetransSegs").
    A missing key fails the test: a counter renamed or gone must not let
    a check pass (or be skipped) silently."""
    v = st
    for k in path.split("."):
        if not isinstance(v, dict) or k not in v:
            raise Failure("no %s in the stats (%r missing)" % (path, k))
        v = v[k]
    return v


def check_mbufs_back(st, what, slack=0):
    """Every mbuf is back in the pool at exit: in use are only those the
    driver holds (its RX ring)."""
    in_use = stat(st, "mempool.in_use")
    held = stat(st, "mempool.port_held")
    check(abs(in_use - held) <= slack,
          "%s: mbufs leaked: %d in use at exit, the driver held %d" %
          (what, in_use, held))


class MemifServer:
    """A dpfetch --listen server on a memif socket (role=server)."""

    def __init__(self, ctx, sock, lcore="0", extra=(), pin=None):
        # pin: a CPU for every thread of the process (taskset), so that
        # EAL's control threads preempt the worker
        self.cmd = ([] if pin is None else ["taskset", "-c", pin]) + [
                    ctx.binary, "-l", lcore, "--no-huge", "-m", "1024",
                    "--no-pci", "--file-prefix", ctx.prefix(),
                    "--log-level", "warning",
                    "--vdev=net_memif0,role=server,socket=%s,rsize=12" % sock,
                    "--"] + own_ip(extra, "198.18.2.1/24") + [
                    "--listen", "80",
                    "--stats", "--mbufs", "65535"] + list(extra)
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.stderr_text = ""

    def stop(self, sig=signal.SIGTERM):
        self.stderr_text = end_process(self.proc, 60, sig)
        return self.proc.returncode


def memif_client_eal(ctx, sock, lcore="1", mem="1024"):
    return ["-l", lcore, "--no-huge", "-m", mem, "--no-pci",
            "--file-prefix", ctx.prefix(), "--log-level", "warning",
            "--vdev=net_memif0,role=client,socket=%s,rsize=12" % sock]


def check_virtio_mbufs_back(st, what):
    """virtio frees what it sent only when it needs the TX descriptors
    again (and has no tx_done_cleanup), so at exit its 1024-slot TX ring
    may still hold sent frames, each a header mbuf and the pieces of its
    payload: a leak shows as more than that."""
    extra = st["mempool"]["in_use"] - st["mempool"]["port_held"]
    check(0 <= extra <= 1024 * 4,
          "%s: %d mbufs in use at exit, the driver held %d" %
          (what, st["mempool"]["in_use"], st["mempool"]["port_held"]))


def ctl_json(ctx, sock, *args):
    """dpfetchctl --json against a running dpfetch."""
    ctl = os.path.join(os.path.dirname(ctx.binary), "dpfetchctl")
    r = subprocess.run([ctl, "-s", sock, "--json"] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    check(r.returncode == 0, "dpfetchctl %s: %s" % (" ".join(args),
                                                  r.stderr.decode()))
    return json.loads(r.stdout)


class Daemon:
    """dpfetch on dpf0 with only --ctl: driven over its socket until
    app.shutdown."""

    def __init__(self, ctx, extra=(), eal=None, sock=None):
        # sock: the control socket's path when the test must know it
        # before the daemon starts (default: one of its own)
        self.ctx = ctx
        self.sock = sock or "/run/dpf-it-ctl-%d-%d.sock" % (os.getpid(),
                                                            ctx.n)
        self.prefix = None
        args = eal if eal is not None else ctx.eal()
        self.prefix = args[args.index("--file-prefix") + 1]
        self.cmd = [ctx.binary] + args + ["--"] + own_ip(extra) + [
            "--ctl", self.sock, "--stats"] + list(extra)
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.stderr_text = ""
        deadline = time.time() + 20
        while not os.path.exists(self.sock):
            if self.proc.poll() is not None:
                raise Failure("daemon exited early: %s" %
                              self.proc.communicate()[1].decode(
                                  errors="replace")[-2000:])
            if time.time() > deadline:
                self.proc.kill()
                raise Failure("no control socket: %s" %
                              self.proc.communicate()[1].decode(
                                  errors="replace")[-2000:])
            time.sleep(0.1)

    def ctl(self, *args, code=0, raw=False):
        if os.environ.get("DPF_TRACE"):
            print("    > dpfetchctl", " ".join(args), flush=True)
        binary = os.path.join(os.path.dirname(self.ctx.binary), "dpfetchctl")
        r = subprocess.run([binary, "-s", self.sock] +
                           ([] if raw else ["--json"]) + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=120)
        check(r.returncode == code, "dpfetchctl %s: exit %d, wanted %d: %s%s"
              % (" ".join(args), r.returncode, code, r.stdout.decode()[-1500:],
                 r.stderr.decode()[-1500:]))
        if raw or code != 0:
            return r
        return json.loads(r.stdout)

    def connect(self):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.connect(self.sock)
        return c

    # app.shutdown must end the process by itself within this bound: a
    # clean shutdown (workers stopped, port closed, counters printed)
    # takes well under the ~1 s these tests spend on it whole; 30 s
    # covers the sanitizer build on a loaded machine.
    STOP_S = 30

    def stop(self):
        """app.shutdown; then the process must exit by itself, with status
        0, within STOP_S, having removed its control socket itself, with
        every mbuf back.  Else it is killed (cleanup) and the test fails:
        a broken shutdown must not pass."""
        problem = None
        if self.proc.poll() is not None:
            problem = "the daemon exited (%d) before app.shutdown" % (
                self.proc.returncode)
        else:
            try:
                self.ctl("shutdown")
            except (Failure, subprocess.TimeoutExpired) as e:
                problem = "app.shutdown failed: %s" % e
        try:
            # after a failed app.shutdown, no need to wait: the test fails
            _, err = self.proc.communicate(
                timeout=self.STOP_S if problem is None else 1)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
            problem = problem or ("still running %d s after app.shutdown" %
                                  self.STOP_S)
        self.stderr_text = err.decode(errors="replace")
        left = os.path.exists(self.sock)
        subprocess.run(["rm", "-f", self.sock])     # cleanup, after the check
        no_sanitizer_report(self.stderr_text)
        check(problem is None, "%s; stderr:\n%s" %
              (problem, self.stderr_text[-2000:]))
        check(self.proc.returncode == 0, "daemon exit %d after app.shutdown: "
              "%s" % (self.proc.returncode, self.stderr_text[-2000:]))
        check(not left, "dpfetch left its control socket %s behind" %
              self.sock)
        st = stats_of(self.stderr_text)
        check_mbufs_back(st, "daemon")
        return st


def rpc_lines(conn, lines, n_replies, timeout=60):
    """Send raw bytes, read n_replies JSON lines back."""
    conn.settimeout(timeout)
    if lines:
        conn.sendall(lines)
    buf = b""
    out = []
    while len(out) < n_replies:
        chunk = conn.recv(1 << 20)
        check(chunk, "connection closed after %d replies" % len(out))
        buf += chunk
        while b"\n" in buf and len(out) < n_replies:
            line, buf = buf.split(b"\n", 1)
            out.append(json.loads(line))
    return out


TSHARK_FIELDS = ("ip.src", "ip.dst", "tcp.srcport", "tcp.dstport",
                 "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.fin",
                 "http.request.method", "frame.interface_id")


def tshark_rows(path):
    """tshark's reading of a capture file: one dict per packet."""
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=|"]
    for f in TSHARK_FIELDS:
        cmd += ["-e", f]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(p.returncode == 0, "tshark cannot read %s: %s" %
          (path, p.stderr.decode(errors="replace")[-2000:]))
    rows = []
    for line in p.stdout.decode().splitlines():
        vals = line.split("|")
        rows.append(dict(zip(TSHARK_FIELDS, vals)))
    return rows


def flag(row, name):
    return row[name] in ("1", "True")


def nft_loss(percent):
    nft_clear()
    rules = """
table inet %s {
  chain in { type filter hook input priority 0; policy accept;
             numgen random mod 100 < %d drop; }
  chain out { type filter hook output priority 0; policy accept;
              numgen random mod 100 < %d drop; }
}
""" % (NFT_TABLE, percent, percent)
    r = subprocess.run(["ip", "netns", "exec", NS, "nft", "-f", "-"],
                       input=rules.encode(), stderr=subprocess.PIPE)
    check(r.returncode == 0, "nft: " + r.stderr.decode())


def nft_clear():
    ns("nft", "delete", "table", "inet", NFT_TABLE)  # absent is fine


def wait_ip6_preferred(d, timeout=10):
    """Every --ip6 of Daemon d out of duplicate address detection (they
    run it together); returns its `neigh` answer."""
    deadline = time.time() + timeout
    while True:
        r = d.ctl("neigh")
        if r.get("ip6_state") == "preferred":
            return r
        check(time.time() < deadline, "--ip6 still %s" % r.get("ip6_state"))
        time.sleep(0.1)


def check_dad_refused(text, proc, addr, probes):
    """dpfetch refused --ip6 addr after DAD: exit 2 naming the address and
    the other node's MAC, `probes` probes sent, no announcement, every
    mbuf back."""
    no_sanitizer_report(text)
    check(proc.returncode == 2 and re.search(
        r"--ip6 %s: duplicate address detection failed: "
        r"[0-9a-f:]{17} on the link has that address" % re.escape(addr),
        text), "exit %d, stderr:\n%s" % (proc.returncode, text[-2000:]))
    st = stats_of(text)
    check(stat(st, "nd.dad_conflicts") >= 1 and
          stat(st, "nd.dad_probes") == probes and
          stat(st, "nd.tx_unsolicited_adverts") == 0, "nd %s" % st["nd"])
    check_mbufs_back(st, "dpfetch")
