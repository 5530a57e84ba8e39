package dev.wharf.lb.schedule;

/**
 * One backend as schedulers see it: position {@code i} in the list a scheduler was built with, which is
 * the index {@link Scheduler#pick} returns and {@link BackendLoad#connections} is asked about.
 *
 * @param address IPv4 address, network order as an {@code int} (10.0.0.1 is {@code 0x0A00_0001}).
 * @param port    TCP or UDP port, 0..65535.
 * @param weight  0..65535; 0 is quiesced: the backend is never chosen for a new flow.
 */
public record BackendWeight(int address, int port, int weight)
{
    public static final int MAX_WEIGHT = 65_535;

    public BackendWeight
    {
        if (port < 0 || port > 65_535)
        {
            throw new IllegalArgumentException("backend port must be 0..65535: " + port);
        }
        if (weight < 0 || weight > MAX_WEIGHT)
        {
            throw new IllegalArgumentException("backend weight must be 0.." + MAX_WEIGHT + ": " + weight);
        }
    }

    /** The backend's identity, address and port in one {@code long}, as the Maglev permutation hashes it. */
    public long key()
    {
        return ((address & 0xFFFF_FFFFL) << 16) | port;
    }

    @Override
    public String toString()
    {
        return ((address >>> 24) & 0xFF) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." +
            (address & 0xFF) + ":" + port + " weight " + weight;
    }
}
