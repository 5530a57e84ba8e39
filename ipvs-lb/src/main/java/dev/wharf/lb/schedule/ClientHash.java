package dev.wharf.lb.schedule;

/**
 * The hashes {@code sh} and {@code mh} key on. The seeds are constants, not per process: every host of a
 * routing mesh and every rebuild of a service hashes a client (and Maglev a backend) the same way, so two
 * hosts given the same backends send a client to the same one, and a rebuild moves only what it must.
 */
final class ClientHash
{
    static final long CLIENT_SEED = 0x5EED_CAFE_0000_0013L;
    static final long OFFSET_SEED = 0x6D61_676C_6576_6F66L;
    static final long SKIP_SEED = 0x6D61_676C_6576_736BL;

    private ClientHash()
    {
    }

    /** The client's key, its address and, if asked, its port, mixed with the seed: 64 well-spread bits. */
    static long of(final int clientAddress, final int clientPort, final boolean withPort)
    {
        final long key = (clientAddress & 0xFFFF_FFFFL) | (withPort ? (long)(clientPort & 0xFFFF) << 32 : 0L);
        return mix(key ^ CLIENT_SEED);
    }

    /** A 64-bit finaliser (xor-shift, multiply, twice more): every input bit reaches every output bit. */
    static long mix(final long value)
    {
        long h = value;
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        h ^= h >>> 33;
        return h;
    }

    /** {@code hash}'s top 32 bits scaled onto 0..size-1 with a multiply, not a division (Lemire's reduction). */
    static int reduce(final long hash, final int size)
    {
        return (int)(((hash >>> 32) * size) >>> 32);
    }
}
