package dev.wharf.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A throwaway etcd server on loopback (Debian's etcd-server), its data in a temporary directory; stopped and removed by close. */
final class LocalEtcd implements AutoCloseable
{
    static final Path BINARY = Path.of("/usr/bin/etcd");

    private final Path directory;
    private final int clientPort;
    private final int peerPort;
    private Process process;
    /** The certificates of a TLS etcd that asks clients for theirs; null for plain HTTP. */
    private TestPki pki;

    LocalEtcd() throws IOException
    {
        if (!Files.isExecutable(BINARY))
        {
            if ("true".equals(System.getenv("CI")))
            {
                throw new IllegalStateException(BINARY + " is missing: scripts/install-deps.sh installs etcd-server");
            }
            assumeTrue(false, "etcd-server is not installed");
        }
        directory = Files.createTempDirectory("wharf-etcd");
        clientPort = freePort();
        peerPort = freePort();
    }

    /** Serves clients over TLS only, with certificates made by {@code pki}, and asks them for a certificate its CA signed. */
    LocalEtcd withTls(final TestPki pki)
    {
        this.pki = pki;
        return this;
    }

    LocalEtcd start() throws Exception
    {
        final String clientUrl = (pki == null ? "http" : "https") + "://127.0.0.1:" + clientPort;
        final java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(BINARY.toString(), "--name", "t",
            "--data-dir", directory.resolve("data").toString(),
            "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", url(peerPort), "--initial-advertise-peer-urls", url(peerPort),
            "--initial-cluster", "t=" + url(peerPort), "--auto-compaction-retention", "0"));
        if (pki != null)
        {
            command.addAll(java.util.List.of("--cert-file", pki.serverCertificate().toString(), "--key-file", pki.serverKey().toString(),
                "--client-cert-auth", "--trusted-ca-file", pki.ca().toString()));
        }
        process = new ProcessBuilder(command)
            .redirectErrorStream(true).redirectOutput(directory.resolve("etcd.log").toFile()).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline)
        {
            try (Socket ignored = new Socket("127.0.0.1", clientPort))
            {
                return this;
            }
            catch (final IOException notYet)
            {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("etcd did not listen within 20 s: " + Files.readString(directory.resolve("etcd.log")));
    }

    void stop() throws InterruptedException
    {
        if (process != null)
        {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            process = null;
        }
    }

    ClusterAddress address()
    {
        return ClusterAddress.parse("etcd://127.0.0.1:" + clientPort);
    }

    @Override
    public void close() throws Exception
    {
        stop();
        try (Stream<Path> files = Files.walk(directory))
        {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static String url(final int port)
    {
        return "http://127.0.0.1:" + port;
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }
}
