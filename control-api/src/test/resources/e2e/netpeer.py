#!/usr/bin/python3
"""Tiny peers for Wharf's NAT end-to-end tests: every server names the peer address it sees.

  netpeer.py tcp-server PORT NAME        one line per connection: "who=NAME peer=IP:PORT"; then echoes lines
  netpeer.py udp-server PORT NAME        answers each datagram with "who=NAME peer=IP:PORT"
  netpeer.py tcp-client HOST PORT        prints the server's first line; exit 1 if no connection in 5 s
  netpeer.py tcp-parallel HOST PORT N    N connections at once; prints "ok=K" then each reply line
  netpeer.py tcp-sources HOST PORT A,B.. one connection from each source address in turn (each one of the
                                         namespace's own); prints "src=A " and the server's first line for each
  netpeer.py udp-client HOST PORT        connected UDP socket: prints the reply, "refused" on ICMP
                                         port unreachable (exit 2), exit 1 on silence
  netpeer.py udp-ttl HOST PORT TTL       connected UDP socket sending with IP_TTL=TTL: prints the ICMP error
                                         the kernel matched to the socket ("icmp type=T code=C from=IP"),
                                         exit 1 if none came
  netpeer.py udp-flood HOST N            N datagrams from N source ports to N destination ports
  netpeer.py tcp-stream HOST PORT SECS   a line every 100 ms on one connection for SECS seconds;
                                         prints "replies=K errors=E maxgap_ms=G"
  netpeer.py tcp-hold HOST PORT SECS     one connection: prints the server's first line, then a line every
                                         100 ms for up to SECS seconds; prints "end=reset after_ms=T" when the
                                         connection is reset, "end=closed after_ms=T", or "end=held ticks=K"
  netpeer.py udp-pair HOST PORT FILE     one UDP socket: prints the reply to a first datagram, waits (20 s at
                                         most) until FILE exists, prints the reply to a second one
"""
import select
import socket
import socketserver
import struct
import sys
import threading
import time


def tcp_server(port, name):
    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            peer = self.client_address
            self.wfile.write(("who=%s peer=%s:%d\n" % (name, peer[0], peer[1])).encode())
            for line in self.rfile:
                self.wfile.write(line)

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    socketserver.ThreadingTCPServer.daemon_threads = True
    # socketserver listens with a backlog of 5: a burst of 20 connections (tcp-parallel) overflows the
    # accept queue and the kernel drops handshakes, which then wait out SYN-ACK backoff, not the switch
    socketserver.ThreadingTCPServer.request_queue_size = 128
    with socketserver.ThreadingTCPServer(("0.0.0.0", port), Handler) as server:
        print("listening", flush=True)
        server.serve_forever()


def udp_server(port, name):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    print("listening", flush=True)
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(("who=%s peer=%s:%d\n" % (name, peer[0], peer[1])).encode(), peer)


def tcp_client(host, port):
    # SYN retransmits cover the first packet the router drops while it resolves the neighbour
    with socket.create_connection((host, port), timeout=5) as s:
        s.settimeout(5)
        print(s.makefile().readline().strip())


def tcp_sources(host, port, sources):
    for source in sources.split(","):
        with socket.create_connection((host, port), timeout=5, source_address=(source, 0)) as s:
            s.settimeout(5)
            print("src=%s %s" % (source, s.makefile().readline().strip()), flush=True)


def tcp_parallel(host, port, n):
    replies = []
    lock = threading.Lock()

    def one():
        try:
            with socket.create_connection((host, port), timeout=10) as s:
                s.settimeout(10)
                line = s.makefile().readline().strip()
                if line:
                    with lock:
                        replies.append(line)
        except OSError as e:
            with lock:
                replies.append("error " + str(e))

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    ok = [r for r in replies if r.startswith("who=")]
    print("ok=%d" % len(ok))
    for r in replies:
        print(r)


