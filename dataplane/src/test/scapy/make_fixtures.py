#!/usr/bin/python3
"""
Writes the dataplane's test frames, built by scapy rather than by Wharf's own code, into
src/test/resources/frames/: NAME.hex (the frame as one line of hex) and NAME.properties (what
scapy itself says the frame holds: every header field, layer offsets, and whether each checksum
verifies). The Java tests compare Wharf's flyweights and nodes against these facts.

Run from anywhere:  /usr/bin/python3 dataplane/src/test/scapy/make_fixtures.py
Needs python3-scapy (Debian). The output is committed, so the test run itself needs no scapy.
The frames are deterministic: running the script again rewrites identical files.
"""

import os
import sys

from scapy.all import (ARP, ICMP, IP, TCP, UDP, Dot1AD, Dot1Q, Dot3, Ether, IPv6, LLC, SNAP, STP, Padding, Raw,
                       ICMPv6EchoRequest, ICMPv6ND_NS, IPOption_Router_Alert, load_contrib)
from scapy.layers.inet import in4_chksum
from scapy.utils import checksum

load_contrib("lldp")
from scapy.contrib.lldp import LLDPDUChassisID, LLDPDUEndOfLLDPDU, LLDPDUPortID, LLDPDUTimeToLive  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "frames")

BROADCAST = "ff:ff:ff:ff:ff:ff"
GW_MAC, GW_IP = "02:42:0a:00:00:01", "10.0.0.1"
A_MAC, A_IP = "02:42:0a:00:00:02", "10.0.0.2"
B_MAC, B_IP = "02:42:0a:00:00:03", "10.0.0.3"
A_IP6, B_IP6 = "fd00::2", "fd00::3"
# this host's own address beside a gateway address other hosts share (an overlay's anycast gateway)
HOST_MAC, HOST_IP = "02:42:0a:00:00:fa", "10.0.0.250"
# routing: a second container network and the uplink (the host's outside interface and its router)
NET1_GW_MAC, NET1_GW_IP = "02:42:0a:00:01:01", "10.0.1.1"
C_MAC, C_IP = "02:42:0a:00:01:02", "10.0.1.2"
UPLINK_MAC, UPLINK_IP = "02:00:c0:a8:64:02", "192.168.100.2"
ROUTER_MAC, ROUTER_IP = "02:00:c0:a8:64:01", "192.168.100.1"
OUTSIDE_IP = "198.51.100.7"


def payload(n):
    return bytes((i * 7 + 3) & 0xFF for i in range(n))


def echo_request(size, ttl, seq, ident=0x77, ip_id=0x1234, options=None, src_mac=A_MAC):
    ip = IP(src=A_IP, dst=GW_IP, id=ip_id, flags="DF", ttl=ttl)
    if options:
        ip.options = options
    return Ether(dst=GW_MAC, src=src_mac) / ip / ICMP(type=8, id=ident, seq=seq) / Raw(payload(size))


def echo_reply(size, seq, ident=0x77, ip_id=0x1234, options=None):
    """What the gateway must answer: addresses swapped, TTL 64, type 0, checksums scapy computes from scratch."""
    ip = IP(src=GW_IP, dst=A_IP, id=ip_id, flags="DF", ttl=64)
    if options:
        ip.options = options
    return Ether(dst=A_MAC, src=GW_MAC) / ip / ICMP(type=0, id=ident, seq=seq) / Raw(payload(size))


def udp_a_to_b(size=18):
    return IP(src=A_IP, dst=B_IP, id=7, ttl=64) / UDP(sport=40000, dport=5000) / Raw(payload(size))


