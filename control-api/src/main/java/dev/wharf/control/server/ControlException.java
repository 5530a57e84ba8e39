package dev.wharf.control.server;

/**
 * A request the control plane refused, with why in one line meant for people and a reason that
 * maps onto a gRPC status code ({@link GrpcCalls}). Thrown before anything changed: a refused
 * request leaves the desired state and the dataplane as they were.
 */
public final class ControlException extends RuntimeException
{
    /** Why a request was refused; each maps to the gRPC code of the same name. */
    public enum Reason
    {
        /** Malformed by itself: bad name, CIDR, address, MAC, VLAN. */
        INVALID_ARGUMENT,
        /** Names a network, port or interface that does not exist. */
        NOT_FOUND,
        /** Would make a second network, port, address or MAC with the same identity. */
        ALREADY_EXISTS,
        /** Well-formed but conflicts with the current state. */
        FAILED_PRECONDITION,
        /** A table of the switch is full. */
        RESOURCE_EXHAUSTED,
        /** The daemon cannot persist the change (its state file cannot be written); nothing was changed. */
        UNAVAILABLE
    }

    private final Reason reason;

    public ControlException(final Reason reason, final String message)
    {
        super(message, null, false, false);
        this.reason = reason;
    }

    public static ControlException invalid(final String message)
    {
        return new ControlException(Reason.INVALID_ARGUMENT, message);
    }

    public static ControlException notFound(final String message)
    {
        return new ControlException(Reason.NOT_FOUND, message);
    }

    public static ControlException alreadyExists(final String message)
    {
        return new ControlException(Reason.ALREADY_EXISTS, message);
    }

    public static ControlException precondition(final String message)
    {
        return new ControlException(Reason.FAILED_PRECONDITION, message);
    }

    public Reason reason()
    {
        return reason;
    }
}
