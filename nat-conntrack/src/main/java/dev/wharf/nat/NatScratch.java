package dev.wharf.nat;

import dev.wharf.dataplane.buffer.PacketBatch;

/**
 * What ip4-nat-in tells ip4-nat-out about each packet of the batch in flight: the flow node it
 * matched, or that the packet is new, related, a non-first fragment or untracked, and for a new flow
 * the original tuple (as the packet arrived, before DNAT). Also the worker's {@link FragmentTable}.
 * One per worker, shared by that worker's two NAT nodes only.
 */
final class NatScratch
{
    /** No flow: the packet passes untouched (to a local address, or not trackable). */
    static final int UNTRACKED = -1;
    /** No flow yet: ip4-nat-out creates it. */
    static final int NEW = -2;
    /** An ICMP error about a tracked flow, translated whole by ip4-nat-in. */
    static final int RELATED = -3;
    /**
     * A non-first fragment of a tracked flow: its bytes at the L4 offset are payload, so ip4-nat-out
     * rewrites only the source ADDRESS ({@link #sourceTranslation}'s port is meaningless).
     */
    static final int FRAGMENT = -4;
    /**
     * A non-first fragment whose first fragment, earlier in the same batch, starts a new flow: ip4-nat-out
     * looks the flow up in {@link #fragments} by {@link #originalAddresses} and {@link #originalPorts}
     * (here the {@link FragmentTable#key}) once it has created it, and rewrites the source address only.
     */
    static final int FRAGMENT_OF_NEW = -5;
    /**
     * A new connection to a virtual service that no backend could take: ip4-nat-in refused it (a reset, a
     * port unreachable); it creates no flow. ip4-nat-out, should the refusal pass it, leaves it as untracked.
     */
    static final int REFUSED = -6;

    /** A flow node (>= 0: the original or reply node of a tracked flow) or one of the constants above. */
    final int[] node = new int[PacketBatch.CAPACITY];
    final long[] originalAddresses = new long[PacketBatch.CAPACITY];
    final long[] originalPorts = new long[PacketBatch.CAPACITY];
    /** ip4-nat-in's own, between its passes: the packets that need a lookup, densely (j = 0, 1, ...). */
    final int[] lookupPacket = new int[PacketBatch.CAPACITY];
    /** ip4-nat-in's own, between its passes: the bucket of {@code lookupPacket[j]}'s tuple. */
    final int[] bucket = new int[PacketBatch.CAPACITY];
    /** ip4-nat-in's own, between its passes: the first node of {@code bucket[j]}'s chain, then the node to try ({@link ConntrackTable#candidate}). */
    final int[] headNode = new int[PacketBatch.CAPACITY];
    /** ip4-nat-in's own, between its passes: the second chain records to load (a dense list). */
    final int[] secondNode = new int[PacketBatch.CAPACITY];
    /** ip4-nat-in's own, between its passes: the packet is a first fragment (offset 0, more to come). */
    final boolean[] firstFragment = new boolean[PacketBatch.CAPACITY];
    /** ip4-nat-in's own, between its passes: the TCP flags of the packet. */
    final int[] tcpFlags = new int[PacketBatch.CAPACITY];
    /** ip4-nat-in's own, between its passes: what {@link ConntrackTable#lookup} found for {@code lookupPacket[j]}. */
    final long[] handle = new long[PacketBatch.CAPACITY];
    /**
     * For a packet of a tracked flow: the source address and port ip4-nat-out gives it, read by
     * ip4-nat-in from the flow's record ({@link #sourceTranslation(int, int)}), or {@link #KEEP_SOURCE}.
     */
    final long[] sourceTranslation = new long[PacketBatch.CAPACITY];

    /** For a new flow: the mark its state word gets ({@link ConnectionState#mark}: its load-balancer backend), or 0. */
    final int[] mark = new int[PacketBatch.CAPACITY];
    /** For a new flow: it is routed to its backend untranslated (direct server return). */
    final boolean[] routed = new boolean[PacketBatch.CAPACITY];
    /**
     * For a new TCP or UDP flow ({@link #NEW}) or a refused one ({@link #REFUSED}): the destination the virtual
     * services were asked about, {@code protocol << 48 | port << 32 | address}; only traces read it.
     */
    final long[] asked = new long[PacketBatch.CAPACITY];
    /** For the same packets: what the virtual services answered ({@link VirtualServices#schedule}); only traces read it. */
    final long[] answer = new long[PacketBatch.CAPACITY];

    /** The flows of fragmented datagrams whose first fragment this worker saw. */
    final FragmentTable fragments = new FragmentTable();

    /** A {@link #sourceTranslation} value: the source stays as it is. */
    static final long KEEP_SOURCE = -1;

    static long sourceTranslation(final int address, final int port)
    {
        return (address & 0xFFFF_FFFFL) << 16 | (port & 0xFFFF);
    }

    static int translatedAddress(final long sourceTranslation)
    {
        return (int)(sourceTranslation >>> 16);
    }

    static int translatedPort(final long sourceTranslation)
    {
        return (int)sourceTranslation & 0xFFFF;
    }

    /** What ip4-nat-in's parse returns instead of a bucket: no lookup to do, the first pass decided the packet's fate. */
    static final int NO_LOOKUP = -1;

    /** ip4-nat-in's first pass: packet {@code i}'s tuple and TCP flags, for its later passes. */
    void keepTuple(final int i, final long addresses, final long ports, final int flags)
    {
        originalAddresses[i] = addresses;
        originalPorts[i] = ports;
        tcpFlags[i] = flags;
    }
}
