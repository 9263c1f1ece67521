#!/usr/bin/python3
"""dpfetch benchmark: dpfetch against kernel-TCP tools on the same veth and
the same nginx, and dpfetch against itself over net_memif.

    tests/bench/bench.py [--build DIR] [--quick] [--runs N] [--duration S]
                         [--connections N] [--cases a,b,...] [--out DIR]

Normally run through scripts/bench.sh, which installs, builds and brings
the testbed up (and down).  Every party is pinned: nginx (and tcpdump) to
core 0, the client under test (dpfetch -l 1, or taskset -c 1 for wrk,
curl, httperf) to core 1; over memif the server dpfetch gets core 0 and
the client core 1.  The contenders alternate run by run (A B A B ...);
each figure is the median of the runs, with min and max, and the ratio
dpfetch / other is taken per pair of runs (A_i / B_i) and its median
reported.

Writes OUT/results.json and OUT/results.md.  --quick runs every case once
for 1 s and only checks that every contender produced a number; it ends
with "N passed, N failed".
"""

import argparse
import ast
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplat  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
NS = "dpf-peer"
IFACE = "dpf0"
PMD_DESCRIPTION = {
    "af_xdp": "net_af_xdp (iface=dpf0, 1 queue, copy mode, native XDP on "
              "the veth)",
    "af_packet": "net_af_packet (iface=dpf0, qdisc bypass, 1 queue pair)",
}
PEER_IF = "dpf0p"
PEER_IP = "198.18.0.1"
WWW = "/run/dpf-testbed/www"
NGINX_PID = "/run/dpf-testbed/nginx.pid"
BIG = "1G.bin"
BIG_SIZE = 1 << 30

# Where each party runs (2-core machine: the only sane split).
SERVER_CORE = "0"
CLIENT_CORE = "1"
# dperf (baidu/dperf), built by ../shared/bench/build-dperf.sh beside the
# project; its memif runner takes the same lcores (server 0, client 1).
DPERF = os.environ.get("DPERF", "/tmp/dperf/build/dperf")
# dperf's "small" case: payload_size 1400, a whole HTTP response.
SMALL_RESPONSE = 1400
DPERF_SCRIPTS = os.environ.get("DPERF_SCRIPTS", os.path.join(
    os.path.dirname(ROOT), "shared", "bench"))


# A dperf run lasts at least this long (dperf-memif.sh's figure is the
# median of its seconds after the first two, without the last); the
# dpfetch runs of the dperf cases last as long and are read the same way.
DPERF_MIN_S = 6
# Runs of each contender in a dperf case (at least; --runs may ask more).
DPERF_RUNS = 5


def steady_median(values):
    """dperf-memif.sh's steady state of a per-second series: the seconds
    with any traffic, the first two and the last left out (when more
    than four), median."""
    v = [x for x in values if x > 0]
    v = v[2:-1] if len(v) > 4 else v
    return statistics.median(v) if v else 0


def dperf_missing():
    """Why the dperf cases cannot run, or None."""
    if not os.access(DPERF, os.X_OK):
        return ("dperf is not built (%s): run %s/build-dperf.sh with a "
                "clone of github:baidu/dperf" % (DPERF, DPERF_SCRIPTS))
    if not os.path.exists(os.path.join(DPERF_SCRIPTS, "dperf-memif.sh")):
        return "no dperf-memif.sh in %s (set DPERF_SCRIPTS)" % DPERF_SCRIPTS
    return None

log_fh = sys.stderr


def log(msg):
    print("bench: " + msg, file=log_fh, flush=True)


def run(cmd, timeout=None, check=False, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, **kw)
    p.out = p.stdout.decode(errors="replace")
    p.err = p.stderr.decode(errors="replace")
    if check and p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode,
                                               p.err[-2000:]))
    return p


def ns(*cmd):
    return ["ip", "netns", "exec", NS] + list(cmd)


class BenchError(Exception):
    pass


# ---------------------------------------------------------------------------
# dpfetch processes and the control channel
# ---------------------------------------------------------------------------

