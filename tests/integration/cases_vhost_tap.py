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


@test
def tso_and_lro_between_two_dpfetch_over_vhost(ctx):
    """Where the port segments and coalesces (virtio over vhost-user
    offers TSO and LRO), TCP hands it segments of many MSS and takes
    merged ones: a download from a server on virtio (TSO) to a client on
    vhost (LRO), with the client dropping and reordering what arrives so
    that merged segments are lost and retransmitted, byte for byte; an
    upload the other way; and with --tcp tso=0 no large segment at all."""
    n = 20 * 1024 * 1024 + 12345
    out = ctx.out("tso.out")
    (vrc, verr), (src, serr) = vhost_pair(
        ctx, ["--fetch", "http://198.18.6.1/bytes/%d" % n, "-o", out,
              "--timeout", "60", "--impair",
              "seed=5,rx.drop=0.01,rx.reorder=0.01"],
        ["--listen", "80"])
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
    check_virtio_mbufs_back(sst, "server")
    check_mbufs_back(cst, "client")
    print("    download: %d TSO sends for %d segments; %d merged segments "
          "in, %d retransmitted" % (
              sst["tcp"]["TsoSends"], sst["tcp"]["OutSegs"],
              cst["tcp"]["LroSegsIn"], sst["tcp"]["RetransSegs"]))

    body = os.urandom(8 * 1024 * 1024 + 7)
    up = ctx.out("upload.bin")
    with open(up, "wb") as f:
        f.write(body)
    (vrc, verr), (crc, cerr) = vhost_pair(
        ctx, ["--listen", "80"],
        ["--fetch", "http://198.18.6.2/", "--data", "@" + up, "-o",
         ctx.out("upload.resp")], vhost_waits=False)
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
    """The same offloads for IPv6 connections: a download from a server
    on virtio (TSO segments, the IPv6 pseudo-header without the length)
    to a client on vhost (merged segments) with drops and reordering,
    byte for byte; and an upload the other way."""
    v6 = {"vhost": ["--ip6", "2001:2:6::2/64"],
          "virtio": ["--ip6", "2001:2:6::1/64"]}
    n = 12 * 1024 * 1024 + 4321
    out = ctx.out("tso6.out")
    (vrc, verr), (src, serr) = vhost_pair(
        ctx, v6["vhost"] +
        ["--fetch", "http://[2001:2:6::1]/bytes/%d" % n, "-o", out,
         "--timeout", "60", "--impair",
         "seed=7,rx.drop=0.01,rx.reorder=0.01"],
        v6["virtio"] + ["--listen", "80"])
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
    check(stat(cst, "ipv6.rx_packets") > 0 and stat(cst, "ip.rx_packets") <
          stat(cst, "ipv6.rx_packets"), "not over IPv6: %s" % cst["ipv6"])
    check_virtio_mbufs_back(sst, "server")
    check_mbufs_back(cst, "client")
    print("    download over IPv6: %d TSO sends for %d segments; %d merged "
          "in, %d retransmitted" % (
              sst["tcp"]["TsoSends"], sst["tcp"]["OutSegs"],
              cst["tcp"]["LroSegsIn"], sst["tcp"]["RetransSegs"]))

    body = os.urandom(4 * 1024 * 1024 + 3)
    up = ctx.out("upload6.bin")
    with open(up, "wb") as f:
        f.write(body)
    (vrc, verr), (crc, cerr) = vhost_pair(
        ctx, v6["vhost"] + ["--listen", "80"],
        v6["virtio"] + ["--fetch", "http://[2001:2:6::2]/", "--data",
                        "@" + up, "-o", ctx.out("upload6.resp")],
        vhost_waits=False)
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
