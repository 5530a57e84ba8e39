package dev.wharf.io;

import dev.wharf.dataplane.protocol.IcmpFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * An IPv4 ICMP echo client as ping(8) opens one, for checks that must not depend on iputils
 * ({@code wharf demo} runs one inside each container's namespace). It prefers a Linux ping socket,
 * {@code socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)}: the kernel picks the echo identifier, fills in the
 * checksum and delivers only the replies to this socket, without their IPv4 header. The kernel grants
 * one only to a group inside the namespace's {@code net.ipv4.ping_group_range}, which is empty
 * ("1 0") in a fresh namespace, for root too; then, as ping does, it falls back to a raw ICMP socket
 * (needs CAP_NET_RAW), which receives every ICMP message of the namespace with its IPv4 header, so
 * replies are matched here by identifier, source and checksum.
 *
 * <p>Setup path, one thread at a time: the buffers are allocated once when the socket opens.
 */
public final class IcmpEchoSocket implements AutoCloseable
{
    /** The kind of socket the kernel granted. */
    public enum Kind
    {
        PING("ping socket", Syscalls.SOCK_DGRAM),
        RAW("raw socket", Syscalls.SOCK_RAW);

        private final String description;
        private final int socketType;

        Kind(final String description, final int socketType)
        {
            this.description = description;
            this.socketType = socketType;
        }

        public String description()
        {
            return description;
        }
    }

    public static final int MAX_PAYLOAD_LENGTH = 1024;

    private static final int ADDRESS_OFFSET = 0;
    private static final int ADDRESS_LENGTH_OFFSET = SockaddrInFlyweight.LENGTH;
    private static final int SEND_OFFSET = 64;
    private static final int RECEIVE_OFFSET = 2048;
    /** Room for a reply to the largest request with the largest IPv4 header in front (raw sockets). */
    private static final int RECEIVE_LENGTH = 2048;

    private final LibC libc;
    private final Kind kind;
    private final int fd;
    /** A raw socket's echo identifier; a ping socket's is the kernel's (its "port"), put in by the kernel. */
    private final int identifier;
    private final UnsafeBuffer memory = NativeMemory.allocate(RECEIVE_OFFSET + RECEIVE_LENGTH);
    private final UnsafeBuffer pollFd = NativeMemory.allocate(PollFdFlyweight.LENGTH);
    private final IcmpFlyweight icmp = new IcmpFlyweight();
    private final SockaddrInFlyweight address = new SockaddrInFlyweight();
    private int replyLength;
    private boolean closed;

    private IcmpEchoSocket(final LibC libc, final Kind kind, final int fd)
    {
        this.libc = libc;
        this.kind = kind;
        this.fd = fd;
        this.identifier = kind == Kind.RAW ? (int)(ProcessHandle.current().pid() & 0xFFFF) : 0;
        PollFdFlyweight.set(pollFd, 0, fd, Syscalls.POLLIN);
    }

    /** Opens a ping socket, or a raw ICMP socket where the kernel refuses a ping socket to this process's groups. */
    public static IcmpEchoSocket open() throws IOException
    {
        final LibC libc = libc();
        final int pingFd = socket(libc, Kind.PING);
        if (pingFd >= 0)
        {
            return new IcmpEchoSocket(libc, Kind.PING, pingFd);
        }
        final String pingError = Syscalls.describe(Syscalls.errno());
        final int rawFd = socket(libc, Kind.RAW);
        if (rawFd >= 0)
        {
            return new IcmpEchoSocket(libc, Kind.RAW, rawFd);
        }
        throw new IOException("cannot open an ICMP socket: a ping socket: " + pingError +
            " (granted to the groups in net.ipv4.ping_group_range), a raw socket: " + Syscalls.lastError() + " (needs CAP_NET_RAW)");
    }

    /** Opens a socket of this kind only. */
    public static IcmpEchoSocket open(final Kind kind) throws IOException
    {
        final LibC libc = libc();
        final int fd = socket(libc, kind);
        if (fd < 0)
        {
            throw new IOException("cannot open an ICMP " + kind.description + ": " + Syscalls.lastError());
        }
        return new IcmpEchoSocket(libc, kind, fd);
    }

    private static LibC libc() throws IOException
    {
        if (!Syscalls.isAvailable())
        {
            throw new IOException("cannot open an ICMP socket: the C library is not available: " + Syscalls.unavailabilityCause());
        }
        return Syscalls.libc();
    }

    private static int socket(final LibC libc, final Kind kind)
    {
        return libc.socket(Syscalls.AF_INET, kind.socketType | Syscalls.SOCK_CLOEXEC, Syscalls.IPPROTO_ICMP);
    }

    public Kind kind()
    {
        return kind;
    }

