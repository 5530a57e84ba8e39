package dev.wharf.bench.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What can be checked of the load-balancer scenarios without building their namespaces: which figures they measure,
 * the kube-proxy ruleset and nginx config they would load (each checked by the real tool when it is installed),
 * the Wharf CLI calls, and how an answer through the VIP names its backend.
 */
class LbScenariosTest
{
    private static boolean isLoadBalancerMeasurement(final Measurement measurement)
    {
        return measurement.metrics().stream().allMatch(metric -> metric.kind() == Scenario.Kind.LOAD_BALANCED);
    }

    @Test
    void theLoadBalancerScenariosMeasureTheirOwnFiguresAndNoOtherScenarioDoes()
    {
        final List<Scenario> balancers = List.of(new LbKernelScenario(), new LbWharfScenario(Path.of("/repo/wharf")));
        final List<Scenario> others = List.of(new LinuxBridgeScenario(), new NatKernelScenario(), new VxlanKernelScenario());
        int own = 0;
        for (final Measurement measurement : E2eMain.measurements())
        {
            final boolean lb = isLoadBalancerMeasurement(measurement);
            own += lb ? 1 : 0;
            for (final Scenario balancer : balancers)
            {
                assertEquals(lb, balancer.supportsAny(measurement), balancer.id() + ": " + measurement.title());
            }
            for (final Scenario other : others)
            {
                if (lb)
                {
                    assertFalse(other.supportsAny(measurement), other.id() + ": " + measurement.title());
                }
            }
        }
        assertEquals(3, own, "requests/s, connections/s and TCP through the VIP");
        for (final Scenario balancer : balancers)
        {
            assertEquals(Scenario.Kind.LOAD_BALANCED, balancer.kind());
        }
        assertTrue(balancers.get(1).isSubject());
        assertFalse(balancers.get(0).isSubject());
        assertTrue(balancers.get(0).switchProcesses().isEmpty(), "the kernel balances in softirq: no process");
    }

    @Test
    void kernelRulesetHasKubeProxysShapeAndPicksAmongTheThreeBackends()
    {
        final String ruleset = LbKernelScenario.ruleset();
        assertTrue(ruleset.startsWith("table ip " + HarnessPrefix.VALUE + "-lb {\n"), ruleset);
        assertTrue(ruleset.contains("type nat hook prerouting priority dstnat; policy accept;\n" +
            "        ip daddr . meta l4proto . th dport vmap @service-ips\n"), ruleset);
        assertTrue(ruleset.contains("numgen random mod 3 vmap { 0 : goto endpoint-web-1, 1 : goto endpoint-web-2, 2 : goto endpoint-web-3 }"), ruleset);
        assertTrue(ruleset.contains("chain endpoint-web-1 {\n        meta l4proto tcp dnat to 10.77.0.2:8080\n"), ruleset);
        assertTrue(ruleset.contains("chain endpoint-web-2 {\n        meta l4proto tcp dnat to 10.77.0.3:8080\n"), ruleset);
        assertTrue(ruleset.contains("chain endpoint-web-3 {\n        meta l4proto tcp dnat to 10.77.0.4:8080\n"), ruleset);
        assertTrue(ruleset.contains("chain service-iperf {\n        meta l4proto tcp dnat to 10.77.0.2:5201\n"), ruleset);
        assertTrue(ruleset.endsWith("service-ips { 10.96.0.100 . tcp . 80 : goto service-web, 10.96.0.100 . tcp . 5201 : goto service-iperf }\n"),
            ruleset);
        assertFalse(ruleset.contains("masquerade"), "the backends route back through the router: DNAT only");
    }

    @Test
    void kernelRulesetIsAcceptedByNft(@TempDir final Path dir) throws IOException
    {
        assumeTrue(Shell.which("nft") != null && "0".equals(Shell.run(5, "id", "-u").stdout().strip()), "needs nft and root");
        final Path file = dir.resolve("lb.nft");
        Files.writeString(file, LbKernelScenario.ruleset());
        // -c: checked against the kernel in one transaction, which is then not committed
        final Shell.Result check = Shell.run(20, "nft", "-c", "-f", file.toString());
        assertTrue(check.ok(), check.stderr());
    }

    @Test
    void routerCommandsAddressTheClientSideAndBridgeTheBackends()
    {
        final List<List<String>> commands = LbKernelScenario.routerCommands();
        assertEquals(List.of("ip", "addr", "add", "10.76.0.254/24", "dev", ContainerPair.HOST_END_1), commands.get(0));
        assertTrue(commands.contains(List.of("ip", "addr", "add", "10.77.0.254/24", "dev", LbKernelScenario.BRIDGE)), commands.toString());
        for (final LbTopology.Backend backend : LbTopology.BACKENDS)
        {
            assertTrue(commands.contains(List.of("ip", "link", "set", backend.hostEnd(), "master", LbKernelScenario.BRIDGE)), backend.toString());
        }
        assertEquals(List.of("sysctl", "-qw", "net.ipv4.ip_forward=1"), commands.get(commands.size() - 1));
    }