class Dpfetch:
    """A dpfetch in control mode (--ctl), driven with dpfetchctl."""

    seq = 0

    def __init__(self, build, lcores, vdev, app_args, mem="1024",
                 wrapper=()):
        Dpfetch.seq += 1
        tag = "%d-%d" % (os.getpid(), Dpfetch.seq)
        self.prefix = "dpf-bench-" + tag
        self.ctl = "/run/dpf-bench-%s.ctl" % tag
        self.ctlbin = os.path.join(build, "app", "dpfetchctl")
        self.errf = tempfile.TemporaryFile()
        # wrapper: a command to run dpfetch under (instr.py: valgrind).
        cmd = list(wrapper) + [
            os.path.join(build, "app", "dpfetch"), "-l", lcores,
            "--no-huge", "-m", mem, "--no-pci", "--file-prefix",
            self.prefix, "--log-level", "warning", "--vdev=" + vdev,
            "--"] + app_args + ["--ctl", self.ctl]
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                     stderr=self.errf)
        deadline = time.time() + 60
        while not os.path.exists(self.ctl):
            if self.proc.poll() is not None:
                raise BenchError("dpfetch exited %d at start: %s" %
                                 (self.proc.returncode, self.stderr()))
            if time.time() > deadline:
                self.stop()
                raise BenchError("dpfetch control socket did not appear")
            time.sleep(0.05)

    def stderr(self):
        self.errf.seek(0)
        return self.errf.read().decode(errors="replace")[-3000:]

    def call(self, *args, timeout=600):
        p = run([self.ctlbin, "-s", self.ctl, "--json"] + list(args),
                timeout=timeout)
        if p.returncode not in (0, 1) or not p.out.strip():
            raise BenchError("dpfetchctl %s: exit %d: %s" %
                             (" ".join(args), p.returncode, p.err))
        return json.loads(p.out.strip().splitlines()[-1])

    def lcores(self):
        return self.call("stats", "scope=lcore")["lcores"]

    def wait_link(self, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if all(p.get("link_up") for p in self.call("ports")["ports"]):
                return
            time.sleep(0.1)
        raise BenchError("link of %s did not come up" % self.prefix)

    def job(self, params, timeout=600):
        """Start a load job, wait for it, return (result, busy cycles)."""
        before = self.lcores()
        j = self.call("fetch", *params)["job"]
        res = self.call("wait", str(j), timeout=timeout)
        after = self.lcores()
        return res, busy_delta(before, after)

    def stop(self):
        if self.proc.poll() is None:
            try:
                run([self.ctlbin, "-s", self.ctl, "shutdown"], timeout=10)
            except Exception:
                pass
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        for path in (self.ctl,):
            try:
                os.unlink(path)
            except OSError:
                pass
        shutil.rmtree("/var/run/dpdk/" + self.prefix, ignore_errors=True)


def add_memif_job_args(ap, duration):
    """The client job that ab.py and instr.py run over a memif pair."""
    ap.add_argument("--body", type=int, default=64,
                    help="response body bytes (/bytes/N)")
    ap.add_argument("--connections", type=int, default=1000)
    ap.add_argument("--rpc", type=int, default=0,
                    help="requests per connection (1: a new connection "
                         "per request); default keep-alive")
    ap.add_argument("--duration", type=int, default=duration)


def memif_job_params(a):
    """That job's parameters for dpfetchctl fetch (server 198.18.2.1)."""
    params = ["connections=%d" % a.connections,
              "duration=%d" % a.duration,
              "url=http://198.18.2.1/bytes/%d" % a.body]
    if a.rpc:
        params.append("rpc=%d" % a.rpc)
    return params


def busy_delta(before, after):
    b = {x["lcore"]: x for x in before}
    out = {"busy_cycles": 0, "idle_cycles": 0, "tsc_hz": 0}
    for a in after:
        o = b.get(a["lcore"], {"busy_cycles": 0, "idle_cycles": 0})
        out["busy_cycles"] += a["busy_cycles"] - o["busy_cycles"]
        out["idle_cycles"] += a["idle_cycles"] - o["idle_cycles"]
        out["tsc_hz"] = a["tsc_hz"]
    return out


def job_errors(res):
    return sum(res["errors"].values()) + res.get("requests_failed", 0)


# ---------------------------------------------------------------------------
# The testbed side: kernel address on dpf0, nginx pinning, the big file
# ---------------------------------------------------------------------------

class Kernel:
    """Gives dpf0 a kernel address while a kernel-TCP contender runs."""

    def __init__(self, addr):
        self.addr = addr
        self.on = False
        self.saved_arp_ignore = None

    def up(self):
        key = "net.ipv4.conf.%s.arp_ignore" % IFACE
        self.saved_arp_ignore = run(["sysctl", "-n", key]).out.strip()
        run(["sysctl", "-qw", key + "=1"], check=True)
        run(["ip", "addr", "replace", self.addr + "/24", "dev", IFACE],
            check=True)
        self.on = True
        # Let the peer learn us (and forget a stale entry).
        run(ns("ip", "neigh", "flush", "dev", PEER_IF))

    def down(self):
        if not self.on:
            return
        run(["ip", "addr", "del", self.addr + "/24", "dev", IFACE])
        if self.saved_arp_ignore:
            run(["sysctl", "-qw", "net.ipv4.conf.%s.arp_ignore=%s" %
                 (IFACE, self.saved_arp_ignore)])
        run(["ip", "neigh", "flush", "dev", IFACE])
        self.on = False


def nginx_pids():
    try:
        master = int(open(NGINX_PID).read().split()[0])
    except (OSError, ValueError, IndexError):
        return []
    pids = [master]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                st = open("/proc/%s/stat" % d).read()
            except OSError:
                continue
            ppid = int(st.rsplit(")", 1)[1].split()[1])
            if ppid == master:
                pids.append(int(d))
    return pids


def busy_processes(interval=1.0, threshold=20.0):
    """Processes that used more than threshold % of a core over interval
    seconds before the benchmark: anything else busy on a shared machine
    skews the figures, so the results name it."""
    def sample():
        out = {}
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                st = open("/proc/%s/stat" % d).read()
                cmd = open("/proc/%s/cmdline" % d, "rb").read()
            except OSError:
                continue
            f = st.rsplit(")", 1)[1].split()
            out[int(d)] = (int(f[11]) + int(f[12]),
                           cmd.replace(b"\0", b" ").decode(
                               errors="replace").strip()[:120])
        return out
    hz = os.sysconf("SC_CLK_TCK")
    a = sample()
    time.sleep(interval)
    b = sample()
    busy = []
    for pid, (t, cmd) in b.items():
        if pid in a and pid != os.getpid():
            pct = 100.0 * (t - a[pid][0]) / hz / interval
            if pct >= threshold:
                busy.append({"pid": pid, "cpu_pct": round(pct), "cmd": cmd})
    return busy


def affinity(pid):
    try:
        return os.sched_getaffinity(pid)
    except OSError:
        return None


# ---------------------------------------------------------------------------
# Contenders: each returns a dict with at least "value" (or None)
# ---------------------------------------------------------------------------

def parse_wrk(text):
    m = re.search(r"Requests/sec:\s+([0-9.]+)", text)
    errs = 0
    m2 = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                   r"timeout (\d+)", text)
    if m2:
        errs += sum(int(x) for x in m2.groups())
    m3 = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m3:
        errs += int(m3.group(1))
    m4 = re.search(r"(\d+) requests in ([0-9.]+)(\w+)", text)
    lat = {}
    for q in ("50", "90", "99"):
        m5 = re.search(r"^\s+%s%%\s+([0-9.]+)(us|ms|s)\s*$" % q, text, re.M)
        if m5:
            mult = {"us": 1, "ms": 1e3, "s": 1e6}[m5.group(2)]
            lat["p" + q] = float(m5.group(1)) * mult
    return {"value": float(m.group(1)) if m else None, "errors": errs,
            "requests": int(m4.group(1)) if m4 else None,
            "latency_us": lat}


