package dev.wharf.io;

import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Sets up one AF_PACKET socket for an {@link AfPacketQueue}: options in the order the kernel demands
 * (version, vnet header and reserve before the rings; rings before mmap; bind before fanout, and no
 * bind after it), with one-line errors naming the interface and the step. Setup path only (control
 * plane thread).
 */
final class PacketSocket
{
    static final int SOL_PACKET = 263;
    static final int PACKET_RESERVE = 12;
    static final int PACKET_RX_RING = 5;
    static final int PACKET_STATISTICS = 6;
    static final int PACKET_TX_RING = 13;
    static final int PACKET_LOSS = 14;
    static final int PACKET_VNET_HDR = 15;
    static final int PACKET_VERSION = 10;
    static final int PACKET_FANOUT = 18;
    static final int PACKET_QDISC_BYPASS = 20;
    static final int PACKET_IGNORE_OUTGOING = 23;

    static final int PACKET_FANOUT_HASH = 0;
    static final int PACKET_FANOUT_FLAG_UNIQUEID = 0x2000;
    /** The group's own hook skips frames the host sends (recent kernels only): the members' PACKET_IGNORE_OUTGOING does not reach it. */
    static final int PACKET_FANOUT_FLAG_IGNORE_OUTGOING = 0x4000;

    static final int SO_ATTACH_FILTER = 26;
    static final int SO_DETACH_FILTER = 27;
    /** BPF_RET | BPF_K: a classic BPF program of this one instruction with k = 0 accepts no frame. */
    private static final short BPF_RET_K = 0x06;
    /** struct sock_fprog: a u16 instruction count, padding, then the pointer to the instructions. */
    private static final int SOCK_FPROG_LENGTH = 16;
    private static final int SOCK_FPROG_FILTER_OFFSET = 8;
    private static final int DROP_ALL_PROGRAM_OFFSET = 32;

    /** Receive frame size for the V3 geometry check; V3 packs frames of any size into a block. */
    static final int RX_V3_FRAME_SIZE = 2048;
    /** TPACKET_V2 receive block: 1 MiB (one order-8 allocation) holds 15 frames of {@link #rxV2FrameSize}. */
    static final int RX_V2_BLOCK_SIZE = 1 << 20;
    /** The largest IP packet of a GSO super-frame (the IP length field's limit; BIG TCP is not enabled on veths by default). */
    static final int MAX_IP_PACKET_LENGTH = 65_535;
    /** MAC header room tpacket_rcv may reserve in front of the network header: Ethernet and two in-frame tags, aligned. */
    private static final int MAX_MAC_HEADER_LENGTH = 24;
    private static final int TPACKET_ALIGNMENT = 16;
    /** Enough for a 64 KiB GSO frame, a tag, the virtio-net header and the tpacket3_hdr, three to a 256 KiB block. */
    static final int TX_BLOCK_SIZE = 256 * 1024;
    static final int TX_FRAME_SIZE = (TX_BLOCK_SIZE / 3) & ~15;
    /** Socket buffer: the 208 KiB default overflows under TCP bursts (PLATFORM.md). */
    static final int SOCKET_BUFFER_BYTES = 16 * 1024 * 1024;

    private final String interfaceName;
    private final LibC libc = Syscalls.libc();
    private final UnsafeBuffer scratch = NativeMemory.allocate(64);
    private int fd = -1;

    PacketSocket(final String interfaceName)
    {
        this.interfaceName = interfaceName;
    }

    /** Creates the socket without a protocol, so nothing is queued before it is bound to its interface. */
    int open() throws PortException
    {
        fd = libc.socket(Syscalls.AF_PACKET, Syscalls.SOCK_RAW | Syscalls.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new PortException("cannot open an AF_PACKET socket for " + interfaceName + ": " + Syscalls.lastError());
        }
        return fd;
    }

    void setInt(final int level, final int option, final int value, final String what) throws PortException
    {
        scratch.putInt(0, value, ByteOrder.nativeOrder());
        if (libc.setsockopt(fd, level, option, scratch.addressOffset(), 4) < 0)
        {
            throw new PortException("cannot set " + what + " on " + interfaceName + ": " + Syscalls.lastError());
        }
    }

    /** Like {@link #setInt} for options older kernels lack. @return false when the kernel refused. */
    boolean trySetInt(final int level, final int option, final int value)
    {
        scratch.putInt(0, value, ByteOrder.nativeOrder());
        return libc.setsockopt(fd, level, option, scratch.addressOffset(), 4) == 0;
    }

    int getInt(final int level, final int option, final String what) throws PortException
    {
        scratch.putInt(0, 0, ByteOrder.nativeOrder());
        scratch.putInt(8, 4, ByteOrder.nativeOrder());
        if (libc.getsockopt(fd, level, option, scratch.addressOffset(), scratch.addressOffset() + 8) < 0)
        {
            throw new PortException("cannot read " + what + " of " + interfaceName + ": " + Syscalls.lastError());
        }
        return scratch.getInt(0, ByteOrder.nativeOrder());
    }

