package dev.wharf.dataplane.port;

/**
 * A network interface attached to the dataplane: a TAP device or an AF_PACKET socket on a veth.
 * It has one {@link PortQueue} per worker. Created and closed by the control plane; workers only
 * use the queues, and a port is closed only after every worker has stopped seeing it.
 */
public interface Port extends AutoCloseable
{
    /** The interface name, e.g. {@code veth-c1}. */
    String name();

    /** The backend, e.g. {@code af_packet} or {@code tap}. */
    String kind();

    /** Link MTU: the largest L3 payload of a frame, without GSO. */
    int mtu();

    /** True when frames carry a virtio-net header, so GSO frames and partial checksums pass intact. */
    boolean offloads();

    PortQueue queue(int worker);

    @Override
    void close();
}
