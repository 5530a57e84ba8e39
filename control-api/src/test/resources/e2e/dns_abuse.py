#!/usr/bin/python3
"""
Hostile DNS traffic from inside a container, for DnsEndToEndTest: built with scapy, sent from a UDP socket to
the gateway's port 53. Bounded in count; prints what it sent.

  dns_abuse.py fuzz SERVER N    N malformed messages: compression loops, cut questions, bad counts, random bytes
  dns_abuse.py flood SERVER N   N well-formed queries as fast as the socket takes them (a rate-limit test)
"""

import random
import socket
import struct
import sys

from scapy.all import DNS, DNSQR


def malformed(rng, i):
    kind = i % 5
    ident = 0x3000 + i
    if kind == 0:  # a question name that points at itself
        return struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c" + struct.pack("!HH", 1, 1)
    if kind == 1:  # two questions announced, one cut short
        return struct.pack("!HHHHHH", ident, 0x0100, 2, 0, 0, 0) + b"\x03abc"
    if kind == 2:  # a header with absurd counts and nothing after it
        return struct.pack("!HHHHHH", ident, 0x0100, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF)
    if kind == 3:  # shorter than a header
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 12)))
    # a valid query with random bytes flipped in its question
    raw = bytearray(bytes(DNS(id=ident, rd=1, qd=DNSQR(qname="web-1", qtype="A"))))
    for _ in range(3):
        raw[rng.randrange(12, len(raw))] = rng.randrange(256)
    return bytes(raw)


def main():
    mode, server, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(42)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = 0
    for i in range(count):
        payload = malformed(rng, i) if mode == "fuzz" else bytes(DNS(id=i & 0xFFFF, rd=1, qd=DNSQR(qname="web-1", qtype="A")))
        sock.sendto(payload, (server, 53))
        sent += 1
    print("sent %d" % sent)


if __name__ == "__main__":
    main()
