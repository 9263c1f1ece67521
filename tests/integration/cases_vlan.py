"""--vlan: 802.1Q tags on everything sent, only our tag accepted.

The kernel here has no 802.1Q, so: two dpfetch over memif, tagged, with
the tags read back by tshark from a capture (memif has no VLAN offload:
this is the software insert and strip); and a peer in the namespace that
speaks tagged frames on a raw socket (vlan_peer.py) to dpfetch on
af_packet (whose insert/strip offloads it uses).

Imported by run.py, which collects every cases_*.py module;
the harness is harness.py.
"""

import json
import os
import subprocess
import time

from harness import (NS, OUR_IP, Daemon, MemifServer, check, check_mbufs_back,
                     check_no_errors, expect_fail, expect_ok, job_result,
                     memif_client_eal, no_sanitizer_report, stat, stats_of,
                     test)

HERE = os.path.dirname(os.path.abspath(__file__))


def tshark_vlan(path):
    """(vlan.id, frame.protocols) of every frame in a capture."""
    p = subprocess.run(["tshark", "-n", "-r", path, "-T", "fields",
                        "-E", "separator=|", "-e", "vlan.id",
                        "-e", "frame.protocols"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(p.returncode == 0, "tshark cannot read %s: %s" %
          (path, p.stderr.decode(errors="replace")[-2000:]))
    return [tuple(line.split("|")) for line in p.stdout.decode().splitlines()]


def memif_pair(ctx, tag, srv_vlan, cli_args):
    """A dpfetch server (--vlan srv_vlan, capturing) and one client run;
    returns the client's run, the server's stats and the capture path."""
    sock = "/run/dpf-it-vlan%s-%d.sock" % (tag, os.getpid())
    cap = ctx.out("vlan-%s.pcapng" % tag)
    extra = ["--capture", cap, "--capture-count", "3000"]
    if srv_vlan:
        extra += ["--vlan", str(srv_vlan)]
    srv = MemifServer(ctx, sock, extra=extra)
    try:
        time.sleep(1.0)
        check(srv.proc.poll() is None, "memif server exited early")
        p = ctx.dpfetch(["--ip", "198.18.2.2/24"] + list(cli_args) +
                        ["--stats"], eal=memif_client_eal(ctx, sock),
                        timeout=60)
    finally:
        code = srv.stop()
        subprocess.run(["rm", "-f", sock])
    no_sanitizer_report(srv.stderr_text)
    check(code == 0, "server exit %d: %s" % (code, srv.stderr_text[-2000:]))
    sst = stats_of(srv.stderr_text)
    check_mbufs_back(sst, "server")
    return p, sst, cap


@test
def vlan_memif_job_tagged(ctx):
    """Two dpfetch, both --vlan 100: a job runs without an error, and
    every frame of the server's capture (both ways, ARP and TCP) carries
    VLAN 100."""
    out = ctx.out("job.json")
    p, sst, cap = memif_pair(ctx, "ok", 100, [
        "--vlan", "100", "--fetch", "http://198.18.2.1/bytes/1000",
        "--connections", "4", "--duration", "2", "-o", out])
    expect_ok(p, "tagged job")
    r = job_result(ctx, p, out)
    check_no_errors(r, "tagged job")
    check(r["responses"]["2xx"] > 0, "no responses: %s" % r["responses"])
    st = p.stats
    for side, s in (("client", st), ("server", sst)):
        for c in ("rx_untagged", "rx_vlan_mismatch", "tx_vlan_no_room"):
            check(stat(s, "eth." + c) == 0, "%s eth.%s = %d" %
                  (side, c, stat(s, "eth." + c)))
    rows = tshark_vlan(cap)
    os.unlink(cap)
    check(len(rows) > 100, "only %d frames captured" % len(rows))
    bad = [row for row in rows if row[0] != "100"]
    check(not bad, "%d of %d frames not on VLAN 100, first %s" %
          (len(bad), len(rows), bad[:3]))
    arp = sum(1 for row in rows if ":arp" in row[1])
    tcp = sum(1 for row in rows if ":tcp" in row[1])
    check(arp >= 2 and tcp > 100, "arp %d tcp %d frames" % (arp, tcp))
    print("    %d frames, all VLAN 100 (%d ARP, %d TCP); %d responses" %
          (len(rows), arp, tcp, r["responses"]["2xx"]))


@test
def vlan_memif_mismatch_drops(ctx):
    """--vlan 200 (then untagged) against a server on --vlan 100: nothing
    connects, and the server counts what it dropped."""
    for tag, cli, counter in (("200", ["--vlan", "200"], "rx_vlan_mismatch"),
                              ("none", [], "rx_untagged")):
        p, sst, cap = memif_pair(ctx, "mis" + tag, 100, cli + [
            "--fetch", "http://198.18.2.1/bytes/10", "--timeout", "3"])
        check(p.returncode == 1, "client %s: exit %d, wanted 1:\n%s" %
              (tag, p.returncode, p.stderr_text[-2000:]))
        st = p.stats
        check(stat(sst, "tcp.PassiveOpens") == 0 and
              stat(sst, "arp.rx_requests") == 0,
              "server on 100 took something from %s: %s %s" %
              (tag, sst["arp"], sst["tcp"]["PassiveOpens"]))
        dropped = stat(sst, "eth." + counter)
        check(dropped >= 2, "server eth.%s = %d" % (counter, dropped))
        check(stat(st, "arp.rx_replies") == 0 and
              stat(st, "arp.tx_requests") >= 2,
              "client %s: arp %s" % (tag, st["arp"]))
        rows = tshark_vlan(cap)
        os.unlink(cap)
        # The client's frames carry its tag (or none); the server's
        # own are its gratuitous ARPs, on VLAN 100, and no answer.
        want = "200" if tag == "200" else ""
        ours = [row for row in rows if row[0] == "100"]
        check(rows and all(row[0] in (want, "100") for row in rows) and
              len(ours) == stat(sst, "arp.tx_gratuitous") and
              stat(sst, "arp.tx_replies") == 0,
              "capture of %s: %s; server arp %s" % (tag, rows[:5],
                                                   sst["arp"]))
        print("    client %s: server eth.%s = %d, nothing answered" %
              (tag, counter, dropped))


@test
def vlan_namespace_peer(ctx):
    """dpfetch --vlan 100 on af_packet against a raw-socket peer in the
    namespace: ARP, ICMP echo and the TCP handshake work tagged, every
    frame dpfetch sends carries VLAN 100, and untagged or VLAN 200 frames
    from the peer are dropped and counted."""
    vlan_peer_run(ctx, ["--ip", OUR_IP, "--vlan", "100"])


@test
def vlan_namespace_peer_two_ifaces(ctx):
    """The same peer against dpfetch with two tagged interfaces (--ip
    ...,vlan=300 first, then OUR_IP on --vlan 100): the peer talks to the
    VLAN 100 one, sees only VLAN 100 frames (nothing of VLAN 300's), and
    its untagged and VLAN 200 frames are dropped and counted."""
    vlan_peer_run(ctx, ["--ip", "198.18.3.2/24,vlan=300", "--ip", OUR_IP,
                        "--vlan", "100"])


def vlan_peer_run(ctx, ip_args):
    peer = subprocess.Popen(
        ["ip", "netns", "exec", NS, "/usr/bin/python3",
         os.path.join(HERE, "vlan_peer.py"), "dpf0p", "100",
         "198.18.0.9", OUR_IP.split("/")[0]],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = peer.stdout.readline().decode()
        check(line.strip() == "ready", "peer: %r %s" %
              (line, peer.stderr.read(2000) if peer.poll() is not None
               else ""))
        p = ctx.dpfetch(ip_args + ["--fetch", "http://198.18.0.9/",
                                   "--timeout", "5"])
        out, err = peer.communicate(timeout=20)
    finally:
        if peer.poll() is None:
            peer.kill()
            peer.wait()
    check(peer.returncode == 0, "peer exit %d: %s" %
          (peer.returncode, err.decode(errors="replace")[-2000:]))
    r = json.loads(out.decode())
    # The peer resets the connection once established: a failed fetch.
    check(p.returncode == 1, "dpfetch exit %d:\n%s" %
          (p.returncode, p.stderr_text[-2000:]))
    check(r["untagged_from_us"] == 0 and r["wrong_tag_from_us"] == 0,
          "dpfetch sent frames without VLAN 100: %s" % r)
    for k in ("arp_request", "syn", "ack", "echo_reply"):
        check(r[k] >= 1, "peer saw no tagged %s: %s" % (k, r))
    check(r["echo_reply_seqs"] == [3],
          "echo replies for seqs %s, wanted only the tagged one [3]" %
          r["echo_reply_seqs"])
    st = p.stats
    check(stat(st, "eth.rx_untagged") >= 2,
          "eth.rx_untagged = %d" % stat(st, "eth.rx_untagged"))
    check(stat(st, "eth.rx_vlan_mismatch") >= 1,
          "eth.rx_vlan_mismatch = %d" % stat(st, "eth.rx_vlan_mismatch"))
    check(stat(st, "icmp.tx_echo_replies") == 1 and
          stat(st, "icmp.rx_echo_requests") == 1,
          "icmp %s" % st["icmp"])
    check(stat(st, "arp.rx_replies") >= 1 and
          stat(st, "arp.rx_requests") == 0, "arp %s" % st["arp"])
    check(stat(st, "tcp.ActiveOpens") == 1 and stat(st, "tcp.InRsts") >= 1,
          "tcp ActiveOpens %d InRsts %d" % (stat(st, "tcp.ActiveOpens"),
                                            stat(st, "tcp.InRsts")))
    print("    peer saw %d tagged frames from dpfetch; dropped untagged %d, "
          "VLAN 200 %d" % (r["tagged_from_us"], stat(st, "eth.rx_untagged"),
                           stat(st, "eth.rx_vlan_mismatch")))


@test
def vlan_port_reports_tag_and_offloads(ctx):
    """dpfetchctl ports shows the --vlan ID and whether the port inserts
    and strips the tag (af_packet offers both); without --vlan, 0 and
    neither."""
    for args, vid in ((["--vlan", "4094"], 4094), ([], 0)):
        d = Daemon(ctx, extra=args)
        try:
            port = d.ctl("ports")["ports"][0]
        finally:
            d.stop()
        off = port["offloads"]
        check(port["vlan"] == vid, "vlan %r, wanted %d" % (port["vlan"], vid))
        want = vid != 0
        check(off["vlan_insert"] == want and off["vlan_strip"] == want,
              "%s: offloads %s" % (port["driver"], off))
        print("    %s --vlan %d: insert %s strip %s" %
              (port["driver"], vid, off["vlan_insert"], off["vlan_strip"]))


@test
def vlan_bad_id_is_usage_error(ctx):
    """--vlan outside 1..4094 is refused before the port starts."""
    for v in ("0", "4095", "x"):
        p = ctx.dpfetch(["--ip", OUR_IP, "--vlan", v, "--fetch",
                         "http://198.18.0.1/"])
        expect_fail(p, 2, r"--vlan: '%s' must be a whole number from 1 to "
                    r"4094" % v, "--vlan " + v)


@test
def vlan_capture_offload_shows_tags(ctx):
    """dpfetch --vlan 100 on af_packet, whose insert and strip offloads
    it uses (the tag is not in the frame's bytes), captures the frames as
    on the wire: every frame it sends on VLAN 100, and each frame the
    peer sent with the tag the peer gave it (ICMP seq 1 untagged, seq 2
    on VLAN 200, seq 3 on VLAN 100)."""
    cap = ctx.out("vlan-offload.pcapng")
    peer = subprocess.Popen(
        ["ip", "netns", "exec", NS, "/usr/bin/python3",
         os.path.join(HERE, "vlan_peer.py"), "dpf0p", "100",
         "198.18.0.9", OUR_IP.split("/")[0]],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = peer.stdout.readline().decode()
        check(line.strip() == "ready", "peer: %r" % line)
        p = ctx.dpfetch(["--ip", OUR_IP, "--vlan", "100", "--fetch",
                         "http://198.18.0.9/", "--timeout", "5",
                         "--capture", cap])
        peer.communicate(timeout=20)
    finally:
        if peer.poll() is None:
            peer.kill()
            peer.wait()
    check(p.returncode == 1, "dpfetch exit %d:\n%s" %
          (p.returncode, p.stderr_text[-2000:]))
    q = subprocess.run(["tshark", "-n", "-r", cap, "-T", "fields",
                        "-E", "separator=|", "-e", "frame.interface_queue",
                        "-e", "frame.packet_flags_direction",
                        "-e", "vlan.id", "-e", "icmp.type",
                        "-e", "icmp.seq", "-e", "frame.protocols"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.unlink(cap)
    check(q.returncode == 0, "tshark: %s" % q.stderr.decode()[-2000:])
    rows = [line.split("|") for line in q.stdout.decode().splitlines()]
    out = [r for r in rows if r[1] in ("2", "0x2", "0x00000002")]
    inn = [r for r in rows if r[1] in ("1", "0x1", "0x00000001")]
    check(out and inn, "directions: %s" % rows[:5])
    bad = [r for r in out if r[2] != "100"]
    check(not bad, "%d of %d sent frames captured without VLAN 100: %s" %
          (len(bad), len(out), bad[:3]))
    echo = {r[4]: r[2] for r in inn if r[3] == "8"}
    check(echo == {"1": "", "2": "200", "3": "100"},
          "echo requests captured with tags %s, sent with "
          "{1: none, 2: 200, 3: 100}" % echo)
    tcp_in = [r for r in inn if ":tcp" in r[5]]
    check(tcp_in and all(r[2] == "100" for r in tcp_in),
          "received TCP frames: %s" % tcp_in[:3])
    print("    %d sent frames all on VLAN 100; received echo tags %s, "
          "%d TCP frames on 100" % (len(out), echo, len(tcp_in)))