def frames():
    f = {}

    # ---- ARP ----
    arp_req = Ether(dst=BROADCAST, src=A_MAC) / ARP(op=1, hwsrc=A_MAC, psrc=A_IP, hwdst="00:00:00:00:00:00", pdst=GW_IP)
    f["arp_request_gateway"] = ("who-has the gateway, broadcast, unpadded (as a TAP or veth hands it over)", arp_req)
    f["arp_request_gateway_padded"] = ("who-has the gateway, padded to 60 bytes", arp_req / Padding(b"\x00" * 18))
    f["arp_reply_gateway_expected"] = ("the reply the gateway must send to arp_request_gateway",
                                       Ether(dst=A_MAC, src=GW_MAC) / ARP(op=2, hwsrc=GW_MAC, psrc=GW_IP, hwdst=A_MAC, pdst=A_IP))
    f["arp_request_gateway_unicast"] = ("who-has the gateway, unicast to the gateway MAC (a cache refresh)",
                                        Ether(dst=GW_MAC, src=A_MAC) / ARP(op=1, hwsrc=A_MAC, psrc=A_IP, hwdst=GW_MAC, pdst=GW_IP))
    f["arp_request_host_address"] = ("who-has this host's own address on the network, broadcast",
                                     Ether(dst=BROADCAST, src=A_MAC) / ARP(op=1, hwsrc=A_MAC, psrc=A_IP, pdst=HOST_IP))
    f["arp_reply_host_address_expected"] = ("the reply to arp_request_host_address: from the host's own MAC, not the gateway's",
                                            Ether(dst=A_MAC, src=HOST_MAC) / ARP(op=2, hwsrc=HOST_MAC, psrc=HOST_IP, hwdst=A_MAC, pdst=A_IP))
    f["arp_request_from_host_address_expected"] = ("who-has A, as a router with a host address asks it: from that address",
                                                   Ether(dst=BROADCAST, src=HOST_MAC) /
                                                   ARP(op=1, hwsrc=HOST_MAC, psrc=HOST_IP, hwdst="00:00:00:00:00:00", pdst=A_IP))
    f["arp_request_other_host"] = ("who-has 10.0.0.3, broadcast",
                                   Ether(dst=BROADCAST, src=A_MAC) / ARP(op=1, hwsrc=A_MAC, psrc=A_IP, pdst=B_IP))
    f["arp_reply_host"] = ("10.0.0.3 is-at B, unicast to A",
                           Ether(dst=A_MAC, src=B_MAC) / ARP(op=2, hwsrc=B_MAC, psrc=B_IP, hwdst=A_MAC, pdst=A_IP))
    f["arp_gratuitous_request"] = ("gratuitous ARP request from A (sender IP = target IP)",
                                   Ether(dst=BROADCAST, src=A_MAC) / ARP(op=1, hwsrc=A_MAC, psrc=A_IP, hwdst="00:00:00:00:00:00", pdst=A_IP))
    f["arp_gratuitous_reply"] = ("gratuitous ARP reply from A, broadcast",
                                 Ether(dst=BROADCAST, src=A_MAC) / ARP(op=2, hwsrc=A_MAC, psrc=A_IP, hwdst=BROADCAST, pdst=A_IP))
    f["arp_truncated_to_gateway"] = ("ARP to the gateway MAC cut after 20 of its 28 bytes",
                                     Ether(dst=GW_MAC, src=A_MAC, type=0x0806) / Raw(bytes(ARP(op=1, hwsrc=A_MAC, psrc=A_IP, pdst=GW_IP))[:20]))
    f["arp_non_ethernet_to_gateway"] = ("ARP with hardware type 6 (IEEE 802) for the gateway",
                                        Ether(dst=GW_MAC, src=A_MAC) / ARP(hwtype=6, hwlen=6, op=1, hwsrc=bytes.fromhex("02420a000002"),
                                                                            psrc=A_IP, hwdst=bytes(6), pdst=GW_IP))
    f["arp_bad_operation_to_gateway"] = ("ARP operation 8 (InARP request) for the gateway",
                                         Ether(dst=GW_MAC, src=A_MAC) / ARP(op=8, hwsrc=A_MAC, psrc=A_IP, pdst=GW_IP))

    # ---- port security: frames from A, whose port is bound to A_MAC and A_IP ----
    f["ps_arp_reply_claims_gateway"] = ("A tells B that the gateway's address is at A_MAC (a spoofed ARP reply)",
                                        Ether(dst=B_MAC, src=A_MAC) / ARP(op=2, hwsrc=A_MAC, psrc=GW_IP, hwdst=B_MAC, pdst=B_IP))
    f["ps_arp_gratuitous_claims_gateway"] = ("gratuitous ARP from A claiming the gateway's address",
                                             Ether(dst=BROADCAST, src=A_MAC) / ARP(op=1, hwsrc=A_MAC, psrc=GW_IP, hwdst="00:00:00:00:00:00", pdst=GW_IP))
    f["ps_arp_sender_mac_spoof"] = ("ARP from A's MAC whose sender MAC is B's",
                                    Ether(dst=BROADCAST, src=A_MAC) / ARP(op=1, hwsrc=B_MAC, psrc=A_IP, pdst=GW_IP))
    f["ps_arp_probe"] = ("RFC 5227 probe from A: sender IP 0.0.0.0",
                         Ether(dst=BROADCAST, src=A_MAC) / ARP(op=1, hwsrc=A_MAC, psrc="0.0.0.0", hwdst="00:00:00:00:00:00", pdst=A_IP))
    f["ps_udp_spoofed_source"] = ("UDP from A's MAC with source 10.0.0.9, to B",
                                  Ether(dst=B_MAC, src=A_MAC) / IP(src="10.0.0.9", dst=B_IP, ttl=64) / UDP(sport=40000, dport=5000) / Raw(payload(18)))
    f["ps_udp_spoofed_mac"] = ("UDP from A's address with source MAC 02:42:0a:00:00:09, to B",
                               Ether(dst=B_MAC, src="02:42:0a:00:00:09") / IP(src=A_IP, dst=B_IP, ttl=64) / UDP(sport=40000, dport=5000) / Raw(payload(18)))
    f["ps_udp_from_b_mac"] = ("UDP from B's MAC and address, to A (what B's port may send; A's port may not)",
                              Ether(dst=A_MAC, src=B_MAC) / IP(src=B_IP, dst=A_IP, ttl=64) / UDP(sport=40000, dport=5000) / Raw(payload(18)))

    # ---- ICMP echo to the gateway ----
    for size, ttl, seq in ((0, 1, 1), (56, 64, 2), (1472, 255, 3)):
        f["icmp_echo_gateway_%d" % size] = ("ping the gateway, %d payload bytes, TTL %d" % (size, ttl), echo_request(size, ttl, seq))
        f["icmp_echo_gateway_%d_expected_reply" % size] = ("the gateway's answer to icmp_echo_gateway_%d" % size, echo_reply(size, seq))
    f["icmp_echo_gateway_padded"] = ("ping the gateway, no payload, Ethernet padding to 60 bytes",
                                     echo_request(0, 33, 4) / Padding(b"\x00" * 18))
    f["icmp_echo_gateway_padded_expected_reply"] = ("the answer: padding gone", echo_reply(0, 4))
    f["icmp_echo_gateway_options"] = ("ping the gateway with an IP router-alert option (IHL 6)",
                                      echo_request(24, 17, 5, options=[IPOption_Router_Alert()]))
    f["icmp_echo_gateway_options_expected_reply"] = ("the answer, option kept",
                                                     echo_reply(24, 5, options=[IPOption_Router_Alert()]))
    f["icmp_echo_gateway_checksum_corner"] = ("ping whose ICMP checksum after the type change is 0x0000 or 0xFFFF",
                                              corner_echo())
    f["icmp_echo_gateway_checksum_corner_expected_reply"] = ("the answer", corner_reply())
    f["icmp_echo_gateway_bad_ip_checksum"] = ("ping the gateway with a wrong IPv4 header checksum",
                                              bad_ip_checksum(echo_request(8, 64, 6)))
    f["icmp_echo_gateway_bad_icmp_checksum"] = ("ping the gateway with a wrong ICMP checksum",
                                                Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst=GW_IP, ttl=64) /
                                                ICMP(type=8, id=1, seq=7, chksum=0x1234) / Raw(payload(8)))
    f["icmp_unreachable_to_gateway"] = ("ICMP port unreachable sent to the gateway",
                                        Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst=GW_IP) / ICMP(type=3, code=3) / Raw(payload(28)))
    f["icmp_truncated_to_gateway"] = ("IPv4 to the gateway with only 4 bytes of ICMP",
                                      Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst=GW_IP, proto=1) / Raw(b"\x08\x00\xf7\xff"))
    f["icmp_echo_host"] = ("ping host B (bridged, not for the gateway)",
                           Ether(dst=B_MAC, src=A_MAC) / IP(src=A_IP, dst=B_IP) / ICMP(id=9, seq=1) / Raw(payload(56)))
    # user rules on the bridged path (l2-user-rules): what starts a connection between A and B, and what does not
    f["rule_tcp_syn_a_to_b"] = ("TCP SYN from A to B port 80, bridged",
                                Ether(dst=B_MAC, src=A_MAC) / IP(src=A_IP, dst=B_IP, id=11) /
                                TCP(sport=40001, dport=80, flags="S", seq=1000, window=64240))
    f["rule_tcp_ack_a_to_b"] = ("TCP ACK from A to B port 80 (an established connection), bridged",
                                Ether(dst=B_MAC, src=A_MAC) / IP(src=A_IP, dst=B_IP, id=12) /
                                TCP(sport=40001, dport=80, flags="A", seq=1001, ack=5001, window=64240))
    f["rule_udp_a_to_b"] = ("UDP from A to B port 5000, bridged", Ether(dst=B_MAC, src=A_MAC) / udp_a_to_b())
    f["rule_icmp_echo_reply_b_to_a"] = ("echo reply from B to A, bridged",
                                        Ether(dst=A_MAC, src=B_MAC) / IP(src=B_IP, dst=A_IP) / ICMP(type=0, id=9, seq=1) /
                                        Raw(payload(56)))
    f["icmp_echo_vlan10_gateway"] = ("ping the gateway in VLAN 10, tagged",
                                     Ether(dst=GW_MAC, src=A_MAC) / Dot1Q(vlan=10, prio=0) /
                                     IP(src=A_IP, dst=GW_IP, id=0x1234, flags="DF", ttl=64) / ICMP(type=8, id=0x77, seq=8) / Raw(payload(32)))
    f["icmp_echo_vlan10_gateway_expected_reply"] = ("the answer, tagged VLAN 10",
                                                    Ether(dst=A_MAC, src=GW_MAC) / Dot1Q(vlan=10, prio=0) /
                                                    IP(src=GW_IP, dst=A_IP, id=0x1234, flags="DF", ttl=64) / ICMP(type=0, id=0x77, seq=8) / Raw(payload(32)))
    f["icmp_echo_priority_tagged_gateway"] = ("ping the gateway with an 802.1p priority tag (VID 0, PCP 5)",
                                              Ether(dst=GW_MAC, src=A_MAC) / Dot1Q(vlan=0, prio=5) /
                                              IP(src=A_IP, dst=GW_IP, id=0x1234, flags="DF", ttl=64) / ICMP(type=8, id=0x77, seq=9) / Raw(payload(32)))
    f["icmp_echo_priority_tagged_gateway_expected_reply"] = ("the answer, untagged",
                                                             Ether(dst=A_MAC, src=GW_MAC) /
                                                             IP(src=GW_IP, dst=A_IP, id=0x1234, flags="DF", ttl=64) / ICMP(type=0, id=0x77, seq=9) / Raw(payload(32)))

    # ---- IPv4 to the gateway that ip4-input must refuse ----
    f["ip_fragment_to_gateway"] = ("first fragment (MF) of a ping to the gateway",
                                   Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst=GW_IP, flags="MF", id=99) / ICMP() / Raw(payload(16)))
    f["ip_udp_to_gateway"] = ("UDP to the gateway address",
                              Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst=GW_IP) / UDP(sport=1234, dport=53) / Raw(payload(12)))
    f["ip_to_other_subnet"] = ("ping 192.0.2.1 through the gateway (no route yet)",
                               Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst="192.0.2.1") / ICMP() / Raw(payload(8)))
    f["ip_ihl_4"] = ("IPv4 header claiming IHL 4 (16 bytes), below the minimum",
                     Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst=GW_IP, ihl=4) / ICMP())
    f["ip_ihl_15_short"] = ("IPv4 header claiming IHL 15 (60 bytes) in a frame with 28 bytes of IP",
                            Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst=GW_IP, ihl=15) / ICMP())
    f["ip_total_length_beyond_frame"] = ("IPv4 total length 200 in a frame with 36 bytes of IP",
                                         Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst=GW_IP, len=200) / ICMP() / Raw(payload(8)))
    f["ip_total_length_below_header"] = ("IPv4 total length 10, shorter than its own header",
                                         Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst=GW_IP, len=10) / ICMP())
    f["ip_truncated_header"] = ("EtherType IPv4 with only 12 bytes of IPv4 header",
                                Ether(dst=GW_MAC, src=A_MAC, type=0x0800) / Raw(bytes(IP(src=A_IP, dst=GW_IP) / ICMP())[:12]))
    f["ip_bad_version"] = ("EtherType IPv4 carrying an IPv6 header",
                           Ether(dst=GW_MAC, src=A_MAC, type=0x0800) / IPv6(src=A_IP6, dst=B_IP6) / UDP())

    # ---- bridged unicast, IPv4 and IPv6 ----
    f["tcp_syn_options"] = ("TCP SYN A->B with MSS, SACK-permitted, timestamps, NOP, window scale",
                            Ether(dst=B_MAC, src=A_MAC) / IP(src=A_IP, dst=B_IP, id=0x4242, flags="DF", ttl=64) /
                            TCP(sport=43210, dport=80, seq=0x01020304, flags="S", window=64240,
                                options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (12345, 0)), ("NOP", None), ("WScale", 7)]))
    f["tcp_ack_odd_payload"] = ("TCP PSH/ACK A->B with 13 payload bytes (odd checksum length)",
                                Ether(dst=B_MAC, src=A_MAC) / IP(src=A_IP, dst=B_IP, ttl=64) /
                                TCP(sport=43210, dport=80, seq=0x01020305, ack=0xA0B0C0D0, flags="PA", window=502) / Raw(payload(13)))
    f["udp_a_to_b"] = ("UDP A->B, 18 payload bytes", Ether(dst=B_MAC, src=A_MAC) / udp_a_to_b())
    f["udp_odd_payload"] = ("UDP A->B, 33 payload bytes (odd checksum length)", Ether(dst=B_MAC, src=A_MAC) / udp_a_to_b(33))
    f["udp_multicast"] = ("UDP to 224.0.0.251 (mDNS), IPv4 multicast MAC",
                          Ether(dst="01:00:5e:00:00:fb", src=A_MAC) / IP(src=A_IP, dst="224.0.0.251", ttl=255) / UDP(sport=5353, dport=5353) / Raw(payload(20)))
    f["ipv6_tcp_syn"] = ("IPv6 TCP SYN A->B with traffic class and flow label",
                         Ether(dst=B_MAC, src=A_MAC) / IPv6(src=A_IP6, dst=B_IP6, tc=0x28, fl=0x12345, hlim=63) /
                         TCP(sport=50000, dport=443, seq=7, flags="S", window=65535, options=[("MSS", 1440)]))
    f["ipv6_icmpv6_echo"] = ("ICMPv6 echo request A->B",
                             Ether(dst=B_MAC, src=A_MAC) / IPv6(src=A_IP6, dst=B_IP6) / ICMPv6EchoRequest(id=5, seq=6, data=payload(16)))
    f["ipv6_neighbor_solicitation"] = ("ICMPv6 neighbour solicitation for fd00::3 to its solicited-node group",
                                       Ether(dst="33:33:ff:00:00:03", src=A_MAC) / IPv6(src=A_IP6, dst="ff02::1:ff00:3", hlim=255) /
                                       ICMPv6ND_NS(tgt=B_IP6))

    # ---- 802.1Q ----
    f["dot1q_priority_tag"] = ("UDP A->B with an 802.1p priority tag (VID 0, PCP 5)",
                               Ether(dst=B_MAC, src=A_MAC) / Dot1Q(vlan=0, prio=5) / udp_a_to_b())
    f["dot1q_vid10"] = ("UDP A->B tagged VLAN 10, PCP 3", Ether(dst=B_MAC, src=A_MAC) / Dot1Q(vlan=10, prio=3) / udp_a_to_b())
    f["dot1q_vid10_prio0"] = ("UDP A->B tagged VLAN 10, PCP 0 (as a trunk sends it)",
                              Ether(dst=B_MAC, src=A_MAC) / Dot1Q(vlan=10, prio=0) / udp_a_to_b())
    f["dot1q_vid20"] = ("UDP A->B tagged VLAN 20", Ether(dst=B_MAC, src=A_MAC) / Dot1Q(vlan=20) / udp_a_to_b())
    f["dot1q_vid10_arp_broadcast"] = ("who-has 10.0.0.3 in VLAN 10",
                                      Ether(dst=BROADCAST, src=A_MAC) / Dot1Q(vlan=10) / ARP(op=1, hwsrc=A_MAC, psrc=A_IP, pdst=B_IP))
    f["dot1q_vid10_dei"] = ("UDP A->B tagged VLAN 10 with PCP 7 and DEI set",
                            Ether(dst=B_MAC, src=A_MAC) / Dot1Q(vlan=10, prio=7, id=1) / udp_a_to_b())
    f["dot1q_truncated"] = ("EtherType 802.1Q with only two bytes of tag",
                            Ether(dst=B_MAC, src=A_MAC, type=0x8100) / Raw(b"\x00\x0a"))
    f["qinq_8021ad"] = ("802.1ad S-tag 100 over C-tag 10",
                        Ether(dst=B_MAC, src=A_MAC) / Dot1AD(vlan=100) / Dot1Q(vlan=10) / udp_a_to_b())
    f["qinq_double_8100"] = ("two 802.1Q tags, 10 outside 20",
                             Ether(dst=B_MAC, src=A_MAC) / Dot1Q(vlan=10) / Dot1Q(vlan=20) / udp_a_to_b())
    f["qinq_priority_over_vid10"] = ("a priority tag (VID 0) over a VLAN 10 tag: the double-tagging VLAN hop",
                                     Ether(dst=BROADCAST, src=A_MAC) / Dot1Q(vlan=0) / Dot1Q(vlan=10) / udp_a_to_b())

    # ---- link-local, LLC, bad addresses, sizes ----
    f["stp_bpdu"] = ("IEEE 802.1D configuration BPDU to 01:80:c2:00:00:00 (802.3 length + LLC)",
                     Dot3(dst="01:80:c2:00:00:00", src=A_MAC) / LLC(dsap=0x42, ssap=0x42, ctrl=3) / STP())
    f["lldp"] = ("LLDP to 01:80:c2:00:00:0e",
                 Ether(dst="01:80:c2:00:00:0e", src=A_MAC) / LLDPDUChassisID(subtype=4, id=A_MAC) /
                 LLDPDUPortID(subtype=3, id=A_MAC) / LLDPDUTimeToLive(ttl=120) / LLDPDUEndOfLLDPDU())
    f["llc_snap_unicast"] = ("802.3 length + LLC/SNAP frame to B",
                             Dot3(dst=B_MAC, src=A_MAC) / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0, code=0x0800) / Raw(payload(30)))
    f["source_multicast"] = ("UDP with a multicast source MAC", Ether(dst=B_MAC, src="01:00:5e:00:00:01") / udp_a_to_b())
    f["source_broadcast"] = ("UDP with the broadcast address as source", Ether(dst=B_MAC, src=BROADCAST) / udp_a_to_b())
    f["source_zero"] = ("UDP with source MAC 00:00:00:00:00:00", Ether(dst=B_MAC, src="00:00:00:00:00:00") / udp_a_to_b())
    f["runt_13"] = ("13 bytes: less than an Ethernet header", Raw(bytes(Ether(dst=B_MAC, src=A_MAC) / udp_a_to_b())[:13]))
    f["max_1514"] = ("UDP A->B of exactly 1500 IP bytes (1514-byte frame)",
                     Ether(dst=B_MAC, src=A_MAC) / IP(src=A_IP, dst=B_IP, ttl=64) / UDP(sport=40000, dport=5000) / Raw(payload(1472)))
    f["oversize_1515"] = ("UDP A->B of 1501 IP bytes: one byte over a 1500 MTU",
                          Ether(dst=B_MAC, src=A_MAC) / IP(src=A_IP, dst=B_IP, ttl=64) / UDP(sport=40000, dport=5000) / Raw(payload(1473)))
    routed(f)
    return f


