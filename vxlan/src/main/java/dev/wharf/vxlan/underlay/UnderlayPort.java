package dev.wharf.vxlan.underlay;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.port.Port;
import dev.wharf.dataplane.port.PortQueue;
import org.agrona.CloseHelper;

import java.net.InetSocketAddress;

/**
 * The underlay of one encapsulation as a device port (in no network): one {@link UnderlaySocket} per
 * worker, bound to the host's tunnel endpoint address and the encapsulation's UDP port. Its frames are
 * tunnel datagrams, claimed on the device-input arc by the decapsulation node; the tunnel ports send
 * through its sockets. Opened and closed by the control thread.
 */
public final class UnderlayPort implements Port
{
    private final String name;
    private final UnderlaySocket[] sockets;
    private final Queue[] queues;
    private final int mtu;

    /**
     * @param mtu the underlay interface's MTU (the largest outer IP packet).
     * @throws UnderlayException when a socket cannot be bound; none stays open then.
     */
    public UnderlayPort(
        final String name, final UnderlayTransport transport, final InetSocketAddress local, final int workers, final int mtu)
    {
        this.name = name;
        this.mtu = mtu;
        this.sockets = new UnderlaySocket[workers];
        this.queues = new Queue[workers];
        // a GSO super-frame never arrives from the wire; a jumbo underlay's full datagram does
        final int maxDatagram = Math.max(mtu, 1500);
        try
        {
            for (int w = 0; w < workers; w++)
            {
                sockets[w] = new UnderlaySocket(transport, local, local.getPort(), maxDatagram);
                queues[w] = new Queue(sockets[w]);
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(sockets);
            throw ex;
        }
    }

    /** Worker {@code worker}'s socket, which the tunnel ports send through. */
    public UnderlaySocket socket(final int worker)
    {
        return sockets[worker];
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public String kind()
    {
        return "underlay";
    }

    @Override
    public int mtu()
    {
        return mtu;
    }

    @Override
    public boolean offloads()
    {
        return false;
    }

    @Override
    public PortQueue queue(final int worker)
    {
        return queues[worker];
    }

    /** Asks each socket's worker to close it (see {@link UnderlaySocket#close}). */
    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(sockets);
    }

    /** True once every worker closed its socket. */
    public boolean isClosed()
    {
        for (final UnderlaySocket socket : sockets)
        {
            if (!socket.isClosed())
            {
                return false;
            }
        }
        return true;
    }

    /** Receives tunnel datagrams; nothing is sent to the underlay as a port (the tunnel ports write to its socket). */
    private static final class Queue implements PortQueue
    {
        private final UnderlaySocket socket;

        Queue(final UnderlaySocket socket)
        {
            this.socket = socket;
        }

        @Override
        public int receive(final PacketBatch batch, final int portId, final int limit)
        {
            return socket.receive(batch, portId, limit);
        }

        @Override
        public void releaseReceived()
        {
            socket.releaseReceived();
        }

        @Override
        public boolean send(final PacketBatch batch, final int index, final int vlanTci)
        {
            return false;
        }

        @Override
        public void flush()
        {
            socket.flush();
        }

        @Override
        public int pollDescriptor()
        {
            return socket.descriptor();
        }

        @Override
        public long takeKernelDrops()
        {
            return socket.takeOverflows();
        }
    }
}
