package dev.wharf.dataplane.buffer;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A vector of up to {@link #CAPACITY} frames and their metadata, as parallel primitive arrays
 * (VPP's vlib_frame, OVS's dp_packet_batch). A frame lives in off-heap memory owned by the port
 * queue that received it (an AF_PACKET ring block or a pooled slot); the batch only records where.
 * Nodes read and rewrite frames in place through {@link #frame(int)}.
 *
 * <p>Owned by one worker thread; never shared.
 */
public final class PacketBatch
{
    public static final int CAPACITY = 256;

    public static final int FLAG_BROADCAST = 1;
    public static final int FLAG_MULTICAST = 1 << 1;
    public static final int FLAG_VLAN_STRIPPED = 1 << 2;
    public static final int FLAG_IPV4 = 1 << 3;
    public static final int FLAG_IPV6 = 1 << 4;
    public static final int FLAG_ARP = 1 << 5;
    /** Recorded by the packet tracer at every node. */
    public static final int FLAG_TRACED = 1 << 6;
    /*
     * Verdicts and facts that features set and the core reads, with meanings of their own (no feature
     * is named here). A feature's private per-packet state lives in its own per-worker scratch arrays,
     * indexed by the packet's batch index (VPP's buffer opaque, kept beside the batch).
     */
    /**
     * The packet belongs to a flow whose policy was checked when the flow began (or is an ICMP error
     * related to one), as a stateful feature (connection tracking) found: ip4-isolation and rule checks
     * are not made again.
     */
    public static final int FLAG_ESTABLISHED = 1 << 7;
    /**
     * The destination was translated to a service the user published (a published port, a load
     * balancer's virtual service): the packet may cross network isolation and enter from the uplink,
     * as Docker's published ports do.
     */
    public static final int FLAG_PUBLISHED = 1 << 8;
    /**
     * A feature rewrote the destination before routing; {@link #arrivedDestination} holds it as it
     * arrived, so an ICMP error about the packet quotes it as its sender sent it (Linux translates such
     * errors back too).
     */
    public static final int FLAG_DESTINATION_REWRITTEN = 1 << 9;
    /**
     * A feature chose the packet's next hop before routing ({@link #nextHop}): ip4-lookup routes it toward
     * that address, not its destination (policy routing; a load balancer's direct server return sends a
     * VIP's packet, unchanged, to the backend's MAC).
     */
    public static final int FLAG_NEXT_HOP_SET = 1 << 10;

    /** Address of the first byte of the Ethernet header. */
    public final long[] address = new long[CAPACITY];
    /** Frame length in bytes from {@link #address}. */
    public final int[] length = new int[CAPACITY];
    /** Writable bytes in front of {@link #address} (for tags and encapsulation). */
    public final int[] headroom = new int[CAPACITY];
    /** Dataplane port id the frame arrived on. */
    public final int[] inPort = new int[CAPACITY];
    /** Dataplane port id chosen by forwarding. */
    public final int[] outPort = new int[CAPACITY];
    /**
     * The peer within a port that reaches many (a tunnel port: a remote VTEP), as a handle that port
     * gives out; 0 for none. Set on receive by such a port (the peer a frame came from, which l2-learn
     * records with its source MAC), then by forwarding from the FDB (the peer the frame goes to). A frame
     * sent to such a port with peer 0 goes to all of its peers (flooding). Other ports ignore it.
     */
    public final int[] portPeer = new int[CAPACITY];
    /** Network index of the ingress port. */
    public final int[] network = new int[CAPACITY];
    /** Network index a routed packet leaves into, chosen by ip4-lookup (-1 until then). */
    public final int[] outNetwork = new int[CAPACITY];
    /** IPv4 next hop of a routed packet (the destination itself, or the uplink's gateway), chosen by ip4-lookup. */
    public final int[] nextHop = new int[CAPACITY];
    /** VLAN id the frame belongs to (0: the untagged VLAN). Tags are stripped at input. */
    public final int[] vlan = new int[CAPACITY];
    /** Offset of the L3 header from {@link #address}, recorded once by ethernet-input. */
    public final int[] l3Offset = new int[CAPACITY];
    /** Offset of the L4 header from {@link #address}, recorded by ip4-input. */
    public final int[] l4Offset = new int[CAPACITY];
    public final int[] flags = new int[CAPACITY];
    /**
     * With {@link #FLAG_DESTINATION_REWRITTEN}: the destination address and port (an ICMP echo's
     * identifier) the packet arrived with, {@code address << 16 | port}; meaningless without the flag,
     * so {@link #add} leaves it.
     */
    public final long[] arrivedDestination = new long[CAPACITY];
    /** Next node id chosen by the node that processed the packet last. */
    public final int[] next = new int[CAPACITY];
    /** Drop reason ordinal when {@link #next} is the drop node. */
    public final int[] dropReason = new int[CAPACITY];
    /**
     * The ICMP error to send about this packet, set by the node that sends it to icmp-error:
     * {@code type << 8 | code}, and for "fragmentation needed" the next-hop MTU in the high 16 bits
     * (see {@link dev.wharf.dataplane.l3.IcmpErrorNode#encode}). 0 otherwise.
     */
    public final int[] icmpError = new int[CAPACITY];
    /** Offload metadata from the virtio-net header (see {@link dev.wharf.dataplane.offload.OffloadInfo}). */
    public final long[] offload = new long[CAPACITY];

    private final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
    private int size;

    public int size()
    {
        return size;
    }

    public void clear()
    {
        size = 0;
    }

    /**
     * Appends a received frame and resets its metadata.
     *
     * @return the packet's index in the batch.
     */
    public int add(final long frameAddress, final int frameLength, final int frameHeadroom, final int port)
    {
        final int i = size++;
        address[i] = frameAddress;
        length[i] = frameLength;
        headroom[i] = frameHeadroom;
        inPort[i] = port;
        outPort[i] = -1;
        portPeer[i] = 0;
        network[i] = -1;
        outNetwork[i] = -1;
        nextHop[i] = 0;
        vlan[i] = 0;
        l3Offset[i] = 0;
        l4Offset[i] = 0;
        flags[i] = 0;
        next[i] = 0;
        dropReason[i] = 0;
        icmpError[i] = 0;
        offload[i] = 0;
        return i;
    }

    public boolean isFull()
    {
        return size == CAPACITY;
    }

    /** Wraps the batch's one reusable buffer over packet {@code i}; valid until the next call. */
    public UnsafeBuffer frame(final int i)
    {
        frame.wrap(address[i], length[i]);
        return frame;
    }

    /** Moves the start of packet {@code i} by {@code delta} bytes (negative: into the headroom). */
    public void adjustStart(final int i, final int delta)
    {
        address[i] += delta;
        length[i] -= delta;
        headroom[i] += delta;
    }
}