def icmp_error(gw_mac, gw_ip, to_mac, offender, type_, code, mtu=0):
    """The ICMP error a router sends about `offender` (an Ether frame): quoting its IP datagram up to
    548 bytes, from the gateway, TTL 64, DF clear, TOS 0xc0, IP id 0 (the worker's first error)."""
    quoted = bytes(offender[IP])[:548]
    icmp = ICMP(type=type_, code=code, nexthopmtu=mtu) if type_ == 3 and code == 4 else ICMP(type=type_, code=code)
    return Ether(dst=to_mac, src=gw_mac) / IP(src=gw_ip, dst=offender[IP].src, ttl=64, id=0, flags=0, tos=0xC0) / icmp / Raw(quoted)


def routed(f):
    """Frames for the router: net0 (10.0.0.0/24, A) and net1 (10.0.1.0/24, C) and the uplink 192.168.100.2/24."""
    def a_to(dst, ttl=64, size=18, flags=0, ip_id=0x4321):
        return Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst=dst, ttl=ttl, id=ip_id, flags=flags) / \
            UDP(sport=40000, dport=5000) / Raw(payload(size))

    def forwarded(pkt, dst_mac, src_mac):
        """What leaves the router: new MACs, TTL one less, header checksum computed by scapy from scratch."""
        ip = pkt[IP].copy()
        ip.ttl -= 1
        del ip.chksum
        return Ether(dst=dst_mac, src=src_mac) / ip

    to_c = a_to(C_IP)
    f["route_a_to_c"] = ("UDP A (net0) -> C (net1) through the gateway", to_c)
    f["route_a_to_c_expected"] = ("route_a_to_c as it leaves into net1", forwarded(to_c, C_MAC, NET1_GW_MAC))
    padded = to_c / Padding(b"\x00" * 4)
    f["route_a_to_c_padded"] = ("route_a_to_c with 4 bytes of Ethernet padding", padded)
    to_c_ttl1 = a_to(C_IP, ttl=1)
    f["route_a_to_c_ttl1"] = ("UDP A -> C with TTL 1", to_c_ttl1)
    f["route_a_to_c_ttl1_expected_error"] = ("time exceeded about route_a_to_c_ttl1, from net0's gateway",
                                             icmp_error(GW_MAC, GW_IP, A_MAC, to_c_ttl1, 11, 0))
    big_df = a_to(C_IP, size=1472, flags="DF")
    f["route_a_to_c_1500_df"] = ("UDP A -> C of 1500 IP bytes with DF", big_df)
    f["route_a_to_c_1500_df_expected_error"] = ("fragmentation needed about route_a_to_c_1500_df, next-hop MTU 1400",
                                                icmp_error(GW_MAC, GW_IP, A_MAC, big_df, 3, 4, mtu=1400))
    f["route_a_to_c_1500"] = ("UDP A -> C of 1500 IP bytes, DF clear", a_to(C_IP, size=1472))
    err_ttl1 = Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst=C_IP, ttl=1) / ICMP(type=3, code=3) / \
        Raw(bytes(IP(src=C_IP, dst=A_IP) / UDP(sport=5000, dport=40000)))
    f["route_icmp_error_ttl1"] = ("an ICMP port unreachable A -> C with TTL 1: no error about an error", err_ttl1)
    ping_c_ttl1 = Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst=C_IP, ttl=1, id=5) / ICMP(type=8, id=3, seq=1) / Raw(payload(16))
    f["route_ping_c_ttl1"] = ("ping A -> C with TTL 1 (traceroute's first probe)", ping_c_ttl1)
    f["route_ping_c_ttl1_expected_error"] = ("time exceeded about route_ping_c_ttl1", icmp_error(GW_MAC, GW_IP, A_MAC, ping_c_ttl1, 11, 0))
    nonfirst = Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst=C_IP, ttl=1, frag=185, proto=17) / Raw(payload(40))
    f["route_fragment_ttl1"] = ("a non-first fragment A -> C with TTL 1: no error about it", nonfirst)
    f["route_udp_gateway_expected_error"] = ("port unreachable about ip_udp_to_gateway",
                                             icmp_error(GW_MAC, GW_IP, A_MAC,
                                                        Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst=GW_IP) /
                                                        UDP(sport=1234, dport=53) / Raw(payload(12)), 3, 3))

    to_outside = a_to(OUTSIDE_IP)
    f["route_a_to_outside"] = ("UDP A -> 198.51.100.7, off every network: through the uplink's router", to_outside)
    f["route_a_to_outside_expected"] = ("route_a_to_outside as it leaves the uplink to the router",
                                        forwarded(to_outside, ROUTER_MAC, UPLINK_MAC))
    f["route_a_to_outside_unreachable"] = ("net unreachable about route_a_to_outside when there is no uplink",
                                           icmp_error(GW_MAC, GW_IP, A_MAC, to_outside, 3, 0))
    f["route_outside_to_a"] = ("UDP 198.51.100.7 -> A arriving on the uplink from the router",
                               Ether(dst=UPLINK_MAC, src=ROUTER_MAC) / IP(src=OUTSIDE_IP, dst=A_IP, ttl=50) /
                               UDP(sport=443, dport=40000) / Raw(payload(18)))
    f["route_c_to_a"] = ("UDP C (net1) -> A (net0)", Ether(dst=NET1_GW_MAC, src=C_MAC) / IP(src=C_IP, dst=A_IP) /
                         UDP(sport=5000, dport=40000) / Raw(payload(18)))
    f["route_a_to_b_hairpin"] = ("UDP A -> B (both net0) sent to the gateway MAC: routed back into net0", a_to(B_IP))
    f["route_a_to_net1_broadcast"] = ("UDP A -> 10.0.1.255, net1's directed broadcast", a_to("10.0.1.255"))

    ping_up_out = Ether(dst=UPLINK_MAC, src=ROUTER_MAC) / IP(src=OUTSIDE_IP, dst=UPLINK_IP, id=0x99, ttl=55) / \
        ICMP(type=8, id=0x42, seq=1) / Raw(payload(32))
    f["ping_uplink_from_outside"] = ("ping the uplink address from outside, through the router", ping_up_out)
    f["ping_uplink_from_outside_expected_reply"] = ("the uplink's answer",
                                                    Ether(dst=ROUTER_MAC, src=UPLINK_MAC) /
                                                    IP(src=UPLINK_IP, dst=OUTSIDE_IP, id=0x99, ttl=64) /
                                                    ICMP(type=0, id=0x42, seq=1) / Raw(payload(32)))
    f["ping_uplink_from_a"] = ("A pings the uplink address (the host's outside address)",
                               Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst=UPLINK_IP, id=0x98, ttl=64) /
                               ICMP(type=8, id=0x43, seq=2) / Raw(payload(32)))
    f["ping_uplink_from_a_expected_reply"] = ("the answer: from the uplink address, by net0's gateway MAC",
                                              Ether(dst=A_MAC, src=GW_MAC) / IP(src=UPLINK_IP, dst=A_IP, id=0x98, ttl=64) /
                                              ICMP(type=0, id=0x43, seq=2) / Raw(payload(32)))
    f["ping_net1_gateway_from_a"] = ("A pings net1's gateway address through its own gateway",
                                     Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst=NET1_GW_IP, id=0x97, ttl=64) /
                                     ICMP(type=8, id=0x44, seq=3) / Raw(payload(8)))

    tcp_to_gateway(f)

    f["arp_request_for_c_expected"] = ("who-has C, from net1's gateway, broadcast",
                                       Ether(dst=BROADCAST, src=NET1_GW_MAC) /
                                       ARP(op=1, hwsrc=NET1_GW_MAC, psrc=NET1_GW_IP, hwdst="00:00:00:00:00:00", pdst=C_IP))
    f["arp_refresh_for_c_expected"] = ("who-has C, from net1's gateway, unicast to the MAC it has (refreshing a stale entry)",
                                       Ether(dst=C_MAC, src=NET1_GW_MAC) /
                                       ARP(op=1, hwsrc=NET1_GW_MAC, psrc=NET1_GW_IP, hwdst="00:00:00:00:00:00", pdst=C_IP))
    f["arp_reply_c"] = ("C is-at C_MAC, to net1's gateway",
                        Ether(dst=NET1_GW_MAC, src=C_MAC) / ARP(op=2, hwsrc=C_MAC, psrc=C_IP, hwdst=NET1_GW_MAC, pdst=NET1_GW_IP))
    f["arp_request_for_router_expected"] = ("who-has the uplink's router, from the uplink address",
                                            Ether(dst=BROADCAST, src=UPLINK_MAC) /
                                            ARP(op=1, hwsrc=UPLINK_MAC, psrc=UPLINK_IP, hwdst="00:00:00:00:00:00", pdst=ROUTER_IP))
    f["arp_reply_router"] = ("the router is-at ROUTER_MAC, to the uplink address",
                             Ether(dst=UPLINK_MAC, src=ROUTER_MAC) / ARP(op=2, hwsrc=ROUTER_MAC, psrc=ROUTER_IP, hwdst=UPLINK_MAC, pdst=UPLINK_IP))
    f["arp_request_uplink_from_router"] = ("the router asks who-has the uplink address",
                                           Ether(dst=BROADCAST, src=ROUTER_MAC) / ARP(op=1, hwsrc=ROUTER_MAC, psrc=ROUTER_IP, pdst=UPLINK_IP))


