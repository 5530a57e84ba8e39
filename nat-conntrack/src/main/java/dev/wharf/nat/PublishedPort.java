package dev.wharf.nat;

/**
 * A published port (Docker's {@code -p [HOSTIP:]HOSTPORT:CONTAINERPORT/PROTO}): new connections to
 * {@code hostIp:hostPort} are translated to {@code containerIp:containerPort} on network
 * {@code network}. Addresses are IPv4 as ints.
 *
 * @param hostIp        the host address it is bound to, or 0 for every host address (the uplink's and
 *                      every gateway's).
 * @param hostPort      1..65535.
 * @param protocol      6 (TCP) or 17 (UDP).
 * @param network       the dataplane index of the container's network.
 * @param containerIp   the container's address.
 * @param containerPort 1..65535.
 */
public record PublishedPort(int hostIp, int hostPort, int protocol, int network, int containerIp, int containerPort)
{
}
