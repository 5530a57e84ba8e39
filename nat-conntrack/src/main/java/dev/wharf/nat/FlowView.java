package dev.wharf.nat;

/**
 * One tracked connection as listings show it (conntrack -L): the original tuple, the reply tuple
 * (which shows the translation), the state and the time left. Made only for the control plane.
 *
 * @param protocol        IP protocol number.
 * @param state           state name (ESTABLISHED, UNREPLIED, ...).
 * @param assured         the flow proved itself; early drop spares it.
 * @param originalZone    network index the original direction entered from.
 * @param originalSource  addresses as ints, ports as 0..65535 (ICMP: the echo identifier).
 * @param replyZone       network index the reply direction enters from.
 * @param expiresInMs     time left before expiry.
 */
public record FlowView(
    int protocol, String state, boolean assured,
    int originalZone, int originalSource, int originalSourcePort, int originalDestination, int originalDestinationPort,
    int replyZone, int replySource, int replySourcePort, int replyDestination, int replyDestinationPort,
    long expiresInMs)
{
}