def reset(dst_mac, src_mac, src, dst, sport, dport, seq, ack, flags, vlan=None):
    """The reset a closed port answers with (RFC 9293 3.10.7.1), as Linux sends it: fresh 20-byte headers,
    IP id 0, DF, TTL 64, TOS 0, window 0, no options, checksums computed by scapy from scratch."""
    ether = Ether(dst=dst_mac, src=src_mac)
    if vlan is not None:
        ether = ether / Dot1Q(vlan=vlan, prio=0)
    return ether / IP(src=src, dst=dst, id=0, flags="DF", ttl=64, tos=0) / \
        TCP(sport=sport, dport=dport, seq=seq, ack=ack, flags=flags, window=0)


def partial_checksum(pkt):
    """The segment as a local sender's kernel hands it over with checksum offload (CHECKSUM_PARTIAL):
    the field holds the folded pseudo-header sum, not complemented, for the NIC to complete."""
    raw = bytearray(bytes(pkt))
    ip = Ether(bytes(raw))[IP]
    l4 = len(raw) - len(bytes(ip)) + ip.ihl * 4
    length = ip.len - ip.ihl * 4
    addresses = bytes(ip)[12:20]
    total = sum(int.from_bytes(addresses[k:k + 2], "big") for k in range(0, 8, 2)) + 6 + length
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    raw[l4 + 16], raw[l4 + 17] = total >> 8, total & 0xFF
    return Ether(bytes(raw))


