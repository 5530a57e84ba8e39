package dev.wharf.control.e2e;

import org.junit.jupiter.api.Assertions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Bulk TCP transfers between namespaces with real tools (socat, sha256sum), checked end to end. */
public final class Transfers
{
    private Transfers()
    {
    }

    /**
     * Sends {@code megabytes} of random data from {@code clientNs} to a socat listener in
     * {@code serverNs} at {@code serverIp:port} and asserts the receiver got exactly those bytes.
     */
    public static void tcpTransferWithChecksum(
        final Topology topology, final String clientNs, final String serverNs, final String serverIp, final int port,
        final int megabytes) throws IOException, InterruptedException
    {
        final Path dir = Files.createTempDirectory("wharf-xfer");
        final Path payload = dir.resolve("payload");
        final Path received = dir.resolve("received.sha256");
        try
        {
            Host.sh(60, "head -c " + megabytes + "M /dev/urandom > " + payload).assertOk("make payload");
            final String expected = Host.run(60, "sha256sum", payload.toString()).assertOk("sha256sum").stdout().split(" ")[0];
            final Process server = new ProcessBuilder("ip", "netns", "exec", serverNs, "/bin/sh", "-c",
                "socat -u TCP-LISTEN:" + port + ",reuseaddr STDOUT | sha256sum > " + received)
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
            try
            {
                awaitListener(topology, serverNs, port);
                topology.exec(180, clientNs, "socat", "-u", "FILE:" + payload, "TCP:" + serverIp + ":" + port)
                    .assertOk("socat send " + megabytes + " MB");
                Assertions.assertTrue(server.waitFor(60, TimeUnit.SECONDS), "receiver did not finish");
                final String actual = Files.readString(received).split(" ")[0].strip();
                Assertions.assertEquals(expected, actual, megabytes + " MB arrived altered");
            }
            finally
            {
                server.descendants().forEach(ProcessHandle::destroyForcibly);
                server.destroyForcibly();
            }
        }
        finally
        {
            Host.run(10, "rm", "-rf", dir.toString());
        }
    }

    private static void awaitListener(final Topology topology, final String ns, final int port) throws InterruptedException
    {
        for (int i = 0; i < 50; i++)
        {
            if (topology.exec(ns, "ss", "-Hltn", "sport = :" + port).stdout().contains(":" + port))
            {
                return;
            }
            Thread.sleep(100);
        }
        Assertions.fail("no listener on port " + port + " in " + ns);
    }
}
