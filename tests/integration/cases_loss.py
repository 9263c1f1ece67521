"""Loss, reordering and duplication: 100 MiB fetches under nftables loss.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import os

from harness import (PEER_IP, check, fetch_and_compare, nft_clear, nft_loss,
                     test)


@test
def loss_3pct_reorder_dup_100M_x20(ctx):
    runs = int(os.environ.get("DPF_LOSS_RUNS", "20"))
    nft_loss(3)
    totals = {"RetransSegs": 0, "OfoQueued": 0, "DupSegs": 0,
              "rx_reordered": 0, "rx_duplicated": 0, "tx_duplicated": 0}
    try:
        for i in range(runs):
            _, st = fetch_and_compare(
                ctx, "http://%s/100M.bin" % PEER_IP, "100M.bin",
                extra=["--timeout", "120", "--tcp", "time_wait_ms=100",
                       "--impair",
                       "seed=%d,rx.reorder=0.01,rx.reorder_delay_us=300,"
                       "rx.dup=0.01,tx.reorder=0.01,tx.reorder_delay_us=300,"
                       "tx.dup=0.01" % (i + 1)])
            for k in totals:
                sec = "impair" if k.startswith(("rx_", "tx_")) else "tcp"
                totals[k] += st[sec][k]
    finally:
        nft_clear()
    # The faults really happened, and the stack saw them.
    check(totals["OfoQueued"] > 0, "no out-of-order data seen: %s" % totals)
    check(totals["rx_reordered"] > 0 and totals["rx_duplicated"] > 0,
          "impairment did not act: %s" % totals)
    print("    %d runs, totals %s" % (runs, totals))
