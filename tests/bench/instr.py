#!/usr/bin/python3
"""Instructions per response of one side of a memif pair, by layer and by
function, counted by valgrind's callgrind.

    tests/bench/instr.py --build BUILD [--b BUILD_B] [--side client|server]
                         [--body N] [--connections N] [--rpc N]
                         [--duration S] [--runs N] [--top N] [--keep DIR]

Busy cycles (bench.py, ab.py) are what counts, but on a shared virtual
machine the same binary costs a third more from one minute to the next
(docs/benchmarks.md, "two speed regimes"), and a change of a few per
cent drowns in that.  Instructions do not move with the machine: the
measured side runs under callgrind (about fifty times slower, so it is
always the bottleneck and always reads full bursts), its peer runs
natively, and the count is taken over one client job with
instrumentation switched on only for the job (`callgrind_control -i`).
What is counted per response includes per-time work (timers, the
neighbour scan, the job's per-second series), which under valgrind is
spread over fifty times fewer responses: the same build measures within
about 3 % of itself, function by function much closer.  Fewer
instructions are not fewer cycles (a cache miss costs hundreds); read
this beside ab.py.

With --b, both builds are measured alternately (--runs each) and the
figures set side by side, B / A.  --keep leaves the callgrind files for
callgrind_annotate.  Needs root and valgrind (scripts/setup.sh installs
it).
"""

import argparse
import collections
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ab  # noqa: E402
import bench  # noqa: E402

LAYERS = ("core", "net", "tcp", "http", "job", "loop", "ctl", "app",
          "memif PMD", "DPDK", "libc", "other")


def layer_of(obj, path):
    """The project layer (lib/ folder) a piece of code belongs to, or
    where else it comes from."""
    m = re.search(r"(?:^|/)lib/([a-z]+)/", path)
    if m and "/usr/" not in path:
        return m.group(1)
    if re.search(r"(?:^|/)app/", path) and "/usr/" not in path:
        return "app"
    if "librte_net_memif" in obj:
        return "memif PMD"
    if "librte_" in obj or "/dpdk/" in path or "rte_" in os.path.basename(
            path):
        return "DPDK"
    if "libc.so" in obj or "ld-linux" in obj or "/sysdeps/" in path or \
            path.startswith("./"):
        return "libc"
    return "other"


def parse_callgrind(path):
    """Self cost (Ir) per (object, file, function) and the total, from a
    callgrind output file.  Code inlined from another file (fi=/fe=) is
    charged to that file (per_response decides what a helper header's
    code belongs to); a call's cost line (after calls=) is the callee's
    inclusive cost and is not the caller's own."""
    names = {"ob": {}, "fl": {}, "fn": {}}
    cost = collections.Counter()
    total = 0
    ob = fl = fi = fn = ""
    skip_next = False

    def name(kind, rest):
        m = re.match(r"\((\d+)\)(?: (.*))?$", rest)
        if not m:
            return rest
        if m.group(2) is not None:
            names[kind][m.group(1)] = m.group(2)
            return m.group(2)
        return names[kind].get(m.group(1), "?")

    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line[0] == "#":
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                if skip_next:
                    skip_next = False
                    continue
                parts = line.split()
                if len(parts) >= 2:
                    cost[(ob, fi or fl, fn)] += int(parts[1])
                continue
            if line.startswith(("summary:", "totals:")):
                total = int(line.split()[1])
                continue
            key, _, rest = line.partition("=")
            if key == "ob":
                ob = name("ob", rest)
            elif key == "fl":
                fl = name("fl", rest)
                fi = ""
            elif key in ("fi", "fe"):
                fi = name("fl", rest)
            elif key == "fn":
                fn = name("fn", rest)
                fi = ""
            elif key == "cob":
                name("ob", rest)
            elif key in ("cfi", "cfl"):
                name("fl", rest)
            elif key == "cfn":
                name("fn", rest)
            elif key == "calls":
                skip_next = True
    return cost, total


def measure(build, side, params, keep, tag):
    """One job with one side under callgrind: (responses, cost, total)."""
    out = os.path.join(keep, "callgrind.%s" % tag)
    vg = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
          "--callgrind-out-file=%s.%%p" % out]
    pair = ab.start_pair(build, "instr-" + tag,
                         srv_wrapper=vg if side == "server" else (),
                         cli_wrapper=vg if side == "client" else (),
                         link_timeout=180)
    srv, cli = pair[:2]
    try:
        # Warm up (ARP, pools, first connections) uninstrumented.
        warm = [p for p in params if not p.startswith("duration=")]
        cli.job(warm + ["duration=1"], timeout=900)
        pid = (srv if side == "server" else cli).proc.pid
        ctl = ["callgrind_control"]
        subprocess.run(ctl + ["-i", "on", str(pid)], check=True,
                       capture_output=True, timeout=120)
        res, _ = cli.job(params, timeout=1800)
        subprocess.run(ctl + ["-i", "off", str(pid)], check=True,
                       capture_output=True, timeout=120)
        subprocess.run(ctl + ["-d", str(pid)], check=True,
                       capture_output=True, timeout=120)
        dump = "%s.%d.1" % (out, pid)
        deadline = time.time() + 60
        while not os.path.exists(dump) and time.time() < deadline:
            time.sleep(0.2)
        if not os.path.exists(dump):
            raise bench.BenchError("callgrind wrote no dump %s" % dump)
        time.sleep(0.5)
        n = res["responses"]["2xx"]
        if n == 0 or bench.job_errors(res):
            raise bench.BenchError("job: %d responses, %d errors" %
                                   (n, bench.job_errors(res)))
        cost, total = parse_callgrind(dump)
        return n, cost, total
    finally:
        ab.stop_pair(pair)


