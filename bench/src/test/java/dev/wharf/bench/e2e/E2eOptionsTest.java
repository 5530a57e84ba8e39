package dev.wharf.bench.e2e;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class E2eOptionsTest
{
    private static final Path LAUNCHER = Path.of("/repo/wharf");

    private static E2eOptions parse(final String... args)
    {
        return E2eOptions.parse(args, LAUNCHER);
    }

    @Test
    void theDefaultSetStaysTheBridgedOne()
    {
        final E2eOptions options = parse();
        assertEquals(List.of("bridge", "ovs", "ovs-tso", "wharf"), options.only());
        assertEquals(10, options.durationSeconds());
        assertEquals(3, options.repeats());
        assertEquals(LAUNCHER, options.wharf());
    }

    @Test
    void natScenariosAreSelectedByName()
    {
        assertEquals(List.of("nat-kernel", "nat-wharf"), parse("--only", "nat-kernel,nat-wharf").only());
        assertEquals(List.of("nat-kernel", "bridge"), parse("--only=NAT-Kernel, bridge,nat-kernel").only());
    }

    @Test
    void natFlagAddsBothRoutedScenariosToTheSelection()
    {
        assertEquals(List.of("bridge", "ovs", "ovs-tso", "wharf", "nat-kernel", "nat-wharf"), parse("--nat").only());
        assertEquals(List.of("bridge", "nat-kernel", "nat-wharf"), parse("--nat", "--only", "bridge").only());
        assertEquals(List.of("nat-wharf", "nat-kernel"), parse("--only", "nat-wharf", "--nat").only());
        assertEquals(5, parse("--nat", "--duration", "5s").durationSeconds());
    }

    @Test
    void natFlagTakesNoValue()
    {
        final E2eOptions.UsageException e = assertThrows(E2eOptions.UsageException.class, () -> parse("--nat=yes"));
        assertEquals("--nat takes no value", e.getMessage());
    }

    @Test
    void unknownSwitchNamesTheKnownOnesIncludingNat()
    {
        final E2eOptions.UsageException e = assertThrows(E2eOptions.UsageException.class, () -> parse("--only", "nat"));
        assertTrue(e.getMessage().contains("nat-kernel, nat-wharf"), e.getMessage());
    }

    @Test
    void everyKnownNameBuildsItsScenario()
    {
        final List<Scenario> scenarios = E2eMain.scenarios(parse("--only", String.join(",", E2eOptions.KNOWN)));
        assertEquals(E2eOptions.KNOWN, scenarios.stream().map(Scenario::id).toList());
        for (final Scenario scenario : scenarios)
        {
            final Scenario.Kind expected = scenario.id().startsWith("nat-") ? Scenario.Kind.ROUTED
                : E2eOptions.OVERLAY.contains(scenario.id()) ? Scenario.Kind.OVERLAY
                : E2eOptions.LB.contains(scenario.id()) ? Scenario.Kind.LOAD_BALANCED : Scenario.Kind.BRIDGED;
            assertEquals(expected, scenario.kind(), scenario.id());
        }
    }

    @Test
    void loadBalancerScenariosAreSelectedByNameOnly()
    {
        assertEquals(List.of("lb-kernel", "lb-wharf"), parse("--only", "lb-kernel,lb-wharf").only());
        assertTrue(parse().only().stream().noneMatch(E2eOptions.LB::contains), "not in the default run");
        assertTrue(parse("--nat").only().stream().noneMatch(E2eOptions.LB::contains), "--nat adds the routed ones only");
        assertTrue(E2eOptions.USAGE.contains("lb-kernel, lb-wharf"), E2eOptions.USAGE);
    }

    @Test
    void overlayScenariosAreSelectedByNameOnly()
    {
        assertEquals(List.of("vxlan-kernel", "vxlan-wharf", "geneve-wharf"), parse("--only", "vxlan-kernel,vxlan-wharf,geneve-wharf").only());
        assertTrue(parse("--nat").only().stream().noneMatch(E2eOptions.OVERLAY::contains), "--nat adds the routed ones only");
        assertTrue(E2eOptions.USAGE.contains("vxlan-kernel, vxlan-ovs, vxlan-wharf, geneve-wharf"), E2eOptions.USAGE);
        final E2eOptions.UsageException e = assertThrows(E2eOptions.UsageException.class, () -> parse("--only", "vxlan"));
        assertTrue(e.getMessage().contains("vxlan-kernel, vxlan-ovs, vxlan-wharf, geneve-wharf"), e.getMessage());
    }

    @Test
    void usageMentionsTheNatScenarios()
    {
        assertTrue(E2eOptions.USAGE.contains("nat-kernel, nat-wharf"));
        assertTrue(E2eOptions.USAGE.contains("--nat"));
    }
}
