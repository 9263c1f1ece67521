"""Segmentation offloads between two dpfetch over vhost-user, and the
kernel's curl through net_tap.

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import os
import subprocess
import time

from harness import (check, check_mbufs_back, check_virtio_mbufs_back,
                     end_process, no_sanitizer_report, pattern_bytes, stat,
                     stats_of, test)


def vhost_pair(ctx, vhost_args, virtio_args, vhost_waits=True):
    """Two dpfetch joined by vhost-user: one on net_vhost (tso=1, the
    socket's server; lcore 0, 198.18.6.2) and one on net_virtio_user
    (lcore 1, 198.18.6.1).  virtio offers TSO and LRO, and vhost carries
    a TSO segment across whole, handing it on as one LRO segment; so a
    sender on virtio exercises TSO and a receiver on vhost LRO, and the
    other way round a TSO frame from virtio reaches vhost merged.  The
    vhost process runs vhost_args (it must end by itself when
    vhost_waits, else it is stopped); the virtio one runs virtio_args
    until the vhost one ends.  Returns (vhost run, virtio run) as
    (returncode, stderr text)."""
    sock = "/run/dpf-it-vhost-%d.sock" % os.getpid()
    subprocess.run(["rm", "-f", sock])

    def eal(lcore, vdev):
        return [ctx.binary, "-l", lcore, "--no-huge", "-m", "1024",
                "--no-pci", "--file-prefix", ctx.prefix(),
                "--log-level", "warning", "--vdev=" + vdev, "--"]

    vh = subprocess.Popen(
        eal("0", "net_vhost0,iface=%s,tso=1" % sock) +
        ["--ip", "198.18.6.2/24", "--stats", "--arp", "retries=10"] +
        list(vhost_args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    vu = None
    try:
        deadline = time.time() + 10
        while not os.path.exists(sock) and time.time() < deadline:
            check(vh.poll() is None, "vhost dpfetch exited early")
            time.sleep(0.1)
        vu = subprocess.Popen(
            eal("1", "net_virtio_user0,path=%s,queue_size=1024" % sock) +
            ["--ip", "198.18.6.1/24", "--stats", "--arp", "retries=10"] +
            list(virtio_args), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        if vhost_waits:
            try:
                vh.wait(timeout=120)
            except subprocess.TimeoutExpired:
                pass
        else:
            try:
                vu.wait(timeout=120)
            except subprocess.TimeoutExpired:
                pass
    finally:
        first, second = (vh, vu) if vhost_waits else (vu, vh)
        err1 = end_process(first, 30) if first is not None else ""
        err2 = end_process(second, 30) if second is not None else ""
        subprocess.run(["rm", "-f", sock])
        ctx.clean_runtime_dirs()
    vh_err, vu_err = (err1, err2) if vhost_waits else (err2, err1)
    no_sanitizer_report(vh_err)
    no_sanitizer_report(vu_err)
    return ((vh.returncode, vh_err),
            (vu.returncode if vu is not None else None, vu_err))


def tso_lro_download_upload(ctx, family, vh_args, vu_args, vu_host,
                            vh_host, n, up_n, seed):
    """A download of /bytes/n from a server on virtio (TSO) to a client
    on vhost (LRO) that drops and reorders what arrives, so that merged
    segments are lost and retransmitted, byte for byte; then an upload
    of up_n random bytes the other way.  vu_host, vh_host: the two
    sides' addresses as a URL's host."""
    out = ctx.out("tso.out")
    (vrc, verr), (src, serr) = vhost_pair(
        ctx, vh_args + ["--fetch", "http://%s/bytes/%d" % (vu_host, n),
                        "-o", out, "--timeout", "60", "--impair",
                        "seed=%d,rx.drop=0.01,rx.reorder=0.01" % seed],
        vu_args + ["--listen", "80"])
    check(vrc == 0, "download: exit %s:\n%s" % (vrc, verr[-3000:]))
    check(src == 0, "server: exit %s:\n%s" % (src, serr[-3000:]))
    with open(out, "rb") as f:
        check(f.read() == pattern_bytes(n), "downloaded body differs")
    os.unlink(out)
    cst, sst = stats_of(verr), stats_of(serr)
    check(sst["tcp"]["TsoSends"] > 0, "server sent no TSO segment: %s" %
          sst["tcp"])
    check(sst["tcp"]["OutSegs"] > 2 * sst["tcp"]["TsoSends"],
          "OutSegs %d does not count the wire segments of %d TSO sends" %
          (sst["tcp"]["OutSegs"], sst["tcp"]["TsoSends"]))
    check(cst["tcp"]["LroSegsIn"] > 0, "client took no merged segment: %s"
          % cst["tcp"])
    check(cst["impair"]["rx_dropped"] > 0 and sst["tcp"]["RetransSegs"] > 0,
          "nothing lost and retransmitted: %s %s" % (cst["impair"],
                                                     sst["tcp"]))
    check(cst["tcp"]["InCsumErrors"] == 0 and sst["tcp"]["InCsumErrors"] == 0,
          "checksum errors")
    rx = {"ipv4": stat(cst, "ip.rx_delivered"),
          "ipv6": stat(cst, "ipv6.rx_packets")}
    other = "ipv6" if family == "ipv4" else "ipv4"
    check(rx[family] > 10 * rx[other], "not over %s: %s" % (family, rx))
    check_virtio_mbufs_back(sst, "server")
    check_mbufs_back(cst, "client")
    print("    %s download: %d TSO sends for %d segments; %d merged "
          "segments in, %d retransmitted" % (
              family, sst["tcp"]["TsoSends"], sst["tcp"]["OutSegs"],
              cst["tcp"]["LroSegsIn"], sst["tcp"]["RetransSegs"]))

    body = os.urandom(up_n)
    up = ctx.out("upload.bin")
    with open(up, "wb") as f:
        f.write(body)
    (vrc, verr), (crc, cerr) = vhost_pair(
        ctx, vh_args + ["--listen", "80"],
        vu_args + ["--fetch", "http://%s/" % vh_host, "--data", "@" + up,
                   "-o", ctx.out("upload.resp")], vhost_waits=False)
    os.unlink(up)
    check(crc == 0, "upload: exit %s:\n%s" % (crc, cerr[-3000:]))
    check(vrc == 0, "server: exit %s:\n%s" % (vrc, verr[-3000:]))
    cst, sst = stats_of(cerr), stats_of(verr)
    check(cst["tcp"]["TsoSends"] > 0, "client sent no TSO segment")
    check(sst["tcp"]["LroSegsIn"] > 0, "server took no merged segment")
    check(sst["tcp"]["DataBytesIn"] > len(body) and
          sst["httpd"]["status_2xx"] == 1,
          "server read %d bytes, httpd %s" % (sst["tcp"]["DataBytesIn"],
                                              sst["httpd"]))
    check_mbufs_back(sst, "server")
    check_virtio_mbufs_back(cst, "client")


@test
def tso_and_lro_between_two_dpfetch_over_vhost(ctx):
    """Where the port segments and coalesces (virtio over vhost-user
    offers TSO and LRO), TCP hands it segments of many MSS and takes
    merged ones: a download from a server on virtio (TSO) to a client on
    vhost (LRO), with the client dropping and reordering what arrives so
    that merged segments are lost and retransmitted, byte for byte; an
    upload the other way; and with --tcp tso=0 no large segment at all."""
    tso_lro_download_upload(ctx, "ipv4", [], [], "198.18.6.1",
                            "198.18.6.2", 20 * 1024 * 1024 + 12345,
                            8 * 1024 * 1024 + 7, 5)

    (vrc, verr), (src, serr) = vhost_pair(
        ctx, ["--fetch", "http://198.18.6.1/bytes/1000000", "-o",
              ctx.out("notso.out")], ["--listen", "80", "--tcp", "tso=0"])
    check(vrc == 0, "tso=0 download: exit %s:\n%s" % (vrc, verr[-3000:]))
    check(src == 0, "tso=0 server: exit %s:\n%s" % (src, serr[-3000:]))
    cst, sst = stats_of(verr), stats_of(serr)
    check(stat(sst, "tcp.TsoSends") == 0 and stat(sst, "tcp.OutSegs") >= 690,
          "tso=0 still sent large segments: %s" % sst["tcp"])
    check_virtio_mbufs_back(sst, "tso=0 server")
    check_mbufs_back(cst, "tso=0 client")


@test
def tso_and_lro_over_ipv6_between_two_dpfetch(ctx):
    """The same offloads for IPv6 connections: TSO segments with the
    IPv6 pseudo-header left without the length, merged segments taken,
    under loss, byte for byte, both ways."""
    tso_lro_download_upload(ctx, "ipv6", ["--ip6", "2001:2:6::2/64"],
                            ["--ip6", "2001:2:6::1/64"], "[2001:2:6::1]",
                            "[2001:2:6::2]", 12 * 1024 * 1024 + 4321,
                            4 * 1024 * 1024 + 3, 7)


@test
def tap_serves_kernel_curl_any_size(ctx):
    """dpfetch's server on net_tap, the kernel's TCP (curl) downloading
    from it through the tap.  net_tap offers TCP checksum offload but
    computes it wrongly across chain pieces of odd length (a response
    head of odd size, then the body), so on it dpfetch sends whole
    frames; before, sizes whose head came out odd stalled in
    retransmissions the kernel dropped as bad checksums.  The tap lives
    in the root namespace with 198.18.5.1/24 on the kernel's end, and
    goes away with dpfetch."""
    tap = "dpft%d" % (os.getpid() % 10000)
    cmd = [ctx.binary, "-l", "0", "--no-huge", "-m", "512", "--no-pci",
           "--file-prefix", ctx.prefix(), "--log-level", "error",
           "--vdev=net_tap0,iface=" + tap, "--", "--ip", "198.18.5.2/24",
           "--listen", "80", "--stats"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    sizes = (1000000, 5 * 1024 * 1024 + 999, 10000000)
    out = ctx.out("tap.out")
    try:
        deadline = time.time() + 15
        while subprocess.run(["ip", "link", "show", tap],
                             capture_output=True).returncode != 0:
            check(proc.poll() is None and time.time() < deadline,
                  "no tap interface %s" % tap)
            time.sleep(0.1)
        subprocess.run(["ip", "addr", "add", "198.18.5.1/24", "dev", tap],
                       check=True)
        subprocess.run(["ip", "link", "set", tap, "up"], check=True)
        for n in sizes:
            r = subprocess.run(["curl", "-s", "-m", "20", "--retry", "3",
                                "--retry-connrefused", "-o", out,
                                "http://198.18.5.2/bytes/%d" % n],
                               capture_output=True)
            check(r.returncode == 0, "curl /bytes/%d over the tap: exit %d"
                  % (n, r.returncode))
            with open(out, "rb") as f:
                check(f.read() == pattern_bytes(n),
                      "/bytes/%d over the tap differs" % n)
    finally:
        err = end_process(proc, 30)
    no_sanitizer_report(err)
    check(proc.returncode == 0, "dpfetch exit %d:\n%s" % (proc.returncode,
                                                          err[-3000:]))
    os.unlink(out)
    st = stats_of(err)
    check(st["tcp"]["RtoTimeouts"] == 0, "retransmission timeouts: %s" %
          st["tcp"])
    check_mbufs_back(st, "tap server")
