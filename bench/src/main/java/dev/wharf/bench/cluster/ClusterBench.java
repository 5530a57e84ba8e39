package dev.wharf.bench.cluster;

import dev.wharf.cluster.ClusterAddress;
import dev.wharf.cluster.EtcdClusterStore;
import dev.wharf.control.api.v1.ClusterStatusRequest;
import dev.wharf.control.client.WharfClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/**
 * {@code wharf bench cluster}: how fast the cluster store reaches the dataplane. One Wharf daemon in a
 * namespace of its own joins a private etcd; this process plays the other hosts, writing endpoint
 * records straight into etcd as their agents would, and times how long until the daemon has programmed
 * them, asking it over its API ({@code cluster status}: remote endpoints programmed) in a tight loop.
 * <ul>
 *   <li>convergence: {@code --changes} endpoints added one at a time, each timed from the write to programmed (p50, p99, max);</li>
 *   <li>resync: {@code --endpoints} endpoints in the store, the daemon killed with -9 and started again on its state: the
 *   time from its start until it has programmed them all, and from its API's first answer.</li>
 * </ul>
 * Everything it makes (namespace, veth, etcd, daemon, temporary directory) goes when it ends, failed or not.
 */
public final class ClusterBench
{
    private static final String NAMESPACE = "wcb-host";
    private static final String ROOT_END = "wcb-r";
    private static final String HOST_END = "wcb-u";
    private static final String ETCD_ADDRESS = "10.201.0.254";
    private static final String UNDERLAY = "10.201.0.1";
    private static final int ETCD_PORT = 23790;
    private static final String PREFIX = "/wharf-bench/";

    private final Path launcher;
    private final int changes;
    private final int endpoints;
    private final Path work;
    private Process etcd;
    private Process daemon;

    private ClusterBench(final Path launcher, final int changes, final int endpoints) throws IOException
    {
        this.launcher = launcher;
        this.changes = changes;
        this.endpoints = endpoints;
        this.work = Files.createTempDirectory("wharf-bench-cluster");
    }

