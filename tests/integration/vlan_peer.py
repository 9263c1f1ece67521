"""A tagged peer for dpfetch --vlan (cases_vlan.py).

Run inside the peer namespace:
  ip netns exec dpf-peer /usr/bin/python3 vlan_peer.py IFACE VID PEER_IP DPF_IP

The kernel there has no 802.1Q, so this plays PEER_IP with raw frames on
an AF_PACKET socket.  The kernel takes the tag off what it receives and
reports it in PACKET_AUXDATA; frames are read with it and every frame
from dpfetch's MAC is checked for tag VID.  When dpfetch asks (tagged)
for PEER_IP's MAC, the peer first sends it probes: an untagged ARP
request, ICMP echo requests untagged (seq 1), on VLAN VID+100 (seq 2)
and on VLAN VID (seq 3); then the ARP reply.  It answers dpfetch's SYN
to port 80 with a SYN-ACK and its first ACK with a RST, waits a moment
for stray frames, and prints one JSON line of what it saw.  It writes
"ready" on its own line once its socket is open.
"""

import json
import socket
import struct
import sys
import time

from scapy.layers.inet import ICMP, IP, TCP
from scapy.layers.l2 import ARP, Dot1Q, Ether

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
PACKET_OUTGOING = 4
PEER_MAC = "02:00:00:00:09:09"


def main():
    iface, vid, peer_ip, dpf_ip = (sys.argv[1], int(sys.argv[2]),
                                   sys.argv[3], sys.argv[4])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.settimeout(0.2)
    seen = {"tagged_from_us": 0, "untagged_from_us": 0,
            "wrong_tag_from_us": 0, "arp_request": 0, "syn": 0, "ack": 0,
            "echo_reply": 0, "echo_reply_seqs": [], "rst_sent": 0}
    dpf_mac = None
    deadline = time.time() + 15
    done_at = None
    print("ready", flush=True)

    def send(frame):
        s.send(bytes(frame))

    while time.time() < deadline and (done_at is None or
                                      time.time() < done_at):
        try:
            data, anc, _, addr = s.recvmsg(65535, socket.CMSG_SPACE(20))
        except socket.timeout:
            continue
        if addr[2] == PACKET_OUTGOING:
            continue
        tag = None
        for level, typ, cdata in anc:
            if level == SOL_PACKET and typ == PACKET_AUXDATA:
                status, _, _, _, _, tci = struct.unpack("IIIHHH",
                                                        cdata[:18])
                if status & TP_STATUS_VLAN_VALID:
                    tag = tci & 0xfff
        pkt = Ether(data)
        if Dot1Q in pkt and tag is None:
            tag = pkt[Dot1Q].vlan
        if pkt.src.lower() == PEER_MAC or (dpf_mac is None and
                                           ARP not in pkt):
            continue
        if dpf_mac is not None and pkt.src.lower() != dpf_mac:
            continue
        if ARP in pkt and pkt[ARP].op == 1 and pkt[ARP].pdst == peer_ip \
                and pkt[ARP].psrc == dpf_ip:
            dpf_mac = pkt.src.lower()
        if dpf_mac is None:
            continue
        if tag is None:
            seen["untagged_from_us"] += 1
            continue
        if tag != vid:
            seen["wrong_tag_from_us"] += 1
            continue
        seen["tagged_from_us"] += 1
        if ARP in pkt and pkt[ARP].op == 1:
            seen["arp_request"] += 1
            if seen["arp_request"] == 1:
                bad = vid + 100
                send(Ether(dst="ff:ff:ff:ff:ff:ff", src=PEER_MAC) /
                     ARP(op=1, hwsrc=PEER_MAC, psrc=peer_ip, pdst=dpf_ip))
                for seq, v in ((1, None), (2, bad), (3, vid)):
                    l2 = Ether(dst=dpf_mac, src=PEER_MAC)
                    if v is not None:
                        l2 = l2 / Dot1Q(vlan=v)
                    send(l2 / IP(src=peer_ip, dst=dpf_ip) /
                         ICMP(type=8, id=0x77, seq=seq) / (b"v" * 32))
            send(Ether(dst=dpf_mac, src=PEER_MAC) / Dot1Q(vlan=vid) /
                 ARP(op=2, hwsrc=PEER_MAC, psrc=peer_ip, hwdst=dpf_mac,
                     pdst=dpf_ip))
        elif ICMP in pkt and pkt[ICMP].type == 0:
            seen["echo_reply"] += 1
            seen["echo_reply_seqs"].append(pkt[ICMP].seq)
        elif TCP in pkt and pkt[TCP].dport == 80:
            t = pkt[TCP]
            if t.flags & 0x02:
                seen["syn"] += 1
                send(Ether(dst=dpf_mac, src=PEER_MAC) / Dot1Q(vlan=vid) /
                     IP(src=peer_ip, dst=dpf_ip) /
                     TCP(sport=80, dport=t.sport, flags="SA", seq=5000,
                         ack=t.seq + 1, window=65535,
                         options=[("MSS", 1460)]))
            elif t.flags & 0x10 and not seen["rst_sent"]:
                seen["ack"] += 1
                seen["rst_sent"] = 1
                send(Ether(dst=dpf_mac, src=PEER_MAC) / Dot1Q(vlan=vid) /
                     IP(src=peer_ip, dst=dpf_ip) /
                     TCP(sport=80, dport=t.sport, flags="R", seq=t.ack))
                # Stray frames (retransmissions, the untagged probes'
                # answers if any) have a moment to show.
                done_at = time.time() + 1.0
    print(json.dumps(seen), flush=True)


if __name__ == "__main__":
    main()
