#!/usr/bin/python3 -u
"""Integration tests: dpfetch against real peers in the dpf-peer testbed.

The peers are the Linux kernel's TCP stack, nginx and scripts/peer_server.py
in the dpf-peer network namespace (scripts/testbed.sh).  Nothing is mocked:
each test starts the real dpfetch binary on the dpf0 veth end through
net_af_packet (or net_af_xdp) and checks what it fetched, its exit status,
its messages and its counters.

    tests/integration/run.py [--build DIR] [-k SUBSTRING] [--list]

Prints one line per test and ends with "N passed, N failed".  The testbed
must be up (scripts/test.sh takes care of that).

This file is the entry point only: harness.py holds what the tests share
(Ctx, check/Failure, stat, the dpfetch process helpers), and the tests
live in cases_<area>.py, run in the order of CASE_MODULES (then any other
cases_*.py, sorted).
"""

import argparse
import importlib
import os
import subprocess
import sys
import time
import traceback

sys.dont_write_bytecode = True     # keep the source tree clean
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from harness import ROOT, TESTS, Ctx, Failure  # noqa: E402

# The areas, in the order their tests run.
CASE_MODULES = ("fetch", "errors", "arp_icmp", "echo", "listen", "jobs",
                "memif", "vhost_tap", "scale", "ctl", "impair", "capture",
                "loss")


def load_case_modules():
    """The tests of one area live in cases_<area>.py beside this file;
    they import the harness (harness.py) and register with @test.  The
    areas of CASE_MODULES first, in that order, then any others."""
    names = ["cases_" + m for m in CASE_MODULES]
    for f in sorted(os.listdir(HERE)):
        if (f.startswith("cases_") and f.endswith(".py") and
                f[:-3] not in names):
            names.append(f[:-3])
    for name in names:
        importlib.import_module(name)


def main():
    load_case_modules()
    ap = argparse.ArgumentParser(description="dpfetch integration tests")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("-k", dest="pattern", action="append", default=[],
                    help="run the tests whose name holds PATTERN (repeat: any)")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    selected = [t for t in TESTS
                if not args.pattern or any(p in t.__name__
                                           for p in args.pattern)]
    if args.list:
        for t in selected:
            print(t.__name__)
        return 0
    ctx = Ctx(args.build)
    passed = failed = 0
    for t in selected:
        t0 = time.time()
        try:
            t(ctx)
        except Failure as e:
            failed += 1
            print("FAIL %s (%.1f s): %s" % (t.__name__, time.time() - t0, e))
        except Exception:
            failed += 1
            print("FAIL %s (%.1f s): %s" % (t.__name__, time.time() - t0,
                                            traceback.format_exc()))
        else:
            passed += 1
            print("PASS %s (%.1f s)" % (t.__name__, time.time() - t0))
        sys.stdout.flush()
    subprocess.run(["rm", "-rf", ctx.tmp])
    ctx.clean_runtime_dirs()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
