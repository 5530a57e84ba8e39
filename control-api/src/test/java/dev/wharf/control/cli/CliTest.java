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
import dev.wharf.control.server.ControlPlane;
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
    private final FakePortOpener opener = new FakePortOpener().withInterfaces("veth-c1", "veth-c2", "veth-up", "veth-up2");

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
        final dev.wharf.vxlan.Overlay overlay = new dev.wharf.vxlan.Overlay();
        final dev.wharf.dns.Dns dns = new dev.wharf.dns.Dns(new dev.wharf.dns.Dns.Settings(List.of(), 0));
        dataplane = new Dataplane(DataplaneConfiguration.defaults().withWorkers(1)
            .withPipelines(dev.wharf.dataplane.worker.Pipeline.withFeatures(List.of(overlay.feature(), dns.feature()))));
        overlay.bind(dataplane);
        dns.bind(dataplane);
        dataplane.start();
        server = ApiServer.start(socket,
            ControlPlane.create(dataplane, opener, null, dev.wharf.control.server.NatControl.detached(), overlay,
                new dev.wharf.lb.LoadBalancer(new dev.wharf.nat.NatService(dev.wharf.nat.NatConfiguration.defaults())), null, dns).services());
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
    void anArgumentBeyondTheApisBoundIsRefusedWithItsLengthNotAnHttp2Exception()
    {
        wharf("network", "create", "front", "--subnet", "10.10.0.0/24").ok();
        for (final int length : new int[] {257, 4_000, 8_000, 16_000})
        {
            final String huge = "a".repeat(length);
            wharf("network", "create", huge, "--subnet", "10.20.0.0/24")
                .fails(ExitCodes.USAGE, "wharf: field \"name\" is " + length + " characters; at most 256");
            wharf("port", "attach", "front", "veth-c1", "--ip", huge)
                .fails(ExitCodes.USAGE, "wharf: field \"ip\" is " + length + " characters; at most 256");
        }
        final Run ls = wharf("network", "ls", "--json").ok();
        assertTrue(ls.out().contains("\"front\"") && !ls.out().contains("aaaa"), ls.out());
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
    void routingAndNatVerbsFromSetUpToTearDown() throws Exception
    {
        wharf("uplink", "set", "veth-c9", "--ip", "10.99.0.2/24", "--gateway", "10.99.0.1").fails(ExitCodes.NOT_FOUND,
            "wharf: interface \"veth-c9\" not found");
        assertTrue(wharf("uplink", "show").ok().out().startsWith("no uplink"));
        wharf("network", "create", "front", "--subnet", "10.10.0.0/24").ok();
        wharf("network", "create", "back", "--subnet", "10.20.0.0/24").ok();
        wharf("network", "create", "pvlan", "--subnet", "10.40.0.0/24", "--icc", "false").ok();
        wharf("network", "create", "lab", "--subnet", "10.50.0.0/24", "--masquerade", "false").ok();
        wharf("network", "create", "secure", "--subnet", "10.30.0.0/24", "--internal").ok();
        wharf("uplink", "set", "veth-up", "--ip", "10.10.9.2/16", "--gateway", "10.10.9.1").fails(ExitCodes.PRECONDITION,
            "wharf: uplink subnet 10.10.0.0/16 overlaps network \"front\" (10.10.0.0/24)");
        assertEquals("veth-up\n", wharf("uplink", "set", "veth-up", "--ip", "10.99.0.2/24", "--gateway", "10.99.0.1").ok().out());
        final dev.wharf.control.api.v1.ShowUplinkResponse uplink =
            parse(wharf("uplink", "show", "--json").ok().out(), dev.wharf.control.api.v1.ShowUplinkResponse.newBuilder());
        assertTrue(uplink.getConfigured());
        assertEquals("10.99.0.2/24", uplink.getUplink().getAddress());
        assertEquals("up", uplink.getUplink().getState());
        assertEquals(dev.wharf.dataplane.protocol.MacAddress.toString(opener.interfaceMac("veth-up")), uplink.getUplink().getMac());
        assertTrue(wharf("uplink", "show").ok().out().contains("Gateway:      10.99.0.1 (not resolved yet)"));
        assertEquals(0, dataplane.snapshot().uplinkIndex() < 0 ? 1 : 0, "the uplink network is in the dataplane");

        assertEquals("front back\n", wharf("network", "connect", "front", "back").ok().out());
        final InspectNetworkResponse front = parse(wharf("network", "inspect", "front", "--json").ok().out(), InspectNetworkResponse.newBuilder());
        assertEquals(List.of("back"), front.getNetwork().getConnectionsList());
        assertTrue(front.getNetwork().getIcc() && front.getNetwork().getMasquerade() && !front.getNetwork().getInternal());
        final ListNetworksResponse networks = parse(wharf("network", "ls", "--json").ok().out(), ListNetworksResponse.newBuilder());
        assertEquals(List.of(false, true), List.of(networks.getNetworks(2).getIcc(), networks.getNetworks(4).getInternal()));
        assertEquals(false, networks.getNetworks(3).getMasquerade());
        assertEquals(false, networks.getNetworks(4).getMasquerade(), "an internal network's connections never leave: none is masqueraded");
        final String secureRow = wharf("network", "ls").ok().out().lines().filter(line -> line.startsWith("secure ")).findFirst().orElseThrow();
        // NAME SUBNET GATEWAY GATEWAY-MAC PORTS INTERNAL ICC MASQUERADE (CONNECTED is empty)
        assertEquals(List.of("true", "true", "false"), List.of(secureRow.strip().split(" +")).subList(5, 8), secureRow);
        assertTrue(wharf("network", "inspect", "secure").ok().out().contains("Masquerade:   false"));
        assertTrue(wharf("network", "inspect", "secure").ok().out().contains("Internal:     true"));

        assertEquals("8080/tcp -> 10.10.0.3:80\n", wharf("publish", "add", "front", "10.10.0.3:80", "-p", "8080/tcp").ok().out());
        wharf("publish", "add", "front", "10.10.0.4:53", "-p", "10.99.0.2:5353/udp").ok();
        wharf("publish", "add", "back", "10.20.0.2:80", "-p", "10.20.0.1:8081").ok();
        final dev.wharf.control.api.v1.ListPublishResponse published =
            parse(wharf("publish", "ls", "--json").ok().out(), dev.wharf.control.api.v1.ListPublishResponse.newBuilder());
        assertEquals(3, published.getPublishedCount());
        assertEquals("udp", published.getPublished(1).getProtocol());
        assertEquals("0.0.0.0", published.getPublished(0).getHostIp());
        wharf("network", "rm", "front").fails(ExitCodes.PRECONDITION,
            "wharf: network \"front\" has published ports (8080/tcp, 10.99.0.2:5353/udp); remove them first (wharf publish rm)");
        wharf("uplink", "rm").fails(ExitCodes.PRECONDITION,
            "wharf: ports are published on the uplink address (10.99.0.2:5353/udp); remove them first (wharf publish rm)");
        assertEquals("8080/tcp\n", wharf("publish", "rm", "front", "8080/tcp").ok().out());
        wharf("publish", "rm", "front", "5353/udp").ok();
        assertTrue(wharf("publish", "ls").ok().out().contains("10.20.0.1:8081"));

        assertEquals("1\n", wharf("rule", "add", "deny", "--src", "10.10.0.0/24", "--dst", "0.0.0.0/0", "--proto", "tcp", "--dport", "25").ok().out());
        assertEquals("2\n", wharf("rule", "add", "allow", "--src", "10.10.0.5", "--proto", "tcp", "--dport", "25", "--position", "1").ok().out());
        final dev.wharf.control.api.v1.ListRulesResponse rules =
            parse(wharf("rule", "ls", "--json").ok().out(), dev.wharf.control.api.v1.ListRulesResponse.newBuilder());
        assertEquals(List.of(2L, 1L), rules.getRulesList().stream().map(r -> r.getId()).toList());
        assertEquals("10.10.0.5/32", rules.getRules(0).getSource());
        assertEquals("25", rules.getRules(1).getDestinationPorts());
        wharf("rule", "rm", "2").ok();
        assertTrue(wharf("rule", "ls").ok().out().contains("deny"));
        assertEquals("3\n", wharf("rule", "add", "reject", "--src", "10.10.0.2", "--dst", "10.10.0.3", "--proto", "tcp", "--dport", "80").ok().out());
        final dev.wharf.control.api.v1.ListRulesResponse withReject =
            parse(wharf("rule", "ls", "--json").ok().out(), dev.wharf.control.api.v1.ListRulesResponse.newBuilder());
        assertEquals(List.of("deny", "reject"), withReject.getRulesList().stream().map(r -> r.getAction()).toList());
        final List<String> ruleLines = wharf("rule", "ls").ok().out().lines().toList();
        assertTrue(ruleLines.get(2).matches("3 +reject +10\\.10\\.0\\.2/32 +10\\.10\\.0\\.3/32 +tcp +80 *"), ruleLines::toString);
        wharf("rule", "add", "drop").fails(ExitCodes.USAGE, "wharf: invalid action \"drop\": use allow, deny or reject");
        wharf("rule", "rm", "3").ok();

        assertEquals("0\n", wharf("conntrack", "count").ok().out());
        assertTrue(wharf("conntrack", "list").ok().out().startsWith("PROTO"));
        assertTrue(wharf("conntrack", "stats").ok().out().startsWith("Connections:"));
        assertEquals("0\n", wharf("conntrack", "flush").ok().out());

        assertEquals("back front\n", wharf("network", "disconnect", "back", "front").ok().out());
        wharf("uplink", "rm").ok();
        assertTrue(dataplane.snapshot().uplinkIndex() < 0, "the uplink network left the dataplane");
        assertTrue(wharf("uplink", "show").ok().out().startsWith("no uplink"));
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
        final String statsText = wharf("stats").ok().out();
        assertTrue(statsText.contains("veth-c1"));
        assertTrue(statsText.contains("\nDROPS ") && statsText.contains("\nEVENTS "), "drops and events apart: " + statsText);
        assertTrue(wharf("network", "inspect", "front").ok().out().contains("Gateway:      10.10.0.1 (02:57:48:"));
    }

    @Test
    void failuresAreOneLineWithTheirExitCode()
    {
        wharf("network", "create", "front", "--subnet", "10.10.0.0/24").ok();
        wharf("network", "inspect", "nope").fails(ExitCodes.NOT_FOUND, "wharf: network \"nope\" not found (see 'wharf network ls')");
        wharf("fdb", "show", "nope").fails(ExitCodes.NOT_FOUND, "wharf: network \"nope\" not found (see 'wharf network ls')");
        wharf("port", "detach", "front", "veth-c2").fails(ExitCodes.NOT_FOUND,
            "wharf: port \"veth-c2\" not found in network \"front\" (see 'wharf port ls')");
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
            "wharf: missing command: choose one of create, ls, inspect, rm, connect, disconnect (see 'wharf network --help')");
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

    /** Every command of the model, as the words that run it ({} for the root), whatever branch added it. */
    private static List<List<String>> everyCommand()
    {
        final List<List<String>> commands = new ArrayList<>();
        for (final String name : dev.wharf.control.docs.CliReference.commandNames())
        {
            final List<String> words = List.of(name.split(" "));
            commands.add(words.subList(1, words.size()));
        }
        return commands;
    }

    @Test
    void everyCommandHasHelpWithADescriptionAndAnExample()
    {
        final List<List<String>> commands = everyCommand();
        assertTrue(commands.size() >= 16, commands::toString);
        for (final List<String> command : commands)
        {
            final List<String> args = new ArrayList<>(command);
            args.add("--help");
            final Run run = wharfWithoutSocket(args.toArray(new String[0])).ok();
            assertTrue(run.out().contains("Usage: wharf"), run.out());
            if (!command.equals(List.of("help")))
            {
                assertTrue(run.out().contains("Example:"), () -> "wharf " + String.join(" ", command) + " --help has no example: " + run.out());
            }
        }
    }

    @Test
    void lbListingsShowCountsRatesAndTheHashedPort() throws Exception
    {
        wharf("network", "create", "front", "--subnet", "10.10.0.0/24").ok();
        assertEquals("10.10.0.100:80/tcp sh hash-port\n",
            wharf("lb", "add", "10.10.0.100:80/tcp", "--scheduler", "sh", "--hash-port", "--name", "web").ok().out());
        wharf("lb", "backend", "add", "10.10.0.100:80/tcp", "10.10.0.11:8080").ok();
        wharf("lb", "backend", "add", "10.10.0.100:80/tcp", "10.10.0.12:8080").ok();
        assertTrue(wharf("lb", "ls").ok().out().contains("sh hash-port"));

        final List<String> stats = wharf("lb", "ls", "--stats").ok().out().lines().toList();
        assertEquals(List.of("SERVICE              NAME   BACKEND           CONNS   ACTIVE   INACTIVE   INPKTS   OUTPKTS   INBYTES   OUTBYTES",
            "10.10.0.100:80/tcp   web    all               0       0        0          0        0         0         0",
            "10.10.0.100:80/tcp   web    10.10.0.11:8080   0       0        0          0        0         0         0",
            "10.10.0.100:80/tcp   web    10.10.0.12:8080   0       0        0          0        0         0         0"), stats);
        final List<String> rates = wharf("lb", "ls", "--rate").ok().out().lines().toList();
        assertEquals("SERVICE              NAME   BACKEND           CPS   INPPS   OUTPPS   INBPS   OUTBPS", rates.get(0));
        assertEquals("10.10.0.100:80/tcp   web    all               0.0   0.0     0.0      0.0     0.0", rates.get(1));
        assertEquals(4, rates.size(), rates::toString);
        final String both = wharf("lb", "ls", "--stats", "--rate").ok().out();
        assertTrue(both.startsWith("SERVICE") && both.lines().findFirst().orElseThrow().endsWith("OUTBYTES   CPS   INPPS   OUTPPS   INBPS   OUTBPS"), both);

        final dev.wharf.control.api.v1.ListServicesResponse listed =
            parse(wharf("lb", "ls", "--stats", "--json").ok().out(), dev.wharf.control.api.v1.ListServicesResponse.newBuilder());
        assertTrue(listed.getServices(0).getHashPort());
        assertTrue(listed.getServices(0).hasStats() && listed.getServices(0).getBackends(1).hasRates(), "every count and rate in the JSON");
        final String json = wharf("lb", "ls", "--json").ok().out();
        assertTrue(json.contains("\"packetsIn\": \"0\"") && json.contains("\"bytesOutPerSecond\": 0.0"), json);

        wharf("lb", "add", "10.10.0.101:80/tcp", "--hash-port").fails(ExitCodes.USAGE,
            "wharf: --hash-port is for the hashing schedulers sh and mh, not rr");
        wharf("port", "attach", "front", "veth-c1", "--ip", "10.10.0.100").fails(ExitCodes.PRECONDITION,
            "wharf: IP 10.10.0.100 is the VIP of virtual service 10.10.0.100:80/tcp: a port's address must not be a VIP " +
                "(wharf lb rm 10.10.0.100:80/tcp first)");
        wharf("port", "attach", "front", "veth-c1", "--ip", "10.10.0.2").ok();
        wharf("lb", "add", "10.10.0.2:80/tcp").fails(ExitCodes.PRECONDITION,
            "wharf: VIP 10.10.0.2 is the address of port \"veth-c1\" on network \"front\": a VIP must be an address of its own");
    }

    @Test
    void aServicesHashedPortIsPersistedAndRestored() throws Exception
    {
        final Path stateDirectory = directory.resolve("state");
        final Path stateSocket = directory.resolve("state.sock");
        final ApiServer first = restoredServer(stateDirectory, stateSocket);
        try
        {
            wharfOn(stateSocket, "lb", "add", "10.10.0.100:80/tcp", "--scheduler", "mh", "--hash-port").ok();
        }
        finally
        {
            first.close();
        }
        assertTrue(java.nio.file.Files.readString(stateDirectory.resolve("state.json")).contains("\"hashPort\": true"));
        final ApiServer second = restoredServer(stateDirectory, stateSocket);
        try
        {
            assertTrue(wharfOn(stateSocket, "lb", "ls").ok().out().contains("10.10.0.100:80/tcp   -      mh hash-port"),
                "restored with its port hashed");
        }
        finally
        {
            second.close();
        }
    }

    /** A server over this test's dataplane whose control plane keeps its state in {@code stateDirectory}, restored from it. */
    private ApiServer restoredServer(final Path stateDirectory, final Path at) throws Exception
    {
        java.nio.file.Files.deleteIfExists(at);
        final ControlPlane plane = ControlPlane.create(dataplane, opener, stateDirectory, dev.wharf.control.server.NatControl.detached(), null,
            new dev.wharf.lb.LoadBalancer(new dev.wharf.nat.NatService(dev.wharf.nat.NatConfiguration.defaults())));
        plane.restore(plane.load());
        return ApiServer.start(at, plane.services());
    }

    private static Run wharfOn(final Path at, final String... args)
    {
        final List<String> full = new ArrayList<>(List.of("--socket", at.toString()));
        full.addAll(List.of(args));
        return wharfWithoutSocket(full.toArray(new String[0]));
    }

    @Test
    void everyListingVerbTakesJson()
    {
        final CommandLine root = WharfMain.newCommandLine();
        int listings = 0;
        for (final List<String> command : everyCommand())
        {
            if (command.isEmpty() || !List.of("ls", "show", "inspect", "stats").contains(command.get(command.size() - 1)))
            {
                continue;
            }
            CommandLine sub = root;
            for (final String word : command)
            {
                sub = sub.getSubcommands().get(word);
            }
            listings++;
            assertTrue(sub.getCommandSpec().findOption("--json") != null, () -> "wharf " + String.join(" ", command) + " has no --json");
        }
        assertTrue(listings >= 5, "found the listing verbs");
    }

    @Test
    void completionPrintsABashScriptWithEveryVerb()
    {
        final String script = wharfWithoutSocket("completion").ok().out();
        assertTrue(script.contains("complete -F _complete_wharf"), script.lines().limit(5).toList()::toString);
        for (final String verb : List.of("network", "create", "attach", "fdb", "--subnet", "--json", "--host"))
        {
            assertTrue(script.contains(verb), () -> "completion lacks " + verb);
        }
    }

    /** A bad command line for one verb, and the exit code it must give. */
    private record BadInput(String verb, int exitCode, List<String> args)
    {
    }

    private static BadInput bad(final String verb, final int exitCode, final String... args)
    {
        return new BadInput(verb, exitCode, List.of(args));
    }

    /** Networks, ports and forwarding entries as the API shows them: what a refused command must not change. */
    private String snapshot()
    {
        try (dev.wharf.control.client.WharfClient client = new dev.wharf.control.client.WharfClient(socket))
        {
            final StringBuilder state = new StringBuilder();
            final ListNetworksResponse networks = client.networks().list(dev.wharf.control.api.v1.ListNetworksRequest.getDefaultInstance());
            state.append(networks);
            state.append(client.ports().list(dev.wharf.control.api.v1.ListPortsRequest.getDefaultInstance()));
            for (final dev.wharf.control.api.v1.Network network : networks.getNetworksList())
            {
                state.append(client.fdb().show(dev.wharf.control.api.v1.ShowFdbRequest.newBuilder().setNetwork(network.getName()).build()));
            }
            state.append(client.uplink().show(dev.wharf.control.api.v1.ShowUplinkRequest.getDefaultInstance()));
            state.append(client.lb().list(dev.wharf.control.api.v1.ListServicesRequest.getDefaultInstance()));
            state.append(client.overlay().showUnderlay(dev.wharf.control.api.v1.ShowUnderlayRequest.getDefaultInstance()));
            state.append(client.publish().list(dev.wharf.control.api.v1.ListPublishRequest.getDefaultInstance()));
            state.append(client.rules().list(dev.wharf.control.api.v1.ListRulesRequest.getDefaultInstance()));
            return state.toString();
        }
    }

    @Test
    void everyVerbGivenBadInputExitsNonZeroWithOneLineAndChangesNothing()
    {
        wharf("network", "create", "front", "--subnet", "10.10.0.0/24").ok();
        wharf("network", "create", "back", "--subnet", "10.20.0.0/24").ok();
        wharf("port", "attach", "front", "veth-c1", "--ip", "10.10.0.2", "--mac", "aa:bb:cc:00:00:02", "--name", "web-1").ok();
        wharf("port", "attach", "back", "tap-c3", "--tap", "--ip", "10.20.0.2").ok();
        wharf("network", "create", "secure", "--subnet", "10.30.0.0/24", "--internal").ok();
        wharf("network", "connect", "front", "back").ok();
        wharf("uplink", "set", "veth-up", "--ip", "10.99.0.2/24", "--gateway", "10.99.0.1").ok();
        wharf("publish", "add", "front", "10.10.0.3:80", "-p", "8080/tcp").ok();
        wharf("publish", "add", "back", "10.20.0.2:443", "-p", "10.99.0.2:8443/tcp").ok();
        wharf("rule", "add", "deny", "--src", "10.10.0.0/24", "--proto", "tcp", "--dport", "25").ok();
        wharf("lb", "add", "10.10.0.100:80/tcp").ok();
        wharf("lb", "backend", "add", "10.10.0.100:80/tcp", "10.10.0.11:8080").ok();
        final String before = snapshot();
        final String neverSocket = directory.resolve("never.sock").toString();

        final List<BadInput> cases = List.of(
            bad("", ExitCodes.USAGE),
            bad("", ExitCodes.USAGE, "frobnicate"),
            bad("daemon", ExitCodes.USAGE, "daemon", "--socket", neverSocket, "--workers", "0"),
            bad("daemon", ExitCodes.USAGE, "daemon", "--socket", neverSocket, "--listen", "0.0.0.0:9443"),
            bad("network", ExitCodes.USAGE, "network"),
            bad("network create", ExitCodes.USAGE, "network", "create", "x"),
            bad("network create", ExitCodes.USAGE, "network", "create", "bad name!", "--subnet", "10.30.0.0/24"),
            bad("network create", ExitCodes.USAGE, "network", "create", "x", "--subnet", "10.30.0.1/24"),
            bad("network create", ExitCodes.USAGE, "network", "create", "x", "--subnet", "nonsense"),
            bad("network create", ExitCodes.USAGE, "network", "create", "x", "--subnet", "10.30.0.0/24", "--gateway", "10.40.0.1"),
            bad("network create", ExitCodes.USAGE, "network", "create", "x", "--subnet", "10.30.0.0/24", "--mac-limit", "ten"),
            bad("network create", ExitCodes.USAGE, "network", "create", "x", "--subnet", "10.30.0.0/24", "--frobnicate"),
            bad("network create", ExitCodes.ALREADY_EXISTS, "network", "create", "front", "--subnet", "10.30.0.0/24"),
            bad("network create", ExitCodes.PRECONDITION, "network", "create", "x", "--subnet", "10.10.0.0/16"),
            bad("network ls", ExitCodes.USAGE, "network", "ls", "extra"),
            bad("network inspect", ExitCodes.NOT_FOUND, "network", "inspect", "nope"),
            bad("network inspect", ExitCodes.USAGE, "network", "inspect"),
            bad("network rm", ExitCodes.NOT_FOUND, "network", "rm", "nope"),
            bad("network rm", ExitCodes.PRECONDITION, "network", "rm", "front"),
            bad("network rm", ExitCodes.USAGE, "network", "rm"),
            bad("network rm", ExitCodes.USAGE, "network", "rm", "front", "back"),
            bad("port", ExitCodes.USAGE, "port"),
            bad("port attach", ExitCodes.NOT_FOUND, "port", "attach", "nope", "veth-c2"),
            bad("port attach", ExitCodes.USAGE, "port", "attach", "front", "veth-c2", "--ip", "10.10.0.5", "--name", "web_1"),
            bad("port attach", ExitCodes.USAGE, "port", "attach", "front", "veth-c2", "--ip", "10.10.0.5", "--name", "-web"),
            bad("port attach", ExitCodes.USAGE, "port", "attach", "front", "veth-c2", "--name", "web-2"),
            bad("port attach", ExitCodes.USAGE, "port", "attach", "front", "veth-c2", "--ip", "10.10.0.5", "--alias", "a", "--alias", "A"),
            bad("port attach", ExitCodes.USAGE, "port", "attach", "front", "veth-c2", "--ip", "10.10.0.5", "--alias", "x".repeat(64)),
            bad("port attach", ExitCodes.ALREADY_EXISTS, "port", "attach", "front", "veth-c2", "--ip", "10.10.0.5", "--name", "WEB-1"),
            bad("port attach", ExitCodes.ALREADY_EXISTS, "port", "attach", "front", "veth-c2", "--ip", "10.10.0.5", "--alias", "web-1"),
            bad("daemon", ExitCodes.USAGE, "daemon", "--socket", neverSocket, "--dns", "maybe"),
            bad("daemon", ExitCodes.USAGE, "daemon", "--socket", neverSocket, "--dns-upstream", "1.2.3"),
            bad("daemon", ExitCodes.USAGE, "daemon", "--socket", neverSocket, "--dns-upstream", "1.1.1.1:0"),
            bad("daemon", ExitCodes.USAGE, "daemon", "--socket", neverSocket, "--dns-rate-limit", "-1"),
            bad("daemon", ExitCodes.USAGE, "daemon", "--socket", neverSocket, "--cluster", "etcd://10.0.0.1:2379"),
            bad("daemon", ExitCodes.USAGE, "daemon", "--socket", neverSocket, "--cluster", "http://10.0.0.1:2379", "--underlay", "10.0.0.2"),
            bad("daemon", ExitCodes.USAGE, "daemon", "--socket", neverSocket, "--underlay", "10.0.0.2"),
            bad("daemon", ExitCodes.USAGE, "daemon", "--socket", neverSocket, "--cluster", "etcd://10.0.0.1", "--underlay", "224.0.0.1"),
            bad("daemon", ExitCodes.USAGE, "daemon", "--socket", neverSocket, "--cluster", "etcd://10.0.0.1", "--underlay", "10.0.0.2",
                "--cluster-prefix", "wharf"),
            bad("daemon", ExitCodes.USAGE, "daemon", "--socket", neverSocket, "--cluster", "etcd://10.0.0.1", "--underlay", "10.0.0.2",
                "--cluster-lease-ttl", "1"),
            bad("daemon", ExitCodes.USAGE, "daemon", "--socket", neverSocket, "--cluster", "etcd://10.0.0.1", "--underlay", "10.0.0.2",
                "--cluster-tls-ca", "/nonexistent/ca.pem"),
            bad("cluster", ExitCodes.USAGE, "cluster"),
            bad("cluster hosts", ExitCodes.PRECONDITION, "cluster", "hosts"),
            bad("cluster hosts", ExitCodes.USAGE, "cluster", "hosts", "extra"),
            bad("cluster status", ExitCodes.USAGE, "cluster", "status", "extra"),
            bad("dns", ExitCodes.USAGE, "dns"),
            bad("dns ls", ExitCodes.USAGE, "dns", "ls"),
            bad("dns ls", ExitCodes.NOT_FOUND, "dns", "ls", "nope"),
            bad("dns stats", ExitCodes.USAGE, "dns", "stats", "extra"),
            bad("port attach", ExitCodes.NOT_FOUND, "port", "attach", "front", "veth-c9"),
            bad("port attach", ExitCodes.ALREADY_EXISTS, "port", "attach", "front", "veth-c1"),
            bad("port attach", ExitCodes.ALREADY_EXISTS, "port", "attach", "front", "veth-c2", "--ip", "10.10.0.2"),
            bad("port attach", ExitCodes.ALREADY_EXISTS, "port", "attach", "front", "veth-c2", "--mac", "aa:bb:cc:00:00:02"),
            bad("port attach", ExitCodes.USAGE, "port", "attach", "front", "veth-c2", "--ip", "10.20.0.5"),
            bad("port attach", ExitCodes.PRECONDITION, "port", "attach", "front", "veth-c2", "--ip", "10.10.0.100"),
            bad("port attach", ExitCodes.USAGE, "port", "attach", "front", "veth-c2", "--mac", "zz"),
            bad("port attach", ExitCodes.USAGE, "port", "attach", "front", "veth-c2", "--vlan", "4095"),
            bad("port attach", ExitCodes.USAGE, "port", "attach", "front", "veth-c2", "--vlan", "10", "--trunk", "20"),
            bad("port attach", ExitCodes.USAGE, "port", "attach", "front", "veth-c2", "--trunk", "x"),
            bad("port attach", ExitCodes.USAGE, "port", "attach", "front", "bad/name"),
            bad("port attach", ExitCodes.USAGE, "port", "attach", "front"),
            bad("port detach", ExitCodes.NOT_FOUND, "port", "detach", "nope", "veth-c1"),
            bad("port detach", ExitCodes.NOT_FOUND, "port", "detach", "front", "veth-c2"),
            bad("port detach", ExitCodes.NOT_FOUND, "port", "detach", "back", "veth-c1"),
            bad("port detach", ExitCodes.USAGE, "port", "detach", "front"),
            bad("port ls", ExitCodes.NOT_FOUND, "port", "ls", "--network", "nope"),
            bad("port ls", ExitCodes.USAGE, "port", "ls", "--network"),
            bad("fdb", ExitCodes.USAGE, "fdb"),
            bad("fdb show", ExitCodes.NOT_FOUND, "fdb", "show", "nope"),
            bad("fdb show", ExitCodes.USAGE, "fdb", "show"),
            bad("stats", ExitCodes.USAGE, "stats", "extra"),
            bad("demo", ExitCodes.USAGE, "demo", "--megabytes", "lots"),
            bad("daemon", ExitCodes.USAGE, "daemon", "--socket", neverSocket, "--metrics", "nowhere"),
            bad("trace", ExitCodes.USAGE, "trace"),
            bad("trace start", ExitCodes.NOT_FOUND, "trace", "start", "--port", "veth-c9"),
            bad("trace start", ExitCodes.USAGE, "trace", "start", "--count", "0"),
            bad("trace start", ExitCodes.USAGE, "trace", "start", "--count", "many"),
            bad("trace show", ExitCodes.USAGE, "trace", "show", "extra"),
            bad("trace stop", ExitCodes.USAGE, "trace", "stop", "extra"),
            bad("capture", ExitCodes.NOT_FOUND, "capture", "veth-c9", "-w", "-"),
            bad("capture", ExitCodes.USAGE, "capture", "veth-c1"),
            bad("capture", ExitCodes.USAGE, "capture", "veth-c1", "-w", "-", "--direction", "sideways"),
            bad("completion", ExitCodes.USAGE, "completion", "extra"),
            bad("network create", ExitCodes.USAGE, "network", "create", "x", "--subnet", "10.40.0.0/24", "--icc", "maybe"),
            bad("network create", ExitCodes.PRECONDITION, "network", "create", "x", "--subnet", "10.99.0.0/16"),
            bad("network connect", ExitCodes.USAGE, "network", "connect", "front", "front"),
            bad("network connect", ExitCodes.NOT_FOUND, "network", "connect", "front", "nope"),
            bad("network connect", ExitCodes.ALREADY_EXISTS, "network", "connect", "back", "front"),
            bad("network connect", ExitCodes.USAGE, "network", "connect", "front"),
            bad("network disconnect", ExitCodes.NOT_FOUND, "network", "disconnect", "front", "secure"),
            bad("network disconnect", ExitCodes.NOT_FOUND, "network", "disconnect", "front", "nope"),
            bad("network disconnect", ExitCodes.USAGE, "network", "disconnect"),
            bad("network rm", ExitCodes.PRECONDITION, "network", "rm", "front"),
            bad("uplink", ExitCodes.USAGE, "uplink"),
            bad("uplink set", ExitCodes.ALREADY_EXISTS, "uplink", "set", "veth-up2", "--ip", "10.98.0.2/24", "--gateway", "10.98.0.1"),
            bad("uplink set", ExitCodes.USAGE, "uplink", "set", "veth-up2", "--ip", "10.98.0.2", "--gateway", "10.98.0.1"),
            bad("uplink set", ExitCodes.USAGE, "uplink", "set", "veth-up2", "--ip", "10.98.0.2/24", "--gateway", "10.97.0.1"),
            bad("uplink set", ExitCodes.USAGE, "uplink", "set", "veth-up2", "--ip", "10.98.0.2/24"),
            bad("uplink set", ExitCodes.USAGE, "uplink", "set", "bad/name", "--ip", "10.98.0.2/24", "--gateway", "10.98.0.1"),
            bad("uplink show", ExitCodes.USAGE, "uplink", "show", "extra"),
            bad("uplink rm", ExitCodes.PRECONDITION, "uplink", "rm"),
            bad("uplink rm", ExitCodes.USAGE, "uplink", "rm", "extra"),
            bad("underlay", ExitCodes.USAGE, "underlay"),
            bad("underlay set", ExitCodes.USAGE, "underlay", "set"),
            bad("underlay set", ExitCodes.PRECONDITION, "underlay", "set", "--local", "192.0.2.1"),
            bad("underlay set", ExitCodes.USAGE, "underlay", "set", "--local", "10.200.0.256"),
            bad("underlay set", ExitCodes.USAGE, "underlay", "set", "--local", "192.0.2.1", "--port", "70000"),
            bad("underlay show", ExitCodes.USAGE, "underlay", "show", "extra"),
            bad("underlay rm", ExitCodes.NOT_FOUND, "underlay", "rm"),
            bad("network create", ExitCodes.PRECONDITION, "network", "create", "ov", "--driver", "overlay", "--vni", "42",
                "--subnet", "10.50.0.0/24"),
            bad("network create", ExitCodes.USAGE, "network", "create", "ov", "--driver", "overlay", "--subnet", "10.50.0.0/24"),
            bad("network create", ExitCodes.USAGE, "network", "create", "ov", "--vni", "42", "--subnet", "10.50.0.0/24"),
            bad("vtep", ExitCodes.USAGE, "vtep"),
            bad("vtep add", ExitCodes.NOT_FOUND, "vtep", "add", "nope", "10.200.0.2"),
            bad("vtep add", ExitCodes.PRECONDITION, "vtep", "add", "front", "10.200.0.2"),
            bad("vtep add", ExitCodes.USAGE, "vtep", "add", "front", "10.200.0.2", "--mac", "01:00:5e:00:00:01"),
            bad("vtep add", ExitCodes.USAGE, "vtep", "add", "front"),
            bad("vtep rm", ExitCodes.PRECONDITION, "vtep", "rm", "front", "10.200.0.2"),
            bad("vtep rm", ExitCodes.USAGE, "vtep", "rm", "front", "10.200.0.2", "--mac", "zz"),
            bad("vtep ls", ExitCodes.NOT_FOUND, "vtep", "ls", "nope"),
            bad("vtep ls", ExitCodes.USAGE, "vtep", "ls"),
            bad("publish", ExitCodes.USAGE, "publish"),
            bad("publish add", ExitCodes.ALREADY_EXISTS, "publish", "add", "back", "10.20.0.2:80", "-p", "8080/tcp"),
            bad("publish add", ExitCodes.ALREADY_EXISTS, "publish", "add", "back", "10.20.0.2:80", "-p", "10.99.0.2:8080"),
            bad("publish add", ExitCodes.USAGE, "publish", "add", "front", "10.20.0.2:80", "-p", "8081/tcp"),
            bad("publish add", ExitCodes.NOT_FOUND, "publish", "add", "nope", "10.10.0.2:80", "-p", "8081/tcp"),
            bad("publish add", ExitCodes.USAGE, "publish", "add", "front", "10.10.0.2:80", "-p", "10.77.0.1:8081/tcp"),
            bad("publish add", ExitCodes.USAGE, "publish", "add", "front", "10.10.0.2:80", "-p", "8081/sctp"),
            bad("publish add", ExitCodes.USAGE, "publish", "add", "front", "10.10.0.2:80", "-p", "70000/tcp"),
            bad("publish add", ExitCodes.USAGE, "publish", "add", "front", "10.10.0.2:0", "-p", "8081/tcp"),
            bad("publish add", ExitCodes.USAGE, "publish", "add", "front", "10.10.0.2:80", "-p", "8081:81/tcp"),
            bad("publish add", ExitCodes.USAGE, "publish", "add", "front", "10.10.0.2:80"),
            bad("publish add", ExitCodes.USAGE, "publish", "add", "front", "010.010.000.003:80", "-p", "8081/tcp"),
            bad("publish add", ExitCodes.PRECONDITION, "publish", "add", "secure", "10.30.0.2:80", "-p", "8081/tcp"),
            bad("publish ls", ExitCodes.USAGE, "publish", "ls", "extra"),
            bad("publish rm", ExitCodes.NOT_FOUND, "publish", "rm", "front", "8080/udp"),
            bad("publish rm", ExitCodes.NOT_FOUND, "publish", "rm", "back", "8080/tcp"),
            bad("publish rm", ExitCodes.USAGE, "publish", "rm", "front", "port80"),
            bad("publish rm", ExitCodes.USAGE, "publish", "rm", "front"),
            bad("conntrack", ExitCodes.USAGE, "conntrack"),
            bad("conntrack list", ExitCodes.USAGE, "conntrack", "list", "--limit", "0"),
            bad("conntrack list", ExitCodes.USAGE, "conntrack", "list", "--limit", "lots"),
            bad("conntrack count", ExitCodes.USAGE, "conntrack", "count", "extra"),
            bad("conntrack stats", ExitCodes.USAGE, "conntrack", "stats", "extra"),
            bad("conntrack flush", ExitCodes.USAGE, "conntrack", "flush", "extra"),
            bad("rule", ExitCodes.USAGE, "rule"),
            bad("rule add", ExitCodes.USAGE, "rule", "add", "drop"),
            bad("rule add", ExitCodes.USAGE, "rule", "add", "deny", "--src", "10.10.0.1/24"),
            bad("rule add", ExitCodes.USAGE, "rule", "add", "deny", "--dst", "nonsense"),
            bad("rule add", ExitCodes.USAGE, "rule", "add", "deny", "--proto", "gre"),
            bad("rule add", ExitCodes.USAGE, "rule", "add", "deny", "--proto", "icmp", "--dport", "25"),
            bad("rule add", ExitCodes.USAGE, "rule", "add", "deny", "--proto", "tcp", "--dport", "90-80"),
            bad("rule add", ExitCodes.USAGE, "rule", "add", "deny", "--position", "5"),
            bad("rule add", ExitCodes.USAGE, "rule", "add", "deny", "--position", "0"),
            bad("rule add", ExitCodes.USAGE, "rule", "add"),
            bad("rule ls", ExitCodes.USAGE, "rule", "ls", "extra"),
            bad("rule rm", ExitCodes.NOT_FOUND, "rule", "rm", "99"),
            bad("rule rm", ExitCodes.USAGE, "rule", "rm", "one"),
            bad("rule rm", ExitCodes.USAGE, "rule", "rm"),
            bad("lb", ExitCodes.USAGE, "lb"),
            bad("lb add", ExitCodes.USAGE, "lb", "add", "10.10.0.100"),
            bad("lb add", ExitCodes.USAGE, "lb", "add", "10.10.0.100:80/tcp", "--scheduler", "fastest"),
            bad("lb add", ExitCodes.USAGE, "lb", "add", "10.10.0.100:80/sctp"),
            bad("lb add", ExitCodes.USAGE, "lb", "add", "10.10.0.100:80/tcp", "--mode", "tunnel"),
            bad("lb add", ExitCodes.USAGE, "lb", "add", "10.10.0.100:443/tcp", "--persistent", "100000"),
            bad("lb add", ExitCodes.USAGE, "lb", "add", "224.0.0.1:80/tcp"),
            bad("lb add", ExitCodes.PRECONDITION, "lb", "add", "10.10.0.1:80/tcp"),
            bad("lb add", ExitCodes.PRECONDITION, "lb", "add", "10.10.0.2:80/tcp"),
            bad("lb add", ExitCodes.USAGE, "lb", "add", "10.10.0.100:443/tcp", "--scheduler", "wlc", "--hash-port"),
            bad("lb rm", ExitCodes.NOT_FOUND, "lb", "rm", "10.10.0.100:81/tcp"),
            bad("lb ls", ExitCodes.USAGE, "lb", "ls", "extra"),
            bad("lb ls", ExitCodes.USAGE, "lb", "ls", "--stats=maybe"),
            bad("lb backend", ExitCodes.USAGE, "lb", "backend"),
            bad("lb add", ExitCodes.USAGE, "lb", "add", "10.10.0.102:80/tcp", "--dns-mode", "round-robin"),
            bad("lb add", ExitCodes.USAGE, "lb", "add", "10.10.0.102:80/tcp", "--dns-mode", "rr"),
            bad("lb backend add", ExitCodes.NOT_FOUND, "lb", "backend", "add", "10.10.0.100:81/tcp", "10.10.0.11"),
            bad("lb backend add", ExitCodes.ALREADY_EXISTS, "lb", "backend", "add", "10.10.0.100:80/tcp", "10.10.0.11:8080"),
            bad("lb backend add", ExitCodes.USAGE, "lb", "backend", "add", "10.10.0.100:80/tcp", "10.10.0.12", "--weight", "70000"),
            bad("lb backend add", ExitCodes.USAGE, "lb", "backend", "add", "10.10.0.100:80/tcp", "backend-1"),
            bad("lb backend set", ExitCodes.USAGE, "lb", "backend", "set", "10.10.0.100:80/tcp", "10.10.0.11:8080"),
            bad("lb backend set", ExitCodes.NOT_FOUND, "lb", "backend", "set", "10.10.0.100:80/tcp", "10.10.0.19:8080", "--weight", "1"),
            bad("lb backend rm", ExitCodes.USAGE, "lb", "backend", "rm", "10.10.0.100:80/tcp", "10.10.0.11:8080", "--drain", "soon"),
            bad("lb backend rm", ExitCodes.USAGE, "lb", "backend", "rm", "10.10.0.100:80/tcp", "10.10.0.11:8080", "--drain", "2d"),
            bad("lb backend rm", ExitCodes.NOT_FOUND, "lb", "backend", "rm", "10.10.0.100:80/tcp", "10.10.0.19"),
            bad("lb health", ExitCodes.USAGE, "lb", "health", "10.10.0.100:80/tcp"),
            bad("lb health", ExitCodes.USAGE, "lb", "health", "10.10.0.100:80/tcp", "--tcp-connect", "--none"),
            bad("lb health", ExitCodes.USAGE, "lb", "health", "10.10.0.100:80/tcp", "--http", "/healthz"),
            bad("lb health", ExitCodes.USAGE, "lb", "health", "10.10.0.100:80/tcp", "--tcp-connect", "--timeout", "5s", "--interval", "1s"),
            bad("lb health", ExitCodes.USAGE, "lb", "health", "10.10.0.100:80/tcp", "--tcp-connect", "--fall", "0"),
            bad("lb health", ExitCodes.NOT_FOUND, "lb", "health", "10.10.0.100:81/tcp", "--tcp-connect"),
            bad("help", ExitCodes.USAGE, "help", "nope"));

        for (final BadInput input : cases)
        {
            final String line = String.join(" ", input.args());
            final Run run = wharf(input.args().toArray(new String[0]));
            assertEquals(input.exitCode(), run.exitCode(), () -> "wharf " + line + ": exit code; stderr: " + run.err());
            assertEquals("", run.out(), () -> "wharf " + line + ": stdout");
            assertEquals(1, run.err().lines().count(), () -> "wharf " + line + ": one line on stderr: " + run.err());
            assertTrue(run.err().startsWith("wharf: ") && run.err().length() > "wharf: ".length() + 10,
                () -> "wharf " + line + ": stderr: " + run.err());
            assertEquals(before, snapshot(), () -> "wharf " + line + " changed the state");
        }
        opener.failNextOpen("veth-c2: permission denied");
        wharf("port", "attach", "front", "veth-c2").fails(ExitCodes.PRECONDITION,
            "wharf: cannot open interface \"veth-c2\": veth-c2: permission denied");
        assertEquals(before, snapshot(), "a port the kernel would not open is not half-attached");

        final java.util.Set<String> covered = new java.util.HashSet<>();
        cases.forEach(input -> covered.add(input.verb()));
        for (final List<String> command : everyCommand())
        {
            final String verb = String.join(" ", command);
            assertTrue(covered.contains(verb), () -> "no bad-input case for 'wharf " + verb + "': add one to this test");
        }
    }

    @Test
    void publishTakesDockersFormsAndRangesAllOrNothing() throws Exception
    {
        wharf("network", "create", "front", "--subnet", "10.10.0.0/24").ok();
        wharf("uplink", "set", "veth-up", "--ip", "10.99.0.2/24", "--gateway", "10.99.0.1").ok();
        assertEquals("8080/tcp -> 10.10.0.3:80\n", wharf("publish", "add", "front", "10.10.0.3", "-p", "8080:80").ok().out());
        assertEquals("10.99.0.2:8443/tcp -> 10.10.0.3:443\n",
            wharf("publish", "add", "front", "10.10.0.3", "-p", "10.99.0.2:8443:443/tcp").ok().out());
        assertEquals("8081/udp -> 10.10.0.3:81\n", wharf("publish", "add", "front", "10.10.0.3:81", "-p", "8081:81/udp").ok().out());
        assertEquals("8082/tcp -> 10.10.0.3:8082\n", wharf("publish", "add", "front", "10.10.0.3", "-p", "8082").ok().out(),
            "a container port given nowhere is the host port, as Docker's -p 8082");
        wharf("publish", "add", "front", "10.10.0.3:80", "-p", "8083:81").fails(ExitCodes.USAGE,
            "wharf: the container port is given twice and differs: 80 in \"10.10.0.3:80\", 81 in -p \"8083:81\"; give it once");

        assertEquals("8093/tcp -> 10.10.0.4:93\n8094/tcp -> 10.10.0.4:94\n8095/tcp -> 10.10.0.4:95\n",
            wharf("publish", "add", "front", "10.10.0.4", "-p", "8093-8095:93-95").ok().out());
        assertEquals("9001/tcp -> 10.10.0.5:9001\n9002/tcp -> 10.10.0.5:9002\n",
            wharf("publish", "add", "front", "10.10.0.5", "-p", "9001-9002").ok().out());
        assertEquals("9101/tcp -> 10.10.0.5:91\n9102/tcp -> 10.10.0.5:92\n",
            wharf("publish", "add", "front", "10.10.0.5:91-92", "-p", "9101-9102").ok().out());
        wharf("publish", "add", "front", "10.10.0.4", "-p", "8093-8095:93-94").fails(ExitCodes.USAGE,
            "wharf: host ports 8093-8095 and container ports 93-94 differ in length (3 and 2): each host port maps to one container port");
        final String before = wharf("publish", "ls").ok().out();
        // 8080/tcp is taken, so none of 8079..8081 may be published
        wharf("publish", "add", "front", "10.10.0.6", "-p", "8079-8081:79-81").fails(ExitCodes.ALREADY_EXISTS,
            "wharf: port 8080/tcp is already published (8080/tcp -> front 10.10.0.3:80)");
        assertEquals(before, wharf("publish", "ls").ok().out(), "a range is published all or nothing");
        wharf("publish", "add", "front", "10.10.0.6", "-p", "65535-65536").fails(ExitCodes.USAGE,
            "wharf: container port 65536 is out of range 1..65535");
        assertEquals(before, wharf("publish", "ls").ok().out());
        final dev.wharf.control.api.v1.ListPublishResponse published =
            parse(wharf("publish", "ls", "--json").ok().out(), dev.wharf.control.api.v1.ListPublishResponse.newBuilder());
        assertEquals(11, published.getPublishedCount(), "a range is kept as one published port per host port");
        assertEquals("8094/tcp\n", wharf("publish", "rm", "front", "8094/tcp").ok().out());

        wharf("publish", "add", "front", "10.10.0.3:80", "-p", "8084/sctp").fails(ExitCodes.USAGE,
            "wharf: invalid protocol \"sctp\": use tcp or udp");
        wharf("publish", "add", "front", "10.10.0.3:80", "-p", "8084/icmp").fails(ExitCodes.USAGE,
            "wharf: invalid protocol \"icmp\": use tcp or udp");
        wharf("lb", "add", "10.10.0.100:80/sctp").fails(ExitCodes.USAGE, "wharf: invalid protocol \"sctp\": use tcp or udp");
        wharf("publish", "add", "front", "fd00::3", "-p", "8084:80").fails(ExitCodes.USAGE,
            "wharf: invalid container address \"fd00::3\": IPv6 is not supported yet");
        wharf("publish", "add", "front", "10.10.0.3", "-p", "[::1]:8084:80").fails(ExitCodes.USAGE,
            "wharf: invalid published port \"[::1]:8084:80\": IPv6 is not supported yet");
        wharf("publish", "add", "front", "10.10.0.3", "-p", "host:8084:80").fails(ExitCodes.USAGE,
            "wharf: invalid published port \"host:8084:80\": \"host\" is not an IPv4 address; expected " +
                "[HOSTIP:]HOSTPORT[:CONTAINERPORT][/tcp|udp], e.g. 8080:80/tcp or 8093-8095");
    }

    @Test
    void ipv6InputIsSaidToBeUnsupportedRatherThanMalformed()
    {
        wharf("network", "create", "six", "--subnet", "fd00::/64").fails(ExitCodes.USAGE,
            "wharf: invalid subnet \"fd00::/64\": IPv6 is not supported yet");
        wharf("network", "create", "six", "--subnet", "10.10.0.0/24", "--gateway", "fd00::1").fails(ExitCodes.USAGE,
            "wharf: invalid gateway: \"fd00::1\" is an IPv6 address; IPv6 is not supported yet");
        wharf("network", "create", "front", "--subnet", "10.10.0.0/24").ok();
        wharf("port", "attach", "front", "veth-c1", "--ip", "fd00::2").fails(ExitCodes.USAGE,
            "wharf: invalid IP: \"fd00::2\" is an IPv6 address; IPv6 is not supported yet");
        wharf("uplink", "set", "veth-up", "--ip", "2001:db8::2/64", "--gateway", "2001:db8::1").fails(ExitCodes.USAGE,
            "wharf: invalid uplink address \"2001:db8::2/64\": IPv6 is not supported yet");
        wharf("uplink", "set", "veth-up", "--ip", "10.99.0.2/24", "--gateway", "2001:db8::1").fails(ExitCodes.USAGE,
            "wharf: invalid uplink gateway: \"2001:db8::1\" is an IPv6 address; IPv6 is not supported yet");
        wharf("rule", "add", "deny", "--dst", "fd00::/8").fails(ExitCodes.USAGE,
            "wharf: invalid destination \"fd00::/8\": IPv6 is not supported yet");
    }

    @Test
    void helpDoesNotBreakExamplesInsideTheirTokens()
    {
        final Run help = wharfWithoutSocket("conntrack", "list", "--help").ok();
        assertTrue(help.out().contains("  wharf conntrack list --json --limit 100 | jq '.connections[].reply.destinationPort'\n"), help.out());
        final Run publish = wharfWithoutSocket("publish", "add", "--help").ok();
        assertTrue(publish.out().contains("[HOSTIP:]HOSTPORT[:CONTAINERPORT][/PROTO]"), publish.out());
        final Run root = wharfWithoutSocket("--help").ok();
        assertTrue(root.out().contains("--socket=PATH"), root.out());
    }
}
