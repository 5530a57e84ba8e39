package dev.wharf.control.daemon;

import dev.wharf.control.api.v1.CreateNetworkRequest;
import dev.wharf.control.api.v1.ListNetworksRequest;
import dev.wharf.control.cli.ExitCodes;
import dev.wharf.control.cli.WharfMain;
import dev.wharf.control.client.ClientTls;
import dev.wharf.control.client.HostPort;
import dev.wharf.control.client.WharfClient;
import dev.wharf.control.server.FakePortOpener;
import dev.wharf.control.state.NetworkSection;
import dev.wharf.control.server.TcpListener;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon's TCP listener ({@code --listen}) with certificates made by openssl in the test: the
 * same API as on the socket, TLS with and without client certificates, plaintext only on loopback,
 * and every way in that must fail failing with one line from the CLI.
 */
class TcpListenerTest
{
    private static final DataplaneConfiguration CONFIGURATION = DataplaneConfiguration.defaults().withWorkers(1);

    @TempDir
    Path directory;

    private TestCertificates certificates;
    private TestCertificates.Pair ca;
    private TestCertificates.Pair server;
    private TestCertificates.Pair clientCa;
    private TestCertificates.Pair client;
    private TestCertificates.Pair stranger;
    private WharfDaemon daemon;

    /** What one run of {@code wharf} printed and returned. */
    record Run(int exitCode, String out, String err)
    {
        Run ok()
        {
            assertEquals(0, exitCode, () -> "exit code; stderr: " + err);
            assertEquals("", err, "stderr");
            return this;
        }

        /** Asserts a failure: the exit code, nothing on stdout and one line on stderr starting with {@code prefix}. */
        Run fails(final int expectedExit, final String prefix)
        {
            assertEquals(expectedExit, exitCode, () -> "exit code; stderr: " + err);
            assertEquals("", out, "stdout");
            assertEquals(1, err.lines().count(), () -> "one line on stderr: " + err);
            assertTrue(err.startsWith(prefix), () -> "stderr: " + err);
            return this;
        }
    }

    @BeforeEach
    void makeCertificates() throws Exception
    {
        certificates = new TestCertificates(directory);
        ca = certificates.ca("ca");
        server = certificates.server("server", ca);
        clientCa = certificates.ca("client-ca");
        client = certificates.client("client", clientCa);
        final TestCertificates.Pair otherCa = certificates.ca("other-ca");
        stranger = certificates.client("stranger", otherCa);
    }

    @AfterEach
    void stopDaemon()
    {
        if (daemon != null)
        {
            daemon.close();
        }
    }

    private String start(final TcpListener listener) throws DaemonException
    {
        daemon = WharfDaemon.start(directory.resolve("wharf.sock"), CONFIGURATION, new FakePortOpener());
        final InetSocketAddress address = daemon.listen(listener);
        return "127.0.0.1:" + address.getPort();
    }

