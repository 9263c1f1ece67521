"""dpfetchctl's interactive shell, driven through a pseudo-terminal
(pexpect) against a running dpfetch: completion, history, help, errors,
end of file; its plain mode on a pipe; -f SCRIPT --check.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import os
import shutil
import stat as stat_mod
import subprocess
import tempfile

import pexpect

from harness import Daemon, Failure, PEER_IP, check, test

PROMPT = "dpfetch> "
UP = "\x1b[A"
CTRL_U = "\x15"


def ctl_binary(ctx):
    return os.path.join(os.path.dirname(ctx.binary), "dpfetchctl")


def expect(p, pattern, what):
    """Wait for pattern (or patterns: the first must come), with what was
    on the screen in the failure."""
    patterns = pattern if isinstance(pattern, list) else [pattern]
    if pexpect.EOF not in patterns:
        patterns = patterns + [pexpect.EOF]
    try:
        i = p.expect(patterns)
    except pexpect.TIMEOUT:
        raise Failure("%s: no /%s/ within %d s; screen:\n%s" %
                             (what, patterns[0], p.timeout,
                              p.before[-2000:]))
    check(i == 0, "%s: wanted /%s/, got /%s/; screen:\n%s" %
          (what, patterns[0], patterns[i],
           (p.before + (p.after if isinstance(p.after, str) else ""))
           [-2000:]))


@test
def shell_prompt_completes_and_recalls(ctx):
    """The dpfetch> prompt on a terminal: TAB completes a command, a key
    and lists what fits; a bad command is an error and the prompt goes on;
    the up arrow recalls a command; help CMD; $job; EOF exits 0 with the
    history saved (0600)."""
    d = Daemon(ctx)
    home = tempfile.mkdtemp(prefix="dpf-shell-")
    p = None
    try:
        env = dict(os.environ, HOME=home, TERM="xterm")
        env.pop("NO_COLOR", None)
        # No command on a terminal: the shell.
        p = pexpect.spawn(ctl_binary(ctx), ["-s", d.sock, "--json"],
                          env=env, encoding="utf-8", timeout=20,
                          dimensions=(50, 200))
        expect(p, "help lists the commands", "banner")
        expect(p, PROMPT, "first prompt")
        # inf TAB: "info " then Enter runs it
        p.send("inf\t\r")
        expect(p, r'"dpdk_version"|"version"', "info completed by TAB")
        expect(p, PROMPT, "prompt after info")
        # stats sc TAB -> scope=, then tcp: stats scope=tcp
        p.send("stats sc\ttcp\r")
        expect(p, [r'\{"tcp": ?\{', "dpfetchctl: "], "stats scope=tcp")
        expect(p, PROMPT, "prompt after stats")
        # sta TAB inserts "t" (stats, status), a second TAB lists both
        p.send("sta\t\t")
        expect(p, r"stats +status", "the candidates listed")
        p.send(CTRL_U)
        # a bad command: an error, and the shell goes on
        p.send("frob x\r")
        expect(p, "unknown command 'frob'", "bad command")
        expect(p, PROMPT, "prompt after a bad command")
        p.send("stats scope=nosuch\r")
        expect(p, "expected one of", "bad value")
        expect(p, PROMPT, "prompt after a bad value")
        # up three times: stats scope=nosuch, frob x, stats scope=tcp
        p.send(UP + UP + UP + "\r")
        expect(p, [r'\{"tcp": ?\{', "dpfetchctl: "], "recalled stats")
        expect(p, PROMPT, "prompt after the recalled command")
        p.send("help stats\r")
        expect(p, "per_lcore", "help stats")
        expect(p, PROMPT, "prompt after help")
        # the runner's state lasts from one line to the next
        p.send("fetch url=http://%s/index.html requests=20\r" % PEER_IP)
        expect(p, r'"job": ?\d+', "fetch")
        expect(p, PROMPT, "prompt after fetch")
        p.send("wait $job timeout=30\r")
        expect(p, r'"state": ?"done"', "wait $job")
        expect(p, PROMPT, "prompt after wait")
        p.sendeof()
        expect(p, pexpect.EOF, "end of file")
        p.close()
        check(p.exitstatus == 0, "shell exit %s after EOF" % p.exitstatus)
        hist = os.path.join(home, ".dpfetch_history")
        check(os.path.exists(hist), "no ~/.dpfetch_history")
        mode = stat_mod.S_IMODE(os.stat(hist).st_mode)
        check(mode == 0o600, "history mode %o" % mode)
        with open(hist) as f:
            text = f.read()
        for line in ("info", r"stats\040scope=tcp", r"frob\040x",
                     r"help\040stats", r"wait\040$job\040timeout=30"):
            check(line in text.splitlines(),
                  "history lacks %r:\n%s" % (line, text))
        # a second session finds it: up three times (wait, fetch, help)
        p = pexpect.spawn(ctl_binary(ctx), ["-s", d.sock, "shell"],
                          env=env, encoding="utf-8", timeout=20,
                          dimensions=(50, 200))
        expect(p, PROMPT, "second session")
        p.send(UP + UP + UP + "\r")
        expect(p, "per_lcore", "help stats from the history file")
        expect(p, PROMPT, "prompt in the second session")
        p.send("quit\r")
        expect(p, pexpect.EOF, "quit")
        p.close()
        check(p.exitstatus == 0, "shell exit %s after quit" % p.exitstatus)
    finally:
        if p is not None and p.isalive():
            p.terminate(force=True)
        shutil.rmtree(home, ignore_errors=True)
        d.stop()


@test
def shell_plain_on_a_pipe(ctx):
    """Off a terminal the shell reads lines without a prompt, runs them
    all, and exits 1 when one failed; no command and no terminal is still
    a usage error."""
    d = Daemon(ctx)
    try:
        ctl = ctl_binary(ctx)
        r = subprocess.run([ctl, "-s", d.sock, "--json", "shell"],
                           input=b"info\nfrob\nstats scope=tcp\n",
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
        out, err = r.stdout.decode(), r.stderr.decode()
        check(r.returncode == 1, "exit %d: %s" % (r.returncode, err))
        check(PROMPT not in out, "a prompt off a terminal:\n" + out)
        check('"tcp"' in out and "version" in out,
              "both good commands ran:\n" + out)
        check("unknown command 'frob'" in err, "stderr: " + err)
        r = subprocess.run([ctl, "-s", d.sock, "shell"], input=b"info\n",
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
        check(r.returncode == 0, "exit %d: %s" % (r.returncode, r.stderr))
        r = subprocess.run([ctl, "-s", d.sock], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
        check(r.returncode == 2 and b"usage:" in r.stderr,
              "no command off a terminal: exit %d" % r.returncode)
    finally:
        d.stop()


@test
def shell_script_check(ctx):
    """-f SCRIPT --check: every bad line as FILE:LINE: error, exit 2; a
    good script (each of conf/) exits 0; nothing needs dpfetch."""
    ctl = ctl_binary(ctx)
    tmp = tempfile.mkdtemp(prefix="dpf-check-")
    try:
        bad = os.path.join(tmp, "bad.script")
        with open(bad, "w") as f:
            f.write("# a test\ninfo\nstats scope=nosuch\n"
                    "fetch url=http://%s/ conections=3\nwait $job\n"
                    "sleep soon\nfrob\n" % PEER_IP)
        r = subprocess.run([ctl, "-s", "/nonexistent.sock", "-f", bad,
                            "--check"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=30)
        err = r.stderr.decode()
        check(r.returncode == 2, "exit %d: %s" % (r.returncode, err))
        for no in (3, 4, 6, 7):
            check("%s:%d: " % (bad, no) in err, "line %d not reported:\n%s"
                  % (no, err))
        for no in (1, 2, 5):
            check("%s:%d: " % (bad, no) not in err,
                  "line %d reported:\n%s" % (no, err))
        check("4 bad lines" in err, err)
        conf = os.path.join(os.path.dirname(os.path.dirname(
            os.path.dirname(os.path.abspath(__file__)))), "conf")
        for name in sorted(os.listdir(conf)):
            if not name.endswith(".script"):
                continue
            path = os.path.join(conf, name)
            r = subprocess.run([ctl, "-f", path, "--check"],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=30)
            check(r.returncode == 0 and r.stdout.decode().strip() ==
                  path + ": ok", "%s: exit %d %s" % (
                      name, r.returncode, r.stderr.decode()))
        r = subprocess.run([ctl, "--check"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=30)
        check(r.returncode == 2, "--check without -f: exit %d" %
              r.returncode)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
