package dev.wharf.control.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that knows nothing of Wharf but the socket's path, as grpcurl would be: it lists the
 * services through server reflection, fetches their descriptors, and calls NetworkService with
 * dynamic messages built from them. No generated wharf.v1 class is used here on purpose; the
 * server is the real {@link ApiServer} on a Unix socket in a temporary directory.
 */
class ReflectionClientTest
{
    @TempDir
    Path directory;

    private Dataplane dataplane;
    private ApiServer server;
    private EventLoopGroup group;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception
    {
        final Path socket = directory.resolve("wharf.sock");
        dataplane = new Dataplane(DataplaneConfiguration.defaults().withWorkers(1));
        dataplane.start();
        server = ApiServer.start(socket, ControlPlane.inMemory(dataplane, new FakePortOpener()).services());
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .eventLoopGroup(group)
            .channelType(EpollDomainSocketChannel.class)
            .overrideAuthority("localhost")
            .usePlaintext()
            .build();
    }

    @AfterEach
    void stop() throws Exception
    {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
        server.close();
        dataplane.close();
    }

    @Test
    void aClientWithoutTheCliSBoundGetsARequestBeyondItRefusedAsInvalidArgumentAndTheServerCarriesOn()
    {
        final var networks = dev.wharf.control.api.v1.NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        for (final int length : new int[] {257, 8_000, 16_000})
        {
            final StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> networks.create(
                dev.wharf.control.api.v1.CreateNetworkRequest.newBuilder().setName("a".repeat(length)).setSubnet("10.10.0.0/24").build()));
            assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.toString());
            assertEquals("field \"name\" is " + length + " characters; at most 256", e.getStatus().getDescription());
        }
        final var capture = dev.wharf.control.api.v1.CaptureServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        final StatusRuntimeException streaming = assertThrows(StatusRuntimeException.class, () -> capture.capture(
            dev.wharf.control.api.v1.CaptureRequest.newBuilder().setPort("p".repeat(9_000)).build()).hasNext());
        assertEquals("field \"port\" is 9000 characters; at most 256", streaming.getStatus().getDescription(), "a streaming call too");
        assertEquals("front", networks.create(dev.wharf.control.api.v1.CreateNetworkRequest.newBuilder().setName("front")
            .setSubnet("10.10.0.0/24").build()).getNetwork().getName(), "the next request is served");
    }

    /** One request on the reflection stream, its one answer. */
    private ServerReflectionResponse reflect(final ServerReflectionRequest request) throws Exception
    {
        final CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        final StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .serverReflectionInfo(new StreamObserver<>()
            {
                @Override
                public void onNext(final ServerReflectionResponse response)
                {
                    answer.complete(response);
                }

                @Override
                public void onError(final Throwable t)
                {
                    answer.completeExceptionally(t);
                }

                @Override
                public void onCompleted()
                {
                    answer.completeExceptionally(new IllegalStateException("the stream ended without an answer"));
                }
            });
        requests.onNext(request);
        requests.onCompleted();
        return answer.get(10, TimeUnit.SECONDS);
    }

    /** The file that defines {@code symbol}, built with its dependencies from what reflection sent. */
    private FileDescriptor fileContaining(final String symbol) throws Exception
    {
        final ServerReflectionResponse response = reflect(ServerReflectionRequest.newBuilder().setFileContainingSymbol(symbol).build());
        final Map<String, FileDescriptorProto> protos = new HashMap<>();
        for (final ByteString bytes : response.getFileDescriptorResponse().getFileDescriptorProtoList())
        {
            final FileDescriptorProto proto = FileDescriptorProto.parseFrom(bytes);
            protos.put(proto.getName(), proto);
        }
        // the first file is the one containing the symbol; the others are what it imports
        final FileDescriptorProto first = FileDescriptorProto.parseFrom(response.getFileDescriptorResponse().getFileDescriptorProto(0));
        return build(first.getName(), protos, new HashMap<>());
    }

    private static FileDescriptor build(final String name, final Map<String, FileDescriptorProto> protos, final Map<String, FileDescriptor> built)
        throws Exception
    {
        final FileDescriptor done = built.get(name);
        if (done != null)
        {
            return done;
        }
        final FileDescriptorProto proto = protos.get(name);
        assertTrue(proto != null, "reflection did not send " + name);
        final FileDescriptor[] dependencies = new FileDescriptor[proto.getDependencyCount()];
        for (int i = 0; i < dependencies.length; i++)
        {
            dependencies[i] = build(proto.getDependency(i), protos, built);
        }
        final FileDescriptor file = FileDescriptor.buildFrom(proto, dependencies);
        built.put(name, file);
        return file;
    }

    private DynamicMessage call(final MethodDescriptor method, final DynamicMessage request)
    {
        final io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> grpcMethod =
            io.grpc.MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
                .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(io.grpc.MethodDescriptor.generateFullMethodName(method.getService().getFullName(), method.getName()))
                .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getInputType())))
                .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getOutputType())))
                .build();
        return ClientCalls.blockingUnaryCall(channel, grpcMethod, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
    }

    @Test
    void listsTheServicesAndCallsNetworkServiceWithDynamicMessages() throws Exception
    {
        final List<String> services = reflect(ServerReflectionRequest.newBuilder().setListServices("").build())
            .getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName).toList();
        for (final String expected : List.of("wharf.v1.NetworkService", "wharf.v1.PortService", "wharf.v1.FdbService", "wharf.v1.StatsService",
            "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"))
        {
            assertTrue(services.contains(expected), () -> expected + " missing from " + services);
        }

        final ServiceDescriptor networks = fileContaining("wharf.v1.NetworkService").findServiceByName("NetworkService");
        final MethodDescriptor create = networks.findMethodByName("Create");
        final MethodDescriptor list = networks.findMethodByName("List");
        final Descriptor createRequest = create.getInputType();
        final DynamicMessage created = call(create, DynamicMessage.newBuilder(createRequest)
            .setField(createRequest.findFieldByName("name"), "front")
            .setField(createRequest.findFieldByName("subnet"), "10.10.0.0/24")
            .build());
        final DynamicMessage network = (DynamicMessage)created.getField(create.getOutputType().findFieldByName("network"));
        assertEquals("10.10.0.1", network.getField(network.getDescriptorForType().findFieldByName("gateway")));

        final DynamicMessage listed = call(list, DynamicMessage.getDefaultInstance(list.getInputType()));
        final Descriptor listResponse = list.getOutputType();
        assertEquals(1, listed.getRepeatedFieldCount(listResponse.findFieldByName("networks")));
        final DynamicMessage first = (DynamicMessage)listed.getRepeatedField(listResponse.findFieldByName("networks"), 0);
        assertEquals("front", first.getField(first.getDescriptorForType().findFieldByName("name")));
        assertEquals("10.10.0.0/24", first.getField(first.getDescriptorForType().findFieldByName("subnet")));

        // a refused call comes back as the documented status, not as a transport failure
        final DynamicMessage again = DynamicMessage.newBuilder(createRequest)
            .setField(createRequest.findFieldByName("name"), "front")
            .setField(createRequest.findFieldByName("subnet"), "10.20.0.0/24")
            .build();
        final StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> call(create, again));
        assertEquals(io.grpc.Status.Code.ALREADY_EXISTS, refused.getStatus().getCode());
    }

    @Test
    void theStandardHealthServiceAnswersServing()
    {
        final HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.newBuilder().setService("").build());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
    }
}
