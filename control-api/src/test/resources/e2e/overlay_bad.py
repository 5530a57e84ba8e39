#!/usr/bin/python3
"""Sends bad tunnel datagrams to a VTEP's underlay address, N of each kind, built by scapy.

usage: overlay_bad.py VTEP_IP N KIND...
Each kind is a UDP datagram to the VXLAN (4789) or Geneve (6081) port whose tunnel header Wharf must
refuse under a named reason (see OverlayBadInputEndToEndTest). Prints one line per kind sent.
The inner frame, where there is one, is a well-formed broadcast: only the tunnel header is wrong.
"""
import sys

from scapy.all import IP, UDP, Ether, Raw, conf, send

conf.verb = 0
vtep, n, kinds = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
VXLAN_PORT, GENEVE_PORT = 4789, 6081
inner = bytes(Ether(src="02:00:00:00:00:99", dst="ff:ff:ff:ff:ff:ff")
              / IP(src="10.50.0.99", dst="10.50.0.255") / UDP(sport=9, dport=9) / Raw(b"x" * 18))


def vxlan(flags, vni):
    """flags, 24 reserved bits, the VNI, 8 reserved bits (RFC 7348)."""
    return bytes([flags, 0, 0, 0]) + vni.to_bytes(3, "big") + b"\0"


def geneve(option_words, options, vni=42, version=0):
    """version and option length, flags, protocol 0x6558 (Ethernet), the VNI, reserved, options (RFC 8926)."""
    return bytes([(version << 6) | option_words, 0]) + (0x6558).to_bytes(2, "big") + vni.to_bytes(3, "big") + b"\0" + options


def option(critical, data_words, data=None):
    """class 0x0101, type (critical bit on top), length in 4-byte words, data."""
    kind = 0x81 if critical else 0x01
    return (0x0101).to_bytes(2, "big") + bytes([kind, data_words]) + (data if data is not None else b"\0" * (4 * data_words))


KINDS = {
    "vxlan-unknown-vni": (VXLAN_PORT, vxlan(0x08, 4242) + inner),
    "vxlan-truncated": (VXLAN_PORT, b"\x08\0\0\0"),
    "vxlan-no-i-flag": (VXLAN_PORT, vxlan(0x00, 42) + inner),
    "geneve-truncated": (GENEVE_PORT, b"\0\0\x65\x58"),
    "geneve-bad-version": (GENEVE_PORT, geneve(0, b"", version=1) + inner),
    # an option of 5 data words in an option area of 2 words
    "geneve-option-overruns-header": (GENEVE_PORT, geneve(2, option(False, 5, b"\0" * 4)) + inner),
    # a good option, then one whose length runs past the option area's end
    "geneve-second-option-overruns": (GENEVE_PORT, geneve(4, option(False, 1) + option(False, 3, b"\0" * 4)) + inner),
    "geneve-critical-option": (GENEVE_PORT, geneve(2, option(True, 1)) + inner),
    # a well-formed header for a VNI no Geneve network has (the host's VNI 42 network is VXLAN)
    "geneve-unknown-vni": (GENEVE_PORT, geneve(0, b"") + inner),
}

for kind in kinds:
    port, payload = KINDS[kind]
    send(IP(dst=vtep) / UDP(sport=40000, dport=port, chksum=0) / Raw(payload), count=n)
    print(kind)
