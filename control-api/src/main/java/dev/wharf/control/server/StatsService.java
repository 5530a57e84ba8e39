package dev.wharf.control.server;

import dev.wharf.control.api.v1.Counter;
import dev.wharf.control.api.v1.GetStatsRequest;
import dev.wharf.control.api.v1.GetStatsResponse;
import dev.wharf.control.api.v1.PortStats;
import dev.wharf.control.api.v1.StatsServiceGrpc;
import io.grpc.stub.StreamObserver;

/** {@code wharf.v1.StatsService}: port and named counters, summed over workers as they are read. gRPC executor threads. */
public final class StatsService extends StatsServiceGrpc.StatsServiceImplBase
{
    private final SwitchViews views;

    public StatsService(final SwitchViews views)
    {
        this.views = views;
    }

    @Override
    public void get(final GetStatsRequest request, final StreamObserver<GetStatsResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final GetStatsResponse.Builder response = GetStatsResponse.newBuilder()
                .setWorkers(views.workers())
                .setWorkerErrors(views.workerErrors());
            for (final SwitchViews.PortCounters port : views.portCounters())
            {
                response.addPorts(PortStats.newBuilder()
                    .setName(port.name())
                    .setNetwork(port.network())
                    .setRxPackets(port.rxPackets())
                    .setRxBytes(port.rxBytes())
                    .setTxPackets(port.txPackets())
                    .setTxBytes(port.txBytes())
                    .setRxDrops(port.rxDrops())
                    .setTxDrops(port.txDrops())
                    .setRxKernelDrops(port.rxKernelDrops()));
            }
            for (final NamedCounter counter : views.nonZeroCounters())
            {
                response.addCounters(Counter.newBuilder().setName(counter.name()).setValue(counter.value()).setKind(counter.drop() ? "drop" : "event"));
            }
            return response.build();
        });
    }
}
