package dev.wharf.control.server;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * Answers a unary gRPC call from what the control plane returns or refuses: a
 * {@link ControlException} becomes the status of the same name with its one-line message; anything
 * else is a bug, logged with its stack and answered INTERNAL. Called on gRPC executor threads.
 */
final class GrpcCalls
{
    private static final Logger LOG = LoggerFactory.getLogger(GrpcCalls.class);

    private GrpcCalls()
    {
    }

    static <T> void answer(final StreamObserver<T> observer, final Supplier<T> call)
    {
        final T response;
        try
        {
            response = call.get();
        }
        catch (final ControlException e)
        {
            LOG.debug("refused: {}", e.getMessage());
            observer.onError(status(e).asRuntimeException());
            return;
        }
        catch (final RuntimeException e)
        {
            LOG.error("internal error", e);
            observer.onError(Status.INTERNAL.withDescription("internal error: " + e).withCause(e).asRuntimeException());
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }

    static Status status(final ControlException e)
    {
        final Status status = switch (e.reason())
        {
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.NOT_FOUND;
            case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
            case UNAVAILABLE -> Status.UNAVAILABLE;
        };
        return status.withDescription(e.getMessage());
    }
}
