package dev.wharf.control.server;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Catches what a unary service method answered: one response, or one error status. Test thread only. */
final class RecordingObserver<T> implements StreamObserver<T>
{
    private T response;
    private Throwable error;
    private boolean completed;

    @Override
    public void onNext(final T value)
    {
        response = value;
    }

    @Override
    public void onError(final Throwable t)
    {
        error = t;
    }

    @Override
    public void onCompleted()
    {
        completed = true;
    }

    /** The response; fails the test if the call failed. */
    T response()
    {
        assertNull(error, () -> "the call failed: " + Status.fromThrowable(error));
        assertTrue(completed, "the call did not complete");
        assertNotNull(response);
        return response;
    }

    /** The error status; fails the test if the call succeeded. */
    Status status()
    {
        assertNotNull(error, () -> "the call succeeded: " + response);
        return Status.fromThrowable(error);
    }
}
