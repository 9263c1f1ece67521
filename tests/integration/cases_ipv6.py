"""IPv6 below TCP (issue 17): Neighbor Discovery, ICMPv6 echo, duplicate
address detection, the IPv6 neighbour table, hostile ND.

The testbed gives the namespace side 2001:2::1/64 (scripts/testbed.sh);
dpfetch takes 2001:2::2/64.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

from harness import (IFACE, Daemon, check, ns, stat, test)

OUR_IP6 = "2001:2::2"
PEER_IP6 = "2001:2::1"
IP6_ARGS = ["--ip6", OUR_IP6 + "/64"]


def our_mac():
    with open("/sys/class/net/%s/address" % IFACE) as f:
        return f.read().strip()


@test
def ipv6_ping_and_peer_neighbour(ctx):
    ns("ip", "-6", "neigh", "flush", "dev", "dpf0p")
    d = Daemon(ctx, extra=IP6_ARGS)
    try:
        ping = ns("ping", "-6", "-c", "3", "-i", "0.2", "-W", "1", OUR_IP6,
                  timeout=20)
        neigh = ns("ip", "-6", "neigh", "show", OUR_IP6, "dev", "dpf0p")
    finally:
        st = d.stop()
    check(ping.returncode == 0 and b" 0% packet loss" in ping.stdout,
          "ping -6 failed:\n" + ping.stdout.decode())
    check(our_mac() in neigh.stdout.decode(),
          "peer neighbour entry %r lacks %s" % (neigh.stdout, our_mac()))
    check(stat(st, "icmp6.tx_echo_replies") >= 3, "echo replies %s" %
          st["icmp6"])
    check(stat(st, "nd.rx_ns") >= 1 and stat(st, "nd.tx_na") >= 1,
          "nd %s" % st["nd"])
