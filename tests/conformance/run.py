#!/usr/bin/python3
"""TCP conformance tests for dpfetch, with a scripted scapy peer.

Each test starts the real dpfetch on dpf0 (root namespace) and plays the
HTTP server itself on dpf0p (namespace dpf-peer) at 198.18.0.10, a made-up
address and MAC the kernel there ignores (see peer.py).  It sends exactly
the segments it wants, and asserts exactly what dpfetch sends back (flags,
sequence and acknowledgment numbers, window, options, timing), its exit
status and message, and its --stats counters.

    /usr/bin/python3 tests/conformance/run.py [--build DIR] [-k SUBSTRING]
                                              [--list] [-v] [--trace]

The tests live in cases_*.py (handshake, data, loss, close, bad input,
SYN cookies),
each a function whose docstring names the RFC rule it checks; peer.py is
the scripted peer, common.py the helpers they share.  -v adds the packet
exchange to a failure, --trace prints it for every test.  A test that
fails while another dpfetch runs on dpf0 (someone else's) is retried once
the port is free.

Needs root and the testbed (scripts/testbed.sh up).  Prints "PASS name (t s)"
or "FAIL name: reason" per test and ends with "N passed, N failed"; the exit
status is non-zero if any test failed.  Under a sanitizer build, a test also
fails if dpfetch's stderr holds a sanitizer report.
"""

import argparse
import os
import signal
import sys
import threading
import time
import traceback

sys.dont_write_bytecode = True     # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# The case modules register their tests, in this order, when imported.
import cases_handshake  # noqa: E402
import cases_data  # noqa: E402
import cases_loss  # noqa: E402
import cases_close  # noqa: E402
import cases_bad_input  # noqa: E402
import cases_syncookie  # noqa: E402
from common import TESTS  # noqa: E402
from peer import (DPF_IFACE, NS, Case, Failure, kill_all_live,  # noqa: E402
                  live_runs)

CASE_MODULES = (cases_handshake, cases_data, cases_loss, cases_close,
                cases_bad_input, cases_syncookie)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


class ClashMonitor:
    """Watches for dpfetch processes that are not ours on dpf0: they see
    our segments too (and answer them with RSTs) and share the CPU, so a
    test that fails while one ran is retried once the port is free."""

    def __init__(self):
        self.seen = False
        self.stop = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    @staticmethod
    def foreign():
        ours = {d.proc.pid for d in list(live_runs()) if d.proc}
        found = []
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) in ours:
                continue
            try:
                with open("/proc/%s/cmdline" % name, "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if (argv and os.path.basename(argv[0]) == b"dpfetch" and
                    any(a.endswith(b"iface=" + DPF_IFACE.encode())
                        for a in argv)):
                found.append(int(name))
        return found

    def _loop(self):
        while not self.stop:
            if self.foreign():
                self.seen = True
            time.sleep(0.1)

    def wait_free(self, limit=300):
        """Wait (up to limit s) until no foreign dpfetch runs; then reset."""
        deadline = time.monotonic() + limit
        noted = False
        while self.foreign() and time.monotonic() < deadline:
            if not noted:
                print("(waiting: another dpfetch is using %s)" % DPF_IFACE,
                      file=sys.stderr, flush=True)
                noted = True
            time.sleep(0.5)
        self.seen = False


def testbed_ready():
    return (os.path.exists("/var/run/netns/" + NS) and
            os.path.exists("/sys/class/net/dpf0"))


def run_one(fn, build, verbose=False, trace_all=False):
    case = Case(build)
    t0 = time.monotonic()
    err = None
    try:
        fn(case)
    except Failure as e:
        err = str(e)
    except Exception:
        err = "exception:\n" + traceback.format_exc()
    finally:
        trace = case.peer.trace() if case.peer else ""
        report = case.cleanup()
    if verbose and err is not None:
        err += "\n" + trace
    if trace_all:
        print("TRACE %s\n%s" % (fn.__name__, trace))
    if report and err is None:
        err = "sanitizer report:\n" + report
    elif report:
        err += "\nsanitizer report:\n" + report
    return err, time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"),
                    help="build directory holding app/dpfetch")
    ap.add_argument("-k", dest="pattern", default=None,
                    help="run only tests whose name contains this")
    ap.add_argument("--list", action="store_true", help="list the tests")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="show the packet exchange of failed tests")
    ap.add_argument("--trace", action="store_true",
                    help="show the packet exchange of every test")
    args = ap.parse_args()

    tests = [f for f in TESTS if args.pattern is None or
             args.pattern in f.__name__]
    if args.list:
        for f in tests:
            print(f.__name__)
        return 0
    if os.geteuid() != 0:
        print("must run as root", file=sys.stderr)
        return 2
    if not testbed_ready():
        print("the testbed is not up: scripts/testbed.sh up",
              file=sys.stderr)
        return 2
    binary = os.path.join(args.build, "app", "dpfetch")
    if not os.access(binary, os.X_OK):
        print("no dpfetch at %s" % binary, file=sys.stderr)
        return 2

    def on_signal(sig, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)

    passed = failed = 0
    start = time.monotonic()
    monitor = ClashMonitor()
    try:
        for fn in tests:
            for attempt in range(4):
                monitor.wait_free()
                err, dt = run_one(fn, args.build, args.verbose, args.trace)
                if err is None or not monitor.seen or attempt == 3:
                    break
                print("RETRY %s: another dpfetch ran on %s meanwhile (%s)" %
                      (fn.__name__, DPF_IFACE, err.split("\n")[0][:200]),
                      file=sys.stderr, flush=True)
            if err is None:
                passed += 1
                print("PASS %s (%.1f s)" % (fn.__name__, dt), flush=True)
            else:
                failed += 1
                print("FAIL %s: %s" % (fn.__name__, err), flush=True)
    finally:
        monitor.stop = True
        kill_all_live()
    print("%d passed, %d failed" % (passed, failed))
    print("total %.1f s" % (time.monotonic() - start), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
