#!/usr/bin/python3
"""Compare two builds of dpfetch over memif, slice by slice, so that both
see the same machine.

    tests/bench/ab.py --a BUILD_A --b BUILD_B [--slices N] [--duration S]
                      [--body N] [--connections N] [--rpc N]

On a virtual machine the cost of the same code can move by a third from
one minute to the next (docs/benchmarks.md, "two speed regimes"), which
hides any change of a few per cent between two builds run one after the
other.  Here both pairs (server on core 0, client on core 1, as in
bench.py) stay up for the whole run; the one not measured is stopped
with SIGSTOP, so it takes no CPU and needs no restart.  The pairs take
turns (A B, B A, A B ...) running a client job of --duration seconds,
and each turn's busy cycles per response on either side (the lcores'
own busy accounting) is set against the other build's in the same
slice.  The ratio B / A per slice, and its median, is what to read: a
slice in which the machine changed speed shows as one outlier, not as
a shifted median.  The first slice of each pair only warms up.

Needs root and a quiet machine; takes about (N + 1) * 2 * (S + 1) s.
"""

import argparse
import os
import signal
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def start_pair(build, tag, srv_wrapper=(), cli_wrapper=(),
               link_timeout=15):
    """A server (core 0) and a client (core 1) of build over memif, each
    run under its wrapper command if any: [server, client, socket]."""
    sock = "/run/dpf-ab-%d-%s.memif" % (os.getpid(), tag)
    try:
        os.unlink(sock)
    except OSError:
        pass
    srv = bench.Dpfetch(build, bench.SERVER_CORE,
                        "net_memif0,role=server,socket=%s,rsize=12" % sock,
                        ["--ip", "198.18.2.1/24", "--listen", "80"],
                        wrapper=srv_wrapper)
    try:
        cli = bench.Dpfetch(build, bench.CLIENT_CORE,
                            "net_memif0,role=client,socket=%s,rsize=12" %
                            sock, ["--ip", "198.18.2.2/24"],
                            wrapper=cli_wrapper)
        cli.wait_link(timeout=link_timeout)
    except Exception:
        srv.stop()
        raise
    return [srv, cli, sock]


def signal_pair(pair, sig):
    for d in pair[:2]:
        if d.proc.poll() is None:
            os.kill(d.proc.pid, sig)


def stop_pair(pair):
    signal_pair(pair, signal.SIGCONT)
    for d in pair[:2]:
        d.stop()
    try:
        os.unlink(pair[2])
    except OSError:
        pass


def one_slice(pair, params):
    srv, cli = pair[:2]
    signal_pair(pair, signal.SIGCONT)
    try:
        time.sleep(0.3)
        before = srv.lcores()
        res, cyc = cli.job(params)
        after = srv.lcores()
    finally:
        signal_pair(pair, signal.SIGSTOP)
    n = res["responses"]["2xx"]
    if n == 0:
        raise bench.BenchError("no responses: %s" % res)
    return {"client": cyc["busy_cycles"] / n,
            "server": bench.busy_delta(before, after)["busy_cycles"] / n,
            "rps": res["rates"]["rps"], "errors": bench.job_errors(res)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--a", required=True, help="build directory A")
    ap.add_argument("--b", required=True, help="build directory B")
    ap.add_argument("--slices", type=int, default=8)
    bench.add_memif_job_args(ap, duration=2)
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("ab.py: needs root (DPDK)")
    params = bench.memif_job_params(a)
    pairs = {}
    rows = {"A": [], "B": []}
    errors = 0
    try:
        for name, build in (("A", a.a), ("B", a.b)):
            pairs[name] = start_pair(build, name)
            signal_pair(pairs[name], signal.SIGSTOP)
        print("slice   A client  server      rps |   B client  server      "
              "rps | B/A client server")
        for i in range(a.slices + 1):
            order = ("A", "B") if i % 2 == 0 else ("B", "A")
            got = {name: one_slice(pairs[name], params) for name in order}
            if i == 0:
                continue
            for name in ("A", "B"):
                rows[name].append(got[name])
                errors += got[name]["errors"]
            x, y = got["A"], got["B"]
            print("%5d %10.0f %7.0f %8.0f | %10.0f %7.0f %8.0f | %10.3f "
                  "%6.3f" % (i, x["client"], x["server"], x["rps"],
                             y["client"], y["server"], y["rps"],
                             y["client"] / x["client"],
                             y["server"] / x["server"]), flush=True)
    finally:
        for pair in pairs.values():
            stop_pair(pair)
    med = statistics.median
    for side in ("client", "server"):
        r = [y[side] / x[side] for x, y in zip(rows["A"], rows["B"])]
        print("%s: busy cycles per response A %.0f, B %.0f; B/A median "
              "%.3f [%.3f-%.3f] over %d slices" %
              (side, med([x[side] for x in rows["A"]]),
               med([y[side] for y in rows["B"]]), med(r), min(r), max(r),
               len(r)))
    if errors:
        print("errors: %d" % errors)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
