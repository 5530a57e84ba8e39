package dev.wharf.control.server;

import dev.wharf.control.api.v1.Connection;
import dev.wharf.control.api.v1.ConntrackFailure;
import dev.wharf.control.api.v1.ConntrackServiceGrpc;
import dev.wharf.control.api.v1.ConntrackStatsRequest;
import dev.wharf.control.api.v1.ConntrackStatsResponse;
import dev.wharf.control.api.v1.CountConnectionsRequest;
import dev.wharf.control.api.v1.CountConnectionsResponse;
import dev.wharf.control.api.v1.Counter;
import dev.wharf.control.api.v1.FlushConnectionsRequest;
import dev.wharf.control.api.v1.FlushConnectionsResponse;
import dev.wharf.control.api.v1.ListConnectionsRequest;
import dev.wharf.control.api.v1.ListConnectionsResponse;
import dev.wharf.control.api.v1.Tuple;
import dev.wharf.control.state.Protocol;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.worker.MonotonicClock;
import dev.wharf.nat.FlowView;
import dev.wharf.nat.NatFailure;
import io.grpc.stub.StreamObserver;

/** {@code wharf.v1.ConntrackService}: reads and flushes the connection table through the {@link ConntrackController}. gRPC executor threads. */
public final class ConntrackService extends ConntrackServiceGrpc.ConntrackServiceImplBase
{
    private final ConntrackController conntrack;

    public ConntrackService(final ConntrackController conntrack)
    {
        this.conntrack = conntrack;
    }

    @Override
    public void list(final ListConnectionsRequest request, final StreamObserver<ListConnectionsResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final int limit = request.getLimit() == 0 ? ConntrackController.CONNTRACK_LIST_DEFAULT :
                (int)Math.min(Integer.MAX_VALUE, Integer.toUnsignedLong(request.getLimit()));
            final ListConnectionsResponse.Builder response = ListConnectionsResponse.newBuilder();
            for (final ConntrackController.ConnectionRow row : conntrack.connections(limit))
            {
                final FlowView flow = row.flow();
                response.addConnections(Connection.newBuilder()
                    .setProtocol(Protocol.labelOf(flow.protocol()))
                    .setState(flow.state())
                    .setAssured(flow.assured())
                    .setOriginal(tuple(row.originalNetwork(), flow.originalSource(), flow.originalSourcePort(), flow.originalDestination(),
                        flow.originalDestinationPort()))
                    .setReply(tuple(row.replyNetwork(), flow.replySource(), flow.replySourcePort(), flow.replyDestination(),
                        flow.replyDestinationPort()))
                    .setExpiresInMs(Math.max(0, flow.expiresInMs())));
            }
            return response.setTotal(conntrack.count()).build();
        });
    }

    @Override
    public void count(final CountConnectionsRequest request, final StreamObserver<CountConnectionsResponse> observer)
    {
        GrpcCalls.answer(observer, () -> CountConnectionsResponse.newBuilder()
            .setCount(conntrack.count())
            .setMax(conntrack.max())
            .build());
    }

    @Override
    public void stats(final ConntrackStatsRequest request, final StreamObserver<ConntrackStatsResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final ConntrackStatsResponse.Builder response = ConntrackStatsResponse.newBuilder()
                .setCount(conntrack.count())
                .setMax(conntrack.max());
            for (final NamedCounter counter : conntrack.natCounters())
            {
                response.addCounters(Counter.newBuilder().setName(counter.name()).setValue(counter.value()).setKind(counter.drop() ? "drop" : "event"));
            }
            final long nowMs = MonotonicClock.nowMs();
            for (final NatFailure failure : conntrack.failures())
            {
                response.addFailures(ConntrackFailure.newBuilder()
                    .setReason(failure.reason())
                    .setAgeMs(Math.max(0, nowMs - failure.atMs()))
                    .setProtocol(Protocol.labelOf(failure.protocol()))
                    .setSource(Ipv4Address.toString(failure.source()))
                    .setSourcePort(failure.sourcePort())
                    .setDestination(Ipv4Address.toString(failure.destination()))
                    .setDestinationPort(failure.destinationPort()));
            }
            return response.build();
        });
    }

    @Override
    public void flush(final FlushConnectionsRequest request, final StreamObserver<FlushConnectionsResponse> observer)
    {
        GrpcCalls.answer(observer, () -> FlushConnectionsResponse.newBuilder().setFlushed(conntrack.flush()).build());
    }

    private static Tuple tuple(final String network, final int source, final int sourcePort, final int destination, final int destinationPort)
    {
        return Tuple.newBuilder()
            .setNetwork(network)
            .setSource(Ipv4Address.toString(source))
            .setSourcePort(sourcePort)
            .setDestination(Ipv4Address.toString(destination))
            .setDestinationPort(destinationPort)
            .build();
    }
}
