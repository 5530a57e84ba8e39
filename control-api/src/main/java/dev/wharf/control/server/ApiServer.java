package dev.wharf.control.server;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server of the {@code wharf.v1} API on a Unix domain socket (Netty's epoll transport, as
 * shaded into grpc-netty-shaded), with the standard health and reflection services so that generic
 * tools (grpcurl, grpc-health-probe) work too; optionally the same services on TCP
 * ({@link #alsoOnTcp}). Started and closed by the daemon's main thread.
 */
public final class ApiServer implements AutoCloseable
{
    private static final long SHUTDOWN_GRACE_MS = 5_000;

    private final Path socket;
    private final EventLoopGroup group;
    private final Server server;

    private ApiServer(final Path socket, final EventLoopGroup group, final Server server)
    {
        this.socket = socket;
        this.group = group;
        this.server = server;
    }

    /** Binds {@code socket} (which must not exist) and serves {@code services} (every feature's, {@link ControlPlane#services()}). */
    public static ApiServer start(final Path socket, final List<BindableService> services) throws IOException
    {
        if (!Epoll.isAvailable())
        {
            throw new IOException("Unix sockets need Netty's epoll transport, which cannot load here: " + Epoll.unavailabilityCause());
        }
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        try
        {
            final NettyServerBuilder builder = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(group)
                .workerEventLoopGroup(group);
            // every request of the API is bounded before its service reads it (RequestLimits)
            services.forEach(service -> builder.addService(ServerInterceptors.intercept(service, RequestLimits.server())));
            final Server server = builder
                .addService(new HealthStatusManager().getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .build()
                .start();
            return new ApiServer(socket, group, server);
        }
        catch (final IOException | RuntimeException e)
        {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /**
     * Serves the services of this server on a TCP listener too: a second server sharing the same
     * service instances, so that whatever the socket serves the listener serves, with the
     * listener's credentials (TLS, or plaintext on loopback). The caller closes what it returns.
     */
    public ApiServer alsoOnTcp(final TcpListener listener) throws IOException
    {
        final NettyServerBuilder builder = NettyServerBuilder.forAddress(listener.address(), listener.credentials());
        for (final ServerServiceDefinition service : server.getServices())
        {
            builder.addService(service);
        }
        return new ApiServer(null, null, builder.build().start());
    }

    /** The socket this server serves on; null for a TCP listener. */
    public Path socket()
    {
        return socket;
    }

    /** The TCP address a listener is bound to (the actual port when 0 was asked for); null on a socket. */
    public InetSocketAddress tcpAddress()
    {
        for (final SocketAddress address : server.getListenSockets())
        {
            if (address instanceof InetSocketAddress inet)
            {
                return inet;
            }
        }
        return null;
    }

    /** Blocks until the server has shut down. */
    public void awaitTermination() throws InterruptedException
    {
        server.awaitTermination();
    }

    /** Stops accepting calls, lets running ones finish for a moment, then cuts the rest. */
    @Override
    public void close()
    {
        server.shutdown();
        try
        {
            if (!server.awaitTermination(SHUTDOWN_GRACE_MS, TimeUnit.MILLISECONDS))
            {
                server.shutdownNow();
                server.awaitTermination(SHUTDOWN_GRACE_MS, TimeUnit.MILLISECONDS);
            }
        }
        catch (final InterruptedException e)
        {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (group != null)
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
