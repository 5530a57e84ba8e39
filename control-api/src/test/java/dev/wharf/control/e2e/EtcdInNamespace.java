package dev.wharf.control.e2e;

import org.junit.jupiter.api.Assertions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A private etcd (Debian's etcd-server) serving clients on {@code address:2379} inside a test's namespace,
 * its data in a temporary directory that outlives a stop, so that a restart finds its keys again. Started
 * and stopped by the test, by its own PID.
 */
final class EtcdInNamespace implements AutoCloseable
{
    static final Path BINARY = Path.of("/usr/bin/etcd");

    private final String namespace;
    private final String address;
    private final Path directory;
    private Process process;

    EtcdInNamespace(final String namespace, final String address) throws IOException
    {
        Host.require(Files.isExecutable(BINARY), BINARY + " is missing (scripts/install-deps.sh installs etcd-server)");
        this.namespace = namespace;
        this.address = address;
        this.directory = Files.createTempDirectory("wharf-e2e-etcd");
    }

    /** The --cluster value of the daemons. */
    String url()
    {
        return "etcd://" + address + ":2379";
    }

    EtcdInNamespace start() throws IOException, InterruptedException
    {
        final Path log = directory.resolve("etcd.log");
        process = new ProcessBuilder("ip", "netns", "exec", namespace, BINARY.toString(), "--name", "e2e",
            "--data-dir", directory.resolve("data").toString(),
            "--listen-client-urls", "http://" + address + ":2379", "--advertise-client-urls", "http://" + address + ":2379",
            "--listen-peer-urls", "http://127.0.0.1:2380", "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
            "--initial-cluster", "e2e=http://127.0.0.1:2380")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        final boolean ready = BackgroundProcess.await(20, () -> read(log).contains("ready to serve client requests") || !process.isAlive());
        Assertions.assertTrue(ready && process.isAlive(), "etcd did not start within 20 s:\n" + read(log));
        return this;
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

    /** Revokes {@code lease} through etcd's JSON gateway (the keys under it go at once), as a lost lease would. */
    void revokeLease(final long lease)
    {
        final Host.Result result = Host.run(10, "ip", "netns", "exec", namespace, "curl", "-sS", "-X", "POST",
            "http://" + address + ":2379/v3/lease/revoke", "-d", "{\"ID\":\"" + lease + "\"}").assertOk("revoke lease " + lease);
        Assertions.assertFalse(result.stdout().contains("\"error\""), "etcd refused to revoke lease " + lease + ": " + result.stdout());
    }

    String log()
    {
        return read(directory.resolve("etcd.log"));
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readString(file) : "";
        }
        catch (final IOException e)
        {
            return "(" + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        stop();
        Host.run(10, "rm", "-rf", directory.toString());
    }
}