    /**
     * Sets up a ring; the socket's PACKET_VERSION decides how the kernel reads the request (V2: the first
     * four fields only). The kernel's rules: blocks a multiple of the page size, frames a multiple of
     * TPACKET_ALIGNMENT and at least tp_hdrlen + reserve, whole frames per block (the rest of a block unused).
     */
    void ring(
        final TpacketVersion version, final int option, final int blockSize, final int blockCount, final int frameSize, final int retireMs,
        final String what) throws PortException
    {
        new TpacketReq3Flyweight().wrap(scratch, 0)
            .blockSize(blockSize)
            .blockCount(blockCount)
            .frameSize(frameSize)
            .frameCount((blockSize / frameSize) * blockCount)
            .retireBlockTimeoutMs(retireMs);
        if (libc.setsockopt(fd, SOL_PACKET, option, scratch.addressOffset(), version.requestLength) < 0)
        {
            throw new PortException("cannot set up the " + what + " of " + interfaceName + " (TPACKET_" + version + ", " + blockCount +
                " blocks of " + blockSize + " bytes, frames of " + frameSize + "): " + Syscalls.lastError());
        }
    }

    /**
     * TPACKET_V2 receive frame size for a GSO super-frame: tpacket_rcv puts the network header at
     * TPACKET_ALIGN(tp_hdrlen + MAC header) + reserve + virtio-net header and copies the rest of the
     * packet after it; a frame that does not fit is truncated (and then dropped by the ring).
     */
    static int rxV2FrameSize(final int vnetLength)
    {
        return align(align(Tpacket2HeaderFlyweight.HDRLEN + MAX_MAC_HEADER_LENGTH) + AfPacketQueue.RESERVE + vnetLength +
            MAX_IP_PACKET_LENGTH);
    }

    private static int align(final int length)
    {
        return BitUtil.align(length, TPACKET_ALIGNMENT);
    }

    long map(final long length) throws PortException
    {
        final long address = libc.mmap(0, length, Syscalls.PROT_READ | Syscalls.PROT_WRITE, Syscalls.MAP_SHARED, fd, 0);
        if (address == Syscalls.MAP_FAILED || address == 0)
        {
            throw new PortException("cannot map the rings of " + interfaceName + " (" + length + " bytes): " + Syscalls.lastError());
        }
        return address;
    }

    void bind(final int interfaceIndex) throws PortException
    {
        new SockaddrLlFlyweight().wrap(scratch, 0)
            .family(Syscalls.AF_PACKET)
            .protocol(SockaddrLlFlyweight.ETH_P_ALL)
            .interfaceIndex(interfaceIndex);
        if (libc.bind(fd, scratch.addressOffset(), SockaddrLlFlyweight.LENGTH) < 0)
        {
            throw new PortException("cannot bind an AF_PACKET socket to " + interfaceName + ": " + Syscalls.lastError());
        }
    }

    /**
     * Attaches a classic BPF program that accepts nothing. A socket bound to an interface receives every
     * frame on it until it joins its port's fanout group, while the group (the sockets that joined before)
     * receives them too: each would be a duplicate. The filter runs on this socket's own deliveries and on
     * the group's deliveries to it alike, so it closes that window; {@link #detachFilter()} opens the
     * socket once every socket of the port is in the group.
     */
    void attachDropAllFilter() throws PortException
    {
        scratch.setMemory(0, DROP_ALL_PROGRAM_OFFSET + 8, (byte)0);
        scratch.putShort(DROP_ALL_PROGRAM_OFFSET, BPF_RET_K, ByteOrder.nativeOrder());
        scratch.putShort(0, (short)1, ByteOrder.nativeOrder());
        scratch.putLong(SOCK_FPROG_FILTER_OFFSET, scratch.addressOffset() + DROP_ALL_PROGRAM_OFFSET, ByteOrder.nativeOrder());
        if (libc.setsockopt(fd, Syscalls.SOL_SOCKET, SO_ATTACH_FILTER, scratch.addressOffset(), SOCK_FPROG_LENGTH) < 0)
        {
            throw new PortException("cannot attach a socket filter on " + interfaceName + ": " + Syscalls.lastError());
        }
    }

    void detachFilter() throws PortException
    {
        setInt(Syscalls.SOL_SOCKET, SO_DETACH_FILTER, 0, "SO_DETACH_FILTER");
    }

    /**
     * Joins the port's fanout group; the first socket asks the kernel for an unused group id, so two
     * ports (or two processes) never share a group by accident. Every member must ask with the same
     * {@code flags}.
     *
     * @return the group id.
     */
    int joinFanout(final int groupId, final int flags) throws PortException
    {
        final int request = groupId < 0 ?
            (PACKET_FANOUT_HASH | flags | PACKET_FANOUT_FLAG_UNIQUEID) << 16 : ((PACKET_FANOUT_HASH | flags) << 16) | groupId;
        setInt(SOL_PACKET, PACKET_FANOUT, request, "PACKET_FANOUT");
        return groupId < 0 ? getInt(SOL_PACKET, PACKET_FANOUT, "the fanout group") & 0xFFFF : groupId;
    }

    /** Like {@link #joinFanout} for a flag older kernels refuse. @return the group id, or -1 when the kernel refused. */
    int tryJoinFanout(final int groupId, final int flags)
    {
        try
        {
            return joinFanout(groupId, flags);
        }
        catch (final PortException ex)
        {
            return -1;
        }
    }

    /** Frees the setup scratch memory; the descriptor now belongs to the queue. */
    void releaseSetupMemory()
    {
        NativeMemory.free(scratch);
    }
}
