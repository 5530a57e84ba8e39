package dev.wharf.io;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Sets up one AF_PACKET socket for an {@link AfPacketQueue}: options in the order the kernel demands
 * (version, vnet header and reserve before the rings; rings before mmap; bind before fanout), with
 * one-line errors naming the interface and the step. Setup path only (control plane thread).
 */
final class PacketSocket
{
    static final int SOL_PACKET = 263;
    static final int PACKET_RESERVE = 12;
    static final int PACKET_RX_RING = 5;
    static final int PACKET_TX_RING = 13;
    static final int PACKET_LOSS = 14;
    static final int PACKET_VNET_HDR = 15;
    static final int PACKET_VERSION = 10;
    static final int PACKET_FANOUT = 18;
    static final int PACKET_QDISC_BYPASS = 20;
    static final int PACKET_IGNORE_OUTGOING = 23;
    static final int TPACKET_V3 = 2;

    static final int PACKET_FANOUT_HASH = 0;
    static final int PACKET_FANOUT_FLAG_UNIQUEID = 0x2000;

    /** Receive frame size for the V3 geometry check; V3 packs frames of any size into a block. */
    static final int RX_FRAME_SIZE = 2048;
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

    void ring(final int option, final int blockSize, final int blockCount, final int frameSize, final int retireMs, final String what)
        throws PortException
    {
        new TpacketReq3Flyweight().wrap(scratch, 0)
            .blockSize(blockSize)
            .blockCount(blockCount)
            .frameSize(frameSize)
            .frameCount((blockSize / frameSize) * blockCount)
            .retireBlockTimeoutMs(retireMs);
        if (libc.setsockopt(fd, SOL_PACKET, option, scratch.addressOffset(), TpacketReq3Flyweight.LENGTH) < 0)
        {
            throw new PortException("cannot set up the " + what + " of " + interfaceName + " (" + blockCount + " blocks of " +
                blockSize + " bytes): " + Syscalls.lastError());
        }
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
     * Joins the port's fanout group; the first socket asks the kernel for an unused group id, so two
     * ports (or two processes) never share a group by accident.
     *
     * @return the group id.
     */
    int joinFanout(final int groupId) throws PortException
    {
        final int request = groupId < 0 ?
            (PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_UNIQUEID) << 16 : (PACKET_FANOUT_HASH << 16) | groupId;
        setInt(SOL_PACKET, PACKET_FANOUT, request, "PACKET_FANOUT");
        return groupId < 0 ? getInt(SOL_PACKET, PACKET_FANOUT, "the fanout group") & 0xFFFF : groupId;
    }

    /** Frees the setup scratch memory; the descriptor now belongs to the queue. */
    void releaseSetupMemory()
    {
        NativeMemory.free(scratch);
    }
}
