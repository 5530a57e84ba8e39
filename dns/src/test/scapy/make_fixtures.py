#!/usr/bin/python3
"""
Writes the DNS tests' frames, built by scapy rather than by Wharf's own code, into
src/test/resources/frames/ as dns_NAME.hex (one line of hex) and dns_NAME.properties (a description
and the DNS id scapy put in). Names start with dns_ so they never shadow the dataplane's fixtures.

Run from anywhere:  /usr/bin/python3 dns/src/test/scapy/make_fixtures.py
The output is committed, so the test run itself needs no scapy. Deterministic.

Topology (DnsServerTest.java): network "front" 10.10.0.0/24 (gateway 10.10.0.1), container c1 10.10.0.2;
network "back" 10.20.0.0/24 (gateway 10.20.0.1).
"""

import os
import struct

from scapy.all import DNS, DNSQR, DNSRROPT, IP, TCP, UDP, Ether, Raw

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "frames")
GW_MAC, C1_MAC = "02:42:0a:0a:00:01", "02:42:0a:0a:00:02"
C1, FRONT_GW, BACK_GW = "10.10.0.2", "10.10.0.1", "10.20.0.1"


def query(dns, dst=FRONT_GW, dport=53):
    return Ether(dst=GW_MAC, src=C1_MAC) / IP(src=C1, dst=dst, id=7, ttl=64) / UDP(sport=40000, dport=dport) / dns


def raw_query(payload):
    return Ether(dst=GW_MAC, src=C1_MAC) / IP(src=C1, dst=FRONT_GW, id=7, ttl=64) / UDP(sport=40000, dport=53) / Raw(payload)


def write(name, description, pkt, dns_id=None):
    raw = bytes(pkt)
    with open(os.path.join(OUT, name + ".hex"), "w") as fh:
        fh.write(raw.hex() + "\n")
    with open(os.path.join(OUT, name + ".properties"), "w") as fh:
        fh.write("# %s\n# written by src/test/scapy/make_fixtures.py\n" % description)
        if dns_id is not None:
            fh.write("dns.id=%d\n" % dns_id)


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.startswith("dns_"):
            os.remove(os.path.join(OUT, old))
    write("dns_query_a_web1", "A web-1 (a container's name)", query(DNS(id=0x1234, rd=1, qd=DNSQR(qname="web-1", qtype="A"))), 0x1234)
    write("dns_query_a_alias_mixed_case", "A WeB (an alias, in mixed case)", query(DNS(id=0x1235, rd=1, qd=DNSQR(qname="WeB.", qtype="A"))), 0x1235)
    write("dns_query_aaaa_web1", "AAAA web-1: the name exists, with no IPv6 address",
          query(DNS(id=0x1236, rd=1, qd=DNSQR(qname="web-1", qtype="AAAA"))), 0x1236)
    write("dns_query_ptr_c2", "PTR of 10.10.0.3 (web-2)", query(DNS(id=0x1237, rd=1, qd=DNSQR(qname="3.0.10.10.in-addr.arpa", qtype="PTR"))), 0x1237)
    write("dns_query_ptr_unknown_in_subnet", "PTR of 10.10.0.99: in the subnet, unknown: NXDOMAIN, not forwarded",
          query(DNS(id=0x1238, rd=1, qd=DNSQR(qname="99.0.10.10.in-addr.arpa", qtype="PTR"))), 0x1238)
    write("dns_query_a_other_network", "A secret-db: a name only network back has",
          query(DNS(id=0x1239, rd=1, qd=DNSQR(qname="secret-db", qtype="A"))), 0x1239)
    write("dns_query_a_external", "A example.org: forwarded",
          query(DNS(id=0x123a, rd=1, qd=DNSQR(qname="example.org", qtype="A"))), 0x123a)
    write("dns_query_a_service_rr", "A web-rr: a round-robin service of 3 backends",
          query(DNS(id=0x123b, rd=1, qd=DNSQR(qname="web-rr", qtype="A"))), 0x123b)
    write("dns_query_a_big_service", "A big: a round-robin service of 60 backends, no EDNS: does not fit 512 bytes",
          query(DNS(id=0x123c, rd=1, qd=DNSQR(qname="big", qtype="A"))), 0x123c)
    write("dns_query_a_big_service_edns", "A big with EDNS (4096): fits 1232 bytes",
          query(DNS(id=0x123d, rd=1, qd=DNSQR(qname="big", qtype="A"), ar=DNSRROPT(rclass=4096))), 0x123d)
    write("dns_query_to_port_5353", "a query to the gateway's port 5353: not DNS's port, answered port unreachable",
          query(DNS(id=0x123e, rd=1, qd=DNSQR(qname="web-1", qtype="A")), dport=5353), 0x123e)
    write("dns_query_to_other_gateway", "a query to back's gateway from a front container: not punted",
          query(DNS(id=0x123f, rd=1, qd=DNSQR(qname="web-1", qtype="A")), dst=BACK_GW), 0x123f)
    # malformed: a name whose compression pointer points at itself (offset 12), two questions cut short, a header only
    write("dns_malformed_compression_loop", "a question name that is a pointer to itself",
          raw_query(struct.pack("!HHHHHH", 0x2001, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c" + struct.pack("!HH", 1, 1)), 0x2001)
    write("dns_malformed_truncated_question", "qdcount 2 with one question's bytes cut short",
          raw_query(struct.pack("!HHHHHH", 0x2002, 0x0100, 2, 0, 0, 0) + b"\x05web-1\x00\x00"), 0x2002)
    write("dns_malformed_short", "five bytes: no DNS header", raw_query(b"\x20\x03\x01\x00\x00"))
    write("dns_response_sent_to_server", "a response (QR set) sent to the server: never answered",
          query(DNS(id=0x2004, qr=1, rd=1, qd=DNSQR(qname="web-1", qtype="A"))), 0x2004)
    write("dns_tcp_syn", "TCP SYN to port 53, MSS 1460, the client's ISS 100",
          Ether(dst=GW_MAC, src=C1_MAC) / IP(src=C1, dst=FRONT_GW, id=8, ttl=64) /
          TCP(sport=40001, dport=53, flags="S", seq=100, window=64240, options=[("MSS", 1460), ("SAckOK", b""), ("NOP", None), ("WScale", 7)]))
    # the query that follows the handshake: length-prefixed (RFC 7766); the test puts our ISS + 1 in the ACK field
    big = bytes(DNS(id=0x4001, rd=1, qd=DNSQR(qname="big", qtype="A")))
    write("dns_tcp_query_big", "ACK+PSH with the length-prefixed query A big (seq 101); its ack field is patched by the test",
          Ether(dst=GW_MAC, src=C1_MAC) / IP(src=C1, dst=FRONT_GW, id=9, ttl=64) /
          TCP(sport=40001, dport=53, flags="PA", seq=101, ack=0, window=64240) / Raw(struct.pack("!H", len(big)) + big), 0x4001)


if __name__ == "__main__":
    main()
