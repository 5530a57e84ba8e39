package dev.wharf.nat;

/**
 * A connection that could not be set up, with its tuple, for {@code wharf conntrack stats}.
 *
 * @param reason    the counter name it was counted under (table-full, nat-ports-exhausted, denied-by-rule...).
 * @param atMs      monotonic time of the failure.
 */
public record NatFailure(String reason, long atMs, int protocol, int source, int sourcePort, int destination, int destinationPort)
{
}
