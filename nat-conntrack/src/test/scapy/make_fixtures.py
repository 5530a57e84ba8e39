#!/usr/bin/python3
"""
Writes the NAT tests' frames, built by scapy rather than by Wharf's own code, into
src/test/resources/frames/ as nat_NAME.hex (one line of hex) and nat_NAME.properties (a description;
the tests judge Wharf's output with tshark). Names start with nat_ so they never shadow the
dataplane's own fixtures on the test classpath.

Run from anywhere:  /usr/bin/python3 nat-conntrack/src/test/scapy/make_fixtures.py
The output is committed, so the test run itself needs no scapy. Deterministic.

Topology (NatHarness.java): network 0 is the uplink (host address 203.0.113.10), network 1 "front"
172.18.0.0/16 (gateway 172.18.0.1, masquerade), network 2 "back" 172.19.0.0/16.
"""

import os
import struct

from scapy.all import ICMP, IP, TCP, UDP, Ether, Raw, fragment
from scapy.utils import checksum

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "frames")

GW_MAC, HOST_MAC = "02:42:ac:12:00:01", "02:42:ac:12:00:02"
C1, C2, FRONT_GW = "172.18.0.2", "172.18.0.3", "172.18.0.1"
FRONT_HOST_ADDRESS = "172.18.0.250"
UPLINK, S, ROUTER, X = "203.0.113.10", "198.51.100.7", "198.51.100.1", "192.0.2.50"
# a load balancer's virtual service 10.96.0.10:80 (tcp) and :53 (udp), its backend B1 on the back network
VIP, B1 = "10.96.0.10", "172.19.0.5"


def payload(n):
    return bytes((i * 7 + 3) & 0xFF for i in range(n))


def eth(ip):
    return Ether(dst=GW_MAC, src=HOST_MAC) / ip


def tcp(src, dst, sport, dport, flags, seq=1000, ack=0, data=b""):
    return eth(IP(src=src, dst=dst, id=1, ttl=64) / TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=8192) / Raw(data))


def udp(src, dst, sport, dport, data=payload(20)):
    return eth(IP(src=src, dst=dst, id=2, ttl=64) / UDP(sport=sport, dport=dport) / Raw(data))


def partial_tcp(src, dst, sport, dport, data):
    """A frame as a TAP with a virtio-net header hands it over with NEEDS_CSUM: the TCP checksum field
    holds the pseudo-header sum, folded and NOT complemented; the rest is summed later."""
    pkt = tcp(src, dst, sport, dport, "PA", seq=5000, ack=7000, data=data)
    raw = bytearray(bytes(pkt))
    tcp_len = len(raw) - 34
    words = struct.pack("!4s4sBBH", bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))), 0, 6, tcp_len)
    partial = (~checksum(words)) & 0xFFFF  # scapy's checksum() complements; undo it to get the folded sum
    struct.pack_into("!H", raw, 34 + 16, partial)
    return Ether(bytes(raw))