def tcp_to_gateway(f):
    """TCP to the switch's own addresses: no port listens, so each segment gets the reset a closed port sends."""
    def a_tcp(flags, seq, ack=0, size=0, dport=22, options=None, ip_options=None, chksum=None):
        ip = IP(src=A_IP, dst=GW_IP, id=0x5151, flags="DF", ttl=64)
        if ip_options:
            ip.options = ip_options
        tcp = TCP(sport=45678, dport=dport, seq=seq, ack=ack, flags=flags, window=64240, options=options or [])
        if chksum is not None:
            tcp.chksum = chksum
        pkt = Ether(dst=GW_MAC, src=A_MAC) / ip / tcp
        return pkt / Raw(payload(size)) if size else pkt

    def a_reset(sport, dport, seq, ack, flags):
        return reset(A_MAC, GW_MAC, GW_IP, A_IP, sport, dport, seq, ack, flags)

    syn = a_tcp("S", 0x11223344)
    f["tcp_syn_to_gateway"] = ("TCP SYN A -> the gateway's port 22, where nothing listens", syn)
    f["tcp_syn_to_gateway_expected_reset"] = ("the answer: RST,ACK, seq 0, ack = SYN's seq + 1",
                                              a_reset(22, 45678, 0, 0x11223345, "RA"))
    f["tcp_syn_to_gateway_partial_checksum"] = ("tcp_syn_to_gateway as a local sender hands it over with checksum "
                                                "offload: the field holds only the pseudo-header sum", partial_checksum(syn))
    f["tcp_ack_data_to_gateway"] = ("TCP PSH,ACK A -> the gateway with 10 payload bytes (a connection it never had)",
                                    a_tcp("PA", 0x01020305, ack=0xA0B0C0D0, size=10, dport=80))
    f["tcp_ack_data_to_gateway_expected_reset"] = ("the answer: RST, seq = the segment's ack, no ACK",
                                                   a_reset(80, 45678, 0xA0B0C0D0, 0, "R"))
    f["tcp_syn_fin_data_to_gateway"] = ("TCP SYN,FIN A -> the gateway with 5 payload bytes, seq just below 2^32",
                                        a_tcp("SF", 0xFFFFFFFE, size=5, dport=23))
    f["tcp_syn_fin_data_to_gateway_expected_reset"] = ("the answer: ack = seq + 5 + SYN + FIN, wrapped to 5",
                                                       a_reset(23, 45678, 0, 5, "RA"))
    f["tcp_rst_to_gateway"] = ("TCP RST A -> the gateway: never answered", a_tcp("R", 0x01020304, dport=22))
    f["tcp_syn_bad_checksum_to_gateway"] = ("TCP SYN A -> the gateway with a wrong TCP checksum",
                                            a_tcp("S", 0x11223344, chksum=0x1234))
    f["tcp_syn_from_broadcast_to_gateway"] = ("TCP SYN from 10.0.0.255, net0's directed broadcast, to the gateway",
                                              Ether(dst=GW_MAC, src=A_MAC) / IP(src="10.0.0.255", dst=GW_IP, ttl=64) /
                                              TCP(sport=45678, dport=22, seq=1, flags="S"))
    f["tcp_truncated_to_gateway"] = ("IPv4 to the gateway with only 12 bytes of TCP header",
                                     Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst=GW_IP, proto=6) /
                                     Raw(bytes(TCP(sport=45678, dport=22, seq=1, flags="S"))[:12]))
    f["tcp_data_offset_beyond_segment_to_gateway"] = ("TCP SYN to the gateway claiming a 60-byte header in a 20-byte segment",
                                                      Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst=GW_IP, ttl=64) /
                                                      TCP(sport=45678, dport=22, seq=1, flags="S", dataofs=15))
    f["tcp_syn_options_to_gateway"] = ("TCP SYN A -> the gateway with an IP router-alert option (IHL 6) and MSS, SACK-permitted, "
                                       "timestamps, NOP, window scale (data offset 10)",
                                       a_tcp("S", 0x55667788, dport=443, ip_options=[IPOption_Router_Alert()],
                                             options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (12345, 0)), ("NOP", None),
                                                      ("WScale", 7)]))
    f["tcp_syn_options_to_gateway_expected_reset"] = ("the answer: fresh 20-byte IP and TCP headers, no options",
                                                      a_reset(443, 45678, 0, 0x55667789, "RA"))
    f["tcp_syn_vlan10_to_gateway"] = ("TCP SYN A -> the gateway's port 22 in VLAN 10, tagged",
                                      Ether(dst=GW_MAC, src=A_MAC) / Dot1Q(vlan=10, prio=0) / syn[IP])
    f["tcp_syn_vlan10_to_gateway_expected_reset"] = ("the answer, tagged VLAN 10",
                                                     reset(A_MAC, GW_MAC, GW_IP, A_IP, 22, 45678, 0, 0x11223345, "RA", vlan=10))
    f["tcp_syn_to_uplink_from_outside"] = ("TCP SYN 198.51.100.7 -> the uplink address's unpublished port 8080, through the router",
                                           Ether(dst=UPLINK_MAC, src=ROUTER_MAC) / IP(src=OUTSIDE_IP, dst=UPLINK_IP, id=0x77, ttl=50) /
                                           TCP(sport=51000, dport=8080, seq=0x0BADCAFE, flags="S", window=65535,
                                               options=[("MSS", 1460)]))
    f["tcp_syn_to_uplink_from_outside_expected_reset"] = ("the uplink's answer: from the uplink address and MAC, to the router",
                                                          reset(ROUTER_MAC, UPLINK_MAC, UPLINK_IP, OUTSIDE_IP, 8080, 51000, 0,
                                                                0x0BADCAFF, "RA"))