    /**
     * Sends an echo request with {@code payloadLength} bytes of a counting pattern to {@code destination}
     * (an address in host order of its dotted form, as {@link Ipv4Address#parse} returns).
     */
    public void sendEchoRequest(final int destination, final int sequence, final int payloadLength) throws IOException
    {
        if (payloadLength < 0 || payloadLength > MAX_PAYLOAD_LENGTH)
        {
            throw new IllegalArgumentException("payload length " + payloadLength + " is not within 0.." + MAX_PAYLOAD_LENGTH);
        }
        final int length = IcmpFlyweight.HEADER_LENGTH + payloadLength;
        icmp.wrap(memory, SEND_OFFSET)
            .type(IcmpFlyweight.TYPE_ECHO_REQUEST)
            .code(0)
            .restOfHeader((identifier << 16) | (sequence & 0xFFFF));
        for (int i = 0; i < payloadLength; i++)
        {
            memory.putByte(SEND_OFFSET + IcmpFlyweight.HEADER_LENGTH + i, (byte)i);
        }
        // a raw socket sends the message as it is; a ping socket recomputes it over the identifier it puts in
        icmp.updateChecksum(length);
        address.wrapForWrite(memory, ADDRESS_OFFSET).address(destination);
        final long sent = libc.sendto(fd, memory.addressOffset() + SEND_OFFSET, length, 0,
            memory.addressOffset() + ADDRESS_OFFSET, SockaddrInFlyweight.LENGTH);
        if (sent != length)
        {
            throw new IOException("cannot send an echo request to " + Ipv4Address.toString(destination) + ": " +
                (sent < 0 ? Syscalls.lastError() : "the kernel took " + sent + " of " + length + " bytes"));
        }
    }

    /**
     * Waits until {@code deadlineNs} ({@link System#nanoTime()}) for an echo reply to this socket from
     * {@code source}, skipping any other message.
     *
     * @return the reply's sequence number, or -1 when none came in time.
     */
    public int receiveEchoReply(final int source, final long deadlineNs) throws IOException
    {
        while (true)
        {
            final long remainingNs = deadlineNs - System.nanoTime();
            if (remainingNs <= 0)
            {
                return -1;
            }
            final int timeoutMs = (int)Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(remainingNs + 999_999)));
            final int ready = libc.poll(pollFd.addressOffset(), 1, timeoutMs);
            if (ready < 0 && Syscalls.errno() != Syscalls.EINTR)
            {
                throw new IOException("cannot wait for echo replies: " + Syscalls.lastError());
            }
            if (ready <= 0)
            {
                continue;
            }
            memory.putInt(ADDRESS_LENGTH_OFFSET, SockaddrInFlyweight.LENGTH, ByteOrder.nativeOrder());
            final long received = libc.recvfrom(fd, memory.addressOffset() + RECEIVE_OFFSET, RECEIVE_LENGTH, Syscalls.MSG_DONTWAIT,
                memory.addressOffset() + ADDRESS_OFFSET, memory.addressOffset() + ADDRESS_LENGTH_OFFSET);
            if (received < 0)
            {
                final int errno = Syscalls.errno();
                if (errno == Syscalls.EAGAIN || errno == Syscalls.EINTR)
                {
                    continue;
                }
                throw new IOException("cannot receive echo replies: " + Syscalls.describe(errno));
            }
            final int sequence = echoReplySequence((int)received, source);
            if (sequence >= 0)
            {
                return sequence;
            }
        }
    }

    /** The ICMP length (header and payload) of the last reply {@link #receiveEchoReply} returned. */
    public int replyLength()
    {
        return replyLength;
    }

    private int echoReplySequence(final int length, final int source)
    {
        if (SockaddrInFlyweight.address(memory, ADDRESS_OFFSET) != source)
        {
            return -1;
        }
        int offset = RECEIVE_OFFSET;
        int icmpLength = length;
        if (kind == Kind.RAW)
        {
            final int headerLength = (memory.getByte(RECEIVE_OFFSET + Ipv4Flyweight.VERSION_IHL_OFFSET) & 0x0F) * 4;
            if (length < Ipv4Flyweight.MIN_HEADER_LENGTH || headerLength < Ipv4Flyweight.MIN_HEADER_LENGTH || length < headerLength ||
                (memory.getByte(RECEIVE_OFFSET + Ipv4Flyweight.PROTOCOL_OFFSET) & 0xFF) != Ipv4Flyweight.PROTOCOL_ICMP)
            {
                return -1;
            }
            offset += headerLength;
            icmpLength -= headerLength;
        }
        if (icmpLength < IcmpFlyweight.HEADER_LENGTH)
        {
            return -1;
        }
        icmp.wrap(memory, offset);
        if (icmp.type() != IcmpFlyweight.TYPE_ECHO_REPLY || icmp.code() != 0)
        {
            return -1;
        }
        // a raw socket also sees other processes' replies, and messages the kernel has not checked
        if (kind == Kind.RAW && (icmp.identifier() != identifier || !icmp.isChecksumValid(icmpLength)))
        {
            return -1;
        }
        replyLength = icmpLength;
        return icmp.sequence();
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            libc.close(fd);
            NativeMemory.free(memory);
            NativeMemory.free(pollFd);
        }
    }
}
