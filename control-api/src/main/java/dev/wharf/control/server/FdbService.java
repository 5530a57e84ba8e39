package dev.wharf.control.server;

import dev.wharf.control.api.v1.FdbEntry;
import dev.wharf.control.api.v1.FdbEntryType;
import dev.wharf.control.api.v1.FdbServiceGrpc;
import dev.wharf.control.api.v1.ShowFdbRequest;
import dev.wharf.control.api.v1.ShowFdbResponse;
import dev.wharf.dataplane.protocol.MacAddress;
import io.grpc.stub.StreamObserver;

/** {@code wharf.v1.FdbService}: a network's forwarding database, read from the dataplane. gRPC executor threads. */
public final class FdbService extends FdbServiceGrpc.FdbServiceImplBase
{
    private final SwitchViews views;

    public FdbService(final SwitchViews views)
    {
        this.views = views;
    }

    @Override
    public void show(final ShowFdbRequest request, final StreamObserver<ShowFdbResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final ShowFdbResponse.Builder response = ShowFdbResponse.newBuilder().setNetwork(request.getNetwork());
            for (final SwitchViews.FdbRow row : views.fdbRows(request.getNetwork()))
            {
                response.addEntries(FdbEntry.newBuilder()
                    .setMac(MacAddress.toString(row.mac()))
                    .setVlan(row.vlan())
                    .setPort(row.port())
                    .setType(row.isStatic() ? FdbEntryType.FDB_ENTRY_TYPE_STATIC : FdbEntryType.FDB_ENTRY_TYPE_LEARNED)
                    .setAgeMs(row.ageMs())
                    .setVtep(row.vtep() == 0 ? "" : dev.wharf.dataplane.protocol.Ipv4Address.toString(row.vtep())));
            }
            return response.build();
        });
    }
}
