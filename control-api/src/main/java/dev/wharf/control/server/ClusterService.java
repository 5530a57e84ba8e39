package dev.wharf.control.server;

import dev.wharf.control.api.v1.ClusterHost;
import dev.wharf.control.api.v1.ClusterServiceGrpc;
import dev.wharf.control.api.v1.ClusterStatusRequest;
import dev.wharf.control.api.v1.ClusterStatusResponse;
import dev.wharf.control.api.v1.ListHostsRequest;
import dev.wharf.control.api.v1.ListHostsResponse;
import io.grpc.stub.StreamObserver;

/** {@code wharf.v1.ClusterService}: the cluster's hosts and this daemon's view of the store; a daemon without --cluster says so. */
final class ClusterService extends ClusterServiceGrpc.ClusterServiceImplBase
{
    /** Null when the daemon runs without --cluster. */
    private final ClusterController cluster;

    ClusterService(final ClusterController cluster)
    {
        this.cluster = cluster;
    }

    @Override
    public void listHosts(final ListHostsRequest request, final StreamObserver<ListHostsResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            if (cluster == null)
            {
                throw ControlException.precondition("this daemon is not in a cluster: it runs as a single host on its state file " +
                    "(start it with --cluster etcd://HOST:PORT --underlay ADDRESS)");
            }
            final ListHostsResponse.Builder out = ListHostsResponse.newBuilder().setStore(cluster.storeDescription());
            for (final ClusterAgent.HostView host : cluster.hosts())
            {
                out.addHosts(ClusterHost.newBuilder().setRecord(host.record()).setLease(Long.toHexString(host.lease()))
                    .setEndpoints(host.endpoints()).setSelf(host.self()));
            }
            return out.build();
        });
    }

    @Override
    public void status(final ClusterStatusRequest request, final StreamObserver<ClusterStatusResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            if (cluster == null)
            {
                return ClusterStatusResponse.newBuilder().setClustered(false).build();
            }
            final ClusterAgent.Status status = cluster.status();
            final ClusterController.Settings settings = cluster.settings();
            return ClusterStatusResponse.newBuilder()
                .setClustered(true)
                .setStore(cluster.storeDescription())
                .setHost(settings.host())
                .setPrefix(settings.keys().prefix())
                .setState(status.state())
                .setReason(status.reason())
                .setStateSinceUnixMs(status.sinceUnixMs())
                .setLease(status.lease() == 0 ? "" : Long.toHexString(status.lease()))
                .setLeaseTtlSeconds((int)settings.leaseTtl().toSeconds())
                .setAppliedRevision(status.appliedRevision())
                .setStoreRevision(status.storeRevision())
                .setHosts(status.hosts())
                .setNetworks(status.networks())
                .setRemoteEndpoints(status.remoteEndpoints())
                .setLocalEndpoints(status.localEndpoints())
                .setResyncs(status.resyncs())
                .addAllProblems(status.problems())
                .build();
        });
    }
}