def udp_client(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((host, port))
    s.settimeout(1)
    for _ in range(4):  # the first datagram may be dropped while the router resolves the neighbour
        try:
            s.send(b"hello\n")
            print(s.recv(2048).decode().strip())
            return 0
        except ConnectionRefusedError:
            print("refused")
            return 2
        except socket.timeout:
            continue
    return 1


IP_RECVERR = 11  # linux/in.h
SO_EE_ORIGIN_ICMP = 2  # linux/errqueue.h


def udp_ttl(host, port, ttl):
    # the kernel queues an ICMP error on this socket only when the datagram it quotes matches the
    # socket's own addresses and ports: what a NAT must give back
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
    s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
    s.connect((host, port))
    poller = select.poll()
    poller.register(s, select.POLLIN)  # POLLERR, a queued error, is reported whatever is asked for
    for _ in range(4):  # the first datagram may be dropped while the router resolves the neighbour
        try:
            s.send(b"ttl\n")
        except OSError:
            pass  # the error of the previous datagram, reported by this send: it is in the queue
        if not any(events & select.POLLERR for _, events in poller.poll(1000)):
            continue
        _, ancillary, _, _ = s.recvmsg(2048, 512, socket.MSG_ERRQUEUE)
        for level, kind, data in ancillary:
            if level == socket.IPPROTO_IP and kind == IP_RECVERR:
                # struct sock_extended_err (u32 errno, u8 origin, u8 type, u8 code, u8 pad, u32 info, u32 data),
                # then the offender's sockaddr_in
                _, origin, icmp_type, code, _, _, _ = struct.unpack_from("=IBBBBII", data)
                offender = socket.inet_ntoa(data[16 + 4:16 + 8])
                if origin == SO_EE_ORIGIN_ICMP:
                    print("icmp type=%d code=%d from=%s" % (icmp_type, code, offender))
                    return 0
    return 1


def udp_flood(host, n):
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto(b"x", (host, 20000 + i))
        s.close()
    print("sent=%d" % n)


def tcp_stream(host, port, seconds):
    replies = errors = 0
    maxgap = 0.0
    with socket.create_connection((host, port), timeout=5) as s:
        s.settimeout(3)
        reader = s.makefile()
        reader.readline()
        last = time.monotonic()
        end = last + seconds
        while time.monotonic() < end:
            try:
                s.sendall(b"tick\n")
                if reader.readline().strip() == "tick":
                    replies += 1
                    now = time.monotonic()
                    maxgap = max(maxgap, now - last)
                    last = now
                else:
                    errors += 1
            except OSError:
                errors += 1
            time.sleep(0.1)
    print("replies=%d errors=%d maxgap_ms=%d" % (replies, errors, maxgap * 1000))


def tcp_hold(host, port, seconds):
    with socket.create_connection((host, port), timeout=5) as s:
        s.settimeout(3)
        reader = s.makefile()
        print(reader.readline().strip(), flush=True)
        start = time.monotonic()
        ticks = 0
        while time.monotonic() < start + seconds:
            try:
                s.sendall(b"tick\n")
                if reader.readline().strip() != "tick":
                    print("end=closed after_ms=%d" % ((time.monotonic() - start) * 1000), flush=True)
                    return
                ticks += 1
            except ConnectionResetError:
                print("end=reset after_ms=%d" % ((time.monotonic() - start) * 1000), flush=True)
                return
            time.sleep(0.1)
        print("end=held ticks=%d" % ticks, flush=True)


def udp_pair(host, port, path):
    import os
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((host, port))
    s.settimeout(1)

    def ask():
        for _ in range(4):
            try:
                s.send(b"hello\n")
                return s.recv(2048).decode().strip()
            except socket.timeout:
                continue
        return "silence"

    print(ask(), flush=True)
    deadline = time.monotonic() + 20
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    print(ask(), flush=True)


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "tcp-server":
        tcp_server(int(args[0]), args[1])
    elif mode == "udp-server":
        udp_server(int(args[0]), args[1])
    elif mode == "tcp-client":
        tcp_client(args[0], int(args[1]))
    elif mode == "tcp-sources":
        tcp_sources(args[0], int(args[1]), args[2])
    elif mode == "tcp-parallel":
        tcp_parallel(args[0], int(args[1]), int(args[2]))
    elif mode == "udp-client":
        sys.exit(udp_client(args[0], int(args[1])))
    elif mode == "udp-ttl":
        sys.exit(udp_ttl(args[0], int(args[1]), int(args[2])))
    elif mode == "udp-flood":
        udp_flood(args[0], int(args[1]))
    elif mode == "tcp-stream":
        tcp_stream(args[0], int(args[1]), float(args[2]))
    elif mode == "tcp-hold":
        tcp_hold(args[0], int(args[1]), float(args[2]))
    elif mode == "udp-pair":
        udp_pair(args[0], int(args[1]), args[2])
    else:
        sys.exit("unknown mode " + mode)
