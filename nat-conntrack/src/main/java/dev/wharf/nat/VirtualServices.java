package dev.wharf.nat;

/**
 * Destinations chosen per connection: the load balancer's virtual services, asked by ip4-nat-in about
 * every new flow that no published port claims (kube-proxy's and IPVS's DNAT of a service address),
 * so that an established flow still costs one conntrack lookup and the scheduler runs once per
 * connection. Implemented outside this module ({@code dev.wharf.lb}); {@link #NONE} until one is set.
 *
 * <p>Called on worker threads, concurrently: no locks, no allocation.
 */
public interface VirtualServices
{
    /** {@link #schedule}: the destination is no virtual service; the flow goes on as addressed. */
    long NOT_VIRTUAL = 0;
    /**
     * {@link #schedule}: a virtual service with no backend that can take the flow: refused at once (a TCP
     * reset, ICMP port unreachable otherwise), as kube-proxy rejects a service without endpoints.
     */
    long NO_BACKEND = 1;

    VirtualServices NONE = (network, protocol, client, clientPort, destination, destinationPort, nowMs) -> NOT_VIRTUAL;

    /**
     * A flag of a {@link #translation} (above the mark's 15 bits): the backend is the one a persistent client
     * is pinned to, not the scheduler's pick. For traces ({@link #describe}); {@link #mark} leaves it out.
     */
    long PINNED = 0x8000;

    /**
     * Chooses the backend of a new flow.
     *
     * @param network the dataplane index of the network the flow arrived on.
     * @param protocol 6 or 17 (other protocols are never asked).
     * @return {@link #translation} of the backend, {@link #NOT_VIRTUAL} or {@link #NO_BACKEND}.
     */
    long schedule(int network, int protocol, int client, int clientPort, int destination, int destinationPort, long nowMs);

    /**
     * A backend as {@link #schedule} answers it: its address and port, and the mark (1..{@value ConnectionState#MAX_MARK}) its flows carry
     * in their state word ({@link ConnectionState#mark}), by which the owner counts and ends them.
     * Never {@link #NOT_VIRTUAL} or {@link #NO_BACKEND}: a backend's address is never 0.
     */
    static long translation(final int address, final int port, final int mark)
    {
        return (address & 0xFFFF_FFFFL) << 32 | (port & 0xFFFFL) << 16 | (mark & 0xFFFFL);
    }

    /**
     * A backend reached by direct server return: the flow is routed to {@code address} unchanged (the VIP
     * stays its destination: the backend holds it on a loopback), with the mark of the backend.
     */
    static long routed(final int address, final int mark)
    {
        return translation(address, 0, mark);
    }

    /** Whether {@code translation} is {@link #routed}: its port is 0, never a backend's port. */
    static boolean isRouted(final long translation)
    {
        return port(translation) == 0;
    }

    /**
     * The address of the backend with {@code mark}, for the later packets of a routed (direct server
     * return) flow; 0 when it is gone. Called per packet of such flows: a plain array read.
     */
    default int backendAddress(final int mark)
    {
        return 0;
    }

    static int address(final long translation)
    {
        return (int)(translation >>> 32);
    }

    static int port(final long translation)
    {
        return (int)(translation >>> 16) & 0xFFFF;
    }

    static int mark(final long translation)
    {
        return (int)translation & ConnectionState.MAX_MARK;
    }

    /** Whether {@code translation} is a persistent client's backend ({@link #PINNED}). */
    static boolean isPinned(final long translation)
    {
        return (translation & PINNED) != 0;
    }

    /**
     * For a trace of the packet that asked: what {@link #schedule} decided for a new flow to
     * {@code destination:destinationPort} ({@code answer}: its return, {@link #NO_BACKEND} included), in words
     * that name the service, its scheduler and the backend; null when there is nothing to say. Called only for
     * traced packets, on the worker: it may allocate.
     */
    default String describe(final int protocol, final int destination, final int destinationPort, final long answer)
    {
        return null;
    }
}
