"""dpfetch's own fault injection: drops and corruption both ways.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

from harness import PEER_IP, check, fetch_and_compare, stat, test


@test
def impair_drop_and_corrupt_both_ways(ctx):
    """dpfetch's own fault injection: drops and single-bit corruption on
    receive and transmit; checksums catch every corrupted frame and TCP
    recovers, byte for byte."""
    _, st = fetch_and_compare(
        ctx, "http://%s/10M.bin" % PEER_IP, "10M.bin",
        extra=["--timeout", "120", "--impair",
               "seed=11,rx.drop=0.02,tx.drop=0.02,rx.corrupt=0.02,"
               "tx.corrupt=0.02"])
    for k in ("rx_dropped", "tx_dropped", "rx_corrupted", "tx_corrupted"):
        check(stat(st, "impair." + k) > 0, "%s did not act: %s" %
              (k, st["impair"]))
    # Corruption flips one bit past the Ethernet header (lib/core/impair.c).
    # In an IPv4 frame the IPv4 header checks catch any flip in its
    # header (version, length, checksum), the TCP or ICMP checksum one in
    # the rest (a data offset made too long first fails the header
    # check): each corrupted IPv4 frame raises exactly one of these
    # counters, and ordinary traffic on the testbed raises none.
    caught = sum(stat(st, k) for k in (
        "ip.rx_bad_version", "ip.rx_bad_hlen", "ip.rx_bad_len",
        "ip.rx_bad_csum", "tcp.BadHeader", "tcp.InCsumErrors",
        "icmp.rx_bad_csum"))
    corrupted = stat(st, "impair.rx_corrupted")
    # The corrupted frames that were not IPv4 (ARP, which has no
    # checksum, IPv6 from the peer's kernel) can be known only up to the
    # number of non-IPv4 frames received.
    other = stat(st, "eth.rx_packets") - stat(st, "ip.rx_packets")
    print("    rx corrupted %d, caught %d, non-IPv4 frames %d" % (
        corrupted, caught, other))
    check(corrupted - other <= caught <= corrupted,
          "corrupted frames: %d, caught %d (%d frames were not IPv4): %s" %
          (corrupted, caught, other, "some slipped through"
           if caught < corrupted - other else "more caught than corrupted"))
