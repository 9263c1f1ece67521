#!/usr/bin/env python3
"""Render a man page: scdoc source with each "@HELP ARGS@" line replaced
by what the program prints for ARGS (its --help: the page cannot drift
from it), @VERSION@ and @DATADIR@ filled in, then run through scdoc.

    gen_man.py SCDOC SRC.scd OUT.1 VERSION DATADIR PROGRAM
"""

import re
import subprocess
import sys


def main():
    scdoc, src, out, version, datadir, program = sys.argv[1:7]
    with open(src) as f:
        text = f.read()

    def help_block(m):
        r = subprocess.run([program] + m.group(1).split(),
                           stdout=subprocess.PIPE, check=True, timeout=60)
        body = r.stdout.decode().rstrip("\n").expandtabs()
        return "```\n" + body + "\n```"

    text = re.sub(r"^@HELP ([^@]*)@$", help_block, text, flags=re.M)
    text = text.replace("@VERSION@", version).replace("@DATADIR@", datadir)
    r = subprocess.run([scdoc], input=text.encode(), stdout=subprocess.PIPE,
                       check=True, timeout=60)
    with open(out, "wb") as f:
        f.write(r.stdout)


if __name__ == "__main__":
    main()
