"""dpfetch's own fault injection: drops and corruption both ways.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

from harness import (PEER_IP, check, fetch_and_compare, test)


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
    imp = st["impair"]
    for k in ("rx_dropped", "tx_dropped", "rx_corrupted", "tx_corrupted"):
        check(imp[k] > 0, "%s did not act: %s" % (k, imp))
    # Every corrupted frame we received was caught by a checksum (IP or
    # TCP) or a header check, never delivered.
    caught = (st["ip"]["rx_bad_csum"] + st["tcp"]["InCsumErrors"] +
              st["ip"]["rx_bad_version"] + st["ip"]["rx_bad_hlen"] +
              st["ip"]["rx_bad_len"] + st["ip"]["rx_not_for_us"] +
              st["ip"]["rx_fragments"] + st["ip"]["rx_unknown_proto"] +
              st["tcp"]["BadHeader"] + st["tcp"]["NoConnection"])
    # ARP has no checksum: a corrupted ARP frame may pass unnoticed.
    arp_frames = st["arp"]["rx_requests"] + st["arp"]["rx_replies"]
    print("    rx corrupted %d, caught %d" % (imp["rx_corrupted"], caught))
    check(caught > 0 and caught >= imp["rx_corrupted"] - arp_frames,
          "corrupted frames slipped through: %d corrupted, %d caught" %
          (imp["rx_corrupted"], caught))