def helper_header(path):
    """The compiler's intrinsics and libc's inline helpers (byte swaps):
    code that belongs to the function it was inlined into."""
    return "/lib/gcc/" in path or (path.startswith("/usr/include/") and
                                   "/dpdk/" not in path)


def per_response(n, cost):
    """Per response: instructions by layer, and by function."""
    own = collections.Counter()
    for (ob, fl, fn), v in cost.items():
        if not helper_header(fl):
            own[(fn, layer_of(ob, fl))] += v
    # Code from such a helper goes to the layer where most of its
    # function's own code is.
    fn_layer = {}
    for (fn, lay), v in sorted(own.items(), key=lambda x: x[1]):
        fn_layer[fn] = lay
    layers = collections.Counter()
    funcs = collections.Counter()
    for (ob, fl, fn), v in cost.items():
        lay = fn_layer.get(fn, "other") if helper_header(fl) else \
            layer_of(ob, fl)
        layers[lay] += v / n
        funcs[fn] += v / n
    return layers, funcs


def median_counter(counters):
    keys = set()
    for c in counters:
        keys |= set(c)
    return {k: statistics.median([c.get(k, 0.0) for c in counters])
            for k in keys}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True, help="build directory (A)")
    ap.add_argument("--b", help="a second build directory to compare")
    ap.add_argument("--side", choices=("client", "server"),
                    default="client")
    bench.add_memif_job_args(ap, duration=4)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--keep", help="directory for the callgrind files")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("instr.py: needs root (DPDK)")
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            sys.exit("instr.py: %s not found (scripts/setup.sh installs "
                     "valgrind)" % tool)
    params = bench.memif_job_params(a)
    keep = a.keep or tempfile.mkdtemp(prefix="dpf-instr-")
    os.makedirs(keep, exist_ok=True)
    builds = [("A", a.build)] + ([("B", a.b)] if a.b else [])
    got = {name: [] for name, _ in builds}
    try:
        for i in range(a.runs):
            order = builds if i % 2 == 0 else builds[::-1]
            for name, build in order:
                n, cost, total = measure(build, a.side, params, keep,
                                         "%s%d" % (name, i))
                layers, funcs = per_response(n, cost)
                got[name].append((total / n, layers, funcs))
                print("run %d %s: %d responses, %.0f instructions per "
                      "response (%s)" % (i + 1, name, n, total / n, a.side),
                      flush=True)
    finally:
        if not a.keep:
            shutil.rmtree(keep, ignore_errors=True)
    summary = {}
    for name, _ in builds:
        runs = got[name]
        summary[name] = (statistics.median([r[0] for r in runs]),
                         median_counter([r[1] for r in runs]),
                         median_counter([r[2] for r in runs]))
    ta, la, fa = summary["A"]
    if a.b:
        tb, lb, fb = summary["B"]
    print("\n%s, /bytes/%d, %d connections%s, instructions per response "
          "(median of %d run%s):" % (a.side, a.body, a.connections,
                                     ", rpc=%d" % a.rpc if a.rpc else "",
                                     a.runs, "s" if a.runs > 1 else ""))
    print("%-12s %9s" % ("layer", "A") + ("  %9s %7s" % ("B", "B/A")
                                          if a.b else ""))
    for lay in LAYERS:
        x = la.get(lay, 0.0)
        y = lb.get(lay, 0.0) if a.b else 0.0
        if x < 0.5 and y < 0.5:
            continue
        line = "%-12s %9.0f" % (lay, x)
        if a.b:
            line += "  %9.0f %7s" % (y, "%.3f" % (y / x) if x else "-")
        print(line)
    line = "%-12s %9.0f" % ("total", ta)
    if a.b:
        line += "  %9.0f %7.3f" % (tb, tb / ta)
    print(line)
    print("\nfunctions (own instructions per response, inlined code "
          "included):")
    if a.b:
        keys = sorted(set(fa) | set(fb),
                      key=lambda k: -max(fa.get(k, 0), fb.get(k, 0)))
        keys = keys[:a.top]
        for k in sorted(keys, key=lambda k: -abs(fb.get(k, 0) -
                                                  fa.get(k, 0))):
            print("%9.1f %9.1f %+8.1f  %s" % (fa.get(k, 0), fb.get(k, 0),
                                               fb.get(k, 0) - fa.get(k, 0),
                                               k))
    else:
        for k in sorted(fa, key=lambda k: -fa[k])[:a.top]:
            print("%9.1f  %s" % (fa[k], k))
    if a.keep:
        print("\ncallgrind files in %s (callgrind_annotate FILE)" % keep)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except bench.BenchError as e:
        sys.exit("instr.py: %s" % e)
