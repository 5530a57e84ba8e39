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
import dev.wharf.control.api.v1.ConnectNetworksRequest;
import dev.wharf.control.api.v1.ConnectNetworksResponse;
import dev.wharf.control.api.v1.DisconnectNetworksRequest;
import dev.wharf.control.api.v1.DisconnectNetworksResponse;
import io.grpc.stub.StreamObserver;

/**
 * {@code wharf.v1.NetworkService}: parses requests into typed values and hands them to the
 * {@link NetworkController} (a network with its ports to the {@link PortController}, which reads
 * both as one state). Called on gRPC executor threads.
 */
public final class NetworkService extends NetworkServiceGrpc.NetworkServiceImplBase
{
    private final NetworkController networks;
    private final PortController ports;

    public NetworkService(final NetworkController networks, final PortController ports)
    {
        this.networks = networks;
        this.ports = ports;
    }

    @Override
    public void create(final CreateNetworkRequest request, final StreamObserver<CreateNetworkResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final String name = Inputs.networkName(request.getName());
            final Cidr subnet = Inputs.subnet(request.getSubnet());
            final int gateway = request.getGateway().isEmpty() ? 0 : Inputs.ipv4(request.getGateway(), "gateway");
            final NetworkSpec spec = networks.create(name, subnet, gateway, request.getMacLimit(),
                new NetworkController.Flags(request.getInternal(), !request.hasIcc() || request.getIcc(),
                    !request.hasMasquerade() || request.getMasquerade()),
                request.getDriver(),
                new NetworkController.DriverOptions(request.getVni(), request.getEncap().isEmpty() ? null : request.getEncap(), request.getMtu(),
                    request.hasMssClamp() ? request.getMssClamp() : null, request.hasLearning() ? request.getLearning() : null,
                    request.getHostAddress().isEmpty() ? 0 : Inputs.ipv4(request.getHostAddress(), "host address")));
            return CreateNetworkResponse.newBuilder().setNetwork(ApiMessages.network(networks.view(spec.name()))).build();
        });
    }

    @Override
    public void list(final ListNetworksRequest request, final StreamObserver<ListNetworksResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final ListNetworksResponse.Builder response = ListNetworksResponse.newBuilder();
            for (final NetworkController.NetworkView network : networks.list())
            {
                response.addNetworks(ApiMessages.network(network));
            }
            return response.build();
        });
    }

    @Override
    public void inspect(final InspectNetworkRequest request, final StreamObserver<InspectNetworkResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final PortController.NetworkDetail detail = ports.inspect(request.getName());
            final InspectNetworkResponse.Builder response = InspectNetworkResponse.newBuilder()
                .setNetwork(ApiMessages.network(detail.network()));
            for (final PortController.PortView port : detail.ports())
            {
                response.addPorts(ApiMessages.port(port));
            }
            return response.build();
        });
    }

    @Override
    public void remove(final RemoveNetworkRequest request, final StreamObserver<RemoveNetworkResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            networks.remove(request.getName());
            return RemoveNetworkResponse.getDefaultInstance();
        });
    }

    @Override
    public void connect(final ConnectNetworksRequest request, final StreamObserver<ConnectNetworksResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            networks.connect(request.getNetwork(), request.getOther());
            return ConnectNetworksResponse.getDefaultInstance();
        });
    }

    @Override
    public void disconnect(final DisconnectNetworksRequest request, final StreamObserver<DisconnectNetworksResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            networks.disconnect(request.getNetwork(), request.getOther());
            return DisconnectNetworksResponse.getDefaultInstance();
        });
    }
}
