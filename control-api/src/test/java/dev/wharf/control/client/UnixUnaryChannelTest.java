package dev.wharf.control.client;

import dev.wharf.control.api.v1.InspectNetworkRequest;
import dev.wharf.control.api.v1.InspectNetworkResponse;
import dev.wharf.control.api.v1.ListNetworksRequest;
import dev.wharf.control.api.v1.ListNetworksResponse;
import dev.wharf.control.api.v1.Network;
import dev.wharf.control.api.v1.NetworkServiceGrpc;
import dev.wharf.control.api.v1.RemoveNetworkRequest;
import dev.wharf.control.api.v1.RemoveNetworkResponse;
import dev.wharf.control.server.ApiServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link WharfClient}'s own HTTP/2 transport for unary calls ({@link UnixUnaryChannel}) against grpc-java's Netty
 * server: replies larger than a frame and than HTTP/2's default window, several calls on one connection, a
 * status with a percent-encoded message, a deadline, and a socket nobody listens on.
 */
class UnixUnaryChannelTest
{
    /** Enough networks that the reply spans many 16 KiB DATA frames and passes the 64 KiB default window. */
    private static final int MANY = 3_000;

    @TempDir
    Path directory;

    private Path socket;
    private ApiServer server;

    /** Lists MANY networks, fails inspect with a message that needs percent-encoding, never answers remove. */
    private static final class Service extends NetworkServiceGrpc.NetworkServiceImplBase
    {
        @Override
        public void list(final ListNetworksRequest request, final StreamObserver<ListNetworksResponse> response)
        {
            final ListNetworksResponse.Builder networks = ListNetworksResponse.newBuilder();
            for (int i = 0; i < MANY; i++)
            {
                networks.addNetworks(Network.newBuilder().setName("network-" + i).setSubnet("10.0." + i % 256 + ".0/24"));
            }
            response.onNext(networks.build());
            response.onCompleted();
        }

        @Override
        public void inspect(final InspectNetworkRequest request, final StreamObserver<InspectNetworkResponse> response)
        {
            response.onError(Status.NOT_FOUND.withDescription("network \"" + request.getName() + "\" not found: 100% sure, a+b").asRuntimeException());
        }

        @Override
        public void remove(final RemoveNetworkRequest request, final StreamObserver<RemoveNetworkResponse> response)
        {
            // never answers: the client's deadline ends the call
        }
    }

    @BeforeEach
    void startServer() throws Exception
    {
        socket = directory.resolve("wharf.sock");
        server = ApiServer.start(socket, List.of(new Service()));
    }

    @AfterEach
    void stopServer()
    {
        server.close();
    }

    @Test
    void aReplyOfManyFramesArrivesWholeAndTheConnectionCarriesTheNextCalls()
    {
        try (WharfClient client = new WharfClient(socket))
        {
            for (int call = 0; call < 3; call++)
            {
                final ListNetworksResponse response = client.networks().list(ListNetworksRequest.getDefaultInstance());
                assertEquals(MANY, response.getNetworksCount());
                assertEquals("network-2999", response.getNetworks(MANY - 1).getName());
                assertEquals("10.0.183.0/24", response.getNetworks(MANY - 1).getSubnet());
            }
        }
    }

    @Test
    void anErrorComesBackWithItsCodeAndItsMessageDecoded()
    {
        try (WharfClient client = new WharfClient(socket))
        {
            final StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> client.networks().inspect(InspectNetworkRequest.newBuilder().setName("frönt").build()));
            assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
            assertEquals("network \"frönt\" not found: 100% sure, a+b", e.getStatus().getDescription());
            // the stream failed, the connection did not
            assertEquals(MANY, client.networks().list(ListNetworksRequest.getDefaultInstance()).getNetworksCount());
        }
    }

    @Test
    void aDaemonThatDoesNotAnswerEndsTheCallAtItsDeadline()
    {
        try (WharfClient client = new WharfClient(socket, 300))
        {
            final StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> client.networks().remove(RemoveNetworkRequest.newBuilder().setName("front").build()));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
            // a new connection serves the next call
            assertEquals(MANY, client.networks().list(ListNetworksRequest.getDefaultInstance()).getNetworksCount());
        }
    }

    @Test
    void aSocketNobodyListensOnIsUnavailable()
    {
        try (WharfClient client = new WharfClient(directory.resolve("absent.sock")))
        {
            final StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> client.networks().list(ListNetworksRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        }
    }
}