    private static Run wharf(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = WharfMain.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private static String[] args(final String host, final List<String> tls, final String... command)
    {
        final List<String> all = new ArrayList<>(List.of("--host", host));
        all.addAll(tls);
        all.addAll(List.of(command));
        return all.toArray(new String[0]);
    }

    @Test
    void mutualTlsServesTheSameApiAsTheSocketToAClientWithTheRightCertificate() throws Exception
    {
        final String host = start(TcpListener.of("127.0.0.1:0", server.cert(), server.key(), clientCa.cert()));
        final List<String> tls = List.of("--tls-ca", ca.cert().toString(), "--tls-cert", client.cert().toString(), "--tls-key", client.key().toString());
        assertEquals("front\n", wharf(args(host, tls, "network", "create", "front", "--subnet", "10.10.0.0/24")).ok().out());
        assertTrue(wharf(args(host, tls, "network", "ls", "--json")).ok().out().contains("\"name\": \"front\""));
        try (WharfClient overSocket = new WharfClient(daemon.socket()))
        {
            assertEquals("front", overSocket.networks().list(ListNetworksRequest.getDefaultInstance()).getNetworks(0).getName());
        }
    }

    @Test
    void mutualTlsRefusesAClientWithoutACertificateOrWithOneFromAnotherCa() throws Exception
    {
        final String host = start(TcpListener.of("127.0.0.1:0", server.cert(), server.key(), clientCa.cert()));
        wharf(args(host, List.of("--tls-ca", ca.cert().toString()), "network", "create", "front", "--subnet", "10.10.0.0/24"))
            .fails(ExitCodes.UNREACHABLE, "wharf: daemon unreachable at " + host + " (");
        wharf(args(host, List.of("--tls-ca", ca.cert().toString(), "--tls-cert", stranger.cert().toString(), "--tls-key", stranger.key().toString()),
            "network", "ls")).fails(ExitCodes.UNREACHABLE, "wharf: daemon unreachable at " + host + " (");

        try (WharfClient noCertificate = WharfClient.overTcp(HostPort.parse(host, "test"), new ClientTls(ca.cert(), null, null), 10_000))
        {
            final StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> noCertificate.networks().create(CreateNetworkRequest.newBuilder().setName("x").setSubnet("10.1.0.0/24").build()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e::toString);
        }
        assertEquals(0, NetworkSection.of(daemon.controlPlane().state()).networks().size(), "nothing refused reached the state");
    }

    @Test
    void tlsWithoutClientCertificatesTrustsOnlyTheServersCaAndRefusesPlaintext() throws Exception
    {
        final String host = start(TcpListener.of("127.0.0.1:0", server.cert(), server.key(), null));
        wharf(args(host, List.of("--tls-ca", ca.cert().toString()), "network", "ls")).ok();
        // plaintext HTTP/2 to a TLS port: the server never answers it as gRPC
        wharf(args(host, List.of(), "network", "ls")).fails(ExitCodes.UNREACHABLE, "wharf: daemon unreachable at " + host + " (");
        // a client that does not trust the CA that signed the server's certificate
        wharf(args(host, List.of("--tls-ca", clientCa.cert().toString()), "network", "ls"))
            .fails(ExitCodes.UNREACHABLE, "wharf: daemon unreachable at " + host + " (");
    }

    @Test
    void plaintextIsServedOnLoopback() throws Exception
    {
        final String host = start(TcpListener.of("127.0.0.1:0", null, null, null));
        wharf(args(host, List.of(), "network", "create", "front", "--subnet", "10.10.0.0/24")).ok();
        assertEquals(1, NetworkSection.of(daemon.controlPlane().state()).networks().size());
    }

    @Test
    void badListenerOptionsAreOneLineUsageErrorsBeforeAnythingStarts()
    {
        final String socket = directory.resolve("never.sock").toString();
        wharf("daemon", "--socket", socket, "--listen", "0.0.0.0:9443").fails(ExitCodes.USAGE,
            "wharf: --listen 0.0.0.0:9443: 0.0.0.0 is not a loopback address; plaintext is served on loopback only, " +
                "add --tls-cert and --tls-key to serve beyond this host (see 'wharf daemon --help')");
        wharf("daemon", "--socket", socket, "--listen", "9443").fails(ExitCodes.USAGE,
            "wharf: --listen \"9443\": expected HOST:PORT, e.g. 127.0.0.1:9443 or [::1]:9443 (see 'wharf daemon --help')");
        wharf("daemon", "--socket", socket, "--tls-cert", server.cert().toString()).fails(ExitCodes.USAGE,
            "wharf: --tls-cert, --tls-key and --tls-client-ca need --listen (see 'wharf daemon --help')");
        wharf("daemon", "--socket", socket, "--listen", "127.0.0.1:0", "--tls-cert", server.cert().toString()).fails(ExitCodes.USAGE,
            "wharf: --tls-cert needs --tls-key (see 'wharf daemon --help')");
        wharf("daemon", "--socket", socket, "--listen", "127.0.0.1:0", "--tls-client-ca", ca.cert().toString()).fails(ExitCodes.USAGE,
            "wharf: --tls-client-ca needs --tls-cert and --tls-key: client certificates are checked only over TLS (see 'wharf daemon --help')");
        final Path missing = directory.resolve("missing.pem");
        wharf("daemon", "--socket", socket, "--listen", "127.0.0.1:0", "--tls-cert", missing.toString(), "--tls-key", server.key().toString())
            .fails(ExitCodes.USAGE, "wharf: --tls-cert " + missing + ": no such file (see 'wharf daemon --help')");
        assertTrue(!directory.resolve("never.sock").toFile().exists(), "no daemon started");

        wharf("--host", "localhost", "network", "ls").fails(ExitCodes.USAGE, "wharf: --host \"localhost\": expected HOST:PORT");
        wharf("--host", "127.0.0.1:1", "--tls-cert", client.cert().toString(), "network", "ls")
            .fails(ExitCodes.USAGE, "wharf: --tls-cert needs --tls-key");
    }

    @Test
    void aKeyThatIsNotAKeyIsRefusedWhenListening() throws Exception
    {
        daemon = WharfDaemon.start(directory.resolve("wharf.sock"), CONFIGURATION, new FakePortOpener());
        final DaemonException e = assertThrows(DaemonException.class,
            () -> daemon.listen(TcpListener.of("127.0.0.1:0", server.cert(), ca.cert(), null)));
        assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:0 (TLS): "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