def frames():
    f = {}
    # masquerade, TCP
    f["tcp_syn_c1"] = ("C1:40000 -> S:80 SYN from the front network", tcp(C1, S, 40000, 80, "S"))
    f["tcp_synack_s"] = ("S:80 -> uplink:40000 SYN-ACK, the reply to the masqueraded SYN", tcp(S, UPLINK, 80, 40000, "SA", seq=9000, ack=1001))
    f["tcp_ack_c1"] = ("C1:40000 -> S:80 ACK", tcp(C1, S, 40000, 80, "A", seq=1001, ack=9001))
    f["tcp_data_c1"] = ("C1:40000 -> S:80 data", tcp(C1, S, 40000, 80, "PA", seq=1001, ack=9001, data=payload(100)))
    f["tcp_fin_c1"] = ("C1:40000 -> S:80 FIN", tcp(C1, S, 40000, 80, "FA", seq=1101, ack=9001))
    f["tcp_ack_s"] = ("S:80 -> uplink:40000 ACK of the FIN", tcp(S, UPLINK, 80, 40000, "A", seq=9001, ack=1102))
    f["tcp_fin_s"] = ("S:80 -> uplink:40000 FIN", tcp(S, UPLINK, 80, 40000, "FA", seq=9001, ack=1102))
    f["tcp_last_ack_c1"] = ("C1:40000 -> S:80 last ACK", tcp(C1, S, 40000, 80, "A", seq=1102, ack=9002))
    f["tcp_synack_stray"] = ("S:80 -> C1:40000 SYN-ACK of no connection", tcp(S, C1, 80, 40000, "SA"))
    f["tcp_syn_c1_ssh"] = ("C1:40002 -> S:22 SYN", tcp(C1, S, 40002, 22, "S"))
    f["tcp_syn_c1_to_back"] = ("C1:40003 -> 172.19.0.5:80 SYN, routed to the back network without NAT",
                               tcp(C1, "172.19.0.5", 40003, 80, "S"))
    f["tcp_partial_c1"] = ("C1:40001 -> S:443, 100 bytes, checksum partial (NEEDS_CSUM)", partial_tcp(C1, S, 40001, 443, payload(100)))
    # masquerade, UDP and ICMP echo
    f["udp_c1"] = ("C1:5353 -> S:53 UDP", udp(C1, S, 5353, 53))
    f["udp_c2"] = ("C2:5353 -> S:53 UDP: same source port as C1's, its masqueraded reply tuple would clash", udp(C2, S, 5353, 53))
    f["udp_reply_s"] = ("S:53 -> uplink:5353 UDP reply", udp(S, UPLINK, 53, 5353, payload(40)))
    nocsum = udp(C1, S, 5354, 53)
    nocsum[UDP].chksum = 0
    f["udp_nocsum_c1"] = ("C1:5354 -> S:53 UDP without checksum (0)", Ether(bytes(nocsum)))
    f["icmp_echo_c1"] = ("C1 -> S echo request id 0x1234", eth(IP(src=C1, dst=S, id=3) / ICMP(type=8, id=0x1234, seq=1) / Raw(payload(32))))
    f["icmp_echo_reply_s"] = ("S -> uplink echo reply id 0x1234", eth(IP(src=S, dst=UPLINK, id=4) / ICMP(type=0, id=0x1234, seq=1) / Raw(payload(32))))
    # RELATED: errors from outside about the masqueraded UDP flow, quoting it as it left (uplink:5353 -> S:53)
    quoted = IP(src=UPLINK, dst=S, id=2, ttl=63) / UDP(sport=5353, dport=53) / Raw(payload(20))
    f["icmp_port_unreachable_s"] = ("S -> uplink port unreachable quoting uplink:5353 -> S:53",
                                    eth(IP(src=S, dst=UPLINK, id=5) / ICMP(type=3, code=3) / quoted))
    f["icmp_time_exceeded_router"] = ("router -> uplink time exceeded quoting uplink:5353 -> S:53",
                                      eth(IP(src=ROUTER, dst=UPLINK, id=6) / ICMP(type=11, code=0) / quoted))
    f["icmp_port_unreachable_unknown"] = ("S -> uplink port unreachable quoting a flow nobody tracks",
                                          eth(IP(src=S, dst=UPLINK, id=7) / ICMP(type=3, code=3) /
                                              IP(src=UPLINK, dst=S, ttl=63) / UDP(sport=6000, dport=53) / Raw(payload(8))))
    # DNAT of a published port (0.0.0.0:8080/tcp -> C1:80) and its reply
    f["tcp_syn_x_published"] = ("X:50000 -> uplink:8080 SYN from outside", tcp(X, UPLINK, 50000, 8080, "S"))
    f["tcp_synack_c1_to_x"] = ("C1:80 -> X:50000 SYN-ACK", tcp(C1, X, 80, 50000, "SA", seq=3000, ack=1001))
    f["tcp_syn_x_unpublished"] = ("X:50000 -> uplink:9090 SYN, no published port", tcp(X, UPLINK, 50000, 9090, "S"))
    # the same published port into a network with this host's own address (an overlay's: its gateway is every host's)
    f["tcp_synack_c1_to_host_address"] = ("C1:80 -> the front network's host address:50000 SYN-ACK",
                                          tcp(C1, FRONT_HOST_ADDRESS, 80, 50000, "SA", seq=4000, ack=1001))
    # hairpin: C2 reaches C1's published port through the host address
    f["tcp_syn_c2_hairpin"] = ("C2:41000 -> uplink:8080 SYN", tcp(C2, UPLINK, 41000, 8080, "S"))
    f["tcp_synack_c1_hairpin"] = ("C1:80 -> front gateway:41000 SYN-ACK, the hairpinned reply", tcp(C1, FRONT_GW, 80, 41000, "SA", seq=4000, ack=1001))
    # an error Wharf itself makes about a published port's packet (TTL 1: time exceeded) must quote it as it arrived
    f["udp_ttl1_x_published"] = ("X:50000 -> uplink:5353 UDP with TTL 1, to a published port",
                                 eth(IP(src=X, dst=UPLINK, id=8, ttl=1) / UDP(sport=50000, dport=5353) / Raw(payload(24))))
    # a 3000-byte UDP datagram, fragmented by scapy at 1480 bytes (three fragments: 1480, 1480, 20 bytes
    # of the datagram); the tests masquerade C1:41000 to the single port 61000, so the reply goes to it
    big = IP(src=C1, dst=S, id=0x4242, ttl=64) / UDP(sport=41000, dport=7000) / Raw(payload(2972))
    for n, piece in enumerate(fragment(big, fragsize=1480), 1):
        f["udp_frag_c1_%d" % n] = ("C1:41000 -> S:7000, fragment %d of 3 of a 3000-byte UDP datagram (id 0x4242)" % n, eth(piece))
    reply = IP(src=S, dst=UPLINK, id=0x4343, ttl=64) / UDP(sport=7000, dport=61000) / Raw(payload(2972)[::-1])
    for n, piece in enumerate(fragment(reply, fragsize=1480), 1):
        f["udp_frag_reply_s_%d" % n] = ("S:7000 -> uplink:61000, fragment %d of 3 of the 3000-byte reply (id 0x4343)" % n, eth(piece))
    # virtual services (VirtualServicesTest): C1 to the VIP, the backend B1 answering C1 directly
    f["lb_syn_c1"] = ("C1:40100 -> VIP:80 SYN", tcp(C1, VIP, 40100, 80, "S", seq=100))
    f["lb_synack_b1"] = ("B1:8080 -> C1:40100 SYN-ACK, the backend's reply", tcp(B1, C1, 8080, 40100, "SA", seq=700, ack=101))
    f["lb_ack_c1"] = ("C1:40100 -> VIP:80 ACK", tcp(C1, VIP, 40100, 80, "A", seq=101, ack=701))
    f["lb_fin_c1"] = ("C1:40100 -> VIP:80 FIN", tcp(C1, VIP, 40100, 80, "FA", seq=101, ack=701))
    f["lb_fin_b1"] = ("B1:8080 -> C1:40100 FIN", tcp(B1, C1, 8080, 40100, "FA", seq=701, ack=102))
    f["lb_last_ack_c1"] = ("C1:40100 -> VIP:80 last ACK", tcp(C1, VIP, 40100, 80, "A", seq=102, ack=702))
    f["lb_syn_c1_again"] = ("C1:40100 -> VIP:80 SYN reusing the closed connection's ports", tcp(C1, VIP, 40100, 80, "S", seq=90000))
    f["lb_udp_c1"] = ("C1:5000 -> VIP:53 UDP", udp(C1, VIP, 5000, 53))
    f["lb_udp_reply_b1"] = ("B1:5353 -> C1:5000 UDP, the backend's reply", udp(B1, C1, 5353, 5000))
    return f


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, (description, pkt) in sorted(frames().items()):
        raw = bytes(pkt)
        with open(os.path.join(OUT, "nat_" + name + ".hex"), "w") as fh:
            fh.write(raw.hex() + "\n")
        with open(os.path.join(OUT, "nat_" + name + ".properties"), "w") as fh:
            fh.write("# written by nat-conntrack/src/test/scapy/make_fixtures.py\ndescription=%s\nframe.length=%d\n" % (description, len(raw)))


if __name__ == "__main__":
    main()
