package dev.wharf.bench.e2e;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LeftoversTest
{
    @Test
    void findsOnlyTheHarnessNftTables()
    {
        final String out = "table inet filter\ntable ip wbe-nat\ntable ip nat\ntable ip6 wbe-other\ntable bridge wbe\n";
        assertEquals(List.of("ip wbe-nat", "ip6 wbe-other"), Leftovers.nftTableNames(out));
        assertEquals(List.of(), Leftovers.nftTableNames(""));
    }

    @Test
    void findsTheHarnessLinksIncludingTheNatBridge()
    {
        final String out = """
            1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
            7: wbe-h1@if6: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master wbe-natbr state UP\\    link/ether 02:00:00:00:00:01
            9: wbe-natbr: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP\\    link/ether 02:00:00:00:00:02
            """;
        assertEquals(List.of("wbe-h1", "wbe-natbr"), Leftovers.linkNames(out));
    }

    @Test
    void reportsHarnessAddressesOnlyOnForeignLinks()
    {
        final String out = """
            1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
            2: eth0    inet 10.0.2.15/24 scope global eth0\\       valid_lft forever preferred_lft forever
            9: wbe-natbr    inet 10.76.0.254/24 scope global wbe-natbr\\       valid_lft forever preferred_lft forever
            10: wbe-h2    inet 10.77.0.254/24 scope global wbe-h2\\       valid_lft forever preferred_lft forever
            11: docker9    inet 10.76.0.254/24 scope global docker9\\       valid_lft forever preferred_lft forever
            """;
        assertEquals(List.of("10.76.0.254/24 on docker9"), Leftovers.foreignAddresses(out));
    }
}