class Bench:
    def __init__(self, args):
        self.a = args
        self.build = args.build
        self.kernel = Kernel(args.kernel_ip)
        self.dur = args.duration
        self.conns = args.connections
        self.url_small = "http://%s/index.html" % PEER_IP
        self.nginx_aff = {}
        self.src_n = 0
        self.last_src = args.dpfetch_ip
        self.made_big = False
        self.tmp = tempfile.mkdtemp(prefix="dpf-bench-")

    # -- environment -------------------------------------------------------

    def pin_nginx(self):
        for pid in nginx_pids():
            aff = affinity(pid)
            if aff is not None:
                self.nginx_aff[pid] = aff
                os.sched_setaffinity(pid, {int(SERVER_CORE)})

    def unpin_nginx(self):
        for pid, aff in self.nginx_aff.items():
            try:
                os.sched_setaffinity(pid, aff)
            except OSError:
                pass

    def make_big(self):
        path = os.path.join(WWW, BIG)
        if os.path.exists(path) and os.path.getsize(path) == BIG_SIZE:
            return
        log("creating %s (1 GiB of zeros)" % path)
        with open(path, "wb") as f:
            block = bytes(1 << 20)
            for _ in range(BIG_SIZE >> 20):
                f.write(block)
        self.made_big = True

    def cleanup(self):
        self.kernel.down()
        self.unpin_nginx()
        if self.made_big:
            try:
                os.unlink(os.path.join(WWW, BIG))
            except OSError:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def machine(self):
        cpu = ""
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        virt = run(["systemd-detect-virt"]).out.strip() or "unknown"
        dpdk = run(["pkg-config", "--modversion", "libdpdk"]).out.strip()
        pkg = run(["dpkg-query", "-W", "-f=${Version}", "libdpdk-dev"]
                  ).out.strip()
        offl = {}
        for line in run(["ethtool", "-k", IFACE]).out.splitlines():
            k, _, v = line.strip().partition(": ")
            if k in ("rx-checksumming", "tx-checksumming",
                     "scatter-gather", "tcp-segmentation-offload",
                     "generic-segmentation-offload",
                     "generic-receive-offload", "large-receive-offload"):
                offl[k] = v.split()[0] if v else v
        ver = {}
        for name, cmd in (("nginx", ["nginx", "-v"]),
                          ("wrk", ["wrk", "--version"]),
                          ("httperf", ["httperf", "--version"]),
                          ("curl", ["curl", "--version"])):
            try:
                p = run(cmd, timeout=10)
                t = (p.out + p.err).strip().splitlines()
                ver[name] = next((l for l in t if re.search(r"\d+\.\d+", l)
                                  and "warning" not in l), "")[:80]
            except Exception:
                ver[name] = "missing"
        return {
            "cpu_model": cpu, "cores": os.cpu_count(),
            "virtualization": virt, "kernel": platform.release(),
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") *
                                os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "dpdk": "%s (libdpdk-dev %s)" % (dpdk, pkg),
            "veth_offloads": {IFACE: offl},
            "tools": ver,
            "busy_processes_at_start": busy_processes(),
        }

    # -- dpfetch on af_packet ------------------------------------------------

    def fresh_src(self):
        """A source address no earlier run used.  dpfetch picks the same
        source ports in every process, and its SYNs are not accepted by
        nginx's kernel for a 4-tuple still in TIME_WAIT from the previous
        run (60 s): the SYN waits for its 1 s retransmission.  wrk's
        kernel picks random ports, so it never meets this.  One fresh
        address per run (dpfetch answers ARP for it) keeps the runs
        independent; one address, like wrk's."""
        self.src_n += 1
        n = 10 + (os.getpid() * 7 + self.src_n) % 240
        return "%s.%d" % (self.a.dpfetch_ip.rsplit(".", 1)[0], n)

    def veth_vdev(self):
        return "net_%s0,iface=%s" % (self.a.pmd, IFACE)

    def dpf_veth(self, params, timeout=600):
        src = self.fresh_src()
        params = list(params) + ["src_ips=%s-%s" % (src, src)]
        self.last_src = src
        d = Dpfetch(self.build, CLIENT_CORE, self.veth_vdev(),
                    ["--ip", self.a.dpfetch_ip + "/24"])
        try:
            res, cyc = d.job(params, timeout=timeout)
        finally:
            d.stop()
        return res, cyc

    def dpf_result(self, res, cyc, value):
        n = res["responses"]["2xx"] + sum(
            res["responses"][k] for k in ("1xx", "3xx", "4xx", "5xx"))
        r = {"value": value if n else None, "errors": job_errors(res),
             "requests": res["requests_sent"], "responses": n,
             "latency_us": {k: res["latency_us"]["total"][k]
                            for k in ("p50", "p90", "p99", "p999")},
             "elapsed_s": res.get("elapsed_s")}
        if n and cyc["busy_cycles"]:
            r["client_cycles_per_request"] = round(cyc["busy_cycles"] / n)
        if res["errors"] and job_errors(res):
            r["first_error"] = res.get("first_error")
        return r

    # -- case 1 and 2: wrk ---------------------------------------------------

    def wrk(self, close):
        cmd = ["taskset", "-c", CLIENT_CORE, "wrk", "-t1",
               "-c%d" % self.conns, "-d%ds" % self.dur, "--latency"]
        if close:
            cmd += ["-H", "Connection: close"]
        self.kernel.up()
        try:
            p = run(cmd + [self.url_small], timeout=self.dur + 60)
        finally:
            self.kernel.down()
        r = parse_wrk(p.out)
        if r["value"] is None:
            r["error"] = (p.out + p.err)[-500:]
        r["requests_per_s"] = r["value"]
        return r

    def dpf_keepalive(self, close):
        params = ["url=" + self.url_small, "connections=%d" % self.conns,
                  "duration=%d" % self.dur]
        if close:
            params.append("rpc=1")
        res, cyc = self.dpf_veth(params)
        return self.dpf_result(res, cyc, res["rates"]["rps"])

    # -- case 3: bulk --------------------------------------------------------

    def curl_bulk(self):
        self.kernel.up()
        try:
            p = run(["taskset", "-c", CLIENT_CORE, "curl", "-s", "--noproxy",
                     "*", "-o", "/dev/null", "-w",
                     "%{http_code} %{size_download} %{time_total}",
                     "http://%s/%s" % (PEER_IP, BIG)], timeout=300)
        finally:
            self.kernel.down()
        try:
            code, size, t = p.out.split()
            size, t = int(size), float(t)
        except ValueError:
            return {"value": None, "errors": 1, "error": p.err[-500:]}
        ok = code == "200" and size == BIG_SIZE
        return {"value": size * 8 / t / 1e9 if ok else None,
                "errors": 0 if ok else 1, "bytes": size, "seconds": t}

    def dpf_bulk(self):
        cmd = ["taskset", "-c", CLIENT_CORE,
               os.path.join(self.build, "app", "dpfetch"), "-l", CLIENT_CORE,
               "--no-huge", "-m", "1024", "--no-pci", "--file-prefix",
               "dpf-bench-bulk-%d" % os.getpid(), "--log-level", "warning",
               "--vdev=" + self.veth_vdev(), "--",
               "--ip", self.a.dpfetch_ip + "/24", "--timeout", "240",
               "--fetch", "http://%s/%s" % (PEER_IP, BIG), "-o", "/dev/null"]
        try:
            p = run(cmd, timeout=300)
        finally:
            shutil.rmtree("/var/run/dpdk/dpf-bench-bulk-%d" % os.getpid(),
                          ignore_errors=True)
        m = re.search(r"HTTP 200, (\d+) bytes in ([0-9.]+) s", p.err)
        if p.returncode != 0 or not m or int(m.group(1)) != BIG_SIZE:
            return {"value": None, "errors": 1, "error": " ".join(
                l for l in p.err.splitlines() if "error" in l)[-500:]}
        size, t = int(m.group(1)), float(m.group(2))
        return {"value": size * 8 / t / 1e9, "errors": 0, "bytes": size,
                "seconds": t}

    # -- case 4: latency at a fixed rate -------------------------------------

    def capture(self, client_ip, fn):
        """Run fn under tcpdump; client_ip None: the source fn used."""
        pcap = os.path.join(self.tmp, "lat.pcap")
        cap = subprocess.Popen(
            ns("taskset", "-c", SERVER_CORE, "tcpdump", "-i", PEER_IF, "-n",
               "-s", "96", "-B", "32768", "-w", pcap,
               "tcp port 80 and src net 198.18.0.0/24 and "
               "not host %s" % self.a.dpfetch_ip
               if client_ip is None else
               "tcp port 80 and host %s" % client_ip),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # tcpdump says "listening on" once its socket is ready.
        buf = b""
        deadline = time.time() + 10
        while b"listening on" not in buf and time.time() < deadline:
            line = cap.stderr.readline()
            if not line:
                break
            buf += line
        try:
            r = fn()
        finally:
            time.sleep(0.5)
            cap.send_signal(signal.SIGINT)
            try:
                cap.wait(timeout=15)
            except subprocess.TimeoutExpired:
                cap.kill()
                cap.wait()
        r["wire_us"] = pcaplat.summary(pcap, client_ip or self.last_src)
        os.unlink(pcap)
        w = r["wire_us"]
        r["value"] = w.get("p99") if r.get("value") is not None else None
        return r

    def httperf(self):
        rate = self.a.rate
        n = int(rate * self.dur)

        def go():
            self.kernel.up()
            try:
                p = run(["taskset", "-c", CLIENT_CORE, "httperf",
                         "--hog", "--server", PEER_IP, "--port", "80",
                         "--uri", "/index.html", "--rate", str(rate),
                         "--num-conns", str(n), "--num-calls", "1",
                         "--timeout", "5"], timeout=self.dur + 60)
            finally:
                self.kernel.down()
            t = p.out
            r = {"value": None, "errors": None}
            m = re.search(r"Connection time \[ms\]: min ([0-9.]+) avg "
                          r"([0-9.]+) max ([0-9.]+) median ([0-9.]+)", t)
            m2 = re.search(r"Reply time \[ms\]: response ([0-9.]+) transfer "
                           r"([0-9.]+)", t)
            m3 = re.search(r"Errors: total (\d+)", t)
            m4 = re.search(r"Reply status: 1xx=\d+ 2xx=(\d+)", t)
            if m and m3:
                r["value"] = 0
                r["errors"] = int(m3.group(1))
                r["own_ms"] = {"conn_min": float(m.group(1)),
                               "conn_avg": float(m.group(2)),
                               "conn_max": float(m.group(3)),
                               "conn_median": float(m.group(4))}
                if m2:
                    r["own_ms"]["reply_response_avg"] = float(m2.group(1))
                    r["own_ms"]["reply_transfer_avg"] = float(m2.group(2))
                r["responses"] = int(m4.group(1)) if m4 else None
            else:
                r["error"] = (t + p.err)[-500:]
            return r
        return self.capture(self.a.kernel_ip, go)

    def dpf_paced(self):
        def go():
            res, cyc = self.dpf_veth(
                ["url=" + self.url_small, "connections=%d" % self.conns,
                 "duration=%d" % self.dur, "rpc=1",
                 "rate_cps=%d" % self.a.rate])
            r = self.dpf_result(res, cyc, 0)
            r["own_us"] = {"connect_p50": res["latency_us"]["connect"]["p50"],
                           "total_p50": res["latency_us"]["total"]["p50"],
                           "total_p99": res["latency_us"]["total"]["p99"],
                           "total_p999": res["latency_us"]["total"]["p999"]}
            return r
        return self.capture(None, go)

    # -- case 5 and 6: memif -------------------------------------------------

    def memif_pair(self, srv_lcores, cli_lcores, extra=(), mem="1024"):
        sock = "/run/dpf-bench-%d.memif" % os.getpid()
        q = len(srv_lcores.split(","))
        srv = Dpfetch(self.build, srv_lcores,
                      "net_memif0,role=server,socket=%s,rsize=12" % sock,
                      ["--ip", "198.18.2.1/24", "--listen", "80"] +
                      list(extra), mem=mem)
        try:
            cli = Dpfetch(self.build, cli_lcores,
                          "net_memif0,role=client,socket=%s,rsize=12" % sock,
                          ["--ip", "198.18.2.2/24"] + list(extra), mem=mem)
        except Exception:
            srv.stop()
            raise
        try:
            cli.wait_link()
        except Exception:
            cli.stop()
            srv.stop()
            raise
        _ = q
        return srv, cli

    def memif_case(self, kind, lcores=1, steady=False):
        """kind: cps, rps, gbps.  Returns the client's figure plus cycles
        per request on both sides.  steady: the figure is taken as
        dperf-memif.sh takes dperf's (steady_median of the per-second
        series of a run as long as dperf's), the whole run's average
        kept beside it as "whole_run"."""
        if lcores == 1:
            sl, cl = SERVER_CORE, CLIENT_CORE
        else:
            # Server on the first half of the cores, client on the second;
            # with too few cores (--force-scaling) both share them.
            n = os.cpu_count()
            half = n // 2 if n >= 2 * lcores else 0
            sl = ",".join(str(i) for i in range(lcores))
            cl = ",".join(str(half + i) for i in range(lcores))
        conns = self.a.memif_connections
        dur = max(self.dur, DPERF_MIN_S) if steady else self.dur
        params = ["connections=%d" % conns, "duration=%d" % dur]
        if kind == "cps":
            params += ["url=http://198.18.2.1/bytes/64", "rpc=1"]
        elif kind == "rps":
            params += ["url=http://198.18.2.1/bytes/64"]
        elif kind == "rps1000":
            # dperf's keep-alive case: 1,000 connections, a small response.
            params = ["connections=1000", "duration=%d" % dur,
                      "url=http://198.18.2.1/bytes/64"]
        elif kind == "small":
            # dperf's payload_size 1400 is the whole HTTP response, head
            # and body, in one segment; the body here is sized so that
            # ours is 1,400 bytes too (small_body, measured per pair).
            params = ["connections=1000", "duration=%d" % dur]
        else:
            params = ["connections=%d" % self.a.memif_bulk_connections,
                      "duration=%d" % self.dur,
                      "url=http://198.18.2.1/bytes/1048576"]
        srv, cli = self.memif_pair(sl, cl)
        try:
            if kind == "small":
                body = self.small_body(cli, SMALL_RESPONSE)
                params.append("url=http://198.18.2.1/bytes/%d" % body)
            sb = srv.lcores()
            res, cyc = cli.job(params)
            sa = srv.lcores()
        finally:
            cli.stop()
            srv.stop()
        scyc = busy_delta(sb, sa)
        value = {"cps": res["rates"]["cps"], "rps": res["rates"]["rps"],
                 "rps1000": res["rates"]["rps"],
                 # HTTP bytes received, as dperf's figure (dperf()).
                 "small": res["rates"]["rps"] * SMALL_RESPONSE * 8 / 1e9,
                 "gbps": res["rates"]["gbps"]}[kind]
        if steady:
            # The same yardstick as dperf's figure: per-second values,
            # warm-up and the last second left out, median.
            per_s = {"cps": "cps", "rps1000": "rps", "small": "rps"}[kind]
            series = [x.get(per_s, 0) for x in res.get("series", [])]
            if kind == "small":
                series = [x * SMALL_RESPONSE * 8 / 1e9 for x in series]
            whole, value = value, steady_median(series)
        r = self.dpf_result(res, cyc, value)
        if steady:
            r["whole_run"] = whole
            r["series"] = series
        if kind == "small":
            r["requests_per_s"] = res["rates"]["rps"]
            r["response_bytes"] = SMALL_RESPONSE
            r["body_bytes"] = body
        if r["responses"]:
            r["server_cycles_per_request"] = round(
                scyc["busy_cycles"] / r["responses"])
        r["connections_opened"] = res.get("connections_opened")
        return r

    @staticmethod
    def small_body(cli, size):
        """The body length that makes the server's whole response to
        /bytes/N size bytes: one request tells the length of its head."""
        probe = 1000
        res, _ = cli.job(["connections=1", "requests=1",
                          "url=http://198.18.2.1/bytes/%d" % probe])
        if res["responses"]["2xx"] != 1:
            raise RuntimeError("small_body: probe failed: %s" % res)
        head = res["bytes_rx"] - res["body_bytes"]
        if not 0 < head < size:
            raise RuntimeError("small_body: head of %d bytes" % head)
        return size - head

    def dperf(self, kind):
        """dperf's client against its server over memif (dperf-memif.sh:
        server on lcore 0, client on lcore 1, as dpfetch's pair): its
        steady-state conn/s (cps), requests/s (rps) or received Gbit/s
        (small), and its error totals."""
        # Offered 1M conn/s: dperf's highest rate without errors here
        # (at its script's 1.2M default it retransmits SYNs).
        env = dict(os.environ, DPERF=DPERF)
        env.setdefault("DPERF_CPS", "1m")
        p = run(["bash", os.path.join(DPERF_SCRIPTS, "dperf-memif.sh"),
                 kind, str(max(self.dur, DPERF_MIN_S))],
                timeout=self.dur + 120,
                env=env)
        m = re.search(r"dperf \w+: cps ([0-9.]+) rps ([0-9.]+) gbps "
                      r"([0-9.]+) total errors (\{.*\})", p.out)
        if m is None:
            raise RuntimeError("dperf-memif.sh %s: no result: %s %s" %
                               (kind, p.out[-1500:], p.err[-1500:]))
        errs = ast.literal_eval(m.group(4))
        rps = float(m.group(2))
        # small: HTTP bytes received (its payload_size is the whole
        # response), as dpfetch's figure; its own bitsRx counts frames,
        # Ethernet to TCP headers included, and is kept beside.
        value = {"cps": float(m.group(1)), "rps": rps,
                 "small": rps * SMALL_RESPONSE * 8 / 1e9}[kind]
        r = {"value": value or None, "errors": int(sum(errs.values())),
             "dperf_errors": errs}
        if kind == "small":
            r["requests_per_s"] = rps
            r["frame_gbps"] = float(m.group(3))
        return r

    def vhost_gbps(self, offloads):
        """1 MiB responses from a dpfetch server on virtio-user to a
        dpfetch client on vhost-user (one lcore each): virtio offers
        TSO and LRO and vhost carries a TSO segment across whole, so this
        measures what the segmentation offloads save the stack, against
        the same pair with --tcp tso=0,lro=0."""
        sock = "/run/dpf-bench-%d.vhost" % os.getpid()
        try:
            os.unlink(sock)
        except OSError:
            pass
        tcp = [] if offloads else ["--tcp", "tso=0,lro=0"]
        cli = Dpfetch(self.build, CLIENT_CORE,
                      "net_vhost0,iface=%s,tso=1" % sock,
                      ["--ip", "198.18.6.2/24"] + tcp)
        try:
            srv = Dpfetch(self.build, SERVER_CORE,
                          "net_virtio_user0,path=%s,queue_size=1024" % sock,
                          ["--ip", "198.18.6.1/24", "--listen", "80"] + tcp)
        except Exception:
            cli.stop()
            raise
        try:
            cli.wait_link()
            sb = srv.lcores()
            res, cyc = cli.job(
                ["connections=%d" % self.a.memif_bulk_connections,
                 "duration=%d" % self.dur,
                 "url=http://198.18.6.1/bytes/1048576"])
            sa = srv.lcores()
            tso = srv.call("stats", "scope=tcp")["tcp"]["TsoSends"]
        finally:
            srv.stop()
            cli.stop()
            try:
                os.unlink(sock)
            except OSError:
                pass
        r = self.dpf_result(res, cyc, res["rates"]["gbps"])
        scyc = busy_delta(sb, sa)
        if r["responses"]:
            r["server_cycles_per_request"] = round(
                scyc["busy_cycles"] / r["responses"])
        r["server_tso_sends"] = tso
        return r

    def memif_held(self):
        n = self.a.held
        ramp = 1 if self.a.quick else 10
        hold = 2 if self.a.quick else 6
        big = ["--max-conns", str(n + n // 20),
               "--mbufs", "131071" if n > 100000 else "32767"]
        mem = "3072" if n > 100000 else "1024"
        srv, cli = self.memif_pair(SERVER_CORE, CLIENT_CORE, big, mem=mem)
        try:
            j = cli.call("fetch", "url=http://198.18.2.1/bytes/64",
                         "connections=%d" % n,
                         "rate_rps=%d" % max(1, n // (hold + ramp + 3)),
                         "duration=%d" % (ramp + hold + 2),
                         "ramp=%d" % ramp,
                         "src_ips=198.18.2.64-198.18.2.127")["job"]
            time.sleep(ramp + hold / 2 + 1)
            s = srv.lcores()
            c = cli.lcores()
            res = cli.call("wait", str(j), timeout=600)
        finally:
            cli.stop()
            srv.stop()
        held = sum(x["established"] for x in s)
        return {"value": held, "errors": job_errors(res),
                "target_connections": n,
                "client_established": sum(x["established"] for x in c),
                "max_open_per_second": max([e["open"] for e in
                                            res["series"]] or [0]),
                "server_bytes_per_connection":
                    s[0]["conn_memory"]["per_connection"],
                "client_bytes_per_connection":
                    c[0]["conn_memory"]["per_connection"],
                "server_conn_memory_bytes": s[0]["conn_memory"]["bytes"],
                "first_error": res.get("first_error")}


# ---------------------------------------------------------------------------
# Cases, runs, summaries
# ---------------------------------------------------------------------------

CASES = [
    # name, title, unit, better, contenders [(label, method)], target
    ("keepalive", "keep-alive requests/s, index.html from nginx", "req/s",
     "higher", [("dpfetch", lambda b: b.dpf_keepalive(False)),
                ("wrk", lambda b: b.wrk(False))],
     {"ratio_min": 1.0}),
    ("close", "one request per connection (connections/s)", "conn/s",
     "higher", [("dpfetch", lambda b: b.dpf_keepalive(True)),
                ("wrk -H 'Connection: close'", lambda b: b.wrk(True))],
     {"ratio_min": 1.0}),
    ("bulk", "bulk download of 1 GiB", "Gbit/s", "higher",
     [("dpfetch", lambda b: b.dpf_bulk()), ("curl", lambda b: b.curl_bulk())],
     {"ratio_min": 1.0}),
    ("latency", "full response time at a fixed rate, p99 on the wire",
     "us", "lower", [("dpfetch paced", lambda b: b.dpf_paced()),
                     ("httperf --rate", lambda b: b.httperf())], None),
    ("memif_cps", "memif, 1 lcore per side: new connections/s", "conn/s",
     "higher", [("dpfetch", lambda b: b.memif_case("cps"))],
     {"min": 650000}),
    ("memif_rps", "memif, 1 lcore per side: keep-alive requests/s", "req/s",
     "higher", [("dpfetch", lambda b: b.memif_case("rps"))],
     {"min": 1600000}),
    ("memif_gbps", "memif, 1 lcore per side: 1 MiB responses", "Gbit/s",
     "higher", [("dpfetch", lambda b: b.memif_case("gbps"))], {"min": 26}),
    ("vhost_offloads", "vhost-user, 1 MiB responses: TSO+LRO / without",
     "Gbit/s", "higher",
     [("TSO+LRO", lambda b: b.vhost_gbps(True)),
      ("tso=0,lro=0", lambda b: b.vhost_gbps(False))], None),
    ("dperf_cps", "vs dperf, memif, 1 lcore per side: new connections/s, "
     "one request each", "conn/s", "higher",
     [("dpfetch", lambda b: b.memif_case("cps", steady=True)),
      ("dperf", lambda b: b.dperf("cps"))], {"ratio_min": 1.0}),
    ("dperf_rps", "vs dperf, memif: keep-alive requests/s, 1,000 "
     "connections", "req/s", "higher",
     [("dpfetch", lambda b: b.memif_case("rps1000", steady=True)),
      ("dperf", lambda b: b.dperf("rps"))], {"ratio_min": 1.0}),
    ("dperf_small", "vs dperf, memif: keep-alive 1,400-byte responses, "
     "1,000 connections", "Gbit/s", "higher",
     [("dpfetch", lambda b: b.memif_case("small", steady=True)),
      ("dperf", lambda b: b.dperf("small"))], {"ratio_min": 1.5}),
    ("memif_held", "memif, 1 lcore per side: concurrent connections held",
     "connections", "higher", [("dpfetch", lambda b: b.memif_held())], None),
    ("scaling_cps", "memif scaling, connections/s: 2 lcores / 1 lcore per side",
     "conn/s", "higher",
     [("2 lcores", lambda b: b.memif_case("cps", 2)),
      ("1 lcore", lambda b: b.memif_case("cps", 1))], None),
    ("scaling_rps", "memif scaling, keep-alive requests/s: 2 / 1 lcores",
     "req/s", "higher",
     [("2 lcores", lambda b: b.memif_case("rps", 2)),
      ("1 lcore", lambda b: b.memif_case("rps", 1))], None),
    ("scaling_gbps", "memif scaling, 1 MiB responses: 2 / 1 lcores",
     "Gbit/s", "higher",
     [("2 lcores", lambda b: b.memif_case("gbps", 2)),
      ("1 lcore", lambda b: b.memif_case("gbps", 1))], None),
]


def stats_of(vals):
    v = [x for x in vals if x is not None]
    if not v:
        return {"median": None, "min": None, "max": None, "n": 0}
    return {"median": statistics.median(v), "min": min(v), "max": max(v),
            "n": len(v)}


# Cases whose first run after a pause came out far below the others
# (dpfetch's first 1 GiB download at 2 Gbit/s, then 7 to 8): every
# contender runs once, unmeasured, before the alternating runs.
WARMUP_CASES = {"bulk"}


def cycles_note(r):
    """Busy cycles per request of each dpfetch side, for the run log."""
    parts = ["%s %s" % (side, fmt(r[key])) for side, key in (
        ("client", "client_cycles_per_request"),
        ("server", "server_cycles_per_request")) if r.get(key)]
    return "  (cycles/request: %s)" % ", ".join(parts) if parts else ""


def run_case(bench, case, runs):
    name, title, unit, better, contenders, target = case
    log("case %s: %s" % (name, title))
    per = {label: [] for label, _ in contenders}
    n_runs = 1 if name == "memif_held" else runs
    # On a shared VM a run's speed depends on the minute it falls in
    # (docs/benchmarks.md): against dperf, whose figures move as much as
    # ours, more pairs give a steadier median ratio.
    if name.startswith("dperf") and not bench.a.quick:
        n_runs = max(n_runs, DPERF_RUNS)
    if name in WARMUP_CASES and not bench.a.quick:
        for label, fn in contenders:
            try:
                r = fn(bench)
            except Exception as e:  # noqa: BLE001
                r = {"value": None, "error": str(e)}
            log("  %-28s warm-up: %s %s (not counted)" % (
                label, fmt(r.get("value")), unit))
    for i in range(n_runs):
        for label, fn in contenders:
            r = None
            failed = None
            for attempt in (1, 2):	# one retry: the testbed is shared
                try:
                    r = fn(bench)
                except Exception as e:  # noqa: BLE001
                    r = {"value": None, "errors": None, "error": str(e)}
                if r.get("value") is not None and not r.get("errors"):
                    break
                if attempt == 1:
                    log("  %s run %d: %s, retrying once" %
                        (label, i + 1, r.get("error") or
                         "errors %s" % r.get("errors")))
                    failed = r
                    time.sleep(1)
            r["run"] = i + 1
            if failed is not None:
                # The attempt that was retried stays in the results, and
                # its errors count (one if it failed without a count).
                r["retried"] = failed
                r["retried_errors"] = failed.get("errors") or 1
            per[label].append(r)
            log("  %-28s run %d: %s %s%s%s%s" % (
                label, i + 1, fmt(r.get("value")), unit,
                "" if not r.get("errors") else
                "  (errors %s)" % r.get("errors"),
                "" if failed is None else
                "  (retried: %d errors before)" % r["retried_errors"],
                cycles_note(r)))
    out = {"title": title, "unit": unit, "better": better, "runs": n_runs,
           "contenders": {}}
    for label, _ in contenders:
        out["contenders"][label] = {
            "summary": stats_of([r.get("value") for r in per[label]]),
            "errors": sum((r.get("errors") or 0) +
                          r.get("retried_errors", 0) for r in per[label]),
            "retried_errors": sum(r.get("retried_errors", 0)
                                  for r in per[label]),
            "runs": per[label]}
    if len(contenders) == 2:
        a, b = contenders[0][0], contenders[1][0]
        ratios = []
        for ra, rb in zip(per[a], per[b]):
            if ra.get("value") and rb.get("value"):
                ratios.append(ra["value"] / rb["value"])
        out["ratio"] = {"of": "%s / %s" % (a, b), **stats_of(ratios)}
    first = out["contenders"][contenders[0][0]]
    if target and first["summary"]["median"] is not None:
        if "ratio_min" in target:
            rm = out["ratio"]["median"]
            out["target"] = {"text": "%s >= %s" % (out["ratio"]["of"],
                                                   target["ratio_min"]),
                             "met": bool(rm is not None and
                                         rm >= target["ratio_min"] and
                                         first["errors"] == 0)}
        else:
            out["target"] = {"text": ">= %s %s, zero errors" %
                             (fmt(target["min"]), unit),
                             "met": first["summary"]["median"] >=
                             target["min"] and first["errors"] == 0}
    return out


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float) and v < 10:
        return "%.2f" % v
    if isinstance(v, float) and v < 100:
        return "%.1f" % v
    return "{:,}".format(int(round(v)))


def cpr(runs, key):
    v = [r[key] for r in runs if r.get(key)]
    return statistics.median(v) if v else None


def markdown(res):
    m = res["machine"]
    s = res["settings"]
    L = []
    L.append("Measured %s on %s, %d cores (%s), kernel %s; DPDK %s; "
             "PMD %s on the veth, net_memif between two dpfetch. "
             "%d runs per contender, alternating, %d s each "
             "(against dperf: %d runs of %d s, both read as dperf-memif.sh "
             "reads dperf's per-second figures); "
             "%d connections (memif: %d, 1 MiB: %d)." % (
                 res["date"], m["cpu_model"], m["cores"],
                 m["virtualization"], m["kernel"], m["dpdk"],
                 s["pmd"], s["runs"], s["duration_s"],
                 s.get("dperf_runs", s["runs"]),
                 s.get("dperf_duration_s", s["duration_s"]),
                 s["connections"],
                 s["memif_connections"], s["memif_bulk_connections"]))
    if m.get("busy_processes_at_start"):
        L.append("")
        L.append("Note: other processes were busy when the benchmark "
                 "started, and share the cores: %s." % "; ".join(
                     "%s (%d%% of a core)" % (x["cmd"][:60], x["cpu_pct"])
                     for x in m["busy_processes_at_start"]))
    L.append("")
    L.append("| case | dpfetch (median [min-max]) | other (median [min-max]) "
             "| ratio dpfetch/other (median [min-max]) | target |")
    L.append("|---|---|---|---|---|")
    for name, c in res["cases"].items():
        labels = list(c["contenders"])
        cells = []
        for lab in labels[:2]:
            su = c["contenders"][lab]["summary"]
            e = c["contenders"][lab]["errors"]
            er = c["contenders"][lab].get("retried_errors", 0)
            cell = "%s: %s [%s-%s] %s" % (lab, fmt(su["median"]),
                                          fmt(su["min"]), fmt(su["max"]),
                                          c["unit"])
            if e:
                cell += " (%d errors%s)" % (
                    e, ", %d in retried attempts" % er if er else "")
            cells.append(cell)
        if len(cells) == 1:
            cells.append("")
        if "skipped" in c:
            cells = ["skipped: " + c["skipped"], ""]
        ra = c.get("ratio")
        rt = ("%.2f [%.2f-%.2f]" % (ra["median"], ra["min"], ra["max"])
              if ra and ra["median"] is not None else "")
        t = c.get("target")
        tt = ("%s: **%s**" % (t["text"], "met" if t["met"] else "not met")
              if t else "")
        L.append("| %s | %s | %s | %s | %s |" % (c["title"], cells[0],
                                                  cells[1], rt, tt))
    L.append("")
    lat = res["cases"].get("latency")
    if lat and "skipped" not in lat:
        L.append("Latency at %d requests/s, one request per connection "
                 "(microseconds, SYN to the last response byte, from a "
                 "tcpdump on the peer's veth end; median of the runs):" %
                 s["rate"])
        L.append("")
        L.append("| | p50 | p90 | p99 | p99.9 | max | request to last byte "
                 "p50 / p99 / p99.9 | own figures |")
        L.append("|---|---|---|---|---|---|---|---|")
        for lab, c in lat["contenders"].items():
            row = []
            for q in ("p50", "p90", "p99", "p999", "max"):
                v = [r["wire_us"].get(q) for r in c["runs"]
                     if r.get("wire_us")]
                v = [x for x in v if x is not None]
                row.append(fmt(statistics.median(v)) if v else "-")
            rq = []
            for q in ("p50", "p99", "p999"):
                v = [r["wire_us"].get("request", {}).get(q)
                     for r in c["runs"] if r.get("wire_us")]
                v = [x for x in v if x is not None]
                rq.append(fmt(statistics.median(v)) if v else "-")
            row.append(" / ".join(rq))
            own = ""
            r0 = [r for r in c["runs"] if r.get("own_us") or r.get("own_ms")]
            if r0 and "own_us" in r0[0]:
                o = r0[0]["own_us"]
                own = ("connect p50 %s, request to last byte p50 %s / p99 %s"
                       " / p99.9 %s us" % (o["connect_p50"], o["total_p50"],
                                           o["total_p99"], o["total_p999"]))
            elif r0:
                o = r0[0]["own_ms"]
                own = ("connection time median %.1f ms, avg %.1f ms "
                       "(httperf has no percentiles)" %
                       (o["conn_median"], o["conn_avg"]))
            L.append("| %s | %s | %s |" % (lab, " | ".join(row), own))
        L.append("")
    L.append("CPU cost (busy cycles of the lcore from its busy/idle "
             "accounting, per response; median of the runs) and memory:")
    L.append("")
    L.append("| case | client cycles/request | server cycles/request |")
    L.append("|---|---|---|")
    for name, c in res["cases"].items():
        if "skipped" in c:
            continue
        for lab, cc in c["contenders"].items():
            if not lab.startswith("dpfetch") and not name.startswith(
                    ("scaling", "vhost")):
                continue
            a = cpr(cc["runs"], "client_cycles_per_request")
            b = cpr(cc["runs"], "server_cycles_per_request")
            if a or b:
                L.append("| %s (%s) | %s | %s |" % (name, lab, fmt(a),
                                                     fmt(b)))
    held = res["cases"].get("memif_held")
    if held and "skipped" not in held:
        r = held["contenders"]["dpfetch"]["runs"][0]
        L.append("")
        L.append("Connections held over memif: %s of %s (server), memory "
                 "per connection %s B on the server, %s B on the client "
                 "(`stats scope=lcore`, conn_memory.per_connection)." % (
                     fmt(r.get("value")), fmt(r.get("target_connections")),
                     fmt(r.get("server_bytes_per_connection")),
                     fmt(r.get("client_bytes_per_connection"))))
    return "\n".join(L) + "\n"


def update_doc(md):
    """A full run puts its table into docs/benchmarks.md, between the
    results markers."""
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    try:
        text = open(path).read()
    except OSError:
        return
    m = re.search(r"(<!-- results[^>]*-->\n).*?(<!-- /results -->)", text,
                  re.S)
    if m:
        text = text[:m.end(1)] + md + text[m.start(2):]
        with open(path, "w") as f:
            f.write(text)
        log("updated %s" % path)


def main():
    ap = argparse.ArgumentParser(description="dpfetch benchmark")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--memif-connections", type=int, default=256)
    ap.add_argument("--memif-bulk-connections", type=int, default=16)
    ap.add_argument("--held", type=int, default=1000000)
    ap.add_argument("--rate", type=int, default=2000,
                    help="requests/s of the latency case")
    ap.add_argument("--cases", default="",
                    help="comma-separated case names (default: all)")
    ap.add_argument("--force-scaling", action="store_true",
                    help="run the 2-lcore cases even with fewer than 4 "
                    "cores (oversubscribed)")
    ap.add_argument("--pmd", choices=("af_xdp", "af_packet"),
                    default="af_xdp",
                    help="dpfetch's PMD on the veth (default af_xdp)")
    ap.add_argument("--dpfetch-ip", default="198.18.0.2")
    ap.add_argument("--kernel-ip", default="198.18.0.3")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    # SIGTERM unwinds like SIGINT, so that every finally: restores dpf0,
    # nginx's affinity and stops the dpfetch processes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.quick:
        args.runs, args.duration = 1, 1
        args.held = min(args.held, 10000)
    out = args.out or (os.path.join(ROOT, "bench") if not args.quick
                       else tempfile.mkdtemp(prefix="dpf-bench-quick-"))
    names = [c[0] for c in CASES]
    want = [x for x in args.cases.split(",") if x] or names
    for w in want:
        if w not in names:
            ap.error("unknown case %r (cases: %s)" % (w, ", ".join(names)))
    bench = Bench(args)
    res = {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
           "quick": args.quick,
           "machine": bench.machine(),
           "settings": {
               "pmd": PMD_DESCRIPTION[args.pmd],
               "runs": args.runs, "duration_s": args.duration,
               "dperf_runs": max(args.runs, DPERF_RUNS),
               "dperf_duration_s": max(args.duration, DPERF_MIN_S),
               "connections": args.connections,
               "memif_connections": args.memif_connections,
               "memif_bulk_connections": args.memif_bulk_connections,
               "memif": "rsize=12 (4096-slot rings), --no-huge -m 1024",
               "rate": args.rate,
               "pinning": "nginx (1 worker) and tcpdump on core %s; dpfetch "
                          "-l %s, wrk/curl/httperf under taskset -c %s; "
                          "memif server -l %s, client -l %s" % (
                              SERVER_CORE, CLIENT_CORE, CLIENT_CORE,
                              SERVER_CORE, CLIENT_CORE),
               "addresses": "dpfetch %s, kernel contenders %s on dpf0 "
                            "(never at the same time), nginx %s" % (
                                args.dpfetch_ip, args.kernel_ip, PEER_IP),
               "dpfetch_eal": "--no-huge -m 1024 --no-pci",
               "wrk": "-t1 -c%d -d%ds --latency" % (args.connections,
                                                     args.duration),
               "httperf": "--hog --rate %d --num-conns %d --num-calls 1" % (
                   args.rate, args.rate * args.duration),
           },
           "cases": {}}
    passed = failed = 0
    try:
        bench.pin_nginx()
        if "bulk" in want:
            bench.make_big()
        for case in CASES:
            if case[0] not in want:
                continue
            if case[0].startswith("scaling") and os.cpu_count() < 4 and \
                    not args.force_scaling:
                res["cases"][case[0]] = {
                    "title": case[1], "unit": case[2], "contenders": {},
                    "skipped": "needs 4 cores (2 lcores per side), the "
                               "machine has %d" % os.cpu_count()}
                log("case %s: skipped (%d cores)" % (case[0],
                                                     os.cpu_count()))
                continue
            if case[0].startswith("dperf") and dperf_missing():
                res["cases"][case[0]] = {
                    "title": case[1], "unit": case[2], "contenders": {},
                    "skipped": dperf_missing()}
                log("case %s: skipped: %s" % (case[0], dperf_missing()))
                continue
            c = run_case(bench, case, args.runs)
            res["cases"][case[0]] = c
            for lab, cc in c["contenders"].items():
                ok = cc["summary"]["n"] == c["runs"] and \
                    cc["summary"]["min"] > 0
                if args.quick:
                    print("%s %s / %s: %s %s" % ("PASS" if ok else "FAIL",
                                                 case[0], lab,
                                                 fmt(cc["summary"]["median"]),
                                                 c["unit"]), flush=True)
                passed += ok
                failed += not ok
    finally:
        bench.cleanup()
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    md = markdown(res)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(md)
    print(md)
    log("wrote %s/results.json and results.md" % out)
    if not args.quick and not args.cases and args.out is None:
        update_doc(md)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
