package dev.wharf.vxlan.tunnel;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.port.Port;
import dev.wharf.dataplane.port.PortQueue;
import dev.wharf.vxlan.Encapsulation;

/**
 * An overlay network's tunnel as a member port of the network (as a Linux bridge enslaves a vxlan
 * device): the FDB learns remote MACs on it, each behind its VTEP (the packet's peer). It receives
 * nothing itself (decapsulated frames are handed to it from the underlay on device-input); a frame sent
 * to it goes to the VTEP it is behind, or with no peer (flooding) to every VTEP of the flood list.
 * Unicast frames to it usually leave through the overlay-encap node instead, which counts why it drops.
 */
public final class TunnelPort implements Port
{
    private final String name;
    private final int mtu;
    private final Queue[] queues;
    /** The tunnel's current configuration and underlay; set by the control thread, read per frame sent. */
    private volatile Tunnel tunnel;

    public TunnelPort(final String name, final int mtu, final int workers)
    {
        this.name = name;
        this.mtu = mtu;
        this.queues = new Queue[workers];
        for (int w = 0; w < workers; w++)
        {
            queues[w] = new Queue(w);
        }
    }

    void tunnel(final Tunnel tunnel)
    {
        this.tunnel = tunnel;
    }

    public Tunnel tunnel()
    {
        return tunnel;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public String kind()
    {
        final Tunnel current = tunnel;
        return current == null ? Encapsulation.VXLAN.label() : current.encapsulation.label();
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

    @Override
    public void close()
    {
        tunnel = null;
    }

    private final class Queue implements PortQueue
    {
        private final int worker;
        private final Encapsulator encapsulator = new Encapsulator();

        Queue(final int worker)
        {
            this.worker = worker;
        }

        @Override
        public int receive(final PacketBatch batch, final int portId, final int limit)
        {
            return 0;
        }

        @Override
        public void releaseReceived()
        {
        }

        @Override
        public boolean send(final PacketBatch batch, final int index, final int vlanTci)
        {
            final Tunnel current = tunnel;
            if (current == null || current.underlay == null)
            {
                return false;
            }
            final int peer = batch.portPeer[index];
            if (peer != 0)
            {
                return encapsulator.send(current.underlay.socket(worker), current, peer, batch, index) > 0;
            }
            boolean sent = false;
            for (final int vtep : current.floodVteps)
            {
                sent |= encapsulator.send(current.underlay.socket(worker), current, vtep, batch, index) > 0;
            }
            return sent;
        }

        @Override
        public void flush()
        {
            // the overlay-encap node's sends are flushed here too (it marks this port dirty)
            final Tunnel current = tunnel;
            if (current != null && current.underlay != null)
            {
                current.underlay.socket(worker).flush();
            }
        }

        @Override
        public int pollDescriptor()
        {
            return -1;
        }
    }
}
