package dev.wharf.control.server;

import dev.wharf.control.api.v1.ShowTraceRequest;
import dev.wharf.control.api.v1.ShowTraceResponse;
import dev.wharf.control.api.v1.StartTraceRequest;
import dev.wharf.control.api.v1.StartTraceResponse;
import dev.wharf.control.api.v1.StopTraceRequest;
import dev.wharf.control.api.v1.StopTraceResponse;
import dev.wharf.control.api.v1.TraceAction;
import dev.wharf.control.api.v1.TraceServiceGrpc;
import dev.wharf.control.api.v1.TraceState;
import dev.wharf.control.api.v1.TraceStatus;
import dev.wharf.control.api.v1.TraceStep;
import dev.wharf.control.api.v1.TracedPacket;
import dev.wharf.dataplane.trace.TraceRecord;
import dev.wharf.dataplane.trace.TraceSession;
import dev.wharf.dataplane.worker.Dataplane;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code wharf.v1.TraceService}: starts the dataplane's packet tracer on one port or all, and renders
 * what it recorded with ports named and decisions taken apart. The dataplane holds one trace for
 * every worker; this service remembers how it was started (port, count, when) so Show can say where
 * it stands. gRPC executor threads; the trace's bookkeeping is guarded by this object's monitor,
 * taken before the state transaction's lock (never the other way round).
 */
public final class TraceService extends TraceServiceGrpc.TraceServiceImplBase
{
    public static final int COUNT_DEFAULT = 10;
    public static final int COUNT_MAX = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(TraceService.class);
    private static final String NEXT_PREFIX = "-> ";
    private static final String DROP_PREFIX = "drop: ";
    private static final String DONE = "done";
    private static final String DONE_OUT_PREFIX = "done, out port ";

    private final PortController ports;
    private final Dataplane dataplane;
    private TraceSession session;
    private String port = "";
    private int count;
    private long startNs;
    private boolean stopped;

    /** @param ports names ports for the trace; {@code dataplane} is only observed, never configured. */
    public TraceService(final PortController ports, final Dataplane dataplane)
    {
        this.ports = ports;
        this.dataplane = dataplane;
    }

    @Override
    public void start(final StartTraceRequest request, final StreamObserver<StartTraceResponse> observer)
    {
        GrpcCalls.answer(observer, () -> StartTraceResponse.newBuilder().setTrace(start(request.getPort(), request.getCount())).build());
    }

    @Override
    public void show(final ShowTraceRequest request, final StreamObserver<ShowTraceResponse> observer)
    {
        GrpcCalls.answer(observer, this::show);
    }

    @Override
    public void stop(final StopTraceRequest request, final StreamObserver<StopTraceResponse> observer)
    {
        GrpcCalls.answer(observer, () -> StopTraceResponse.newBuilder().setTrace(stop()).build());
    }

    private synchronized TraceStatus start(final String portName, final int requestedCount)
    {
        // uint32 arrives as a signed int: above 2^31 - 1 it is negative, and out of range all the same
        final long wanted = requestedCount == 0 ? COUNT_DEFAULT : Integer.toUnsignedLong(requestedCount);
        if (wanted > COUNT_MAX)
        {
            throw ControlException.invalid("trace count " + wanted + " is out of range 1.." + COUNT_MAX);
        }
        int portId = TraceSession.ANY_PORT;
        if (!portName.isEmpty())
        {
            Inputs.interfaceName(portName);
            portId = ports.portId(portName);
        }
        startNs = System.nanoTime();
        session = dataplane.startTrace((int)wanted, portId);
        port = portName;
        count = (int)wanted;
        stopped = false;
        LOG.info("trace started: next {} packets on {}", count, port.isEmpty() ? "every port" : port);
        return status(session.records().size());
    }

    private synchronized TraceStatus stop()
    {
        for (int w = 0; w < dataplane.workerCount(); w++)
        {
            // workers then skip even the per-batch check: tracing is off again, not just spent
            dataplane.worker(w).trace(null);
        }
        if (session != null && !session.exhausted() && !stopped)
        {
            stopped = true;
            LOG.info("trace stopped after {} of {} packets", count - session.remaining(), count);
        }
        return status(session == null ? 0 : session.records().size());
    }

    private ShowTraceResponse show()
    {
        final TraceSession current;
        final long traceStartNs;
        final TraceStatus status;
        final List<TraceRecord> records;
        synchronized (this)
        {
            current = session;
            traceStartNs = startNs;
            records = current == null ? List.of() : current.records();
            status = status(records.size());
        }
        final ShowTraceResponse.Builder response = ShowTraceResponse.newBuilder().setTrace(status);
        final Map<Integer, String> names = new HashMap<>();
        for (final TraceRecord record : records)
        {
            final TracedPacket.Builder packet = TracedPacket.newBuilder()
                .setNumber(record.sequence())
                .setWorker(record.worker())
                .setPort(name(names, record.inPort()))
                .setElapsedNs(Math.max(0, record.timestampNs() - traceStartNs));
            for (final TraceRecord.Step step : record.steps())
            {
                packet.addSteps(step(step, names));
            }
            response.addPackets(packet);
        }
        return response.build();
    }

    private TraceStatus status(final int recorded)
    {
        final TraceState state;
        if (session == null)
        {
            state = TraceState.TRACE_STATE_NONE;
        }
        else if (stopped)
        {
            state = TraceState.TRACE_STATE_STOPPED;
        }
        else
        {
            state = session.exhausted() ? TraceState.TRACE_STATE_FINISHED : TraceState.TRACE_STATE_RUNNING;
        }
        return TraceStatus.newBuilder().setState(state).setPort(port).setCount(count).setRecorded(recorded).build();
    }

    /** Takes apart the dataplane's decision text (WorkerTracer's format) and names the out port. */
    private TraceStep step(final TraceRecord.Step step, final Map<Integer, String> names)
    {
        final TraceStep.Builder out = TraceStep.newBuilder()
            .setNode(step.node())
            .setBefore(step.before())
            .setAfter(step.after() == null ? "" : step.after())
            .setDetail(step.detail() == null ? "" : step.detail());
        final String decision = step.decision();
        if (decision.startsWith(NEXT_PREFIX))
        {
            final String next = decision.substring(NEXT_PREFIX.length());
            out.setAction(TraceAction.TRACE_ACTION_NEXT).setNextNode(next).setDecision(NEXT_PREFIX + next);
        }
        else if (decision.startsWith(DROP_PREFIX))
        {
            final String reason = decision.substring(DROP_PREFIX.length());
            out.setAction(TraceAction.TRACE_ACTION_DROP).setDropReason(reason).setDecision(DROP_PREFIX + reason);
        }
        else if (decision.startsWith(DONE_OUT_PREFIX))
        {
            final String outPort = outPort(decision.substring(DONE_OUT_PREFIX.length()), names);
            out.setAction(TraceAction.TRACE_ACTION_DONE).setOutPort(outPort).setDecision(DONE_OUT_PREFIX + outPort);
        }
        else if (decision.equals(DONE))
        {
            out.setAction(TraceAction.TRACE_ACTION_DONE).setDecision(DONE);
        }
        else
        {
            out.setAction(TraceAction.TRACE_ACTION_UNSPECIFIED).setDecision(decision);
        }
        return out.build();
    }

    private String outPort(final String id, final Map<Integer, String> names)
    {
        try
        {
            return name(names, Integer.parseInt(id.strip()));
        }
        catch (final NumberFormatException e)
        {
            return id;
        }
    }

    private String name(final Map<Integer, String> names, final int id)
    {
        return names.computeIfAbsent(id, ports::portName);
    }
}
