"""`meson install` into a DESTDIR: the tree a Debian-style install lays
out (binaries, man pages, bash completion, share/dpfetch/conf, the
systemd unit), the installed programs run, the completion sourced in bash.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import filecmp
import os
import re
import shutil
import subprocess
import tempfile

from harness import ROOT, check, test


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=120, **kw)


def find_prefix(dest):
    """The install prefix under dest: where bin/dpfetch landed."""
    for top, dirs, files in os.walk(dest):
        if os.path.basename(top) == "bin" and "dpfetch" in files:
            return os.path.dirname(top)
    return None


def bash_complete(completion, *words):
    """COMPREPLY for the words (the last one being completed)."""
    script = ('source "$1"; shift; COMP_WORDS=("$@"); '
              'COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _dpfetchctl; '
              'printf "%s\\n" "${COMPREPLY[@]}"')
    r = run(["bash", "--norc", "--noprofile", "-c", script, "bash",
             completion] + list(words))
    check(r.returncode == 0, "bash: %s" % r.stderr.decode())
    return sorted(w for w in r.stdout.decode().split("\n") if w)


@test
def install_tree_and_installed_programs(ctx):
    build = os.path.dirname(os.path.dirname(ctx.binary))
    dest = tempfile.mkdtemp(prefix="dpf-install-")
    try:
        r = run(["meson", "install", "-C", build, "--no-rebuild",
                 "--destdir", dest])
        check(r.returncode == 0, "meson install: %s%s" % (
            r.stdout.decode()[-2000:], r.stderr.decode()[-2000:]))
        prefix = find_prefix(dest)
        check(prefix is not None, "no bin/dpfetch under %s" % dest)
        installed_prefix = prefix[len(dest):]
        share = os.path.join(prefix, "share")
        for b in ("dpfetch", "dpfetchctl"):
            path = os.path.join(prefix, "bin", b)
            check(os.access(path, os.X_OK), "%s not executable" % path)

        # The installed programs run, and say one version.
        ctl = os.path.join(prefix, "bin", "dpfetchctl")
        dpf = os.path.join(prefix, "bin", "dpfetch")
        r = run([ctl, "--version"])
        m = re.match(r"dpfetchctl (\S+)", r.stdout.decode())
        check(r.returncode == 0 and m, "dpfetchctl --version: %r" %
              r.stdout)
        version = m.group(1)
        r = run([dpf, "--help"])
        check(r.returncode == 0 and b"--ip" in r.stdout,
              "dpfetch --help: %d %r" % (r.returncode, r.stderr[-500:]))
        if b"--version" in r.stdout:
            r = run([dpf, "--version"])
            check(r.returncode == 0 and version in r.stdout.decode(),
                  "dpfetch --version: %d %r %r" % (r.returncode, r.stdout,
                                                   r.stderr[-500:]))
        r = run([ctl, "-f", os.path.join(share, "dpfetch", "conf",
                                         "keepalive-rps.script"),
                 "--check"])
        check(r.returncode == 0, "installed script --check: %s" %
              r.stderr.decode())

        # Man pages that man renders without a warning.
        for page, words in (("dpfetch", ("--ip", "--config", "FILES")),
                            ("dpfetchctl", ("shell", "--check",
                                            "dpfetch_history", "fetch"))):
            path = os.path.join(share, "man", "man1", page + ".1")
            check(os.path.exists(path), "no %s" % path)
            r = run(["man", "--warnings", "-E", "UTF-8", "-l", path],
                    env=dict(os.environ, MANWIDTH="80", MAN_KEEP_FORMATTING=""))
            text = r.stdout.decode()
            check(r.returncode == 0 and r.stderr == b"",
                  "man %s: %d %s" % (page, r.returncode, r.stderr.decode()))
            check("NAME" in text and "SYNOPSIS" in text and version in text,
                  "man %s:\n%s" % (page, text[:1500]))
            for w in words:
                check(w in text, "man %s lacks %s" % (page, w))

        # conf/ under share/dpfetch, as in the tree.
        conf = os.path.join(ROOT, "conf")
        for name in os.listdir(conf):
            got = os.path.join(share, "dpfetch", "conf", name)
            check(os.path.exists(got) and
                  filecmp.cmp(got, os.path.join(conf, name), shallow=False),
                  "share/dpfetch/conf/%s missing or different" % name)

        # The bash completion, sourced.
        comp = os.path.join(share, "bash-completion", "completions",
                            "dpfetchctl")
        check(os.path.exists(comp), "no %s" % comp)
        r = run(["bash", "--norc", "--noprofile", "-c",
                 'source "$1" && complete -p dpfetchctl', "bash", comp])
        check(r.returncode == 0 and
              b"complete -F _dpfetchctl dpfetchctl" in r.stdout,
              "complete -p: %r %r" % (r.stdout, r.stderr))
        for words, want in (
                (("dpfetchctl", "sta"), ["stats", "status"]),
                (("dpfetchctl", "--prefix", "x", "sto"), ["stop"]),
                (("dpfetchctl", "stats", "sc"), ["scope="]),
                # bash splits at '=': what it replaces is the value
                (("dpfetchctl", "stats", "scope", "=", "po"), ["port"]),
                (("dpfetchctl", "stats", "tcp", ""), ["per_lcore="]),
                (("dpfetchctl", "listen", "kind", "=", ""),
                 ["echo", "http"]),
                (("dpfetchctl", "help", "capture-s"),
                 ["capture-status", "capture-stop"]),
                (("dpfetchctl", "--js"), ["--json"])):
            got = bash_complete(comp, *words)
            check(got == want, "completing %s: %s, want %s" % (
                " ".join(words), got, want))

        # The systemd unit.
        unit = None
        for top, dirs, files in os.walk(dest):
            if "dpfetch@.service" in files:
                unit = os.path.join(top, "dpfetch@.service")
        check(unit is not None and "/systemd/system/" in unit,
              "no systemd/system/dpfetch@.service: %s" % unit)
        with open(unit) as f:
            text = f.read()
        check("RuntimeDirectory=dpfetch" in text and
              "--config /etc/dpfetch/%i.json" in text and
              "ExecStart=%s/bin/dpfetch " % installed_prefix in text,
              "unit:\n" + text)
        if shutil.which("systemd-analyze"):
            # an instance, its binary where it was put; the man pages of
            # Documentation= found in the DESTDIR
            inst = os.path.join(dest, "dpfetch@lab.service")
            with open(inst, "w") as f:
                f.write(text.replace(installed_prefix + "/bin/",
                                     prefix + "/bin/"))
            r = run(["systemd-analyze", "verify", inst],
                    env=dict(os.environ,
                             MANPATH=os.path.join(share, "man")))
            check(r.returncode == 0 and r.stderr.strip() == b"",
                  "systemd-analyze verify: %d %s" % (
                      r.returncode, r.stderr.decode()))
    finally:
        shutil.rmtree(dest, ignore_errors=True)
