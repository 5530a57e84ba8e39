package dev.wharf.io;

/**
 * The AF_PACKET backend: whether it can run here (Netty's {@code isAvailable()} /
 * {@code unavailabilityCause()} habit) and how a port is opened. Called by the control plane.
 */
public final class AfPacket
{
    private static final Throwable UNAVAILABILITY_CAUSE = probe();

    private AfPacket()
    {
    }

    public static boolean isAvailable()
    {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Why AF_PACKET ports cannot be opened here, or null. */
    public static Throwable unavailabilityCause()
    {
        return UNAVAILABILITY_CAUSE;
    }

    public static void ensureAvailability()
    {
        if (UNAVAILABILITY_CAUSE != null)
        {
            throw new UnsupportedOperationException("AF_PACKET ports are not available: " + UNAVAILABILITY_CAUSE.getMessage(),
                UNAVAILABILITY_CAUSE);
        }
    }

    private static Throwable probe()
    {
        if (!System.getProperty("os.name", "").toLowerCase().startsWith("linux"))
        {
            return new UnsupportedOperationException("AF_PACKET is Linux only");
        }
        if (!Syscalls.isAvailable())
        {
            return Syscalls.unavailabilityCause();
        }
        final LibC libc = Syscalls.libc();
        final int fd = libc.socket(Syscalls.AF_PACKET, Syscalls.SOCK_RAW | Syscalls.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            final int errno = Syscalls.errno();
            final String hint = errno == Syscalls.EPERM || errno == Syscalls.EACCES ? " (needs CAP_NET_RAW)" : "";
            return new UnsupportedOperationException("cannot open an AF_PACKET socket: " + Syscalls.describe(errno) + hint);
        }
        libc.close(fd);
        return null;
    }

    /** Opens {@code interfaceName} with one socket per worker. */
    public static AfPacketPort open(final String interfaceName, final int workers, final PortOptions options) throws PortException
    {
        if (!IfreqFlyweight.isValidName(interfaceName))
        {
            throw new PortException("invalid interface name '" + interfaceName + "'");
        }
        if (workers < 1)
        {
            throw new PortException("cannot open " + interfaceName + " for " + workers + " workers");
        }
        if (!isAvailable())
        {
            throw new PortException("cannot open " + interfaceName + ": " + UNAVAILABILITY_CAUSE.getMessage());
        }
        final int index = Syscalls.libc().if_nametoindex(interfaceName);
        if (index <= 0)
        {
            throw new PortException("interface " + interfaceName + " does not exist");
        }
        final int mtu = NetDevice.mtu(interfaceName);
        if (mtu <= 0)
        {
            throw new PortException("cannot read the MTU of " + interfaceName + ": " + Syscalls.lastError());
        }
        final AfPacketQueue[] queues = new AfPacketQueue[workers];
        final PacketSocket[] sockets = new PacketSocket[workers];
        final boolean fanout = workers > 1;
        int fanoutGroup = -1;
        int fanoutFlags = PacketSocket.PACKET_FANOUT_FLAG_IGNORE_OUTGOING;
        try
        {
            for (int w = 0; w < workers; w++)
            {
                sockets[w] = new PacketSocket(interfaceName);
                queues[w] = openQueue(sockets[w], index, options, mtu, fanout);
                if (fanout && w == 0)
                {
                    fanoutGroup = sockets[w].tryJoinFanout(fanoutGroup, fanoutFlags);
                    if (fanoutGroup < 0)
                    {
                        // an older kernel: outgoing frames reach the group, and the rings skip them instead
                        fanoutFlags = 0;
                        fanoutGroup = sockets[w].joinFanout(fanoutGroup, fanoutFlags);
                    }
                }
                else if (fanout)
                {
                    sockets[w].joinFanout(fanoutGroup, fanoutFlags);
                }
            }
            if (fanout)
            {
                // every socket is in the group now, so each frame reaches exactly one of them
                for (final PacketSocket socket : sockets)
                {
                    socket.detachFilter();
                }
            }
        }
        catch (final PortException | RuntimeException ex)
        {
            for (final AfPacketQueue queue : queues)
            {
                if (queue != null)
                {
                    queue.close();
                }
            }
            throw ex;
        }
        finally
        {
            for (final PacketSocket socket : sockets)
            {
                if (socket != null)
                {
                    socket.releaseSetupMemory();
                }
            }
        }
        return new AfPacketPort(interfaceName, index, options.offloads(), options.ringVersion(), queues, fanoutGroup,
            fanoutGroup >= 0 && fanoutFlags != 0, mtu);
    }

    /**
     * Opens one worker's socket with both rings mapped, bound to the interface. With {@code closed}, the
     * socket accepts no frame until its filter is detached (see {@link PacketSocket#attachDropAllFilter()}).
     */
    static AfPacketQueue openQueue(
        final PacketSocket socket, final int interfaceIndex, final PortOptions options, final int mtu, final boolean closed)
        throws PortException
    {
        final int fd = socket.open();
        long address = 0;
        long length = 0;
        try
        {
            if (closed)
            {
                socket.attachDropAllFilter();
            }
            final TpacketVersion version = options.ringVersion();
            socket.setInt(PacketSocket.SOL_PACKET, PacketSocket.PACKET_VERSION, version.id, "TPACKET_" + version);
            final int vnetLength = options.offloads() ? VirtioNetHeaderFlyweight.LENGTH : 0;
            if (options.offloads())
            {
                socket.setInt(PacketSocket.SOL_PACKET, PacketSocket.PACKET_VNET_HDR, 1, "PACKET_VNET_HDR");
            }
            socket.setInt(PacketSocket.SOL_PACKET, PacketSocket.PACKET_RESERVE, AfPacketQueue.RESERVE, "PACKET_RESERVE");
            // a malformed frame in the transmit ring is skipped instead of stopping the ring
            socket.setInt(PacketSocket.SOL_PACKET, PacketSocket.PACKET_LOSS, 1, "PACKET_LOSS");
            final int rxBlockSize;
            final int rxBlocks;
            final int rxFrameSize;
            if (version == TpacketVersion.V2)
            {
                rxBlockSize = PacketSocket.RX_V2_BLOCK_SIZE;
                rxFrameSize = PacketSocket.rxV2FrameSize(vnetLength);
                final int framesPerBlock = rxBlockSize / rxFrameSize;
                rxBlocks = (options.rxFrames() + framesPerBlock - 1) / framesPerBlock;
                socket.ring(version, PacketSocket.PACKET_RX_RING, rxBlockSize, rxBlocks, rxFrameSize, 0, "receive ring");
            }
            else
            {
                rxBlockSize = options.rxBlockSize();
                rxBlocks = options.rxBlocks();
                rxFrameSize = PacketSocket.RX_V3_FRAME_SIZE;
                socket.ring(version, PacketSocket.PACKET_RX_RING, rxBlockSize, rxBlocks, rxFrameSize, options.retireBlockMs(),
                    "receive ring");
            }
            final int framesPerBlock = PacketSocket.TX_BLOCK_SIZE / PacketSocket.TX_FRAME_SIZE;
            final int txBlocks = (options.txFrames() + framesPerBlock - 1) / framesPerBlock;
            socket.ring(version, PacketSocket.PACKET_TX_RING, PacketSocket.TX_BLOCK_SIZE, txBlocks, PacketSocket.TX_FRAME_SIZE, 0,
                "transmit ring");
            final long rxBytes = (long)rxBlockSize * rxBlocks;
            length = rxBytes + (long)PacketSocket.TX_BLOCK_SIZE * txBlocks;
            address = socket.map(length);
            if (!socket.trySetInt(Syscalls.SOL_SOCKET, Syscalls.SO_RCVBUFFORCE, PacketSocket.SOCKET_BUFFER_BYTES) ||
                !socket.trySetInt(Syscalls.SOL_SOCKET, Syscalls.SO_SNDBUFFORCE, PacketSocket.SOCKET_BUFFER_BYTES))
            {
                // without CAP_NET_ADMIN: as large as net.core.[rw]mem_max allows
                socket.trySetInt(Syscalls.SOL_SOCKET, 8, PacketSocket.SOCKET_BUFFER_BYTES);
                socket.trySetInt(Syscalls.SOL_SOCKET, 7, PacketSocket.SOCKET_BUFFER_BYTES);
            }
            socket.setInt(PacketSocket.SOL_PACKET, PacketSocket.PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS");
            // kernels before 4.20 lack it; the receive ring then skips PACKET_OUTGOING frames itself
            socket.trySetInt(PacketSocket.SOL_PACKET, PacketSocket.PACKET_IGNORE_OUTGOING, 1);
            socket.bind(interfaceIndex);
            final PacketRxRing rx = version == TpacketVersion.V2 ?
                new Tpacket2RxRing(address, rxBlockSize, rxBlocks, rxFrameSize, vnetLength, mtu) :
                new Tpacket3RxRing(address, rxBlockSize, rxBlocks, vnetLength, mtu);
            final PacketTxRing tx = new PacketTxRing(
                version, address + rxBytes, PacketSocket.TX_BLOCK_SIZE, txBlocks, PacketSocket.TX_FRAME_SIZE);
            return new AfPacketQueue(fd, address, length, rx, tx, vnetLength);
        }
        catch (final PortException | RuntimeException ex)
        {
            if (address != 0)
            {
                Syscalls.libc().munmap(address, length);
            }
            Syscalls.libc().close(fd);
            throw ex;
        }
    }
}
