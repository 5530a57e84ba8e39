package dev.wharf.bench.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * The system under test on the routed path: the same addressing as {@link NatKernelScenario},
 * through a private Wharf daemon. Network {@code wbe} (10.76.0.0/24, gateway 10.76.0.254) holds
 * {@code wbe-h1}; {@code wbe-h2} is the network's uplink with 10.77.0.254/24 and c2 as its
 * gateway; routing and masquerade are Wharf's defaults for a network with an uplink:
 * <pre>
 * wharf network create wbe --subnet 10.76.0.0/24 --gateway 10.76.0.254
 * wharf port attach wbe wbe-h1
 * wharf uplink set wbe-h2 --ip 10.77.0.254/24 --gateway 10.77.0.2
 * </pre>
 * The host's own forwarding and nftables are untouched: the kernel does not route this traffic.
 * A Wharf without the {@code uplink} command is reported as unavailable, not as a failure.
 */
final class NatWharfScenario implements Scenario
{
    static final String NETWORK = WharfScenario.NETWORK;
    static final String UPLINK_GATEWAY = ContainerPair.IP2;

    private final Path launcher;
    private boolean hasStateDir;
    private WharfDaemon daemon;

    NatWharfScenario(final Path launcher)
    {
        this.launcher = launcher;
    }

    @Override
    public String id()
    {
        return "nat-wharf";
    }

    @Override
    public String description()
    {
        return "Wharf daemon (" + launcher + "), network " + NETWORK + " " + NatKernelScenario.CONTAINER_SUBNET + " gateway " +
            NatKernelScenario.BRIDGE_IP + " on " + ContainerPair.HOST_END_1 + ", uplink " + ContainerPair.HOST_END_2 + " " +
            NatKernelScenario.UPLINK_IP + "/24 via " + UPLINK_GATEWAY + ", masquerade (Wharf's default), AF_PACKET ports, veth offloads at their defaults";
    }

    @Override
    public boolean isSubject()
    {
        return true;
    }

    @Override
    public Kind kind()
    {
        return Kind.ROUTED;
    }

    @Override
    public double estimatedSetupSeconds()
    {
        // a JVM starting, and one more JVM per CLI call
        return 10;
    }

    @Override
    public String unavailableReason()
    {
        try
        {
            hasStateDir = WharfDaemon.probe(launcher).contains("--state-dir");
        }
        catch (final HarnessException e)
        {
            return e.getMessage();
        }
        return WharfDaemon.missingCommand(launcher, "uplink", "set");
    }

    @Override
    public void setUp(final ContainerPair containers, final Path workDir, final Cleanup cleanup)
    {
        containers.readdressBehindRouter(NatKernelScenario.CONTAINER_IP, ContainerPair.PREFIX_LENGTH, NatKernelScenario.BRIDGE_IP);
        daemon = WharfDaemon.start(launcher, hasStateDir, workDir, cleanup);
        for (final List<String> command : commands())
        {
            daemon.cli(command.toArray(new String[0]));
        }
        daemon.requireAlive();
    }

    /** The CLI calls that build the routed network, in order (without the launcher and its --socket). */
    static List<List<String>> commands()
    {
        return List.of(
            List.of("network", "create", NETWORK, "--subnet", NatKernelScenario.CONTAINER_SUBNET, "--gateway", NatKernelScenario.BRIDGE_IP),
            List.of("port", "attach", NETWORK, ContainerPair.HOST_END_1),
            List.of("uplink", "set", ContainerPair.HOST_END_2, "--ip", NatKernelScenario.UPLINK_IP + "/" + ContainerPair.PREFIX_LENGTH,
                "--gateway", UPLINK_GATEWAY));
    }

    @Override
    public List<ProcessHandle> switchProcesses()
    {
        return daemon == null ? List.of() : daemon.jvm();
    }
}
