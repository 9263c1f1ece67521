"""The measurement tools of tests/bench that speed work relies on (see
docs/benchmarks.md): ab.py, two builds compared slice by slice, and
instr.py, instructions per response under callgrind.  Each is run for
real, briefly, over memif, and its figures checked for sense.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import glob
import os
import re
import shutil
import signal
import subprocess
import sys

from harness import ROOT, check, sanitized, test

BENCH = os.path.join(ROOT, "tests", "bench")


def build_dir(ctx):
    return os.path.dirname(os.path.dirname(ctx.binary))


def run_tool(cmd, timeout):
    """Run a bench tool in its own session; on timeout the whole group
    (the tool and the dpfetch it started) is killed and what they left
    is removed.  Returns (exit status, output)."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        for d in glob.glob("/var/run/dpdk/dpf-bench-%d-*" % p.pid):
            shutil.rmtree(d, ignore_errors=True)
        for f in (glob.glob("/run/dpf-bench-%d-*.ctl" % p.pid) +
                  glob.glob("/run/dpf-*-%d-*.memif" % p.pid)):
            os.unlink(f)
        return None, out.decode(errors="replace")
    return p.returncode, out.decode(errors="replace")


@test
def ab_compares_two_builds_slice_by_slice(ctx):
    """ab.py with the same build as A and B, two slices of a second over
    memif: it exits 0, and each side's busy cycles per response are
    there for both builds, with a B / A median near 1 (the same code)."""
    b = build_dir(ctx)
    rc, out = run_tool(["/usr/bin/python3", os.path.join(BENCH, "ab.py"),
                        "--a", b, "--b", b, "--slices", "2", "--duration",
                        "1", "--connections", "100"], timeout=180)
    print("    " + "\n    ".join(out.strip().splitlines()[-3:]))
    check(rc == 0, "ab.py exit %s:\n%s" % (rc, out[-3000:]))
    for side in ("client", "server"):
        m = re.search(r"^%s: busy cycles per response A (\d+), B (\d+); "
                      r"B/A median ([0-9.]+) \[([0-9.]+)-([0-9.]+)\] over "
                      r"2 slices$" % side, out, re.M)
        check(m is not None, "no %s summary:\n%s" % (side, out[-3000:]))
        a_cyc, b_cyc, med = int(m.group(1)), int(m.group(2)), \
            float(m.group(3))
        check(a_cyc > 0 and b_cyc > 0, "%s cycles %d / %d" %
              (side, a_cyc, b_cyc))
        check(0.5 < med < 2.0, "%s B/A %.3f for one build against itself"
              % (side, med))


@test
def instr_counts_instructions_per_response(ctx):
    """instr.py, the client of a memif pair under callgrind for one
    second of keep-alive requests: it exits 0, counts between a thousand
    and a hundred thousand instructions per response, charges them to
    the layers the data path crosses (tcp, net, http, job, loop, memif),
    the layers add up to the total, and tcp_input is among the
    functions.  valgrind cannot run a sanitizer build, so there it
    measures the plain build beside it."""
    b = build_dir(ctx)
    if sanitized(ctx):
        b = os.path.join(os.path.dirname(b), "build")
        check(os.path.exists(os.path.join(b, "app", "dpfetch")),
              "no plain build at %s for valgrind" % b)
    rc, out = run_tool(["/usr/bin/python3", os.path.join(BENCH, "instr.py"),
                        "--build", b, "--duration", "1", "--connections",
                        "100", "--top", "40"], timeout=420)
    print("    " + "\n    ".join(out.strip().splitlines()[:20]))
    check(rc == 0, "instr.py exit %s:\n%s" % (rc, out[-3000:]))
    m = re.search(r"^run 1 A: (\d+) responses, (\d+) instructions per "
                  r"response \(client\)$", out, re.M)
    check(m is not None, "no run line:\n%s" % out[-3000:])
    n, total = int(m.group(1)), int(m.group(2))
    check(n > 0 and 1000 < total < 100000,
          "%d responses, %d instructions each" % (n, total))
    layers = dict((k.strip(), float(v)) for k, v in re.findall(
        r"^([a-zA-Z][a-zA-Z ]*?)\s+(\d+)$", out, re.M))
    for lay in ("tcp", "net", "http", "job", "loop", "memif PMD"):
        check(layers.get(lay, 0) > 0, "layer %s missing: %s" %
              (lay, layers))
    parts = sum(v for k, v in layers.items() if k != "total")
    check(abs(parts - layers.get("total", 0)) <= 0.01 * total +
          len(layers), "layers add up to %.0f, total %s" %
          (parts, layers.get("total")))
    check(re.search(r"^\s+[0-9.]+\s+tcp_input", out, re.M) is not None,
          "tcp_input not among the functions:\n%s" % out[-3000:])


if __name__ == "__main__":
    sys.exit("run by tests/integration/run.py")
