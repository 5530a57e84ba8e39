package dev.wharf.bench.e2e;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What can be checked of the overlay scenarios without root: what they measure and what they would run. */
class OverlayScenariosTest
{
    private static final Path LAUNCHER = Path.of("/repo/wharf");

    @Test
    void overlayScenariosMeasureEverythingABridgeDoes()
    {
        // one L2 network across the hosts: trafgen's frames for c2's MAC reach it
        for (final Scenario scenario : List.of(new VxlanKernelScenario(), new OvsVxlanScenario(), WharfOverlayScenario.vxlan(LAUNCHER),
            WharfOverlayScenario.geneve(LAUNCHER)))
        {
            assertEquals(Scenario.Kind.OVERLAY, scenario.kind(), scenario.id());
            for (final Measurement measurement : E2eMain.measurements())
            {
                if (measurement.metrics().get(0).kind() == Scenario.Kind.LOAD_BALANCED)
                {
                    continue; // the load balancer's own figures: LbScenariosTest
                }
                assertTrue(scenario.supportsAny(measurement), scenario.id() + " " + measurement.title());
                for (final Metric metric : measurement.metrics())
                {
                    assertTrue(scenario.supports(metric), scenario.id() + " " + metric.id());
                }
            }
        }
    }

    @Test
    void theKernelVxlanDeviceIsTheAnchorAndWharfTheSubjects()
    {
        final Scenario anchor = new VxlanKernelScenario();
        assertEquals("vxlan-kernel", anchor.id());
        assertFalse(anchor.isSubject());
        assertTrue(anchor.switchProcesses().isEmpty(), "the kernel encapsulates in softirq: no process");
        assertEquals("vxlan-wharf", WharfOverlayScenario.vxlan(LAUNCHER).id());
        assertEquals("geneve-wharf", WharfOverlayScenario.geneve(LAUNCHER).id());
        assertTrue(WharfOverlayScenario.vxlan(LAUNCHER).isSubject());
        assertTrue(WharfOverlayScenario.geneve(LAUNCHER).isSubject());
        assertTrue(WharfOverlayScenario.geneve(LAUNCHER).description().contains("Geneve"));
        assertTrue(anchor.description().contains("MTU 1450"), anchor.description());
        assertTrue(WharfOverlayScenario.vxlan(LAUNCHER).description().contains("MTU 1450"));
    }

    @Test
    void hostsMirrorEachOtherAcrossTheUnderlay()
    {
        assertEquals(List.of("wbe-ha", "wbe-ua", "10.79.0.1", "wbe-h1", "10.77.0.1", "10.79.0.2"), fields(OverlayHosts.A));
        assertEquals(List.of("wbe-hb", "wbe-ub", "10.79.0.2", "wbe-h2", "10.77.0.2", "10.79.0.1"), fields(OverlayHosts.B));
        assertEquals(List.of(
                List.of("ip", "addr", "add", "10.79.0.1/24", "dev", "wbe-ua"),
                List.of("ip", "link", "set", "wbe-ua", "up"),
                List.of("ip", "link", "set", "wbe-h1", "up")),
            OverlayHosts.hostCommands(OverlayHosts.A));
        for (final OverlayHosts.Host host : OverlayHosts.HOSTS)
        {
            // the sweep of an earlier run's leftovers finds them by the harness's prefix; Linux allows 15 characters
            for (final String name : List.of(host.namespace(), host.underlay()))
            {
                assertTrue(name.startsWith(Leftovers.PREFIX + "-") && name.length() <= 15, name);
            }
        }
    }

    private static List<String> fields(final OverlayHosts.Host host)
    {
        return List.of(host.namespace(), host.underlay(), host.underlayIp(), host.hostEnd(), host.containerIp(), host.peerIp());
    }

    @Test
    void kernelAnchorBridgesTheHostEndWithAVxlanDeviceToThePeer()
    {
        assertEquals(List.of(
                List.of("ip", "link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789", "local", "10.79.0.2", "remote", "10.79.0.1",
                    "dev", "wbe-ub"),
                List.of("ip", "link", "add", "br0", "type", "bridge"),
                List.of("ip", "link", "set", "wbe-h2", "master", "br0"),
                List.of("ip", "link", "set", "vx0", "master", "br0"),
                List.of("ip", "link", "set", "vx0", "up"),
                List.of("ip", "link", "set", "br0", "up")),
            VxlanKernelScenario.commands(OverlayHosts.B));
    }

    @Test
    void ovsAnchorHasATunnelBridgeAndAPhysicalBridgeHoldingTheUnderlayAddress()
    {
        final Scenario ovs = new OvsVxlanScenario();
        assertFalse(ovs.isSubject());
        assertTrue(ovs.description().contains("MTU 1450"), ovs.description());
        assertEquals(List.of(
                List.of("add-br", "br-int", "--", "set", "bridge", "br-int", "datapath_type=netdev"),
                List.of("add-port", "br-int", "wbe-h1"),
                List.of("add-port", "br-int", "vxlan0", "--", "set", "interface", "vxlan0", "type=vxlan", "options:remote_ip=10.79.0.2",
                    "options:key=42"),
                List.of("add-br", "br-phy", "--", "set", "bridge", "br-phy", "datapath_type=netdev", "other_config:hwaddr=02:00:00:00:00:0a"),
                List.of("add-port", "br-phy", "wbe-ua")),
            OvsVxlanScenario.vsctlCommands(OverlayHosts.A, "02:00:00:00:00:0a"));
        assertEquals(List.of(
                List.of("ip", "addr", "flush", "dev", "wbe-ub"),
                List.of("ip", "addr", "add", "10.79.0.2/24", "dev", "br-phy"),
                List.of("ip", "link", "set", "br-phy", "up")),
            OvsVxlanScenario.addressCommands(OverlayHosts.B));
    }

    @Test
    void wharfIsConfiguredWithTheUnderlayNetworkVtepAndPortVerbs()
    {
        assertEquals(List.of(
                List.of("underlay", "set", "--local", "10.79.0.1"),
                List.of("network", "create", "wbo", "--driver", "overlay", "--vni", "42", "--subnet", "10.77.0.0/24", "--gateway", "10.77.0.254"),
                List.of("vtep", "add", "wbo", "10.79.0.2"),
                List.of("port", "attach", "wbo", "wbe-h1", "--ip", "10.77.0.1")),
            WharfOverlayScenario.commands(OverlayHosts.A, "vxlan"));
        assertEquals(List.of(
                List.of("underlay", "set", "--local", "10.79.0.2"),
                List.of("network", "create", "wbo", "--driver", "overlay", "--vni", "42", "--subnet", "10.77.0.0/24", "--gateway", "10.77.0.254",
                    "--encap", "geneve"),
                List.of("vtep", "add", "wbo", "10.79.0.1"),
                List.of("port", "attach", "wbo", "wbe-h2", "--ip", "10.77.0.2")),
            WharfOverlayScenario.commands(OverlayHosts.B, "geneve"));
    }
}
