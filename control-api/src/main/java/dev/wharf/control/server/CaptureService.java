package dev.wharf.control.server;

import com.google.protobuf.ByteString;
import dev.wharf.control.api.v1.CaptureDirection;
import dev.wharf.control.api.v1.CaptureEvent;
import dev.wharf.control.api.v1.CaptureFinished;
import dev.wharf.control.api.v1.CaptureRequest;
import dev.wharf.control.api.v1.CaptureServiceGrpc;
import dev.wharf.control.api.v1.CaptureStarted;
import dev.wharf.control.api.v1.CapturedFrame;
import dev.wharf.dataplane.capture.CaptureSession;
import dev.wharf.dataplane.worker.Dataplane;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code wharf.v1.CaptureService}: starts a {@link CaptureSession} on a port and streams its frames
 * to the caller until the count is reached, the port is detached, or the caller cancels; the
 * session is stopped on the dataplane in every case.
 *
 * <p>The call's gRPC executor thread drains the session itself: it polls, sleeps briefly when
 * nothing waits, and sends only while the stream is ready, so a slow reader makes the session's
 * bounded queue overflow (frames counted as lost) instead of buffering without limit here.
 * Cancellation is read from the call's {@link Context}, which gRPC cancels from outside the call's
 * serialized executor: a cancel handler would only run once this method returned.
 *
 * <p>One capture at a time: the workers feed a single capture session (Dataplane.startCapture).
 */
public final class CaptureService extends CaptureServiceGrpc.CaptureServiceImplBase
{
    private static final Logger LOG = LoggerFactory.getLogger(CaptureService.class);
    private static final long IDLE_SLEEP_MS = 2;

    private final PortController ports;
    private final Dataplane dataplane;
    /** The port being captured, or null; claimed before the dataplane is touched. */
    private final AtomicReference<String> running = new AtomicReference<>();

    /** @param ports finds the captured port; {@code dataplane} is only observed, never configured. */
    public CaptureService(final PortController ports, final Dataplane dataplane)
    {
        this.ports = ports;
        this.dataplane = dataplane;
    }

    @Override
    public void capture(final CaptureRequest request, final StreamObserver<CaptureEvent> observer)
    {
        final ServerCallStreamObserver<CaptureEvent> call = (ServerCallStreamObserver<CaptureEvent>)observer;
        final Context context = Context.current();
        final int directions;
        final int count;
        final int portId;
        try
        {
            directions = directions(request.getDirection());
            count = count(request.getCount());
            Inputs.interfaceName(request.getPort());
            portId = ports.portId(request.getPort());
        }
        catch (final ControlException e)
        {
            observer.onError(GrpcCalls.status(e).asRuntimeException());
            return;
        }
        final String port = request.getPort();
        if (!running.compareAndSet(null, port))
        {
            observer.onError(GrpcCalls.status(ControlException.precondition("a capture of port " + Inputs.quote(running.get()) +
                " is already running; only one capture at a time (stop it with Ctrl-C)")).asRuntimeException());
            return;
        }
        final CaptureSession session = dataplane.startCapture(portId, directions, count);
        LOG.info("capture started on port {} ({}, {})", port, direction(directions), count == 0 ? "no limit" : count + " frames");
        final long[] sent = new long[1];
        String ended = "cancelled by the client";
        try
        {
            call.onNext(CaptureEvent.newBuilder().setStarted(CaptureStarted.newBuilder()
                .setPort(port)
                .setDirection(direction(directions))
                .setCount(count)
                .setSnapLength(CaptureSession.SNAP_LENGTH)).build());
            final String reason = drain(session, call, context, port, portId, sent);
            if (reason != null)
            {
                ended = reason;
                call.onNext(CaptureEvent.newBuilder().setFinished(CaptureFinished.newBuilder()
                    .setFrames(sent[0])
                    .setLost(session.lost())
                    .setReason(reason)).build());
                call.onCompleted();
            }
        }
        catch (final RuntimeException e)
        {
            // onNext on a call the client cancelled in the meantime throws: that is the client leaving
            if (!context.isCancelled())
            {
                LOG.error("capture on port {} failed", port, e);
                call.onError(Status.INTERNAL.withDescription("capture failed: " + e).asRuntimeException());
                ended = "failed: " + e;
            }
        }
        finally
        {
            dataplane.stopCapture(session);
            running.set(null);
            LOG.info("capture ended on port {}: {}; {} frames sent, {} lost", port, ended, sent[0], session.lost());
        }
    }

    /**
     * Streams the session's frames until it finishes or the port goes away (returning why), or until
     * the call is cancelled (returning null); counts the frames sent in {@code sent[0]}.
     */
    private String drain(
        final CaptureSession session, final ServerCallStreamObserver<CaptureEvent> call, final Context context,
        final String port, final int portId, final long[] sent)
    {
        final CapturedFrame.Builder frame = CapturedFrame.newBuilder();
        while (!context.isCancelled())
        {
            if (call.isReady())
            {
                final CaptureSession.Frame captured = session.poll();
                if (captured != null)
                {
                    frame.setTimestampNs(captured.epochNanos())
                        .setDirection(captured.direction() == CaptureSession.DIRECTION_RX ?
                            CaptureDirection.CAPTURE_DIRECTION_RX : CaptureDirection.CAPTURE_DIRECTION_TX)
                        .setData(ByteString.copyFrom(captured.data()))
                        .setOriginalLength(captured.originalLength())
                        .setLost(session.lost());
                    call.onNext(CaptureEvent.newBuilder().setFrame(frame).build());
                    sent[0]++;
                    continue;
                }
                if (session.finished())
                {
                    return "count reached";
                }
            }
            if (!attached(port, portId))
            {
                return "port detached";
            }
            try
            {
                TimeUnit.MILLISECONDS.sleep(IDLE_SLEEP_MS);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private boolean attached(final String port, final int portId)
    {
        try
        {
            return ports.portId(port) == portId;
        }
        catch (final ControlException e)
        {
            return false;
        }
    }

    private static int directions(final CaptureDirection direction)
    {
        return switch (direction)
        {
            case CAPTURE_DIRECTION_RX -> CaptureSession.DIRECTION_RX;
            case CAPTURE_DIRECTION_TX -> CaptureSession.DIRECTION_TX;
            case CAPTURE_DIRECTION_UNSPECIFIED, CAPTURE_DIRECTION_BOTH -> CaptureSession.DIRECTION_BOTH;
            default -> throw ControlException.invalid("unknown capture direction " + direction);
        };
    }

    private static CaptureDirection direction(final int directions)
    {
        return switch (directions)
        {
            case CaptureSession.DIRECTION_RX -> CaptureDirection.CAPTURE_DIRECTION_RX;
            case CaptureSession.DIRECTION_TX -> CaptureDirection.CAPTURE_DIRECTION_TX;
            default -> CaptureDirection.CAPTURE_DIRECTION_BOTH;
        };
    }

    private static int count(final int count)
    {
        // uint32 arrives as a signed int: negative means above 2^31 - 1
        if (count < 0)
        {
            throw ControlException.invalid("capture count " + Integer.toUnsignedString(count) + " is out of range 1.." +
                Integer.MAX_VALUE + " (0 for no limit)");
        }
        return count;
    }
}
