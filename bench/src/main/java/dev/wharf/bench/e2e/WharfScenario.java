package dev.wharf.bench.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * The system under test: a private {@code wharf daemon} with one network holding both host ends
 * as AF_PACKET ports, veth offloads left at their defaults (Wharf's ports take them as they come).
 * The network's gateway is moved off .1, which the first container uses.
 */
final class WharfScenario implements Scenario
{
    static final String NETWORK = "wbe";
    static final String SUBNET = "10.77.0.0/24";
    static final String GATEWAY = "10.77.0.254";

    private final Path launcher;
    private boolean hasStateDir;
    private WharfDaemon daemon;

    WharfScenario(final Path launcher)
    {
        this.launcher = launcher;
    }

    @Override
    public String id()
    {
        return "wharf";
    }

    @Override
    public String description()
    {
        return "Wharf daemon (" + launcher + "), AF_PACKET ports, veth offloads at their defaults";
    }

    @Override
    public boolean isSubject()
    {
        return true;
    }

    @Override
    public double estimatedSetupSeconds()
    {
        // a JVM starting, and one more JVM per CLI call
        return 8;
    }

    @Override
    public String unavailableReason()
    {
        try
        {
            hasStateDir = WharfDaemon.probe(launcher).contains("--state-dir");
            return null;
        }
        catch (final HarnessException e)
        {
            return e.getMessage();
        }
    }

    @Override
    public void setUp(final ContainerPair containers, final Path workDir, final Cleanup cleanup)
    {
        daemon = WharfDaemon.start(launcher, hasStateDir, workDir, cleanup);
        daemon.cli("network", "create", NETWORK, "--subnet", SUBNET, "--gateway", GATEWAY);
        daemon.cli("port", "attach", NETWORK, ContainerPair.HOST_END_1, "--ip", ContainerPair.IP1);
        daemon.cli("port", "attach", NETWORK, ContainerPair.HOST_END_2, "--ip", ContainerPair.IP2);
        daemon.requireAlive();
    }

    @Override
    public List<ProcessHandle> switchProcesses()
    {
        return daemon == null ? List.of() : daemon.jvm();
    }
}
