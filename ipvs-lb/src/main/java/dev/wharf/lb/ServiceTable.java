package dev.wharf.lb;

import org.agrona.BitUtil;

import java.util.List;

/**
 * The virtual services by VIP, port and protocol, in an open-addressed table the workers probe once per
 * new flow. Immutable, rebuilt and published whole by the control thread.
 */
final class ServiceTable
{
    static final ServiceTable EMPTY = new ServiceTable(List.of());

    private final long[] keys;
    private final ServiceEntry[] entries;
    private final int mask;
    /** The distinct VIPs, sorted, for lb-vip-arp. */
    private final int[] vips;

    ServiceTable(final List<ServiceEntry> services)
    {
        final int slots = BitUtil.findNextPositivePowerOfTwo(Math.max(4, services.size() * 2));
        this.keys = new long[slots];
        this.entries = new ServiceEntry[slots];
        this.mask = slots - 1;
        this.vips = services.stream().mapToInt(e -> e.key.vip()).distinct().sorted().toArray();
        for (final ServiceEntry entry : services)
        {
            final long key = entry.key.packed();
            int slot = slot(key);
            while (entries[slot] != null)
            {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            entries[slot] = entry;
        }
    }

    private int slot(final long key)
    {
        long h = key * 0x9E37_79B9_7F4A_7C15L;
        h ^= h >>> 29;
        return (int)h & mask;
    }

    boolean hasVips()
    {
        return vips.length > 0;
    }

    /** Whether {@code address} is the VIP of any service. */
    boolean isVip(final int address)
    {
        return java.util.Arrays.binarySearch(vips, address) >= 0;
    }

    /** The service on {@code vip:port/protocol}, or null. */
    ServiceEntry find(final int vip, final int port, final int protocol)
    {
        final long key = ServiceKey.packed(vip, port, protocol);
        for (int slot = slot(key); ; slot = (slot + 1) & mask)
        {
            final ServiceEntry entry = entries[slot];
            if (entry == null || keys[slot] == key)
            {
                return entry;
            }
        }
    }
}