def bad_ip_checksum(pkt):
    raw = bytearray(bytes(pkt))
    good = (raw[24] << 8) | raw[25]
    bad = good ^ 0x0101
    raw[24], raw[25] = bad >> 8, bad & 0xFF
    return Ether(bytes(raw))


def corner_echo():
    """A ping whose reply is the RFC 1624 section 3 corner: its ICMP checksum is 0xF7FF, so the reply's
    data sums to one's-complement zero and its checksum, computed from scratch, is 0x0000 (equation 2
    of RFC 1624 would give 0xFFFF). The sequence number is searched for; the search is deterministic."""
    for seq in range(0x10000):
        p = Ether(dst=GW_MAC, src=A_MAC) / IP(src=A_IP, dst=GW_IP, id=0x1234, flags="DF", ttl=64) / \
            ICMP(type=8, id=0x77, seq=seq) / Raw(payload(8))
        p = Ether(bytes(p))
        if p[ICMP].chksum == 0xF7FF:
            return p
    raise RuntimeError("no corner sequence number")


def corner_reply():
    seq = corner_echo()[ICMP].seq
    return Ether(dst=A_MAC, src=GW_MAC) / IP(src=GW_IP, dst=A_IP, id=0x1234, flags="DF", ttl=64) / \
        ICMP(type=0, id=0x77, seq=seq) / Raw(payload(8))