    @Test
    void wharfIsConfiguredWithTwoConnectedNetworksAndTwoServices()
    {
        final String h1 = ContainerPair.HOST_END_1;
        final String h2 = ContainerPair.HOST_END_2;
        final String h3 = HarnessPrefix.VALUE + "-h3";
        final String h4 = HarnessPrefix.VALUE + "-h4";
        assertEquals(List.of(
                List.of("network", "create", "lbc", "--subnet", "10.76.0.0/24", "--gateway", "10.76.0.254"),
                List.of("network", "create", "lbs", "--subnet", "10.77.0.0/24", "--gateway", "10.77.0.254"),
                List.of("network", "connect", "lbc", "lbs"),
                List.of("port", "attach", "lbc", h1),
                List.of("port", "attach", "lbs", h2),
                List.of("port", "attach", "lbs", h3),
                List.of("port", "attach", "lbs", h4),
                List.of("lb", "add", "10.96.0.100:80/tcp", "--scheduler", "rr", "--name", "web"),
                List.of("lb", "backend", "add", "10.96.0.100:80/tcp", "10.77.0.2:8080"),
                List.of("lb", "backend", "add", "10.96.0.100:80/tcp", "10.77.0.3:8080"),
                List.of("lb", "backend", "add", "10.96.0.100:80/tcp", "10.77.0.4:8080"),
                List.of("lb", "add", "10.96.0.100:5201/tcp", "--name", "iperf"),
                List.of("lb", "backend", "add", "10.96.0.100:5201/tcp", "10.77.0.2:5201")),
            LbWharfScenario.commands());
    }

    @Test
    void nginxConfigKeepsEveryPathInItsDirectory(@TempDir final Path dir) throws IOException
    {
        final String config = LbTopology.nginxConfig(dir);
        assertTrue(config.contains("daemon off;\n"), config);
        assertTrue(config.contains("pid " + dir.resolve("nginx.pid") + ";\n"), config);
        assertTrue(config.contains("error_log " + dir.resolve("error.log") + " warn;\n"), config);
        assertTrue(config.contains("access_log off;"), config);
        assertTrue(config.contains("listen 8080 backlog=4096;"), config);
        assertFalse(config.contains("/var/"), "nothing of the system service's: " + config);
        for (final String line : config.split("\n"))
        {
            if (line.strip().matches("(pid|error_log|root|\\w+_temp_path) .*"))
            {
                assertTrue(line.contains(dir.toString()), line);
            }
        }
    }

    @Test
    void nginxConfigIsAcceptedByNginx(@TempDir final Path dir) throws IOException
    {
        assumeTrue(Shell.which("nginx") != null && "0".equals(Shell.run(5, "id", "-u").stdout().strip()), "needs nginx and root");
        final Path config = dir.resolve("nginx.conf");
        Files.createDirectories(dir.resolve("root"));
        Files.writeString(config, LbTopology.nginxConfig(dir));
        final Shell.Result test = Shell.run(20, "nginx", "-t", "-e", dir.resolve("error.log").toString(), "-p", dir.toString(), "-c", config.toString());
        assertTrue(test.ok(), test.stderr());
        assertTrue(test.stderr().contains("test is successful"), test.stderr());
    }

    @Test
    void anAnswerThroughTheVipNamesItsBackend()
    {
        final String c2 = ContainerPair.C2;
        assertEquals(c2, LbTopology.answeringBackend("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Length: 7\r\n\r\n" + c2 + "\n"));
        final String b3 = HarnessPrefix.VALUE + "-b3";
        assertEquals(b3, LbTopology.answeringBackend("HTTP/1.1 200 OK\r\n\r\n" + b3 + "\n"));
        assertNull(LbTopology.answeringBackend("HTTP/1.1 502 Bad Gateway\r\n\r\n" + c2 + "\n"), "not a 200");
        assertNull(LbTopology.answeringBackend("HTTP/1.1 200 OK\r\n\r\nsomeone else\n"), "not one of ours");
        assertNull(LbTopology.answeringBackend("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n"), "cut before the body");
        assertNull(LbTopology.answeringBackend(""));
    }

    @Test
    void onlyTheNewConnectionsTestClosesEveryConnection()
    {
        final List<String> keepAlive = HttpLoadMeasurement.keepAlive().command(10);
        final List<String> close = HttpLoadMeasurement.newConnections().command(10);
        assertEquals(List.of("wrk", "-t", "2", "-c", "64", "-d", "10s", "--latency", "--timeout", "5s", "http://10.96.0.100:80/"), keepAlive);
        assertEquals(List.of("wrk", "-t", "2", "-c", "64", "-d", "10s", "--latency", "--timeout", "5s", "-H", "Connection: close",
            "http://10.96.0.100:80/"), close);
    }
}
