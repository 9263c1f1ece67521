"""ARP and ICMP seen from the peer: ping, its neighbour entry, the ARP
announcement.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import re
import subprocess
import time

from harness import (IFACE, NS, OUR_IP, check, check_mbufs_back,
                     no_sanitizer_report, ns, stat, stats_of, test)


@test
def peer_ping_neighbour_and_gratuitous_arp(ctx):
    cap = ctx.out("garp.pcap")
    # sender IP == target IP: an ARP announcement.
    tcpdump = subprocess.Popen(
        ["ip", "netns", "exec", NS, "tcpdump", "-i", "dpf0p", "-n", "-c", "1",
         "-w", cap, "arp and arp[6:2] = 1 and arp[14:4] = arp[24:4]"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    ns("ip", "neigh", "flush", "dev", "dpf0p")
    # Keep dpfetch busy resolving an absent host for ~4 s while we ping.
    cmd = [ctx.binary] + ctx.eal() + [
        "--", "--ip", OUR_IP, "--fetch", "http://198.18.0.77/",
        "--arp", "retries=16,retry_ms=250", "--stats"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        time.sleep(1.0)
        ping = ns("ping", "-c", "3", "-i", "0.2", "-W", "1", "198.18.0.2",
                  timeout=20)
        neigh = ns("ip", "neigh", "show", "198.18.0.2", "dev", "dpf0p")
    finally:
        out, err = proc.communicate(timeout=60)
        try:
            tcpdump.wait(timeout=5)
        except subprocess.TimeoutExpired:
            tcpdump.kill()
            tcpdump.wait()
    check(ping.returncode == 0 and b" 0% packet loss" in ping.stdout,
          "ping failed:\n" + ping.stdout.decode())
    with open("/sys/class/net/%s/address" % IFACE) as f:
        mac = f.read().strip()
    check(mac in neigh.stdout.decode(),
          "peer neighbour entry %r lacks %s" % (neigh.stdout, mac))
    text = err.decode(errors="replace")
    no_sanitizer_report(text)
    # It ends by itself: the absent host's ARP fails after 16 tries.
    check(proc.returncode == 1 and re.search(
        r"ARP: no reply from 198\.18\.0\.77 after 16 requests", text),
        "dpfetch exit %d, wanted 1 with the ARP error:\n%s" % (
            proc.returncode, text[-2000:]))
    st = stats_of(text)
    check_mbufs_back(st, "dpfetch")
    check(stat(st, "icmp.tx_echo_replies") >= 3, "echo replies %s" %
          st["icmp"])
    check(stat(st, "arp.tx_replies") >= 1, "no ARP reply sent")
    check(stat(st, "arp.tx_gratuitous") == 1, "gratuitous ARP count")
    r = subprocess.run(["tcpdump", "-n", "-r", cap], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    check(b"198.18.0.2" in r.stdout,
          "no ARP announcement captured: %r" % r.stdout)