def mac_of(value):
    if isinstance(value, bytes):  # scapy keeps a non-Ethernet ARP hardware address as raw bytes
        return ":".join("%02x" % b for b in value)
    return str(value).lower()


def facts(raw):
    """What scapy reads in the frame, layer by layer, from its bytes alone."""
    out = {"frame.length": len(raw)}
    if len(raw) < 14:
        return out
    p = Ether(raw)
    out["eth.dst"] = mac_of(p.dst)
    out["eth.src"] = mac_of(p.src)
    out["eth.type"] = "0x%04x" % ((raw[12] << 8) | raw[13])
    layer = p.payload
    tags = 0
    while isinstance(layer, (Dot1Q, Dot1AD)) and len(bytes(layer)) >= 4:
        tags += 1
        key = "vlan%d." % tags
        out[key + "offset"] = len(raw) - len(bytes(layer)) - 2
        out[key + "prio"] = layer.prio
        out[key + "dei"] = layer.id
        out[key + "vid"] = layer.vlan
        out[key + "type"] = "0x%04x" % layer.type
        layer = layer.payload
    out["vlan.count"] = tags

    def offset_of(cls):
        return len(raw) - len(bytes(p[cls]))

    if ARP in p and not isinstance(p[ARP].payload, Raw) and len(bytes(p[ARP])) >= 28:
        a = p[ARP]
        out.update({"arp.offset": offset_of(ARP), "arp.hwtype": a.hwtype, "arp.ptype": "0x%04x" % a.ptype,
                    "arp.hwlen": a.hwlen, "arp.plen": a.plen, "arp.op": a.op, "arp.hwsrc": mac_of(a.hwsrc),
                    "arp.psrc": a.psrc, "arp.hwdst": mac_of(a.hwdst), "arp.pdst": a.pdst})
    if IP in p and len(bytes(p[IP])) >= 20:
        ip = p[IP]
        off = offset_of(IP)
        ihl = ip.ihl * 4
        header = raw[off:off + ihl]
        out.update({"ip.offset": off, "ip.version": ip.version, "ip.ihl": ihl, "ip.tos": ip.tos, "ip.len": ip.len,
                    "ip.id": ip.id, "ip.flags": int(ip.flags), "ip.frag": ip.frag,
                    "ip.is_fragment": bool(int(ip.flags) & 1 or ip.frag), "ip.ttl": ip.ttl, "ip.proto": ip.proto,
                    "ip.chksum": "0x%04x" % ip.chksum, "ip.src": ip.src, "ip.dst": ip.dst})
        if ihl >= 20 and len(header) == ihl:
            out["ip.chksum_valid"] = checksum(header) == 0
        l4 = raw[off + ihl:off + ip.len] if off + ip.len <= len(raw) else None
        if ICMP in p and l4 is not None and len(l4) >= 8:
            c = p[ICMP]
            out.update({"icmp.offset": off + ihl, "icmp.length": len(l4), "icmp.type": c.type, "icmp.code": c.code,
                        "icmp.chksum": "0x%04x" % c.chksum, "icmp.chksum_valid": checksum(l4) == 0})
            if c.type in (0, 8):
                out.update({"icmp.id": c.id, "icmp.seq": c.seq})
        if TCP in p and l4 is not None and len(l4) >= 20:
            t = p[TCP]
            out.update({"tcp.offset": off + ihl, "tcp.length": len(l4), "tcp.sport": t.sport, "tcp.dport": t.dport,
                        "tcp.seq": t.seq, "tcp.ack": t.ack, "tcp.dataofs": t.dataofs * 4, "tcp.flags": int(t.flags),
                        "tcp.window": t.window, "tcp.chksum": "0x%04x" % t.chksum, "tcp.urgptr": t.urgptr,
                        "tcp.chksum_valid": in4_chksum(6, ip, l4) == 0})
        if UDP in p and l4 is not None and len(l4) >= 8:
            u = p[UDP]
            out.update({"udp.offset": off + ihl, "udp.sport": u.sport, "udp.dport": u.dport, "udp.len": u.len,
                        "udp.chksum": "0x%04x" % u.chksum, "udp.chksum_valid": in4_chksum(17, ip, l4) == 0})
    if IPv6 in p and len(bytes(p[IPv6])) >= 40:
        v6 = p[IPv6]
        off = offset_of(IPv6)
        out.update({"ipv6.offset": off, "ipv6.version": v6.version, "ipv6.tc": v6.tc, "ipv6.fl": v6.fl,
                    "ipv6.plen": v6.plen, "ipv6.nh": v6.nh, "ipv6.hlim": v6.hlim, "ipv6.src": v6.src, "ipv6.dst": v6.dst,
                    "ipv6.src.high": "0x" + raw[off + 8:off + 16].hex(), "ipv6.src.low": "0x" + raw[off + 16:off + 24].hex(),
                    "ipv6.dst.high": "0x" + raw[off + 24:off + 32].hex(), "ipv6.dst.low": "0x" + raw[off + 32:off + 40].hex()})
        if TCP in p:
            t = p[TCP]
            out.update({"tcp.offset": off + 40, "tcp.sport": t.sport, "tcp.dport": t.dport, "tcp.seq": t.seq,
                        "tcp.dataofs": t.dataofs * 4, "tcp.flags": int(t.flags), "tcp.window": t.window})
    return out


