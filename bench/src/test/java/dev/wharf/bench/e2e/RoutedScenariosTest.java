package dev.wharf.bench.e2e;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What can be checked of the routed scenarios without root: what they measure and what they would run. */
class RoutedScenariosTest
{
    @Test
    void routedScenariosSkipThePacketRateTestAndKeepTcpAndPing()
    {
        final Scenario routed = new NatKernelScenario();
        final Scenario bridged = new LinuxBridgeScenario();
        for (final Measurement measurement : E2eMain.measurements())
        {
            if (measurement.metrics().get(0).kind() == Scenario.Kind.LOAD_BALANCED)
            {
                continue; // the load balancer's own figures: LbScenariosTest
            }
            final boolean packetRate = measurement instanceof SmallPacketRateMeasurement;
            assertEquals(!packetRate, routed.supportsAny(measurement), measurement.title());
            assertTrue(bridged.supportsAny(measurement), measurement.title());
            for (final Metric metric : measurement.metrics())
            {
                assertEquals(!packetRate, routed.supports(metric), metric.id());
                assertTrue(bridged.supports(metric), metric.id());
            }
        }
    }

    @Test
    void natWharfIsTheRoutedSubjectAndNatKernelItsAnchor()
    {
        final Scenario subject = new NatWharfScenario(Path.of("/repo/wharf"));
        final Scenario anchor = new NatKernelScenario();
        assertTrue(subject.isSubject());
        assertFalse(anchor.isSubject());
        assertEquals(Scenario.Kind.ROUTED, subject.kind());
        assertEquals(Scenario.Kind.ROUTED, anchor.kind());
        assertTrue(anchor.switchProcesses().isEmpty(), "the kernel routes in softirq: no process");
    }

    @Test
    void kernelRulesetMasqueradesTheContainerSubnetOutOfTheUplink()
    {
        final String ruleset = NatKernelScenario.ruleset();
        assertTrue(ruleset.startsWith("table ip wbe-nat {"), ruleset);
        assertTrue(ruleset.contains("type nat hook postrouting priority srcnat;"), ruleset);
        assertTrue(ruleset.contains("ip saddr 10.76.0.0/24 oifname \"wbe-h2\" masquerade"), ruleset);
    }

    @Test
    void wharfIsConfiguredWithTheNetworkAndUplinkVerbs()
    {
        assertEquals(List.of(
                List.of("network", "create", "wbe", "--subnet", "10.76.0.0/24", "--gateway", "10.76.0.254"),
                List.of("port", "attach", "wbe", "wbe-h1"),
                List.of("uplink", "set", "wbe-h2", "--ip", "10.77.0.254/24", "--gateway", "10.77.0.2")),
            NatWharfScenario.commands());
    }
}
