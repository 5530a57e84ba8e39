package dev.wharf.control.server;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Gateway MACs: locally administered unicast {@code 02:57:48:xx:xx:xx} ("WH" for Wharf), the low
 * three bytes a hash of the network's name so that a network keeps its MAC when it is recreated.
 * Stateless; called under the {@link StateTransaction}'s lock.
 */
public final class GatewayMacs
{
    public static final long PREFIX = 0x02_57_48_00_00_00L;
    private static final int FNV_OFFSET = 0x811C_9DC5;
    private static final int FNV_PRIME = 0x0100_0193;

    private GatewayMacs()
    {
    }

    /** The MAC for {@code network}, stepping past any in {@code taken} (a hash collision with another network). */
    public static long derive(final String network, final Set<Long> taken)
    {
        int hash = FNV_OFFSET;
        for (final byte b : network.getBytes(StandardCharsets.UTF_8))
        {
            hash = (hash ^ (b & 0xFF)) * FNV_PRIME;
        }
        int low = (hash ^ (hash >>> 24)) & 0xFF_FFFF;
        while (taken.contains(PREFIX | low))
        {
            low = (low + 1) & 0xFF_FFFF;
        }
        return PREFIX | low;
    }
}
