#!/usr/bin/python3
"""
Writes the overlay's test datagrams, built by scapy rather than by Wharf's own code, into
src/test/resources/frames/: NAME.hex (the UDP payload of a tunnel datagram: the VXLAN or Geneve
header and the inner frame, as one line of hex) and NAME.properties (what scapy says it holds).

Run from anywhere:  /usr/bin/python3 vxlan/src/test/scapy/make_fixtures.py
Needs python3-scapy (Debian). The output is committed, so the test run itself needs no scapy.
The datagrams are deterministic: running the script again rewrites identical files.
"""

import os

from scapy.all import IP, TCP, UDP, Ether, Raw
from scapy.contrib.geneve import GENEVE, GeneveOptions
from scapy.layers.vxlan import VXLAN

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "frames")

INNER = (Ether(src="02:42:0a:32:00:02", dst="02:42:0a:32:00:03") /
         IP(src="10.50.0.2", dst="10.50.0.3") / UDP(sport=4000, dport=5000) / Raw(bytes(range(32))))


def write(name, packet, **facts):
    raw = bytes(packet)
    with open(os.path.join(OUT, name + ".hex"), "w") as out:
        out.write(raw.hex() + "\n")
    facts.setdefault("length", len(raw))
    facts.setdefault("inner_length", len(bytes(INNER)))
    with open(os.path.join(OUT, name + ".properties"), "w") as out:
        out.write("# built by vxlan/src/test/scapy/make_fixtures.py: " + packet.summary() + "\n")
        for key in sorted(facts):
            out.write("%s=%s\n" % (key, facts[key]))


def main():
    os.makedirs(OUT, exist_ok=True)
    # flags 0x08: only the I bit, as RFC 7348 has it (scapy sets the VXLAN-GPE P bit too unless told)
    write("vxlan_vni42", VXLAN(flags=0x08, vni=42) / INNER, vni=42, header_length=8)
    write("vxlan_vni_max", VXLAN(flags=0x08, vni=0xFFFFFF) / INNER, vni=0xFFFFFF, header_length=8)
    # RFC 7348: reserved bits "MUST be ignored on receipt"; flags other than I set, both reserved fields set
    write("vxlan_reserved_bits", VXLAN(flags=0x08 | 0x80 | 0x01, reserved1=0xABCDEF, vni=42, reserved2=0x77) / INNER,
          vni=42, header_length=8)
    write("vxlan_no_i_flag", VXLAN(flags=0x00, vni=42) / INNER, vni=-1)
    write("geneve_vni42", GENEVE(vni=42, proto=0x6558) / INNER, vni=42, header_length=8)
    # one non-critical option of one 4-byte word of data: 8 bytes of options, so the inner frame starts at 16
    write("geneve_option", GENEVE(vni=42, proto=0x6558, optionlen=2,
                                  options=[GeneveOptions(classid=0x0102, type=0x01, length=1, data=b"\x11\x22\x33\x44")]) / INNER,
          vni=42, header_length=16)
    write("geneve_critical_option", GENEVE(vni=42, proto=0x6558, optionlen=2, critical=1,
                                           options=[GeneveOptions(classid=0x0102, type=0x81, length=1, data=b"\x11\x22\x33\x44")]) / INNER,
          reason="critical-option")
    # the option claims three words of data, the header's option area holds one word after the option header
    write("geneve_bad_option_length", GENEVE(vni=42, proto=0x6558, optionlen=2,
                                             options=[GeneveOptions(classid=0x0102, type=0x01, length=3, data=b"\x11\x22\x33\x44")]) / INNER,
          reason="bad-option-length")
    write("geneve_version_1", GENEVE(version=1, vni=42, proto=0x6558) / INNER, reason="bad-version")
    write("geneve_not_ethernet", GENEVE(vni=42, proto=0x0800) / IP(src="10.50.0.2", dst="10.50.0.3") / UDP(), reason="not-ethernet")
    # the option area runs past the datagram: optionlen 10 words, 4 bytes of it present
    write("geneve_truncated", GENEVE(vni=42, proto=0x6558, optionlen=10) / Raw(b"\x00\x00\x00\x00"), reason="truncated")
    # GRO: four in-order segments of one TCP flow (1,000 bytes each, timestamps, ACK; PSH on the last), as they
    # come out of the tunnel; then segments that must not join them
    base = 1_000_000
    for k in range(4):
        write("gro_seg%d" % k, Ether(src="02:42:0a:32:00:03", dst="02:42:0a:32:00:02") /
              IP(src="10.50.0.3", dst="10.50.0.2", id=100 + k, flags="DF", ttl=64) /
              TCP(sport=5201, dport=40000, seq=base + 1000 * k, ack=777, flags="PA" if k == 3 else "A", window=500,
                  options=[("NOP", None), ("NOP", None), ("Timestamp", (11111, 22222))]) /
              Raw(bytes((k * 31 + i) & 0xFF for i in range(1000))), seq=base + 1000 * k)
    write("gro_other_flow", Ether(src="02:42:0a:32:00:03", dst="02:42:0a:32:00:02") /
          IP(src="10.50.0.3", dst="10.50.0.2", flags="DF") /
          TCP(sport=5202, dport=40000, seq=base + 1000, ack=777, flags="A",
              options=[("NOP", None), ("NOP", None), ("Timestamp", (11111, 22222))]) / Raw(b"x" * 1000))
    write("gro_fin", Ether(src="02:42:0a:32:00:03", dst="02:42:0a:32:00:02") /
          IP(src="10.50.0.3", dst="10.50.0.2", flags="DF") /
          TCP(sport=5201, dport=40000, seq=base + 1000, ack=777, flags="FA",
              options=[("NOP", None), ("NOP", None), ("Timestamp", (11111, 22222))]) / Raw(b"x" * 1000))
    # the whole datagram as tshark or a kernel would see it, for tshark's dissection of ours
    write("vxlan_datagram_ipv4", IP(src="10.200.0.1", dst="10.200.0.2") / UDP(sport=49152, dport=4789) / VXLAN(flags=0x08, vni=42) / INNER,
          vni=42)


if __name__ == "__main__":
    main()
