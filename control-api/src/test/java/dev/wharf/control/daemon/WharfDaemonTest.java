package dev.wharf.control.daemon;

import dev.wharf.control.api.v1.CreateNetworkRequest;
import dev.wharf.control.api.v1.ListNetworksRequest;
import dev.wharf.control.cli.ExitCodes;
import dev.wharf.control.cli.WharfMain;
import dev.wharf.control.client.WharfClient;
import dev.wharf.control.server.FakePortOpener;
import dev.wharf.control.state.NetworkSection;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The daemon's assembly and its socket file: directory, mode, stale files, and a second daemon refused. */
class WharfDaemonTest
{
    private static final DataplaneConfiguration CONFIGURATION = DataplaneConfiguration.defaults().withWorkers(1);

    @TempDir
    Path directory;

    @Test
    void servesOnANewDirectoryWithMode0660AndCleansUp() throws Exception
    {
        final Path socket = directory.resolve("run/wharf/wharf.sock");
        try (WharfDaemon daemon = WharfDaemon.start(socket, CONFIGURATION, new FakePortOpener()))
        {
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            try (WharfClient client = new WharfClient(socket))
            {
                client.networks().create(CreateNetworkRequest.newBuilder().setName("front").setSubnet("10.10.0.0/24").build());
                assertEquals(1, client.networks().list(ListNetworksRequest.getDefaultInstance()).getNetworksCount());
            }
            assertEquals(1, NetworkSection.of(daemon.controlPlane().state()).networks().size());
        }
        assertFalse(Files.exists(socket), "the socket is removed on close");
    }

    @Test
    void refusesToStartWhileAnotherAnswers() throws Exception
    {
        final Path socket = directory.resolve("wharf.sock");
        try (WharfDaemon first = WharfDaemon.start(socket, CONFIGURATION, new FakePortOpener()))
        {
            final DaemonException e = assertThrows(DaemonException.class,
                () -> WharfDaemon.start(socket, CONFIGURATION, new FakePortOpener()));
            assertTrue(e.alreadyRunning());
            assertEquals("another wharf daemon is already answering on " + socket, e.getMessage());

            final StringWriter err = new StringWriter();
            final CommandLine cli = WharfMain.newCommandLine();
            cli.setErr(new PrintWriter(err, true));
            assertEquals(ExitCodes.ALREADY_EXISTS, cli.execute("daemon", "--socket", socket.toString()));
            assertEquals("wharf: another wharf daemon is already answering on " + socket + System.lineSeparator(), err.toString());

            try (WharfClient client = new WharfClient(socket))
            {
                client.networks().list(ListNetworksRequest.getDefaultInstance());
            }
        }
    }

    @Test
    void replacesAStaleSocket() throws Exception
    {
        final Path socket = directory.resolve("wharf.sock");
        try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX))
        {
            crashed.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket), "a closed listener leaves its file behind, as a crashed daemon does");
        try (WharfDaemon daemon = WharfDaemon.start(socket, CONFIGURATION, new FakePortOpener());
             WharfClient client = new WharfClient(socket))
        {
            client.networks().list(ListNetworksRequest.getDefaultInstance());
        }
    }

    @Test
    void refusesAPathThatIsNotASocket() throws Exception
    {
        final Path file = Files.writeString(directory.resolve("wharf.sock"), "not a socket");
        final DaemonException e = assertThrows(DaemonException.class, () -> WharfDaemon.start(file, CONFIGURATION, new FakePortOpener()));
        assertFalse(e.alreadyRunning());
        assertTrue(Files.exists(file), "someone else's file is left alone");
    }

    @Test
    void badDaemonOptionsAreUsageErrors()
    {
        final StringWriter err = new StringWriter();
        final CommandLine cli = WharfMain.newCommandLine();
        cli.setErr(new PrintWriter(err, true));
        assertEquals(ExitCodes.USAGE, cli.execute("daemon", "--socket", directory.resolve("w.sock").toString(), "--workers", "0"));
        assertEquals("wharf: workers must be 1..64: 0 (see 'wharf daemon --help')" + System.lineSeparator(), err.toString());
    }
}
