package dev.wharf.control.cli;

import dev.wharf.control.api.v1.CaptureServiceGrpc;
import dev.wharf.control.api.v1.ConntrackServiceGrpc;
import dev.wharf.control.api.v1.FdbServiceGrpc;
import dev.wharf.control.api.v1.NetworkServiceGrpc;
import dev.wharf.control.api.v1.OverlayServiceGrpc;
import dev.wharf.control.api.v1.PortServiceGrpc;
import dev.wharf.control.api.v1.PublishServiceGrpc;
import dev.wharf.control.api.v1.RuleServiceGrpc;
import dev.wharf.control.api.v1.StatsServiceGrpc;
import dev.wharf.control.api.v1.TraceServiceGrpc;
import dev.wharf.control.api.v1.UplinkServiceGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.ServerCalls;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The training run of the CLI's ahead-of-time cache (JDK 25, JEP 483/514/515; {@code wharf aot-cache}
 * in the launcher): the JVM that runs this with {@code -XX:AOTCacheOutput} records the classes and
 * profiles that client verbs use, and the launcher's later client calls start from them. Runs the
 * client verbs the way {@link WharfMain#main} does, against a stand-in daemon that answers every call
 * of the API with an empty message. The stand-in runs in a child JVM ({@code serve SOCKET}), so that
 * no server class enters the cache: every class in it is loaded at each start.
 */
public final class AotTraining
{
    /** What the stand-in prints on stdout once it listens. */
    private static final String READY = "ready";

    /** The verbs a training run calls: every read-only listing, JSON output, usage help and an unreachable daemon. */
    private static final String[][] VERBS = {
        {"network", "ls"}, {"network", "ls", "--json"}, {"network", "inspect", "front"}, {"port", "ls"},
        {"port", "ls", "--json"}, {"fdb", "show", "front"}, {"stats"}, {"stats", "--json"}, {"uplink", "show"},
        {"underlay", "show"}, {"vtep", "ls"}, {"publish", "ls"}, {"conntrack", "list"}, {"conntrack", "stats"},
        {"rule", "ls"}, {"trace", "show"}, {"network", "ls", "--help"}, {"network", "create", "x", "--subnet", "bad"}
    };

    private AotTraining()
    {
    }

    /** {@code AotTraining} trains (what the launcher runs); {@code AotTraining serve SOCKET} is the stand-in daemon. */
    public static void main(final String[] args) throws Exception
    {
        if (args.length == 2 && "serve".equals(args[0]))
        {
            serve(Path.of(args[1]));
            return;
        }
        train();
    }

    private static void train() throws Exception
    {
        ClientLogging.install();
        final Path directory = Files.createTempDirectory("wharf-aot-");
        final Path socket = directory.resolve("wharf.sock");
        final Process server = startServer(socket);
        try
        {
            for (final String[] verb : VERBS)
            {
                run(withSocket(socket, verb));
            }
            // an unreachable daemon: the error path every script meets when the daemon is down
            run(withSocket(directory.resolve("absent.sock"), new String[] {"network", "ls"}));
        }
        finally
        {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(socket);
            Files.deleteIfExists(directory);
        }
    }

    /** One verb as {@link WharfMain#main} runs it, its output thrown away. */
    private static void run(final String[] args)
    {
        final PrintWriter nowhere = new PrintWriter(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        final CommandLine commandLine = WharfMain.newCommandLine(args);
        commandLine.setOut(nowhere);
        commandLine.setErr(nowhere);
        commandLine.execute(args);
    }

    private static String[] withSocket(final Path socket, final String[] verb)
    {
        final List<String> args = new ArrayList<>(List.of("--socket", socket.toString()));
        args.addAll(List.of(verb));
        return args.toArray(new String[0]);
    }

    /** The stand-in daemon in a child JVM of the same java and class path; returns once it listens. */
    private static Process startServer(final Path socket) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("--enable-native-access=ALL-UNNAMED");
        if (Runtime.version().feature() >= 23)
        {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), AotTraining.class.getName(), "serve", socket.toString()));
        final Process server = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        final BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        final String line = out.readLine();
        if (!READY.equals(line))
        {
            server.destroy();
            throw new IOException("the training's stand-in daemon did not start (it said " + line + ")");
        }
        return server;
    }

    /** Serves every service of the API on {@code socket}, each call answered with an empty message, until killed. */
    private static void serve(final Path socket) throws IOException, InterruptedException
    {
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        final NettyServerBuilder builder = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(group)
            .workerEventLoopGroup(group);
        for (final ServiceDescriptor service : List.of(NetworkServiceGrpc.getServiceDescriptor(), PortServiceGrpc.getServiceDescriptor(),
            FdbServiceGrpc.getServiceDescriptor(), StatsServiceGrpc.getServiceDescriptor(), TraceServiceGrpc.getServiceDescriptor(),
            CaptureServiceGrpc.getServiceDescriptor(), UplinkServiceGrpc.getServiceDescriptor(), OverlayServiceGrpc.getServiceDescriptor(),
            PublishServiceGrpc.getServiceDescriptor(), RuleServiceGrpc.getServiceDescriptor(), ConntrackServiceGrpc.getServiceDescriptor()))
        {
            builder.addService(emptyAnswers(service));
        }
        final Server server = builder.build().start();
        System.out.println(READY);
        System.out.flush();
        server.awaitTermination();
    }

    private static ServerServiceDefinition emptyAnswers(final ServiceDescriptor service)
    {
        final ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(service);
        for (final MethodDescriptor<?, ?> method : service.getMethods())
        {
            addEmptyAnswer(definition, method);
        }
        return definition.build();
    }

    private static <Q, R> void addEmptyAnswer(final ServerServiceDefinition.Builder definition, final MethodDescriptor<Q, R> method)
    {
        @SuppressWarnings("unchecked")
        final R empty = ((MethodDescriptor.PrototypeMarshaller<R>)method.getResponseMarshaller()).getMessagePrototype();
        if (method.getType() == MethodDescriptor.MethodType.UNARY)
        {
            definition.addMethod(method, ServerCalls.asyncUnaryCall((request, response) ->
            {
                response.onNext(empty);
                response.onCompleted();
            }));
        }
        else
        {
            // the capture stream: ends at once, without events
            definition.addMethod(method, ServerCalls.asyncServerStreamingCall((request, response) -> response.onCompleted()));
        }
    }
}