    public static void main(final String[] args) throws Exception
    {
        Path launcher = null;
        int changes = 200;
        int endpoints = 10_000;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--wharf" -> launcher = Path.of(args[++i]);
                case "--changes" -> changes = Integer.parseInt(args[++i]);
                case "--endpoints" -> endpoints = Integer.parseInt(args[++i]);
                default ->
                {
                    System.err.println("usage: wharf bench cluster [--changes 200] [--endpoints 10000]");
                    System.exit(2);
                }
            }
        }
        if (launcher == null || changes < 1 || endpoints < changes || endpoints > 60_000)
        {
            System.err.println("wharf bench cluster: --changes >= 1, --endpoints between --changes and 60000, and the launcher (--wharf)");
            System.exit(2);
        }
        final ClusterBench bench = new ClusterBench(launcher, changes, endpoints);
        try
        {
            bench.run();
        }
        finally
        {
            bench.cleanUp();
        }
    }

    private void run() throws Exception
    {
        run("ip", "netns", "add", NAMESPACE);
        run("ip", "link", "add", ROOT_END, "type", "veth", "peer", "name", HOST_END, "netns", NAMESPACE);
        run("ip", "addr", "add", ETCD_ADDRESS + "/24", "dev", ROOT_END);
        run("ip", "link", "set", ROOT_END, "up");
        run("ip", "netns", "exec", NAMESPACE, "ip", "addr", "add", UNDERLAY + "/24", "dev", HOST_END);
        run("ip", "netns", "exec", NAMESPACE, "ip", "link", "set", HOST_END, "up");
        run("ip", "netns", "exec", NAMESPACE, "ip", "link", "set", "lo", "up");
        startEtcd();
        final Path socket = work.resolve("wharf.sock");
        startDaemon(socket);
        run(launcher.toString(), "--socket", socket.toString(), "network", "create", "ov", "--driver", "overlay", "--subnet", "10.60.0.0/16");

        final String url = "etcd://" + ETCD_ADDRESS + ":" + ETCD_PORT;
        try (EtcdClusterStore store = EtcdClusterStore.connect(ClusterAddress.parse(url), null, Duration.ofSeconds(5));
             WharfClient client = new WharfClient(socket, 5_000))
        {
            final FakeHosts hosts = new FakeHosts(store, PREFIX);
            awaitProgrammed(client, n -> n == 0, 30);
            final long[] samples = new long[changes];
            for (int i = 0; i < changes; i++)
            {
                final int expected = i + 1;
                final long start = System.nanoTime();
                hosts.addEndpoint(i);
                awaitProgrammed(client, n -> n >= expected, 10);
                samples[i] = System.nanoTime() - start;
            }
            Arrays.sort(samples);
            System.out.printf("convergence, %d endpoints added one at a time (write to etcd -> programmed on the daemon):%n", changes);
            System.out.printf("  p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", ms(percentile(samples, 50)), ms(percentile(samples, 99)),
                ms(samples[samples.length - 1]));

            final long bulkStart = System.nanoTime();
            for (int i = changes; i < endpoints; i++)
            {
                hosts.addEndpoint(i);
            }
            awaitProgrammed(client, n -> n == endpoints, 300);
            System.out.printf("bulk: %d more endpoints written and programmed live in %.2f s%n", endpoints - changes,
                (System.nanoTime() - bulkStart) / 1e9);
        }
        daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        final long restart = System.nanoTime();
        startDaemon(socket);
        final long answering = System.nanoTime();
        try (WharfClient client = new WharfClient(socket, 5_000))
        {
            awaitProgrammed(client, n -> n == endpoints, 300);
        }
        final long done = System.nanoTime();
        System.out.printf("resync after kill -9: %d endpoints programmed %.2f s after the daemon's start (%.2f s after its API answered)%n",
            endpoints, (done - restart) / 1e9, (done - answering) / 1e9);
    }

    private static long percentile(final long[] sorted, final int p)
    {
        return sorted[Math.min(sorted.length - 1, (int)Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double ms(final long nanos)
    {
        return nanos / 1e6;
    }

    private static void awaitProgrammed(final WharfClient client, final LongPredicate done, final int seconds) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long seen = -1;
        while (System.nanoTime() < deadline)
        {
            try
            {
                seen = client.cluster().status(ClusterStatusRequest.getDefaultInstance()).getRemoteEndpoints();
                if (done.test(seen))
                {
                    return;
                }
            }
            catch (final RuntimeException notYet)
            {
                Thread.sleep(50); // the daemon is not answering yet
            }
        }
        throw new IllegalStateException("the daemon did not program the endpoints within " + seconds + " s (it shows " + seen + ")");
    }

    private void startEtcd() throws IOException, InterruptedException
    {
        final Path log = work.resolve("etcd.log");
        final String client = "http://" + ETCD_ADDRESS + ":" + ETCD_PORT;
        etcd = new ProcessBuilder("/usr/bin/etcd", "--name", "bench", "--data-dir", work.resolve("etcd").toString(),
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", "http://127.0.0.1:23800", "--initial-advertise-peer-urls", "http://127.0.0.1:23800",
            "--initial-cluster", "bench=http://127.0.0.1:23800")
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.readString(log).contains("ready to serve client requests"))
        {
            if (!etcd.isAlive() || System.nanoTime() > deadline)
            {
                throw new IllegalStateException("etcd did not start: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }

    private void startDaemon(final Path socket) throws IOException, InterruptedException
    {
        Files.deleteIfExists(socket); // a daemon killed with -9 leaves its socket: its presence must mean the new one listens
        daemon = new ProcessBuilder("ip", "netns", "exec", NAMESPACE, launcher.toString(), "daemon", "--socket", socket.toString(),
            "--state-dir", work.resolve("state").toString(), "--metrics", "off", "--dns", "off", "--host-access", "false",
            "--cluster", "etcd://" + ETCD_ADDRESS + ":" + ETCD_PORT, "--cluster-prefix", PREFIX, "--underlay", UNDERLAY)
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("daemon.log").toFile())).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(socket))
        {
            if (!daemon.isAlive() || System.nanoTime() > deadline)
            {
                throw new IllegalStateException("the daemon did not start: " + Files.readString(work.resolve("daemon.log")));
            }
            Thread.sleep(20);
        }
    }

    private static void run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }

    private void cleanUp() throws InterruptedException
    {
        for (final Process process : new Process[] {daemon, etcd})
        {
            if (process != null && process.isAlive())
            {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS))
                {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
        final List<String[]> steps = new ArrayList<>();
        steps.add(new String[] {"ip", "link", "del", ROOT_END});
        steps.add(new String[] {"ip", "netns", "del", NAMESPACE});
        steps.add(new String[] {"rm", "-rf", work.toString()});
        for (final String[] step : steps)
        {
            try
            {
                new ProcessBuilder(step).redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
            }
            catch (final IOException e)
            {
                System.err.println("cleanup: " + String.join(" ", step) + ": " + e.getMessage());
            }
        }
    }
}
