package dev.wharf.control.cli;

/**
 * What {@code wharf} exits with, so that scripts can tell failures apart:
 * <pre>
 * 0  success
 * 1  usage error or invalid argument (gRPC INVALID_ARGUMENT)
 * 2  not found (NOT_FOUND): a network, port, interface, rule, published port or uplink
 * 3  already exists (ALREADY_EXISTS): a name, address, published port or uplink already there; also: a daemon
 *    already answers on the socket
 * 4  precondition failed (FAILED_PRECONDITION): e.g. a network still has ports or published ports, an uplink
 *    subnet overlaps a network
 * 5  the daemon is unreachable (UNAVAILABLE, DEADLINE_EXCEEDED)
 * 6  any other failure (RESOURCE_EXHAUSTED, INTERNAL, the daemon could not start)
 * </pre>
 */
public final class ExitCodes
{
    public static final int OK = 0;
    public static final int USAGE = 1;
    public static final int NOT_FOUND = 2;
    public static final int ALREADY_EXISTS = 3;
    public static final int PRECONDITION = 4;
    public static final int UNREACHABLE = 5;
    public static final int FAILURE = 6;

    /** Each code and what it means, for the CLI reference (docs/cli.md). */
    public static final String[][] MEANINGS = {
        {"0", "success"},
        {"1", "usage error or invalid argument (gRPC INVALID_ARGUMENT): fix the command line"},
        {"2", "not found (NOT_FOUND): a network, port, interface, rule, published port or uplink named does not exist"},
        {"3", "already exists (ALREADY_EXISTS): a network, port, address, published port (same protocol and host port) or uplink is already there; also: a daemon already answers on the socket"},
        {"4", "precondition failed (FAILED_PRECONDITION): e.g. a network still has ports or published ports, a subnet overlaps another network's or the uplink's, the daemon has no connection tracking"},
        {"5", "the daemon is unreachable (UNAVAILABLE, DEADLINE_EXCEEDED): is it running, with matching TLS?"},
        {"6", "any other failure (RESOURCE_EXHAUSTED, INTERNAL, the daemon could not start)"}};

    private ExitCodes()
    {
    }
}
