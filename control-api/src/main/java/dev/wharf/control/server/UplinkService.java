package dev.wharf.control.server;

import dev.wharf.control.api.v1.RemoveUplinkRequest;
import dev.wharf.control.api.v1.RemoveUplinkResponse;
import dev.wharf.control.api.v1.SetUplinkRequest;
import dev.wharf.control.api.v1.SetUplinkResponse;
import dev.wharf.control.api.v1.ShowUplinkRequest;
import dev.wharf.control.api.v1.ShowUplinkResponse;
import dev.wharf.control.api.v1.Uplink;
import dev.wharf.control.api.v1.UplinkServiceGrpc;
import dev.wharf.control.state.UplinkSpec;
import dev.wharf.dataplane.table.NeighbourTable;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;
import io.grpc.stub.StreamObserver;

/** {@code wharf.v1.UplinkService}: parses requests and hands them to the {@link UplinkController}. gRPC executor threads. */
public final class UplinkService extends UplinkServiceGrpc.UplinkServiceImplBase
{
    private final UplinkController uplink;

    public UplinkService(final UplinkController uplink)
    {
        this.uplink = uplink;
    }

    @Override
    public void set(final SetUplinkRequest request, final StreamObserver<SetUplinkResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final String name = Inputs.interfaceName(request.getInterface());
            final int[] address = Inputs.hostAddress(request.getAddress(), "uplink address");
            if (request.getGateway().isEmpty())
            {
                throw ControlException.invalid("uplink gateway is required (the outside router, e.g. 10.99.0.1)");
            }
            final int gateway = Inputs.ipv4(request.getGateway(), "uplink gateway");
            return SetUplinkResponse.newBuilder().setUplink(message(uplink.set(new UplinkSpec(name, address[0], address[1], gateway)))).build();
        });
    }

    @Override
    public void show(final ShowUplinkRequest request, final StreamObserver<ShowUplinkResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final UplinkController.UplinkStatus status = uplink.status();
            return status == null ? ShowUplinkResponse.getDefaultInstance() :
                ShowUplinkResponse.newBuilder().setConfigured(true).setUplink(message(status)).build();
        });
    }

    @Override
    public void remove(final RemoveUplinkRequest request, final StreamObserver<RemoveUplinkResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            uplink.remove();
            return RemoveUplinkResponse.getDefaultInstance();
        });
    }

    static Uplink message(final UplinkController.UplinkStatus status)
    {
        final UplinkSpec spec = status.spec();
        return Uplink.newBuilder()
            .setInterface(spec.interfaceName())
            .setAddress(spec.addressText())
            .setGateway(Ipv4Address.toString(spec.gateway()))
            .setMac(status.mac() < 0 ? "" : MacAddress.toString(status.mac()))
            .setState(status.up() ? "up" : "down")
            .setStateReason(status.up() ? "" : status.downReason())
            .setGatewayMac(status.gatewayMac() == NeighbourTable.MISSING || status.gatewayMac() < 0 ? "" : MacAddress.toString(status.gatewayMac()))
            .setNeighbours(status.neighbours())
            .build();
    }
}
