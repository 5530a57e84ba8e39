package dev.wharf.nat;

import dev.wharf.dataplane.buffer.PacketBatch;

/**
 * What ip4-nat-in tells ip4-nat-out about each packet of the batch in flight: the flow node it
 * matched, or that the packet is new, related or untracked, and for a new flow the original tuple
 * (as the packet arrived, before DNAT). One per worker, shared by that worker's two NAT nodes only.
 */
final class NatScratch
{
    /** No flow: the packet passes untouched (to a local address, or not trackable). */
    static final int UNTRACKED = -1;
    /** No flow yet: ip4-nat-out creates it. */
    static final int NEW = -2;
    /** An ICMP error about a tracked flow, translated whole by ip4-nat-in. */
    static final int RELATED = -3;

    /** A flow node (>= 0: the original or reply node of a tracked flow) or one of the constants above. */
    final int[] node = new int[PacketBatch.CAPACITY];
    final long[] originalAddresses = new long[PacketBatch.CAPACITY];
    final long[] originalPorts = new long[PacketBatch.CAPACITY];
    /** ip4-nat-in's own, between its passes: the tuple's bucket ({@link #NO_LOOKUP}: the packet is dealt with). */
    final int[] bucket = new int[PacketBatch.CAPACITY];
    /** ip4-nat-in's own, between its passes: the TCP flags of the packet. */
    final int[] tcpFlags = new int[PacketBatch.CAPACITY];

    /** A {@link #bucket} value: no lookup to do, the first pass decided the packet's fate. */
    static final int NO_LOOKUP = -1;
}
