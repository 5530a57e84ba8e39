package dev.wharf.control.server;

import dev.wharf.control.api.v1.AddPublishRequest;
import dev.wharf.control.api.v1.AddPublishResponse;
import dev.wharf.control.api.v1.ListPublishRequest;
import dev.wharf.control.api.v1.ListPublishResponse;
import dev.wharf.control.api.v1.PublishServiceGrpc;
import dev.wharf.control.api.v1.PublishedPort;
import dev.wharf.control.api.v1.RemovePublishRequest;
import dev.wharf.control.api.v1.RemovePublishResponse;
import dev.wharf.control.state.Protocol;
import dev.wharf.control.state.PublishSpec;
import dev.wharf.dataplane.protocol.Ipv4Address;
import io.grpc.stub.StreamObserver;

/** {@code wharf.v1.PublishService}: parses requests and hands them to the {@link NatController}. gRPC executor threads. */
public final class PublishService extends PublishServiceGrpc.PublishServiceImplBase
{
    private final NatController nat;

    public PublishService(final NatController nat)
    {
        this.nat = nat;
    }

    @Override
    public void add(final AddPublishRequest request, final StreamObserver<AddPublishResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final String network = Inputs.networkName(request.getNetwork());
            if (request.getContainerIp().isEmpty())
            {
                throw ControlException.invalid("container IP is required");
            }
            final int containerIp = Inputs.ipv4(request.getContainerIp(), "container IP");
            final PublishSpec spec = new PublishSpec(network, containerIp, request.getContainerPort(), hostIp(request.getHostIp()),
                request.getHostPort(), Inputs.protocol(request.getProtocol(), Protocol.TCP));
            return AddPublishResponse.newBuilder().setPublished(message(nat.publish(spec))).build();
        });
    }

    @Override
    public void remove(final RemovePublishRequest request, final StreamObserver<RemovePublishResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final PublishSpec removed = nat.unpublish(request.getNetwork(), hostIp(request.getHostIp()), request.getHostPort(),
                Inputs.protocol(request.getProtocol(), Protocol.TCP));
            return RemovePublishResponse.newBuilder().setRemoved(message(removed)).build();
        });
    }

    @Override
    public void list(final ListPublishRequest request, final StreamObserver<ListPublishResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final ListPublishResponse.Builder response = ListPublishResponse.newBuilder();
            for (final PublishSpec spec : nat.published())
            {
                response.addPublished(message(spec));
            }
            return response.build();
        });
    }

    private static int hostIp(final String text)
    {
        return text.isEmpty() ? PublishSpec.ANY_HOST : Inputs.ipv4(text, "host IP");
    }

    static PublishedPort message(final PublishSpec spec)
    {
        return PublishedPort.newBuilder()
            .setNetwork(spec.network())
            .setContainerIp(Ipv4Address.toString(spec.containerIp()))
            .setContainerPort(spec.containerPort())
            .setHostIp(Ipv4Address.toString(spec.hostIp()))
            .setHostPort(spec.hostPort())
            .setProtocol(spec.protocol().label())
            .build();
    }
}
