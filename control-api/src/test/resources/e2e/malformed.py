#!/usr/bin/python3
"""Sends malformed and unsupported frames on an interface, N of each kind, built by scapy.

usage: malformed.py IFACE GATEWAY_MAC GATEWAY_IP N
Prints one line per kind: the kind and how many frames were sent. Each kind is one that Wharf
must drop under a named reason (see MalformedFramesEndToEndTest).
"""
import sys
import time

from scapy.all import ARP, Dot1AD, Dot1Q, Dot3, Ether, ICMP, IP, LLC, Raw, STP, conf, get_if_hwaddr

iface, gw_mac, gw_ip, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
me = get_if_hwaddr(iface)
my_ip = "10.10.0.2"


def bad_ip_checksum():
    p = Ether(src=me, dst=gw_mac) / IP(src=my_ip, dst=gw_ip) / ICMP() / Raw(b"x" * 32)
    p = Ether(bytes(p))
    p[IP].chksum ^= 0x5555
    return p


def bad_icmp_checksum():
    p = Ether(src=me, dst=gw_mac) / IP(src=my_ip, dst=gw_ip) / ICMP(type=8) / Raw(b"y" * 32)
    p = Ether(bytes(p))
    p[ICMP].chksum ^= 0x1111
    return p


def truncated_ip():
    raw = bytes(Ether(src=me, dst=gw_mac) / IP(src=my_ip, dst=gw_ip) / ICMP())
    return Raw(raw[:14 + 12])


def short_ihl():
    raw = bytearray(bytes(Ether(src=me, dst=gw_mac) / IP(src=my_ip, dst=gw_ip) / ICMP() / Raw(b"z" * 20)))
    raw[14] = 0x43  # version 4, IHL 3 (12 bytes): below the minimum of 5
    return Raw(bytes(raw))


def long_total_length():
    p = Ether(src=me, dst=gw_mac) / IP(src=my_ip, dst=gw_ip, len=1400) / ICMP() / Raw(b"w" * 20)
    return p


def truncated_arp():
    raw = bytes(Ether(src=me, dst=gw_mac) / ARP(op=1, hwsrc=me, psrc=my_ip, pdst=gw_ip))
    return Raw(raw[:14 + 10])


kinds = {
    "multicast-source": lambda: Ether(src="01:00:5e:00:00:01", dst="ff:ff:ff:ff:ff:ff") / IP(dst="10.10.0.255") / ICMP(),
    "zero-source": lambda: Ether(src="00:00:00:00:00:00", dst="ff:ff:ff:ff:ff:ff") / IP(dst="10.10.0.255") / ICMP(),
    "tagged-on-access": lambda: Ether(src=me, dst="ff:ff:ff:ff:ff:ff") / Dot1Q(vlan=42) / IP(dst="10.10.0.255") / ICMP(),
    "qinq": lambda: Ether(src=me, dst="ff:ff:ff:ff:ff:ff") / Dot1AD(vlan=5) / Dot1Q(vlan=6) / IP() / ICMP(),
    "llc": lambda: Dot3(src=me, dst="ff:ff:ff:ff:ff:ff") / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / Raw(b"\x00" * 40),
    "stp-bpdu": lambda: Dot3(src=me, dst="01:80:c2:00:00:00") / LLC(dsap=0x42, ssap=0x42, ctrl=3) / STP(),
    "bad-ip-checksum": bad_ip_checksum,
    "bad-icmp-checksum": bad_icmp_checksum,
    "truncated-ip": truncated_ip,
    "short-ihl": short_ihl,
    "long-total-length": long_total_length,
    "truncated-arp": truncated_arp,
}

conf.verb = 0
sock = conf.L2socket(iface=iface)
try:
    for name, make in kinds.items():
        frame = bytes(make())
        for i in range(n):
            sock.send(frame)
            if i % 32 == 31:
                time.sleep(0.002)  # bursts of 32: the test judges classification, not a 2-core scheduler under load
        print(name, n, flush=True)
finally:
    sock.close()
