package dev.wharf.control.cli;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.wharf.control.api.v1.FdbEntryType;
import dev.wharf.control.api.v1.GetStatsResponse;
import dev.wharf.control.api.v1.InspectNetworkResponse;
import dev.wharf.control.api.v1.ListNetworksResponse;
import dev.wharf.control.api.v1.ListPortsResponse;
import dev.wharf.control.api.v1.PortKind;
import dev.wharf.control.api.v1.ShowFdbResponse;
import dev.wharf.control.server.ApiServer;
import dev.wharf.control.server.FakePortOpener;
import dev.wharf.control.server.SwitchController;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The picocli commands against the real gRPC server on a Unix socket in a temporary directory,
 * over a real dataplane whose ports are memory ports: exit codes, one-line errors, tables, JSON.
 */
class CliTest
{
    @TempDir
    Path directory;

    private Path socket;
    private Dataplane dataplane;
    private ApiServer server;
    private final FakePortOpener opener = new FakePortOpener().withInterfaces("veth-c1", "veth-c2");

    /** What one run of {@code wharf} printed and returned. */
    record Run(int exitCode, String out, String err)
    {
        /** Asserts a failure: the exit code and exactly one line on stderr, nothing on stdout. */
        Run fails(final int expectedExit, final String expectedLine)
        {
            assertEquals(expectedLine + System.lineSeparator(), err, "stderr");
            assertEquals(expectedExit, exitCode, () -> "exit code; stderr: " + err);
            assertEquals("", out, "stdout");
            return this;
        }

        Run ok()
        {
            assertEquals(0, exitCode, () -> "exit code; stderr: " + err);
            assertEquals("", err, "stderr");
            return this;
        }
    }

    @BeforeEach
    void startServer() throws Exception
    {
        socket = directory.resolve("wharf.sock");
        dataplane = new Dataplane(DataplaneConfiguration.defaults().withWorkers(1));
        dataplane.start();
        server = ApiServer.start(socket, new SwitchController(dataplane, opener));
    }

    @AfterEach
    void stopServer()
    {
        server.close();
        dataplane.close();
    }

    private Run wharf(final String... args)
    {
        final List<String> full = new ArrayList<>(List.of("--socket", socket.toString()));
        full.addAll(List.of(args));
        return wharfWithoutSocket(full.toArray(new String[0]));
    }