def write(name, description, pkt):
    raw = bytes(pkt)
    with open(os.path.join(OUT, name + ".hex"), "w") as fh:
        fh.write(raw.hex() + "\n")
    with open(os.path.join(OUT, name + ".properties"), "w") as fh:
        fh.write("# %s\n# written by src/test/scapy/make_fixtures.py from scapy's own dissection\n" % description)
        for key, value in sorted(facts(raw).items()):
            if isinstance(value, bool):
                value = "true" if value else "false"
            fh.write("%s=%s\n" % (key, value))


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.endswith(".hex") or old.endswith(".properties") or old == "index":
            os.remove(os.path.join(OUT, old))
    table = frames()
    for name, (description, pkt) in sorted(table.items()):
        write(name, description, pkt)
    with open(os.path.join(OUT, "index"), "w") as fh:
        fh.write("".join(name + "\n" for name in sorted(table)))
    with open(os.path.join(OUT, "README"), "w") as fh:
        fh.write("Test frames built by scapy: NAME.hex (the frame) and NAME.properties (scapy's dissection of it).\n"
                 "Regenerate: /usr/bin/python3 dataplane/src/test/scapy/make_fixtures.py  (needs python3-scapy)\n")
    print("wrote %d frames to %s" % (len(table), os.path.normpath(OUT)), file=sys.stderr)


if __name__ == "__main__":
    main()
