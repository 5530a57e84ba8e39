package dev.wharf.control.state;

import dev.wharf.dataplane.protocol.Ipv4Address;

/**
 * A published port as desired: new connections to {@code hostIp:hostPort} go to
 * {@code containerIp:containerPort} on {@code network}. Immutable; any thread.
 *
 * @param hostIp the host address, or {@link #ANY_HOST} for every host address.
 */
public record PublishSpec(String network, int containerIp, int containerPort, int hostIp, int hostPort, Protocol protocol)
{
    /** 0.0.0.0: every host address (the uplink's and every gateway's). */
    public static final int ANY_HOST = 0;

    /** True when this and {@code other} would take the same packets: same protocol and host port, and host addresses that overlap. */
    public boolean conflictsWith(final int otherHostIp, final int otherHostPort, final Protocol otherProtocol)
    {
        return protocol == otherProtocol && hostPort == otherHostPort &&
            (hostIp == ANY_HOST || otherHostIp == ANY_HOST || hostIp == otherHostIp);
    }

    /** {@code [HOSTIP:]HOSTPORT/PROTO}, as the CLI takes it. */
    public String hostText()
    {
        return (hostIp == ANY_HOST ? "" : Ipv4Address.toString(hostIp) + ":") + hostPort + "/" + protocol.label();
    }

    @Override
    public String toString()
    {
        return hostText() + " -> " + network + " " + Ipv4Address.toString(containerIp) + ":" + containerPort;
    }
}
