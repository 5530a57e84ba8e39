package dev.wharf.control.server;

import dev.wharf.control.api.v1.CreateNetworkRequest;
import dev.wharf.control.api.v1.CreateNetworkResponse;
import dev.wharf.control.api.v1.InspectNetworkRequest;
import dev.wharf.control.api.v1.InspectNetworkResponse;
import dev.wharf.control.api.v1.ListNetworksRequest;
import dev.wharf.control.api.v1.ListNetworksResponse;
import dev.wharf.control.api.v1.NetworkServiceGrpc;
import dev.wharf.control.api.v1.RemoveNetworkRequest;
import dev.wharf.control.api.v1.RemoveNetworkResponse;
import dev.wharf.control.state.Cidr;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.control.state.PortSpec;
import dev.wharf.control.state.NetworkOptions;
import dev.wharf.control.api.v1.ConnectNetworksRequest;
import dev.wharf.control.api.v1.ConnectNetworksResponse;
import dev.wharf.control.api.v1.DisconnectNetworksRequest;
import dev.wharf.control.api.v1.DisconnectNetworksResponse;
import io.grpc.stub.StreamObserver;

/**
 * {@code wharf.v1.NetworkService}: parses requests into typed values and hands them to the
 * {@link SwitchController}. Called on gRPC executor threads; reads that combine several facts hold
 * the controller's monitor so that they see one state.
 */
public final class NetworkService extends NetworkServiceGrpc.NetworkServiceImplBase
{
    private final SwitchController controller;

    public NetworkService(final SwitchController controller)
    {
        this.controller = controller;
    }

    @Override
    public void create(final CreateNetworkRequest request, final StreamObserver<CreateNetworkResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final String name = Inputs.networkName(request.getName());
            final Cidr subnet = Inputs.subnet(request.getSubnet());
            final int gateway = request.getGateway().isEmpty() ? 0 : Inputs.ipv4(request.getGateway(), "gateway");
            synchronized (controller)
            {
                final NetworkSpec spec = controller.createNetwork(name, subnet, gateway, request.getMacLimit(),
                    new NetworkOptions(request.getInternal(), !request.hasIcc() || request.getIcc(),
                        !request.hasMasquerade() || request.getMasquerade()));
                return CreateNetworkResponse.newBuilder().setNetwork(ApiMessages.network(controller, spec)).build();
            }
        });
    }

    @Override
    public void list(final ListNetworksRequest request, final StreamObserver<ListNetworksResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            synchronized (controller)
            {
                final ListNetworksResponse.Builder response = ListNetworksResponse.newBuilder();
                for (final NetworkSpec spec : controller.state().networks())
                {
                    response.addNetworks(ApiMessages.network(controller, spec));
                }
                return response.build();
            }
        });
    }

    @Override
    public void inspect(final InspectNetworkRequest request, final StreamObserver<InspectNetworkResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            synchronized (controller)
            {
                final NetworkSpec spec = controller.network(request.getName());
                final InspectNetworkResponse.Builder response = InspectNetworkResponse.newBuilder()
                    .setNetwork(ApiMessages.network(controller, spec));
                for (final PortSpec port : controller.state().portsOf(spec.name()))
                {
                    response.addPorts(ApiMessages.port(port, controller.portStatus(port.name())));
                }
                return response.build();
            }
        });
    }

    @Override
    public void remove(final RemoveNetworkRequest request, final StreamObserver<RemoveNetworkResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            controller.removeNetwork(request.getName());
            return RemoveNetworkResponse.getDefaultInstance();
        });
    }

    @Override
    public void connect(final ConnectNetworksRequest request, final StreamObserver<ConnectNetworksResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            controller.connectNetworks(request.getNetwork(), request.getOther());
            return ConnectNetworksResponse.getDefaultInstance();
        });
    }

    @Override
    public void disconnect(final DisconnectNetworksRequest request, final StreamObserver<DisconnectNetworksResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            controller.disconnectNetworks(request.getNetwork(), request.getOther());
            return DisconnectNetworksResponse.getDefaultInstance();
        });
    }
}
