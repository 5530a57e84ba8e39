package dev.wharf.control.client;

import dev.wharf.control.api.v1.CaptureServiceGrpc;
import dev.wharf.control.api.v1.FdbServiceGrpc;
import dev.wharf.control.api.v1.NetworkServiceGrpc;
import dev.wharf.control.api.v1.PortServiceGrpc;
import dev.wharf.control.api.v1.StatsServiceGrpc;
import dev.wharf.control.api.v1.TraceServiceGrpc;
import dev.wharf.control.server.RequestLimits;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A connection to a daemon's API on its Unix socket (or on its TCP listener, see
 * {@link #overTcp}), with blocking stubs of each service. Every stub it hands out carries a fresh
 * deadline, so a hung daemon fails a call instead of the CLI hanging. One thread at a time (the
 * CLI's main thread); close it to release the channel.
 */
public final class WharfClient implements AutoCloseable
{
    public static final Path DEFAULT_SOCKET = Path.of("/run/wharf/wharf.sock");
    public static final String SOCKET_ENV = "WHARF_SOCKET";
    /** When set (HOST:PORT), the CLI calls that TCP listener instead of the socket. */
    public static final String HOST_ENV = "WHARF_HOST";
    /** Attach and detach wait for workers and open devices; generous, but not forever. */
    public static final long DEADLINE_MS_DEFAULT = 60_000;
    /** A full trace (10000 packets) is larger than gRPC's default 4 MiB message. */
    public static final int MAX_INBOUND_MESSAGE_BYTES = 64 * 1024 * 1024;

    private final Path socket;
    private final EventLoopGroup group;
    private final ManagedChannel channel;
    private final long deadlineMs;

    public WharfClient(final Path socket)
    {
        this(socket, DEADLINE_MS_DEFAULT);
    }

    public WharfClient(final Path socket, final long deadlineMs)
    {
        this.socket = socket;
        this.deadlineMs = deadlineMs;
        this.group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        this.channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .eventLoopGroup(group)
            .channelType(EpollDomainSocketChannel.class)
            .overrideAuthority("localhost")
            .usePlaintext()
            .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
            .intercept(RequestLimits.client())
            .build();
    }

    private WharfClient(final ManagedChannel channel, final long deadlineMs)
    {
        this.socket = null;
        this.deadlineMs = deadlineMs;
        this.group = null;
        this.channel = channel;
    }

    /**
     * A connection to a daemon's TCP listener ({@code wharf daemon --listen}).
     *
     * @param tls null for plaintext, which the daemon accepts only on a loopback address.
     * @throws IOException when a TLS file cannot be read; the message names the option and the file.
     */
    public static WharfClient overTcp(final HostPort target, final ClientTls tls, final long deadlineMs) throws IOException
    {
        final ChannelCredentials credentials = tls == null ? InsecureChannelCredentials.create() : tls.credentials();
        return new WharfClient(NettyChannelBuilder.forAddress(target.host(), target.port(), credentials)
            .intercept(RequestLimits.client()).build(), deadlineMs);
    }

    /** The socket the command line talks to: the option if given, else {@code WHARF_SOCKET}, else the default. */
    public static Path resolveSocket(final Path option)
    {
        if (option != null)
        {
            return option;
        }
        final String env = System.getenv(SOCKET_ENV);
        return env != null && !env.isBlank() ? Path.of(env) : DEFAULT_SOCKET;
    }

    /** The socket this client talks to; null over TCP. */
    public Path socket()
    {
        return socket;
    }

    public NetworkServiceGrpc.NetworkServiceBlockingStub networks()
    {
        return NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }

    public PortServiceGrpc.PortServiceBlockingStub ports()
    {
        return PortServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }

    public FdbServiceGrpc.FdbServiceBlockingStub fdb()
    {
        return FdbServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }

    public StatsServiceGrpc.StatsServiceBlockingStub stats()
    {
        return StatsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }

    public TraceServiceGrpc.TraceServiceBlockingStub trace()
    {
        return TraceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }

    public dev.wharf.control.api.v1.UplinkServiceGrpc.UplinkServiceBlockingStub uplink()
    {
        return dev.wharf.control.api.v1.UplinkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }

    public dev.wharf.control.api.v1.OverlayServiceGrpc.OverlayServiceBlockingStub overlay()
    {
        return dev.wharf.control.api.v1.OverlayServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }

    public dev.wharf.control.api.v1.DnsServiceGrpc.DnsServiceBlockingStub dns()
    {
        return dev.wharf.control.api.v1.DnsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }

    public dev.wharf.control.api.v1.ClusterServiceGrpc.ClusterServiceBlockingStub cluster()
    {
        return dev.wharf.control.api.v1.ClusterServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }

    public dev.wharf.control.api.v1.LoadBalancerServiceGrpc.LoadBalancerServiceBlockingStub lb()
    {
        return dev.wharf.control.api.v1.LoadBalancerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }

    public dev.wharf.control.api.v1.PublishServiceGrpc.PublishServiceBlockingStub publish()
    {
        return dev.wharf.control.api.v1.PublishServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }

    public dev.wharf.control.api.v1.RuleServiceGrpc.RuleServiceBlockingStub rules()
    {
        return dev.wharf.control.api.v1.RuleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }

    public dev.wharf.control.api.v1.ConntrackServiceGrpc.ConntrackServiceBlockingStub conntrack()
    {
        return dev.wharf.control.api.v1.ConntrackServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }

    /**
     * A stub for the capture stream, without a deadline: a capture without a count runs until the
     * caller cancels it (through the gRPC {@link io.grpc.Context} it calls in).
     */
    public CaptureServiceGrpc.CaptureServiceBlockingStub capture()
    {
        return CaptureServiceGrpc.newBlockingStub(channel);
    }

    @Override
    public void close()
    {
        channel.shutdownNow();
        try
        {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        if (group != null)
        {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
    }
}
