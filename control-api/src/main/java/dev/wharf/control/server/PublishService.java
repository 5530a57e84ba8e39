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
    /** The most ports one request may publish (a range), so that one request cannot build a state of millions. */
    public static final int MAX_PORTS_PER_REQUEST = 1024;

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
            final int hostIp = hostIp(request.getHostIp());
            final Protocol protocol = Inputs.portProtocol(request.getProtocol(), Protocol.TCP);
            final int count = Math.max(1, request.getCount());
            if (count > MAX_PORTS_PER_REQUEST)
            {
                throw ControlException.invalid("count " + Integer.toUnsignedString(request.getCount()) + " is out of range 1.." + MAX_PORTS_PER_REQUEST);
            }
            final java.util.List<PublishSpec> specs = new java.util.ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                specs.add(new PublishSpec(network, containerIp, request.getContainerPort() + i, hostIp, request.getHostPort() + i, protocol));
            }
            final AddPublishResponse.Builder response = AddPublishResponse.newBuilder();
            for (final PublishSpec done : nat.publish(specs))
            {
                response.addAll(message(done));
            }
            return response.setPublished(response.getAll(0)).build();
        });
    }

    @Override
    public void remove(final RemovePublishRequest request, final StreamObserver<RemovePublishResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final PublishSpec removed = nat.unpublish(request.getNetwork(), hostIp(request.getHostIp()), request.getHostPort(),
                Inputs.portProtocol(request.getProtocol(), Protocol.TCP));
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