    private static Run wharfWithoutSocket(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = WharfMain.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private static <T extends Message> T parse(final String json, final Message.Builder builder) throws Exception
    {
        JsonFormat.parser().merge(json, builder);
        @SuppressWarnings("unchecked") final T message = (T)builder.build();
        return message;
    }

    @Test
    void aUsersSessionFromCreateToRemove() throws Exception
    {
        assertEquals("front\n", wharf("network", "create", "front", "--subnet", "10.10.0.0/24").ok().out());
        wharf("network", "create", "back", "--subnet", "10.20.0.0/24", "--gateway", "10.20.0.254", "--mac-limit", "32").ok();
        assertEquals("veth-c1\n", wharf("port", "attach", "front", "veth-c1", "--ip", "10.10.0.2").ok().out());
        wharf("port", "attach", "front", "veth-c2", "--ip", "10.10.0.3", "--mac", "aa:bb:cc:00:00:03", "--vlan", "10", "--mac-limit", "4").ok();
        wharf("port", "attach", "back", "tap-c3", "--tap", "--ip", "10.20.0.2", "--trunk", "10,20").ok();

        final ListNetworksResponse networks = parse(wharf("network", "ls", "--json").ok().out(), ListNetworksResponse.newBuilder());
        assertEquals(List.of("front", "back"), networks.getNetworksList().stream().map(n -> n.getName()).toList());
        assertEquals("10.20.0.254", networks.getNetworks(1).getGateway());
        assertEquals(2, networks.getNetworks(0).getPortCount());

        final ListPortsResponse ports = parse(wharf("port", "ls", "--json").ok().out(), ListPortsResponse.newBuilder());
        assertEquals(3, ports.getPortsCount());
        assertEquals("aa:bb:cc:00:00:03", ports.getPorts(1).getMac());
        assertEquals(10, ports.getPorts(1).getVlan());
        assertEquals(4, ports.getPorts(1).getMacLimit());
        assertEquals(PortKind.PORT_KIND_TAP, ports.getPorts(2).getKind());
        assertEquals(List.of(10, 20), ports.getPorts(2).getTrunkVlansList());

        final InspectNetworkResponse front = parse(wharf("network", "inspect", "front", "--json").ok().out(), InspectNetworkResponse.newBuilder());
        assertEquals("10.10.0.1", front.getNetwork().getGateway());
        assertEquals(2, front.getPortsCount());

        final ShowFdbResponse fdb = parse(wharf("fdb", "show", "front", "--json").ok().out(), ShowFdbResponse.newBuilder());
        assertEquals(1, fdb.getEntriesCount());
        assertEquals(FdbEntryType.FDB_ENTRY_TYPE_STATIC, fdb.getEntries(0).getType());
        assertEquals("veth-c2", fdb.getEntries(0).getPort());

        final GetStatsResponse stats = parse(wharf("stats", "--json").ok().out(), GetStatsResponse.newBuilder());
        assertEquals(3, stats.getPortsCount());
        assertEquals(1, stats.getWorkers());

        wharf("network", "rm", "back").fails(ExitCodes.PRECONDITION,
            "wharf: network \"back\" has 1 port attached (tap-c3); detach them first");
        assertEquals("tap-c3\n", wharf("port", "detach", "back", "tap-c3").ok().out());
        assertEquals("back\n", wharf("network", "rm", "back").ok().out());
        wharf("port", "detach", "front", "veth-c2").ok();
        final ListPortsResponse left = parse(wharf("port", "ls", "--json").ok().out(), ListPortsResponse.newBuilder());
        assertEquals(1, left.getPortsCount());
    }

    @Test
    void tablesAreAlignedUnderTheirHeaders()
    {
        wharf("network", "create", "front", "--subnet", "10.10.0.0/24").ok();
        wharf("network", "create", "a-much-longer-name", "--subnet", "10.20.0.0/24").ok();
        final List<String> lines = wharf("network", "ls").ok().out().lines().toList();
        assertEquals(3, lines.size(), lines::toString);
        assertTrue(lines.get(0).startsWith("NAME"), lines.get(0));
        final int subnetColumn = lines.get(0).indexOf("SUBNET");
        assertEquals(subnetColumn, lines.get(1).indexOf("10.10.0.0/24"));
        assertEquals(subnetColumn, lines.get(2).indexOf("10.20.0.0/24"));

        wharf("port", "attach", "front", "veth-c1", "--ip", "10.10.0.2").ok();
        final List<String> ports = wharf("port", "ls").ok().out().lines().toList();
        assertEquals(ports.get(0).indexOf("IP"), ports.get(1).indexOf("10.10.0.2"), ports::toString);
        assertTrue(wharf("fdb", "show", "front").ok().out().startsWith("MAC"));
        assertTrue(wharf("stats").ok().out().contains("veth-c1"));
        assertTrue(wharf("network", "inspect", "front").ok().out().contains("Gateway:      10.10.0.1 (02:57:48:"));
    }

    @Test
    void failuresAreOneLineWithTheirExitCode()
    {
        wharf("network", "create", "front", "--subnet", "10.10.0.0/24").ok();
        wharf("network", "inspect", "nope").fails(ExitCodes.NOT_FOUND, "wharf: network \"nope\" not found");
        wharf("fdb", "show", "nope").fails(ExitCodes.NOT_FOUND, "wharf: network \"nope\" not found");
        wharf("port", "attach", "front", "veth-c9").fails(ExitCodes.NOT_FOUND,
            "wharf: interface \"veth-c9\" not found (use --tap to create a TAP device)");
        wharf("network", "create", "front", "--subnet", "10.30.0.0/24").fails(ExitCodes.ALREADY_EXISTS,
            "wharf: network \"front\" already exists");
        wharf("network", "create", "other", "--subnet", "10.10.0.0/16").fails(ExitCodes.PRECONDITION,
            "wharf: subnet 10.10.0.0/16 overlaps network \"front\" (10.10.0.0/24)");
        wharf("network", "create", "bad", "--subnet", "10.30.0.1/24").fails(ExitCodes.USAGE,
            "wharf: invalid subnet \"10.30.0.1/24\": host bits set (did you mean 10.30.0.0/24?)");
        wharf("port", "attach", "front", "veth-c1", "--ip", "10.10.0.1").fails(ExitCodes.USAGE,
            "wharf: IP 10.10.0.1 is the gateway of network \"front\"");
        wharf("port", "attach", "front", "veth-c1", "--vlan", "4095").fails(ExitCodes.USAGE,
            "wharf: VLAN 4095 is out of range 1..4094");
        opener.failNextOpen("veth-c1: permission denied");
        wharf("port", "attach", "front", "veth-c1").fails(ExitCodes.PRECONDITION,
            "wharf: cannot open interface \"veth-c1\": veth-c1: permission denied");
    }

    @Test
    void usageErrorsAreOneLineExitOne()
    {
        wharf("network", "create", "front").fails(ExitCodes.USAGE,
            "wharf: Missing required option: '--subnet=CIDR' (see 'wharf network create --help')");
        wharf("port", "attach", "front", "veth-c1", "--vlan", "ten").fails(ExitCodes.USAGE,
            "wharf: Invalid value for option '--vlan': 'ten' is not an int (see 'wharf port attach --help')");
        wharf("network", "frobnicate").fails(ExitCodes.USAGE,
            "wharf: Unmatched argument at index 3: 'frobnicate' (see 'wharf network --help')");
        wharf("network").fails(ExitCodes.USAGE,
            "wharf: missing command: choose one of create, ls, inspect, rm (see 'wharf network --help')");
        final Run bare = wharfWithoutSocket();
        assertEquals(ExitCodes.USAGE, bare.exitCode());
        assertEquals(1, bare.err().lines().count(), bare.err());
        assertTrue(bare.err().startsWith("wharf: missing command: choose one of daemon, network, port, fdb, stats"), bare.err());
    }

    @Test
    void anUnreachableDaemonIsExitFiveWithAHint()
    {
        final Path missing = directory.resolve("none.sock");
        final Run run = wharfWithoutSocket("--socket", missing.toString(), "network", "ls");
        run.fails(ExitCodes.UNREACHABLE, "wharf: daemon unreachable (no socket file); is `wharf daemon` running? socket " + missing);
    }

    @Test
    void everyCommandHasHelpWithAnExample()
    {
        final String[][] commands = {
            {}, {"daemon"}, {"network"}, {"network", "create"}, {"network", "ls"}, {"network", "inspect"}, {"network", "rm"},
            {"port"}, {"port", "attach"}, {"port", "detach"}, {"port", "ls"}, {"fdb"}, {"fdb", "show"}, {"stats"}};
        for (final String[] command : commands)
        {
            final List<String> args = new ArrayList<>(List.of(command));
            args.add("--help");
            final Run run = wharfWithoutSocket(args.toArray(new String[0])).ok();
            assertTrue(run.out().contains("Example:"), () -> String.join(" ", command) + ": " + run.out());
            assertTrue(run.out().contains("Usage: wharf"), run.out());
        }
    }
}
